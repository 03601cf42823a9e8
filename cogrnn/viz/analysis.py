"""Plots of analysis results: state-space trajectories and RDMs (from tidy tables)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .._docs import fill_doc
from ..io import check_columns
from .core import _axes

__all__ = ["plot_trajectories", "plot_rdm"]


@fill_doc
def plot_trajectories(
    df: pd.DataFrame,
    x: str = "pc1",
    y: str = "pc2",
    group: str = "sentence",
    label: str | None = "word",
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """Trajectories through state space, one line per ``group``, steps labelled by ``label``.

    Takes the table of :meth:`cogrnn.analysis.StatePCA.trajectories`.

    Parameters
    ----------
    df : pandas.DataFrame
        Tidy table with columns ``x``, ``y``, ``group``, ``step`` and ``label`` (if given).
    x, y : str, optional
        Columns of the two plotted coordinates (default ``"pc1"``, ``"pc2"``).
    group : str, optional
        Column whose values each make one line (default ``"sentence"``).
    label : str or None, optional
        Column whose values annotate the steps (default ``"word"``); no annotation when None.
    %(ax)s
    %(title)s

    Returns
    -------
    %(returns_fig)s

    Examples
    --------
    >>> df = pd.DataFrame({"sentence": [0, 0, 1, 1], "step": [0, 1, 0, 1], "word": list("abab"),
    ...                    "pc1": [0, 1, 0, 1.2], "pc2": [0, 0.5, 0.1, 0.4]})
    >>> fig = plot_trajectories(df)
    """
    check_columns(df, [x, y, group, "step"] + ([label] if label else []), what="df")
    fig, ax = _axes(ax, figsize=(5, 4.5))
    for i, (key, g) in enumerate(df.sort_values([group, "step"]).groupby(group, sort=False)):
        color = f"C{i % 10}"
        ax.plot(g[x], g[y], "-o", color=color, ms=4, lw=1.2, label=f"{group} {key}")
        ax.plot(g[x].iloc[0], g[y].iloc[0], "s", color=color, ms=7)
        if label:
            for _, row in g.iterrows():
                ax.annotate(str(row[label]), (row[x], row[y]), fontsize=7, xytext=(3, 3), textcoords="offset points")
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    if title:
        ax.set_title(title, fontsize=10)
    ax.legend(fontsize=6, frameon=False)
    return fig


@fill_doc
def plot_rdm(
    df: pd.DataFrame,
    row: str = "row",
    col: str = "col",
    value: str = "dissimilarity",
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """Heat map of an RDM from its long table (:meth:`cogrnn.analysis.RDM.to_df`).

    Parameters
    ----------
    df : pandas.DataFrame
        Long table, one row per pair of items.
    row, col : str, optional
        Columns naming the two items of a pair (default ``"row"``, ``"col"``).
    value : str, optional
        Column of the dissimilarities (default ``"dissimilarity"``).
    %(ax)s
    %(title)s

    Returns
    -------
    %(returns_fig)s

    Examples
    --------
    >>> df = pd.DataFrame({"row": list("aabb"), "col": list("abab"), "dissimilarity": [0, 1, 1, 0.0]})
    >>> fig = plot_rdm(df)
    """
    check_columns(df, [row, col, value], what="df")
    order = list(dict.fromkeys(df[row]))
    mat = df.pivot(index=row, columns=col, values=value).loc[order, order]
    fig, ax = _axes(ax, figsize=(5, 4.5))
    im = ax.imshow(mat.to_numpy(dtype=np.float64), cmap="viridis")
    ax.set_xticks(range(len(order)), order, rotation=90, fontsize=6)
    ax.set_yticks(range(len(order)), order, fontsize=6)
    fig.colorbar(im, ax=ax, shrink=0.8, label=value)
    if title:
        ax.set_title(title, fontsize=10)
    return fig
