"""Elman (1990), structure in letter sequences (Figs. 4-5): consonants are unpredictable, vowels are not.

Random consonants b, d, g are replaced by ba, dii, guuu, and each letter is coded by the
6 phonetic features of Table 1. A 6-20-6 SRN with 20 context units is trained online for
200 passes over the stream (it wraps around) and tested on a newly generated stream.
Which consonant comes next is random; when it comes, and all the vowels, are not. So the
error is high when a consonant is due and low for vowels, and the error of the
consonantal bit stays low while the error of the "high" bit (which differs between b, d
and g) peaks at consonants.

Free parameters (the paper gives none): learning rate 0.1, no momentum, initial weights
uniform in [-0.5, 0.5], loss 1/2 sum of squares. Every seed has its own initial weights
and training stream (streams are cut to a common length, so each pass wraps once mid-word);
all seeds are tested on one common new stream, so the figure can label steps by letter.

Run: ``cogrnn replicate elman-letters`` or ``python -m replications.elman_letters``.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from cogrnn.analysis import error_table, evaluate_stream
from cogrnn.config import Config, check_int
from cogrnn.io import data_path
from cogrnn.replication import Claim, Replication, seed_pass_claim
from cogrnn.tasks import FEATURES, LetterSequence
from cogrnn.training import OnlineSRNConfig, train_srn_ensemble
from cogrnn.viz import add_caption, plot_error_curve, plot_seed_values

__all__ = ["LettersConfig", "ElmanLetters", "REPLICATION"]

CONSONANTS = ("b", "d", "g")
VOWEL_RATIO_CRITERION = 0.5
LETTER_TOLERANCE = 0.05
STRETCH = 20  # steps of the test stream shown in the figure, as Figs. 4-5


@dataclass(frozen=True)
class LettersConfig(OnlineSRNConfig):
    epochs: int = 200  # paper: 200 passes
    hidden_size: int = 20  # paper: 20 hidden and 20 context units
    n_consonants: int = 1000  # paper: 1,000 consonants (about 3,000 letters)
    test_consonants: int = 1000
    test_seed: int = 1990  # the common test stream ("a different initial randomization")

    def __post_init__(self) -> None:
        super().__post_init__()
        check_int("n_consonants", self.n_consonants, low=2)
        check_int("test_consonants", self.test_consonants, low=STRETCH)
        check_int("test_seed", self.test_seed, low=0)


def _rms_per_step(results: pd.DataFrame) -> pd.DataFrame:
    """Root mean squared error over the output vector, per seed and step."""
    keys = ["seed", "t", "target_letter"]
    out = results.groupby(keys, as_index=False)["sq_error"].mean()
    out["rms_error"] = np.sqrt(out.pop("sq_error"))
    return out


def _bit_rms(results: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    """RMS error of each feature per seed and groups of ``by`` (wide: one column per feature)."""
    g = results.groupby(["seed", *by, "feature"])["sq_error"].mean().unstack("feature")
    return np.sqrt(g)


class ElmanLetters(Replication):
    name = "elman-letters"
    description = "Elman (1990) Figs. 4-5: letter prediction error is high for consonants, low for vowels."
    reference = LetterSequence.reference  # type: ignore[assignment]
    columns = ("seed", "t", "target_letter", "feature", "target", "output", "sq_error")
    default_seeds = 10
    default_root_seed = 1990
    config_class = LettersConfig
    free_parameters = {
        "lr": "0.1 (not in the paper)",
        "momentum": "0 (not in the paper)",
        "init_range": "initial weights and biases uniform in [-0.5, 0.5] (not in the paper)",
        "loss": "1/2 sum of squared errors, online updates",
        "streams": "own training stream per seed, cut to a common length; one common test stream",
    }

    def config(self, quick: bool = False) -> LettersConfig:
        return LettersConfig(n_consonants=300, epochs=60, test_consonants=200) if quick else LettersConfig()

    def data_inputs(self, config: Config) -> list[Path]:
        return [data_path("elman1990_letter_features.csv")]

    def compute(self, config: LettersConfig, seeds: Sequence[np.random.SeedSequence], quiet: bool) -> pd.DataFrame:
        children = [s.spawn(2) for s in seeds]  # weights, training stream
        task = LetterSequence(n_consonants=config.n_consonants)
        streams = [task.generate(c[1]) for c in children]
        net = train_srn_ensemble(config, streams, [c[0] for c in children], quiet=quiet)
        test = LetterSequence(n_consonants=config.test_consonants).generate(config.test_seed)
        ev = evaluate_stream(net, test.inputs, test.targets)
        keep = ["letter", "target_letter", "position_in_word", "word"]
        return error_table(ev, test.targets, {k: test.descriptors[k] for k in keep}, FEATURES)

    def check_claims(self, results: pd.DataFrame, extras: dict[str, pd.DataFrame]) -> list[Claim]:
        paper = "Elman (1990) pp. 189-191, Figs. 4-5"
        rms = _rms_per_step(results)
        rms["consonant"] = rms["target_letter"].isin(CONSONANTS)
        by_kind = rms.groupby(["seed", "consonant"])["rms_error"].mean().unstack("consonant")
        ratio = by_kind[False] / by_kind[True]
        bits_cons = _bit_rms(results[results["target_letter"].isin(CONSONANTS)], [])
        bits_letter = _bit_rms(results, ["target_letter"])
        per_letter_ok = (bits_letter["consonantal"] <= bits_letter["high"] + LETTER_TOLERANCE).groupby("seed").all()
        return [
            seed_pass_claim(
                "consonants-high-vowels-low",
                "Prediction error is high when a consonant is due and low for vowels.",
                f"{paper}: RMS error peaks ~0.6 (d) and ~0.75 (g) at consonants, ~0.05-0.2 at vowels (read off Fig. 4)",
                ratio < VOWEL_RATIO_CRITERION,
                f"mean RMS error at consonant targets {by_kind[True].mean():.3f}, at vowel targets "
                f"{by_kind[False].mean():.3f}; vowel/consonant ratio median {ratio.median():.3f}",
                f"per seed: vowel error < {VOWEL_RATIO_CRITERION} x consonant error",
            ),
            seed_pass_claim(
                "consonantal-bit-below-high-bit",
                "At consonant targets the consonantal bit (1) is predicted well and the 'high' bit (4) is not.",
                f"{paper}: bit-1 error near 0 throughout; bit-4 error peaks (~0.5-0.7) at consonants (Fig. 5)",
                bits_cons["consonantal"] < bits_cons["high"],
                f"RMS at consonant targets: bit 1 {bits_cons['consonantal'].mean():.3f}, "
                f"bit 4 {bits_cons['high'].mean():.3f}",
                "per seed: bit-1 RMS error < bit-4 RMS error at consonant targets",
            ),
            seed_pass_claim(
                "bit1-below-bit4-at-all-points",
                "Error on the first bit is lower than on the fourth bit at all points in time.",
                f"{paper}: 'consistently lower ... and at all points in time'",
                per_letter_ok,
                "largest bit-1 minus bit-4 RMS over target letters, median over seeds "
                f"{(bits_letter['consonantal'] - bits_letter['high']).groupby('seed').max().median():+.3f}",
                f"per seed: for every target letter, bit-1 RMS <= bit-4 RMS + {LETTER_TOLERANCE}",
            ),
        ]

    def plot(self, results: pd.DataFrame, extras: dict[str, pd.DataFrame], caption: str) -> plt.Figure:
        fig, axes = plt.subplots(1, 3, figsize=(13, 3.8), layout="constrained", width_ratios=[1.5, 1.5, 1])
        stretch = results[results["t"] < STRETCH]
        labels = stretch.drop_duplicates("t").sort_values("t")["target_letter"].tolist()
        plot_error_curve(
            _rms_per_step(stretch), x="t", y="rms_error", ax=axes[0], xlabel="letter to be predicted",
            ylabel="RMS error (output vector)", title="Fig. 4: error along the test stream",
        )  # fmt: skip
        for name, color, label in (("consonantal", "C2", "bit 1 (consonantal)"), ("high", "C3", "bit 4 (high)")):
            bit = stretch[stretch["feature"] == name].assign(abs_error=lambda d: np.sqrt(d["sq_error"]))
            plot_error_curve(
                bit, x="t", y="abs_error", ax=axes[1], color=color, label=label, xlabel="letter to be predicted",
                ylabel="absolute error of the bit", title="Fig. 5: bit 1 vs bit 4",
            )  # fmt: skip
        for ax in axes[:2]:
            ax.set_xticks(range(len(labels)), labels)
            ax.set_ylim(bottom=0)
        per_letter = _rms_per_step(results).groupby(["seed", "target_letter"], as_index=False)["rms_error"].mean()
        plot_seed_values(
            per_letter, x="target_letter", y="rms_error", ax=axes[2], order=["b", "d", "g", "a", "i", "u"],
            xlabel="letter to be predicted", ylabel="mean RMS error (one dot per seed)", title="By target letter",
        )  # fmt: skip
        return add_caption(fig, caption)


REPLICATION = ElmanLetters()

if __name__ == "__main__":
    from cogrnn.cli import main

    sys.exit(main(["replicate", REPLICATION.name, *sys.argv[1:]]))
