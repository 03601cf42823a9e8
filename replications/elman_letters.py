"""Elman (1990), structure in letter sequences (Figs. 4-5): consonants are unpredictable, vowels are not.

Random consonants b, d, g are replaced by ba, dii, guuu, and each letter is coded by the
6 phonetic features of Table 1. A 6-20-6 SRN with 20 context units is trained online for
200 passes over the stream (it wraps around) and tested on a newly generated stream.
Which consonant comes next is random; when it comes, and all the vowels, are not. So the
error is high when a consonant is due and low for vowels, and the error of the
consonantal bit stays low while the error of the "high" bit (which differs between b, d
and g) peaks at consonants.

The paper's measure (Fig. 4, "root mean squared error ... computed over the entire output
vector") is read as the length of the error vector, sqrt(sum over the 6 bits of the squared
error): of the three readings, only this one fits the figure's consonant points (an ideal
predictor scores 0.745 at d and g, 0.471 at b; Fig. 4 shows 0.61-0.77 and 0.44). Figs. 4 and 5
are transcribed in ``data/`` with the reading noted; every criterion passes on them
(``tests/test_elman_figures.py``). The sum of squares (the text's "sum squared error") and the
root mean square per bit are reported beside it.

Free parameters (the paper gives none): learning rate 0.1, no momentum, initial weights
uniform in [-0.5, 0.5], loss 1/2 sum of squares. Every seed has its own initial weights
and trains on its whole training stream; all seeds are tested on one common new stream.

Run: ``cogrnn replicate elman-letters`` or ``python -m cogrnn.replications.elman_letters``.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from cogrnn._docs import fill_doc
from cogrnn.analysis.profiles import contrast_means, feature_rms, step_errors
from cogrnn.analysis.recording import evaluate
from cogrnn.compare import claim_measure_table
from cogrnn.config import Config, check_int
from cogrnn.io import data_path, read_data_table
from cogrnn.replication import Claim, Replication, seed_pass_claim
from cogrnn.tasks import FEATURES, LetterSequence
from cogrnn.training import ARCHITECTURE_PARAMETERS, OnlineSRNConfig, train_ensemble
from cogrnn.viz import add_caption, plot_error_curve, plot_seed_values

__all__ = [
    "LettersConfig",
    "ElmanLetters",
    "REPLICATION",
    "paper_fig4",
    "paper_fig5",
    "consonant_vowel_means",
    "vowels_low",
    "level_within",
    "bit1_below_bit4",
    "bit1_below_bit4_per_letter",
]

CONSONANTS = ("b", "d", "g")
VOWEL_RATIO_CRITERION = 0.5
LEVEL_TOLERANCE = 0.3  # relative band around Fig. 4's mean error (as for the lexical likelihood numbers)
LETTER_TOLERANCE = 0.05
STRETCH = 20  # steps of the test stream shown in the figure, as Figs. 4-5
PAPER_MEASURE = "length of the error vector, sqrt(sum over the 6 output bits of (output - target)^2)"


@fill_doc
@dataclass(frozen=True)
class LettersConfig(OnlineSRNConfig):
    """Configuration of the letter-sequence replication (paper values where it gives them).

    Parameters
    ----------
    epochs : int, default 200
        Passes through the training stream (paper: 200).
    hidden_size : int, default 20
        Hidden (= context) units (paper: 20).
    lr : float, default 0.1
        Learning rate (not in the paper).
    momentum : float in [0, 1), default 0.0
        Momentum of the weight updates (not in the paper).
    init_range : float, default 0.5
        Initial weights uniform in ``[-init_range, init_range]`` (not in the paper).
    %(srn_architecture)s
    n_consonants : int, default 1000
        Consonants in each seed's training stream (paper: 1,000, about 3,000 letters).
    test_consonants : int, default 1000
        Consonants in the common test stream.
    test_seed : int, default 1990
        Seed of the common test stream.

    Examples
    --------
    >>> LettersConfig().hidden_size
    20
    """

    epochs: int = 200  # paper: 200 passes
    hidden_size: int = 20  # paper: 20 hidden and 20 context units
    n_consonants: int = 1000  # paper: 1,000 consonants (about 3,000 letters)
    test_consonants: int = 1000
    test_seed: int = 1990  # the common test stream ("a different initial randomization")

    def __post_init__(self) -> None:
        super().__post_init__()
        check_int("n_consonants", self.n_consonants, low=2, high=10**7)
        check_int("test_consonants", self.test_consonants, low=STRETCH, high=10**7)
        check_int("test_seed", self.test_seed, low=0)


def _positions(letters: Sequence[str]) -> list[int]:
    """Position of each letter in its word (0 at the consonant) along a letter stream."""
    out: list[int] = []
    for letter in letters:
        out.append(0 if letter in CONSONANTS else (out[-1] + 1 if out else 1))
    return out


def paper_fig4() -> pd.DataFrame:
    """Fig. 4 of Elman (1990), as transcribed in ``data/elman1990_fig4_letters_error.csv``.

    Returns
    -------
    pandas.DataFrame
        ``step``, ``target_letter``, ``position_in_word`` and ``error`` (the length of the error
        vector; NaN where not drawn).

    Examples
    --------
    >>> fig4 = paper_fig4()
    >>> "".join(fig4["target_letter"][:9]), int(fig4["error"].isna().sum())
    ('adiiguuub', 1)
    """
    df = read_data_table("elman1990_fig4_letters_error.csv", ["step", "target_letter", "error", "drawn"])
    df["error"] = pd.to_numeric(df["error"], errors="coerce")
    df["position_in_word"] = _positions(df["target_letter"])
    return df


def paper_fig5() -> pd.DataFrame:
    """Fig. 5 of Elman (1990), as transcribed in ``data/elman1990_fig5_bit_errors.csv``.

    Returns
    -------
    pandas.DataFrame
        The absolute error of bit 1 (``consonantal``) and bit 4 (``high``) per ``step`` and
        ``target_letter``, and ``position_in_word``.

    Examples
    --------
    >>> float(paper_fig5()["high"].max())
    0.672
    """
    df = read_data_table("elman1990_fig5_bit_errors.csv", ["step", "target_letter", "bit1_consonantal", "bit4_high"])
    df = df.rename(columns={"bit1_consonantal": "consonantal", "bit4_high": "high"})
    df["position_in_word"] = _positions(df["target_letter"])
    return df


def consonant_vowel_means(steps: pd.DataFrame, value: str = "error_length") -> pd.DataFrame:
    """Per seed: the mean error at consonant targets and at vowel targets, and their ratio.

    Parameters
    ----------
    steps : DataFrame
        One row per seed and step: ``seed``, ``target_letter`` and ``value``.
    value : str, default "error_length"
        The error column.

    Returns
    -------
    pandas.DataFrame
        Indexed by seed: ``consonant``, ``vowel`` and ``ratio`` (vowel / consonant), from
        :func:`~cogrnn.analysis.profiles.contrast_means`.

    Examples
    --------
    >>> steps = pd.DataFrame({"seed": 0, "target_letter": ["d", "i"], "error_length": [0.7, 0.07]})
    >>> round(float(consonant_vowel_means(steps)["ratio"].iloc[0]), 3)
    0.1
    """
    means = contrast_means(steps, "target_letter", CONSONANTS, value, names=("consonant", "vowel"))
    return means.set_index("seed")


def vowels_low(means: pd.DataFrame) -> pd.Series:
    """Criterion of ``consonants-high-vowels-low`` per seed.

    Parameters
    ----------
    means : DataFrame
        From :func:`consonant_vowel_means` (``ratio``).

    Returns
    -------
    pandas.Series of bool
        Whether each seed passes, indexed by seed.

    Examples
    --------
    >>> vowels_low(pd.DataFrame({"ratio": [0.1, 0.6]})).tolist()
    [True, False]
    """
    return means["ratio"] < VOWEL_RATIO_CRITERION


def level_within(measured: pd.Series, paper: float) -> pd.Series:
    """Criterion of the level claims: within ``LEVEL_TOLERANCE`` (relative) of the paper's value.

    Parameters
    ----------
    measured : Series
        One value per seed.
    paper : float
        The paper's value.

    Returns
    -------
    pandas.Series of bool
        Whether each seed passes, indexed by seed.

    Examples
    --------
    >>> level_within(pd.Series([0.66, 0.27]), 0.62).tolist()
    [True, False]
    """
    return (measured - paper).abs() <= LEVEL_TOLERANCE * paper


def bit1_below_bit4(bits: pd.DataFrame) -> pd.Series:
    """Criterion of ``consonantal-bit-below-high-bit``: per seed, bit-1 RMS < bit-4 RMS.

    Parameters
    ----------
    bits : DataFrame
        One row per seed with the RMS error of each feature (``consonantal``, ``high``).

    Returns
    -------
    pandas.Series of bool
        Whether each seed passes, indexed by seed.

    Examples
    --------
    >>> bit1_below_bit4(pd.DataFrame({"consonantal": [0.01], "high": [0.48]})).tolist()
    [True]
    """
    return bits["consonantal"] < bits["high"]


def bit1_below_bit4_per_letter(bits_letter: pd.DataFrame, tolerance: float = LETTER_TOLERANCE) -> pd.Series:
    """Criterion of ``bit1-below-bit4-at-all-points``: bit 1 at most bit 4 at every target letter.

    Per seed, at every target letter bit-1 RMS <= bit-4 RMS + ``tolerance``.

    Parameters
    ----------
    bits_letter : DataFrame
        Indexed by ``seed`` and target letter, with ``consonantal`` and ``high``.
    tolerance : float, default LETTER_TOLERANCE
        How far bit 1 may exceed bit 4.

    Returns
    -------
    pandas.Series of bool
        Whether each seed passes, indexed by seed.

    Examples
    --------
    >>> idx = pd.MultiIndex.from_tuples([(0, "a"), (0, "u"), (1, "a")], names=["seed", "target_letter"])
    >>> bits = pd.DataFrame({"consonantal": [0.0, 0.06, 0.2], "high": [0.05, 0.02, 0.0]}, index=idx)
    >>> bit1_below_bit4_per_letter(bits).tolist()
    [True, False]
    """
    return (bits_letter["consonantal"] <= bits_letter["high"] + tolerance).groupby(level="seed").all()


class ElmanLetters(Replication):
    """The letter-sequence replication: compute, measures, the paper's claims and Figs. 4-5.

    Examples
    --------
    >>> ElmanLetters().config(quick=True).epochs
    60
    """

    name = "elman-letters"
    description = "Elman (1990) Figs. 4-5: letter prediction error is high for consonants, low for vowels."
    reference = LetterSequence.reference  # type: ignore[assignment]
    columns = ("seed", "t", "target_letter", "feature", "target", "output", "sq_error")
    default_seeds = 10
    default_root_seed = 1990
    config_class = LettersConfig
    measure_tables = ("steps", "consonant_vowel", "bits_at_consonants", "bits_by_letter")
    free_parameters = {
        "lr": "0.1 (not in the paper)",
        "momentum": "0 (not in the paper)",
        "init_range": "initial weights and biases uniform in [-0.5, 0.5] (not in the paper)",
        "loss": "1/2 sum of squared errors, online updates",
        "streams": "own training stream per seed (each trained on its whole stream); one common test stream",
        "error_metric": f"Fig. 4: {PAPER_MEASURE} (the caption's RMS over the entire output vector)",
        **ARCHITECTURE_PARAMETERS,
    }

    def config(self, quick: bool = False) -> LettersConfig:
        return LettersConfig(n_consonants=300, epochs=60, test_consonants=200) if quick else LettersConfig()

    def data_inputs(self, config: Config) -> list[Path]:
        return [
            data_path(name)
            for name in (
                "elman1990_letter_features.csv", "elman1990_fig4_letters_error.csv", "elman1990_fig5_bit_errors.csv"
            )
        ]  # fmt: skip

    def compute(self, config: LettersConfig, seeds: Sequence[np.random.SeedSequence], quiet: bool) -> pd.DataFrame:
        children = [s.spawn(2) for s in seeds]  # weights, training stream
        task = LetterSequence(n_consonants=config.n_consonants)
        streams = [task.generate(c[1]) for c in children]
        net = train_ensemble(config, streams, [c[0] for c in children], quiet=quiet)
        test = LetterSequence(n_consonants=config.test_consonants).generate(config.test_seed)
        keep = ("letter", "target_letter", "position_in_word", "word")
        rec = evaluate(net, test.inputs, test.targets, {k: test.descriptors[k] for k in keep})
        results = rec.descriptors.drop(columns="sequence").loc[lambda d: d.index.repeat(len(FEATURES))]
        return results.reset_index(drop=True).assign(
            feature=np.tile(np.asarray(FEATURES, dtype=object), rec.n_obs),
            target=rec.targets.ravel(), output=rec.outputs.ravel(), sq_error=(rec.errors**2).ravel(),
        )  # fmt: skip

    def measures(self, results: pd.DataFrame, extras: dict[str, pd.DataFrame], config: Any) -> dict[str, pd.DataFrame]:
        steps = step_errors(results, keep=["target_letter", "position_in_word"])
        readings = ("error_length", "sse", "rms_per_unit")  # Fig. 4's reading first, then the other two
        means = [consonant_vowel_means(steps, v).reset_index().assign(reading=v) for v in readings]
        return {
            "steps": steps,
            "consonant_vowel": pd.concat(means, ignore_index=True)[["seed", "reading", "consonant", "vowel", "ratio"]],
            "bits_at_consonants": feature_rms(results[results["target_letter"].isin(CONSONANTS)]),
            "bits_by_letter": feature_rms(results, by=["seed", "target_letter"]),
        }

    def check_claims(self, results: pd.DataFrame, extras: dict[str, pd.DataFrame]) -> list[Claim]:
        paper = "Elman (1990) pp. 188-191, Figs. 4-5"
        fig4 = paper_fig4()
        fig4_means = consonant_vowel_means(fig4.dropna(subset=["error"]).assign(seed=0), "error").iloc[0]
        cv = extras["consonant_vowel"]
        means, sse, rms = (cv[cv["reading"] == r].set_index("seed") for r in ("error_length", "sse", "rms_per_unit"))
        others = (
            f"other readings: sum of squares {sse['consonant'].mean():.3f} at consonants / "
            f"{sse['vowel'].mean():.3f} at vowels, "
            f"root mean square per bit {rms['consonant'].mean():.3f} / {rms['vowel'].mean():.3f}"
        )
        fig4_text = (
            f"Fig. 4 (transcribed, data/elman1990_fig4_letters_error.csv; measure: {PAPER_MEASURE}): "
            f"mean {fig4_means['consonant']:.3f} at its 5 drawn consonant points (d 0.62, 0.66; g 0.77, 0.61; b 0.44), "
            f"{fig4_means['vowel']:.3f} at its 14 vowel points (0.02-0.36)"
        )
        bits_cons = extras["bits_at_consonants"].set_index("seed")
        bits_letter = extras["bits_by_letter"].set_index(["seed", "target_letter"])
        band = f"within {LEVEL_TOLERANCE:.0%} of Fig. 4's mean"
        return [
            seed_pass_claim(
                "consonants-high-vowels-low",
                "Prediction error is high when a consonant is due and low for vowels.",
                f"{paper}: {fig4_text}; ratio vowel/consonant {fig4_means['ratio']:.2f}",
                vowels_low(means),
                f"mean error-vector length at consonant targets {means['consonant'].mean():.3f}, at vowel targets "
                f"{means['vowel'].mean():.3f}; vowel/consonant ratio median {means['ratio'].median():.3f}; {others}",
                f"per seed: mean error-vector length at vowel targets < {VOWEL_RATIO_CRITERION} x at consonant targets",
            ),
            seed_pass_claim(
                "consonant-error-level-as-fig4",
                "At consonant targets the error reaches the level of Fig. 4 (measured as the paper measures it).",
                f"{paper}: {fig4_text}",
                level_within(means["consonant"], fig4_means["consonant"]),
                f"mean error-vector length at consonant targets {means['consonant'].mean():.3f} "
                f"(seeds {means['consonant'].min():.3f}-{means['consonant'].max():.3f}; "
                "an ideal predictor, the mean of b, d, g, "
                f"scores 0.654); {others}",
                f"per seed: mean error-vector length at consonant targets {band} ({fig4_means['consonant']:.3f})",
            ),
            seed_pass_claim(
                "vowel-error-level-as-fig4",
                "At vowel targets the error stays at the level of Fig. 4 (measured as the paper measures it).",
                f"{paper}: {fig4_text}",
                level_within(means["vowel"], fig4_means["vowel"]),
                f"mean error-vector length at vowel targets {means['vowel'].mean():.3f} "
                f"(seeds {means['vowel'].min():.3f}-{means['vowel'].max():.3f}), "
                f"{means['vowel'].mean() / fig4_means['vowel']:.2f} x Fig. 4's"
                + (
                    ": the network predicts the vowels more exactly than the paper's did (the paper gives "
                    "neither its learning rate nor its weight range, nor how long its error took to fall)"
                    if means["vowel"].mean() < (1 - LEVEL_TOLERANCE) * fig4_means["vowel"]
                    else ""
                ),
                f"per seed: mean error-vector length at vowel targets {band} ({fig4_means['vowel']:.3f})",
            ),
            seed_pass_claim(
                "consonantal-bit-below-high-bit",
                "At consonant targets the consonantal bit (1) is predicted well and the 'high' bit (4) is not.",
                f"{paper}: bit-1 error near 0 throughout; bit-4 error peaks (0.38, 0.38, 0.67 at d and g) at "
                "consonants (Fig. 5, data/elman1990_fig5_bit_errors.csv)",
                bit1_below_bit4(bits_cons),
                f"RMS at consonant targets: bit 1 {bits_cons['consonantal'].mean():.3f}, "
                f"bit 4 {bits_cons['high'].mean():.3f}",
                "per seed: bit-1 RMS error < bit-4 RMS error at consonant targets",
            ),
            seed_pass_claim(
                "bit1-below-bit4-at-all-points",
                "Error on the first bit is lower than on the fourth bit at all points in time.",
                f"{paper}: 'consistently lower ... and at all points in time'; in Fig. 5 itself bit 1 exceeds "
                "bit 4 at 3 of 20 steps, by at most 0.04",
                bit1_below_bit4_per_letter(bits_letter),
                "largest bit-1 minus bit-4 RMS over target letters, median over seeds "
                f"{(bits_letter['consonantal'] - bits_letter['high']).groupby('seed').max().median():+.3f}",
                f"per seed: for every target letter, bit-1 RMS <= bit-4 RMS + {LETTER_TOLERANCE}",
            ),
        ]

    @fill_doc
    def claim_measures(self, results: pd.DataFrame, extras: dict[str, pd.DataFrame]) -> pd.DataFrame:
        """The per-seed measure behind each claim, and Fig. 4's value where it gives one (for ``cogrnn compare``).

        %(claim_measures)s
        """
        fig4 = paper_fig4()
        paper = consonant_vowel_means(fig4.dropna(subset=["error"]).assign(seed=0), "error").iloc[0]
        cv = extras["consonant_vowel"]
        means = cv[cv["reading"] == "error_length"].set_index("seed")
        bits = extras["bits_at_consonants"].set_index("seed")
        letters = extras["bits_by_letter"].set_index(["seed", "target_letter"])
        nan = float("nan")
        return claim_measure_table({
            "consonants-high-vowels-low": ("vowel / consonant error-vector length", means["ratio"], paper["ratio"]),
            "consonant-error-level-as-fig4": ("error-vector length at consonants", means["consonant"],
                                              paper["consonant"]),
            "vowel-error-level-as-fig4": ("error-vector length at vowels", means["vowel"], paper["vowel"]),
            "consonantal-bit-below-high-bit": ("bit-4 minus bit-1 RMS at consonants",
                                               bits["high"] - bits["consonantal"], nan),
            "bit1-below-bit4-at-all-points": ("largest bit-1 minus bit-4 RMS over letters",
                                              (letters["consonantal"] - letters["high"]).groupby("seed").max(), nan),
        })  # fmt: skip

    def plot(self, results: pd.DataFrame, extras: dict[str, pd.DataFrame], caption: str) -> plt.Figure:
        fig, axes = plt.subplots(1, 3, figsize=(13, 3.8), layout="constrained", width_ratios=[1.5, 1.5, 1])
        keys = ["target_letter", "position_in_word"]
        fig4, fig5 = paper_fig4(), paper_fig5()
        # the replication at Fig. 4's 20 steps: per seed, the mean over the test stream of the same
        # letter at the same position in its word
        steps = extras["steps"].groupby(["seed", *keys], as_index=False)["error_length"].mean()
        at4 = fig4[["step", *keys]].merge(steps, on=keys)
        plot_error_curve(
            at4, x="step", y="error_length", ax=axes[0], reference=dict(zip(fig4["step"], fig4["error"])),
            reference_label="Elman (1990) Fig. 4 (transcribed)", xlabel="letter to be predicted (Fig. 4's steps)",
            ylabel="error-vector length", title="Fig. 4: error over the output vector",
        )  # fmt: skip
        bits = results[results["feature"].isin(["consonantal", "high"])].assign(
            abs_error=lambda d: np.sqrt(d["sq_error"])
        )
        bits = bits.groupby(["seed", *keys, "feature"], as_index=False)["abs_error"].mean()
        for name, color, label in (("consonantal", "C2", "bit 1 (consonantal)"), ("high", "C3", "bit 4 (high)")):
            plot_error_curve(
                fig5[["step", *keys]].merge(bits[bits["feature"] == name], on=keys), x="step", y="abs_error",
                ax=axes[1], color=color, label=label, reference=dict(zip(fig5["step"], fig5[name])),
                reference_label=f"Fig. 5 {label}", xlabel="letter to be predicted (Fig. 5's steps)",
                ylabel="absolute error of the bit", title="Fig. 5: bit 1 vs bit 4",
            )  # fmt: skip
        for ax, top in zip(axes[:2], (1.0, 0.9)):
            ax.set_xticks(fig4["step"], fig4["target_letter"])
            ax.set_ylim(0, top)  # room for the legend above the curves
            ax.legend(loc="upper right", fontsize=7, frameon=False, ncol=2)
        per_letter = extras["steps"].groupby(["seed", "target_letter"], as_index=False)["error_length"].mean()
        plot_seed_values(
            per_letter, x="target_letter", y="error_length", ax=axes[2], order=["b", "d", "g", "a", "i", "u"],
            xlabel="letter to be predicted", ylabel="mean error-vector length (one dot per seed)",
            title="By target letter",
        )  # fmt: skip
        return add_caption(fig, caption)


REPLICATION = ElmanLetters()

if __name__ == "__main__":
    from cogrnn.cli import main

    sys.exit(main(["replicate", REPLICATION.name, *sys.argv[1:]]))
