"""Gradient flow through time (Bengio et al. 1994; Hochreiter & Schmidhuber 1997): why SRNs forget.

Two parts:

* **gradient norms**: the norm of the gradient of the loss at the last of 50 steps with
  respect to the recurrent state ``lag`` steps earlier, for tanh SRNs whose recurrent
  weights are scaled to spectral radius 0.5, 1.0 and 2.0, and for LSTM and GRU networks
  at their default initialisation (random bit inputs);
* **long-lag memory**: SRN, LSTM and GRU networks (32 units) trained with BPTT and Adam to
  report the first of ``lag`` random bits at the last step (``FirstBitRecall``), for lags
  5 to 40; a seed "solves" a lag with >= 90% test accuracy.

Free parameters: 32 hidden units, Adam lr 0.01, batches of 32 from 512 training sequences
per seed, 40 epochs, gradient-norm clipping at 1, BCE loss at the last step only; SRN
weights uniform in [-0.18, 0.18] (about PyTorch's 1/sqrt(H)); LSTM/GRU PyTorch's default
initialisation (no forget-gate bias).

Run: ``cogrnn replicate gradient-flow`` or ``python -m replications.gradient_flow``.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch

from cogrnn.analysis import gradient_flow
from cogrnn.config import Config, check_int
from cogrnn.models import ElmanSRN, GRUNetwork, LSTMNetwork
from cogrnn.replication import Claim, Replication, seed_pass_claim
from cogrnn.tasks import FirstBitRecall
from cogrnn.training import Trainer
from cogrnn.viz import add_caption, plot_error_curve

__all__ = ["GradientFlowConfig", "GradientFlow", "REPLICATION"]

RHOS = (0.5, 1.0, 2.0)
SOLVED = 0.9
FAIL_RATE, SOLVE_RATE = 0.2, 0.5


@dataclass(frozen=True)
class GradientFlowConfig(Config):
    hidden_size: int = 32
    steps: int = 50
    lags: tuple[int, ...] = (5, 10, 20, 40)
    train_sequences: int = 512
    test_sequences: int = 500
    epochs: int = 40
    batch_size: int = 32
    lr: float = 0.01

    def __post_init__(self) -> None:
        check_int("hidden_size", self.hidden_size, low=2)
        check_int("steps", self.steps, low=3)
        for lag in self.lags:
            check_int("lags", lag, low=2)
        check_int("epochs", self.epochs, low=1)


def _models(config: GradientFlowConfig, seeds: list[np.random.SeedSequence]) -> dict[str, torch.nn.Module]:
    H = config.hidden_size
    return {
        "SRN": ElmanSRN(
            1, H, 1, nonlinearity="tanh", init_range=1 / np.sqrt(H), replica_seeds=seeds, n_replicas=len(seeds)
        ),
        "LSTM": LSTMNetwork(1, H, 1, output_activation="logistic", replica_seeds=seeds, n_replicas=len(seeds)),
        "GRU": GRUNetwork(1, H, 1, output_activation="logistic", replica_seeds=seeds, n_replicas=len(seeds)),
    }


class GradientFlow(Replication):
    name = "gradient-flow"
    description = "Bengio et al. (1994): SRN gradients vanish with lag; LSTM/GRU keep long-lag memories."
    reference = FirstBitRecall.reference  # type: ignore[assignment]
    columns = ("seed", "part", "model", "lag")
    default_seeds = 10
    default_root_seed = 1994
    config_class = GradientFlowConfig
    free_parameters = {
        "training": "BPTT, Adam lr 0.01, 40 epochs of 512 sequences in batches of 32, clipping at norm 1",
        "init": "SRN uniform +-1/sqrt(H) (tanh); LSTM/GRU PyTorch default, no forget-gate bias",
        "solved": "test accuracy >= 0.9 on 500 new sequences",
        "spectral_radius": "SRN recurrent weights rescaled to 0.5, 1.0, 2.0 for the gradient part",
    }

    def config(self, quick: bool = False) -> GradientFlowConfig:
        return (
            GradientFlowConfig(lags=(5, 10), epochs=10, train_sequences=256, steps=20)
            if quick
            else GradientFlowConfig()
        )

    def compute(self, config: GradientFlowConfig, seeds: Sequence[np.random.SeedSequence], quiet: bool) -> pd.DataFrame:
        children = [s.spawn(4) for s in seeds]  # weights, gradient inputs, training data, test data
        frames = []
        # 1. gradient norms against lag
        x = np.stack([np.random.default_rng(c[1]).integers(0, 2, (config.steps, 1, 1)).astype(float) for c in children])
        weights = [c[0] for c in children]
        for name, net in _models(config, weights).items():
            variants = [(rho, rho) for rho in RHOS] if name == "SRN" else [(np.nan, None)]
            for rho, target in variants:
                if target is not None:
                    with torch.no_grad():
                        W = net.weight("weight_ch_l0")
                        radius = torch.linalg.eigvals(W.double()).abs().amax(-1).to(W.dtype)
                        W.mul_((target / radius)[:, None, None])
                g = gradient_flow(net, x)
                frames.append(g.rename(columns={"replica": "seed"}).assign(part="gradient", model=name, rho=rho))
        # 2. long-lag memory
        for lag in config.lags:
            task = FirstBitRecall(lag)
            train = [task.generate(c[2], n_streams=config.train_sequences) for c in children]
            X = np.stack([b.inputs for b in train])
            Y = np.stack([b.targets for b in train])
            M = np.stack([b.descriptors["scored"] for b in train])
            tests = [task.generate(c[3], n_streams=config.test_sequences) for c in children]
            tx = np.stack([b.inputs for b in tests])
            ty = np.stack([b.targets[-1, :, 0] for b in tests])
            for name, net in _models(config, weights).items():
                Trainer(method="bptt", optimizer="adam", lr=config.lr, loss="bce", epochs=config.epochs,
                        batch_size=config.batch_size, clip_grad_norm=1.0, quiet=True).fit(
                    net, X, Y, mask=M, random_state=0)  # fmt: skip
                with torch.no_grad():
                    out = net(tx).outputs[:, -1, :, 0].numpy()
                acc = ((out > 0.5) == (ty > 0.5)).mean(1)
                frames.append(pd.DataFrame({"seed": np.arange(len(seeds)), "part": "memory", "model": name,
                                            "lag": lag, "accuracy": acc, "solved": acc >= SOLVED}))  # fmt: skip
            if not quiet:
                print(f"gradient-flow: lag {lag} trained", file=sys.stderr, flush=True)
        return pd.concat(frames, ignore_index=True)

    @staticmethod
    def decay_fits(results: pd.DataFrame) -> pd.DataFrame:
        """Per seed, model and rho: slope and R^2 of log10(gradient norm) against lag."""
        g = results[results["part"] == "gradient"].copy()
        g["rho"] = g["rho"].fillna(-1)
        rows = []
        for (seed, model, rho), d in g.groupby(["seed", "model", "rho"]):
            y = np.log10(d["grad_norm"].clip(lower=1e-300).to_numpy())
            lag = d["lag"].to_numpy(dtype=float)
            slope, intercept = np.polyfit(lag, y, 1)
            resid = y - (slope * lag + intercept)
            r2 = 1 - resid.var() / y.var() if y.var() > 0 else 0.0
            rows.append({"seed": seed, "model": model, "rho": rho, "slope": slope, "r2": r2})
        return pd.DataFrame(rows)

    def check_claims(self, results: pd.DataFrame, extras: dict[str, pd.DataFrame]) -> list[Claim]:
        fits = self.decay_fits(results)
        srn = fits[fits["model"] == "SRN"].pivot(index="seed", columns="rho", values=["slope", "r2"])
        slopes, r2 = srn["slope"], srn["r2"]
        mem = results[results["part"] == "memory"]
        longest = mem["lag"].max()
        rates = mem[mem["lag"] == longest].groupby("model")["solved"].mean()
        by_lag = mem.groupby(["model", "lag"])["solved"].mean().unstack("lag")
        srn_fails = rates["SRN"] <= FAIL_RATE
        n = int(mem["seed"].nunique())
        gated_ok = int((mem[(mem["lag"] == longest) & (mem["model"] != "SRN")].groupby("seed")["solved"].any()).sum())
        return [
            seed_pass_claim(
                "srn-gradient-decays-exponentially",
                "In a tanh SRN with spectral radius 1, the gradient norm decays exponentially with the lag.",
                "Bengio et al. (1994); Hochreiter (1991)",
                (slopes[1.0] < 0) & (r2[1.0] >= 0.9),
                f"log10 norm per step of lag: median slope {slopes[1.0].median():.3f}, R^2 {r2[1.0].median():.2f}",
                "per seed: negative slope of log norm vs lag with R^2 >= 0.9",
            ),
            seed_pass_claim(
                "spectral-radius-sets-the-regime",
                "The spectral radius of the recurrent weights sets the regime: the smaller it is, the faster "
                "gradients vanish.",
                "Bengio et al. (1994); Pascanu et al. (2013)",
                (slopes[0.5] < slopes[1.0]) & (slopes[1.0] < slopes[2.0]) & (slopes[0.5] < 0),
                "median slope of log10 norm at radius 0.5 / 1.0 / 2.0: "
                + " / ".join(f"{slopes[r].median():.3f}" for r in RHOS),
                "per seed: slopes increase with the radius and are negative at 0.5",
            ),
            Claim(
                id="gated-networks-bridge-long-lags",
                statement="LSTM and GRU networks keep solving the memory task at a lag where the SRN fails.",
                paper="Hochreiter & Schmidhuber (1997); Cho et al. (2014)",
                measured=f"share of seeds solving lag {longest}: "
                + ", ".join(f"{m} {rates[m]:.1f}" for m in ("SRN", "LSTM", "GRU"))
                + "; by lag: "
                + "; ".join(f"{m}: " + " ".join(f"{v:.1f}" for v in by_lag.loc[m]) for m in ("SRN", "LSTM", "GRU")),
                criterion=f"at the longest lag: SRN solves in <= {FAIL_RATE:.0%} of seeds, LSTM and GRU each in "
                f">= {SOLVE_RATE:.0%}",
                passed=bool(srn_fails and rates["LSTM"] >= SOLVE_RATE and rates["GRU"] >= SOLVE_RATE),
                n_seeds=n,
                n_seeds_passed=gated_ok,
            ),
            seed_pass_claim(
                "srn-memory-fades-with-lag",
                "SRNs solve short lags but not long ones.",
                "Bengio et al. (1994)",
                mem[(mem["model"] == "SRN") & (mem["lag"] == mem["lag"].min())].set_index("seed")["solved"]
                & ~mem[(mem["model"] == "SRN") & (mem["lag"] == longest)].set_index("seed")["solved"],
                "SRN share solving by lag: " + " ".join(f"{v:.1f}" for v in by_lag.loc["SRN"]),
                f"per seed: the SRN solves the shortest lag and fails the longest ({longest})",
            ),
        ]

    def plot(self, results: pd.DataFrame, extras: dict[str, pd.DataFrame], caption: str) -> plt.Figure:
        fig, axes = plt.subplots(1, 3, figsize=(14, 4), layout="constrained")
        g = results[results["part"] == "gradient"].copy()
        g["log10_grad_norm"] = np.log10(g["grad_norm"].clip(lower=1e-300))
        curves = [("SRN", r) for r in RHOS] + [("LSTM", None), ("GRU", None)]
        for i, (model, rho) in enumerate(curves):
            d = g[(g["model"] == model) & ((g["rho"] == rho) if rho is not None else True)]
            label = f"SRN, spectral radius {rho}" if rho is not None else model
            ax = axes[0] if model == "SRN" else axes[1]
            title = f"Gradient flow: {'SRN' if model == 'SRN' else 'LSTM and GRU'}"
            plot_error_curve(d, x="lag", y="log10_grad_norm", ax=ax, color=f"C{i}", label=label,
                             xlabel="lag T - t", ylabel="log10 ||dL_T / dh_t||", title=title)  # fmt: skip
        mem = results[results["part"] == "memory"].astype({"solved": float})
        for i, model in enumerate(("SRN", "LSTM", "GRU")):
            plot_error_curve(mem[mem["model"] == model], x="lag", y="solved", ax=axes[2], color=f"C{i}", label=model,
                             xlabel="lag (steps to remember the first bit)", ylabel="share of seeds solving (>= 90%)",
                             title="Long-lag memory")  # fmt: skip
        axes[2].set_xscale("log", base=2)
        axes[2].set_ylim(-0.05, 1.05)
        return add_caption(fig, caption)


REPLICATION = GradientFlow()

if __name__ == "__main__":
    from cogrnn.cli import main

    sys.exit(main(["replicate", REPLICATION.name, *sys.argv[1:]]))
