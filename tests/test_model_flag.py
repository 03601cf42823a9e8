"""--model/--layers and the architecture fields of the Elman replications (OnlineSRNConfig)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from cogrnn.cli import main
from cogrnn.exceptions import ConfigError
from cogrnn.registry import get_replication
from cogrnn.replication import run_replication
from cogrnn.tasks import TemporalXOR
from cogrnn.training import OnlineSRNConfig, build_ensemble, state_name, train_ensemble, train_srn_ensemble

SMALL = ["--set", "epochs=2", "--set", "test_triples=10", "--set", "n_triples=20"]


def _one_line_error(capsys, argv, match):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("cogrnn: error:") and "\n" not in err and "Traceback" not in err, err
    assert match in err, err


def test_model_flag_runs_an_lstm_of_two_layers(tmp_path, capsys):
    argv = ["replicate", "elman-xor", "--quick", "--seeds", "2", "--model", "lstm", "--layers", "2", "--quiet",
            "--out", str(tmp_path), *SMALL]  # fmt: skip
    assert main(argv) == 0
    prov = json.loads((tmp_path / "elman-xor" / "provenance.json").read_text())
    assert prov["config"]["model"] == "lstm" and prov["config"]["layers"] == 2
    assert prov["overrides"]["model"] == "lstm" and "training_method" in prov["free_parameters"]
    assert "architecture" in prov["free_parameters"]
    hidden = pd.read_parquet(tmp_path / "elman-xor" / "hidden.parquet")
    assert hidden["unit"].nunique() == 2  # hidden_size units of the analysed layer


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"model": "transformer"}, "model must be one of"),
        ({"layers": 0}, "layers"),
        ({"state": "c"}, "needs model='lstm'"),
        ({"model": "gru", "state": "c"}, "needs model='lstm'"),
        ({"state": "z"}, "state must be one of"),
        ({"state_layer": 1}, "state_layer must be < layers"),
        ({"method": "tbptt"}, "needs k2"),
        ({"method": "tbptt", "k1": 5, "k2": 2}, "k2 must be >= k1"),
        ({"k2": 4}, "for method='tbptt'"),
        ({"method": "bptt"}, "method must be one of"),
    ],
)
def test_bad_architecture_fields_are_config_errors(changes, match):
    with pytest.raises(ConfigError, match=match):
        OnlineSRNConfig().with_values(changes)


def test_cli_errors(capsys, tmp_path):
    out = ["--out", str(tmp_path)]
    _one_line_error(capsys, ["replicate", "hopfield-recall", "--quick", "--model", "lstm", *out], "no --model/--layers")
    _one_line_error(capsys, ["replicate", "gradient-flow", "--quick", "--layers", "2", *out], "gradient-flow")
    _one_line_error(capsys, ["replicate", "elman-xor", "--quick", "--model", "rnn", *out], "model must be one of")
    _one_line_error(capsys, ["replicate", "elman-xor", "--quick", "--layers", "0", *out], "--layers")
    _one_line_error(
        capsys, ["replicate", "elman-xor", "--quick", "--model", "gru", "--set", "model=lstm", *out], "given both"
    )
    _one_line_error(capsys, ["replicate", "elman-letters", "--quick", "--set", "state=c", *out], "needs model='lstm'")


def test_device_flag_is_gradient_flows_config_field(capsys, tmp_path):
    import torch

    out = ["--out", str(tmp_path)]
    _one_line_error(capsys, ["replicate", "elman-xor", "--quick", "--device", "cpu", *out], "has no --device")
    _one_line_error(capsys, ["replicate", "gradient-flow", "--quick", "--device", "gpu7", *out], "device must be")
    _one_line_error(
        capsys, ["replicate", "gradient-flow", "--quick", "--device", "cpu", "--set", "device=cpu", *out], "given both"
    )
    if not torch.cuda.is_available():
        _one_line_error(capsys, ["replicate", "gradient-flow", "--quick", "--device", "cuda", *out], "not available")
    rep = get_replication("gradient-flow")
    config = rep.config(quick=True).with_values({"device": "cpu"})
    from cogrnn.replications.gradient_flow import _models

    models = _models(config, [0, 1])
    assert {str(m.device) for m in models.values()} == {"cpu"}


def test_set_model_and_layers_parse():
    cls = get_replication("elman-letters").config_class
    assert cls.parse_assignments(["model=lstm", "layers=2", "k2=10", "state_layer=none"]) == {
        "model": "lstm", "layers": 2, "k2": 10, "state_layer": None,
    }  # fmt: skip


def test_state_choice_selects_the_analysed_state(tmp_path):
    rep = get_replication("elman-xor")
    small = {"epochs": 2, "test_triples": 10, "n_triples": 20, "model": "lstm", "layers": 2}
    tables = {}
    for state, layer in (("h", 1), ("c", 0)):
        run_replication(rep, n_seeds=1, quick=True, quiet=True, out=tmp_path / f"{state}{layer}",
                        overrides={**small, "state": state, "state_layer": layer})  # fmt: skip
        tables[state, layer] = pd.read_parquet(tmp_path / f"{state}{layer}" / "elman-xor" / "hidden.parquet")
    outputs = {k: pd.read_csv(tmp_path / f"{k[0]}{k[1]}" / "elman-xor" / "results.csv")["output"] for k in tables}
    for k in tables:  # one network: the outputs do not depend on the state analysed
        np.testing.assert_array_equal(outputs[k], outputs["h", 1])
    values = [tables[k]["activation"].to_numpy() for k in tables]
    assert all(not np.array_equal(a, b) for i, a in enumerate(values) for b in values[i + 1 :])
    assert (np.abs(tables["h", 1]["activation"]) < 1).all()  # h = o * tanh(c)


@pytest.mark.slow  # compiles the kernels of every architecture
def test_train_ensemble_every_architecture_and_tbptt():
    streams = [TemporalXOR(8).generate(1), TemporalXOR(8).generate(2), TemporalXOR(9).generate(3)]
    for model in ("elman", "jordan", "lstm", "gru"):
        cfg = OnlineSRNConfig(epochs=2, hidden_size=3, model=model, layers=2)
        net = train_ensemble(cfg, streams, [1, 2, 3], quiet=True)
        assert type(net).__name__.lower().startswith(model[:3]) and net.num_layers == 2 and net.n_replicas == 3
        untrained = build_ensemble(cfg, 1, 1, [1, 2, 3])
        assert any(not np.array_equal(a.detach(), b.detach()) for a, b in zip(net.parameters(),
                                                                               untrained.parameters()))  # fmt: skip
    cfg = OnlineSRNConfig(epochs=2, hidden_size=3, method="tbptt", k2=4)
    online = train_ensemble(cfg.replace(method="online", k2=None), streams, [1, 2, 3], quiet=True)
    tbptt = train_ensemble(cfg, streams, [1, 2, 3], quiet=True)
    assert not np.allclose(online.weight("weight_ch_l0").detach(), tbptt.weight("weight_ch_l0").detach())
    assert train_srn_ensemble is train_ensemble
    assert state_name(OnlineSRNConfig(model="lstm", layers=3, state="c")) == "c2"


def test_defaults_are_the_paper_network():
    cfg = OnlineSRNConfig()
    assert (cfg.model, cfg.layers, cfg.method, cfg.state, cfg.state_layer) == ("elman", 1, "online", "h", None)
    net = build_ensemble(cfg, 1, 1, [0])
    assert type(net).__name__ == "ElmanSRN" and net.init_range == 0.5 and net.output_activation == "logistic"
    lstm = build_ensemble(cfg.replace(model="lstm"), 1, 1, [0])
    assert lstm.output_activation == "logistic"  # the same loss on the same output units as the SRN
