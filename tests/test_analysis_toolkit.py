from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
from scipy import stats

from cogrnn.analysis import (
    RDM,
    Recording,
    StatePCA,
    cohens_dz,
    compare_rdm_set,
    compare_rdms,
    find_fixed_points,
    generate,
    gradient_flow,
    kendall_tau_a,
    model_rdm,
    next_token_fn,
    paired_comparison,
    rdm,
    recurrent_spectral_radius,
)
from cogrnn.exceptions import ConfigError, DataError
from cogrnn.models import ElmanSRN, GRUNetwork, JordanNetwork, LSTMNetwork
from cogrnn.viz import plot_rdm, plot_trajectories


def test_pca_trajectories_follow_the_sequences():
    rng = np.random.default_rng(0)
    states = np.vstack([np.outer(np.arange(5), [1.0, 2.0, 0.0]) + rng.normal(0, 0.01, (5, 3)) for _ in range(3)])
    rec = Recording(states, {"sentence": np.repeat([0, 1, 2], 5), "t": np.arange(15), "word": list("abcde") * 3})
    pca = StatePCA(2).fit(rec)
    assert pca.explained_variance_ratio_[0] > 0.99
    traj = pca.trajectories(rec, by="sentence", label="word", select=[0, 2])
    assert traj["sentence"].unique().tolist() == [0, 2] and traj["step"].tolist() == list(range(5)) * 2
    assert abs(np.corrcoef(traj["step"], traj["pc1"])[0, 1]) > 0.99  # the line is the first component
    fig = plot_trajectories(traj)
    assert fig.axes
    with pytest.raises(DataError, match="not fitted"):
        StatePCA().transform(states)
    with pytest.raises(DataError, match="unknown descriptor"):
        pca.trajectories(rec, by="nope")
    with pytest.raises(ConfigError):
        StatePCA(5).fit(states)


def test_rdm_of_hand_made_vectors():
    X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    r = rdm(X, labels=["a", "b", "c"], metric="euclidean")
    np.testing.assert_allclose(r.matrix, [[0, np.sqrt(2), 1], [np.sqrt(2), 0, 1], [1, 1, 0]])
    c = rdm(np.array([[1.0, 2, 3], [2, 4, 6], [3, 2, 1]]), labels=list("xyz"))  # correlation distance
    np.testing.assert_allclose(c.matrix[0, 1], 0.0, atol=1e-12)
    np.testing.assert_allclose(c.matrix[0, 2], 2.0)
    cos = rdm(X, labels=list("abc"), metric="cosine")
    np.testing.assert_allclose(cos.matrix[0, 2], 1 - 1 / np.sqrt(2))
    rec = Recording(np.vstack([X, X + 0.0]), {"word": list("abcabc")})
    np.testing.assert_allclose(rdm(rec, by="word", metric="euclidean").matrix, r.matrix)
    assert len(r.to_df()) == 9 and plot_rdm(r.to_df()).axes
    with pytest.raises(DataError, match="constant pattern"):
        rdm(np.array([[1.0, 1.0], [0.0, 1.0]]), labels=["a", "b"])
    with pytest.raises(DataError, match="needs by="):
        rdm(rec)


def test_rdm_comparisons_against_hand_computed_values():
    a = RDM(np.array([[0, 1, 2], [1, 0, 3], [2, 3, 0.0]]), ["x", "y", "z"], "euclidean")
    b = RDM(np.array([[0, 3, 2], [3, 0, 1], [2, 1, 0.0]]), ["x", "y", "z"], "euclidean")
    # vectors (1, 2, 3) and (3, 2, 1): perfectly reversed
    assert compare_rdms(a, b, "spearman") == pytest.approx(-1.0)
    assert compare_rdms(a, b, "kendall_tau_a") == pytest.approx(-1.0)
    assert compare_rdms(a, a.reorder(["z", "x", "y"]), "pearson") == pytest.approx(1.0)
    # tau-a counts ties as neither: differs from scipy's tau-b when there are ties
    x, y = [1, 2, 2, 3], [1, 2, 3, 4]
    assert kendall_tau_a(x, y) == pytest.approx(5 / 6)
    assert stats.kendalltau(x, y).statistic > 5 / 6
    m = model_rdm(["man", "boy", "eat"], {"man": "N", "boy": "N", "eat": "V"})
    assert m.vector().tolist() == [0.0, 1.0, 1.0]
    table = compare_rdm_set({"s0": a, "s1": b, "s2": a}, method="kendall_tau_a")
    assert table.shape == (3, 3) and table.loc[1, "kendall_tau_a"] == pytest.approx(1.0)
    with pytest.raises(DataError, match="different conditions"):
        compare_rdms(a, RDM(np.zeros((3, 3)), ["x", "y", "w"], "e"))


@pytest.mark.parametrize("cls", [ElmanSRN, JordanNetwork, LSTMNetwork, GRUNetwork])
def test_gradient_flow_for_every_recurrent_model(cls):
    net = cls(1, 6, 1, n_replicas=2, random_state=0)
    df = gradient_flow(net, np.random.default_rng(0).integers(0, 2, (12, 1, 1)).astype(float))
    assert df["lag"].min() == 1 and df["lag"].max() == 11 and len(df) == 22
    assert (df["grad_norm"] > 0).all()


def test_gradient_flow_of_a_linear_network_is_exact():
    # identity units, no input drive: dL_T/dh_t = (W^T)^(T-t-1) ... so the norm scales as rho^lag
    net = ElmanSRN(1, 3, 1, nonlinearity="identity", output_activation="identity", random_state=0, dtype=torch.float64)
    with torch.no_grad():
        net.weight("weight_ch_l0").copy_(0.5 * torch.eye(3)[None])
    df = gradient_flow(net, np.zeros((8, 1, 1)))
    ratios = df["grad_norm"].to_numpy()[:-1] / df["grad_norm"].to_numpy()[1:]
    np.testing.assert_allclose(ratios, 0.5)
    rho = recurrent_spectral_radius(net)
    assert rho["spectral_radius"].iloc[0] == pytest.approx(0.5)
    assert set(recurrent_spectral_radius(LSTMNetwork(1, 4, 1, random_state=0))["block"]) == {
        "input", "forget", "cell", "output"}  # fmt: skip
    with pytest.raises(ConfigError):
        recurrent_spectral_radius(JordanNetwork(1, 3, 1, random_state=0))


def test_fixed_point_and_jacobian_of_a_linear_network():
    net = ElmanSRN(1, 2, 1, nonlinearity="identity", random_state=0, dtype=torch.float64)
    W = torch.tensor([[0.5, 0.1], [0.0, 0.3]], dtype=torch.float64)
    b = torch.tensor([1.0, -1.0], dtype=torch.float64)
    with torch.no_grad():
        net.weight("weight_ch_l0").copy_(W[None])
        net.weight("bias_h_l0").copy_(b[None])
        net.weight("weight_ih_l0").zero_()
    fps = find_fixed_points(net, [0.0], np.random.default_rng(0).normal(size=(8, 2)), n_iter=3000, lr=0.05)
    assert len(fps) == 1 and fps.loc[0, "kind"] == "stable"
    expected = np.linalg.solve(np.eye(2) - W.numpy(), b.numpy())
    np.testing.assert_allclose(fps.loc[0, ["h0", "h1"]].to_numpy(dtype=float), expected, atol=1e-3)
    assert fps.loc[0, "max_abs_eigenvalue"] == pytest.approx(0.5, abs=1e-6)  # eigenvalues of W
    with pytest.raises(ConfigError):
        find_fixed_points(LSTMNetwork(1, 2, 1, random_state=0), [0.0], np.zeros((2, 2)))
    with pytest.raises(DataError):
        find_fixed_points(net, [0.0], np.zeros((2, 3)))


def test_beam_search_beats_greedy_on_a_hand_written_distribution():
    table = {None: [0.6, 0.4, 0.0], 0: [0.34, 0.33, 0.33], 1: [0.05, 0.05, 0.9], 2: [1 / 3] * 3}

    def step(state, token):
        return np.log(np.asarray(table[token]) + 1e-12), token

    greedy = generate(step, None, None, 2)[0]
    beam = generate(step, None, None, 2, strategy="beam", beam_width=2)
    assert greedy["tokens"] == [0, 0] and beam[0]["tokens"] == [1, 2]
    assert beam[0]["log_prob"] == pytest.approx(np.log(0.4 * 0.9))
    assert beam[0]["log_prob"] > greedy["log_prob"]
    samples = generate(step, None, None, 2, strategy="sample", n_samples=200, random_state=0)
    first = [s["tokens"][0] for s in samples]
    assert 0.45 < np.mean(np.array(first) == 0) < 0.75 and 2 not in first
    cold = generate(step, None, None, 1, strategy="sample", temperature=0.01, n_samples=20, random_state=0)
    assert all(s["tokens"] == [0] for s in cold)  # low temperature -> greedy


def test_generation_from_a_zoo_model():
    net = ElmanSRN(5, 8, 5, n_replicas=2, random_state=0)
    step, state = next_token_fn(net, replica=1)
    out = generate(step, state, 0, 6, strategy="sample", n_samples=3, random_state=1)
    assert len(out) == 3 and all(len(o["tokens"]) == 6 and o["log_prob"] < 0 for o in out)
    with pytest.raises(DataError, match="token must be"):
        step(state, 7)


def test_paired_comparison_and_effect_size():
    rng = np.random.default_rng(0)
    base = rng.normal(0.5, 0.1, 20)
    df = pd.concat(
        [
            pd.DataFrame({"seed": range(20), "arch": "lstm", "acc": base + 0.2 + rng.normal(0, 0.02, 20)}),
            pd.DataFrame({"seed": range(20), "arch": "srn", "acc": base}),
        ]
    )
    row = paired_comparison(df, "acc", "arch", "lstm", "srn").iloc[0]
    assert row["n_pairs"] == 20 and 0.18 < row["mean_difference"] < 0.22
    assert row["ci_low"] < row["mean_difference"] < row["ci_high"]
    assert row["cohens_dz"] > 5 and row["t_test_p"] < 1e-6 and row["wilcoxon_p"] < 1e-3
    assert cohens_dz(np.array([1.0, 1.0])) == np.inf
    with pytest.raises(DataError, match="condition 'gru'"):
        paired_comparison(df, "acc", "arch", "gru", "srn")
