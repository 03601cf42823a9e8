"""cogrnn compare: one run per architecture on the same seeds and streams; tables, paired rows, plot-only, errors."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pandas as pd
import pytest

import cogrnn.replications.elman_xor as xor_module
from cogrnn.cli import main
from cogrnn.compare import claim_measure_table, model_label, parse_layers, parse_models, run_compare
from cogrnn.exceptions import ConfigError, DataError
from cogrnn.registry import get_replication
from cogrnn.sweep import SweepSpec, sweep_tasks

SMALL = {"epochs": 3, "test_triples": 20, "n_triples": 40}
MODELS = ["elman", "jordan"]  # both compiled: seconds


def _one_line_error(capsys, argv, match):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("cogrnn: error:") and "\n" not in err and "Traceback" not in err, err
    assert match in err, err


@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    """A quick comparison of elman-xor for two models and 3 seeds, recording every training stream."""
    seen = []
    original = xor_module.train_ensemble

    def spy(config, streams, seeds, **kw):
        digests = [hashlib.sha256(np.ascontiguousarray(b.inputs).tobytes()).hexdigest() for b in streams]
        seen.append({"model": config.model, "streams": digests, "seeds": [s.entropy for s in seeds],
                     "spawn": [tuple(s.spawn_key) for s in seeds]})  # fmt: skip
        return original(config, streams, seeds, **kw)

    xor_module.train_ensemble = spy
    try:
        out = tmp_path_factory.mktemp("cmp")
        res = run_compare(get_replication("elman-xor"), MODELS, n_seeds=3, quick=True, quiet=True, out=out,
                          overrides=SMALL)  # fmt: skip
    finally:
        xor_module.train_ensemble = original
    return res, seen


def test_compare_writes_the_files_and_per_model_runs(compared):
    res, _ = compared
    names = {p.name for p in res.out_dir.iterdir()}
    assert {"results.csv", "claims.csv", "claims.json", "paired.csv", "figure.png", "figure.pdf",
            "provenance.json", "elman", "jordan"} <= names  # fmt: skip
    for m in MODELS:
        prov = json.loads((res.out_dir / m / "elman-xor" / "provenance.json").read_text())
        assert prov["config"]["model"] == m and prov["config"]["layers"] == 1
        assert prov["overrides"]["model"] == m
    prov = json.loads((res.out_dir / "provenance.json").read_text())
    assert prov["complete"] and [r["label"] for r in prov["runs"]] == MODELS
    assert set(prov["outputs_sha256"]) >= {"results.csv", "paired.csv", "figure.png"}


def test_same_seeds_and_streams_for_every_model(compared):
    res, seen = compared
    assert [s["model"] for s in seen] == MODELS
    first, second = seen
    assert first["streams"] == second["streams"] and first["seeds"] == second["seeds"]
    assert first["spawn"] == second["spawn"]
    assert len(set(first["streams"])) == 3  # one stream per seed, not one shared
    results = pd.read_csv(res.out_dir / "results.csv")
    assert list(results.columns[:2]) == ["model", "layers"] and set(results["model"]) == set(MODELS)
    keys = ["seed", "t", "input", "target_phase", "target"]  # the test streams: the same for both models
    a, b = (results[results["model"] == m][keys].reset_index(drop=True) for m in MODELS)
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(results[results.model == "elman"]["output"], results[results.model == "jordan"]["output"])


def test_paired_rows_and_claims_table(compared):
    res, _ = compared
    paired = pd.read_csv(res.out_dir / "paired.csv")
    claims = json.loads((res.out_dir / "claims.json").read_text())
    ids = [c["id"] for c in claims["claims"] if c["model"] == "elman"]
    assert set(paired["claim"]) == set(ids)  # every elman-xor claim has its measure
    assert (paired["a"] == "elman").all() and (paired["b"] == "jordan").all() and (paired["n_pairs"] == 3).all()
    assert (paired["ci_low"] <= paired["mean_difference"] + 1e-12).all()
    assert (paired["mean_difference"] <= paired["ci_high"] + 1e-12).all()
    # the mean difference is the paired mean over seeds of the per-seed measures
    measures = get_replication("elman-xor")
    per_model = {}
    for m in MODELS:
        from cogrnn.replication import read_verified

        _, results, extras, _ = read_verified(measures, res.out_dir / m / "elman-xor")
        per_model[m] = measures.claim_measures(results, extras)
    for _, row in paired.iterrows():
        a = per_model["elman"].query("claim == @row.claim").set_index("seed")["value"]
        b = per_model["jordan"].query("claim == @row.claim").set_index("seed")["value"]
        assert row["mean_difference"] == pytest.approx(float((a - b).mean()))
    assert {c["model"] for c in claims["claims"]} == set(MODELS)
    table = pd.read_csv(res.out_dir / "claims.csv")
    assert len(table) == 2 * len(ids)
    roles = table[table["claim"] == "hidden-unit-roles"]
    assert (roles["applies_to"] == "srn-mechanism").all() and roles["note"].str.contains("2-unit SRN").all()
    assert (table.loc[table["claim"] != "hidden-unit-roles", "applies_to"] == "all").all()


@pytest.mark.slow
def test_same_numbers_for_the_same_seeds(compared, tmp_path):
    res, _ = compared
    run_compare(get_replication("elman-xor"), ["jordan"], n_seeds=3, quick=True, quiet=True, out=tmp_path,
                overrides=SMALL)  # fmt: skip
    a = pd.read_csv(res.out_dir / "results.csv").query("model == 'jordan'").reset_index(drop=True)
    pd.testing.assert_frame_equal(a, pd.read_csv(tmp_path / "results.csv"))


def test_plot_only_redraws_and_refuses_tampered_files(compared, tmp_path, capsys):
    import shutil

    res, _ = compared
    copy = tmp_path / "c"
    shutil.copytree(res.out_dir, copy)
    before = (copy / "paired.csv").read_bytes()
    assert main(["compare", "elman-xor", "--models", "elman,jordan", "--out", str(copy), "--plot-only",
                 "--quiet"]) == 0  # fmt: skip
    assert (copy / "paired.csv").read_bytes() == before
    assert "elman" in capsys.readouterr().out
    _one_line_error(capsys, ["compare", "elman-xor", "--models", "elman", "--out", str(copy), "--plot-only"],
                    "compares elman, jordan")  # fmt: skip
    _one_line_error(capsys, ["compare", "elman-xor", "--models", "elman,jordan", "--out", str(copy), "--plot-only",
                             "--seeds", "2"], "drop --seeds")  # fmt: skip
    with open(copy / "jordan" / "elman-xor" / "results.csv", "a") as fh:
        fh.write("0,0,0,0,0,0.5,0.25\n")
    _one_line_error(capsys, ["compare", "elman-xor", "--models", "elman,jordan", "--out", str(copy), "--plot-only"],
                    "sha256")  # fmt: skip
    shutil.rmtree(copy)
    shutil.copytree(res.out_dir, copy)
    (copy / "paired.csv").write_text("claim\nforged\n")
    _one_line_error(capsys, ["compare", "elman-xor", "--models", "elman,jordan", "--out", str(copy), "--plot-only"],
                    "paired.csv does not match")  # fmt: skip
    _one_line_error(capsys, ["compare", "elman-xor", "--models", "elman", "--out", str(tmp_path / "none"),
                             "--plot-only"], "does not exist")  # fmt: skip
    # what the caption states (root, seeds, mode, changes) must be what the hashed runs record
    for key, value in (
        ("root_seed", 7),
        ("mode", "full"),
        ("overrides", {"lr": 0.5}),
        ("overrides", {"model": "lstm"}),
    ):
        shutil.rmtree(copy)
        shutil.copytree(res.out_dir, copy)
        record = json.loads((copy / "provenance.json").read_text())
        record[key] = value
        (copy / "provenance.json").write_text(json.dumps(record))
        _one_line_error(capsys, ["compare", "elman-xor", "--models", "elman,jordan", "--out", str(copy),
                                 "--plot-only"], f"{key} not those of run elman")  # fmt: skip


@pytest.mark.parametrize(
    ("argv", "match"),
    [
        (["compare", "hopfield-recall", "--models", "elman,lstm", "--quick"], "no model/layers"),
        (["compare", "elman-xor", "--models", "elman,transformer", "--quick"], "unknown model 'transformer'"),
        (["compare", "elman-xor", "--models", "elman,elman", "--quick"], "twice"),
        (["compare", "elman-xor", "--models", "", "--quick"], "at least one model"),
        (["compare", "elman-xor", "--models", "elman", "--layers", "0", "--quick"], "--layers"),
        (["compare", "elman-xor", "--models", "elman", "--set", "model=lstm", "--quick"], "drop --set model"),
        (["compare", "elman-xor", "--models", "elman", "--set", "state=c", "--quick"], "needs model='lstm'"),
        (["compare", "elman-xor", "--models", "elman", "--seeds", "0", "--quick"], "--seeds"),
        (["compare", "nonesuch", "--models", "elman"], "unknown replication"),
    ],
)
def test_bad_input_is_one_line(capsys, tmp_path, argv, match):
    _one_line_error(capsys, [*argv, "--out", str(tmp_path / "o")], match)
    assert not (tmp_path / "o" / "elman").exists()  # validated before anything runs


def test_parsers_and_measure_table():
    assert parse_models("lstm,gru") == ["lstm", "gru"] and parse_layers("2, 1") == [2, 1]
    assert model_label("gru", 3) == "gru-3l"
    with pytest.raises(ConfigError):
        parse_layers("1,x")
    t = claim_measure_table({"a": ("m", pd.Series([1.0], index=[4]), float("nan"))})
    assert t.loc[0, "seed"] == 4 and np.isnan(t.loc[0, "paper"])
    with pytest.raises(DataError, match="does not exist"):
        run_compare(get_replication("elman-xor"), ["elman"], plot_only=True, out="/tmp/nonexistent-cogrnn-compare")


def test_sweep_grid_over_model_and_layers_validates():
    rep = get_replication("elman-xor")
    spec = SweepSpec("elman-xor", seeds=2, quick=True, grid={"model": ["elman", "lstm", "gru"], "layers": [1, 2]})
    tasks = sweep_tasks(spec, rep, code={"commit": "x"})
    assert len(tasks) == 12 and {t.config.model for t in tasks} == {"elman", "lstm", "gru"}
    assert {t.config.layers for t in tasks} == {1, 2}
    with pytest.raises(ConfigError, match="model must be one of"):
        sweep_tasks(SweepSpec("elman-xor", seeds=1, quick=True, grid={"model": ["elman", "rnn"]}), rep, code={})


def test_reuse_reads_verified_runs_of_the_same_configuration(compared, tmp_path, capsys):
    import shutil

    res, _ = compared
    copy = tmp_path / "c"
    shutil.copytree(res.out_dir, copy)
    calls = []
    original = xor_module.train_ensemble
    xor_module.train_ensemble = lambda config, *a, **kw: calls.append(config.model) or original(config, *a, **kw)
    try:
        again = run_compare(get_replication("elman-xor"), MODELS, n_seeds=3, quick=True, quiet=True, out=copy,
                            overrides=SMALL, reuse=True)  # fmt: skip
        assert calls == [] and json.loads((copy / "provenance.json").read_text())["reused"] == MODELS
        assert (copy / "paired.csv").read_bytes() == (res.out_dir / "paired.csv").read_bytes()
        assert again.labels == MODELS
    finally:
        xor_module.train_ensemble = original
    with open(copy / "jordan" / "elman-xor" / "results.csv", "a") as fh:
        fh.write("0,0,0,0,0,0.5,0.25\n")
    _one_line_error(capsys, ["compare", "elman-xor", "--models", "jordan", "--quick", "--seeds", "3", "--out",
                             str(copy), "--reuse", "--quiet"], "sha256")  # fmt: skip


@pytest.mark.slow
def test_reuse_recomputes_another_configuration(compared, tmp_path):
    import shutil

    res, _ = compared
    shutil.copytree(res.out_dir, tmp_path / "c")
    calls = []
    original = xor_module.train_ensemble
    xor_module.train_ensemble = lambda config, *a, **kw: calls.append(config.model) or original(config, *a, **kw)
    try:
        run_compare(get_replication("elman-xor"), ["jordan"], n_seeds=3, quick=True, quiet=True, out=tmp_path / "c",
                    overrides={**SMALL, "epochs": 2}, reuse=True)  # fmt: skip
    finally:
        xor_module.train_ensemble = original
    assert calls == ["jordan"]
