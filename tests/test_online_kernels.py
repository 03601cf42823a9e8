"""The compiled online kernel of gated and stacked models equals the torch autograd path.

LSTM and GRU (one and two layers), stacked SRN and stacked Jordan networks (and single-layer
ones with weight decay, which the single-layer kernel does not run) trained with
Elman's online rule (an update after every step, the gradient stopped at the carried
state): the compiled kernel (``backend="compiled"``, chosen by ``"auto"``) must end
with the weights, state and history of the autograd reference (``backend="torch"``):
to 1e-10 in float64 after 200 updates (100 steps of 2 streams, 2 passes), to 1e-5 in float32.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from cogrnn.exceptions import ConfigError, TrainingDivergedError
from cogrnn.models import ElmanSRN, GRUNetwork, JordanNetwork, LSTMNetwork
from cogrnn.training import Trainer, TrainerConfig

F64 = torch.float64
TOL = {torch.float64: 1e-10, torch.float32: 1e-5}

# (model, layers, model options, trainer options): every output activation and loss between them
CASES = [
    (LSTMNetwork, 1, {"output_activation": "identity"}, {"loss": "mse"}),
    (LSTMNetwork, 2, {"output_activation": "softmax", "forget_bias": 1.0}, {"loss": "sse", "weight_decay": 0.01}),
    (GRUNetwork, 1, {"output_activation": "softmax"}, {"loss": "cross_entropy"}),
    (GRUNetwork, 2, {"output_activation": "logistic"}, {"loss": "bce"}),
    (ElmanSRN, 2, {"nonlinearity": "tanh"}, {"loss": "sse"}),
    (JordanNetwork, 2, {"mu": 0.5}, {"loss": "sse", "reset_state": "epoch"}),
    (JordanNetwork, 1, {"output_activation": "identity"}, {"loss": "mse", "weight_decay": 0.01}),
]
IDS = ["lstm1", "lstm2", "gru1", "gru2", "srn2", "jordan2", "jordan1-decay"]


def _data(dtype: torch.dtype, steps: int = 100, batch: int = 2, loss: str = "sse", replicas: int | None = None):
    gen = torch.Generator().manual_seed(5)
    lead = () if replicas is None else (replicas,)
    x = torch.rand(*lead, steps, batch, 3, generator=gen, dtype=F64)
    y = torch.rand(*lead, steps, batch, 4, generator=gen, dtype=F64)
    if loss == "cross_entropy":
        y = y / y.sum(-1, keepdim=True)
    return x.to(dtype), y.to(dtype)


def _net(cls, layers, model_kw, *, n_replicas=3, replica_seeds=None, dtype=F64):
    seeds = {"replica_seeds": replica_seeds} if replica_seeds is not None else {"random_state": 4}
    return cls(3, 5, 4, num_layers=layers, n_replicas=n_replicas, dtype=dtype, **seeds, **model_kw)


def _fit(cls, layers, model_kw, cfg, x, y, **net_kw):
    net = _net(cls, layers, model_kw, **net_kw)
    return net, Trainer(cfg, quiet=True).fit(net, x, y)


# every case in float64, two of them in float32 too
DTYPE_CASES = [(*case, torch.float64) for case in CASES] + [(*CASES[i], torch.float32) for i in (1, 2)]
DTYPE_IDS = [f"{name}-f64" for name in IDS] + [f"{IDS[i]}-f32" for i in (1, 2)]


@pytest.mark.parametrize(("cls", "layers", "model_kw", "train_kw", "dtype"), DTYPE_CASES, ids=DTYPE_IDS)
def test_compiled_equals_torch_autograd(cls, layers, model_kw, train_kw, dtype):
    x, y = _data(dtype, loss=train_kw["loss"])
    runs = []
    for backend in ("torch", "auto"):
        cfg = TrainerConfig(lr=0.2, momentum=0.3, epochs=2, clip_grad_norm=1.0, backend=backend, **train_kw)
        runs.append(_fit(cls, layers, model_kw, cfg, x, y, dtype=dtype))
    (ref, ref_tr), (net, tr) = runs
    assert ref_tr.backend_ == "torch" and tr.backend_ == "compiled"  # 'auto' takes the kernel
    tol = TOL[dtype]
    for (name, p), q in zip(ref.named_parameters(), net.parameters()):
        torch.testing.assert_close(q, p, rtol=0, atol=tol, msg=name)
    assert len(tr.state_) == len(ref_tr.state_)
    for s, t in zip(ref_tr.state_, tr.state_):
        assert s.shape == t.shape and t.dtype == dtype
        torch.testing.assert_close(t, s, rtol=0, atol=tol)
    assert tr.history_[["seed", "epoch", "n_updates"]].equals(ref_tr.history_[["seed", "epoch", "n_updates"]])
    np.testing.assert_allclose(tr.history_["loss"], ref_tr.history_["loss"], rtol=0, atol=tol)
    # the weights moved: 200 updates are not a no-op
    start = _net(cls, layers, model_kw, dtype=dtype)
    assert max(float((p - q).detach().abs().max()) for p, q in zip(start.parameters(), net.parameters())) > 1e-3


@pytest.mark.parametrize(("cls", "layers", "model_kw", "train_kw"), CASES, ids=IDS)
def test_replica_alone_equals_replica_in_an_ensemble_of_five(cls, layers, model_kw, train_kw):
    x, y = _data(F64, steps=40, loss=train_kw["loss"], replicas=5)  # a stream of its own for every replica
    seeds = np.random.SeedSequence(11).spawn(5)
    cfg = TrainerConfig(lr=0.3, momentum=0.5, epochs=2, clip_grad_norm=0.5, backend="compiled", **train_kw)
    ens, ens_tr = _fit(cls, layers, model_kw, cfg, x, y, n_replicas=5, replica_seeds=seeds)
    for r in (0, 3):
        one, one_tr = _fit(
            cls, layers, model_kw, cfg, x[r : r + 1], y[r : r + 1], n_replicas=1, replica_seeds=[seeds[r]]
        )
        for (name, p), q in zip(ens.named_parameters(), one.parameters()):
            assert torch.equal(p[r], q[0]), name
        for s, t in zip(ens_tr.state_, one_tr.state_):
            assert torch.equal(s[:, r], t[:, 0])
        assert ens_tr.history_[ens_tr.history_.seed == r]["loss"].tolist() == one_tr.history_["loss"].tolist()


def test_shared_stream_equals_the_same_stream_per_replica():
    x, y = _data(F64, steps=30)
    cfg = TrainerConfig(lr=0.3, epochs=1, backend="compiled")
    a, _ = _fit(LSTMNetwork, 1, {}, cfg, x, y)
    b, _ = _fit(LSTMNetwork, 1, {}, cfg, x.expand(3, *x.shape).clone(), y.expand(3, *y.shape).clone())
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))


def test_momentum_carries_over_epochs_and_continuing_from_a_state():
    x, y = _data(F64, steps=30)
    runs = []
    for backend in ("torch", "compiled"):
        net = GRUNetwork(3, 5, 4, num_layers=2, n_replicas=2, random_state=1, dtype=F64, bias=False)
        tr = Trainer(lr=0.2, momentum=0.9, epochs=3, backend=backend, quiet=True).fit(net, x, y)
        start = tuple(s + 0.1 for s in tr.state_)  # continue from a given state
        tr2 = Trainer(lr=0.2, momentum=0.9, backend=backend, quiet=True).fit(net, x, y, state=start)
        runs.append((net, tr2))
    for p, q in zip(runs[0][0].parameters(), runs[1][0].parameters()):
        torch.testing.assert_close(q, p, rtol=0, atol=1e-10)
    torch.testing.assert_close(runs[1][1].state_[0], runs[0][1].state_[0], rtol=0, atol=1e-10)


def test_unsupported_cases_fall_back_to_torch_with_the_reason():
    x, y = _data(F64, steps=5)
    cases = [
        ({"method": "tbptt", "k1": 2, "k2": 2}, "method='tbptt'"),
        ({"optimizer": "adam", "lr": 0.01}, "optimizer='adam'"),
    ]
    for params, reason in cases:
        net = LSTMNetwork(3, 5, 4, num_layers=2, random_state=0, dtype=F64)
        assert Trainer(quiet=True, **params).fit(net, x, y).backend_ == "torch"
        with pytest.raises(ConfigError, match=f"backend='compiled' cannot train {reason}"):
            Trainer(backend="compiled", quiet=True, **params).fit(net, x, y)
    net = GRUNetwork(3, 5, 4, random_state=0, dtype=F64)
    assert Trainer(quiet=True).fit(net, x, y, mask=torch.ones(5, 2)).backend_ == "torch"
    with pytest.raises(ConfigError, match="cannot train a loss mask"):
        Trainer(backend="compiled", quiet=True).fit(net, x, y, mask=torch.ones(5, 2))


def test_divergence_names_replica_epoch_and_step():
    x = torch.full((20, 1, 3), 10.0)
    net = ElmanSRN(3, 4, 3, num_layers=2, nonlinearity="relu", output_activation="identity", random_state=0)
    with pytest.raises(TrainingDivergedError, match=r"replica 0 became non-finite at epoch 1, step \d+ with lear"):
        Trainer(lr=1e30, loss="mse", backend="compiled", quiet=True).fit(net, x, x)
