"""Explicit randomness: seeds, generators and per-replica streams.

cogrnn never calls a global random number generator. Public functions accept a
``random_state`` (``None``, an ``int``, a :class:`numpy.random.SeedSequence` or a
:class:`numpy.random.Generator`) and turn it into a generator with
:func:`check_random_state`. Independent streams (one per seed, replica or task) are
derived from one root seed with :meth:`numpy.random.SeedSequence.spawn`.
"""

from __future__ import annotations

import numbers
from typing import Union

import numpy as np
import torch

from .exceptions import ConfigError

__all__ = [
    "RandomState",
    "check_random_state",
    "seed_sequence",
    "spawn_seeds",
    "seed_entropy",
    "torch_generator",
]

RandomState = Union[None, int, np.integer, np.random.SeedSequence, np.random.Generator]


def seed_sequence(random_state: RandomState | None) -> np.random.SeedSequence:
    """Return a :class:`~numpy.random.SeedSequence` for ``random_state``.

    Parameters
    ----------
    random_state : None, int, SeedSequence or Generator
        ``None`` draws fresh entropy from the operating system (not reproducible);
        an ``int`` >= 0 is used as entropy; a ``Generator`` is asked for 128 bits.

    Returns
    -------
    numpy.random.SeedSequence

    Examples
    --------
    >>> seed_sequence(7).entropy
    7
    """
    if random_state is None:
        return np.random.SeedSequence()
    if isinstance(random_state, np.random.SeedSequence):
        return random_state
    if isinstance(random_state, np.random.Generator):
        return np.random.SeedSequence(int(random_state.integers(0, 2**63 - 1)))
    if isinstance(random_state, bool) or not isinstance(random_state, numbers.Integral):
        raise ConfigError(
            "random_state must be None, a non-negative int, a numpy SeedSequence or a "
            f"numpy Generator; got {random_state!r} of type {type(random_state).__name__}"
        )
    if int(random_state) < 0:
        raise ConfigError(f"random_state must be >= 0; got {random_state}")
    return np.random.SeedSequence(int(random_state))


def check_random_state(random_state: RandomState | None) -> np.random.Generator:
    """Turn ``random_state`` into a :class:`numpy.random.Generator`.

    A ``Generator`` is returned as is (so a caller's stream advances); anything else
    goes through :func:`seed_sequence`.

    Examples
    --------
    >>> rng = check_random_state(0)
    >>> int(rng.integers(10)) == int(check_random_state(0).integers(10))
    True
    """
    if isinstance(random_state, np.random.Generator):
        return random_state
    return np.random.default_rng(seed_sequence(random_state))


def spawn_seeds(random_state: RandomState | None, n: int) -> list[np.random.SeedSequence]:
    """Derive ``n`` independent child seed sequences from one root.

    Examples
    --------
    >>> a, b = spawn_seeds(1, 2)
    >>> a.entropy == b.entropy == 1, a.spawn_key, b.spawn_key
    (True, (0,), (1,))
    """
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
        raise ConfigError(f"the number of seeds must be an int >= 1; got {n!r}")
    return seed_sequence(random_state).spawn(int(n))


def seed_entropy(seed: np.random.SeedSequence) -> dict[str, object]:
    """A JSON-serialisable description of a seed sequence (for provenance).

    Examples
    --------
    >>> seed_entropy(spawn_seeds(3, 2)[1])
    {'entropy': 3, 'spawn_key': [1]}
    """
    return {"entropy": int(seed.entropy), "spawn_key": [int(k) for k in seed.spawn_key]}  # type: ignore[arg-type]


def torch_generator(random_state: RandomState | None, device: str | torch.device = "cpu") -> torch.Generator:
    """A seeded :class:`torch.Generator` derived from ``random_state``.

    Examples
    --------
    >>> g1, g2 = torch_generator(5), torch_generator(5)
    >>> bool(torch.equal(torch.rand(3, generator=g1), torch.rand(3, generator=g2)))
    True
    """
    ss = seed_sequence(random_state)
    seed = int(ss.generate_state(2, dtype=np.uint32).astype(np.uint64) @ np.array([1, 2**32], dtype=np.uint64))
    gen = torch.Generator(device=device)
    gen.manual_seed(seed & 0x7FFF_FFFF_FFFF_FFFF)
    return gen
