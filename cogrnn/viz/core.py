"""Generic plots of tidy DataFrames (error curves with seed bands, per-seed values)."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence

import matplotlib

matplotlib.use("Agg", force=False)
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .._docs import fill_doc
from ..analysis.stats import summarize_across_seeds
from ..io import check_columns

__all__ = ["plot_error_curve", "plot_seed_values", "add_caption"]


def _axes(ax: Axes | None, figsize: tuple[float, float] = (5.0, 3.5)) -> tuple[Figure, Axes]:
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize, layout="constrained")
        return fig, ax
    return ax.figure, ax  # type: ignore[return-value]


@fill_doc
def plot_error_curve(
    df: pd.DataFrame,
    x: str,
    y: str = "sq_error",
    seed_col: str = "seed",
    reference: Mapping[float, float] | None = None,
    reference_label: str = "published",
    ax: Axes | None = None,
    label: str = "replication (mean, 95% CI over seeds)",
    color: str = "C0",
    xlabel: str | None = None,
    ylabel: str | None = None,
    title: str | None = None,
) -> Figure:
    """Mean of ``y`` against ``x`` with a bootstrap 95% band across seeds.

    The band's bootstrap draws from a fixed seed (0), so a figure redraws identically.

    Parameters
    ----------
    df : pandas.DataFrame
        Tidy table with columns ``x``, ``y`` and ``seed_col``.
    x : str
        Column on the horizontal axis.
    y : str, optional
        Column averaged across seeds (default ``"sq_error"``).
    %(seed_col)s
    reference : mapping of float to float, optional
        Published values (x -> y) to draw beside the replication.
    reference_label : str, optional
        Legend label of the published values.
    %(ax)s
    label : str, optional
        Legend label of the replication's curve.
    color : str, optional
        Matplotlib color of the curve and band.
    xlabel, ylabel : str, optional
        Axis labels (default: the column names).
    %(title)s

    Returns
    -------
    %(returns_fig)s

    Examples
    --------
    >>> df = pd.DataFrame({"seed": [0, 0, 1, 1], "cycle": [1, 2, 1, 2], "sq_error": [.3, .1, .35, .15]})
    >>> fig = plot_error_curve(df, x="cycle", reference={1: 0.33, 2: 0.16})
    >>> len(fig.axes)
    1
    """
    check_columns(df, [x, y, seed_col], what="df")
    fig, ax = _axes(ax)
    summary = summarize_across_seeds(df, y, by=[x], seed_col=seed_col, random_state=0).sort_values(x)
    ax.plot(summary[x], summary["mean"], "o-", color=color, label=label, lw=1.8, ms=4)
    ax.fill_between(summary[x], summary["ci_low"], summary["ci_high"], color=color, alpha=0.25, lw=0)
    if reference:
        xs = np.array(sorted(reference))
        ax.plot(xs, [reference[k] for k in xs], "s--", color="0.35", label=reference_label, ms=4, lw=1)
    ax.set_xlabel(xlabel or x)
    ax.set_ylabel(ylabel or y)
    if title:
        ax.set_title(title, fontsize=10)
    ax.legend(fontsize=7, frameon=False)
    return fig


@fill_doc
def plot_seed_values(
    df: pd.DataFrame,
    x: str,
    y: str,
    threshold: float | None = None,
    threshold_label: str = "criterion",
    ax: Axes | None = None,
    order: Sequence[object] | None = None,
    xlabel: str | None = None,
    ylabel: str | None = None,
    title: str | None = None,
) -> Figure:
    """One dot per seed for each level of ``x`` (a strip plot), with an optional criterion line.

    Parameters
    ----------
    df : pandas.DataFrame
        Tidy table with columns ``x`` and ``y``, one row per seed and level.
    x : str
        Column of the levels (one strip each).
    y : str
        Column of the values.
    threshold : float, optional
        Value of the criterion line; none is drawn when None.
    threshold_label : str, optional
        Legend label of the criterion line.
    %(ax)s
    order : sequence, optional
        Order of the levels (default: order of appearance).
    xlabel, ylabel : str, optional
        Axis labels (default: the column names).
    %(title)s

    Returns
    -------
    %(returns_fig)s

    Examples
    --------
    >>> df = pd.DataFrame({"measure": ["ratio"] * 3, "value": [0.5, 0.6, 0.9]})
    >>> fig = plot_seed_values(df, x="measure", y="value", threshold=0.8)
    """
    check_columns(df, [x, y], what="df")
    fig, ax = _axes(ax)
    levels = list(order) if order is not None else list(pd.unique(df[x]))
    offsets = np.linspace(-0.15, 0.15, num=max(int(df.groupby(x).size().max()), 1))
    for i, level in enumerate(levels):
        vals = df.loc[df[x] == level, y].to_numpy()
        ax.scatter(i + offsets[: len(vals)], vals, s=14, color=f"C{i}", alpha=0.8, zorder=3)
        if len(vals):
            ax.hlines(np.median(vals), i - 0.25, i + 0.25, color="k", lw=1.5, zorder=4)
    if threshold is not None:
        ax.axhline(threshold, color="crimson", ls=":", lw=1.2, label=threshold_label)
        ax.legend(fontsize=7, frameon=False)
    ax.set_xticks(range(len(levels)), [str(v) for v in levels])
    ax.set_xlabel(xlabel or x)
    ax.set_ylabel(ylabel or y)
    if title:
        ax.set_title(title, fontsize=10)
    return fig


def add_caption(fig: Figure, text: str) -> Figure:
    """Write a small provenance caption along the bottom of ``fig``.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure to caption; a constrained layout is shrunk to keep the axes clear of it.
    text : str
        The caption, wrapped to the figure's width.

    Returns
    -------
    matplotlib.figure.Figure
        The same figure.

    Examples
    --------
    >>> fig = add_caption(plt.figure(), "cogrnn 0.1 | seeds 20 | config abc123")
    """
    width = max(int(fig.get_figwidth() * 15), 40)  # characters of 6-pt monospace per line
    lines = textwrap.wrap(text, width=width, break_long_words=False, break_on_hyphens=False) or [""]
    engine = fig.get_layout_engine()
    if engine is not None and "rect" in engine.get():  # keep the axes clear of the caption
        margin = (0.012 * len(lines) + 0.004) * 6.0 / max(fig.get_figheight(), 1.0)
        engine.set(rect=(0, margin, 1, 1 - margin))  # type: ignore[call-arg]
    fig.text(0.005, 0.003, "\n".join(lines), fontsize=6, color="0.4", ha="left", va="bottom", family="monospace")
    return fig
