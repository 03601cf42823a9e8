"""The example plugin's model, task and replication."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import torch

from cogrnn.config import Config, check_int
from cogrnn.models import ElmanSRN
from cogrnn.random import check_random_state
from cogrnn.replication import Claim, Replication, seed_pass_claim
from cogrnn.tasks import Reference, SequenceBatch, Task
from cogrnn.training import train

ELMAN = Reference("Elman, J. L.", 1990, "Finding structure in time", "Cognitive Science 14(2), 179-211")


class ExampleSRN(ElmanSRN):
    """An Elman SRN with tanh hidden units and a linear readout by default."""

    def __init__(self, *args: Any, nonlinearity: str = "tanh", output_activation: str = "identity", **kw: Any):
        super().__init__(*args, nonlinearity=nonlinearity, output_activation=output_activation, **kw)


class EchoTask(Task):
    """Random bits; the target of step t is the bit of step t - 1 (0 at the first step)."""

    name = "example-echo"
    reference = ELMAN

    def __init__(self, n_steps: int = 40) -> None:
        self.n_steps = check_int("n_steps", n_steps, low=2)

    def generate(self, random_state: Any = None, n_streams: int = 1) -> SequenceBatch:
        bits = check_random_state(random_state).integers(0, 2, size=(self.n_steps, n_streams, 1)).astype(float)
        targets = np.concatenate([np.zeros_like(bits[:1]), bits[:-1]])
        t = np.broadcast_to(np.arange(self.n_steps)[:, None], (self.n_steps, n_streams)).copy()
        return SequenceBatch(bits, targets, {"t": t})


@dataclass(frozen=True)
class EchoConfig(Config):
    n_train: int = 16
    n_steps: int = 40
    epochs: int = 300

    def __post_init__(self) -> None:
        check_int("n_train", self.n_train, low=1, high=10**5)
        check_int("n_steps", self.n_steps, low=2, high=10**5)
        check_int("epochs", self.epochs, low=1, high=10**6)


class EchoMemory(Replication):
    name = "example-echo-memory"
    description = "Example plugin: an SRN's context holds the previous bit, so it echoes it."
    reference = ELMAN
    columns = ("seed", "t", "target", "output", "sq_error")
    default_seeds = 4
    config_class = EchoConfig

    def config(self, quick: bool = False) -> EchoConfig:
        return EchoConfig(n_train=8, n_steps=20, epochs=40) if quick else EchoConfig()

    def compute(self, config: EchoConfig, seeds: Sequence[np.random.SeedSequence], quiet: bool) -> pd.DataFrame:
        task = EchoTask(config.n_steps)
        children = [s.spawn(3) for s in seeds]  # weights, training data, test stream
        net = ExampleSRN(1, 4, 1, n_replicas=len(seeds), replica_seeds=[c[0] for c in children])
        data = [task.generate(c[1], n_streams=config.n_train) for c in children]
        x, y = np.stack([b.inputs for b in data]), np.stack([b.targets for b in data])  # one stream set per replica
        train(net, x, y, method="bptt", optimizer="adam", lr=0.05, loss="mse", epochs=config.epochs, quiet=True)
        probes = [task.generate(c[2]) for c in children]
        with torch.no_grad():
            out = net(np.stack([p.inputs for p in probes])).outputs[:, :, 0, 0].double().numpy()
        frames = [
            pd.DataFrame({"seed": i, "t": np.arange(config.n_steps), "target": p.targets[:, 0, 0], "output": out[i]})
            for i, p in enumerate(probes)
        ]
        results = pd.concat(frames, ignore_index=True)
        return results.assign(sq_error=(results["output"] - results["target"]) ** 2)

    def check_claims(self, results: pd.DataFrame, extras: dict[str, pd.DataFrame]) -> list[Claim]:
        per_seed = results[results["t"] > 0].groupby("seed")["sq_error"].mean()
        measured = f"median MSE {per_seed.median():.4f}"
        statement = "The trained SRN outputs the previous bit."
        criterion = "per seed: MSE after step 0 < 0.05"
        return [seed_pass_claim("echoes-previous-bit", statement, "example", per_seed < 0.05, measured, criterion)]

    def plot(self, results: pd.DataFrame, extras: dict[str, pd.DataFrame], caption: str) -> Any:
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(5, 3))
        for seed, g in results.groupby("seed"):
            ax.plot(g["t"], g["sq_error"], label=f"seed {seed}")
        ax.set_xlabel("step")
        ax.set_ylabel("squared error")
        fig.text(0.01, 0.01, caption, fontsize=5)
        return fig


REPLICATION = EchoMemory()
