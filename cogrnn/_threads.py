"""Thread control shared by the small-tensor loops of the library."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["single_torch_thread", "limit_threads"]


@contextmanager
def single_torch_thread(enabled: bool = True) -> Iterator[None]:
    """One torch intra-op thread inside the block (when ``enabled``), restored after.

    Loops of many small products (a Hopfield network's asynchronous updates, small
    batched networks) gain nothing from threads, and contended threads make them many
    times slower.

    Parameters
    ----------
    enabled : bool, optional
        If False, the block runs with the current thread count (default True).

    Yields
    ------
    None
        Control, inside the block.

    Examples
    --------
    >>> import torch
    >>> before = torch.get_num_threads()
    >>> with single_torch_thread():
    ...     torch.get_num_threads()
    1
    >>> torch.get_num_threads() == before
    True
    """
    import torch  # here, not at import: modules that use this load without torch

    before = torch.get_num_threads()
    if enabled:
        torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def limit_threads(n: int = 1) -> None:
    """Give torch and numba ``n`` threads in this process (a worker of a pool of processes).

    The processes are the parallelism: a worker that also runs one thread per core
    oversubscribes the machine, and contended threads slow small loops many times.

    Parameters
    ----------
    n : int, optional
        Threads (default 1).

    Examples
    --------
    >>> import torch
    >>> before = torch.get_num_threads()
    >>> limit_threads(1)
    >>> torch.get_num_threads()
    1
    >>> limit_threads(before)
    """
    import torch

    try:
        import numba

        numba.set_num_threads(min(n, int(getattr(numba.config, "NUMBA_NUM_THREADS", n))))
    except ImportError:  # pragma: no cover - numba is a dependency
        pass
    torch.set_num_threads(n)  # after numba's: its OpenMP layer may reset the shared thread count
