"""Dendrograms of representations, from tidy (long) tables or from a :class:`~cogrnn.analysis.trees.Tree`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from scipy.cluster import hierarchy

from .._docs import fill_doc
from ..analysis.clustering import linkage
from ..analysis.recording import NETWORK, _refuse_pooling
from ..config import check_bool
from ..io import check_columns
from .core import _axes

if TYPE_CHECKING:
    from ..analysis.trees import Tree

__all__ = ["plot_dendrogram", "plot_tree"]


def _draw(
    Z: np.ndarray,
    labels: list[str],
    ax: Axes | None,
    categories: Mapping[str, str] | None,
    highlight: str | None,
    palette: Mapping[str, Any] | None,
    xlabel: str,
    title: str | None,
) -> Figure:
    """Draw a linkage matrix as a left-facing dendrogram with coloured leaf labels."""
    fig, ax = _axes(ax, figsize=(4.5, 6))
    hierarchy.dendrogram(
        Z, labels=labels, orientation="left", ax=ax, color_threshold=0,
        above_threshold_color="0.3", leaf_font_size=7,
    )  # fmt: skip
    if categories:
        names = sorted(set(categories.values()))
        colors = palette or {c: plt.get_cmap("tab20")(i % 20) for i, c in enumerate(names)}
        for tick in ax.get_yticklabels():
            tick.set_color(colors.get(categories.get(tick.get_text(), ""), "black"))
    if highlight is not None:
        for tick in ax.get_yticklabels():
            if tick.get_text() == highlight:
                tick.set_fontweight("bold")
                tick.set_color("crimson")
    ax.set_xlabel(xlabel)
    if title:
        ax.set_title(title, fontsize=10)
    ax.tick_params(axis="x", labelsize=7)
    return fig


@fill_doc
def plot_dendrogram(
    df: pd.DataFrame,
    label: str = "word",
    unit: str = "unit",
    value: str = "activation",
    color_by: str | None = "category",
    highlight: str | None = None,
    method: str = "average",
    metric: str = "euclidean",
    ax: Axes | None = None,
    title: str | None = None,
    palette: Mapping[str, Any] | None = None,
    *,
    pool_networks: bool = False,
) -> Figure:
    """Hierarchical clustering tree of the vectors in a long table (one row per item and unit).

    Leaves are labelled by ``label`` and coloured by ``color_by``; ``highlight`` draws one
    leaf label in bold red (e.g. a novel word). The vectors must be those of one network: a
    table with a ``seed`` column of more than one value (several networks, whose unit j are
    unrelated units) raises a DataError; draw one network (``df[df["seed"] == 0]``).

    Parameters
    ----------
    df : pandas.DataFrame
        Long table with columns ``label``, ``unit``, ``value`` and ``color_by`` (if given).
    label : str, optional
        Column naming the clustered items (default ``"word"``); values of one item are averaged.
    unit : str, optional
        Column of the vector dimension (default ``"unit"``).
    value : str, optional
        Column of the vector entries (default ``"activation"``).
    color_by : str or None, optional
        Column of each item's category, which colours its leaf (default ``"category"``).
    %(highlight)s
    method : str, optional
        Linkage method of :func:`scipy.cluster.hierarchy.linkage` (default ``"average"``).
    metric : str, optional
        Distance metric (default ``"euclidean"``).
    %(ax)s
    %(title)s
    %(palette)s
    pool_networks : bool, default False
        Cluster a table of several networks anyway (the values of one item and unit are
        averaged over the networks), for units that are the same in every network (e.g.
        output units); otherwise such a table raises a DataError.

    Returns
    -------
    %(returns_fig)s

    Raises
    ------
    cogrnn.exceptions.DataError
        If a column is missing, or the table holds several networks (see above).

    Examples
    --------
    >>> df = pd.DataFrame({"word": list("aabbcc"), "category": list("NNNNVV"),
    ...                    "unit": [0, 1] * 3, "activation": [0, 0, 0.1, 0, 5, 5]})
    >>> fig = plot_dendrogram(df)

    A table of two networks: one tree per network.

    >>> two = pd.concat([df.assign(seed=0), df.assign(seed=1)])
    >>> fig = plot_dendrogram(two[two["seed"] == 1])
    >>> plot_dendrogram(two)
    Traceback (most recent call last):
    ...
    cogrnn.exceptions.DataError: plot_dendrogram: the table holds 2 networks (seed 0-1) whose units are not the same units; take one network (df[df["seed"] == 0])
    """  # noqa: E501
    cols = [label, unit, value] + ([color_by] if color_by else [])
    check_columns(df, cols, what="df")
    if not check_bool("pool_networks", pool_networks):
        _refuse_pooling(
            df.get(NETWORK), "plot_dendrogram", f'take one network (df[df["{NETWORK}"] == {{seed}}])', "table"
        )
    wide = df.pivot_table(index=label, columns=unit, values=value, aggfunc="mean")
    Z = linkage(wide.to_numpy(), method=method, metric=metric)
    cats = df.drop_duplicates(label).set_index(label)[color_by].astype(str).to_dict() if color_by else None
    return _draw(
        Z, wide.index.astype(str).tolist(), ax, cats, highlight, palette, f"{metric} distance ({method} linkage)", title
    )


@fill_doc
def plot_tree(
    tree: Tree,
    categories: Mapping[str, str] | None = None,
    highlight: str | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    xlabel: str = "merge height",
    palette: Mapping[str, Any] | None = None,
) -> Figure:
    """Draw a :class:`~cogrnn.analysis.trees.Tree` (e.g. a transcribed published figure).

    Leaves are coloured by ``categories`` (leaf -> category).

    Parameters
    ----------
    tree : cogrnn.analysis.trees.Tree
        The tree to draw.
    categories : mapping of str to str, optional
        Category of each leaf, which colours its label.
    %(highlight)s
    %(ax)s
    %(title)s
    xlabel : str, optional
        Label of the merge-height axis.
    %(palette)s

    Returns
    -------
    %(returns_fig)s

    Examples
    --------
    >>> from cogrnn.analysis.trees import Tree
    >>> fig = plot_tree(Tree.from_text("(2, (1, man, woman), rock)"), {"man": "N", "woman": "N", "rock": "I"})
    """
    return _draw(tree.linkage(), list(tree.leaves), ax, categories, highlight, palette, xlabel, title)
