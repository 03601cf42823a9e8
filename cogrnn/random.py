"""Explicit randomness: seeds, generators and per-replica streams.

cogrnn never calls a global random number generator. Public functions accept a
``random_state`` (``None``, an ``int``, a :class:`numpy.random.SeedSequence` or a
:class:`numpy.random.Generator`) and turn it into a generator with
:func:`check_random_state`. Independent streams (one per seed, replica or task) are
derived from one root seed with :meth:`numpy.random.SeedSequence.spawn`.
"""

from __future__ import annotations

import numbers
from typing import TYPE_CHECKING, Union

import numpy as np

from ._docs import fill_doc
from .config import format_bytes
from .exceptions import ConfigError

if TYPE_CHECKING:  # pragma: no cover - torch is imported by torch_generator, its only user
    import torch

__all__ = [
    "RandomState",
    "check_random_state",
    "seed_sequence",
    "spawn_seeds",
    "seed_entropy",
    "seed_at",
    "check_seed_count",
    "fresh_seed",
    "torch_generator",
    "MAX_ROOT_SEED",
    "MAX_SEEDS",
]

#: largest root seed accepted (the entropy of a :class:`~numpy.random.SeedSequence`)
MAX_ROOT_SEED = 2**63 - 1
#: most seeds ("subjects") one run may ask for; each seed is a whole simulated subject
MAX_SEEDS = 100_000
#: bytes a seed costs before any training: its SeedSequence and per-seed bookkeeping (measured ~1 kB)
SEED_BYTES = 1000

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
        The sequence itself for a SeedSequence, else a new one.

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
    if not 0 <= int(random_state) <= MAX_ROOT_SEED:
        raise ConfigError(f"random_state must be an integer in [0, {MAX_ROOT_SEED}]; got {random_state}")
    return np.random.SeedSequence(int(random_state))


@fill_doc
def check_random_state(random_state: RandomState | None) -> np.random.Generator:
    """Turn ``random_state`` into a :class:`numpy.random.Generator`.

    A ``Generator`` is returned as is (so a caller's stream advances); anything else
    goes through :func:`seed_sequence`.

    Parameters
    ----------
    %(random_state)s

    Returns
    -------
    numpy.random.Generator
        The generator.

    Examples
    --------
    >>> rng = check_random_state(0)
    >>> int(rng.integers(10)) == int(check_random_state(0).integers(10))
    True
    """
    if isinstance(random_state, np.random.Generator):
        return random_state
    return np.random.default_rng(seed_sequence(random_state))


@fill_doc
def spawn_seeds(random_state: RandomState | None, n: int) -> list[np.random.SeedSequence]:
    """Derive ``n`` independent child seed sequences from one root.

    Child ``i`` is ``seed_at(root, i)``: it depends only on the root and its index, so
    the same (root, index) gives the same stream however many seeds are spawned.
    ``n`` is bounded by :data:`MAX_SEEDS` before anything is allocated.

    Parameters
    ----------
    %(random_state)s
        The root.
    n : int
        Number of children, from 1 to :data:`MAX_SEEDS`.

    Returns
    -------
    list of numpy.random.SeedSequence
        The ``n`` children of the root.

    Examples
    --------
    >>> a, b = spawn_seeds(1, 2)
    >>> a.entropy == b.entropy == 1, a.spawn_key, b.spawn_key
    (True, (0,), (1,))
    """
    n = check_seed_count("the number of seeds", n)
    return seed_sequence(random_state).spawn(n)


def check_seed_count(name: str, n: object, limit: int = MAX_SEEDS) -> int:
    """Check that ``n`` is an int in ``[1, limit]``; the error names the limit and the memory.

    Parameters
    ----------
    name : str
        What ``n`` is, for the error message (e.g. ``"--seeds"``).
    n : object
        The value checked.
    limit : int, optional
        Largest allowed value (default :data:`MAX_SEEDS`).

    Returns
    -------
    int
        ``n`` as an int.

    Raises
    ------
    cogrnn.exceptions.ConfigError
        If ``n`` is not an int in ``[1, limit]``.

    Examples
    --------
    >>> check_seed_count("--seeds", 10)
    10
    >>> check_seed_count("--seeds", 10**12)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    cogrnn.exceptions.ConfigError: --seeds must be at most 100000; 1000000000000 seeds would need at least 1.0 PB...
    """
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or int(n) < 1:
        raise ConfigError(f"{name} must be an integer >= 1; got {n!r}")
    if int(n) > limit:
        need = format_bytes(int(n) * SEED_BYTES)
        raise ConfigError(
            f"{name} must be at most {limit}; {int(n)} seeds would need at least {need} of memory "
            f"({SEED_BYTES // 1000} kB per seed before any training)"
        )
    return int(n)


def seed_at(root: RandomState | None, index: int) -> np.random.SeedSequence:
    """A fresh copy of child ``index`` of ``root``: equal to ``spawn_seeds(root, n)[index]``.

    Derived from the root and the index alone, never from a shared object, so tasks
    computed in any order, process or run get the same stream.

    Parameters
    ----------
    root : None, int, numpy.random.SeedSequence or numpy.random.Generator
        The root seed (as ``random_state`` of :func:`seed_sequence`).
    index : int
        Index of the child, >= 0.

    Returns
    -------
    numpy.random.SeedSequence
        Child ``index`` of the root.

    Examples
    --------
    >>> s = seed_at(7, 3)
    >>> (s.entropy, s.spawn_key) == (spawn_seeds(7, 5)[3].entropy, spawn_seeds(7, 5)[3].spawn_key)
    True
    """
    parent = seed_sequence(root)
    index = int(index)
    if index < 0:
        raise ConfigError(f"seed index must be >= 0; got {index}")
    return np.random.SeedSequence(parent.entropy, spawn_key=(*parent.spawn_key, index), pool_size=parent.pool_size)


@fill_doc
def fresh_seed(seed: np.random.SeedSequence) -> np.random.SeedSequence:
    """A copy of ``seed`` that has spawned no children yet.

    :meth:`~numpy.random.SeedSequence.spawn` mutates its sequence (the next call returns
    other children), so code that may see a sequence twice spawns from a fresh copy.

    Parameters
    ----------
    %(seed_sequence)s

    Returns
    -------
    numpy.random.SeedSequence
        Same entropy, spawn key and pool size, no children spawned.

    Examples
    --------
    >>> s = seed_at(1, 0)
    >>> a = s.spawn(1)[0].spawn_key
    >>> s.spawn(1)[0].spawn_key == a, fresh_seed(s).spawn(1)[0].spawn_key == a
    (False, True)
    """
    return np.random.SeedSequence(seed.entropy, spawn_key=seed.spawn_key, pool_size=seed.pool_size)


@fill_doc
def seed_entropy(seed: np.random.SeedSequence) -> dict[str, object]:
    """A JSON-serialisable description of a seed sequence (for provenance).

    Parameters
    ----------
    %(seed_sequence)s

    Returns
    -------
    dict of str to object
        ``{"entropy": int, "spawn_key": [int, ...]}``.

    Examples
    --------
    >>> seed_entropy(spawn_seeds(3, 2)[1])
    {'entropy': 3, 'spawn_key': [1]}
    """
    return {"entropy": int(seed.entropy), "spawn_key": [int(k) for k in seed.spawn_key]}  # type: ignore[arg-type]


@fill_doc
def torch_generator(random_state: RandomState | None, device: str | torch.device = "cpu") -> torch.Generator:
    """A seeded :class:`torch.Generator` derived from ``random_state``.

    Parameters
    ----------
    %(random_state)s
    device : str or torch.device, optional
        Device of the generator (default ``"cpu"``).

    Returns
    -------
    torch.Generator
        A generator seeded with 63 bits drawn from ``random_state``'s seed sequence.

    Examples
    --------
    >>> import torch
    >>> g1, g2 = torch_generator(5), torch_generator(5)
    >>> bool(torch.equal(torch.rand(3, generator=g1), torch.rand(3, generator=g2)))
    True
    """
    import torch

    ss = seed_sequence(random_state)
    seed = int(ss.generate_state(2, dtype=np.uint32).astype(np.uint64) @ np.array([1, 2**32], dtype=np.uint64))
    gen = torch.Generator(device=device)
    gen.manual_seed(seed & 0x7FFF_FFFF_FFFF_FFFF)
    return gen
