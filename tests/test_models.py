from __future__ import annotations

import numpy as np
import pytest
import torch

import cogrnn
from cogrnn.exceptions import ConfigError, DataError
from cogrnn.models import ElmanSRN, GRUNetwork, JordanNetwork, LSTMNetwork, RecurrentEnsemble
from cogrnn.registry import MODELS

ZOO = [n for n in MODELS.names() if issubclass(MODELS.get(n).factory, RecurrentEnsemble)]
MEMORIES = [n for n in MODELS.names() if n not in ZOO]


def test_every_registered_model_is_covered():
    assert set(ZOO) == {"elman", "jordan", "lstm", "gru"}
    assert set(MEMORIES) == {"hopfield", "modern-hopfield"}


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_shapes_and_dtypes_of_the_associative_memories(dtype):
    pats = np.where(np.random.default_rng(0).random((3, 4, 20)) < 0.5, -1.0, 1.0)
    net = cogrnn.make_model("hopfield", n_units=20, n_replicas=3, dtype=dtype).store(pats)
    assert net.weight.shape == (3, 20, 20) and net.weight.dtype == dtype
    res = net.recall(pats[:, :2], random_state=0)
    assert res.states.shape == (3, 2, 20) and res.states.dtype == dtype
    assert res.n_sweeps.shape == res.converged.shape == res.cycle.shape == (3, 2)
    modern = cogrnn.make_model("modern-hopfield", beta=2.0, dtype=dtype).store(pats)
    out = modern.retrieve(pats[:, :2])
    assert out.shape == (3, 2, 20) and out.dtype == dtype
    assert modern.energy(out).shape == (3, 2)


@pytest.mark.parametrize("name", ZOO)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("num_layers", [1, 2])
def test_shapes_and_dtypes_of_every_model(name, dtype, num_layers):
    R, T, B, I, H, O = 3, 6, 2, 4, 5, 3
    net = cogrnn.make_model(
        name, input_size=I, hidden_size=H, output_size=O, num_layers=num_layers,
        n_replicas=R, random_state=0, dtype=dtype,
    )  # fmt: skip
    for x in (
        torch.randn(T, B, I),
        torch.randn(R, T, B, I),
        np.random.default_rng(0).normal(size=(T, B, I)),
    ):
        out = net(x)
        assert out.outputs.shape == (R, T, B, O)
        assert out.logits.shape == (R, T, B, O)
        assert out.hidden.shape == (R, num_layers, T, B, H)
        assert all(s.dtype == dtype for s in out.state)
        assert out.outputs.dtype == dtype
        assert all(p.shape[0] == R for p in net.parameters())
    # continuing from the final state equals running the whole stream at once
    x = torch.randn(T, B, I, dtype=dtype)
    full = net(x)
    first = net(x[:3])
    second = net(x[3:], first.state)
    torch.testing.assert_close(torch.cat([first.outputs, second.outputs], 1), full.outputs)


@pytest.mark.parametrize("cls", [ElmanSRN, JordanNetwork, LSTMNetwork, GRUNetwork])
def test_replica_r_starts_where_a_single_network_from_its_seed_starts(cls):
    seeds = np.random.SeedSequence(5).spawn(4)
    ens = cls(2, 3, 2, n_replicas=4, replica_seeds=seeds)
    for r in (0, 3):
        single = cls(2, 3, 2, replica_seeds=[seeds[r]])
        for (name, p), q in zip(ens.named_parameters(), single.parameters()):
            assert torch.equal(p[r], q[0]), name
        extracted = ens.replica(r)
        x = torch.randn(5, 1, 2)
        torch.testing.assert_close(extracted(x).outputs[0], ens(x).outputs[r])


def test_replicas_differ_and_same_seed_is_identical():
    a = ElmanSRN(2, 3, 2, n_replicas=2, random_state=1)
    b = ElmanSRN(2, 3, 2, n_replicas=2, random_state=1)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    assert not torch.equal(a.weight_ho[0], a.weight_ho[1])


def test_elman_context_is_a_copy_of_hidden_initialised_to_half():
    net = ElmanSRN(1, 4, 1, random_state=0)
    (ctx,) = net.init_state(batch_size=3)
    assert ctx.shape == (1, 1, 3, 4) and torch.all(ctx == 0.5)
    out = net(torch.ones(3, 1, 1))
    torch.testing.assert_close(out.state[0][0], out.hidden[:, 0, -1])
    # step 2 is f(W_ih x + W_ch h_1 + b): context = copy of hidden at step 1
    h1 = out.hidden[0, 0, 0, 0]
    h2 = torch.sigmoid(net.weight_ih_l0[0] @ torch.ones(1) + net.weight_ch_l0[0] @ h1 + net.bias_h_l0[0])
    torch.testing.assert_close(out.hidden[0, 0, 1, 0], h2)
    assert torch.all((0 < out.hidden) & (out.hidden < 1))


def test_elman_init_range_and_nonlinearity():
    net = ElmanSRN(3, 20, 3, init_range=0.1, nonlinearity="tanh", random_state=0)
    assert max(p.abs().max().item() for p in net.parameters()) <= 0.1
    out = net(torch.randn(4, 1, 3))
    assert out.hidden.min() < 0  # tanh units go negative


@pytest.mark.parametrize("name", ZOO)
@pytest.mark.parametrize("num_layers", [1, 3])
def test_every_model_has_the_same_state_and_hidden_layout(name, num_layers):
    """State tensors are (L_state, R, B, units), hidden (R, L, T, B, H), for every model."""
    R, T, B, I, H, O = 2, 5, 3, 4, 6, 3
    net = cogrnn.make_model(name, input_size=I, hidden_size=H, output_size=O, num_layers=num_layers, n_replicas=R)
    init = net.init_state(B)
    out = net(torch.rand(T, B, I))
    assert out.hidden.shape == (R, num_layers, T, B, H)
    assert [s.shape for s in out.state] == [s.shape for s in init]
    for s in init:
        assert s.ndim == 4 and s.shape[1:3] == (R, B)
        # Jordan's one recurrent loop runs through the output units; the others' through each layer's hidden units
        assert s.shape[0] == (1 if name == "jordan" else num_layers)
        assert s.shape[3] == (O if name == "jordan" else H)
    # replica r of the state is replica r's own: continuing a stream replica by replica gives the same numbers
    first = net(torch.rand(T, B, I, generator=torch.Generator().manual_seed(1)))
    x2 = torch.rand(T, B, I, generator=torch.Generator().manual_seed(2))
    both = net(x2, first.state)
    alone = net.replica(1)(x2, tuple(s[:, 1:2] for s in first.state))
    torch.testing.assert_close(both.outputs[1:2], alone.outputs, rtol=0, atol=0)


def test_jordan_state_is_decayed_copy_of_output():
    net = JordanNetwork(2, 3, 2, mu=0.5, random_state=0)
    out = net(torch.randn(3, 1, 2))
    s, y = out.state
    y1, y2 = out.outputs[0, 0, 0], out.outputs[0, 1, 0]
    # s used at step 3 = mu * (mu * y1) + y2 (state starts at 0)
    torch.testing.assert_close(s[0, 0, 0], 0.5 * y1 + y2)
    torch.testing.assert_close(y[0, 0, 0], out.outputs[0, 2, 0])
    with pytest.raises(ConfigError, match="mu must be a number in"):
        JordanNetwork(2, 3, 2, mu=1.0)


def test_gated_match_torch_cells():
    torch.manual_seed(0)
    for cls, ref_cls in ((LSTMNetwork, torch.nn.LSTM), (GRUNetwork, torch.nn.GRU)):
        net = cls(3, 4, 2, num_layers=2, random_state=0, dtype=torch.float64)
        ref = ref_cls(3, 4, num_layers=2).double()
        with torch.no_grad():
            for name, p in ref.named_parameters():
                p.copy_(getattr(net, name)[0])
        x = torch.randn(5, 2, 3, dtype=torch.float64)
        out = net(x)
        ref_out, _ = ref(x)
        torch.testing.assert_close(out.hidden[0, -1], ref_out)


def test_bad_inputs_are_clear_errors():
    net = ElmanSRN(3, 4, 2, n_replicas=2, random_state=0)
    with pytest.raises(DataError, match="4 features but the model has input_size=3"):
        net(torch.zeros(5, 1, 4))
    with pytest.raises(DataError, match="replicas"):
        net(torch.zeros(3, 5, 1, 3))
    with pytest.raises(DataError, match="shape"):
        net(torch.zeros(5))
    with pytest.raises(DataError, match=r"torch\.Tensor or numpy"):
        net([[0.0, 0.0, 0.0]])
    with pytest.raises(DataError, match=r"state\[0\] has shape"):
        net(torch.zeros(5, 1, 3), (torch.zeros(1, 2, 7, 4),))
    with pytest.raises(ConfigError, match="hidden_size"):
        ElmanSRN(3, 0, 2)
    with pytest.raises(ConfigError, match="nonlinearity"):
        ElmanSRN(3, 2, 2, nonlinearity="swish")
    with pytest.raises(ConfigError, match="one seed per replica"):
        ElmanSRN(3, 2, 2, n_replicas=2, replica_seeds=[1])
    with pytest.raises(ConfigError, match="dtype"):
        ElmanSRN(3, 2, 2, dtype=torch.int32)


def test_lstm_forget_bias_shifts_only_the_forget_gate():
    a = LSTMNetwork(2, 3, 1, num_layers=2, random_state=0)
    b = LSTMNetwork(2, 3, 1, num_layers=2, random_state=0, forget_bias=1.0)
    for layer in range(2):
        diff = b.weight(f"bias_hh_l{layer}") - a.weight(f"bias_hh_l{layer}")
        torch.testing.assert_close(diff[:, 3:6], torch.ones(1, 3))
        assert torch.all(diff[:, :3] == 0) and torch.all(diff[:, 6:] == 0)
    with pytest.raises(ConfigError, match="forget_bias needs bias"):
        LSTMNetwork(2, 3, 1, bias=False, forget_bias=1.0)


# -- issue 13: library errors are cogrnn's, one line, naming the argument ----------------


def _one_line(exc_type, match, f):
    import re

    with pytest.raises(exc_type, match=re.escape(match)) as info:
        f()
    assert "\n" not in str(info.value)


def test_unavailable_or_unknown_device_is_a_config_error():
    from cogrnn.exceptions import ConfigError
    from cogrnn.models import ElmanSRN, GRUNetwork

    if not torch.cuda.is_available():
        _one_line(ConfigError, "device='cuda:0' is not available", lambda: ElmanSRN(1, 2, 1, device="cuda:0"))
        _one_line(ConfigError, "device='cuda' is not available", lambda: GRUNetwork(1, 2, 1, device="cuda"))
    _one_line(ConfigError, "device must be 'cpu', 'cuda', 'cuda:N' or 'mps'; got 'gpu7'",
              lambda: ElmanSRN(1, 2, 1, device="gpu7"))  # fmt: skip


def test_wrong_state_types_are_data_errors_naming_the_state():
    from cogrnn.exceptions import DataError
    from cogrnn.models import ElmanSRN, LSTMNetwork

    net = ElmanSRN(1, 2, 1)
    x = torch.zeros(5, 1, 1)
    _one_line(DataError, "state must be a tuple of 1 tensor(s), as from init_state(); got int", lambda: net(x, 3))
    _one_line(DataError, "state[0] must be a torch.Tensor or numpy array; got int", lambda: net(x, (3,)))
    _one_line(DataError, "state[0] must be finite", lambda: net(x, (torch.full((1, 1, 1, 2), float("nan")),)))
    _one_line(
        DataError, "state[0] has shape (1, 1, 1, 3); expected (1, 1, 1, 2)", lambda: net(x, (torch.zeros(1, 1, 1, 3),))
    )
    lstm = LSTMNetwork(1, 2, 1)
    _one_line(
        DataError,
        "state[1] must be real",
        lambda: lstm(x, (torch.zeros(1, 1, 1, 2), torch.zeros(1, 1, 1, 2, dtype=torch.complex64))),
    )
    out = net(x, (np.full((1, 1, 1, 2), 0.5),))  # arrays are accepted, as for inputs
    assert torch.equal(out.outputs, net(x).outputs)


def test_complex_nan_and_out_of_range_inputs_are_refused_as_inputs():
    from cogrnn.exceptions import DataError
    from cogrnn.models import ElmanSRN
    from cogrnn.training import Trainer

    net = ElmanSRN(1, 2, 1)
    _one_line(DataError, "inputs must be real; got dtype torch.complex64 (complex values are not cast)",
              lambda: net(torch.zeros(5, 1, 1, dtype=torch.complex64)))  # fmt: skip
    _one_line(DataError, "inputs must hold real numbers; got a numpy array of dtype complex128",
              lambda: net(np.zeros((5, 1, 1), dtype=complex)))  # fmt: skip
    _one_line(DataError, "inputs must hold real numbers; got a numpy array of dtype object",
              lambda: net(np.array([[["a"]]], dtype=object)))  # fmt: skip
    _one_line(
        DataError, "inputs must be finite; got NaN or infinite values", lambda: net(torch.full((5, 1, 1), np.nan))
    )
    y = np.zeros((5, 1, 1))
    for method in ("online", "bptt"):  # named as inputs, not blamed on the learning rate
        fit = Trainer(method=method, epochs=1, quiet=True).fit
        _one_line(DataError, "inputs must be finite", lambda f=fit: f(net, np.full((5, 1, 1), np.nan), y))
        _one_line(DataError, "inputs hold values beyond the range of torch.float32 (largest 3.4e+38)",
                  lambda f=fit: f(net, np.full((5, 1, 1), 1e39), y))  # fmt: skip
        _one_line(DataError, "targets must hold real numbers; got a numpy array of dtype complex128",
                  lambda f=fit: f(net, y, y.astype(complex)))  # fmt: skip
        _one_line(DataError, "targets must be finite", lambda f=fit: f(net, y, np.full((5, 1, 1), np.inf)))
    bptt = Trainer(method="bptt", epochs=1, quiet=True)
    _one_line(DataError, "mask must be finite", lambda: bptt.fit(net, y, y, mask=np.full((5, 1), np.nan)))
    # float64 models take the same values
    wide = ElmanSRN(1, 2, 1, dtype=torch.float64)
    assert torch.isfinite(wide(np.full((5, 1, 1), 1e39)).outputs).all()


def test_model_sizes_are_bounded_before_allocation():
    import time

    from cogrnn.exceptions import ConfigError
    from cogrnn.models import ElmanSRN

    start = time.perf_counter()
    _one_line(ConfigError, "the parameters of ElmanSRN of shape (1000, 1000003000001) would need 8.0 PB of memory; "
              "the limit is 68.7 GB", lambda: ElmanSRN(1, 10**6, 1, n_replicas=1000))  # fmt: skip
    assert time.perf_counter() - start < 2


def test_a_replica_computes_alone_what_it_computes_beside_others():
    from cogrnn.models import ElmanSRN, GRUNetwork, JordanNetwork, LSTMNetwork
    from cogrnn.training import Trainer

    rng = np.random.default_rng(0)
    for cls in (ElmanSRN, JordanNetwork, LSTMNetwork, GRUNetwork):
        for dtype in (torch.float32, torch.float64):
            kw = {} if cls in (ElmanSRN, JordanNetwork) else {"output_activation": "logistic"}
            ens = cls(3, 16, 2, n_replicas=3, replica_seeds=[1, 2, 3], dtype=dtype, **kw)
            alone = ens.replica(1)
            x = rng.integers(0, 2, (3, 12, 16, 3)).astype(float)
            y = rng.integers(0, 2, (3, 12, 16, 2)).astype(float)
            for net, xx, yy in ((ens, x, y), (alone, x[1:2].copy(), y[1:2].copy())):
                Trainer(method="bptt", optimizer="adam", lr=0.01, loss="bce", epochs=2, batch_size=4,
                        clip_grad_norm=1.0, quiet=True).fit(net, xx, yy, random_state=0)  # fmt: skip
            for p, q in zip(ens.parameters(), alone.parameters()):
                assert torch.equal(p[1:2], q), (cls.__name__, dtype)
            assert torch.equal(ens(x).outputs[1:2], alone(x[1:2].copy()).outputs)
