"""Hopfield (1982) content-addressable memory as Hopfield ran it, with the later capacity theory and the modern network.

Every seed draws its own pattern sets; the N = 30 and N = 100 experiments of the paper
draw ``sets_per_seed`` sets per seed, and rates are pooled over all sets (Hopfield pooled
many sets and notes a spread of a "factor of 20" between them), with percentile
bootstrap 95% CIs that resample whole pattern sets. Asynchronous updates in random order
(orders shared by all sets, so a set's result does not depend on the others); a unit
whose field equals its threshold keeps its state, computed exactly (integer T_ij).

Experiments (``results.csv`` is the capacity experiment; the others are extra tables):

* **capacity** (results.csv): N = 100 (10 pattern sets per seed) and 500 (one), Hebbian,
  Storkey and pseudo-inverse rules, +-1 units; store p patterns (load p/N), start at stored patterns; exact recall
  and final overlap against the load, beside the theory lines (N / (2 ln N) and
  N / (4 ln N) for exact recall, 0.138 N with errors, Storkey N / sqrt(2 ln N),
  pseudo-inverse N);
* **random_starts**: N = 30, n = 5, random starts: exactly a memory or its complement,
  within 3 bits, a mixture, or other; +-1 units (what the paper's remark that complements
  are stable implies) and 0/1 units beside;
* **fig2**: the paper's 0/1 units, N = 100, n = 5 .. 25 memories, starting at each
  memory: exact recall and < 5 errors (Fig. 2; n = 10: the paper's 0.6, its noise
  estimate 0.40; n = 15: about half with < 5 errors; "about 0.15 N" with that criterion),
  with plain and clipped synapses T_ij = sign(T_ij) (n = 9 clipped like n = 12 plain);
* **hamming**: N = 30, n = 5, starts at Hamming distance d from a memory: share ending
  nearest to that memory (> 90% for d <= 5, about 0.2 = twice chance at d = 12);
* **basins**, **partial**: recall from corrupted and partial cues (N = 100);
* **modern**: 10 N patterns in a modern Hopfield network (Ramsauer et al. 2020).

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

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch

from cogrnn.analysis import classify_end_states, threshold_crossing
from cogrnn.analysis.stats import pooled_rates
from cogrnn.config import Config, check_distinct, check_float, check_int
from cogrnn.exceptions import ConfigError
from cogrnn.models import HopfieldNetwork, ModernHopfield
from cogrnn.random import fresh_seed
from cogrnn.replication import Claim, Replication
from cogrnn.tasks import Reference, corrupt, partial_cue, random_patterns
from cogrnn.viz import add_caption, plot_error_curve

__all__ = ["HopfieldConfig", "HopfieldRecall", "REPLICATION", "theory", "h82_noise_estimate"]

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


def theory(n_units: int) -> dict[str, float]:
    """Capacity results as loads p/N for N units.

    Examples
    --------
    >>> round(theory(100)["N / (2 ln N): most exact"], 4)
    0.1086
    """
    ln = math.log(n_units)
    return {
        "AGS critical load 0.138": 0.138,
        "Hopfield (1982): about 0.15": 0.15,
        "N / (2 ln N): most exact": 1 / (2 * ln),
        "N / (4 ln N): all exact": 1 / (4 * ln),
        "Storkey N / sqrt(2 ln N)": 1 / math.sqrt(2 * ln),
        "pseudo-inverse: N": 1.0,
    }


def h82_noise_estimate(n_patterns: int, n_units: int) -> float:
    """Hopfield's Eq. 10: probability that a memory has no bit error, (1 - P)^N.

    Examples
    --------
    >>> round(h82_noise_estimate(10, 100), 2)  # the paper: P = 0.0091, e^-0.91 = 0.40
    0.4
    """
    sigma = math.sqrt((n_patterns - 1) * n_units / 2)
    p = 0.5 * math.erfc((n_units / 2) / (sigma * math.sqrt(2)))
    return (1 - p) ** n_units


@dataclass(frozen=True)
class HopfieldConfig(Config):
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
    """True for every run whose energy never increased from sweep to sweep (exactly, for the Hebbian rule)."""
    scale = energy.abs().clamp(min=1).amax(-1, keepdim=True)
    return (energy.diff(dim=-1) <= ENERGY_TOL[rule] * scale).all(-1).reshape(-1).numpy()


def _frame(seeds: np.ndarray, sets: np.ndarray, C: int, **columns) -> pd.DataFrame:
    """Rows (replica, cue) for replicas labelled by seed and set, plus per-row columns."""
    return pd.DataFrame({"seed": np.repeat(seeds, C), "set": np.repeat(sets, C), **columns})


def _recall_rows(
    net: HopfieldNetwork, cues: np.ndarray, targets: np.ndarray, labels: tuple[np.ndarray, np.ndarray], order: int,
    max_sweeps: int, **common,
) -> pd.DataFrame:  # fmt: skip
    """Recall from ``cues`` (R, C, N); one row per replica and cue, scored against ``targets``."""
    res = net.recall(cues, max_sweeps=max_sweeps, random_state=order)
    t = torch.as_tensor(targets, dtype=torch.float64)
    s = res.states.to(torch.float64)
    errors = (s != t).sum(-1)
    bip = (lambda x: 2 * x - 1) if net.states == "binary" else (lambda x: x)
    return _frame(
        *labels,
        errors.shape[1],
        **common,
        overlap=(bip(s) * bip(t)).mean(-1).reshape(-1).numpy(),
        exact=(errors == 0).reshape(-1).numpy(),
        n_errors=errors.reshape(-1).numpy(),
        sweeps=res.n_sweeps.reshape(-1).numpy(),
        converged=res.converged.reshape(-1).numpy(),
        energy_monotone=_monotone(res.energy, net.rule),
    )


def _pick(rngs: Sequence[np.random.Generator], P: int, k: int) -> np.ndarray:
    return np.stack([np.sort(rng.choice(P, size=min(P, k), replace=False)) for rng in rngs])


def _draw_sets(rngs: Sequence[np.random.Generator], n_sets: int, n: int, N: int) -> np.ndarray:
    """(len(rngs) * n_sets, n, N) random 0/1 bits, ``n_sets`` sets per seed from that seed's stream."""
    return np.stack([random_patterns(n, N, random_state=rng, binary=True) for rng in rngs for _ in range(n_sets)])


class HopfieldRecall(Replication):
    name = "hopfield-recall"
    description = "Hopfield (1982): content-addressable recall pooled over pattern sets; capacity per rule; modern."
    reference = HOPFIELD_1982
    columns = ("seed", "rule", "n_units", "n_patterns", "load", "cue_flip_fraction", "overlap", "exact")
    extra_tables = ("random_starts", "fig2", "hamming", "basins", "partial", "modern")
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
            # Hamming distance of every end state to the 5 memories and their complements
            to_mem = (ends[:, :, None, :] != mem_bits[:, None, :, :]).sum(-1)  # (RS, C, 5)
            nominal = np.concatenate([to_mem, 30 - to_mem], axis=-1)
            own = np.take_along_axis(to_mem, np.broadcast_to(cued, to_mem.shape[:2])[..., None], axis=-1)[..., 0]
            others = nominal.copy()
            np.put_along_axis(others, np.broadcast_to(cued, to_mem.shape[:2])[..., None], 10**6, axis=-1)
            frames.append(
                _frame(
                    *many,
                    len(cued),
                    units=coding,
                    n_units=30,
                    n_patterns=5,
                    distance=np.tile(dist, R * S),
                    nearest_reached=(own < others.min(-1)).reshape(-1),
                    exact=(own == 0).reshape(-1),
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
        out = torch.sign(ModernHopfield(beta=config.modern_beta, dtype=torch.float64).store(pats).retrieve(cues))
        t = torch.as_tensor(targets, dtype=torch.float64)
        errors = (out != t).sum(-1)
        common = {"n_units": N, "n_patterns": M, "load": M / N, "cue_flip_fraction": config.modern_flip}
        modern = pd.concat(
            [
                _frame(*one_set, t.shape[1], rule="modern", **common, overlap=(out * t).mean(-1).reshape(-1).numpy(),
                       exact=(errors == 0).reshape(-1).numpy(), n_errors=errors.reshape(-1).numpy(), sweeps=1),
                _recall_rows(HopfieldNetwork(N, n_replicas=R).store(pats), cues, targets, one_set, order, sweeps,
                             rule="hebbian", **common),
            ],
            ignore_index=True,
        )  # fmt: skip
        return {"results": results, "random_starts": random_starts, "fig2": fig2, "hamming": hamming,
                "basins": basins, "partial": partial, "modern": modern}  # fmt: skip

    # -- measures shared by claims and figure --------------------------------------
    @staticmethod
    def pooled(
        frame: pd.DataFrame, value: str, by: Sequence[str], statistic: Callable[[pd.Series], float], unit=UNIT
    ) -> tuple[float, float, float, pd.Series]:
        """A statistic of pooled rates (indexed by ``by``): estimate, 95% CI over sets, per-seed estimates."""
        if frame.empty:  # a configuration without this condition: the claim fails, saying so
            return np.nan, np.nan, np.nan, pd.Series(dtype=float)
        frame = frame.assign(**{value: frame[value].astype(float)})
        unit = [u for u in unit if u in frame.columns]
        table, boot = pooled_rates(frame, value, by=by, unit=unit)
        index = pd.MultiIndex.from_frame(table[list(by)]) if len(by) > 1 else pd.Index(table[by[0]])
        estimate = statistic(pd.Series(table["rate"].to_numpy(), index=index))
        reps = np.array([statistic(pd.Series(b, index=index)) for b in boot])
        lo, hi = np.quantile(reps, [0.025, 0.975]) if np.isfinite(reps).all() else (np.nan, np.nan)
        per_seed = frame.groupby("seed").apply(lambda g: statistic(g.groupby(list(by))[value].mean()))
        return float(estimate), float(lo), float(hi), per_seed

    @staticmethod
    def curve(frame: pd.DataFrame, value: str, x: str) -> tuple[np.ndarray, np.ndarray]:
        """Pooled rate of ``value`` against ``x``."""
        rates = frame.groupby(x)[value].mean()
        return rates.index.to_numpy(dtype=float), rates.to_numpy(dtype=float)

    @staticmethod
    def crossing(rates: pd.Series) -> float:
        """Where a curve of rates (indexed by x) falls below 1/2."""
        return threshold_crossing(rates.index.to_numpy(dtype=float), rates.to_numpy(), 0.5)

    def check_claims(self, results: pd.DataFrame, extras: dict[str, pd.DataFrame]) -> list[Claim]:
        paper = "Hopfield (1982)"
        n_seeds = int(results["seed"].nunique())
        checks: list[Claim] = []

        def claim(id: str, statement: str, source: str, parts: list[tuple[str, tuple, tuple[float, float]]],
                  criterion: str, note: str = "") -> None:  # fmt: skip
            """Pass when every part's 95% CI lies in its range; seeds counted on their own estimates."""
            texts, ok, seed_ok = [], True, None
            for label, (est, lo, hi, per_seed), (a, b) in parts:
                if np.isnan(est):
                    texts.append(f"{label}: no observations under this configuration")
                else:
                    texts.append(f"{label} {est:.3f} [{lo:.3f}, {hi:.3f}]")
                ok &= bool(a <= lo and hi <= b)
                inside = (per_seed >= a) & (per_seed <= b)
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

        P = self.pooled
        sizes = sorted(results["n_units"].unique())
        cap = results
        at = lambda df, load: df[np.isclose(df["load"], load)]  # noqa: E731
        rule_is = lambda df, rule: df[df["rule"] == rule]  # noqa: E731
        mean = lambda r: float(r.mean())  # noqa: E731
        claim(
            "near-perfect-recall-at-low-load", "At low load (p = 0.05 N) stored patterns are recalled exactly.",
            f"{paper} Fig. 2: n = 5 at N = 100 'almost always stable and exactly recallable'",
            [(f"N={n}: exact", P(at(rule_is(cap[cap.n_units == n], "hebbian"), 0.05), "exact", ["load"], mean),
              LOW_LOAD_EXACT) for n in sizes],
            f"pooled exact recall at 0.05 N (Hebbian, +-1) in {LOW_LOAD_EXACT} for every N",
        )  # fmt: skip
        hebb = {n: P(rule_is(cap[cap.n_units == n], "hebbian"), "exact", ["load"], self.crossing) for n in sizes}
        claim(
            "hebbian-collapse-0.1-0.2", "Hebbian recall collapses between roughly 0.1 N and 0.2 N.",
            f"{paper}: 'about 0.15 N states'; theory: 0.138 N (with errors), N/(2 ln N) exact",
            [(f"N={n}: capacity", hebb[n], COLLAPSE) for n in sizes],
            f"load where pooled exact recall (+-1 units, start at a stored pattern) falls below 1/2 in {COLLAPSE} "
            "for every N",
            "theory N/(2 ln N): " + ", ".join(f"{theory(int(n))['N / (2 ln N): most exact']:.3f}" for n in sizes),
        )  # fmt: skip

        def diff(a: str, b: str) -> Callable[[pd.Series], float]:
            def f(r: pd.Series) -> float:
                return self.crossing(r.xs(a, level="rule")) - self.crossing(r.xs(b, level="rule"))

            return f

        claim(
            "storkey-above-hebbian", "The Storkey rule stores more patterns than the Hebbian rule.",
            "Storkey (1997): capacity N / sqrt(2 ln N) vs N / (2 ln N)",
            [(f"N={n}: Storkey - Hebbian capacity",
              P(cap[(cap.n_units == n) & cap.rule.isin(["storkey", "hebbian"])], "exact", ["rule", "load"],
                diff("storkey", "hebbian")), (0.0, math.inf)) for n in sizes],
            "pooled capacity difference Storkey - Hebbian > 0 for every N",
        )  # fmt: skip
        claim(
            "pseudoinverse-where-hebbian-fails",
            "The pseudo-inverse rule recalls at a load (0.3 N) where the Hebbian rule fails.",
            "Personnaz et al. (1985); Kanter & Sompolinsky (1987): capacity N",
            [(f"N={n}: {rule} exact at 0.3 N",
              P(at(rule_is(cap[cap.n_units == n], rule), 0.3), "exact", ["load"], mean), rng)
             for n in sizes for rule, rng in (("pseudoinverse", PINV_AT_03), ("hebbian", HEBB_AT_03))],
            f"pooled exact recall at 0.3 N: pinv in {PINV_AT_03}, Hebbian in {HEBB_AT_03}, for every N",
        )  # fmt: skip
        tables = [results, *extras.values()]
        runs = pd.concat([t[["seed", "energy_monotone"]].dropna() for t in tables if "energy_monotone" in t])
        mono = runs["energy_monotone"].astype(bool)
        per_seed = runs.assign(m=mono).groupby("seed")["m"].all()
        checks.append(
            Claim(
                id="energy-never-increases", statement="The energy never increases under asynchronous updates.",
                paper=f"{paper} Eq. 7: dE <= 0 for symmetric T",
                measured=f"{int(mono.sum())} of {len(mono)} runs monotone (Hebbian energies exact integers, no "
                "tolerance; Storkey/pinv within 1e-9 relative float64 rounding)",
                criterion="every asynchronous run non-increasing at every sweep", passed=bool(mono.all()),
                n_seeds=n_seeds, n_seeds_passed=int(per_seed.sum()),
            )
        )  # fmt: skip
        mod = extras["modern"]
        claim(
            "modern-beyond-classical",
            "The modern Hopfield network retrieves 10 N patterns in one update, where the classical one fails.",
            "Ramsauer et al. (2020): exponential capacity, one-update retrieval",
            [("modern exact", P(rule_is(mod, "modern"), "exact", ["load"], mean), MODERN),
             ("Hebbian exact", P(rule_is(mod, "hebbian"), "exact", ["load"], mean), CLASSICAL_AT_10N)],
            f"pooled exact retrieval at {mod['load'].iloc[0]:.0f} N: modern in {MODERN}, Hebbian in {CLASSICAL_AT_10N}",
        )  # fmt: skip

        # Hopfield (1982), pooled over pattern sets
        rs = extras["random_starts"]
        share = lambda kinds: rs.assign(hit=rs["outcome"].isin(kinds))  # noqa: E731
        exact_kinds, near_kinds = ["memory", "complement"], ["memory", "complement", "near"]
        beside = {
            u: P(share(exact_kinds)[rs.units == u], "hit", ["n_patterns"], mean)[:3] for u in ("bipolar", "binary")
        }
        claim(
            "h82-random-starts-exact",
            "From random starts (N = 30, n = 5) about 85% end in an assigned memory (or its complement).",
            f"{paper} p. 2556: ~85% assigned memories, 5% near memories, 10% meaningless stable states",
            [("+-1 units: exactly a memory or complement", P(share(exact_kinds)[rs.units == "bipolar"], "hit",
              ["n_patterns"], mean), H82_EXACT_SHARE)],
            f"pooled share (+-1 units, the coding the paper's complement remark implies) in {H82_EXACT_SHARE}",
            "0/1 units beside: {:.3f} [{:.3f}, {:.3f}]".format(*beside["binary"]),
        )  # fmt: skip
        outcome_text = ", ".join(
            f"{k} {v:.3f}" for k, v in rs[rs.units == "bipolar"]["outcome"].value_counts(normalize=True).items()
        )
        claim(
            "h82-random-starts-near",
            "From random starts about 90% end in an assigned memory or within a few bits of one (85% + 5%).",
            f"{paper} p. 2556: 85% + 5% near memories",
            [("+-1 units: memory, complement or within 3 bits", P(share(near_kinds)[rs.units == "bipolar"], "hit",
              ["n_patterns"], mean), H82_NEAR_SHARE)],
            f"pooled share within 3 bits of a memory or complement (+-1 units) in {H82_NEAR_SHARE}",
            f"+-1 outcomes: {outcome_text}",
        )  # fmt: skip
        f2 = extras["fig2"]
        plain = f2[~f2["clipped"].astype(bool)].assign(few=lambda d: d["n_errors"] < 5)
        at_n = lambda df, n: df[df["n_patterns"] == n]  # noqa: E731
        claim(
            "h82-fig2-n5", "0/1 units, N = 100, n = 5: the memories are stable and exactly recalled.",
            f"{paper} Fig. 2: n = 5 'almost always stable and exactly recallable'",
            [("n = 5 exact", P(at_n(plain, 5), "exact", ["n_patterns"], mean), FIG2_N5)],
            f"pooled exact recall in {FIG2_N5}",
        )  # fmt: skip
        claim(
            "h82-n10-exact", "0/1 units, N = 100, n = 10: about 0.6 of the memories are recalled with no error.",
            f"{paper} p. 2556: simulation 0.6; its noise estimate (Eq. 10) 0.40",
            [("n = 10 exact", P(at_n(plain, 10), "exact", ["n_patterns"], mean), FIG2_N10)],
            f"pooled exact recall in {FIG2_N10} (paper 0.6)",
            f"the paper's noise estimate {h82_noise_estimate(10, 100):.2f}",
        )  # fmt: skip
        claim(
            "h82-fig2-n15", "0/1 units, N = 100, n = 15: about half the memories end with < 5 errors.",
            f"{paper} Fig. 2: n = 15 about half with < 5 errors, the rest far away",
            [("n = 15 with < 5 errors", P(at_n(plain, 15), "few", ["n_patterns"], mean), FIG2_N15)],
            f"pooled share with < 5 errors in {FIG2_N15}",
            "exact {:.3f}".format(P(at_n(plain, 15), "exact", ["n_patterns"], mean)[0]),
        )  # fmt: skip
        claim(
            "h82-about-0.15N",
            "About 0.15 N memories can be stored before recall errors are severe (< 5 errors criterion).",
            f"{paper} p. 2556: 'about 0.15 N states can be simultaneously remembered'",
            [("load where < 5 errors falls below 1/2 (0/1, N = 100)", P(plain, "few", ["load"], self.crossing),
              ABOUT_015)],
            f"pooled crossing in {ABOUT_015}",
            "exact-recall crossing {:.3f}; theory (exact) N/(2 ln N) {:.3f}, 0.138 with errors".format(
                P(plain, "exact", ["load"], self.crossing)[0], theory(100)["N / (2 ln N): most exact"]),
        )  # fmt: skip
        ham = extras["hamming"]
        hb = ham[ham["units"] == "bipolar"]
        near_d = [d for d in sorted(hb["distance"].unique()) if 1 <= d <= 5]
        hamming_binary = P(ham[(ham.units == "binary") & (ham.distance == 12)], "nearest_reached", ["distance"], mean)
        claim(
            "h82-hamming-distance",
            "From distance d <= 5 the nearest memory is reached > 90% of the time; about 0.2 at d = 12.",
            f"{paper} p. 2556 (N = 30, n = 5): > 90% for d <= 5, 0.2 (twice chance) at d = 12",
            [(f"d = {d}", P(hb[hb.distance == d], "nearest_reached", ["distance"], mean), HAMMING_NEAR)
             for d in near_d]
            + [("d = 12", P(hb[hb.distance == 12], "nearest_reached", ["distance"], mean), HAMMING_12)],
            f"+-1 units: pooled share reaching the cued memory in {HAMMING_NEAR} for every 1 <= d <= 5 and in "
            f"{HAMMING_12} at d = 12",
            f"0/1 units at d = 12: {hamming_binary[0]:.3f}",
        )  # fmt: skip

        def clip_gap(r: pd.Series) -> float:
            return float(r.loc[(True, 9)] - r.loc[(False, 12)])

        claim(
            "h82-clipped-9-like-12",
            "With clipped synapses T = sign(T), n = 9 performs like n = 12 with plain synapses (N = 100).",
            f"{paper} p. 2557: clipping lowers the signal-to-noise ratio by (2/pi)^(1/2)",
            [("exact(clipped, 9) - exact(plain, 12)",
              P(f2[f2.n_patterns.isin([9, 12])], "exact", ["clipped", "n_patterns"], clip_gap), CLIPPED_LIKE)],
            f"pooled difference of exact recall (0/1 units) in {CLIPPED_LIKE}",
            "exact: clipped n = 9 {:.3f}, plain n = 9 {:.3f}, plain n = 12 {:.3f}; plain synapses reach the "
            "clipped n = 9 rate at n = {:.1f} (the SNR factor (2/pi)^(1/2) predicts {:.1f})".format(
                clip9 := P(at_n(f2[f2.clipped.astype(bool)], 9), "exact", ["n_patterns"], mean)[0],
                P(at_n(plain, 9), "exact", ["n_patterns"], mean)[0],
                P(at_n(plain, 12), "exact", ["n_patterns"], mean)[0],
                threshold_crossing(*self.curve(plain, "exact", "n_patterns"), clip9), 1 + 8 * math.pi / 2),
        )  # fmt: skip
        bas = rule_is(extras["basins"], "hebbian")
        loads = sorted(bas["load"].unique())

        def basins(r: pd.Series) -> np.ndarray:
            return np.array([self.crossing(r.xs(load, level="load")) for load in loads])

        claim(
            "basins-shrink-with-load", "Basins of attraction shrink as the load grows (Hebbian).",
            f"{paper} p. 2556: recall from distance <= 5 at N = 30, less at larger distances",
            [("largest change of the basin between consecutive loads",
              P(bas, "exact", ["load", "cue_flip_fraction"], lambda r: float(np.diff(basins(r)).max())),
              (-math.inf, 0.0)),
             ("change from the lowest to the highest load",
              P(bas, "exact", ["load", "cue_flip_fraction"], lambda r: float(basins(r)[-1] - basins(r)[0])),
              (-math.inf, -1e-9))],
            "basin = flip fraction where pooled exact recall (+-1, N = 100) falls below 1/2: non-increasing from "
            "each load to the next and smaller at the highest load",
            "basins: " + ", ".join(
                f"load {load:.2f}: {P(bas[bas.load == load], 'exact', ['cue_flip_fraction'], self.crossing)[0]:.3f}"
                for load in loads),
        )  # fmt: skip
        return checks

    def plot(self, results: pd.DataFrame, extras: dict[str, pd.DataFrame], caption: str) -> plt.Figure:
        fig, axes = plt.subplots(3, 3, figsize=(15, 12), layout="constrained")
        unit = lambda df: df.assign(unit=df["seed"] * 10_000 + df.get("set", 0)).astype({"exact": float})  # noqa: E731
        sizes = sorted(results["n_units"].unique())
        for ax, n in zip(axes[0, :2], sizes):
            for i, rule in enumerate(sorted(results["rule"].unique())):
                d = unit(results[(results["n_units"] == n) & (results["rule"] == rule)])
                plot_error_curve(d, x="load", y="exact", ax=ax, color=f"C{i}", label=rule, xlabel="load p / N",
                                 ylabel="fraction recalled exactly", title=f"Capacity, N = {n}")  # fmt: skip
            for j, (name, value) in enumerate(theory(int(n)).items()):
                if value < 1:
                    ax.axvline(value, color=f"C{j + 3}", ls=":", lw=1, label=name)
            ax.legend(fontsize=6, frameon=False)
            ax.set_xlim(0, 0.95)
        for ax in axes[0, len(sizes) : 2]:
            ax.axis("off")
        bas = unit(extras["basins"][extras["basins"]["rule"] == "hebbian"])
        for i, load in enumerate(sorted(bas["load"].unique())):
            plot_error_curve(bas[bas["load"] == load], x="cue_flip_fraction", y="exact", ax=axes[0, 2], color=f"C{i}",
                             label=f"load {load:.2f}", xlabel="fraction of cue bits flipped",
                             ylabel="fraction recalled exactly", title="Basins (Hebbian, N = 100)")  # fmt: skip
        rs = extras["random_starts"]
        ax = axes[1, 0]
        for i, coding in enumerate(("bipolar", "binary")):
            sub = rs[rs["units"] == coding]
            rates = [
                pooled_rates(sub.assign(hit=(sub["outcome"] == k).astype(float)), "hit", unit=UNIT)[0].iloc[0]
                for k in OUTCOMES
            ]
            x = np.arange(len(OUTCOMES)) + (i - 0.5) * 0.35
            y = np.array([r["rate"] for r in rates])
            err = np.array([[r["rate"] - r["ci_low"], r["ci_high"] - r["rate"]] for r in rates]).T
            ax.bar(x, y, width=0.35, yerr=err, color=f"C{i}", label=f"{'+-1' if coding == 'bipolar' else '0/1'} units")
        ax.plot([-0.2, 1.8, 2], [0.85, np.nan, 0.05], "ks", label="paper (memory + complement 0.85; near 0.05)")
        ax.set_xticks(range(len(OUTCOMES)), OUTCOMES, fontsize=8)
        ax.set(ylabel="share of random starts (pooled, 95% CI)", title="Random starts, N = 30, n = 5")
        ax.legend(fontsize=7, frameon=False)
        f2 = unit(extras["fig2"]).assign(few=lambda d: (d["n_errors"] < 5).astype(float))
        for i, (clipped, y, ref) in enumerate(
            [(False, "exact", {5: 1.0, 10: 0.6}), (False, "few", {15: 0.5}), (True, "exact", None)]
        ):
            d = f2[f2["clipped"].astype(bool) == clipped]
            label = f"{'clipped' if clipped else 'plain'}: {'exact' if y == 'exact' else '< 5 errors'}"
            plot_error_curve(d, x="n_patterns", y=y, ax=axes[1, 1], color=f"C{i}", label=label, reference=ref,
                             reference_label="paper", xlabel="memories n (N = 100, 0/1 units)",
                             ylabel="fraction of memories", title="Hopfield (1982) Fig. 2 and clipping")  # fmt: skip
        ham = unit(extras["hamming"]).astype({"nearest_reached": float})
        for i, coding in enumerate(("bipolar", "binary")):
            plot_error_curve(ham[ham["units"] == coding], x="distance", y="nearest_reached", ax=axes[1, 2],
                             color=f"C{i}", label=f"{'+-1' if coding == 'bipolar' else '0/1'} units",
                             reference={5: 0.9, 12: 0.2} if i == 0 else None, reference_label="paper",
                             xlabel="Hamming distance of the start from a memory", ylabel="nearest memory reached",
                             title="Recall against distance, N = 30, n = 5")  # fmt: skip
        heb = unit(results[results["rule"] == "hebbian"])
        for i, n in enumerate(sizes):
            plot_error_curve(heb[heb["n_units"] == n], x="load", y="overlap", ax=axes[2, 0], color=f"C{i}",
                             label=f"Hebbian N = {n}", xlabel="load p / N", ylabel="final overlap m",
                             title="Hebbian: final overlap")  # fmt: skip
        axes[2, 0].axvline(0.138, color="k", ls=":", lw=1, label="0.138")
        mod = unit(extras["modern"])
        for i, (rule, g) in enumerate(mod.groupby("rule")):
            plot_error_curve(g, x="load", y="exact", ax=axes[2, 1], color=f"C{i}", label=rule, xlabel="load p / N",
                             ylabel="fraction retrieved exactly", title="Modern vs classical")  # fmt: skip
        part = unit(extras["partial"])
        plot_error_curve(part, x="cue_unknown_fraction", y="exact", ax=axes[2, 2], label="Hebbian, load 0.05",
                         xlabel="fraction of cue units unknown", ylabel="fraction recalled exactly",
                         title="Partial cues, N = 100")  # fmt: skip
        return add_caption(fig, caption)


REPLICATION = HopfieldRecall()

if __name__ == "__main__":
    from cogrnn.cli import main

    sys.exit(main(["replicate", REPLICATION.name, *sys.argv[1:]]))
