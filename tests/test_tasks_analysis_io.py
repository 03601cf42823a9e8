from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from cogrnn.analysis import (
    bootstrap_ci,
    error_by,
    evaluate,
    fold_cycles,
    summarize_across_seeds,
    unit_correlations,
)
from cogrnn.exceptions import ConfigError, DataError
from cogrnn.io import (
    atomic_write_text,
    check_columns,
    ensure_writable_dir,
    read_tidy_csv,
    sha256_file,
    write_json,
)
from cogrnn.models import ElmanSRN
from cogrnn.provenance import git_info, package_versions
from cogrnn.tasks import SequenceBatch, TemporalXOR


def test_temporal_xor_stream(global_random_seed):
    task = TemporalXOR(n_triples=200)
    batch = task.generate(random_state=global_random_seed, n_streams=3)
    assert batch.inputs.shape == (600, 3, 1) and batch.targets.shape == (600, 3, 1)
    bits = batch.inputs[:, :, 0].astype(int)
    assert np.all(bits[2::3] == bits[0::3] ^ bits[1::3])
    # wrap-around: the target of the last bit is the first bit
    np.testing.assert_array_equal(batch.targets[-1], batch.inputs[0])
    np.testing.assert_array_equal(batch.targets[:-1], batch.inputs[1:])
    # the random bits are balanced and the streams differ
    assert 0.4 < bits[0::3].mean() < 0.6
    assert not np.array_equal(bits[:, 0], bits[:, 1])
    df = batch.to_df()
    assert set(df["target_phase"]) == {0, 1, 2} and len(df) == 1800
    again = task.generate(random_state=global_random_seed, n_streams=3)
    np.testing.assert_array_equal(again.inputs, batch.inputs)


def test_temporal_xor_without_wrap_and_bad_params():
    batch = TemporalXOR(n_triples=3, wrap=False).generate(0)
    assert batch.n_steps == 8
    with pytest.raises(ConfigError, match="n_triples"):
        TemporalXOR(n_triples=0)
    assert TemporalXOR.reference.doi == "10.1207/s15516709cog1402_1"


def test_sequence_batch_checks_shapes():
    with pytest.raises(DataError, match="descriptor 'x'"):
        SequenceBatch(np.zeros((3, 1, 1)), np.zeros((3, 1, 1)), {"x": np.zeros(3)})
    with pytest.raises(DataError, match="differ"):
        SequenceBatch(np.zeros((3, 1, 1)), np.zeros((4, 1, 1)))


def test_fold_cycles_and_errors():
    trace = np.tile([1.0, 0.0, 2.0], 8)  # 24 steps
    np.testing.assert_allclose(fold_cycles(trace, 3), [1.0, 0.0, 2.0])
    np.testing.assert_allclose(fold_cycles(trace, 6, start=1, n_windows=3), [0, 2, 1, 0, 2, 1])
    assert fold_cycles(np.ones((4, 30)), 12).shape == (4, 12)
    with pytest.raises(DataError, match="holds 1 windows"):
        fold_cycles(trace, 12, start=1, n_windows=2)


def test_evaluate_and_error_by():
    net = ElmanSRN(1, 2, 1, n_replicas=3, random_state=0)
    rec = evaluate(net, np.zeros((6, 2, 1)), np.ones((6, 2, 1)))
    assert rec.states.shape == (3 * 6 * 2, 2)
    np.testing.assert_allclose(rec.sq_error, ((rec.outputs - 1) ** 2).sum(1))
    with pytest.raises(DataError, match="do not match"):
        evaluate(net, np.zeros((6, 2, 1)), np.ones((5, 2, 1)))
    df = pd.DataFrame({"seed": [0, 0, 1], "g": ["a", "b", "a"], "sq_error": [1.0, 2.0, 3.0]})
    assert error_by(df, ["g"]).set_index("g")["sq_error"].to_dict() == {"a": 2.0, "b": 2.0}
    with pytest.raises(DataError, match="lacks column"):
        error_by(df, ["nope"])


def test_unit_correlations_known_answers():
    rng = np.random.default_rng(0)
    labels = rng.normal(size=200)
    states = np.column_stack([2 * labels + 1, -labels, np.ones(200)])
    r = unit_correlations(states, labels)
    np.testing.assert_allclose(r[:2], [1.0, -1.0])
    assert np.isnan(r[2])


def test_bootstrap_ci_covers_the_mean(global_random_seed):
    x = np.random.default_rng(global_random_seed).normal(5.0, 1.0, size=200)
    lo, hi = bootstrap_ci(x, random_state=global_random_seed)
    assert lo < x.mean() < hi and hi - lo < 0.5
    assert bootstrap_ci(x, random_state=1) == bootstrap_ci(x, random_state=1)
    with pytest.raises(DataError):
        bootstrap_ci([])
    with pytest.raises(DataError):
        bootstrap_ci([1.0, np.nan])


def test_analysis_random_state_defaults_to_fresh_entropy_and_seeds_reproduce():
    """scikit-learn convention: random_state=None draws fresh entropy; an explicit seed reproduces."""
    import inspect

    from cogrnn.analysis import paired_comparison, pooled_rates

    for func in (bootstrap_ci, summarize_across_seeds, pooled_rates, paired_comparison):
        assert inspect.signature(func).parameters["random_state"].default is None, func.__name__
    x = np.random.default_rng(0).normal(size=50)
    draws = {bootstrap_ci(x, n_boot=200) for _ in range(5)}
    assert len(draws) > 1  # unseeded calls differ
    assert bootstrap_ci(x, n_boot=200, random_state=0) == bootstrap_ci(x, n_boot=200, random_state=0)
    df = pd.DataFrame({"seed": np.repeat(np.arange(6), 2), "arch": ["a", "b"] * 6, "v": np.arange(12.0) ** 1.5})
    first = paired_comparison(df, "v", "arch", "a", "b", random_state=3)
    pd.testing.assert_frame_equal(first, paired_comparison(df, "v", "arch", "a", "b", random_state=3))


def test_summarize_across_seeds_weights_each_seed_once():
    df = pd.DataFrame({"seed": [0, 0, 0, 1], "v": [1.0, 1.0, 1.0, 3.0]})
    s = summarize_across_seeds(df, "v")
    assert s.loc[0, "mean"] == 2.0 and s.loc[0, "n"] == 2


def test_atomic_writes_and_csv_schema(tmp_path):
    p = atomic_write_text(tmp_path / "a" / "x.txt", "hello")
    assert p.read_text() == "hello" and oct(p.stat().st_mode & 0o777) != "0o600"
    assert list(tmp_path.joinpath("a").iterdir()) == [p]  # no temporary files left
    write_json(tmp_path / "j.json", {"a": 1})
    assert json.loads((tmp_path / "j.json").read_text()) == {"a": 1}
    assert len(sha256_file(p)) == 64
    csv = tmp_path / "r.csv"
    csv.write_text("seed,t\n0,1\n")
    assert read_tidy_csv(csv, ["seed", "t"]).shape == (1, 2)
    with pytest.raises(DataError, match="lacks column"):
        read_tidy_csv(csv, ["seed", "sq_error"])
    csv.write_bytes(b"\x00\xff\xfe garbage \n\x01")
    with pytest.raises(DataError):
        read_tidy_csv(csv, ["seed"])
    with pytest.raises(DataError, match="does not exist"):
        read_tidy_csv(tmp_path / "missing.csv", ["seed"])
    with pytest.raises(DataError, match="lacks column"):
        check_columns(pd.DataFrame({"a": [1]}), ["b"])


def test_unwritable_dir_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(DataError, match="cannot write to output folder"):
        ensure_writable_dir(blocker / "sub")


def test_provenance_helpers(tmp_path):
    from importlib import metadata

    versions = package_versions(("torch", "numpy", "no-such-package-xyz"))
    # the installed distributions' own versions, not a prefix of them
    assert versions["torch"] == metadata.version("torch") and versions["numpy"] == metadata.version("numpy")
    assert versions["no-such-package-xyz"] is None and versions["python"].count(".") == 2
    assert git_info(tmp_path) == {"commit": None, "dirty": None}  # not a git work tree
    info = git_info()  # this checkout
    assert info["commit"] is None or (len(info["commit"]) == 40 and isinstance(info["dirty"], bool))
