from __future__ import annotations

import numpy as np
import pytest
import torch
from torch.autograd import gradcheck

from cogrnn.exceptions import ConfigError, DataError, TrainingDivergedError
from cogrnn.models import ElmanSRN, GRUNetwork, JordanNetwork, LSTMNetwork
from cogrnn.training import Trainer, TrainerConfig, _kernels, compute_loss, train

F64 = torch.float64


@pytest.fixture(params=["lockstep", "by_replica"])
def kernel_layout(request, monkeypatch):
    """Run a compiled-backend test with each of the two loop orders of the kernel."""
    monkeypatch.setattr(_kernels, "use_lockstep", lambda n_replicas, n_params: request.param == "lockstep")
    return request.param


def _params(net):
    return {n: p.detach().clone() for n, p in net.named_parameters()}


def _stream(shape, seed=0):
    return torch.from_numpy(np.random.default_rng(seed).integers(0, 2, shape).astype(np.float64))


@pytest.mark.parametrize("cls", [ElmanSRN, JordanNetwork])
@pytest.mark.parametrize("backend", ["torch", "compiled"])
def test_online_step_is_autograd_of_one_step_loss_with_detached_context(cls, backend, kernel_layout):
    net = cls(3, 4, 2, n_replicas=2, random_state=0, dtype=F64)
    state = tuple(torch.rand_like(s) for s in net.init_state(1))
    x, y = torch.rand(1, 1, 3, dtype=F64), torch.rand(1, 1, 2, dtype=F64)
    ref = cls(3, 4, 2, n_replicas=2, random_state=0, dtype=F64)
    out = ref(x, tuple(s.detach() for s in state))
    compute_loss("sse", out.logits, out.outputs, y.expand(2, 1, 1, 2)).sum().backward()
    before = _params(net)
    lr = 0.25
    Trainer(lr=lr, backend=backend, quiet=True).fit(net, x, y, state=state)
    for name, p in net.named_parameters():
        implied_grad = (before[name] - p.detach()) / lr
        torch.testing.assert_close(implied_grad, getattr(ref, name).grad, rtol=0, atol=1e-12)


@pytest.mark.parametrize("cls", [ElmanSRN, JordanNetwork, LSTMNetwork, GRUNetwork])
@pytest.mark.parametrize("num_layers", [1, 2])
def test_bptt_gradients_match_finite_differences(cls, num_layers):
    net = cls(2, 3, 2, num_layers=num_layers, n_replicas=2, random_state=1, dtype=F64)
    names = [n for n, _ in net.named_parameters()]
    x = torch.randn(4, 2, 2, dtype=F64)
    y = torch.rand(4, 2, 2, dtype=F64)

    def loss_of(*params):
        out = torch.func.functional_call(net, dict(zip(names, params)), (x,))
        return compute_loss("mse", out.logits, out.outputs, y.expand(2, *y.shape)).sum()

    params = tuple(p.detach().clone().requires_grad_(True) for p in net.parameters())
    assert gradcheck(loss_of, params, eps=1e-6, atol=1e-6)


def _train_all(cls, cfg, x, y, seeds, **model_kw):
    ens = cls(3, 4, 2, n_replicas=len(seeds), replica_seeds=seeds, dtype=F64, **model_kw)
    Trainer(cfg, quiet=True).fit(ens, x, y, random_state=7)
    singles = []
    for r, s in enumerate(seeds):
        net = cls(3, 4, 2, replica_seeds=[s], dtype=F64, **model_kw)
        Trainer(cfg, quiet=True).fit(net, x[r : r + 1], y[r : r + 1], random_state=7)
        singles.append(net)
    return ens, singles


CONFIGS = [
    (ElmanSRN, TrainerConfig(method="online", lr=0.3, momentum=0.5, epochs=2, backend="compiled")),
    (
        JordanNetwork,
        TrainerConfig(method="online", lr=0.3, clip_grad_norm=0.1, epochs=2, backend="compiled"),
    ),
    (
        ElmanSRN,
        TrainerConfig(method="online", lr=0.3, momentum=0.5, epochs=2, backend="torch", clip_grad_norm=0.2),
    ),
    (
        LSTMNetwork,
        TrainerConfig(method="tbptt", k1=2, k2=3, lr=0.1, momentum=0.9, clip_grad_norm=0.5, loss="mse"),
    ),
    (
        GRUNetwork,
        TrainerConfig(method="bptt", optimizer="adam", lr=0.01, batch_size=2, epochs=3, loss="mse"),
    ),
    (ElmanSRN, TrainerConfig(method="bptt", lr=0.5, batch_size=1, epochs=2)),
]


@pytest.mark.parametrize(("cls", "cfg"), CONFIGS)
def test_replicas_trained_together_end_where_each_ends_alone(cls, cfg, kernel_layout):
    seeds = np.random.SeedSequence(3).spawn(3)
    x = _stream((3, 12, 3, 3), seed=1)
    y = torch.rand(3, 12, 3, 2, dtype=F64, generator=torch.Generator().manual_seed(0))
    kw = {"output_activation": "identity"} if cfg.loss == "mse" else {}
    ens, singles = _train_all(cls, cfg, x, y, seeds, **kw)
    for r, single in enumerate(singles):
        for (name, p), q in zip(ens.named_parameters(), single.parameters()):
            torch.testing.assert_close(p[r], q[0], rtol=0, atol=1e-12, msg=name)


@pytest.mark.parametrize("cls", [ElmanSRN, JordanNetwork])
@pytest.mark.parametrize(("dtype", "tol"), [(torch.float64, 1e-10), (torch.float32, 1e-5)])
@pytest.mark.parametrize(
    ("out_act", "loss"),
    [
        ("logistic", "sse"),
        ("softmax", "cross_entropy"),
        ("identity", "mse"),
        ("logistic", "bce"),
        ("softmax", "sse"),
    ],
)
def test_compiled_kernel_equals_torch_reference(cls, dtype, tol, out_act, loss, kernel_layout):
    x = _stream((30, 2, 3), seed=2).to(dtype)
    y = torch.rand(30, 2, 4, generator=torch.Generator().manual_seed(1), dtype=dtype)
    if loss == "cross_entropy":
        y = y / y.sum(-1, keepdim=True)
    nets, trainers = [], []
    for backend in ("torch", "compiled"):
        net = cls(3, 5, 4, n_replicas=3, random_state=4, dtype=dtype, output_activation=out_act)
        cfg = TrainerConfig(lr=0.2, momentum=0.3, epochs=2, loss=loss, clip_grad_norm=1.0, backend=backend)
        trainers.append(Trainer(cfg, quiet=True).fit(net, x, y))
        nets.append(net)
    assert trainers[1].backend_ == "compiled" and trainers[0].backend_ == "torch"
    for p, q in zip(nets[0].parameters(), nets[1].parameters()):
        torch.testing.assert_close(p, q, rtol=0, atol=tol)
    np.testing.assert_allclose(trainers[0].history_["loss"], trainers[1].history_["loss"], atol=tol)
    for s, t in zip(trainers[0].state_, trainers[1].state_):
        torch.testing.assert_close(s, t, rtol=0, atol=tol)


def test_online_is_tbptt_1_1_and_stream_is_never_reset():
    x = _stream((20, 1, 1), seed=3)
    a = ElmanSRN(1, 3, 1, random_state=0, dtype=F64)
    b = ElmanSRN(1, 3, 1, random_state=0, dtype=F64)
    Trainer(method="online", lr=0.5, epochs=3, backend="torch", quiet=True).fit(a, x, x)
    Trainer(method="tbptt", k1=1, k2=1, lr=0.5, epochs=3, quiet=True).fit(b, x, x)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    c = ElmanSRN(1, 3, 1, random_state=0, dtype=F64)
    Trainer(method="online", lr=0.5, epochs=3, reset_state="epoch", quiet=True).fit(c, x, x)
    assert not all(torch.equal(p, q) for p, q in zip(a.parameters(), c.parameters()))


def test_same_seed_same_result_and_history_is_tidy():
    x = _stream((50, 1, 2), seed=4)
    runs = []
    for _ in range(2):
        net = ElmanSRN(2, 3, 2, n_replicas=4, random_state=9)
        hist = train(net, x, x, lr=0.2, epochs=3, quiet=True)
        runs.append((net, hist))
    assert all(torch.equal(p, q) for p, q in zip(runs[0][0].parameters(), runs[1][0].parameters()))
    hist = runs[0][1]
    assert list(hist.columns) == ["seed", "epoch", "loss", "n_updates"]
    assert len(hist) == 12 and set(hist["n_updates"]) == {50}


def test_training_reduces_the_loss(global_random_seed):
    x = _stream((40, 1, 3), seed=global_random_seed)
    net = LSTMNetwork(3, 8, 3, n_replicas=2, random_state=global_random_seed)
    hist = train(
        net,
        x[:-1],
        x[1:],
        method="bptt",
        optimizer="adam",
        lr=0.05,
        loss="mse",
        epochs=30,
        quiet=True,
    )
    first = hist[hist.epoch == 1]["loss"].to_numpy()
    last = hist[hist.epoch == 30]["loss"].to_numpy()
    assert np.all(last < 0.8 * first)


@pytest.mark.parametrize("backend", ["torch", "compiled"])
def test_divergence_stops_with_step_and_learning_rate(backend, kernel_layout):
    x = torch.full((20, 1, 2), 10.0)
    net = ElmanSRN(2, 4, 2, output_activation="identity", nonlinearity="relu", random_state=0)
    with pytest.raises(TrainingDivergedError, match=r"epoch 1, step \d+ with learning rate 1e\+30"):
        Trainer(lr=1e30, loss="mse", backend=backend, quiet=True).fit(net, x, x)


def test_bad_training_input_is_a_clear_error():
    net = ElmanSRN(2, 3, 2, random_state=0)
    x = torch.zeros(5, 1, 2)
    with pytest.raises(DataError, match="targets must have shape"):
        Trainer(quiet=True).fit(net, x, torch.zeros(4, 1, 2))
    with pytest.raises(DataError, match="NaN"):
        Trainer(quiet=True).fit(net, x, torch.full((5, 1, 2), float("nan")))
    with pytest.raises(ConfigError, match="cross_entropy"):
        Trainer(loss="cross_entropy", quiet=True).fit(net, x, x)
    with pytest.raises(ConfigError, match="k2 must be >= k1"):
        TrainerConfig(method="tbptt", k1=3, k2=2)
    with pytest.raises(ConfigError, match="lr must be"):
        Trainer(lr=0)
    with pytest.raises(ConfigError, match="backend='compiled' cannot train"):
        Trainer(backend="compiled", optimizer="adam", quiet=True).fit(net, x, x)
    with pytest.raises(ConfigError, match="model must be a cogrnn model"):
        Trainer(quiet=True).fit(torch.nn.Linear(2, 2), x, x)


def test_progress_lines_off_a_terminal(capsys):
    net = ElmanSRN(1, 2, 1, random_state=0)
    x = torch.zeros(5, 1, 1)
    Trainer(epochs=20, quiet=False).fit(net, x, x)
    err = capsys.readouterr().err
    assert "20/20 done" in err
    Trainer(epochs=2, quiet=True).fit(net, x, x)
    assert capsys.readouterr().err == ""


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device here")
def test_bptt_on_cuda_matches_cpu():
    x = torch.randn(10, 4, 3, dtype=F64)
    nets = [GRUNetwork(3, 8, 3, n_replicas=4, random_state=0, dtype=F64, device=d) for d in ("cpu", "cuda")]
    for net in nets:
        Trainer(method="bptt", optimizer="adam", lr=0.01, loss="mse", epochs=3, quiet=True).fit(net, x, x)
    assert nets[1].device.type == "cuda"
    for p, q in zip(nets[0].parameters(), nets[1].parameters()):
        torch.testing.assert_close(p, q.cpu(), rtol=1e-9, atol=1e-9)


def test_loss_mask_counts_only_the_masked_steps():
    x = torch.randn(6, 3, 2, dtype=F64)
    y = torch.rand(6, 3, 2, dtype=F64)
    mask = torch.zeros(6, 3)
    mask[-1] = 1  # only the last step is scored
    a = GRUNetwork(2, 4, 2, random_state=0, dtype=F64)
    b = GRUNetwork(2, 4, 2, random_state=0, dtype=F64)
    Trainer(method="bptt", loss="mse", lr=0.1, quiet=True).fit(a, x, y, mask=mask)
    # the same update as a loss written on the last step only
    out = b(x)
    compute_loss("mse", out.logits[:, -1:], out.outputs[:, -1:], y[None, -1:]).sum().backward()
    for p, q in zip(a.parameters(), b.parameters()):
        torch.testing.assert_close(p.detach(), (q - 0.1 * q.grad).detach(), rtol=0, atol=1e-12)
    with pytest.raises(DataError, match="mask must have shape"):
        Trainer(method="bptt", quiet=True).fit(a, x, y, mask=torch.ones(5, 3))
    with pytest.raises(ConfigError, match="loss mask"):
        Trainer(backend="compiled", quiet=True).fit(ElmanSRN(2, 3, 2, random_state=0), x, y, mask=mask)


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_ensemble_replica_trains_on_its_whole_stream_whatever_the_others(dtype):
    from cogrnn.tasks.base import SequenceBatch
    from cogrnn.training import OnlineSRNConfig, stack_streams, train_srn_ensemble

    def stream(n_steps, seed):
        bits = np.random.default_rng(seed).integers(0, 2, (n_steps + 1, 1, 3)).astype(np.float64)
        return SequenceBatch(bits[:-1], bits[1:])

    cfg = OnlineSRNConfig(epochs=3, hidden_size=4, lr=0.3, momentum=0.5)
    streams = [stream(n, s) for s, n in enumerate((7, 12, 12, 20, 5))]
    seeds = np.random.SeedSequence(11).spawn(len(streams))
    ens = train_srn_ensemble(cfg, streams, seeds, dtype=dtype, quiet=True)
    for r, (b, s) in enumerate(zip(streams, seeds)):
        alone = train_srn_ensemble(cfg, [b], [s], dtype=dtype, quiet=True)
        # the whole stream, wrapping around: what the trainer does on this stream alone
        ref = ElmanSRN(3, 4, 3, replica_seeds=[s], dtype=dtype)
        Trainer(method="online", epochs=3, lr=0.3, momentum=0.5, quiet=True).fit(ref, b.inputs, b.targets)
        for (name, p), q, w in zip(ens.named_parameters(), alone.parameters(), ref.parameters()):
            assert torch.equal(p[r], q[0]), name
            assert torch.equal(p[r], w[0]), name
    with pytest.raises(DataError, match="one length"):
        stack_streams(streams[:2])


@pytest.mark.parametrize("model", ["elman", "jordan"])
def test_seeds_of_different_lengths_fit_in_threads_with_the_numbers_of_each_fit_alone(model, monkeypatch):
    # every seed its own length: one-replica fits side by side in threads (the compiled pass releases the GIL)
    import numba

    from cogrnn.tasks.base import SequenceBatch
    from cogrnn.training import OnlineSRNConfig, train_ensemble
    from cogrnn.training import ensembles as E

    def stream(n_steps, seed):
        bits = np.random.default_rng(seed).integers(0, 2, (n_steps + 1, 1, 3)).astype(np.float64)
        return SequenceBatch(bits[:-1], bits[1:])

    cfg = OnlineSRNConfig(model=model, epochs=4, hidden_size=5, lr=0.3, momentum=0.5)
    streams = [stream(n, s) for s, n in enumerate((9, 14, 6, 21, 11))]
    seeds = np.random.SeedSequence(23).spawn(len(streams))
    if numba.get_num_threads() < 2:
        pytest.skip("numba has one thread here")
    assert E._seed_threads(cfg, [[r] for r in range(5)], torch.float64) == min(5, numba.get_num_threads())
    assert E._seed_threads(OnlineSRNConfig(model="lstm"), [[0], [1]], torch.float64) == 1
    assert E._seed_threads(cfg, [[0, 1], [2]], torch.float64) == 1
    torch_threads = torch.get_num_threads()
    ens = train_ensemble(cfg, streams, seeds, quiet=True)
    assert torch.get_num_threads() == torch_threads
    monkeypatch.setattr(E, "_seed_threads", lambda *a: 1)  # the same fits one after another
    serial = train_ensemble(cfg, streams, seeds, quiet=True)
    for r, (b, s) in enumerate(zip(streams, seeds)):
        alone = train_ensemble(cfg, [b], [s], quiet=True)
        for (name, p), q, w in zip(ens.named_parameters(), alone.parameters(), serial.parameters()):
            assert torch.equal(p[r], q[0]), name
            assert torch.equal(p[r], w[r]), name


@pytest.mark.parametrize("cls", [ElmanSRN, JordanNetwork])
def test_one_replica_runs_its_passes_in_grouped_calls_with_the_bits_of_one_call_per_pass(cls):
    # R = 1 runs several passes per compiled call; R = 2 (by replica) one call per pass: the same bits
    seeds = np.random.SeedSequence(5).spawn(2)
    x = _stream((2, 9, 1, 3), seed=3)
    y = torch.rand(2, 9, 1, 2, dtype=F64, generator=torch.Generator().manual_seed(2))
    cfg = TrainerConfig(lr=0.3, momentum=0.5, epochs=9, backend="compiled")
    ens = cls(3, 4, 2, n_replicas=2, replica_seeds=seeds, dtype=F64)
    both = Trainer(cfg, quiet=True).fit(ens, x, y)
    one = cls(3, 4, 2, replica_seeds=seeds[:1], dtype=F64)
    alone = Trainer(cfg, quiet=True).fit(one, x[:1], y[:1])
    for p, q in zip(ens.parameters(), one.parameters()):
        assert torch.equal(p[:1], q)
    assert both.history_.query("seed == 0")["loss"].tolist() == alone.history_["loss"].tolist()
    assert alone.history_["epoch"].tolist() == list(range(1, 10))
    for s, t in zip(both.state_, alone.state_):
        assert torch.equal(s[:, :1], t)


def test_one_replica_divergence_names_its_epoch():
    x = torch.full((20, 1, 2), 10.0)
    net = ElmanSRN(2, 4, 2, output_activation="identity", nonlinearity="relu", random_state=0)
    with pytest.raises(TrainingDivergedError, match=r"replica 0 .* epoch 1, step \d+ with learning rate 1e\+30"):
        Trainer(lr=1e30, loss="mse", epochs=3, backend="compiled", quiet=True).fit(net, x, x)
