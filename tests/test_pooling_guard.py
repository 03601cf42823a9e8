"""What combines states over units refuses to mix networks (replicas, distinct ``seed``).

Unit j of network 0 and unit j of network 1 are unrelated units: averaging them, clustering or
projecting them together gives numbers without meaning. Every such call on a recording (or a
states table) of several networks raises one clear DataError; grouped by seed, on one network,
or with ``pool_networks=True`` it gives the numbers it gave before (checked exactly against
independent computations: sums in row order, scipy and scikit-learn on the same arrays).
"""

from __future__ import annotations

import re

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from scipy.cluster import hierarchy
from scipy.spatial.distance import pdist, squareform

from cogrnn.analysis import (
    Recording,
    StatePCA,
    cluster_scores,
    cut_tree,
    evaluate,
    linkage,
    nearest_neighbor_agreement,
    nearest_neighbors,
    rdm,
)
from cogrnn.exceptions import ConfigError, DataError
from cogrnn.models import ElmanSRN
from cogrnn.viz import plot_dendrogram

TOKENS = list("abcabcab")
WHY = "whose units are not the same units"


@pytest.fixture(scope="module")
def rec() -> Recording:
    """3 networks x 8 steps of a 3-4-3 SRN, descriptor ``token``."""
    x = np.eye(3)[[0, 1, 2, 0, 1, 2, 0, 1]][:, None]
    net = ElmanSRN(3, 4, 3, n_replicas=3, random_state=0)
    return evaluate(net, x, np.roll(x, -1, axis=0), {"token": TOKENS})


def _means(values: np.ndarray, keys: pd.DataFrame) -> tuple[np.ndarray, list[tuple]]:
    """Group means as mean_by computes them: float64 sums in row order, groups sorted."""
    groups = sorted(set(map(tuple, keys.to_numpy().tolist())))
    rows = [tuple(r) for r in keys.to_numpy().tolist()]
    out = np.zeros((len(groups), values.shape[1]))
    for g, group in enumerate(groups):
        total, n = np.zeros(values.shape[1]), 0
        for i, row in enumerate(rows):
            if row == group:
                total = total + values[i].astype(np.float64)
                n += 1
        out[g] = total / n
    return out, groups


def _refused(what: str, n: int, span: str, remedy: str, holder: str = "recording") -> str:
    return re.escape(f"{what}: the {holder} holds {n} networks (seed {span}) {WHY}; {remedy}") + "$"


# -- Recording.mean_by and Recording.from_df ------------------------------------------------
def test_mean_by_refuses_to_average_over_networks(rec):
    remedy = 'group by seed too (mean_by("seed", "token")) or take one network (rec.subset(seed=0))'
    with pytest.raises(DataError, match=_refused('mean_by("token")', 3, "0-2", remedy)) as info:
        rec.mean_by("token")
    assert "\n" not in str(info.value)
    with pytest.raises(DataError, match=re.escape('mean_by("seed", "t", "sequence")')):
        rec.mean_by("t", "sequence")
    with pytest.raises(ConfigError, match="pool_networks must be True or False"):
        rec.mean_by("seed", "token", pool_networks=1)


def test_mean_by_per_seed_and_of_one_network_are_unchanged(rec):
    means = rec.mean_by("seed", "token")
    for name in ("states", "outputs", "targets"):
        expected, groups = _means(getattr(rec, name), rec.descriptors[["seed", "token"]])
        np.testing.assert_array_equal(getattr(means, name), expected)
    assert [tuple(g) for g in means.descriptors[["seed", "token"]].to_numpy().tolist()] == groups
    one = rec.subset(seed=1)
    alone = one.mean_by("token")
    np.testing.assert_array_equal(alone.states, _means(one.states, one.descriptors[["token"]])[0])
    np.testing.assert_array_equal(alone.states, means.subset(seed=1).states)
    np.testing.assert_array_equal(alone.layer_states["h0"], means.subset(seed=1).layer_states["h0"])
    assert rec.mean_by("seed").n_obs == 3  # one mean per network


def test_mean_by_pool_networks_is_the_explicit_escape_hatch(rec):
    pooled = rec.mean_by("token", pool_networks=True)
    np.testing.assert_array_equal(pooled.states, _means(rec.states, rec.descriptors[["token"]])[0])
    np.testing.assert_array_equal(pooled.outputs, _means(rec.outputs, rec.descriptors[["token"]])[0])
    assert pooled.descriptors["n"].tolist() == [9, 9, 6]


def test_other_network_labels_in_the_message():
    states = np.arange(12.0).reshape(6, 2)
    gaps = Recording(states, {"seed": [3, 3, 7, 7, 10, 10], "w": ["a", "b"] * 3})
    remedy = 'group by seed too (mean_by("seed", "w")) or take one network (rec.subset(seed=3))'
    with pytest.raises(DataError, match=_refused('mean_by("w")', 3, "3, 7, 10", remedy)):
        gaps.mean_by("w")
    named = Recording(states, {"seed": ["x", "x", "y", "y", "z", "z"], "w": ["a", "b"] * 3})
    with pytest.raises(DataError, match=re.escape("(seed 'x', 'y', 'z')") + ".*subset\\(seed='x'\\)"):
        named.mean_by("w")
    many = Recording(np.zeros((8, 2)), {"seed": [0, 2, 4, 6, 8, 10, 12, 14], "w": ["a"] * 8})
    with pytest.raises(DataError, match=re.escape("8 networks (seed 0, 2, ..., 14)")):
        many.mean_by("w")
    np.testing.assert_array_equal(Recording(states, {"w": ["a", "b"] * 3}).mean_by("w").states, [[4, 5], [6, 7]])


def test_from_df_refuses_to_average_over_networks(rec):
    table = rec.to_df()
    remedy = 'put seed among obs (from_df(df, ["seed", "token"])) or take one network (df[df["seed"] == 0])'
    with pytest.raises(DataError, match=_refused('Recording.from_df(obs=["token"])', 3, "0-2", remedy, "table")):
        Recording.from_df(table, ["token"])
    np.testing.assert_array_equal(Recording.from_df(table, ["seed", "t", "token"]).states, rec.states)
    one = Recording.from_df(table[table["seed"] == 2], ["t", "token"])
    np.testing.assert_array_equal(one.states, rec.subset(seed=2).states)
    pooled = Recording.from_df(table, ["token"], pool_networks=True)
    expected = table.groupby(["token", "unit"], sort=False)["activation"].mean().unstack("unit").to_numpy()
    np.testing.assert_array_equal(pooled.states, expected)


# -- rdm ---------------------------------------------------------------------------------
def test_rdm_refuses_a_recording_of_several_networks(rec):
    remedy = 'take one network (rdm(rec.subset(seed=0), by="token")), one RDM per network, and compare their RDMs'
    with pytest.raises(DataError, match=_refused('rdm(by="token")', 3, "0-2", remedy + " (compare_rdm_set)")):
        rdm(rec, by="token")
    with pytest.raises(DataError, match=re.escape(f'rdm(by="token"): the recording holds 3 networks (seed 0-2) {WHY}')):
        rdm(rec.mean_by("seed", "token"), by="token")  # per-network means, still three networks' units
    with pytest.raises(DataError, match=re.escape('rdm(by="seed")')):
        rdm(rec, by="seed")  # distances between networks' vectors
    with pytest.raises(DataError, match="unknown descriptor"):
        rdm(rec, by="word")


def test_rdm_of_one_network_and_pooled_are_unchanged(rec):
    for seed in range(3):
        one = rec.subset(seed=seed)
        expected = _means(one.states, one.descriptors[["token"]])[0]
        for metric in ("correlation", "euclidean"):
            r = rdm(one, by="token", metric=metric)
            np.testing.assert_array_equal(r.matrix, squareform(pdist(expected, metric=metric)))
            assert r.labels == ["a", "b", "c"]
    pooled = rdm(rec, by="token", metric="euclidean", pool_networks=True)
    expected = _means(rec.states, rec.descriptors[["token"]])[0]
    np.testing.assert_array_equal(pooled.matrix, squareform(pdist(expected, metric="euclidean")))
    plain = Recording(rec.states, rec.descriptors[["token"]])  # no seed descriptor: nothing to check
    np.testing.assert_array_equal(rdm(plain, by="token", metric="euclidean").matrix, pooled.matrix)


# -- StatePCA --------------------------------------------------------------------------------
def test_state_pca_refuses_several_networks(rec):
    with pytest.raises(
        DataError, match=_refused("StatePCA.fit", 3, "0-2", "fit one network (pca.fit(rec.subset(seed=0)))")
    ):
        StatePCA(2).fit(rec)
    pca = StatePCA(2).fit(rec.subset(seed=0))
    remedy = "project one network (pca.transform(rec.subset(seed=0)))"
    with pytest.raises(DataError, match=_refused("StatePCA.transform", 3, "0-2", remedy)):
        pca.transform(rec)
    remedy = 'take one network (pca.trajectories(rec.subset(seed=0), by="sequence"))'
    with pytest.raises(DataError, match=_refused("StatePCA.trajectories", 3, "0-2", remedy)):
        pca.trajectories(rec, by="sequence", label="token")
    with pytest.raises(ConfigError, match="pool_networks"):
        StatePCA(2, pool_networks="no").fit(rec)


def test_state_pca_of_one_network_and_pooled_are_unchanged(rec):
    from sklearn.decomposition import PCA

    one = rec.subset(seed=1)
    pca = StatePCA(2).fit(one)
    ref = PCA(n_components=2).fit(one.states)
    np.testing.assert_array_equal(pca.components_, ref.components_)
    np.testing.assert_array_equal(pca.explained_variance_ratio_, ref.explained_variance_ratio_)
    np.testing.assert_array_equal(pca.transform(one), ref.transform(one.states))
    traj = pca.trajectories(one, by="sequence", label="token")
    np.testing.assert_array_equal(traj[["pc1", "pc2"]].to_numpy(), ref.transform(one.states))
    pooled = StatePCA(2, pool_networks=True).fit(rec)
    ref = PCA(n_components=2).fit(rec.states)
    np.testing.assert_array_equal(pooled.components_, ref.components_)
    np.testing.assert_array_equal(pooled.transform(rec), ref.transform(rec.states))
    np.testing.assert_array_equal(StatePCA(2).fit(rec.states).components_, ref.components_)  # arrays: unchecked


# -- plot_dendrogram ---------------------------------------------------------------------------
def test_plot_dendrogram_refuses_a_table_of_several_networks(rec):
    remedy = 'take one network (df[df["seed"] == 0])'
    for table in (rec.to_df(), rec.mean_by("seed", "token").to_df()):
        with pytest.raises(DataError, match=_refused("plot_dendrogram", 3, "0-2", remedy, "table")):
            plot_dendrogram(table, label="token", color_by=None)
    plt.close("all")


def test_plot_dendrogram_of_one_network_is_unchanged(rec):
    table = rec.mean_by("seed", "token").to_df()
    for df, kwargs in ((table[table["seed"] == 0], {}), (rec.to_df(), {"pool_networks": True})):
        fig = plot_dendrogram(df, label="token", color_by=None, **kwargs)
        wide = df.pivot_table(index="token", columns="unit", values="activation", aggfunc="mean")
        ref = hierarchy.dendrogram(
            hierarchy.linkage(wide.to_numpy(), method="average", metric="euclidean"),
            labels=wide.index.tolist(),
            no_plot=True,
        )
        assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ref["ivl"]
        plt.close(fig)


# -- clustering of arrays, Recordings and tables ----------------------------------------------
def test_clustering_refuses_recordings_and_tables_of_several_networks(rec):
    labels = rec.descriptors["token"].to_numpy()
    calls = {
        "linkage": lambda X: linkage(X),
        "cut_tree": lambda X: cut_tree(X, 2),
        "cluster_scores": lambda X: cluster_scores(X, labels),
        "nearest_neighbor_agreement": lambda X: nearest_neighbor_agreement(X, labels),
        "nearest_neighbors": lambda X: nearest_neighbors(X, np.arange(len(labels)), "0"),
    }
    for name, call in calls.items():
        with pytest.raises(
            DataError, match=_refused(name, 3, "0-2", "pass one network's states (rec.subset(seed=0).states)")
        ):
            call(rec)
        remedy = 'take one network (X[X["seed"] == 0].drop(columns="seed"))'
        with pytest.raises(DataError, match=_refused(name, 3, "0-2", remedy, "table")):
            call(rec.to_df(long=False))
    with pytest.raises(DataError, match=re.escape("linkage: X must be an array (items x units); got a Recording")):
        linkage(rec.subset(seed=0))
    states = rec.subset(seed=0).states
    np.testing.assert_array_equal(linkage(states), hierarchy.linkage(states, method="average", metric="euclidean"))
