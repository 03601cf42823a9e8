"""Analysis functions against independent references on random inputs (scipy, scikit-learn, rsatoolbox).

rsatoolbox is an optional test dependency (the ``dev`` extra); its tests skip where it is missing.
"""

from __future__ import annotations

import itertools
import time
import tracemalloc

import numpy as np
import pandas as pd
import pytest
import torch
from scipy import optimize, stats
from scipy.cluster import hierarchy
from scipy.spatial.distance import pdist

from cogrnn.analysis import (
    StatePCA,
    bootstrap_ci,
    cluster_scores,
    compare_rdms,
    cut_tree,
    find_fixed_points,
    kendall_tau_a,
    linkage,
    n_misassigned,
    nearest_neighbor_agreement,
    overlap,
    rdm,
    threshold_crossing,
)
from cogrnn.models import ElmanSRN, GRUNetwork

SQUARE = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])


def _same_partition(a, b) -> bool:
    from sklearn.metrics import adjusted_rand_score

    return adjusted_rand_score(a, b) == pytest.approx(1.0)


# -- clustering ----------------------------------------------------------------------------
@pytest.mark.parametrize("method", ["average", "single", "complete", "ward"])
def test_cut_tree_gives_exactly_k_clusters_under_tied_heights(method):
    from sklearn.cluster import AgglomerativeClustering

    for k in (1, 2, 3, 4):
        got = cut_tree(SQUARE, k, method=method)
        assert len(set(got.tolist())) == k
        ref = hierarchy.cut_tree(hierarchy.linkage(SQUARE, method=method), n_clusters=k).ravel()
        assert len(set(ref.tolist())) == k
        assert _same_partition(got, ref)  # the same merges undone
        sk = AgglomerativeClustering(n_clusters=k, linkage=method).fit_predict(SQUARE)
        assert len(set(sk.tolist())) == k
    # what fcluster(maxclust) does with these ties: fewer clusters than asked
    fc = hierarchy.fcluster(hierarchy.linkage(SQUARE, method=method), t=3, criterion="maxclust")
    assert len(set(fc.tolist())) < 3


@pytest.mark.parametrize("method", ["average", "single", "complete", "ward"])
def test_cut_tree_matches_scipy_and_scikit_learn_on_random_data(method, global_random_seed):
    from sklearn.cluster import AgglomerativeClustering

    rng = np.random.default_rng(global_random_seed)
    X = rng.normal(size=(40, 5))
    for k in (2, 3, 7, 40):
        got = cut_tree(X, k, method=method)
        assert got[0] == 0 and set(got.tolist()) == set(range(k))
        ref = hierarchy.cut_tree(hierarchy.linkage(X, method=method), n_clusters=k).ravel()
        assert _same_partition(got, ref)
        sk = AgglomerativeClustering(n_clusters=k, linkage=method).fit_predict(X)
        assert _same_partition(got, sk)


def test_linkage_and_cophenetic_match_scipy(global_random_seed):
    X = np.random.default_rng(global_random_seed).normal(size=(20, 4))
    Z = hierarchy.linkage(X, method="average")
    np.testing.assert_array_equal(linkage(X), Z)
    labels = cut_tree(X, 3)
    scores = cluster_scores(X, labels)
    assert scores["ari"] == 1.0
    assert scores["cophenetic"] == pytest.approx(hierarchy.cophenet(Z, pdist(X))[0], abs=1e-12)


def test_nearest_neighbor_agreement_matches_scikit_learn(global_random_seed):
    from sklearn.neighbors import NearestNeighbors

    rng = np.random.default_rng(global_random_seed)
    X = rng.normal(size=(60, 3))
    labels = rng.integers(0, 3, 60)
    idx = NearestNeighbors(n_neighbors=2).fit(X).kneighbors(X, return_distance=False)[:, 1]
    assert nearest_neighbor_agreement(X, labels) == pytest.approx(float((labels[idx] == labels).mean()))


def test_n_misassigned_matches_brute_force_matching(global_random_seed):
    rng = np.random.default_rng(global_random_seed)
    assign, labels = rng.integers(0, 4, 30), rng.integers(0, 4, 30)
    best = max(
        sum(int(((assign == c) & (labels == perm[c])).sum()) for c in range(4))
        for perm in itertools.permutations(range(4))
    )
    assert n_misassigned(assign, labels) == 30 - best


# -- RSA -------------------------------------------------------------------------------------
def _tau_a_brute(x, y) -> float:
    i, j = np.triu_indices(len(x), k=1)
    return float((np.sign(x[i] - x[j]) * np.sign(y[i] - y[j])).sum() / (len(x) * (len(x) - 1) / 2))


def test_kendall_tau_a_matches_the_definition_with_ties(global_random_seed):
    rng = np.random.default_rng(global_random_seed)
    for n in (2, 3, 10, 500, 2000):
        x = rng.integers(0, 4, n).astype(float)  # many ties (a categorical model RDM has two values)
        y = np.round(rng.normal(size=n), 1)
        assert kendall_tau_a(x, y) == pytest.approx(_tau_a_brute(x, y), abs=1e-12)
        z = rng.normal(size=n)
        assert kendall_tau_a(z, y) == pytest.approx(_tau_a_brute(z, y), abs=1e-12)
    assert kendall_tau_a(np.ones(5), np.arange(5.0)) == 0.0
    assert kendall_tau_a(np.arange(6.0), np.arange(6.0)) == 1.0


def test_kendall_tau_a_at_200_conditions_is_fast_and_small():
    rng = np.random.default_rng(0)
    n = 200 * 199 // 2  # 19,900 RDM entries
    x, y = rng.integers(0, 2, n).astype(float), rng.normal(size=n)
    kendall_tau_a(x, y)  # warm up (imports)
    tracemalloc.start()
    t0 = time.perf_counter()
    kendall_tau_a(x, y)
    elapsed = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert elapsed < 0.5
    assert peak < 10e6  # bytes: O(n), not the 7.5 GB of all n^2 pairs


def test_rdms_and_comparisons_match_rsatoolbox(global_random_seed):
    rsatoolbox = pytest.importorskip("rsatoolbox")
    from rsatoolbox.rdm.compare import compare_kendall_tau_a, compare_spearman

    rng = np.random.default_rng(global_random_seed)
    X = rng.normal(size=(12, 7))
    labels = [f"c{i}" for i in range(12)]
    data = rsatoolbox.data.Dataset(X)
    for ours, theirs in (("euclidean", "euclidean"), ("correlation", "correlation")):
        ref = rsatoolbox.rdm.calc_rdm(data, method=theirs).get_vectors()[0]
        got = rdm(X, labels=labels, metric=ours).vector()
        if ours == "euclidean":  # rsatoolbox's 'euclidean' is the squared distance per unit
            got = got**2 / X.shape[1]
        np.testing.assert_allclose(got, ref, rtol=1e-10, atol=1e-12)
    a = rdm(X, labels=labels, metric="correlation")
    cats = rng.integers(0, 3, 12)
    model = rdm((cats[:, None] == np.arange(3)).astype(float) + 0.0, labels=labels, metric="euclidean")
    ra = rsatoolbox.rdm.RDMs(a.vector()[None])
    rm = rsatoolbox.rdm.RDMs(model.vector()[None])
    assert compare_rdms(a, model, "kendall_tau_a") == pytest.approx(
        float(compare_kendall_tau_a(ra, rm)[0, 0]), abs=1e-12
    )
    assert compare_rdms(a, model, "spearman") == pytest.approx(float(compare_spearman(ra, rm)[0, 0]), abs=1e-12)


def test_rdm_matches_scipy_pdist(global_random_seed):
    X = np.random.default_rng(global_random_seed).normal(size=(9, 5))
    for metric in ("correlation", "euclidean", "cosine", "sqeuclidean"):
        np.testing.assert_allclose(rdm(X, metric=metric).vector(), pdist(X, metric=metric), rtol=1e-12)
    r = rdm(X)
    assert compare_rdms(r, r, "pearson") == pytest.approx(1.0)
    other = rdm(X[::-1], labels=[str(i) for i in range(8, -1, -1)])
    assert compare_rdms(r, other, "spearman") == pytest.approx(1.0)  # reordered to the same conditions


# -- statistics, recall, trajectories ---------------------------------------------------------
def test_bootstrap_ci_agrees_with_scipy_percentile_bootstrap(global_random_seed):
    x = np.random.default_rng(global_random_seed).normal(1.0, 2.0, 40)
    lo, hi = bootstrap_ci(x, n_boot=20000, random_state=1)
    ref = stats.bootstrap((x,), np.mean, n_resamples=20000, method="percentile", random_state=2).confidence_interval
    assert lo == pytest.approx(ref.low, abs=0.08) and hi == pytest.approx(ref.high, abs=0.08)
    # and the normal-theory interval, which the percentile bootstrap approaches for the mean
    half = stats.t.ppf(0.975, 39) * x.std(ddof=1) / np.sqrt(40)
    assert lo == pytest.approx(x.mean() - half, abs=0.15) and hi == pytest.approx(x.mean() + half, abs=0.15)


def test_threshold_crossing_matches_linear_interpolation(global_random_seed):
    rng = np.random.default_rng(global_random_seed)
    x = np.sort(rng.uniform(0, 1, 12))
    y = np.sort(rng.uniform(0, 1, 12))[::-1]  # decreasing
    level = float(np.median(y)) + 1e-6
    k = int(np.flatnonzero(y < level)[0])
    ref = np.interp(level, [y[k], y[k - 1]], [x[k], x[k - 1]])
    assert threshold_crossing(x, y, level) == pytest.approx(ref, abs=1e-12)


def test_overlap_matches_the_dot_product(global_random_seed):
    rng = np.random.default_rng(global_random_seed)
    s, p = np.sign(rng.normal(size=(5, 30))), np.sign(rng.normal(size=(5, 30)))
    np.testing.assert_allclose(overlap(s, p), np.einsum("ij,ij->i", s, p) / 30)


def test_state_pca_matches_scikit_learn(global_random_seed):
    from sklearn.decomposition import PCA

    X = np.random.default_rng(global_random_seed).normal(size=(50, 6)) @ np.diag([5, 3, 1, 1, 0.5, 0.1])
    ours = StatePCA(3).fit(X)
    ref = PCA(3).fit(X)
    np.testing.assert_allclose(ours.explained_variance_ratio_, ref.explained_variance_ratio_, rtol=1e-8)
    np.testing.assert_allclose(np.abs(ours.transform(X)), np.abs(ref.transform(X)), rtol=1e-6, atol=1e-8)


# -- fixed points -----------------------------------------------------------------------------
def _scipy_map(net, x):
    single = net.replica(0).to(torch.float64)
    H = single.hidden_size
    x0 = torch.as_tensor(x, dtype=torch.float64).reshape(1, 1, 1, -1)

    def g(h):
        with torch.no_grad():
            out = single._forward(x0, (torch.as_tensor(np.array(h, dtype=np.float64)).reshape(1, 1, 1, H),))
        return out.state[0].reshape(H).numpy() - h

    return g


def _scipy_fixed_points(g, starts):
    """Roots of F(h) - h from many starts with scipy.optimize.root (hybr), deduplicated."""
    roots: list[np.ndarray] = []
    for h in starts:
        sol = optimize.root(g, h, method="hybr", tol=1e-14)
        if sol.success and np.linalg.norm(g(sol.x)) < 1e-11 and all(np.linalg.norm(sol.x - r) > 1e-6 for r in roots):
            roots.append(sol.x)
    return np.array(roots)


@pytest.mark.parametrize("kind", ["srn", "gru"])
def test_fixed_points_match_scipy_root_finding(kind, global_random_seed):
    H = 3
    if kind == "srn":
        net = ElmanSRN(1, H, 1, nonlinearity="tanh", random_state=global_random_seed)
        with torch.no_grad():  # strong self-excitation: up to 27 fixed points (stable, saddles, unstable)
            W = net.weight("weight_ch_l0")
            W.copy_(2.5 * torch.eye(H)[None] + 0.3 * W)
    else:
        net = GRUNetwork(1, H, 1, random_state=global_random_seed)
    starts = np.random.default_rng(global_random_seed).uniform(-1, 1, (60, H))
    g = _scipy_map(net, [0.0])
    ref = _scipy_fixed_points(g, starts)
    fps = find_fixed_points(net, [0.0], starts, n_iter=300)
    got = fps[[f"h{j}" for j in range(H)]].to_numpy()
    assert len(ref) >= 1 and len(got) >= 1
    assert (fps["q"] < 1e-20).all()
    for p in got:  # every point is a root: scipy, started there, stays within 1e-9
        sol = optimize.root(g, p, method="hybr", tol=1e-14)
        assert np.linalg.norm(g(p)) < 1e-10 and np.linalg.norm(sol.x - p) < 1e-9
    scale = np.sqrt(np.mean(np.sum(starts**2, 1)))
    gaps = [np.linalg.norm(a - b) for a, b in itertools.combinations(got, 2)]
    assert not gaps or min(gaps) > 1e-3 * scale  # no duplicates
    found = [np.min(np.linalg.norm(got - r, axis=1)) < 1e-9 for r in ref]
    assert np.mean(found) >= 0.75  # most of scipy's roots (from the same starts) are found


def test_fixed_point_search_is_float64_and_refined_for_float32_models():
    # a float32 model: the search runs on a float64 copy, so the points are exact roots of that map
    net = GRUNetwork(1, 4, 1, random_state=3, dtype=torch.float32)
    starts = np.random.default_rng(0).uniform(-1, 1, (30, 4))
    fps = find_fixed_points(net, [1.0], starts, n_iter=50)  # few Adam steps: Newton does the rest
    g = _scipy_map(net, [1.0])
    for p in fps[[f"h{j}" for j in range(4)]].to_numpy():
        assert np.linalg.norm(g(p)) < 1e-12


def test_pooled_rates_pool_trials_and_resample_whole_units(global_random_seed):
    from cogrnn.analysis.stats import pooled_rates

    rng = np.random.default_rng(global_random_seed)
    rows = []
    for unit in range(40):  # units with unequal numbers of trials and their own success rate
        p, k = rng.uniform(0.2, 0.9), int(rng.integers(5, 30))
        for x in (1, 2):
            rows += [{"seed": unit // 4, "set": unit % 4, "x": x, "ok": float(v)} for v in rng.random(k) < p / x]
    df = pd.DataFrame(rows)
    table, boot = pooled_rates(df, "ok", by=["x"], unit=["seed", "set"], n_boot=4000, random_state=1)
    assert table["x"].tolist() == [1, 2] and table["n_units"].tolist() == [40, 40]
    np.testing.assert_allclose(table["rate"], df.groupby("x")["ok"].mean())  # pooled over trials, not units
    assert boot.shape == (4000, 2)
    # the same ratio estimator bootstrapped by scipy over units
    sums = df.groupby(["seed", "set", "x"])["ok"].agg(["sum", "count"]).unstack("x")
    s1, n1 = sums[("sum", 1)].to_numpy(), sums[("count", 1)].to_numpy()
    ref = stats.bootstrap((s1, n1), lambda a, b, axis=-1: a.sum(axis) / b.sum(axis), paired=True,
                          n_resamples=4000, method="percentile", random_state=2).confidence_interval  # fmt: skip
    assert table.loc[0, "ci_low"] == pytest.approx(ref.low, abs=0.02)
    assert table.loc[0, "ci_high"] == pytest.approx(ref.high, abs=0.02)


def test_pooled_rates_refuses_nan_units_groups_and_text_values():
    from cogrnn.analysis.stats import pooled_rates
    from cogrnn.exceptions import DataError

    df = pd.DataFrame({"seed": [0, 0, 1, np.nan], "n": [5, 5, 5, 5], "ok": [1, 0, 1, 1]})
    with pytest.raises(DataError, match=r"'seed'.* hold NaN"):
        pooled_rates(df, "ok", by=["n"])
    with pytest.raises(DataError, match=r"'n'.* hold NaN"):
        pooled_rates(df.assign(seed=[0, 0, 1, 1], n=[5, np.nan, 5, 5]), "ok", by=["n"])
    with pytest.raises(DataError, match="must hold numbers"):
        pooled_rates(df.assign(seed=[0, 0, 1, 1], ok=["1", "0", "1", "1"]), "ok", by=["n"])
