"""Checkpoints: save/load of every zoo model and ensembles, bit-identical; bad files refused."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np
import pytest
import torch

from cogrnn.checkpoint import FORMAT_VERSION, load, load_checkpoint, read_header, save
from cogrnn.exceptions import ConfigError, DataError
from cogrnn.registry import make_model
from cogrnn.tasks import random_patterns

FIXTURES = Path(__file__).parent / "fixtures"
X = torch.eye(5, dtype=torch.float64)[[0, 3, 1, 4, 2, 2, 0]].unsqueeze(1)  # (T, B, I) = (7, 1, 5)

RECURRENT = [
    ("elman", {"context_init": 0.3, "nonlinearity": "tanh"}),
    ("jordan", {"mu": 0.25}),
    ("lstm", {"forget_bias": 1.0, "num_layers": 2}),
    ("gru", {"output_activation": "softmax", "bias": False}),
]


def fixture_input() -> torch.Tensor:
    return X


@pytest.mark.parametrize(("model_id", "extra"), RECURRENT)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_recurrent_roundtrip_is_bit_identical(tmp_path, model_id, extra, dtype):
    net = make_model(model_id, input_size=5, hidden_size=6, output_size=5, n_replicas=3, random_state=7, dtype=dtype,
                     **extra)  # fmt: skip
    with torch.no_grad():  # a "trained" network: weights moved away from their initial values
        for p in net.parameters():
            p.add_(0.01 * torch.arange(p.numel(), dtype=dtype).reshape(p.shape).sin())
    path = save(net, tmp_path / "m.safetensors", vocabulary=["a", "b"], seeds=np.arange(3))
    ckpt = load_checkpoint(path)
    again = ckpt.model
    assert type(again) is type(net) and again.hyperparameters() == net.hyperparameters()
    a, b = net(X), again(X)
    assert torch.equal(a.outputs, b.outputs) and torch.equal(a.hidden, b.hidden)
    assert [s.spawn_key for s in again.replica_seeds] == [s.spawn_key for s in net.replica_seeds]
    h = ckpt.header
    assert h["model_id"] == f"{model_id}-v1" and h["metadata"] == {"vocabulary": ["a", "b"], "seeds": [0, 1, 2]}
    assert h["versions"]["torch"] == torch.__version__ and h["format_version"] == FORMAT_VERSION
    assert h["constructor"]["n_replicas"] == 3
    # one replica of the reloaded ensemble is that replica
    assert torch.equal(again.replica(2)(X).outputs[0], a.outputs[2])


@pytest.mark.parametrize("rule", ["hebbian", "storkey", "pseudoinverse"])
def test_hopfield_roundtrip(tmp_path, rule):
    pats = random_patterns(3, 16, random_state=0)
    net = make_model("hopfield", n_units=16, rule=rule, n_replicas=2).store(np.stack([pats, -pats]))
    again = load(save(net, tmp_path / "h.safetensors"))
    cues = np.sign(np.random.default_rng(1).normal(size=(4, 16)))
    assert torch.equal(net.weight, again.weight) and again.n_patterns == 3
    r1, r2 = net.recall(cues, random_state=3), again.recall(cues, random_state=3)
    assert torch.equal(r1.states, r2.states)
    empty = load(save(make_model("hopfield", n_units=4), tmp_path / "e.safetensors"))
    assert empty.n_patterns == 0


def test_modern_hopfield_roundtrip(tmp_path):
    net = make_model("modern-hopfield", beta=2.0).store(random_patterns(5, 8, random_state=0))
    again = load(save(net, tmp_path / "m.safetensors"))
    q = random_patterns(2, 8, random_state=1)
    assert again.beta == 2.0 and torch.equal(net.retrieve(q), again.retrieve(q))
    assert load(save(make_model("modern-hopfield"), tmp_path / "n.safetensors")).patterns is None


@pytest.fixture
def saved(tmp_path):
    net = make_model("lstm", input_size=5, hidden_size=4, output_size=5, n_replicas=2, random_state=0)
    return save(net, tmp_path / "ok.safetensors", note="x")


def test_truncated_files_are_refused(saved):
    data = saved.read_bytes()
    for cut in (0, 5, 100, len(data) - 3):
        saved.write_bytes(data[:cut])
        with pytest.raises(DataError, match=r"ok.safetensors: .*(truncated|not a cogrnn checkpoint)"):
            load(saved)


def test_tampered_files_are_refused(saved):
    data = bytearray(saved.read_bytes())
    tampered = bytearray(data)
    tampered[-5] ^= 0x01  # one bit of a weight
    saved.write_bytes(bytes(tampered))
    with pytest.raises(DataError, match="altered after it was written"):
        load(saved)
    text = bytes(data).replace(b'\\"note\\": \\"x\\"', b'\\"note\\": \\"y\\"')
    assert text != bytes(data)
    saved.write_bytes(text)
    with pytest.raises(DataError, match="altered after it was written"):
        load(saved)


def _rewrite_header(path: Path, change) -> None:
    """Rewrite the cogrnn header with ``change`` applied and a fresh hash (a consistent-looking file)."""
    from safetensors.torch import load as st_load
    from safetensors.torch import save as st_save

    from cogrnn.checkpoint import _digest

    tensors = st_load(path.read_bytes())
    header = read_header(path)
    change(header, tensors)
    header["sha256"] = _digest(header, tensors)
    path.write_bytes(st_save(tensors, metadata={"cogrnn": json.dumps(header)}))


def test_mismatched_files_are_refused(saved):
    _rewrite_header(saved, lambda h, t: h["constructor"].update(hidden_size=5))
    with pytest.raises(DataError, match=r"does not fit|expects"):
        load(saved)


def test_mismatched_class_and_newer_format(saved):
    data = saved.read_bytes()
    _rewrite_header(saved, lambda h, t: h.update({"class": "GRUNetwork"}))
    with pytest.raises(DataError, match="holds a GRUNetwork but lstm-v1"):
        load(saved)
    saved.write_bytes(data)
    _rewrite_header(saved, lambda h, t: h.update(format_version=FORMAT_VERSION + 1))
    with pytest.raises(DataError, match="newer than this cogrnn reads"):
        load(saved)
    saved.write_bytes(data)
    _rewrite_header(saved, lambda h, t: h.update(model_id="nosuch-v1"))
    with pytest.raises(DataError, match="nosuch"):
        load(saved)


def test_other_files_are_refused(tmp_path):
    from safetensors.torch import save_file

    save_file({"w": torch.zeros(2)}, tmp_path / "plain.safetensors")
    with pytest.raises(DataError, match="no readable cogrnn header"):
        load(tmp_path / "plain.safetensors")
    (tmp_path / "junk.safetensors").write_bytes(struct.pack("<Q", 4) + b"junk")
    with pytest.raises(DataError, match="not a cogrnn checkpoint"):
        load(tmp_path / "junk.safetensors")
    with pytest.raises(DataError, match="no such checkpoint"):
        load(tmp_path / "missing.safetensors")


def test_bad_saves_write_nothing(tmp_path):
    net = make_model("elman", input_size=2, hidden_size=2, output_size=2, random_state=0)
    with pytest.raises(ConfigError, match=r"metadata.when is a object"):
        save(net, tmp_path / "a.safetensors", when=object())
    with pytest.raises(ConfigError, match="NaN"):
        save(net, tmp_path / "a.safetensors", loss=float("nan"))
    with pytest.raises(ConfigError, match="not a cogrnn model"):
        save(torch.nn.Linear(2, 2), tmp_path / "a.safetensors")
    (tmp_path / "file").write_text("x")
    with pytest.raises(ConfigError, match="cannot be written"):
        save(net, tmp_path / "file" / "a.safetensors")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]  # no half-written or temporary file
    # an existing checkpoint survives a failed overwrite
    good = save(net, tmp_path / "good.safetensors")
    before = good.read_bytes()
    with pytest.raises(ConfigError):
        save(net, good, bad=object())
    assert good.read_bytes() == before


@pytest.mark.parametrize("name", ["checkpoint_v1_lstm.safetensors", "checkpoint_v1_elman.safetensors"])
def test_fixture_written_by_version_1_stays_loadable(name):
    """The fixtures were written by cogrnn 0.1.0.dev0 (format 1) with their outputs on X in the metadata."""
    ckpt = load_checkpoint(FIXTURES / name)
    expected = np.asarray(ckpt.header["metadata"]["expected_outputs"])
    got = ckpt.model(fixture_input().to(ckpt.model.dtype)).outputs.detach().double().numpy()
    assert ckpt.header["format_version"] == 1
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-7)


def write_fixtures() -> None:  # pragma: no cover - run by hand once, when the format was written
    """Write the fixture files of format 1 (``python -c "import tests.test_checkpoint as t; t.write_fixtures()"``)."""
    lstm = make_model("lstm", input_size=5, hidden_size=4, output_size=5, n_replicas=2, num_layers=2,
                      output_activation="softmax", random_state=16, dtype=torch.float64)  # fmt: skip
    elman = make_model("elman", input_size=5, hidden_size=3, output_size=5, n_replicas=3, random_state=1990)
    for net, name in ((lstm, "lstm"), (elman, "elman")):
        out = net(X.to(net.dtype)).outputs.detach().double().numpy()
        save(net, FIXTURES / f"checkpoint_v1_{name}.safetensors", expected_outputs=out,
             vocabulary={"tokens": ["<eos>", "a", "b", "c", "d"], "unknown": "error"})  # fmt: skip
