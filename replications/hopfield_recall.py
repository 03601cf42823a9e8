"""Hopfield (1982) content-addressable memory as Hopfield ran it, with the later capacity theory and the modern network.

Hopfield stored n random memories of N two-state units in the symmetric weights
T_ij = sum_s (2 V_i^s - 1)(2 V_j^s - 1) (T_ii = 0), let every unit update asynchronously
(V_i -> 1 if sum_j T_ij V_j > U_i, -> 0 if below, unchanged at equality) and asked where
the network ends. With N = 30 and n = 5, "about 85% of the random starts ended in assigned
memories", 5% "near" them; from a start at Hamming distance d <= 5 the nearest memory was
reached more than 90% of the time, about 0.2 (twice chance) at d = 12. With N = 100
(Fig. 2), n = 5 memories were "almost always stable and exactly recallable", n = 10 gave
0.6 exact recall (the noise estimate of Eq. 10 gives 0.40), n = 15 about half with fewer
than 5 errors: "about 0.15 N states can be simultaneously remembered". Clipped synapses
T_ij = sign(T_ij) lower the signal-to-noise ratio by (2/pi)^(1/2): n = 9 clipped is like
n = 12 plain.

Every seed draws its own pattern sets; the N = 30 and N = 100 experiments draw
``sets_per_seed`` sets per seed and pool their rates (Hopfield pooled many sets and notes
a spread of a "factor of 20" between them), with percentile bootstrap 95% CIs that
resample whole pattern sets. Asynchronous updates in random order (orders shared by all
sets, so a set's result does not depend on the others); a field equal to the threshold
keeps the state, computed exactly (integer T_ij).

Tables: ``results.csv`` is the capacity experiment (N = 100, 10 sets per seed, and 500,
one set; Hebbian, Storkey and pseudo-inverse rules, +-1 units, starts at the stored
patterns, beside the theory lines); extra tables ``random_starts`` (N = 30, n = 5; +-1 and
0/1 units), ``fig2`` (0/1 units, N = 100, plain and clipped), ``hamming`` (N = 30, n = 5),
``basins`` and ``partial`` (N = 100) and ``modern`` (10 N patterns in a modern Hopfield
network, Ramsauer et al. 2020). Measures, read by claims and figure: ``statistics``
(each claim's pooled statistics with their 95% CI and accepted range, and the values
reported beside), ``seed_statistics`` (the same per seed), ``curves`` (pooled rates with
CIs), ``outcomes`` (random-start outcomes), ``energy`` (monotone runs per seed) and
``theory`` (capacity theory lines).

Every claim's criterion is fixed in this file before the run: a claim passes when the
95% CI of its pooled statistic lies inside the accepted range (so the verdict does not
depend on the root seed); ``n_seeds_passed`` counts the seeds whose own point estimate
is in the range (reported, not the verdict).

Run: ``cogrnn replicate hopfield-recall`` or ``python -m cogrnn.replications.hopfield_recall``.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from cogrnn.analysis.capacity import capacity_table, capacity_theory, crossing, hebbian_noise_estimate, pooled_statistic
from cogrnn.analysis.recall import (
    classify_end_states,
    energy_monotone,
    nearest_memory_reached,
    outcome_shares,
    recall_outcomes,
    threshold_crossing,
)
from cogrnn.analysis.stats import pooled_rates
from cogrnn.config import Config, check_distinct, check_float, check_int
from cogrnn.exceptions import ConfigError
from cogrnn.random import fresh_seed
from cogrnn.replication import Claim, Replication
from cogrnn.tasks import Reference, corrupt, partial_cue, random_patterns
from cogrnn.viz import add_caption

if TYPE_CHECKING:  # pragma: no cover - compute imports them, so that --plot-only loads without torch
    import torch

    from cogrnn.models import HopfieldNetwork

__all__ = ["HopfieldConfig", "HopfieldRecall", "REPLICATION"]

HOPFIELD_1982 = Reference(
    authors="Hopfield, J. J.",
    year=1982,
    title="Neural networks and physical systems with emergent collective computational abilities",
    venue="PNAS 79(8), 2554-2558",
    doi="10.1073/pnas.79.8.2554",
    figure="Fig. 2; p. 2556",
)
RULE_LOADS = {
    "hebbian": (0.02, 0.05, 0.08, 0.1, 0.12, 0.14, 0.16, 0.18, 0.2, 0.25, 0.3, 0.4),
    "storkey": (0.02, 0.05, 0.1, 0.14, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6, 0.7, 0.8),
    "pseudoinverse": (0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9),
}
FLIPS = (0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45)
# Storkey and pseudo-inverse energies are rounded float64 (Hebbian ones are exact integers)
ENERGY_TOL = {"hebbian": 0.0, "storkey": 1e-9, "pseudoinverse": 1e-9}
OUTCOMES = ("memory", "complement", "near", "mixture", "other")
UNIT = ("seed", "set")  # the bootstrap resamples whole pattern sets
EXACT_LINE = "N / (2 ln N): most exact"  # the theory line of exact recall

# -- criteria, fixed before the run (accepted ranges of the pooled statistic) ---------
LOW_LOAD_EXACT = (0.95, 1.0)  # exact recall at 0.05 N
COLLAPSE = (0.10, 0.20)  # Hebbian capacity (exact recall < 1/2), as a load
PINV_AT_03, HEBB_AT_03 = (0.95, 1.0), (0.0, 0.5)
MODERN, CLASSICAL_AT_10N = (0.95, 1.0), (0.0, 0.5)
H82_EXACT_SHARE = (0.75, 0.95)  # paper: about 85% of random starts end in assigned memories
H82_NEAR_SHARE = (0.80, 1.0)  # paper: 85% + 5% within a few bits (90%)
FIG2_N5 = (0.95, 1.0)  # "almost always stable and exactly recallable"
FIG2_N10 = (0.50, 0.70)  # the paper's simulation: 0.6 exact
FIG2_N15 = (0.35, 0.65)  # "about half" with < 5 errors
HAMMING_NEAR = (0.90, 1.0)  # nearest memory reached for d <= 5
HAMMING_12 = (0.10, 0.30)  # "0.2 (twice chance)" at d = 12
CLIPPED_LIKE = (-0.10, 0.10)  # exact(clipped, n = 9) - exact(plain, n = 12)
ABOUT_015 = (0.12, 0.18)  # load where < 5 errors falls below 1/2, "about 0.15 N"


@dataclass(frozen=True)
class HopfieldConfig(Config):
    """Configuration of the hopfield-recall replication (the paper's sizes where it gives them).

    Parameters
    ----------
    sizes : tuple of int, default (100, 500)
        Network sizes N of the capacity experiment (each >= 50).
    capacity_sets : tuple of int, default (10, 1)
        Pattern sets per seed for each size.
    max_tested : int, default 30
        Stored patterns tested per condition (chosen at random per seed).
    max_sweeps : int, default 50
        Largest number of asynchronous sweeps of a recall.
    sets_per_seed : int, default 40
        Pattern sets per seed of the N = 30 and N = 100 experiments of Hopfield (1982).
    basin_size : int, default 100
        N of the basin and partial-cue experiments.
    basin_loads : tuple of float, default (0.05, 0.1, 0.15)
        Loads p / N of the basin experiment.
    basin_sets : int, default 5
        Pattern sets per seed of the basin experiment.
    random_starts : int, default 100
        Random starts per pattern set (N = 30, n = 5).
    fig2_n : tuple of int, default (5, 8, 9, 10, 12, 15, 18, 20, 25)
        Numbers of memories n of Fig. 2 (N = 100).
    hamming_distances : tuple of int, default 0 .. 15
        Hamming distances of the starts from a memory (N = 30).
    hamming_cues : int, default 4
        Starts per memory and distance.
    modern_factor : int, default 10
        Patterns stored in the modern network, in units of N.
    modern_beta : float, default 1.0
        Inverse temperature of the modern network.
    modern_flip : float, default 0.1
        Fraction of cue units flipped for the modern network.
    order_seed : int, default 1982
        Seed of the update orders (shared by all sets, so sets stay independent).
    rules : tuple of str, default ("hebbian", "storkey", "pseudoinverse")
        Learning rules of the capacity and basin experiments.

    Examples
    --------
    >>> HopfieldConfig(sizes=(100,), capacity_sets=(2,)).sizes
    (100,)
    """

    sizes: tuple[int, ...] = (100, 500)
    capacity_sets: tuple[int, ...] = (10, 1)  # pattern sets per seed for each size (N = 500 is costly)
    max_tested: int = 30
    max_sweeps: int = 50
    sets_per_seed: int = 40
    basin_size: int = 100
    basin_loads: tuple[float, ...] = (0.05, 0.1, 0.15)
    basin_sets: int = 5
    random_starts: int = 100
    fig2_n: tuple[int, ...] = (5, 8, 9, 10, 12, 15, 18, 20, 25)
    hamming_distances: tuple[int, ...] = tuple(range(16))
    hamming_cues: int = 4
    modern_factor: int = 10
    modern_beta: float = 1.0
    modern_flip: float = 0.1
    order_seed: int = 1982  # update orders, shared by all sets (so sets stay independent)
    rules: tuple[str, ...] = field(default=("hebbian", "storkey", "pseudoinverse"))

    def __post_init__(self) -> None:
        check_distinct("sizes", self.sizes)
        for n in self.sizes:  # >= 50: the smallest load (0.02 N) must store at least one pattern
            check_int("sizes", n, low=50, high=20000)
        for name in ("fig2_n", "hamming_distances", "basin_loads", "rules"):
            check_distinct(name, getattr(self, name))
        if len(self.capacity_sets) != len(self.sizes):
            raise ConfigError(f"capacity_sets needs one count per size {self.sizes}; got {self.capacity_sets}")
        for k in self.capacity_sets:
            check_int("capacity_sets", k, low=1, high=10**5)
        check_int("max_tested", self.max_tested, low=1, high=10**5)
        check_int("max_sweeps", self.max_sweeps, low=1, high=10**5)
        check_int("sets_per_seed", self.sets_per_seed, low=1, high=10**5)
        check_int("basin_sets", self.basin_sets, low=1, high=10**5)
        check_int("random_starts", self.random_starts, low=1, high=10**5)
        check_int("hamming_cues", self.hamming_cues, low=1, high=10**5)
        for n in self.fig2_n:
            check_int("fig2_n", n, low=1, high=99)
        for d in self.hamming_distances:
            check_int("hamming_distances", d, low=0, high=30)
        check_int("modern_factor", self.modern_factor, low=1, high=1000)
        check_float("modern_beta", self.modern_beta, low=0.0, low_inclusive=False)
        check_float("modern_flip", self.modern_flip, low=0.0, high=0.5)


def _children(seed: np.random.SeedSequence, k: int) -> list[np.random.Generator]:
    """k independent streams of a seed (its first k spawned children, without mutating it)."""
    return [np.random.default_rng(child) for child in fresh_seed(seed).spawn(k)]


def _monotone(energy: torch.Tensor, rule: str) -> np.ndarray:
    """True for every run whose energy never increased (exactly, for the Hebbian rule's integer energies)."""
    return energy_monotone(energy.numpy(), ENERGY_TOL[rule])


def _columns(df: pd.DataFrame) -> dict[str, np.ndarray]:
    return {str(c): df[c].to_numpy() for c in df.columns}


def _frame(seeds: np.ndarray, sets: np.ndarray, C: int, /, **columns: Any) -> pd.DataFrame:
    """Rows (replica, cue) for replicas labelled by seed and set, plus per-row columns."""
    return pd.DataFrame({"seed": np.repeat(seeds, C), "set": np.repeat(sets, C), **columns})


def _recall_rows(
    net: HopfieldNetwork, cues: np.ndarray, targets: np.ndarray, labels: tuple[np.ndarray, np.ndarray], order: int,
    max_sweeps: int, **common,
) -> pd.DataFrame:  # fmt: skip
    """Recall from ``cues`` (R, C, N); one row per replica and cue, scored against ``targets``."""
    res = net.recall(cues, max_sweeps=max_sweeps, random_state=order)
    scores = recall_outcomes(res.states.numpy(), targets, binary=net.states == "binary")
    return _frame(*labels, res.states.shape[1], **common, **_columns(scores), sweeps=res.n_sweeps.reshape(-1).numpy(),
                  converged=res.converged.reshape(-1).numpy(),
                  energy_monotone=_monotone(res.energy, net.rule))  # fmt: skip


def _pick(rngs: Sequence[np.random.Generator], P: int, k: int) -> np.ndarray:
    return np.stack([np.sort(rng.choice(P, size=min(P, k), replace=False)) for rng in rngs])


def _draw_sets(rngs: Sequence[np.random.Generator], n_sets: int, n: int, N: int) -> np.ndarray:
    """(len(rngs) * n_sets, n, N) random 0/1 bits, ``n_sets`` sets per seed from that seed's stream."""
    return np.stack([random_patterns(n, N, random_state=rng, binary=True) for rng in rngs for _ in range(n_sets)])


class HopfieldRecall(Replication):
    """Hopfield (1982) recall experiments, capacity per learning rule and the modern network (module docstring).

    Examples
    --------
    >>> HopfieldRecall().config(quick=True).sizes
    (100,)
    """

    name = "hopfield-recall"
    description = "Hopfield (1982): content-addressable recall pooled over pattern sets; capacity per rule; modern."
    reference = HOPFIELD_1982
    columns = ("seed", "rule", "n_units", "n_patterns", "load", "cue_flip_fraction", "overlap", "exact")
    extra_tables = ("random_starts", "fig2", "hamming", "basins", "partial", "modern")
    measure_tables = ("statistics", "seed_statistics", "curves", "outcomes", "energy", "theory")
    default_seeds = 10
    default_root_seed = 1982
    config_class = HopfieldConfig
    free_parameters = {
        "scaling": "T_ij = sum of outer products (integers), thresholds 0; W = T / N reported; zero diagonal for "
        "Hebbian and Storkey, kept for pinv; a field equal to the threshold keeps the state (exact)",
        "dynamics": "asynchronous, random order per sweep (orders shared by all sets), at most 50 sweeps",
        "pooling": "40 pattern sets per seed for the N = 30 and N = 100 experiments of H82, 5 for basins, 10 "
        "(N = 100) and 1 (N = 500) for capacity; bootstrap CIs resample whole sets",
        "tested": "capacity: up to 30 stored patterns per condition, chosen at random per seed",
        "units": "+-1 for capacity, basins, Hamming and random starts (0/1 beside); 0/1 for Fig. 2 and clipping",
        "hamming": "'nearest memory reached': the end state is nearer (Hamming) to the cued memory than to any other "
        "memory or complement",
        "modern_beta": "1.0",
    }

    def config(self, quick: bool = False) -> HopfieldConfig:
        if quick:
            return HopfieldConfig(
                sizes=(100,), capacity_sets=(2,), max_tested=10, random_starts=20, modern_factor=3, sets_per_seed=3,
                basin_sets=1, fig2_n=(5, 9, 10, 12, 15, 20), hamming_distances=(0, 3, 5, 12), hamming_cues=2,
            )  # fmt: skip
        return HopfieldConfig()

    def compute(
        self, config: HopfieldConfig, seeds: Sequence[np.random.SeedSequence], quiet: bool
    ) -> dict[str, pd.DataFrame]:
        import torch

        from cogrnn.models import HopfieldNetwork, ModernHopfield

        R, S = len(seeds), config.sets_per_seed
        streams = [_children(s, 9) for s in seeds]
        seed_ids = np.arange(R)
        one_set = (seed_ids, np.zeros(R, dtype=int))
        many = (np.repeat(seed_ids, S), np.tile(np.arange(S), R))
        order, sweeps = config.order_seed, config.max_sweeps

        # capacity curves (results.csv): capacity_sets pattern sets per seed for each N
        frames = []
        for N, K in zip(config.sizes, config.capacity_sets):
            rngs = [st[0] for st in streams for _ in range(K)]
            labels = (np.repeat(seed_ids, K), np.tile(np.arange(K), R))
            pats = np.stack([random_patterns(int(0.9 * N), N, random_state=rng) for rng in rngs])
            for rule in config.rules:
                net = HopfieldNetwork(N, rule=rule, n_replicas=R * K)
                stored = 0
                for load in RULE_LOADS[rule]:
                    P = max(1, round(load * N))
                    net.store(pats[:, stored:P], append=stored > 0)
                    stored = P
                    idx = _pick(rngs, P, config.max_tested)
                    cues = np.take_along_axis(pats, idx[:, :, None], axis=1)
                    frames.append(_recall_rows(net, cues, cues, labels, order, sweeps, rule=rule, n_units=N,
                                               n_patterns=P, load=P / N, cue_flip_fraction=0.0))  # fmt: skip
        results = pd.concat(frames, ignore_index=True)
        if not quiet:
            print("hopfield-recall: capacity done", file=sys.stderr, flush=True)

        # H82: random starts, N = 30, n = 5, both unit codings on the same bits
        bits = _draw_sets([st[3] for st in streams], S, 5, 30)
        start_bits = _draw_sets([st[3] for st in streams], S, config.random_starts, 30)
        frames = []
        for coding in ("bipolar", "binary"):
            mem, starts = (bits, start_bits) if coding == "binary" else (2 * bits - 1, 2 * start_bits - 1)
            net = HopfieldNetwork(30, states=coding, n_replicas=R * S).store(mem)
            res = net.recall(starts, max_sweeps=sweeps, random_state=order)
            ends = res.states.numpy()
            ends_pm = ends if coding == "bipolar" else 2 * ends - 1
            classes = [classify_end_states(ends_pm[r], 2 * bits[r] - 1, near_bits=3) for r in range(R * S)]
            ends_df = pd.concat(classes, ignore_index=True)
            frames.append(
                _frame(
                    *many,
                    config.random_starts,
                    units=coding,
                    n_units=30,
                    n_patterns=5,
                    outcome=ends_df["outcome"].to_numpy(),
                    hamming=ends_df["hamming"].to_numpy(),
                    converged=res.converged.reshape(-1).numpy(),
                    energy_monotone=_monotone(res.energy, "hebbian"),
                )
            )
        random_starts = pd.concat(frames, ignore_index=True)

        # H82 Fig. 2: 0/1 units, N = 100, start at every memory; plain and clipped synapses, same memories
        frames = []
        for n in config.fig2_n:
            mem = _draw_sets([st[4] for st in streams], S, n, 100)
            for clipped in (False, True):
                net = HopfieldNetwork(100, states="binary", n_replicas=R * S, clipped=clipped).store(mem)
                frames.append(_recall_rows(net, mem, mem, many, order, sweeps, n_units=100, n_patterns=n,
                                           load=n / 100, clipped=clipped))  # fmt: skip
        fig2 = pd.concat(frames, ignore_index=True)

        # H82: starts at Hamming distance d from a memory, N = 30, n = 5; both codings on the same bits
        mem_bits = _draw_sets([st[6] for st in streams], S, 5, 30)
        D, K = config.hamming_distances, config.hamming_cues
        cue_rngs = [st[6] for st in streams for _ in range(S)]
        cued = np.tile(np.repeat(np.arange(5), K), len(D))  # which memory each cue comes from
        dist = np.repeat(np.asarray(D), 5 * K)
        cue_bits = np.stack(
            [
                np.concatenate(
                    [corrupt(np.repeat(mem_bits[r], K, axis=0), d / 30, random_state=cue_rngs[r]) for d in D]
                )
                for r in range(R * S)
            ]
        )
        frames = []
        for coding in ("bipolar", "binary"):
            conv = (lambda x: x) if coding == "binary" else (lambda x: 2 * x - 1)
            net = HopfieldNetwork(30, states=coding, n_replicas=R * S).store(conv(mem_bits))
            res = net.recall(conv(cue_bits), max_sweeps=sweeps, random_state=order)
            ends = res.states.numpy() if coding == "binary" else (res.states.numpy() + 1) / 2
            reached = nearest_memory_reached(ends, mem_bits, cued)
            frames.append(
                _frame(
                    *many,
                    len(cued),
                    units=coding,
                    n_units=30,
                    n_patterns=5,
                    distance=np.tile(dist, R * S),
                    nearest_reached=reached["nearest_reached"].to_numpy(),
                    exact=reached["exact"].to_numpy(),
                    energy_monotone=_monotone(res.energy, "hebbian"),
                )
            )
        hamming = pd.concat(frames, ignore_index=True)
        if not quiet:
            print("hopfield-recall: H82 experiments done", file=sys.stderr, flush=True)

        # basins of attraction (+-1 units, N = 100)
        N, B = config.basin_size, config.basin_sets
        basin_labels = (np.repeat(seed_ids, B), np.tile(np.arange(B), R))
        frames = []
        for load in config.basin_loads:
            P = round(load * N)
            pats = 2 * _draw_sets([st[1] for st in streams], B, P, N) - 1
            cue_rngs = [st[1] for st in streams for _ in range(B)]
            for rule in config.rules:
                net = HopfieldNetwork(N, rule=rule, n_replicas=R * B).store(pats)
                for flip in FLIPS:
                    cues = np.stack([corrupt(pats[r], flip, random_state=cue_rngs[r]) for r in range(R * B)])
                    frames.append(_recall_rows(net, cues, pats, basin_labels, order, sweeps, rule=rule, n_units=N,
                                               n_patterns=P, load=P / N, cue_flip_fraction=flip))  # fmt: skip
        basins = pd.concat(frames, ignore_index=True)

        # partial cues (a fraction of units unknown)
        P = round(0.05 * N)
        pats = np.stack([random_patterns(P, N, random_state=st[2]) for st in streams])
        net = HopfieldNetwork(N, n_replicas=R).store(pats)
        frames = []
        for unknown in (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7):
            cues = np.stack([partial_cue(pats[r], unknown, random_state=streams[r][2]) for r in range(R)])
            frames.append(_recall_rows(net, cues, pats, one_set, order, sweeps, rule="hebbian", n_units=N,
                                       n_patterns=P, load=P / N, cue_unknown_fraction=unknown))  # fmt: skip
        partial = pd.concat(frames, ignore_index=True)

        # modern Hopfield network beyond the classical capacity
        M = config.modern_factor * N
        pats = np.stack([random_patterns(M, N, random_state=st[5]) for st in streams])
        idx = _pick([st[5] for st in streams], M, config.max_tested)
        targets = np.take_along_axis(pats, idx[:, :, None], axis=1)
        cues = np.stack([corrupt(targets[r], config.modern_flip, random_state=streams[r][5]) for r in range(R)])
        out = torch.sign(
            ModernHopfield(beta=config.modern_beta, dtype=torch.float64).store(pats).retrieve(cues)
        ).numpy()
        common = {"n_units": N, "n_patterns": M, "load": M / N, "cue_flip_fraction": config.modern_flip}
        modern = pd.concat(
            [
                _frame(*one_set, targets.shape[1], rule="modern", **common, **_columns(recall_outcomes(out, targets)),
                       sweeps=1),
                _recall_rows(HopfieldNetwork(N, n_replicas=R).store(pats), cues, targets, one_set, order, sweeps,
                             rule="hebbian", **common),
            ],
            ignore_index=True,
        )  # fmt: skip
        return {"results": results, "random_starts": random_starts, "fig2": fig2, "hamming": hamming,
                "basins": basins, "partial": partial, "modern": modern}  # fmt: skip

    # -- measures: every number the claims judge or the figure shows, computed once -------
    def measures(self, results: pd.DataFrame, extras: dict[str, pd.DataFrame], config: Any) -> dict[str, pd.DataFrame]:
        stats: list[dict] = []
        per_seed: list[pd.DataFrame] = []

        def add(claim: str, part: str, estimate: tuple | float, accepted: tuple[float, float] | None = None) -> None:
            """A pooled statistic (estimate, CI, per-seed values) judged against ``accepted``, or reported beside."""
            values = estimate if isinstance(estimate, tuple) else (estimate, np.nan, np.nan)
            est, lo, hi, seeds = (*values, None)[:4]
            low, high = accepted if accepted is not None else (np.nan, np.nan)
            stats.append({"claim": claim, "part": part, "judged": accepted is not None, "estimate": est,
                          "ci_low": lo, "ci_high": hi, "low": low, "high": high})  # fmt: skip
            if accepted is not None:
                per_seed.append(pd.DataFrame({"seed": seeds.index.to_numpy(dtype=np.int64), "claim": claim,
                                              "part": part, "estimate": seeds.to_numpy(dtype=float)}))  # fmt: skip

        def P(frame: pd.DataFrame, value: str, by: list[str], statistic: Callable[[pd.Series], float]) -> tuple:
            return pooled_statistic(frame, value, by, statistic, unit=UNIT, random_state=0)

        sizes = sorted(results["n_units"].unique())
        cap = results
        at = lambda df, load: df[np.isclose(df["load"], load)]  # noqa: E731
        rule_is = lambda df, rule: df[df["rule"] == rule]  # noqa: E731
        mean = lambda r: float(r.mean())  # noqa: E731
        for n in sizes:
            add("near-perfect-recall-at-low-load", f"N={n}: exact",
                P(at(rule_is(cap[cap.n_units == n], "hebbian"), 0.05), "exact", ["load"], mean),
                LOW_LOAD_EXACT)  # fmt: skip
        capacity, capacity_seeds = capacity_table(rule_is(cap, "hebbian"), by=["n_units"], unit=UNIT, random_state=0)
        for n, row in capacity.set_index("n_units").iterrows():
            seeds = capacity_seeds[capacity_seeds.n_units == n].set_index("seed")["capacity"]
            add(
                "hebbian-collapse-0.1-0.2", f"N={n}: capacity", (row.capacity, row.ci_low, row.ci_high, seeds), COLLAPSE
            )

        def diff(a: str, b: str) -> Callable[[pd.Series], float]:
            return lambda r: crossing(r.xs(a, level="rule")) - crossing(r.xs(b, level="rule"))

        for n in sizes:
            add("storkey-above-hebbian", f"N={n}: Storkey - Hebbian capacity",
                P(cap[(cap.n_units == n) & cap.rule.isin(["storkey", "hebbian"])], "exact", ["rule", "load"],
                  diff("storkey", "hebbian")), (0.0, math.inf))  # fmt: skip
        for n in sizes:
            for rule, accepted in (("pseudoinverse", PINV_AT_03), ("hebbian", HEBB_AT_03)):
                add("pseudoinverse-where-hebbian-fails", f"N={n}: {rule} exact at 0.3 N",
                    P(at(rule_is(cap[cap.n_units == n], rule), 0.3), "exact", ["load"], mean), accepted)  # fmt: skip
        mod = extras["modern"]
        add("modern-beyond-classical", "modern exact", P(rule_is(mod, "modern"), "exact", ["load"], mean), MODERN)
        add("modern-beyond-classical", "Hebbian exact", P(rule_is(mod, "hebbian"), "exact", ["load"], mean),
            CLASSICAL_AT_10N)  # fmt: skip

        # Hopfield (1982), pooled over pattern sets
        rs = extras["random_starts"]
        hits = lambda kinds, units: rs.assign(hit=rs["outcome"].isin(kinds))[rs.units == units]  # noqa: E731
        exact_kinds, near_kinds = ["memory", "complement"], ["memory", "complement", "near"]
        add("h82-random-starts-exact", "+-1 units: exactly a memory or complement",
            P(hits(exact_kinds, "bipolar"), "hit", ["n_patterns"], mean), H82_EXACT_SHARE)  # fmt: skip
        add("h82-random-starts-exact", "0/1 units", P(hits(exact_kinds, "binary"), "hit", ["n_patterns"], mean)[:3])
        add("h82-random-starts-near", "+-1 units: memory, complement or within 3 bits",
            P(hits(near_kinds, "bipolar"), "hit", ["n_patterns"], mean), H82_NEAR_SHARE)  # fmt: skip
        f2 = extras["fig2"]
        plain = f2[~f2["clipped"].astype(bool)].assign(few=lambda d: d["n_errors"] < 5)
        clipped = f2[f2["clipped"].astype(bool)]
        at_n = lambda df, n: df[df["n_patterns"] == n]  # noqa: E731
        add("h82-fig2-n5", "n = 5 exact", P(at_n(plain, 5), "exact", ["n_patterns"], mean), FIG2_N5)
        add("h82-n10-exact", "n = 10 exact", P(at_n(plain, 10), "exact", ["n_patterns"], mean), FIG2_N10)
        add("h82-n10-exact", "noise estimate", hebbian_noise_estimate(10, 100))  # Eq. 10
        add("h82-fig2-n15", "n = 15 with < 5 errors", P(at_n(plain, 15), "few", ["n_patterns"], mean), FIG2_N15)
        add("h82-fig2-n15", "n = 15 exact", P(at_n(plain, 15), "exact", ["n_patterns"], mean)[0])
        add("h82-about-0.15N", "load where < 5 errors falls below 1/2 (0/1, N = 100)",
            P(plain, "few", ["load"], crossing), ABOUT_015)  # fmt: skip
        add("h82-about-0.15N", "exact-recall crossing", P(plain, "exact", ["load"], crossing)[0])
        ham = extras["hamming"]
        hb = ham[ham["units"] == "bipolar"]
        for d in [d for d in sorted(hb["distance"].unique()) if 1 <= d <= 5]:
            add("h82-hamming-distance", f"d = {d}", P(hb[hb.distance == d], "nearest_reached", ["distance"], mean),
                HAMMING_NEAR)  # fmt: skip
        add("h82-hamming-distance", "d = 12", P(hb[hb.distance == 12], "nearest_reached", ["distance"], mean),
            HAMMING_12)  # fmt: skip
        hamming_binary = ham[(ham.units == "binary") & (ham.distance == 12)]
        add("h82-hamming-distance", "0/1 units at d = 12", P(hamming_binary, "nearest_reached", ["distance"], mean)[0])
        add("h82-clipped-9-like-12", "exact(clipped, 9) - exact(plain, 12)",
            P(f2[f2.n_patterns.isin([9, 12])], "exact", ["clipped", "n_patterns"],
              lambda r: float(r.loc[(True, 9)] - r.loc[(False, 12)])), CLIPPED_LIKE)  # fmt: skip
        clip9 = P(at_n(clipped, 9), "exact", ["n_patterns"], mean)[0]
        add("h82-clipped-9-like-12", "clipped n = 9", clip9)
        add("h82-clipped-9-like-12", "plain n = 9", P(at_n(plain, 9), "exact", ["n_patterns"], mean)[0])
        add("h82-clipped-9-like-12", "plain n = 12", P(at_n(plain, 12), "exact", ["n_patterns"], mean)[0])
        rates = plain.groupby("n_patterns")["exact"].mean()
        add("h82-clipped-9-like-12", "plain n at the clipped n = 9 rate",
            threshold_crossing(rates.index.to_numpy(dtype=float), rates.to_numpy(dtype=float), clip9))  # fmt: skip
        bas = rule_is(extras["basins"], "hebbian")
        loads = sorted(bas["load"].unique())

        def basins(r: pd.Series) -> np.ndarray:
            return np.array([crossing(r.xs(load, level="load")) for load in loads])

        by_flip = ["load", "cue_flip_fraction"]
        add("basins-shrink-with-load", "largest change of the basin between consecutive loads",
            P(bas, "exact", by_flip, lambda r: float(np.diff(basins(r)).max())), (-math.inf, 0.0))  # fmt: skip
        add("basins-shrink-with-load", "change from the lowest to the highest load",
            P(bas, "exact", by_flip, lambda r: float(basins(r)[-1] - basins(r)[0])), (-math.inf, -1e-9))  # fmt: skip
        for load in loads:
            add("basins-shrink-with-load", f"load {load:.2f}",
                P(bas[bas.load == load], "exact", ["cue_flip_fraction"], crossing)[0])  # fmt: skip

        # energy: every run of every table
        runs = pd.concat([t[["seed", "energy_monotone"]].dropna() for t in [results, *extras.values()]
                          if "energy_monotone" in t])  # fmt: skip
        energy = runs.assign(m=runs["energy_monotone"].astype(bool)).groupby("seed", as_index=False)
        energy = energy.agg(n_runs=("m", "size"), n_monotone=("m", "sum"))
        return {
            "statistics": pd.DataFrame(stats),
            "seed_statistics": pd.concat(per_seed, ignore_index=True),
            "curves": _curves(results, extras),
            "outcomes": outcome_shares(rs, categories=OUTCOMES, by=["units"], unit=UNIT, random_state=0),
            "energy": energy,
            "theory": capacity_theory(sorted({100, *(int(n) for n in sizes)})),  # N = 100: Fig. 2
        }

    def check_claims(self, results: pd.DataFrame, extras: dict[str, pd.DataFrame]) -> list[Claim]:
        paper = "Hopfield (1982)"
        n_seeds = int(results["seed"].nunique())
        stats, seeds = extras["statistics"], extras["seed_statistics"]
        value = lambda claim, part: stats[(stats.claim == claim) & (stats.part == part)].iloc[0]  # noqa: E731
        theory = extras["theory"].set_index(["n_units", "line"])["load"]
        checks: list[Claim] = []

        def claim(id: str, statement: str, source: str, criterion: str, note: str = "") -> None:
            """Pass when every judged part's 95% CI lies in its range; seeds counted on their own estimates."""
            texts, ok, seed_ok = [], True, None
            for _, r in stats[(stats.claim == id) & stats.judged.astype(bool)].iterrows():
                if np.isnan(r.estimate):
                    texts.append(f"{r.part}: no observations under this configuration")
                else:
                    texts.append(f"{r.part} {r.estimate:.3f} [{r.ci_low:.3f}, {r.ci_high:.3f}]")
                ok &= bool(r.low <= r.ci_low and r.ci_high <= r.high)
                own = seeds[(seeds.claim == id) & (seeds.part == r.part)].set_index("seed")["estimate"]
                inside = (own >= r.low) & (own <= r.high)
                seed_ok = inside if seed_ok is None else seed_ok & inside
            assert seed_ok is not None
            checks.append(
                Claim(
                    id=id, statement=statement, paper=source,
                    measured="; ".join(texts) + " (pooled, 95% CI over pattern sets)" + (f"; {note}" if note else "")
                    + f"; {int(seed_ok.sum())}/{n_seeds} seeds alone in range",
                    criterion=criterion + "; passes when the 95% CI lies inside", passed=ok,
                    n_seeds=n_seeds, n_seeds_passed=int(seed_ok.sum()),
                )
            )  # fmt: skip

        sizes = sorted(results["n_units"].unique())
        claim("near-perfect-recall-at-low-load", "At low load (p = 0.05 N) stored patterns are recalled exactly.",
              f"{paper} Fig. 2: n = 5 at N = 100 'almost always stable and exactly recallable'",
              f"pooled exact recall at 0.05 N (Hebbian, +-1) in {LOW_LOAD_EXACT} for every N")  # fmt: skip
        claim("hebbian-collapse-0.1-0.2", "Hebbian recall collapses between roughly 0.1 N and 0.2 N.",
              f"{paper}: 'about 0.15 N states'; theory: 0.138 N (with errors), N/(2 ln N) exact",
              f"load where pooled exact recall (+-1 units, start at a stored pattern) falls below 1/2 in {COLLAPSE} "
              "for every N",
              "theory N/(2 ln N): " + ", ".join(f"{theory[(n, EXACT_LINE)]:.3f}" for n in sizes))  # fmt: skip
        claim("storkey-above-hebbian", "The Storkey rule stores more patterns than the Hebbian rule.",
              "Storkey (1997): capacity N / sqrt(2 ln N) vs N / (2 ln N)",
              "pooled capacity difference Storkey - Hebbian > 0 for every N")  # fmt: skip
        claim("pseudoinverse-where-hebbian-fails",
              "The pseudo-inverse rule recalls at a load (0.3 N) where the Hebbian rule fails.",
              "Personnaz et al. (1985); Kanter & Sompolinsky (1987): capacity N",
              f"pooled exact recall at 0.3 N: pinv in {PINV_AT_03}, Hebbian in {HEBB_AT_03}, for every N")  # fmt: skip
        energy = extras["energy"]
        checks.append(
            Claim(
                id="energy-never-increases", statement="The energy never increases under asynchronous updates.",
                paper=f"{paper} Eq. 7: dE <= 0 for symmetric T",
                measured=f"{int(energy.n_monotone.sum())} of {int(energy.n_runs.sum())} runs monotone (Hebbian "
                "energies exact integers, no tolerance; Storkey/pinv within 1e-9 relative float64 rounding)",
                criterion="every asynchronous run non-increasing at every sweep",
                passed=bool(energy.n_monotone.sum() == energy.n_runs.sum()),
                n_seeds=n_seeds, n_seeds_passed=int((energy.n_monotone == energy.n_runs).sum()),
            )
        )  # fmt: skip
        claim("modern-beyond-classical",
              "The modern Hopfield network retrieves 10 N patterns in one update, where the classical one fails.",
              "Ramsauer et al. (2020): exponential capacity, one-update retrieval",
              f"pooled exact retrieval at {extras['modern']['load'].iloc[0]:.0f} N: modern in {MODERN}, Hebbian in "
              f"{CLASSICAL_AT_10N}")  # fmt: skip
        binary = value("h82-random-starts-exact", "0/1 units")
        claim("h82-random-starts-exact",
              "From random starts (N = 30, n = 5) about 85% end in an assigned memory (or its complement).",
              f"{paper} p. 2556: ~85% assigned memories, 5% near memories, 10% meaningless stable states",
              f"pooled share (+-1 units, the coding the paper's complement remark implies) in {H82_EXACT_SHARE}",
              f"0/1 units beside: {binary.estimate:.3f} [{binary.ci_low:.3f}, {binary.ci_high:.3f}]")  # fmt: skip
        out = extras["outcomes"]
        out = out[(out.units == "bipolar") & (out["count"] > 0)].sort_values("rate", ascending=False, kind="stable")
        claim("h82-random-starts-near",
              "From random starts about 90% end in an assigned memory or within a few bits of one (85% + 5%).",
              f"{paper} p. 2556: 85% + 5% near memories",
              f"pooled share within 3 bits of a memory or complement (+-1 units) in {H82_NEAR_SHARE}",
              "+-1 outcomes: " + ", ".join(f"{k} {v:.3f}" for k, v in zip(out.outcome, out.rate)))  # fmt: skip
        claim("h82-fig2-n5", "0/1 units, N = 100, n = 5: the memories are stable and exactly recalled.",
              f"{paper} Fig. 2: n = 5 'almost always stable and exactly recallable'",
              f"pooled exact recall in {FIG2_N5}")  # fmt: skip
        claim("h82-n10-exact", "0/1 units, N = 100, n = 10: about 0.6 of the memories are recalled with no error.",
              f"{paper} p. 2556: simulation 0.6; its noise estimate (Eq. 10) 0.40",
              f"pooled exact recall in {FIG2_N10} (paper 0.6)",
              f"the paper's noise estimate {value('h82-n10-exact', 'noise estimate').estimate:.2f}")  # fmt: skip
        claim("h82-fig2-n15", "0/1 units, N = 100, n = 15: about half the memories end with < 5 errors.",
              f"{paper} Fig. 2: n = 15 about half with < 5 errors, the rest far away",
              f"pooled share with < 5 errors in {FIG2_N15}",
              f"exact {value('h82-fig2-n15', 'n = 15 exact').estimate:.3f}")  # fmt: skip
        claim("h82-about-0.15N",
              "About 0.15 N memories can be stored before recall errors are severe (< 5 errors criterion).",
              f"{paper} p. 2556: 'about 0.15 N states can be simultaneously remembered'",
              f"pooled crossing in {ABOUT_015}",
              f"exact-recall crossing {value('h82-about-0.15N', 'exact-recall crossing').estimate:.3f}; theory (exact) "
              f"N/(2 ln N) {theory[(100, EXACT_LINE)]:.3f}"
              ", 0.138 with errors")  # fmt: skip
        claim("h82-hamming-distance",
              "From distance d <= 5 the nearest memory is reached > 90% of the time; about 0.2 at d = 12.",
              f"{paper} p. 2556 (N = 30, n = 5): > 90% for d <= 5, 0.2 (twice chance) at d = 12",
              f"+-1 units: pooled share reaching the cued memory in {HAMMING_NEAR} for every 1 <= d <= 5 and in "
              f"{HAMMING_12} at d = 12",
              f"0/1 units at d = 12: {value('h82-hamming-distance', '0/1 units at d = 12').estimate:.3f}")  # fmt: skip
        clip = stats[(stats.claim == "h82-clipped-9-like-12") & ~stats.judged.astype(bool)]["estimate"]
        claim("h82-clipped-9-like-12",
              "With clipped synapses T = sign(T), n = 9 performs like n = 12 with plain synapses (N = 100).",
              f"{paper} p. 2557: clipping lowers the signal-to-noise ratio by (2/pi)^(1/2)",
              f"pooled difference of exact recall (0/1 units) in {CLIPPED_LIKE}",
              "exact: clipped n = 9 {:.3f}, plain n = 9 {:.3f}, plain n = 12 {:.3f}; plain synapses reach the "
              "clipped n = 9 rate at n = {:.1f} (the SNR factor (2/pi)^(1/2) predicts {:.1f})".format(
                  *clip, 1 + 8 * math.pi / 2))  # fmt: skip
        basins = stats[(stats.claim == "basins-shrink-with-load") & ~stats.judged.astype(bool)]
        claim("basins-shrink-with-load", "Basins of attraction shrink as the load grows (Hebbian).",
              f"{paper} p. 2556: recall from distance <= 5 at N = 30, less at larger distances",
              "basin = flip fraction where pooled exact recall (+-1, N = 100) falls below 1/2: non-increasing from "
              "each load to the next and smaller at the highest load",
              "basins: " + ", ".join(f"{p}: {v:.3f}" for p, v in zip(basins.part, basins.estimate)))  # fmt: skip
        return checks

    def plot(self, results: pd.DataFrame, extras: dict[str, pd.DataFrame], caption: str) -> plt.Figure:
        fig, axes = plt.subplots(3, 3, figsize=(15, 12), layout="constrained")
        curves, theory = extras["curves"], extras["theory"]

        def draw(ax: plt.Axes, panel: str, xlabel: str, ylabel: str, title: str, paper: dict | None = None) -> None:
            for i, (series, d) in enumerate(curves[curves.panel == panel].groupby("series", sort=False)):
                ax.plot(d["x"], d["rate"], "o-", color=f"C{i}", label=series, lw=1.8, ms=4)
                ax.fill_between(d["x"], d["ci_low"], d["ci_high"], color=f"C{i}", alpha=0.25, lw=0)
            if paper:
                ax.plot(list(paper), list(paper.values()), "s", color="0.2", label="paper", ms=6)
            ax.set(xlabel=xlabel, ylabel=ylabel)
            ax.set_title(title, fontsize=10)
            ax.legend(fontsize=7, frameon=False)

        sizes = sorted(results["n_units"].unique())
        for ax, n in zip(axes[0, :2], sizes):
            draw(ax, f"capacity N = {n}", "load p / N", "fraction recalled exactly (pooled, 95% CI)",
                 f"Capacity, N = {n}")  # fmt: skip
            for j, (name, load) in enumerate(theory[theory.n_units == n][["line", "load"]].itertuples(index=False)):
                if load < 1:
                    ax.axvline(load, color=f"C{j + 3}", ls=":", lw=1, label=name)
            ax.legend(fontsize=6, frameon=False)
            ax.set_xlim(0, 0.95)
        for ax in axes[0, len(sizes) : 2]:
            ax.axis("off")
        draw(
            axes[0, 2],
            "basins",
            "fraction of cue bits flipped",
            "fraction recalled exactly",
            "Basins (Hebbian, N = 100)",
        )
        ax = axes[1, 0]
        out = extras["outcomes"]
        for i, coding in enumerate(("bipolar", "binary")):
            d = out[out.units == coding].set_index("outcome").loc[list(OUTCOMES)]
            x = np.arange(len(OUTCOMES)) + (i - 0.5) * 0.35
            err = np.stack([d["rate"] - d["ci_low"], d["ci_high"] - d["rate"]])
            ax.bar(
                x,
                d["rate"],
                width=0.35,
                yerr=err,
                color=f"C{i}",
                label=f"{'+-1' if coding == 'bipolar' else '0/1'} units",
            )
        ax.plot([-0.2, 1.8, 2], [0.85, np.nan, 0.05], "ks", label="paper (memory + complement 0.85; near 0.05)")
        ax.set_xticks(range(len(OUTCOMES)), OUTCOMES, fontsize=8)
        ax.set(ylabel="share of random starts (pooled, 95% CI)", title="Random starts, N = 30, n = 5")
        ax.legend(fontsize=7, frameon=False)
        draw(axes[1, 1], "fig2", "memories n (N = 100, 0/1 units)", "fraction of memories",
             "Hopfield (1982) Fig. 2 and clipping", paper={5: 1.0, 10: 0.6, 15: 0.5})  # fmt: skip
        draw(axes[1, 2], "hamming", "Hamming distance of the start from a memory", "nearest memory reached",
             "Recall against distance, N = 30, n = 5", paper={5: 0.9, 12: 0.2})  # fmt: skip
        draw(axes[2, 0], "overlap", "load p / N", "final overlap m", "Hebbian: final overlap")
        axes[2, 0].axvline(0.138, color="k", ls=":", lw=1, label="0.138")
        draw(axes[2, 1], "modern", "load p / N", "fraction retrieved exactly", "Modern vs classical")
        draw(
            axes[2, 2], "partial", "fraction of cue units unknown", "fraction recalled exactly", "Partial cues, N = 100"
        )
        return add_caption(fig, caption)


def _rates(frame: pd.DataFrame, value: str, by: Sequence[str]) -> pd.DataFrame:
    """Pooled rates of ``value`` per group of ``by``, 95% CI over pattern sets (a fixed bootstrap seed)."""
    unit = [u for u in UNIT if u in frame.columns]
    return pooled_rates(frame.astype({value: float}), value, by=by, unit=unit, random_state=0)[0]


def _curves(results: pd.DataFrame, extras: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The figure's curves: pooled rates against x with 95% CIs over pattern sets (panel, series, x)."""
    f2 = extras["fig2"].assign(few=lambda d: d["n_errors"] < 5)
    bas, ham = extras["basins"], extras["hamming"]
    specs: list[tuple[str, str, pd.DataFrame, str, str]] = []
    for n in sorted(results["n_units"].unique()):
        specs += [
            (f"capacity N = {n}", rule, g, "exact", "load") for rule, g in results[results.n_units == n].groupby("rule")
        ]
        specs.append(("overlap", f"Hebbian N = {n}", results[(results.n_units == n) & (results.rule == "hebbian")],
                      "overlap", "load"))  # fmt: skip
    specs += [("basins", f"load {load:.2f}", g, "exact", "cue_flip_fraction")
              for load, g in bas[bas.rule == "hebbian"].groupby("load")]  # fmt: skip
    for clipped, y, label in [(False, "exact", "plain: exact"), (False, "few", "plain: < 5 errors"),
                              (True, "exact", "clipped: exact")]:  # fmt: skip
        specs.append(("fig2", label, f2[f2["clipped"].astype(bool) == clipped], y, "n_patterns"))
    specs += [("hamming", f"{'+-1' if u == 'bipolar' else '0/1'} units", ham[ham.units == u], "nearest_reached",
               "distance") for u in ("bipolar", "binary")]  # fmt: skip
    specs += [("modern", rule, g, "exact", "load") for rule, g in extras["modern"].groupby("rule")]
    specs.append(("partial", "Hebbian, load 0.05", extras["partial"], "exact", "cue_unknown_fraction"))
    rows = [
        _rates(frame, value, [x]).rename(columns={x: "x"}).assign(panel=panel, series=series)
        for panel, series, frame, value, x in specs
        if not frame.empty
    ]
    table = pd.concat(rows, ignore_index=True).astype({"x": float})
    return table[["panel", "series", "x", "rate", "ci_low", "ci_high", "n_units", "n_trials"]]


REPLICATION = HopfieldRecall()

if __name__ == "__main__":
    from cogrnn.cli import main

    sys.exit(main(["replicate", REPLICATION.name, *sys.argv[1:]]))
