"""Bad input to the analyses of cogrnn.analysis: one cogrnn error naming the argument, never a raw error."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from cogrnn.analysis.capacity import capacity_table, capacity_theory, crossing, pooled_statistic
from cogrnn.analysis.dynamics import decay_fits
from cogrnn.analysis.profiles import contrast_means, cycle_profile, feature_rms, step_errors
from cogrnn.analysis.roles import role_extremes, transition_labels, unit_roles
from cogrnn.analysis.tokens import position_scores, sample_per_label, token_scores
from cogrnn.exceptions import ConfigError, DataError


@pytest.fixture(autouse=True)
def _warnings_are_errors():
    # a leaked RuntimeWarning (or RankWarning) is a failure too
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def norms(**changes):
    df = pd.DataFrame({"seed": [0, 0, 0, 1, 1, 1], "lag": [1, 2, 3] * 2, "grad_norm": [0.1, 0.01, 0.001] * 2})
    return df.assign(**changes)


# decay_fits


def test_decay_fits_string_by_is_one_column():
    fits = decay_fits(norms(), by="seed")
    assert fits.equals(decay_fits(norms(), by=["seed"]))
    assert fits["slope"].round(9).tolist() == [-1.0, -1.0]


def test_decay_fits_empty_by():
    with pytest.raises(ConfigError, match="by"):
        decay_fits(norms(), by=[])


@pytest.mark.parametrize(
    "bad, what",
    [(-0.01, "smallest"), (np.nan, "NaN"), (np.inf, "infinite")],
    ids=["negative", "nan", "inf"],
)
def test_decay_fits_bad_norm(bad, what):
    values = [0.1, 0.01, bad, 0.1, 0.01, 0.001]
    with pytest.raises(DataError, match=f"grad_norm.*{what}"):
        decay_fits(norms(grad_norm=values))


def test_decay_fits_zero_norm_is_floored():  # documented: a norm of exactly 0 stays finite
    assert np.isfinite(decay_fits(norms(grad_norm=[0.1, 0.01, 0.0] * 2))["slope"]).all()


def test_decay_fits_constant_lag():
    with pytest.raises(DataError, match="2 distinct values of 'lag'"):
        decay_fits(norms(lag=[1] * 6))


def test_decay_fits_string_norm():
    with pytest.raises(DataError, match=r"grad_norm.*numeric"):
        decay_fits(norms(grad_norm=["a", "b", "c"] * 2))


def test_decay_fits_not_a_frame():
    with pytest.raises(DataError, match="df must be a pandas DataFrame; got ndarray"):
        decay_fits(np.zeros((6, 3)))


# capacity


@pytest.mark.parametrize("bad", [2.5, float("nan"), "100", [], None], ids=["float", "nan", "str", "empty", "none"])
def test_capacity_theory_bad_sizes(bad):
    with pytest.raises(ConfigError, match="n_units"):
        capacity_theory(bad)


def test_capacity_theory_numpy_ints_as_before():
    assert capacity_theory(np.int64(100)).equals(capacity_theory(100))
    assert capacity_theory(np.array([100, 500])).equals(capacity_theory([100, 500]))


def recall_trials(**changes):
    df = pd.DataFrame(
        {"seed": [0] * 4 + [1] * 4, "set": 0, "n_units": 100, "rule": "hebbian",
         "load": [0.1, 0.1, 0.2, 0.2] * 2, "exact": [1, 1, 1, 0, 1, 1, 0, 0]}
    )  # fmt: skip
    return df.assign(**changes)


def test_pooled_statistic_string_by_and_bad_values():
    mean = lambda r: float(r.mean())  # noqa: E731
    one = pooled_statistic(recall_trials(), "exact", "load", mean, n_boot=10, random_state=0)
    assert one[:3] == pooled_statistic(recall_trials(), "exact", ["load"], mean, n_boot=10, random_state=0)[:3]
    assert one[0] == 0.625  # mean of the pooled rates 1.0 (load 0.1) and 0.25 (load 0.2)
    with pytest.raises(DataError, match="frame must be a pandas DataFrame"):
        pooled_statistic(recall_trials().to_numpy(), "exact", ["load"], mean)
    with pytest.raises(DataError, match=r"'exact' of frame.*numeric"):
        pooled_statistic(recall_trials(exact=["yes"] * 8), "exact", ["load"], mean)
    with pytest.raises(DataError, match=r"'exact' of frame.*NaN"):
        pooled_statistic(recall_trials(exact=[1, np.nan] * 4), "exact", ["load"], mean)
    with pytest.raises(ConfigError, match="statistic"):
        pooled_statistic(recall_trials(), "exact", ["load"], "mean")


def test_capacity_table_bad_input():
    with pytest.raises(DataError, match="frame has no rows"):
        capacity_table(recall_trials().iloc[:0])
    with pytest.raises(ConfigError, match="by"):
        capacity_table(recall_trials(), by=[])
    with pytest.raises(DataError, match=r"'load' of frame.*numeric"):
        capacity_table(recall_trials(load=["low", "low", "high", "high"] * 2))


def test_crossing_needs_a_series():
    with pytest.raises(DataError, match="rates must be a pandas Series"):
        crossing([1.0, 0.2])


# roles


def xor_states(**changes):
    states = pd.DataFrame(
        {"seed": 0, "t": [0, 0, 1, 1, 2, 2], "unit": [0, 1] * 3, "activation": [0.0, 1.0, 1.0, 0.0, 2.0, -1.0]}
    )
    return states.assign(**changes)


def xor_labels(**changes):
    return pd.DataFrame({"seed": 0, "t": [0, 1, 2], "x": [0.0, 1.0, 2.0]}).assign(**changes)


def test_unit_roles_not_a_frame():
    with pytest.raises(DataError, match="states must be a pandas DataFrame; got ndarray"):
        unit_roles(np.zeros((3, 3)), xor_labels())
    with pytest.raises(DataError, match="labels must be a pandas DataFrame; got list"):
        unit_roles(xor_states(), [[0, 0, 1.0]])


def test_unit_roles_string_label():
    with pytest.raises(DataError, match=r"'x' of labels.*numeric"):
        unit_roles(xor_states(), xor_labels(x=["a", "b", "c"]))


def test_unit_roles_nan_label_still_leaves_the_step_out():
    roles = unit_roles(xor_states(), xor_labels(x=[0.0, 1.0, np.nan]))
    assert roles["n"].tolist() == [2, 2]


def test_unit_roles_bad_activations():
    with pytest.raises(DataError, match=r"'activation' of states.*NaN"):
        unit_roles(xor_states(activation=[0.0, np.nan, 1.0, 0.0, 2.0, -1.0]), xor_labels())
    with pytest.raises(DataError, match=r"states .*several rows"):
        unit_roles(xor_states(unit=[0, 0, 0, 1, 0, 1]), xor_labels())


def test_role_extremes_string_labels_is_one_label():
    roles = pd.DataFrame({"seed": 0, "label": ["same", "same", "x"], "unit": [0, 1, 0], "r": [0.4, -0.9, 0.1]})
    assert role_extremes(roles, "same").columns.tolist() == role_extremes(roles, ["same"]).columns.tolist()
    with pytest.raises(DataError, match=r"'r' of roles.*numeric"):
        role_extremes(roles.assign(r="high"))


def test_transition_labels_not_a_frame():
    with pytest.raises(DataError, match="df must be a pandas DataFrame"):
        transition_labels({"seed": [0], "t": [0], "input": [1]}, "input")


# profiles


def letter_rows(**changes):
    df = pd.DataFrame(
        {"seed": 0, "t": 0, "letter": "d", "feature": ["high", "back"], "output": [1 / 3, 1 / 3], "target": [1.0, 0.0]}
    )
    return df.assign(**changes)


def test_step_errors_not_a_frame():
    with pytest.raises(DataError, match="df must be a pandas DataFrame; got list"):
        step_errors([1, 2, 3])


def test_step_errors_string_output():
    with pytest.raises(DataError, match=r"'output' of df.*numeric"):
        step_errors(letter_rows(output=["a", "b"]))


def test_step_errors_nan_output():
    with pytest.raises(DataError, match=r"'output' of df.*NaN"):
        step_errors(letter_rows(output=[np.nan, 0.5]))


def test_step_errors_string_keep_is_one_column():
    assert step_errors(letter_rows(), keep="letter").equals(step_errors(letter_rows(), keep=["letter"]))


def test_step_errors_duplicate_feature():
    with pytest.raises(DataError, match=r"df .*several rows"):
        step_errors(letter_rows(feature=["high", "high"]))


def test_feature_rms_bad_input():
    df = pd.DataFrame({"seed": 0, "feature": ["high", "high", "voiced"], "sq_error": [0.0, 0.5, 0.0]})
    assert feature_rms(df, by="seed").equals(feature_rms(df))
    with pytest.raises(ConfigError, match="by"):
        feature_rms(df, by=[])
    with pytest.raises(DataError, match="'sq_error' of df must be >= 0"):
        feature_rms(df.assign(sq_error=[0.0, -0.5, 0.0]))


def test_contrast_means_bad_input():
    steps = pd.DataFrame({"seed": 0, "target_letter": ["d", "i"], "error_length": [0.7, 0.07]})
    with pytest.raises(ConfigError, match="names"):
        contrast_means(steps, "target_letter", ["d"], "error_length", names=("same", "same"))
    with pytest.raises(DataError, match=r"'error_length' of df.*numeric"):
        contrast_means(steps.assign(error_length=["a", "b"]), "target_letter", ["d"], "error_length")
    one = contrast_means(steps, "target_letter", "d", "error_length")
    assert one.equals(contrast_means(steps, "target_letter", ["d"], "error_length"))


def test_cycle_profile_bad_input():
    df = pd.DataFrame({"seed": 0, "t": range(4), "sq_error": [1.0, 0.0, 3.0, 0.0]})
    with pytest.raises(ConfigError, match="start"):
        cycle_profile(df, 2, start=0.5)
    with pytest.raises(DataError, match=r"'sq_error' of df.*numeric"):
        cycle_profile(df.assign(sq_error="x"), 2)


# tokens

X6 = [[0.0, 0], [0.1, 0], [0.0, 0.1], [5, 5], [5.1, 5], [5, 5.1]]
WORDS = ["a", "a", "b", "c", "c", "d"]


def test_token_scores_one_class():
    with pytest.raises(DataError, match="classes must hold at least 2 distinct"):
        token_scores(X6, ["n"] * 6, WORDS, [1, 0, 0, 0, 0, 0])


def test_token_scores_string_initial():
    with pytest.raises(DataError, match="initial"):
        token_scores(X6, list("nnnvvv"), WORDS, "yes")
    with pytest.raises(DataError, match="initial must hold booleans"):
        token_scores(X6, list("nnnvvv"), WORDS, ["yes", "no", "no", "no", "no", "no"])


def test_token_scores_bad_states():
    with pytest.raises(DataError, match="states contain NaN"):
        token_scores([*X6[:5], [np.nan, 0]], list("nnnvvv"), WORDS, [1, 0, 0, 0, 0, 0])
    with pytest.raises(DataError, match="states must be a numeric array"):
        token_scores([["a", "b"]] * 6, list("nnnvvv"), WORDS, [1, 0, 0, 0, 0, 0])


def test_position_scores_bad_input():
    X = [[0.0], [0.1], [0.2], [5.0], [5.1]]
    with pytest.raises(DataError, match="roles must be a sequence"):
        position_scores(X, "subject", "subject")
    with pytest.raises(DataError, match="initial_role 'agent'"):
        position_scores(X, ["subject"] * 3 + ["object"] * 2, "agent")


def test_sample_per_label_scalar():
    with pytest.raises(DataError, match="labels must be a 1-d sequence"):
        sample_per_label("abc", 2, random_state=0)


def test_step_errors_missing_feature_at_a_step():
    df = pd.DataFrame({"seed": 0, "t": [0, 0, 1], "feature": ["a", "b", "a"], "output": 1.0, "target": 0.0})
    with pytest.raises(DataError, match=r"df lacks rows for some \('t', 'feature'\) pairs"):
        step_errors(df)


def test_unit_roles_missing_unit_at_a_step():
    with pytest.raises(DataError, match=r"states lack rows for some \('t', 'unit'\) pairs"):
        unit_roles(xor_states().iloc[:-1], xor_labels())


def test_cycle_profile_too_short():
    df = pd.DataFrame({"seed": 0, "t": range(4), "sq_error": [1.0, 0.0, 3.0, 0.0]})
    with pytest.raises(DataError, match="too few for one window of period=2 from start=10"):
        cycle_profile(df, 2, start=10)


# dynamics: model-level functions


def test_gradient_flow_bad_targets_and_step():
    from cogrnn.analysis.dynamics import gradient_flow
    from cogrnn.models import ElmanSRN

    net = ElmanSRN(1, 3, 1, random_state=0)
    with pytest.raises(DataError, match="targets contain NaN"):
        gradient_flow(net, np.zeros((4, 1, 1)), targets=np.full((4, 1, 1), np.nan))
    with pytest.raises(DataError, match="targets must be numeric"):
        gradient_flow(net, np.zeros((4, 1, 1)), targets=np.full((4, 1, 1), "a"))
    with pytest.raises(ConfigError, match="step"):
        gradient_flow(net, np.zeros((4, 1, 1)), step=2.0)


def test_scale_spectral_radius_zero_weights():
    import torch

    from cogrnn.analysis.dynamics import scale_spectral_radius
    from cogrnn.models import ElmanSRN

    net = ElmanSRN(1, 3, 1, random_state=0)
    with torch.no_grad():
        net.weight_ch_l0.zero_()
    with pytest.raises(DataError, match="spectral radius"):
        scale_spectral_radius(net, 0.5)
    assert bool((net.weight_ch_l0 == 0).all())  # left as it was


def test_find_fixed_points_non_numeric():
    from cogrnn.analysis.dynamics import find_fixed_points
    from cogrnn.models import ElmanSRN

    net = ElmanSRN(1, 2, 1, random_state=0)
    with pytest.raises(DataError, match="inputs must be numeric"):
        find_fixed_points(net, ["a"], np.zeros((3, 2)))
    with pytest.raises(DataError, match="initial_states must be numeric"):
        find_fixed_points(net, [0.0], [["a", "b"]])
