"""Commands of ``cogrnn`` that work on the user's own data: ``train``, ``surprisal``, ``generate``.

They are registered on the main command by :func:`register` (called from :mod:`cogrnn.cli`),
so this module owns them without touching the replication commands.
"""

from __future__ import annotations

from typing import Any

__all__ = ["register"]


def register(app: Any) -> None:
    """Register the data commands on the ``cogrnn`` typer application.

    Parameters
    ----------
    app : typer.Typer
        The application of :mod:`cogrnn.cli`.

    Examples
    --------
    >>> import typer
    >>> register(typer.Typer())
    """
