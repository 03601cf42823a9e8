"""cogrnn.analysis.roles and cogrnn.analysis.profiles: known answers, tidy shapes, refusals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cogrnn.analysis import unit_correlations, vector_errors
from cogrnn.analysis.profiles import contrast_means, cycle_profile, feature_rms, step_errors
from cogrnn.analysis.roles import role_extremes, transition_labels, unit_roles
from cogrnn.exceptions import DataError


def _long(states: np.ndarray, seed: int = 0) -> pd.DataFrame:
    T, H = states.shape
    return pd.DataFrame(
        {"seed": seed, "t": np.repeat(np.arange(T), H), "unit": np.tile(np.arange(H), T), "activation": states.ravel()}
    )


def test_transition_labels_per_replica():
    df = pd.DataFrame({"seed": [1, 1, 1, 0, 0], "t": [2, 0, 1, 0, 1], "input": [1, 0, 0, 1, 0]})
    lab = transition_labels(df, "input")
    assert lab["seed"].tolist() == [0, 0, 1, 1, 1] and lab["t"].tolist() == [0, 1, 0, 1, 2]
    np.testing.assert_array_equal(lab["same"], [np.nan, 0.0, np.nan, 1.0, 0.0])
    np.testing.assert_array_equal(lab["xor_previous"], [np.nan, 1.0, np.nan, 0.0, 1.0])
    assert lab["current"].tolist() == [1.0, 0.0, 0.0, 0.0, 1.0]
    with pytest.raises(DataError):
        transition_labels(df.assign(input=df["input"] + 0.5), "input")


def test_unit_roles_equal_unit_correlations_on_the_labelled_steps(global_random_seed):
    rng = np.random.default_rng(global_random_seed)
    states = rng.random((50, 3))
    label = rng.random(50)
    label[[0, 7]] = np.nan  # left out of the correlation
    roles = unit_roles(_long(states), pd.DataFrame({"seed": 0, "t": np.arange(50), "x": label}))
    keep = ~np.isnan(label)
    np.testing.assert_allclose(roles["r"], unit_correlations(states[keep], label[keep]), rtol=0, atol=1e-12)
    assert roles["n"].tolist() == [48] * 3 and roles["unit"].tolist() == [0, 1, 2]
    assert roles.columns.tolist() == ["seed", "label", "unit", "r", "n"]


def test_unit_roles_separates_replicas_and_refuses_missing_labels():
    a = np.column_stack([np.arange(5.0), -np.arange(5.0)])
    states = pd.concat([_long(a, 0), _long(-a, 1)])
    labels = pd.DataFrame(
        {"seed": np.repeat([0, 1], 5), "t": np.tile(np.arange(5), 2), "x": np.tile(np.arange(5.0), 2)}
    )
    roles = unit_roles(states, labels)
    assert roles["r"].round(6).tolist() == [1.0, -1.0, -1.0, 1.0]
    ext = role_extremes(roles)
    assert ext.columns.tolist() == ["seed", "r_x_max", "r_x_min", "r_x_abs_max", "r_x_abs_min"]
    assert ext["r_x_max"].round(6).tolist() == [1.0, 1.0] and ext["r_x_abs_min"].round(6).tolist() == [1.0, 1.0]
    with pytest.raises(DataError, match="lack step"):
        unit_roles(states, labels[labels["t"] < 4])
    with pytest.raises(DataError, match="no label column"):
        unit_roles(states, labels[["seed", "t"]])


def test_unit_roles_reads_labels_in_any_order_with_extra_steps():
    rng = np.random.default_rng(3)
    a, b = rng.random((6, 2)), rng.random((4, 2))
    states = pd.concat([_long(a, 0), _long(b, 1)]).sample(frac=1, random_state=0)
    x = rng.random(12)
    # replica 0 labelled at steps 0-7 (two more than it has), replica 1 at 0-3; rows shuffled
    labels = pd.DataFrame({"seed": [0] * 8 + [1] * 4, "t": [*range(8), *range(4)], "x": x}).sample(
        frac=1, random_state=1
    )
    roles = unit_roles(states, labels)
    np.testing.assert_allclose(roles["r"][:2], unit_correlations(a, x[:6]), rtol=0, atol=1e-12)
    np.testing.assert_allclose(roles["r"][2:], unit_correlations(b, x[8:]), rtol=0, atol=1e-12)
    assert roles["seed"].tolist() == [0, 0, 1, 1] and roles["n"].tolist() == [6, 6, 4, 4]
    with pytest.raises(DataError, match=r"labels lack step\(s\) \[4, 5\] of replica 0$"):
        unit_roles(states, labels[~((labels["seed"] == 0) & labels["t"].isin([4, 5]))])
    with pytest.raises(DataError, match=r"labels lack step\(s\) \[0, 1, 2, 3\] of replica 1$"):
        unit_roles(states, labels[labels["seed"] == 0])


def test_a_constant_unit_has_no_role():
    states = np.column_stack([np.ones(6), np.arange(6.0)])
    roles = unit_roles(_long(states), pd.DataFrame({"seed": 0, "t": np.arange(6), "x": np.arange(6.0)}))
    assert np.isnan(roles["r"].iloc[0]) and roles["r"].iloc[1] == pytest.approx(1.0)
    ext = role_extremes(roles)  # the NaN unit is left out of the extremes
    assert ext["r_x_min"].iloc[0] == pytest.approx(1.0)


def test_step_errors_match_vector_errors():
    rng = np.random.default_rng(0)
    out, tgt = rng.random((4, 3)), rng.integers(0, 2, (4, 3)).astype(float)
    df = pd.DataFrame(
        {"seed": 0, "t": np.repeat(np.arange(4), 3), "feature": np.tile(["a", "b", "c"], 4),
         "output": out.ravel(), "target": tgt.ravel(), "letter": np.repeat(list("wxyz"), 3)}
    )  # fmt: skip
    steps = step_errors(df.sample(frac=1, random_state=1), keep=["letter"])  # row order does not matter
    assert steps["t"].tolist() == [0, 1, 2, 3] and steps["letter"].tolist() == list("wxyz")
    expected = vector_errors(out, tgt)
    for col in ("error_length", "sse", "rms_per_unit"):
        np.testing.assert_allclose(steps[col], expected[col])
    with pytest.raises(DataError):
        step_errors(df.drop(columns="target"))


def test_cycle_profile_folds_each_replica():
    df = pd.DataFrame(
        {"seed": np.repeat([0, 1], 6), "t": np.tile(np.arange(6), 2), "e": np.r_[np.arange(6.0), np.ones(6)]}
    )
    prof = cycle_profile(df, period=3, value="e", start=0)
    assert prof.columns.tolist() == ["seed", "cycle", "e"]
    assert prof["e"].tolist() == [1.5, 2.5, 3.5, 1.0, 1.0, 1.0] and prof["cycle"].tolist() == [1, 2, 3] * 2
    assert cycle_profile(df, period=2, value="e", start=1)["e"].tolist()[:2] == [2.0, 3.0]


def test_contrast_means_and_feature_rms():
    df = pd.DataFrame({"seed": [0, 0, 0, 1, 1], "cat": list("babba"), "v": [1.0, 0.2, 3.0, 4.0, 1.0]})
    m = contrast_means(df, "cat", ["b"], "v", names=("cons", "vowel"))
    assert m.columns.tolist() == ["seed", "cons", "vowel", "ratio"]
    assert m["cons"].tolist() == [2.0, 4.0] and m["vowel"].tolist() == [0.2, 1.0]
    assert m["ratio"].tolist() == pytest.approx([0.1, 0.25])
    only = contrast_means(df[df["cat"] == "b"], "cat", ["b"], "v")
    assert only["out_group"].isna().all()  # no other category: NaN, not an error
    sq = pd.DataFrame(
        {"seed": 0, "letter": list("aabb"), "feature": ["x", "y", "x", "y"], "sq_error": [0.04, 0.0, 0.16, 1.0]}
    )
    rms = feature_rms(sq, by=["seed", "letter"])
    assert rms.columns.tolist() == ["seed", "letter", "x", "y"]
    np.testing.assert_allclose(rms[["x", "y"]].to_numpy(), [[0.2, 0.0], [0.4, 1.0]])
    np.testing.assert_allclose(feature_rms(sq)[["x", "y"]].to_numpy(), [[np.sqrt(0.1), np.sqrt(0.5)]])
