from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
import torch

import cogrnn
from cogrnn.config import Config, check_choice, check_float, check_int, stable_hash
from cogrnn.exceptions import ConfigError
from cogrnn.random import (
    check_random_state,
    seed_entropy,
    seed_sequence,
    spawn_seeds,
    torch_generator,
)
from cogrnn.registry import MODELS, TASKS, Registry


def test_check_random_state_passes_generators_through():
    rng = np.random.default_rng(0)
    assert check_random_state(rng) is rng
    a = check_random_state(3).random(4)
    b = check_random_state(3).random(4)
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("bad", [-1, 1.5, "7", True])
def test_bad_random_state_is_a_clear_error(bad):
    with pytest.raises(ConfigError, match="random_state"):
        seed_sequence(bad)


def test_spawn_seeds_are_independent_and_recorded():
    seeds = spawn_seeds(11, 3)
    assert [seed_entropy(s) for s in seeds] == [{"entropy": 11, "spawn_key": [i]} for i in range(3)]
    draws = [np.random.default_rng(s).random() for s in seeds]
    assert len(set(draws)) == 3
    with pytest.raises(ConfigError):
        spawn_seeds(1, 0)


def test_torch_generator_is_deterministic():
    x = torch.rand(5, generator=torch_generator(9))
    y = torch.rand(5, generator=torch_generator(9))
    z = torch.rand(5, generator=torch_generator(10))
    assert torch.equal(x, y) and not torch.equal(x, z)


@dataclass(frozen=True)
class _Cfg(Config):
    n: int = 2
    lr: float = 0.1
    mode: str = "a"

    def __post_init__(self):
        check_int("n", self.n, low=1)
        check_float("lr", self.lr, low=0, low_inclusive=False)
        check_choice("mode", self.mode, ["a", "b"])


def test_config_validation_names_parameter_range_and_value():
    with pytest.raises(ConfigError, match=r"n must be an integer in \[1, inf\]; got 0"):
        _Cfg(n=0)
    with pytest.raises(ConfigError, match=r"lr must be a number in \(0, inf\); got -2"):
        _Cfg(lr=-2)
    with pytest.raises(ConfigError, match="mode must be one of 'a', 'b'; got 'c'"):
        _Cfg(mode="c")
    with pytest.raises(ConfigError, match="unknown parameter"):
        _Cfg.from_dict({"n": 1, "bogus": 2})


def test_config_roundtrip_and_hash():
    cfg = _Cfg(n=3)
    assert _Cfg.from_dict(cfg.to_dict()) == cfg
    assert cfg.config_hash() == _Cfg(n=3).config_hash() != _Cfg(n=4).config_hash()
    assert stable_hash({"a": 1, "b": 2}) == stable_hash({"b": 2, "a": 1})


def test_registry_versions_and_unknown_names():
    reg: Registry[object] = Registry("thing")
    reg.register("foo-v1", lambda: 1, "one")
    reg.register("foo-v2", lambda: 2, "two")
    assert reg.make("foo") == 2 and reg.make("foo-v1") == 1
    with pytest.raises(ConfigError, match="unknown thing 'bar'; known: foo"):
        reg.get("bar")
    with pytest.raises(ConfigError, match="known versions: v1, v2"):
        reg.get("foo-v3")


def test_zoo_is_registered():
    assert {"elman", "jordan", "lstm", "gru"} <= set(MODELS.names())
    assert "temporal-xor" in TASKS.names()
    net = cogrnn.make_model("elman", input_size=2, hidden_size=3, output_size=2, random_state=0)
    assert isinstance(net, cogrnn.models.ElmanSRN)
    with pytest.raises(ConfigError, match="unknown model"):
        cogrnn.make_model("transformer")


def test_show_versions_runs(capsys):
    cogrnn.show_versions()
    out = capsys.readouterr().out
    assert "cogrnn" in out and "torch" in out
