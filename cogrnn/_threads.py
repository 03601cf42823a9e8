"""Thread control shared by the small-tensor loops of the library."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch

__all__ = ["single_torch_thread"]


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
    >>> before = torch.get_num_threads()
    >>> with single_torch_thread():
    ...     torch.get_num_threads()
    1
    >>> torch.get_num_threads() == before
    True
    """
    before = torch.get_num_threads()
    if enabled:
        torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)
