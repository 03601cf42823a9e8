"""Progress reporting: a rich bar on a terminal, plain "k/N done" lines elsewhere."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Any

__all__ = ["ProgressReporter", "timed", "phase_times"]

#: seconds spent in each named phase of this process (see :func:`timed`)
_PHASES: dict[str, float] = {}
#: the phases being timed now (a phase inside itself counts once)
_ACTIVE: set[str] = set()


@contextmanager
def timed(name: str) -> Iterator[None]:
    """Add the wall time of the block to the phase ``name`` of this process.

    The replication runner reads the phases (``train``, ``evaluate``, ...) into the
    ``timings`` record of ``provenance.json``; a phase entered twice adds up, a phase
    nested in another counts in both, and a phase nested in itself counts once.

    Parameters
    ----------
    name : str
        The phase.

    Yields
    ------
    None
        Control, inside the block.

    Examples
    --------
    >>> _ = phase_times(reset=True)
    >>> with timed("train"):
    ...     with timed("train"):  # e.g. a wrapper around a timed call
    ...         pass
    >>> list(phase_times())
    ['train']
    """
    if name in _ACTIVE:  # already timed by an enclosing block: counted once, there
        yield
        return
    _ACTIVE.add(name)
    started = time.perf_counter()
    try:
        yield
    finally:
        _ACTIVE.discard(name)
        _PHASES[name] = _PHASES.get(name, 0.0) + time.perf_counter() - started


def phase_times(reset: bool = False) -> dict[str, float]:
    """Seconds spent so far in each phase timed by :func:`timed` in this process.

    Parameters
    ----------
    reset : bool, optional
        Clear the record after reading it (default False).

    Returns
    -------
    dict of str to float
        Seconds by phase, in the order the phases were first entered.

    Examples
    --------
    >>> phase_times(reset=True) is not None and phase_times()
    {}
    """
    out = dict(_PHASES)
    if reset:
        _PHASES.clear()
    return out


class ProgressReporter:
    """Report progress of ``total`` units of work.

    On a terminal a :mod:`rich` progress bar is drawn on stderr; off a terminal (cluster
    logs, CI) a plain line ``"<description>: k/N done"`` is printed about every 10%;
    with ``quiet=True`` nothing is printed.

    Parameters
    ----------
    total : int
        Units of work (at least 1 is assumed).
    description : str
        What is being done, shown before the count.
    quiet : bool, optional
        If True, print nothing (default False).

    Examples
    --------
    >>> with ProgressReporter(3, "training", quiet=True) as bar:
    ...     for _ in range(3):
    ...         bar.advance()
    """

    def __init__(self, total: int, description: str, quiet: bool = False) -> None:
        self.total = max(int(total), 1)
        self.description = description
        self.quiet = quiet
        self.done = 0
        self._rich: Any = None
        self._task: Any = None
        self._next_report = 0
        self._start = time.perf_counter()

    def __enter__(self) -> ProgressReporter:
        if not self.quiet and sys.stderr.isatty():
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self._rich = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                transient=True,
            )
            self._rich.start()
            self._task = self._rich.add_task(self.description, total=self.total)
        return self

    def advance(self, n: int = 1) -> None:
        """Count ``n`` more units done and update the bar or print a line when due.

        Parameters
        ----------
        n : int, optional
            Units just finished (default 1).
        """
        self.done += n
        if self.quiet:
            return
        if self._rich is not None:
            self._rich.update(self._task, completed=self.done)
        elif self.done >= self._next_report or self.done >= self.total:
            elapsed = time.perf_counter() - self._start
            print(
                f"{self.description}: {self.done}/{self.total} done ({elapsed:.1f} s)",
                file=sys.stderr,
                flush=True,
            )
            self._next_report = self.done + max(self.total // 10, 1)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._rich is not None:
            self._rich.stop()
