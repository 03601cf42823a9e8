"""evaluate(): a frozen network's outputs, errors and states of every step and layer as a Recording."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from cogrnn.analysis.recording import Recording, evaluate
from cogrnn.exceptions import ConfigError, DataError
from cogrnn.models import ElmanSRN, GRUNetwork, JordanNetwork, LSTMNetwork

R, T, B, I, H, O = 3, 7, 2, 4, 5, 3


def _stream(seed=0, shape=(T, B, I)):
    return np.random.default_rng(seed).random(shape)


def _one_line(exc, match, fn):
    with pytest.raises(exc, match=match) as info:
        fn()
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("model", [ElmanSRN, JordanNetwork, LSTMNetwork, GRUNetwork])
def test_shapes_and_descriptor_order(model):
    net = model(I, H, O, n_replicas=R, random_state=0)
    x, y = _stream(), _stream(1, (T, B, O))
    letters = np.array(list("abcdefg"))
    rec = evaluate(net, x, y, {"letter": letters, "pos": np.arange(T * B).reshape(T, B)})
    assert rec.descriptors.columns.tolist() == ["seed", "t", "sequence", "letter", "pos"]
    assert rec.states.shape == (R * T * B, H) and rec.outputs.shape == rec.targets.shape == (R * T * B, O)
    assert rec.sq_error.shape == (R * T * B,) and rec.errors.shape == (R * T * B, O)
    d = rec.descriptors
    # ordered (seed, t, sequence)
    assert d["seed"].tolist() == np.repeat(np.arange(R), T * B).tolist()
    assert d["t"].tolist() == np.tile(np.repeat(np.arange(T), B), R).tolist()
    assert d["sequence"].tolist() == np.tile(np.arange(B), R * T).tolist()
    assert d["letter"].tolist() == np.tile(np.repeat(letters, B), R).tolist()
    assert d["pos"].tolist() == np.tile(np.arange(T * B), R).tolist()
    with torch.no_grad():
        out = net(torch.as_tensor(x, dtype=net.dtype))
    row = (2 * T + 4) * B + 1  # seed 2, t 4, sequence 1
    np.testing.assert_array_equal(rec.states[row], out.hidden[2, -1, 4, 1].double().numpy())
    np.testing.assert_array_equal(rec.outputs[row], out.outputs[2, 4, 1].double().numpy())
    np.testing.assert_array_equal(rec.targets[row], y[4, 1])


def test_replica_descriptors_of_shape_r_t_and_r_t_b():
    net = ElmanSRN(I, H, O, n_replicas=R, random_state=0)
    rt = np.arange(R * T).reshape(R, T)
    rtb = np.arange(R * T * B).reshape(R, T, B)
    rec = evaluate(net, _stream(), descriptors={"rt": rt, "rtb": rtb})
    assert rec.descriptors["rt"].tolist() == np.repeat(rt.reshape(-1), B).tolist()
    assert rec.descriptors["rtb"].tolist() == rtb.reshape(-1).tolist()


@pytest.mark.parametrize("model", [ElmanSRN, JordanNetwork, LSTMNetwork])
def test_per_replica_streams_with_lengths_equal_each_replica_alone(model):
    net = model(I, H, O, n_replicas=R, random_state=3)
    lengths = [7, 3, 5]
    x = np.stack([_stream(r) for r in range(R)])
    y = np.stack([_stream(10 + r, (T, B, O)) for r in range(R)])
    word = np.array([[f"w{r}_{t}" for t in range(T)] for r in range(R)])
    rec = evaluate(net, x, y, {"word": word}, lengths=lengths)
    assert rec.n_obs == sum(lengths) * B
    for r, n in enumerate(lengths):
        alone = evaluate(net.replica(r), x[r, :n], y[r, :n], {"word": word[r, :n]})
        part = rec.subset(seed=r)
        np.testing.assert_array_equal(part.states, alone.states)
        np.testing.assert_array_equal(part.outputs, alone.outputs)
        np.testing.assert_array_equal(part.sq_error, alone.sq_error)
        for key in alone.layer_states:
            np.testing.assert_array_equal(part.layer_states[key], alone.layer_states[key])
        assert part.descriptors["t"].tolist() == alone.descriptors["t"].tolist()
        assert part.descriptors["word"].tolist() == alone.descriptors["word"].tolist()


def _old_evaluate_stream(net, x, y):
    """What evaluate_stream computed before it became a wrapper of evaluate: one pass, float64 errors."""
    with torch.no_grad():
        out = net(x)
    outputs = out.outputs.double().cpu().numpy()
    return {"outputs": outputs, "hidden": out.hidden.double().numpy(), "sq_error": (outputs - np.asarray(y)) ** 2}


@pytest.mark.parametrize("shared", [True, False])
@pytest.mark.parametrize("chunk_size", [3, 4096])
def test_errors_bit_identical_to_the_former_evaluate_stream(shared, chunk_size):
    net = ElmanSRN(I, H, O, n_replicas=R, random_state=5)
    x = _stream(0, (T, B, I)) if shared else _stream(0, (R, T, B, I))
    y = _stream(1, (T, B, O)) if shared else _stream(1, (R, T, B, O))
    ev = _old_evaluate_stream(net, x, y)
    rec = evaluate(net, x, y, chunk_size=chunk_size)  # chunked: the state carries over, the numbers do not change
    assert np.array_equal(rec.errors**2, ev["sq_error"].reshape(-1, O))
    assert np.array_equal(rec.sq_error, ev["sq_error"].sum(-1).reshape(-1))
    assert np.array_equal(rec.outputs, ev["outputs"].reshape(-1, O))
    assert np.array_equal(rec.states, ev["hidden"][:, -1].reshape(-1, H))


def test_stacked_layers_and_lstm_cells_are_recorded():
    net = LSTMNetwork(I, H, O, num_layers=2, n_replicas=R, random_state=0)
    x = _stream()
    rec = evaluate(net, x)
    assert sorted(rec.layer_states) == ["c0", "c1", "h0", "h1"] and rec.state_name == "h1"
    assert rec.targets is None
    with torch.no_grad():
        out = net(torch.as_tensor(x, dtype=net.dtype))
    h_last, c_last = out.state
    for layer in (0, 1):
        h = rec.layer_states[f"h{layer}"].reshape(R, T, B, H)
        c = rec.layer_states[f"c{layer}"].reshape(R, T, B, H)
        np.testing.assert_array_equal(h, out.hidden[:, layer].double().numpy())
        np.testing.assert_array_equal(c[:, -1], c_last[layer].double().numpy())
        np.testing.assert_array_equal(h[:, -1], h_last[layer].double().numpy())
        # h = o * tanh(c): the cells are the ones behind the hidden states (|h| <= |tanh c|)
        assert np.all(np.abs(h) <= np.abs(np.tanh(c)) + 1e-6)
    layer0 = rec.with_states("h0")
    np.testing.assert_array_equal(layer0.states, rec.layer_states["h0"])
    assert layer0.state_name == "h0" and layer0.outputs is rec.outputs
    srn = evaluate(ElmanSRN(I, H, O, num_layers=3, random_state=0), x)
    assert sorted(srn.layer_states) == ["h0", "h1", "h2"]
    _one_line(DataError, "no recorded states 'c0'; known: h0, h1, h2", lambda: srn.with_states("c0"))


def test_mean_by_and_subset_carry_outputs_targets_and_layers():
    net = LSTMNetwork(I, H, O, n_replicas=R, random_state=0)
    rec = evaluate(net, _stream(), _stream(1, (T, B, O)), {"half": np.arange(T) < 3})
    m = rec.mean_by("seed", "half")
    assert m.n_obs == 2 * R and m.outputs.shape == m.targets.shape == (2 * R, O)
    sel = (rec.descriptors["seed"] == 1) & rec.descriptors["half"]
    np.testing.assert_allclose(m.outputs[3], rec.outputs[sel.to_numpy()].mean(0))
    np.testing.assert_allclose(m.targets[3], rec.targets[sel.to_numpy()].mean(0))
    np.testing.assert_allclose(m.layer_states["c0"][3], rec.layer_states["c0"][sel.to_numpy()].mean(0))
    s = rec.subset(seed=1, half=True)
    np.testing.assert_array_equal(s.errors, rec.errors[sel.to_numpy()])
    np.testing.assert_array_equal(s.layer_states["c0"], rec.layer_states["c0"][sel.to_numpy()])
    assert s.state_name == "h0"
    long = s.to_df(what="errors")
    assert long.columns.tolist() == ["seed", "t", "sequence", "half", "unit", "error"]
    outs = rec.to_df(what="outputs")
    assert outs.columns.tolist()[-2:] == ["unit", "output"] and outs["unit"].max() == O - 1
    np.testing.assert_array_equal(outs["output"].to_numpy(), rec.outputs.reshape(-1))
    np.testing.assert_array_equal(long["error"].to_numpy(), s.errors.reshape(-1))
    wide = s.to_df(long=False, what="outputs")
    assert [c for c in wide.columns if c.startswith("output_")] == [f"output_{k}" for k in range(O)]


def test_from_model_is_evaluate_without_targets():
    net = ElmanSRN(I, H, O, num_layers=2, n_replicas=R, random_state=0)
    x = _stream()
    rec = Recording.from_model(net, x, layer=0)
    ref = evaluate(net, x).with_states("h0")
    np.testing.assert_array_equal(rec.states, ref.states.astype(np.float32))
    assert rec.states.dtype == np.float32 and rec.targets is None and rec.state_name == "h0"


def test_bad_inputs_give_one_line_errors():
    net = ElmanSRN(I, H, O, n_replicas=R, random_state=0)
    x = _stream()
    _one_line(
        DataError, r"targets of shape \(7, 2, 2\) do not match outputs", lambda: evaluate(net, x, np.zeros((T, B, 2)))
    )
    _one_line(DataError, "descriptor 'w' must have shape", lambda: evaluate(net, x, descriptors={"w": np.zeros(T + 1)}))
    _one_line(
        DataError, "descriptor 'seed' is set by evaluate", lambda: evaluate(net, x, descriptors={"seed": np.zeros(T)})
    )
    _one_line(DataError, "lengths must have one entry per replica", lambda: evaluate(net, x, lengths=[1, 2]))
    _one_line(ConfigError, r"lengths\[1\] must be an integer in \[1, 7\]", lambda: evaluate(net, x, lengths=[1, 8, 2]))
    _one_line(ConfigError, "lengths must be a sequence", lambda: evaluate(net, x, lengths=3))
    _one_line(ConfigError, "chunk_size must be an integer", lambda: evaluate(net, x, chunk_size=0))
    _one_line(ConfigError, "model must be a cogrnn recurrent network", lambda: evaluate(object(), x))
    _one_line(DataError, "inputs have 3 features", lambda: evaluate(net, x[..., :3]))
    _one_line(DataError, "targets must be finite", lambda: evaluate(net, x, np.full((T, B, O), np.nan)))
    ambiguous = ElmanSRN(I, H, O, n_replicas=T, random_state=0)
    _one_line(
        DataError, "is ambiguous", lambda: evaluate(ambiguous, np.zeros((T, T, I)), descriptors={"w": np.zeros((T, T))})
    )
    rec = evaluate(net, x)
    _one_line(DataError, "this Recording has no targets", lambda: rec.sq_error)
    _one_line(ConfigError, "what must be one of", lambda: rec.to_df(what="logits"))


def test_a_tasks_own_step_index_is_accepted_and_a_different_one_refused():
    from cogrnn.tasks import TemporalXOR

    batch = TemporalXOR(n_triples=4).generate(random_state=0)
    net = ElmanSRN(1, 2, 1, n_replicas=2, random_state=0)
    rec = evaluate(net, batch.inputs, batch.targets, batch.descriptors)  # carries t, the same step index
    assert rec.descriptors.columns.tolist()[:3] == ["seed", "t", "sequence"]
    assert "target_phase" in rec.descriptors.columns
    with pytest.raises(DataError, match="'t' is set by evaluate"):
        evaluate(net, batch.inputs, batch.targets, {"t": batch.descriptors["t"] + 1})


def test_predictions_table_feeds_step_errors():
    from cogrnn.analysis import step_errors

    net = ElmanSRN(I, H, O, n_replicas=R, random_state=1)
    x, y = _stream(0, (T, B, I)), _stream(1, (T, B, O))
    rec = evaluate(net, x, y)
    table = rec.to_df(what="predictions")
    assert table.columns.tolist() == ["seed", "t", "sequence", "unit", "output", "target", "error", "sq_error"]
    steps = step_errors(table[table["sequence"] == 0], feature="unit")
    expected = rec.subset(sequence=0).sq_error
    np.testing.assert_allclose(steps["sse"].to_numpy(), expected, rtol=1e-12)
    with pytest.raises(ConfigError, match="long table"):
        rec.to_df(long=False, what="predictions")
    with pytest.raises(DataError, match="no outputs and targets"):
        evaluate(net, x).to_df(what="predictions")
