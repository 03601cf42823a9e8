"""Interop with xarray, rsatoolbox and neurogym (optional extras; each part skips without its package)."""

from __future__ import annotations

import sys
import warnings

import numpy as np
import pytest

from cogrnn.analysis.recording import Recording, evaluate
from cogrnn.analysis.rsa import RDM, compare_rdms, rdm, rdms_to_rsatoolbox
from cogrnn.exceptions import ConfigError, DataError
from cogrnn.models import ElmanSRN, LSTMNetwork


@pytest.fixture(scope="module")
def lstm_recording():
    """2 replicas x 6 steps x 2 sequences of a 2-layer LSTM, a shared (T, B) and a per-replica (R, T) descriptor."""
    rng = np.random.default_rng(0)
    x = np.eye(3)[rng.integers(0, 3, size=(6, 2))]
    net = LSTMNetwork(3, 4, 3, num_layers=2, n_replicas=2, random_state=0)
    words = np.array(list("abcabc"))[:, None].repeat(2, axis=1)
    per_replica = np.arange(12).reshape(2, 6)
    return evaluate(net, x, np.roll(x, -1, axis=0), {"word": words, "own": per_replica})


# -- xarray ---------------------------------------------------------------------------
def test_to_xarray_layout_and_values(lstm_recording):
    pytest.importorskip("xarray")
    rec = lstm_recording
    da = rec.to_xarray()
    assert da.dims == ("step", "replica", "sequence", "layer", "unit")
    assert da.sizes == {"step": 6, "replica": 2, "sequence": 2, "layer": 4, "unit": 4}
    assert da["layer"].values.tolist() == ["h0", "h1", "c0", "c1"]
    assert da.attrs["state_name"] == "h1"
    for layer in ("h0", "h1", "c0", "c1"):
        for seed in (0, 1):
            for seq in (0, 1):
                sub = rec.subset(seed=seed, sequence=seq)
                expected = sub.layer_states[layer]  # rows in step order
                assert np.array_equal(da.sel(replica=seed, sequence=seq, layer=layer).values, expected)
    # descriptors on the fewest dims they vary along
    assert da["word"].dims == ("step",)
    assert da["word"].values.tolist() == list("abcabc")
    assert da["own"].dims == ("step", "replica")
    assert da["own"].values.tolist() == np.arange(12).reshape(2, 6).T.tolist()


def test_to_xarray_outputs_errors_and_one_sequence():
    pytest.importorskip("xarray")
    x = np.eye(2)[[0, 1, 1, 0]][:, None]
    net = ElmanSRN(2, 3, 2, n_replicas=3, random_state=1)
    rec = evaluate(net, x, np.roll(x, -1, axis=0))
    da = rec.to_xarray()
    assert da.dims == ("step", "replica", "layer", "unit")  # one sequence: no sequence dimension
    assert da["sequence"].values.item() == 0  # kept as a scalar coordinate
    err = rec.to_xarray("errors")
    assert err.dims == ("step", "replica", "unit") and err.name == "error"
    assert np.allclose(err.sel(replica=2).values, rec.subset(seed=2).errors)
    assert np.allclose(rec.to_xarray("outputs").sel(replica=0).values, rec.subset(seed=0).outputs)


def test_to_xarray_unequal_lengths_are_nan():
    pytest.importorskip("xarray")
    x = np.eye(2)[[0, 1, 1, 0, 1]][:, None]
    net = ElmanSRN(2, 3, 2, n_replicas=3, random_state=2)
    rec = evaluate(net, np.stack([x] * 3), lengths=[5, 3, 4])
    da = rec.to_xarray()
    assert int(da.isnull().sum()) == (2 + 1) * 3  # missing steps x units
    assert bool(da.sel(replica=1, step=[3, 4]).isnull().all())
    assert np.array_equal(da.sel(replica=2, step=slice(0, 3), layer="h0").values, rec.subset(seed=2).states)


def test_to_xarray_fallback_and_errors(lstm_recording):
    pytest.importorskip("xarray")
    means = lstm_recording.mean_by("word", pool_networks=True)
    da = means.to_xarray()
    assert da.dims == ("obs", "layer", "unit")
    assert da["word"].values.tolist() == ["a", "b", "c"] and da["n"].values.tolist() == [8, 8, 8]
    assert np.allclose(da.sel(layer="h1").values, means.states)
    plain = Recording(np.arange(6.0).reshape(3, 2), {"w": list("xyz")})
    assert plain.to_xarray()["layer"].values.tolist() == ["states"]
    twice = Recording(np.zeros((2, 2)), {"t": [0, 0], "seed": [0, 0]})
    with pytest.raises(DataError, match="one observation per cell"):
        twice.to_xarray()
    clash = Recording(np.zeros((2, 2)), {"unit": [0, 1]})
    with pytest.raises(DataError, match="name of a dimension"):
        clash.to_xarray()
    with pytest.raises(ConfigError, match="what"):
        plain.to_xarray("hidden")
    with pytest.raises(DataError, match="no outputs"):
        plain.to_xarray("outputs")


def test_missing_extras_give_one_line(monkeypatch):
    rec = Recording(np.zeros((2, 2)), {"w": ["a", "b"]})
    monkeypatch.setitem(sys.modules, "xarray", None)
    monkeypatch.setitem(sys.modules, "rsatoolbox", None)
    with pytest.raises(ConfigError, match=r"pip install 'cogrnn\[xarray\]'"):
        rec.to_xarray()
    with pytest.raises(ConfigError, match=r"pip install 'cogrnn\[rsa\]'"):
        rec.to_rsatoolbox()
    r = rdm(np.eye(3), labels=list("abc"))
    with pytest.raises(ConfigError, match=r"pip install 'cogrnn\[rsa\]'"):
        r.to_rsatoolbox()


# -- rsatoolbox -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def rsatoolbox():
    rsa = pytest.importorskip("rsatoolbox")
    import rsatoolbox.rdm  # noqa: F401

    return rsa


def _calc(rsa, ds, **kw):
    with warnings.catch_warnings():  # rsatoolbox warns while averaging object descriptors
        warnings.simplefilter("ignore", RuntimeWarning)
        return rsa.rdm.calc_rdm(ds, **kw)


def test_to_rsatoolbox_dataset(rsatoolbox, lstm_recording):
    rec = lstm_recording.with_states("c0")
    ds = rec.to_rsatoolbox()
    assert (ds.n_obs, ds.n_channel) == (rec.n_obs, 4)
    assert np.array_equal(ds.measurements, rec.states)
    assert ds.descriptors["state_name"] == "c0"
    assert list(ds.obs_descriptors) == ["seed", "t", "sequence", "word", "own"]
    assert np.array_equal(ds.obs_descriptors["word"], rec.descriptors["word"].to_numpy())
    back = Recording.from_rsatoolbox(ds)
    assert np.array_equal(back.states, rec.states)
    assert back.descriptors["own"].tolist() == rec.descriptors["own"].tolist()
    with pytest.raises(DataError, match="rsatoolbox Dataset"):
        Recording.from_rsatoolbox(rec)


def test_rdm_equals_rsatoolbox_rdm(rsatoolbox, lstm_recording):
    rec = lstm_recording.subset(seed=1)  # one network: its units are one set of units
    ds = rec.to_rsatoolbox()
    ours = rdm(rec, by="word", metric="correlation")
    theirs = _calc(rsatoolbox, ds, descriptor="word", method="correlation")
    assert list(theirs.pattern_descriptors["word"]) == ours.labels
    assert np.allclose(theirs.get_vectors()[0], ours.vector(), rtol=1e-10, atol=1e-12)
    # rsatoolbox's "euclidean" is the squared distance divided by the number of channels
    sq = rdm(rec, by="word", metric="sqeuclidean")
    theirs = _calc(rsatoolbox, ds, descriptor="word", method="euclidean")
    assert np.allclose(theirs.get_vectors()[0], sq.vector() / rec.n_units, rtol=1e-10)


def test_exported_rdm_round_trip_and_comparisons(rsatoolbox):
    rng = np.random.default_rng(3)
    X = rng.normal(size=(6, 5))
    a = rdm(X, labels=list("uvwxyz"))
    b = rdm(X + rng.normal(scale=0.8, size=X.shape), labels=list("uvwxyz"))
    ra, rb = a.to_rsatoolbox(descriptor="word"), b.to_rsatoolbox(descriptor="word")
    assert np.allclose(ra.get_matrices()[0], a.matrix)
    back = RDM.from_rsatoolbox(ra)
    assert back.labels == a.labels and back.metric == "correlation"
    assert np.array_equal(back.matrix, a.matrix)
    rho = float(rsatoolbox.rdm.compare(ra, rb, method="spearman")[0, 0])
    tau = float(rsatoolbox.rdm.compare(ra, rb, method="tau-a")[0, 0])
    assert rho == pytest.approx(compare_rdms(a, b, "spearman"), abs=1e-12)
    assert tau == pytest.approx(compare_rdms(a, b, "kendall_tau_a"), abs=1e-12)
    assert -1 < rho < 1 and rho != pytest.approx(1.0)


def test_rdms_to_rsatoolbox_reorders_and_checks(rsatoolbox):
    X = np.random.default_rng(4).normal(size=(4, 6))
    first = rdm(X, labels=list("abcd"))
    second = rdm(X[::-1] * 2.0, labels=list("dcba"))  # the same patterns, listed the other way round
    rr = rdms_to_rsatoolbox({"s0": first, "s1": second}, key="seed", descriptor="cond")
    assert rr.n_rdm == 2 and list(rr.rdm_descriptors["seed"]) == ["s0", "s1"]
    assert list(rr.pattern_descriptors["cond"]) == list("abcd")
    assert np.allclose(rr.get_vectors()[0], rr.get_vectors()[1])  # correlation ignores the scale
    assert RDM.from_rsatoolbox(rr, index=1, descriptor="cond").labels == list("abcd")
    with pytest.raises(DataError, match="different metrics"):
        rdms_to_rsatoolbox({0: first, 1: rdm(X, labels=list("abcd"), metric="euclidean")})
    with pytest.raises(DataError, match="labels differ"):
        rdms_to_rsatoolbox({0: first, 1: rdm(X, labels=list("abce"))})
    with pytest.raises(DataError, match="at least one"):
        rdms_to_rsatoolbox({})
    with pytest.raises(DataError, match="no pattern descriptor"):
        RDM.from_rsatoolbox(rr, descriptor="word")
    with pytest.raises(ConfigError, match="index"):
        RDM.from_rsatoolbox(rr, index=2)


# -- neurogym ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def ngym():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pytest.importorskip("neurogym")


def test_neurogym_trials_and_boundaries(ngym):
    from cogrnn.tasks.neurogym import NeurogymTask

    task = NeurogymTask("PerceptualDecisionMaking-v0", n_trials=4, env_kwargs={"dt": 100})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        batch = task.generate(random_state=7, n_streams=3)
        again = task.generate(random_state=7, n_streams=3)
        other = task.generate(random_state=8, n_streams=3)
    assert np.array_equal(batch.inputs, again.inputs) and np.array_equal(batch.targets, again.targets)
    assert not np.array_equal(batch.inputs[:10], other.inputs[:10])
    d = batch.descriptors
    T, B = d["trial"].shape
    assert batch.inputs.shape == (T, B, 3) and batch.targets.shape == (T, B, 3)
    for b in range(B):
        real = ~d["padding"][:, b]
        assert d["trial_start"][:, b].sum() == 4 and d["trial_end"][:, b].sum() == 4
        assert real.sum() == T or not real[-1]  # padding only at the end
        starts = np.flatnonzero(d["trial_start"][:, b])
        assert (d["trial_t"][starts, b] == 0).all() and d["trial"][starts, b].tolist() == [0, 1, 2, 3]
        ends = np.flatnonzero(d["trial_end"][:, b])
        assert (ends[:-1] + 1 == starts[1:]).all()  # every trial ends right before the next begins
        # the ground truth is one-hot in the targets; padding is zero
        assert np.array_equal(batch.targets[real, b].argmax(-1), d["gt"][real, b])
        assert not batch.inputs[~real, b].any() and not batch.targets[~real, b].any()
        # the answer of every trial is its ground_truth + 1 (action 0 is fixation) in the decision period
        dec = real & (d["period"][:, b] == "decision")
        assert np.array_equal(d["gt"][dec, b], d["ground_truth"][dec, b].astype(int) + 1)
        assert set(d["period"][real, b]) >= {"fixation", "stimulus", "decision"}


def test_neurogym_matches_the_environment(ngym):
    from cogrnn.tasks.neurogym import NeurogymTask

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        env = ngym.make("DelayMatchSample-v0")
        task = NeurogymTask(env, n_trials=3, one_hot=False)
        batch = task.generate(random_state=np.random.default_rng(5))
        seed = int(np.random.default_rng(5).integers(0, 2**31 - 1))
        ref = ngym.make("DelayMatchSample-v0").unwrapped
        ref.seed(seed)
        obs, gts = [], []
        for _ in range(3):
            ref.new_trial()
            obs.append(ref.ob.copy())
            gts.append(ref.gt.copy())
    assert np.allclose(batch.inputs[:, 0], np.concatenate(obs))
    assert np.array_equal(batch.targets[:, 0, 0], np.concatenate(gts).astype(float))
    assert env.unwrapped.num_tr == 0  # the environment given is not advanced


def test_neurogym_trial_wrappers_apply(ngym):
    from neurogym.core import TrialWrapper

    from cogrnn.tasks.neurogym import NeurogymTask

    class AlwaysRight(TrialWrapper):
        def new_trial(self, **kwargs):
            return self.env.new_trial(ground_truth=1, **kwargs)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plain = ngym.make("PerceptualDecisionMaking-v0")
        wrapped = AlwaysRight(ngym.make("PerceptualDecisionMaking-v0").unwrapped)
        d_plain = NeurogymTask(plain, n_trials=6).generate(random_state=0, n_streams=2).descriptors
        d_wrapped = NeurogymTask(wrapped, n_trials=6).generate(random_state=0, n_streams=2).descriptors
    assert set(d_plain["ground_truth"][~d_plain["padding"]]) == {0.0, 1.0}
    assert set(d_wrapped["ground_truth"][~d_wrapped["padding"]]) == {1.0}


def test_neurogym_trains_and_errors(ngym):
    from cogrnn.tasks.neurogym import NeurogymTask
    from cogrnn.training import Trainer

    task = NeurogymTask("PerceptualDecisionMaking-v0", n_trials=2, env_kwargs={"dt": 100})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        batch = task.generate(random_state=0, n_streams=4)
        with pytest.raises(ConfigError, match="cannot make neurogym environment"):
            NeurogymTask("NoSuchTask-v0").generate(random_state=0)
    net = LSTMNetwork(3, 8, 3, n_replicas=2, output_activation="softmax", random_state=0)
    trainer = Trainer(method="bptt", loss="cross_entropy", optimizer="adam", lr=0.01, epochs=2, quiet=True)
    trainer.fit(net, batch.inputs, batch.targets, mask=~batch.descriptors["padding"])
    assert np.isfinite(trainer.history_["loss"]).all()
    rec = evaluate(net, batch.inputs, batch.targets, batch.descriptors)
    assert set(rec.descriptors["period"]) >= {"fixation", "decision"}
    with pytest.raises(ConfigError, match="env must be"):
        NeurogymTask(3)
    with pytest.raises(ConfigError, match="env_kwargs"):
        NeurogymTask(object.__new__(type("E", (), {"unwrapped": None})), env_kwargs={"dt": 1})
    with pytest.raises(ConfigError, match="n_trials"):
        NeurogymTask("PerceptualDecisionMaking-v0", n_trials=0)


def test_neurogym_missing_gives_one_line(monkeypatch):
    from cogrnn.tasks.neurogym import NeurogymTask

    monkeypatch.setitem(sys.modules, "neurogym", None)
    with pytest.raises(ConfigError, match=r"pip install 'cogrnn\[neurogym\]'"):
        NeurogymTask("PerceptualDecisionMaking-v0").generate(random_state=0)
