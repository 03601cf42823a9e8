"""Elman (1990), discovering the notion "word" (Fig. 6): error peaks at word onsets.

Sentences from a small generator are spelled letter by letter with no breaks between
words or sentences (5-bit letter codes). A 5-20-5 SRN with 20 context units is trained
online for 10 passes over ~200 sentences (~5,000 letters) to predict the next letter.
After training, the error is high at the first letter of a word and falls as more of the
word arrives, so error peaks mark word boundaries, without any boundary in the input.

The paper's generator and lexicon are not published: the 15-word lexicon (14 words of the
paper's fragment plus one of ours) and the templates are in ``data/`` with their
provenance. Letter codes: the paper's own (Table 2: alphabet position in binary).
Free parameters (the paper gives none): learning rate 0.1, no momentum, initial weights
uniform in [-0.5, 0.5], loss 1/2 sum of squares. Every seed has its own initial weights
and training corpus; all are tested on one common new corpus and on the paper's fragment.

Fig. 6 is transcribed in ``data/elman1990_fig6_word_error.csv`` (its values reach 3.0, so the
plotted error is the sum of squared errors over the 5 bits). "The error declines as more of the
word is received" is judged per word type of 3+ letters: onset error above the mean of its later
letters and a falling trend; Fig. 6 passes it in every word, while its "and" and "sea" break the
stricter letter 1 > 2 > 3 (``tests/test_elman_figures.py``).

Beyond the paper: a segmentation score, boundaries placed at error peaks (local maxima
at or above the median error) against the true word onsets.

Run: ``cogrnn replicate elman-words`` or ``python -m cogrnn.replications.elman_words``.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from cogrnn._docs import fill_doc
from cogrnn.analysis.recording import evaluate
from cogrnn.analysis.segmentation import (
    aligned_errors,
    boundary_scores,
    detect_boundaries,
    onset_contrast,
    onset_contrasts,
    segmentation_scores,
    word_error_profiles,
    word_predictability,
)
from cogrnn.compare import claim_measure_table
from cogrnn.config import Config, check_int
from cogrnn.io import data_path, read_data_table
from cogrnn.replication import Claim, Replication, seed_pass_claim
from cogrnn.tasks import LetterInWord
from cogrnn.training import ARCHITECTURE_PARAMETERS, OnlineSRNConfig, train_ensemble
from cogrnn.viz import add_caption, plot_error_curve, plot_seed_values

__all__ = [
    "WordsConfig",
    "ElmanWords",
    "REPLICATION",
    "FRAGMENT",
    "paper_fig6",
    "word_profiles",
    "onsets_high",
    "falls_within_words",
    "boundaries_precise",
]

#: the example of Elman (1990), Table 2 and Fig. 6
FRAGMENT = "many years ago a boy and girl lived by the sea they played happily"
ONSET_RATIO_CRITERION = 1.5
PRECISION_CRITERION = 1.5  # times the base rate of onsets (random placement)
ONSET_P_CRITERION = 0.01
MIN_WORD_LENGTH = 3


def paper_fig6() -> pd.DataFrame:
    """Fig. 6 of Elman (1990), as transcribed in ``data/elman1990_fig6_word_error.csv``.

    Returns
    -------
    pandas.DataFrame
        Per ``step``: the ``target_letter``, its ``word`` (``word_index`` numbers the tokens),
        ``position_in_word``, ``word_onset`` and ``sq_error`` (the plotted error, read as the sum
        of squared errors over the 5 bits).

    Examples
    --------
    >>> fig6 = paper_fig6()
    >>> fig6.loc[fig6.word == "and", "sq_error"].tolist()
    [2.2, 1.26, 1.47]
    """
    df = read_data_table(
        "elman1990_fig6_word_error.csv", ["step", "target_letter", "word", "word_index", "position_in_word", "error"]
    )
    return df.rename(columns={"error": "sq_error"}).assign(word_onset=lambda d: d["position_in_word"] == 0)


def word_profiles(results: pd.DataFrame, part: str = "test") -> pd.DataFrame:
    """Per seed and word, the error profile checks of :func:`~cogrnn.analysis.segmentation.word_error_profiles`.

    Parameters
    ----------
    results : DataFrame
        The results table (``seed``, ``part``, ``t``, ``word``, ``position_in_word``,
        ``word_onset``, ``sq_error``).
    part : {"test", "fragment"}, default "test"
        ``"test"``: one profile per word type, averaged over its tokens in the test corpus;
        ``"fragment"``: one profile per word token of the paper's fragment, as in Fig. 6.

    Returns
    -------
    pandas.DataFrame
        One row per seed and word (type, or ``token`` and word), words of at least
        ``MIN_WORD_LENGTH`` letters.

    Examples
    --------
    >>> fig6 = paper_fig6().assign(seed=0, part="fragment", t=lambda d: d["step"])
    >>> bool(word_profiles(fig6, "fragment")["onset_falls"].all())
    True
    """
    rows = results[results["part"] == part].sort_values(["seed", "t"]).copy()
    by = ["seed", "word"]
    if part == "fragment":  # one profile per token, as in Fig. 6
        rows["token"] = rows.groupby("seed")["word_onset"].transform(lambda s: s.astype(bool).cumsum())
        by = ["seed", "token", "word"]
    return word_error_profiles(rows, by=by, min_length=MIN_WORD_LENGTH)


def onsets_high(contrast: Mapping[str, Any] | pd.DataFrame) -> Any:
    """Criterion of ``error-high-at-word-onsets``: onset error well above within-word error.

    Onset error >= ONSET_RATIO_CRITERION x within-word error and one-sided Mann-Whitney
    p < ONSET_P_CRITERION.

    Parameters
    ----------
    contrast : dict or DataFrame
        One seed's (or one figure's) :func:`~cogrnn.analysis.segmentation.onset_contrast`, or a
        table of them with one row per seed (``ratio`` and ``p``).

    Returns
    -------
    bool or pandas.Series of bool
        Whether each passes.

    Examples
    --------
    >>> fig6 = paper_fig6()
    >>> onsets_high(onset_contrast(fig6["sq_error"], fig6["word_onset"]))
    True
    """
    return (contrast["ratio"] >= ONSET_RATIO_CRITERION) & (contrast["p"] < ONSET_P_CRITERION)


def falls_within_words(profiles: pd.DataFrame) -> bool:
    """Criterion of ``error-falls-within-words`` on the profiles of one seed (or one figure).

    Every word of at least ``MIN_WORD_LENGTH`` letters has its onset error above the mean of its
    later letters and a falling trend (negative slope of error on letter position).

    Parameters
    ----------
    profiles : DataFrame
        From :func:`~cogrnn.analysis.segmentation.word_error_profiles` (``onset_falls``).

    Returns
    -------
    bool
        Whether every profile passes (False when there is none).

    Examples
    --------
    >>> falls_within_words(word_error_profiles(paper_fig6(), by=["word_index", "word"]))
    True
    """
    return bool(len(profiles) > 0 and profiles["onset_falls"].all())


def boundaries_precise(scores: Mapping[str, Any] | pd.DataFrame) -> Any:
    """Criterion of ``boundaries-from-error-peaks``: boundaries at error peaks beat random placement.

    Parameters
    ----------
    scores : dict or DataFrame
        One seed's (or one figure's) scores, or a table of them with one row per seed
        (``precision``, ``base_rate``).

    Returns
    -------
    bool or pandas.Series of bool
        Whether precision > PRECISION_CRITERION x the base rate.

    Examples
    --------
    >>> boundaries_precise({"precision": 0.66, "base_rate": 0.28})
    True
    """
    return scores["precision"] > PRECISION_CRITERION * scores["base_rate"]


@fill_doc
@dataclass(frozen=True)
class WordsConfig(OnlineSRNConfig):
    """Configuration of the word-boundary replication (paper values where it gives them).

    Parameters
    ----------
    epochs : int, default 10
        Passes through the training corpus (paper: 10).
    hidden_size : int, default 20
        Hidden (= context) units (paper: 20).
    lr : float, default 0.1
        Learning rate (not in the paper).
    momentum : float in [0, 1), default 0.0
        Momentum of the weight updates (not in the paper).
    init_range : float, default 0.5
        Initial weights uniform in ``[-init_range, init_range]`` (not in the paper).
    %(srn_architecture)s
    n_sentences : int, default 200
        Sentences in each seed's training corpus (paper: 200).
    coding : str, default "elman"
        Letter code (``"elman"``: the paper's Table 2, alphabet position in binary).
    test_sentences : int, default 200
        Sentences in the common test corpus.
    test_seed : int, default 1990
        Seed of the common test corpus.

    Examples
    --------
    >>> WordsConfig().epochs
    10
    """

    epochs: int = 10  # paper: 10 passes
    hidden_size: int = 20  # paper: 20 hidden and 20 context units
    n_sentences: int = 200  # paper: 200 sentences, 1,270 words, 4,963 letters
    coding: str = "elman"
    test_sentences: int = 200
    test_seed: int = 1990

    def __post_init__(self) -> None:
        super().__post_init__()
        check_int("n_sentences", self.n_sentences, low=2, high=10**6)
        check_int("test_sentences", self.test_sentences, low=2, high=10**6)
        check_int("test_seed", self.test_seed, low=0)


class ElmanWords(Replication):
    """The word-boundary replication: compute, measures, the paper's claims and Fig. 6.

    Examples
    --------
    >>> ElmanWords().measure_tables[:2]
    ('onsets', 'word_types')
    """

    name = "elman-words"
    description = "Elman (1990) Fig. 6: letter prediction error peaks at word onsets."
    reference = LetterInWord.reference  # type: ignore[assignment]
    columns = ("seed", "t", "target_letter", "word_onset", "sq_error")
    default_seeds = 10
    default_root_seed = 1990
    config_class = WordsConfig
    measure_tables = ("onsets", "word_types", "fragment_tokens", "segmentation", "aligned", "predictability")
    free_parameters = {
        "lexicon_and_templates": "not in the paper: 14 words of its fragment + 'swam'; templates are cogrnn's (data/)",
        "lr": "0.1 (not in the paper)",
        "momentum": "0 (not in the paper)",
        "init_range": "initial weights and biases uniform in [-0.5, 0.5] (not in the paper)",
        "loss": "1/2 sum of squared errors, online updates; sq_error is summed over the 5 output bits",
        "segmentation": "boundaries at local maxima of the error at or above the seed's median error",
        **ARCHITECTURE_PARAMETERS,
    }

    def config(self, quick: bool = False) -> WordsConfig:
        return WordsConfig(test_sentences=60) if quick else WordsConfig()

    def data_inputs(self, config: Config) -> list[Path]:
        names = ("elman1990_words_lexicon.csv", "elman1990_words_templates.csv", "elman1990_fig6_word_error.csv")
        return [data_path(name) for name in names]

    def compute(self, config: WordsConfig, seeds: Sequence[np.random.SeedSequence], quiet: bool) -> pd.DataFrame:
        children = [s.spawn(2) for s in seeds]  # weights, training corpus
        task = LetterInWord(n_sentences=config.n_sentences, coding=config.coding)
        streams = [task.generate(c[1]) for c in children]
        net = train_ensemble(config, streams, [c[0] for c in children], quiet=quiet)
        test = LetterInWord(n_sentences=config.test_sentences, coding=config.coding).generate(config.test_seed)
        fragment = task.spell(FRAGMENT)
        # one running stream: the fragment follows the test corpus
        parts = (("test", test), ("fragment", fragment))
        keys = ("letter", "target_letter", "word", "position_in_word", "word_onset", "sentence")
        descriptors = {k: np.concatenate([b.descriptors[k][:, 0] for _, b in parts]) for k in ("t", *keys)}
        descriptors["part"] = np.concatenate([[name] * b.n_steps for name, b in parts])
        rec = evaluate(
            net, np.concatenate([b.inputs for _, b in parts]), np.concatenate([b.targets for _, b in parts]),
            {("step" if k == "t" else k): v for k, v in descriptors.items()},
        )  # fmt: skip
        table = rec.descriptors.rename(columns={"t": "stream_t", "step": "t"})
        return table[["seed", "part", "t", *keys]].assign(sq_error=rec.sq_error)

    def measures(self, results: pd.DataFrame, extras: dict[str, pd.DataFrame], config: Any) -> dict[str, pd.DataFrame]:
        test = results[results["part"] == "test"].assign(word_onset=lambda d: d["word_onset"].astype(bool))
        first = test[test["seed"] == test["seed"].min()].sort_values("t")
        return {
            "onsets": onset_contrasts(test),
            "word_types": word_profiles(results, "test"),
            "fragment_tokens": word_profiles(results, "fragment"),
            "segmentation": boundary_scores(test),
            "aligned": aligned_errors(test, before=2, after=5),
            "predictability": word_predictability(first.loc[first["word_onset"], "word"]).reset_index(),
        }

    def check_claims(self, results: pd.DataFrame, extras: dict[str, pd.DataFrame]) -> list[Claim]:
        paper = "Elman (1990) pp. 192-194, Fig. 6"
        fig6 = paper_fig6()
        fig6_contrast = onset_contrast(fig6["sq_error"], fig6["word_onset"])
        fig6_ratio, fig6_p = fig6_contrast["ratio"], fig6_contrast["p"]
        fig6_profiles = word_error_profiles(fig6, by=["word_index", "word"], min_length=MIN_WORD_LENGTH)
        fig6_seg = segmentation_scores(detect_boundaries(fig6["sq_error"]), fig6["word_onset"].to_numpy(dtype=bool))
        checks = extras["onsets"].set_index("seed")
        types, tokens = extras["word_types"], extras["fragment_tokens"]
        per_seed_types = types.groupby("seed").apply(falls_within_words, include_groups=False)
        n_types = types.groupby("seed").size()
        failing = types.loc[~types["onset_falls"], "word"].value_counts()
        given_prev = extras["predictability"].set_index("word")["p"]
        seg = extras["segmentation"].set_index("seed")
        return [
            seed_pass_claim(
                "error-high-at-word-onsets",
                "The error is high at the onset of a word.",
                f"{paper}: error peaks at word onsets; transcribed Fig. 6 (data/elman1990_fig6_word_error.csv, "
                f"summed squared error): onset {fig6.loc[fig6.word_onset, 'sq_error'].mean():.2f} vs within words "
                f"{fig6.loc[~fig6.word_onset, 'sq_error'].mean():.2f}, ratio {fig6_ratio:.2f}, p = {fig6_p:.1e}",
                onsets_high(checks),
                f"mean summed squared error at onsets {checks['onset'].mean():.3f} vs within words "
                f"{checks['within'].mean():.3f}; ratio median {checks['ratio'].median():.2f}",
                f"per seed: onset error >= {ONSET_RATIO_CRITERION} x within-word error, "
                f"one-sided Mann-Whitney p < {ONSET_P_CRITERION}",
            ),
            seed_pass_claim(
                "error-falls-within-words",
                "The error falls as more of a word is received.",
                f"{paper}: 'As more of the word is received the error declines'; in Fig. 6 every word of "
                f"{MIN_WORD_LENGTH}+ letters ({fig6_profiles['onset_falls'].sum()}/{len(fig6_profiles)}) has its "
                "onset above the mean of its later letters and a falling trend, while letter 1 > 2 > 3 fails in "
                f"{(~fig6_profiles['strict_123']).sum()} ("
                + ", ".join(fig6_profiles.loc[~fig6_profiles["strict_123"], "word"])
                + ")",
                per_seed_types,
                f"word types passing (mean profile over their tokens in the test corpus): "
                f"{types['onset_falls'].sum()}/{len(types)} over all seeds (median {n_types.median():.0f} types a seed)"
                + (
                    "; failing: "
                    + ", ".join(
                        f"{w} ({n} seeds; onset {types.loc[types.word == w, 'onset'].median():.2f} vs later "
                        f"{types.loc[types.word == w, 'later_mean'].median():.2f}; P({w} | previous word) "
                        f"{given_prev.get(w, float('nan')):.2f})"
                        for w, n in failing.items()
                    )
                    if len(failing)
                    else ""
                )
                + f"; the strict rule letter 1 > 2 > 3 holds for {types['strict_123'].sum()}/{len(types)}; "
                f"fragment tokens (as Fig. 6) passing: {tokens['onset_falls'].sum()}/{len(tokens)}",
                f"per seed: every word type of {MIN_WORD_LENGTH}+ letters has onset error > mean error of its "
                "later letters and a negative slope of error on letter position (mean over its test tokens)",
            ),
            seed_pass_claim(
                "boundaries-from-error-peaks",
                "Error peaks mark word boundaries (segmentation score; the paper gives no number).",
                f"{paper}: 'error ... could serve as a cue to word boundaries'; no score in the paper; the same "
                f"score on transcribed Fig. 6: precision {fig6_seg['precision']:.2f}, recall {fig6_seg['recall']:.2f} "
                f"(base rate {fig6_seg['base_rate']:.2f})",
                boundaries_precise(seg),
                f"precision {seg['precision'].mean():.2f}, recall {seg['recall'].mean():.2f}, "
                f"F1 {seg['f1'].mean():.2f} (base rate of onsets {seg['base_rate'].mean():.2f})",
                f"per seed: precision of boundaries at error peaks > {PRECISION_CRITERION} x the base rate",
            ),
        ]

    @fill_doc
    def claim_measures(self, results: pd.DataFrame, extras: dict[str, pd.DataFrame]) -> pd.DataFrame:
        """The per-seed measure behind each claim, and Fig. 6's value (for ``cogrnn compare``).

        %(claim_measures)s
        """
        fig6 = paper_fig6()
        profiles = word_error_profiles(fig6, by=["word_index", "word"], min_length=MIN_WORD_LENGTH)
        fig6_seg = segmentation_scores(detect_boundaries(fig6["sq_error"]), fig6["word_onset"].to_numpy(dtype=bool))
        onsets, seg = extras["onsets"].set_index("seed"), extras["segmentation"].set_index("seed")
        passing = extras["word_types"].groupby("seed")["onset_falls"].mean()
        return claim_measure_table({
            "error-high-at-word-onsets": ("onset / within-word error", onsets["ratio"],
                                          onset_contrast(fig6["sq_error"], fig6["word_onset"])["ratio"]),
            "error-falls-within-words": ("share of word types whose error falls", passing,
                                         profiles["onset_falls"].mean()),
            "boundaries-from-error-peaks": ("boundary precision / base rate", seg["precision"] / seg["base_rate"],
                                            fig6_seg["precision"] / fig6_seg["base_rate"]),
        })  # fmt: skip

    def plot(self, results: pd.DataFrame, extras: dict[str, pd.DataFrame], caption: str) -> plt.Figure:
        fig, axes = plt.subplots(1, 3, figsize=(14, 3.9), layout="constrained", width_ratios=[2.4, 1, 1])
        frag = results[results["part"] == "fragment"]
        fig6 = paper_fig6()
        n_frag = int(frag["t"].max()) + 1
        # Fig. 6's step k predicts the fragment's letter k (its step 0 predicts the first "m")
        reference = {k - 1: v for k, v in zip(fig6["step"], fig6["sq_error"]) if 1 <= k <= n_frag}
        plot_error_curve(
            frag, x="t", y="sq_error", ax=axes[0], xlabel="letter to be predicted (word onsets in red)",
            ylabel="summed squared error", title="Fig. 6: error along the paper's fragment", reference=reference,
            reference_label="Elman (1990) Fig. 6 (transcribed)",
        )  # fmt: skip
        first = frag[frag["seed"] == frag["seed"].min()].sort_values("t")
        axes[0].set_xticks(first["t"], first["target_letter"], fontsize=7)
        for tick, is_onset in zip(axes[0].get_xticklabels(), first["word_onset"].astype(bool)):
            tick.set_color("crimson" if is_onset else "black")
        for t in first.loc[first["word_onset"].astype(bool), "t"]:
            axes[0].axvline(t, color="crimson", lw=0.5, alpha=0.4)
        plot_error_curve(
            extras["aligned"], x="lag", y="error", ax=axes[1], xlabel="letters from word onset",
            ylabel="summed squared error", title="Error aligned to word onsets",
        )  # fmt: skip
        seg = extras["segmentation"].melt(id_vars="seed", value_vars=["precision", "recall", "f1", "base_rate"],
                                          var_name="score")  # fmt: skip
        plot_seed_values(
            seg, x="score", y="value", ax=axes[2], xlabel="", ylabel="score (one dot per seed)",
            title="Boundaries at error peaks",
        )  # fmt: skip
        return add_caption(fig, caption)


REPLICATION = ElmanWords()

if __name__ == "__main__":
    from cogrnn.cli import main

    sys.exit(main(["replicate", REPLICATION.name, *sys.argv[1:]]))
