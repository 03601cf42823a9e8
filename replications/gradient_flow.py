"""Gradient flow through time (Bengio et al. 1994; Hochreiter & Schmidhuber 1997): why SRNs forget.

Two parts:

* **gradient norms**: the norm of the gradient of the loss at the last of 50 steps with
  respect to the recurrent state ``lag`` steps earlier, for tanh SRNs whose recurrent
  weights are scaled to spectral radius 0.5, 1.0 and 2.0, and for LSTM and GRU networks
  at their default initialisation (random bit inputs);
* **long-lag memory**: SRN, LSTM and GRU networks (32 units) trained with BPTT and Adam to
  report the first of ``lag`` random bits at the last step (``FirstBitRecall``), for lags
  5 to 40; a seed "solves" a lag with >= 90% test accuracy.

The training budget is one rule for every architecture, fixed before the claims were
looked at: train in chunks of 10 epochs until the training loss (BCE at the scored step,
mean over the last epoch of a chunk) has not improved on its best by at least 0.01 for 50
epochs, or is below 0.01 (nothing left to improve by that much), with a cap of 300
epochs; each network is tested at the chunk where it stopped. The patience is long
because a network can sit at chance (loss ln 2) for tens of epochs before it finds the
solution: the earlier fixed 40 epochs cut the LSTM off on that plateau (4/10 seeds at
lag 40; 6/10 after 120 epochs). Adam restarts at each chunk. Networks that stopped are
set aside, so a seed's result does not depend on the others.

Free parameters: 32 hidden units, Adam lr 0.01, batches of 32 from 512 training sequences
per seed, the budget rule above, gradient-norm clipping at 1, BCE loss at the last step
only; SRN weights uniform in [-0.18, 0.18] (about PyTorch's 1/sqrt(H)); LSTM/GRU
PyTorch's default initialisation (no forget-gate bias).

Tables: ``results.csv`` holds the gradient norms; ``memory.parquet`` one row per seed,
model and lag (accuracy, solved, epochs trained, why training stopped);
``training.parquet`` the training loss per epoch. Measures (what claims and figure read):
``decay_fits.parquet`` (slope and R^2 of log10 norm against lag, per seed, model and
radius) and ``solve_rates.parquet`` (share of seeds solving, 95% CI over seeds, median
epochs, per model and lag).

``train_until_plateau`` stays here: it is training machinery (early stopping of an
ensemble whose replicas stop one by one), not analysis; its generic form belongs in
``cogrnn.training``.

Run: ``cogrnn replicate gradient-flow`` or ``python -m cogrnn.replications.gradient_flow``.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from cogrnn._threads import single_torch_thread
from cogrnn.analysis.stats import pooled_rates
from cogrnn.config import Config, check_device_name, check_distinct, check_float, check_int
from cogrnn.random import fresh_seed
from cogrnn.registry import make_model, make_task
from cogrnn.replication import Claim, Replication, seed_pass_claim
from cogrnn.tasks import FirstBitRecall
from cogrnn.viz import add_caption, plot_error_curve

if TYPE_CHECKING:  # pragma: no cover - imported by the functions that train, so that --plot-only loads without it
    import torch

__all__ = ["GradientFlowConfig", "GradientFlow", "REPLICATION", "train_until_plateau"]

RHOS = (0.5, 1.0, 2.0)
SOLVED = 0.9
FAIL_RATE, SOLVE_RATE = 0.2, 0.5
MODELS = ("SRN", "LSTM", "GRU")


@dataclass(frozen=True)
class GradientFlowConfig(Config):
    """Configuration of the gradient-flow replication.

    Parameters
    ----------
    hidden_size : int, default 32
        Hidden units of every network.
    steps : int, default 50
        Steps of the gradient-norm streams.
    lags : tuple of int, default (5, 10, 20, 40)
        Lags of the long-lag memory task.
    train_sequences : int, default 512
        Training sequences per seed.
    test_sequences : int, default 500
        Test sequences per seed.
    chunk_epochs : int, default 10
        Epochs between two checks of the budget rule.
    patience_epochs : int, default 50
        Epochs without an improvement by ``min_delta`` before training stops.
    max_epochs : int, default 300
        The cap of the budget rule.
    min_delta : float, default 0.01
        Smallest improvement of the training loss that counts.
    batch_size : int, default 32
        Sequences per update.
    lr : float, default 0.01
        Adam's learning rate.
    device : str, default "cpu"
        Where the BPTT ensembles train: ``"cpu"``, ``"cuda"`` or ``"cuda:N"`` (``--device`` on
        the command line). A GPU's numbers differ from the CPU's in the last bits; the device is
        recorded in ``provenance.json``.

    Examples
    --------
    >>> GradientFlowConfig(lags=(5, 10)).lags
    (5, 10)
    """

    hidden_size: int = 32
    steps: int = 50
    lags: tuple[int, ...] = (5, 10, 20, 40)
    train_sequences: int = 512
    test_sequences: int = 500
    chunk_epochs: int = 10
    patience_epochs: int = 50
    max_epochs: int = 300
    min_delta: float = 0.01
    batch_size: int = 32
    lr: float = 0.01
    device: str = "cpu"

    def __post_init__(self) -> None:
        check_int("hidden_size", self.hidden_size, low=2, high=10**4)
        check_int("train_sequences", self.train_sequences, low=1, high=10**6)
        check_int("test_sequences", self.test_sequences, low=1, high=10**6)
        check_int("batch_size", self.batch_size, low=1, high=10**6)
        check_float("lr", self.lr, low=0.0, low_inclusive=False)
        check_int("steps", self.steps, low=3, high=10**5)
        check_distinct("lags", self.lags)
        for lag in self.lags:
            check_int("lags", lag, low=2, high=10**5)
        check_int("chunk_epochs", self.chunk_epochs, low=1)
        check_int("patience_epochs", self.patience_epochs, low=self.chunk_epochs)
        check_int("max_epochs", self.max_epochs, low=self.chunk_epochs, high=10**6)
        check_float("min_delta", self.min_delta, low=0.0, low_inclusive=False)
        check_device_name(self.device)  # whether this machine has it: when the networks are built


def _subset(name: str, net: torch.nn.Module, keep: list[int], config: GradientFlowConfig, weights: list) -> Any:
    """A new ensemble of the replicas at positions ``keep`` of ``net`` (seeded by ``weights``), with their
    current parameters."""
    import torch

    new = _models(config, weights)[name]
    idx = torch.as_tensor(keep)
    with torch.no_grad():
        for (_, p_new), (_, p_old) in zip(new.named_parameters(), net.named_parameters()):
            p_new.copy_(p_old.index_select(0, idx))
    return new


def train_until_plateau(
    name: str, config: GradientFlowConfig, weights: list, data: tuple[np.ndarray, ...]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Train the replicas of one architecture under the budget rule; test each where it stopped.

    Parameters
    ----------
    name : str
        "SRN", "LSTM" or "GRU".
    config : GradientFlowConfig
        The budget rule and training settings.
    weights : list of numpy.random.SeedSequence
        One weight seed per replica.
    data : tuple of numpy.ndarray
        Training inputs, targets and scored-step mask (R, T, B, ...), test inputs and test
        targets at the last step.

    Returns
    -------
    memory : pandas.DataFrame
        One row per replica: ``seed``, ``epochs``, ``final_loss``, ``stopped`` and ``accuracy``.
    training : pandas.DataFrame
        The training loss per replica (``seed``) and epoch.

    Examples
    --------
    Two SRN replicas, 8 training sequences of lag 3 each, stopped by the cap after one epoch:

    >>> config = GradientFlowConfig(hidden_size=4, chunk_epochs=1, patience_epochs=1, max_epochs=1, batch_size=8)
    >>> task = make_task("first-bit-recall", lag=3)
    >>> train = [task.generate(r, n_streams=8) for r in (1, 2)]
    >>> test = [task.generate(r, n_streams=10) for r in (3, 4)]
    >>> data = (
    ...     np.stack([b.inputs for b in train]), np.stack([b.targets for b in train]),
    ...     np.stack([b.descriptors["scored"] for b in train]),
    ...     np.stack([b.inputs for b in test]), np.stack([b.targets[-1, :, 0] for b in test]),
    ... )
    >>> memory, training = train_until_plateau("SRN", config, np.random.SeedSequence(0).spawn(2), data)
    >>> memory[["seed", "epochs", "stopped"]].values.tolist()
    [[0, 1, 'cap'], [1, 1, 'cap']]
    >>> training.columns.tolist(), len(training)
    (['seed', 'epoch', 'loss'], 2)
    """
    import torch

    from cogrnn.training import Trainer

    X, Y, M, tx, ty = data
    R = len(weights)
    net = _models(config, weights)[name]
    active = list(range(R))  # replicas still training, in the order of net's replicas
    best = np.full(R, np.inf)
    since = np.zeros(R, dtype=int)  # epochs since the last improvement by min_delta
    result: dict[int, dict[str, Any]] = {}
    history = []
    epoch = 0
    while active:
        trainer = Trainer(method="bptt", optimizer="adam", lr=config.lr, loss="bce", epochs=config.chunk_epochs,
                          batch_size=config.batch_size, clip_grad_norm=1.0, quiet=True)  # fmt: skip
        trainer.fit(net, X[active], Y[active], mask=M[active], random_state=epoch)
        h = trainer.history_
        h = h.assign(seed=np.asarray(active)[h["seed"].to_numpy()], epoch=h["epoch"] + epoch)
        history.append(h[["seed", "epoch", "loss"]])
        epoch += config.chunk_epochs
        last = h[h["epoch"] == epoch].set_index("seed")["loss"]
        stopped = []
        for r in active:
            loss = float(last.loc[r])
            if loss < best[r] - config.min_delta:
                best[r], since[r] = loss, 0
            else:
                since[r] += config.chunk_epochs
            why = (
                "converged" if loss < config.min_delta
                else "plateau" if since[r] >= config.patience_epochs
                else "cap" if epoch >= config.max_epochs
                else None
            )  # fmt: skip
            if why is not None:
                result[r] = {"epochs": epoch, "final_loss": loss, "stopped": why}
                stopped.append(r)
        if stopped:
            with torch.no_grad():
                out = net(tx[active]).outputs[:, -1, :, 0].cpu().numpy()
            acc = ((out > 0.5) == (ty[active] > 0.5)).mean(1)
            for k, r in enumerate(active):
                if r in stopped:
                    result[r]["accuracy"] = float(acc[k])
            keep = [k for k, r in enumerate(active) if r not in stopped]
            active = [active[k] for k in keep]
            if active:
                net = _subset(name, net, keep, config, [weights[r] for r in active])
    rows = pd.DataFrame([{"seed": r, **result[r]} for r in range(R)])
    return rows, pd.concat(history, ignore_index=True)


def _models(config: GradientFlowConfig, seeds: list[np.random.SeedSequence]) -> dict[str, Any]:
    H = config.hidden_size
    ensemble = {
        "input_size": 1, "hidden_size": H, "output_size": 1, "replica_seeds": seeds, "n_replicas": len(seeds),
        "device": config.device,
    }  # fmt: skip
    return {
        "SRN": make_model("elman", nonlinearity="tanh", init_range=1 / np.sqrt(H), **ensemble),
        "LSTM": make_model("lstm", output_activation="logistic", **ensemble),
        "GRU": make_model("gru", output_activation="logistic", **ensemble),
    }


class GradientFlow(Replication):
    """Gradient norms through time and long-lag memory of SRN, LSTM and GRU networks (module docstring).

    Examples
    --------
    >>> GradientFlow().config(quick=True).lags
    (5, 10)
    """

    name = "gradient-flow"
    description = "Bengio et al. (1994): SRN gradients vanish with lag; LSTM/GRU keep long-lag memories."
    reference = FirstBitRecall.reference
    columns = ("seed", "part", "model", "lag")
    extra_tables = ("memory", "training")
    measure_tables = ("decay_fits", "solve_rates")
    default_seeds = 20
    default_root_seed = 1994
    config_class = GradientFlowConfig
    free_parameters = {
        "training": "BPTT, Adam lr 0.01 (restarted every 10 epochs), 512 sequences in batches of 32, clipping at "
        "norm 1; until the loss has not improved by 0.01 for 50 epochs or is below 0.01, cap 300 epochs",
        "init": "SRN uniform +-1/sqrt(H) (tanh); LSTM/GRU PyTorch default, no forget-gate bias",
        "solved": "test accuracy >= 0.9 on 500 new sequences",
        "spectral_radius": "SRN recurrent weights rescaled to 0.5, 1.0, 2.0 for the gradient part",
    }

    def config(self, quick: bool = False) -> GradientFlowConfig:
        return (
            GradientFlowConfig(
                lags=(5, 10), chunk_epochs=5, patience_epochs=5, max_epochs=10, train_sequences=256, steps=20
            )
            if quick
            else GradientFlowConfig()
        )

    def compute(
        self, config: GradientFlowConfig, seeds: Sequence[np.random.SeedSequence], quiet: bool
    ) -> dict[str, pd.DataFrame]:
        from cogrnn.analysis.dynamics import gradient_flow, scale_spectral_radius
        from cogrnn.models.base import check_device

        check_device(config.device)  # this machine has it (the configuration checked only its name)
        children = [fresh_seed(s).spawn(4) for s in seeds]  # weights, gradient inputs, training data, test data
        frames = []
        # 1. gradient norms against lag
        x = np.stack([np.random.default_rng(c[1]).integers(0, 2, (config.steps, 1, 1)).astype(float) for c in children])
        weights = [c[0] for c in children]
        for name, net in _models(config, weights).items():
            variants = [(rho, rho) for rho in RHOS] if name == "SRN" else [(np.nan, None)]
            for rho, target in variants:
                if target is not None:
                    scale_spectral_radius(net, target)
                frames.append(gradient_flow(net, x).assign(part="gradient", model=name, rho=rho))
        # 2. long-lag memory, trained under the budget rule
        memory, training = [], []
        for lag in config.lags:
            task = make_task("first-bit-recall", lag=lag)
            train = [task.generate(c[2], n_streams=config.train_sequences) for c in children]
            tests = [task.generate(c[3], n_streams=config.test_sequences) for c in children]
            data = (
                np.stack([b.inputs for b in train]),
                np.stack([b.targets for b in train]),
                np.stack([b.descriptors["scored"] for b in train]),
                np.stack([b.inputs for b in tests]),
                np.stack([b.targets[-1, :, 0] for b in tests]),
            )
            for name in MODELS:
                with single_torch_thread():  # small batched ops: contended threads only slow them down
                    rows, hist = train_until_plateau(name, config, weights, data)
                memory.append(rows.assign(model=name, lag=lag, solved=rows["accuracy"] >= SOLVED))
                training.append(hist.assign(model=name, lag=lag))
            if not quiet:
                print(f"gradient-flow: lag {lag} trained", file=sys.stderr, flush=True)
        return {
            "results": pd.concat(frames, ignore_index=True),
            "memory": pd.concat(memory, ignore_index=True),
            "training": pd.concat(training, ignore_index=True),
        }

    def measures(self, results: pd.DataFrame, extras: dict[str, pd.DataFrame], config: Any) -> dict[str, pd.DataFrame]:
        from cogrnn.analysis.dynamics import decay_fits

        mem = extras["memory"].astype({"solved": float})
        rates, _ = pooled_rates(mem, "solved", by=["model", "lag"], random_state=0)  # 95% CI over seeds
        epochs = (
            mem.groupby(["model", "lag"], as_index=False)["epochs"].median().rename(columns={"epochs": "median_epochs"})
        )
        return {
            "decay_fits": decay_fits(results[results["part"] == "gradient"], by=["seed", "model", "rho"]),
            "solve_rates": rates.merge(epochs, on=["model", "lag"], how="left"),
        }

    def check_claims(self, results: pd.DataFrame, extras: dict[str, pd.DataFrame]) -> list[Claim]:
        fits = extras["decay_fits"]
        srn = fits[fits["model"] == "SRN"].pivot(index="seed", columns="rho", values=["slope", "r2"])
        slopes, r2 = srn["slope"], srn["r2"]
        ci = extras["solve_rates"].set_index(["model", "lag"])
        mem = extras["memory"].astype({"solved": bool})
        longest = mem["lag"].max()
        rates = ci.xs(longest, level="lag")["rate"]
        by_lag = ci["rate"].unstack("lag")
        epochs = ci["median_epochs"].unstack("lag")
        srn_fails = rates["SRN"] <= FAIL_RATE
        n = int(mem["seed"].nunique())
        # a seed shows the contrast when, at the longest lag, the SRN fails and LSTM and GRU both solve
        solved = mem[mem["lag"] == longest].pivot_table(index="seed", columns="model", values="solved", aggfunc="any")
        gated_ok = int((~solved["SRN"].astype(bool) & solved["LSTM"].astype(bool) & solved["GRU"].astype(bool)).sum())

        def rate(m: str, lag: int) -> str:
            r = ci.loc[(m, lag)]
            return f"{m} {r['rate']:.2f} [{r['ci_low']:.2f}, {r['ci_high']:.2f}]"

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
                measured=f"share of seeds solving lag {longest} (95% CI over seeds): "
                + ", ".join(rate(m, longest) for m in MODELS)
                + "; by lag: "
                + "; ".join(f"{m}: " + " ".join(f"{v:.2f}" for v in by_lag.loc[m]) for m in MODELS)
                + "; median epochs trained at the longest lag: "
                + ", ".join(f"{m} {epochs.loc[m, longest]:.0f}" for m in MODELS)
                + f"; seeds where the SRN fails and LSTM and GRU both solve: {gated_ok}/{n}",
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
                "SRN share solving by lag (95% CI over seeds): "
                + ", ".join(f"lag {lag}: {rate('SRN', lag).split(' ', 1)[1]}" for lag in by_lag.columns),
                f"per seed: the SRN solves the shortest lag and fails the longest ({longest})",
            ),
        ]

    def plot(self, results: pd.DataFrame, extras: dict[str, pd.DataFrame], caption: str) -> plt.Figure:
        fig, axes = plt.subplots(1, 4, figsize=(18, 4.2), layout="constrained")
        g = results[results["part"] == "gradient"].copy()
        g["log10_grad_norm"] = np.log10(g["grad_norm"].clip(lower=1e-300))
        fits = extras["decay_fits"]
        slope = fits.groupby(["model", fits["rho"].fillna(-1)])["slope"].median()  # the slopes the claims judge
        curves = [("SRN", r) for r in RHOS] + [("LSTM", None), ("GRU", None)]
        for i, (model, rho) in enumerate(curves):
            d = g[(g["model"] == model) & ((g["rho"] == rho) if rho is not None else True)]
            label = f"SRN, spectral radius {rho}" if rho is not None else model
            label += f" (median slope {slope[(model, -1 if rho is None else rho)]:.3f} / step)"
            ax = axes[0] if model == "SRN" else axes[1]
            title = f"Gradient flow: {'SRN' if model == 'SRN' else 'LSTM and GRU'}"
            plot_error_curve(d, x="lag", y="log10_grad_norm", ax=ax, color=f"C{i}", label=label,
                             xlabel="lag T - t", ylabel="log10 ||dL_T / dh_t||", title=title)  # fmt: skip
        rates = extras["solve_rates"]
        for i, model in enumerate(MODELS):
            d = rates[rates["model"] == model].sort_values("lag")
            axes[2].plot(d["lag"], d["rate"], "o-", color=f"C{i}", label=model, lw=1.8, ms=4)
            axes[2].fill_between(d["lag"], d["ci_low"], d["ci_high"], color=f"C{i}", alpha=0.25, lw=0)
        axes[2].set(xlabel="lag (steps to remember the first bit)", ylabel="share of seeds solving (>= 90%, 95% CI)",
                    title="Long-lag memory")  # fmt: skip
        axes[2].legend(fontsize=7, frameon=False)
        axes[2].set_xscale("log", base=2)
        axes[2].set_ylim(-0.05, 1.05)
        train = extras["training"]
        longest = train["lag"].max()
        for i, model in enumerate(MODELS):
            d = train[(train["model"] == model) & (train["lag"] == longest)]
            for k, (_, g) in enumerate(d.groupby("seed")):
                axes[3].plot(g["epoch"], g["loss"], color=f"C{i}", lw=0.7, alpha=0.6, label=model if k == 0 else None)
        axes[3].set(xlabel="epoch (each line: one seed, until it stopped)", ylabel="training loss (BCE)",
                    title=f"Training under the budget rule, lag {longest}")  # fmt: skip
        axes[3].legend(fontsize=7, frameon=False)
        return add_caption(fig, caption)


REPLICATION = GradientFlow()

if __name__ == "__main__":
    from cogrnn.cli import main

    sys.exit(main(["replicate", REPLICATION.name, *sys.argv[1:]]))
