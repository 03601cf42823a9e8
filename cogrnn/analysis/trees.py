"""Binary trees over labelled leaves: from published figures or from clustering, compared by clades.

A published dendrogram (e.g. Elman's 1990 Fig. 7) is transcribed as nested
``(height, left, right)`` triples; a network's tree comes from agglomerative clustering
of its vectors. Both become a :class:`Tree`, so that every criterion applied to a
network's tree can first be applied to the published one (a criterion the figure itself
fails is not a criterion). Trees are compared by the Spearman correlation of their
cophenetic distances over the leaves they share (:func:`tree_correlation`).

Tree measures (each a function of a :class:`Tree`, so that it applies alike to a figure
and to a network): the leaves on the wrong side of the top split
(:func:`top_split_misplaced`), which named groups are clades (:func:`clades_present`),
where one leaf sits (:func:`sister_placement`), and the share of a set of leaves in its
largest pure clade (:func:`largest_clade_fraction`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Union

import numpy as np
import pandas as pd

from .._docs import fill_doc
from ..exceptions import DataError

__all__ = [
    "Tree",
    "parse_nested",
    "tree_correlation",
    "top_split_misplaced",
    "clades_present",
    "sister_placement",
    "largest_clade_fraction",
]

#: a leaf label, or a merge ``(height, left, right)``
Node = Union[str, tuple[float, "Node", "Node"]]

_TOKEN = re.compile(r"\s*(?:(\()|(\))|(,)|([^\s(),]+))")


def parse_nested(text: str) -> Node:
    """Parse nested ``(height, left, right)`` triples with bare leaf labels.

    Parameters
    ----------
    text : str
        The triples, e.g. ``"(2.0, (0.5, man, woman), rock)"``: a merge is ``(height, left, right)``
        with a numeric height; a leaf is a bare label (no spaces, parentheses or commas).

    Returns
    -------
    Node
        The root: a leaf label (str) or a merge ``(height, left, right)`` whose branches are nodes
        in turn.

    Raises
    ------
    cogrnn.exceptions.DataError
        If the text is not well-formed nested triples (one-line message naming where).

    Examples
    --------
    >>> parse_nested("(2.0, (0.5, man, woman), rock)")
    (2.0, (0.5, 'man', 'woman'), 'rock')
    """
    tokens: list[str] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            raise DataError(f"cannot parse the tree near {text[pos : pos + 20]!r}")
        tokens.append(next(g for g in m.groups() if g is not None))
        pos = m.end()
        while pos < len(text) and text[pos].isspace():
            pos += 1

    def expect(i: int, tok: str) -> int:
        if i >= len(tokens) or tokens[i] != tok:
            found = tokens[i] if i < len(tokens) else "the end"
            raise DataError(f"tree text: expected {tok!r} at token {i}, found {found!r}")
        return i + 1

    def node(i: int) -> tuple[Node, int]:
        if i >= len(tokens):
            raise DataError("tree text ends too early")
        if tokens[i] != "(":
            if tokens[i] in {")", ","}:
                raise DataError(f"tree text: expected a leaf or '(' at token {i}, found {tokens[i]!r}")
            return tokens[i], i + 1
        try:
            height = float(tokens[i + 1])
        except (IndexError, ValueError):
            raise DataError(f"tree text: a merge must start with its height, found {tokens[i + 1 : i + 2]}") from None
        left, j = node(expect(i + 2, ","))
        right, j = node(expect(j, ","))
        return (height, left, right), expect(j, ")")

    root, end = node(0)
    if end != len(tokens):
        raise DataError(f"tree text: unexpected {tokens[end]!r} after the root")
    return root


def _leaf_set(leaves: str | Iterable[str]) -> frozenset[str]:
    """A set of leaf labels (one label given as a string is one leaf)."""
    return frozenset([leaves] if isinstance(leaves, str) else leaves)


def _leaves(node: Node) -> list[str]:
    if isinstance(node, str):
        return [node]
    return _leaves(node[1]) + _leaves(node[2])


def _check(node: Any) -> Node:
    """Validate a nested tree: binary, numeric heights, a parent at least as high as its children."""
    if isinstance(node, str):
        return node
    if not (isinstance(node, tuple) and len(node) == 3):
        raise DataError(f"a tree node must be a leaf label or (height, left, right); got {node!r}")
    height, left, right = float(node[0]), _check(node[1]), _check(node[2])
    if not np.isfinite(height):
        raise DataError(f"a merge height must be finite; got {node[0]!r}")
    for child in (left, right):
        if not isinstance(child, str) and child[0] > height:
            raise DataError(f"a merge at {child[0]} lies above its parent's merge at {height}")
    return (height, left, right)


@dataclass(frozen=True)
class Tree:
    """A rooted binary tree with merge heights over uniquely labelled leaves.

    Build one with :meth:`from_nested`, :meth:`from_text`, :meth:`from_file` (a
    transcribed figure) or :meth:`from_vectors` (agglomerative clustering).

    Parameters
    ----------
    root : Node
        The root node: nested ``(height, left, right)`` tuples with string leaves. It is checked
        (binary, finite heights, no merge above its parent, at least 2 leaves, unique labels); a
        :class:`cogrnn.exceptions.DataError` says what is wrong.

    Examples
    --------
    >>> t = Tree.from_text("(2.0, (1.0, (0.5, man, woman), cat), (0.8, rock, car))")
    >>> t.leaves
    ('man', 'woman', 'cat', 'rock', 'car')
    >>> t.is_clade(["man", "woman"]), t.is_clade(["woman", "cat"])
    (True, False)
    >>> sorted(map(sorted, t.split()))
    [['car', 'rock'], ['cat', 'man', 'woman']]
    """

    root: Node

    def __post_init__(self) -> None:
        object.__setattr__(self, "root", _check(self.root))
        leaves = _leaves(self.root)
        if len(leaves) < 2:
            raise DataError("a tree needs at least 2 leaves")
        dup = sorted({w for w in leaves if leaves.count(w) > 1})
        if dup:
            raise DataError(f"leaf labels must be unique; repeated: {', '.join(dup)}")

    # -- construction -------------------------------------------------------------------
    @classmethod
    def from_nested(cls, nested: Any) -> Tree:
        """From nested ``(height, left, right)`` tuples with string leaves.

        Parameters
        ----------
        nested : Node
            The root, e.g. ``(2.0, (0.5, "man", "woman"), "rock")``.

        Returns
        -------
        Tree
            The tree (checked as the :class:`Tree` constructor does).
        """
        return cls(nested)

    @classmethod
    def from_text(cls, text: str) -> Tree:
        """From the text of nested triples (``#`` starts a comment line).

        Parameters
        ----------
        text : str
            The triples as :func:`parse_nested` reads them; lines starting with ``#`` are skipped.

        Returns
        -------
        Tree
            The tree.
        """
        body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
        return cls(parse_nested(body))

    @classmethod
    def from_file(cls, path: str | Path) -> Tree:
        """From a text file of nested triples (``#`` lines are its citation and reading).

        Parameters
        ----------
        path : str or pathlib.Path
            The file (UTF-8), in the format of :meth:`from_text`.

        Returns
        -------
        Tree
            The tree.
        """
        path = Path(path)
        if not path.is_file():
            raise DataError(f"{path} does not exist")
        return cls.from_text(path.read_text(encoding="utf-8"))

    @classmethod
    @fill_doc
    def from_vectors(cls, X: Any, labels: Sequence[Any], method: str = "average", metric: str = "euclidean") -> Tree:
        """Agglomerative clustering of the rows of ``X`` (see :func:`cogrnn.analysis.linkage`).

        Parameters
        ----------
        %(X_items)s
        labels : sequence
            The leaf label of each row of ``X`` (written as str; must be unique).
        %(linkage_method)s
        %(metric)s

        Returns
        -------
        Tree
            The clustering tree, merge heights as the linkage gives them.

        Examples
        --------
        >>> Tree.from_vectors([[0.0], [0.1], [5.0]], ["a", "b", "c"]).root
        (4.95, 'c', (0.1, 'a', 'b'))
        """
        from .clustering import linkage

        names = [str(v) for v in labels]
        Z = linkage(X, method, metric)
        if len(names) != Z.shape[0] + 1:
            raise DataError(f"labels must have one entry per row of X ({Z.shape[0] + 1}); got {len(names)}")
        n = len(names)
        nodes: list[Node] = list(names)
        for a, b, height, _ in Z:
            nodes.append((float(height), nodes[int(a)], nodes[int(b)]))
        return cls(nodes[2 * n - 2])

    # -- structure ----------------------------------------------------------------------
    @property
    def leaves(self) -> tuple[str, ...]:
        """Leaf labels, left to right."""
        return tuple(_leaves(self.root))

    def clades(self) -> list[frozenset[str]]:
        """The leaf set of every merge (the root's included), bottom-up.

        Returns
        -------
        list of frozenset of str
            One leaf set per merge, children before their parent; the last is all the leaves.
        """
        out: list[frozenset[str]] = []

        def walk(node: Node) -> frozenset[str]:
            if isinstance(node, str):
                return frozenset([node])
            clade = walk(node[1]) | walk(node[2])
            out.append(clade)
            return clade

        walk(self.root)
        return out

    def is_clade(self, leaves: str | Iterable[str]) -> bool:
        """Whether exactly these leaves form one branch (a single leaf always does).

        Parameters
        ----------
        leaves : str or iterable of str
            Leaves of the tree (one label given as a string is one leaf).

        Returns
        -------
        bool
            True when some merge has exactly these leaves below it.
        """
        wanted = _leaf_set(leaves)
        self._known(wanted)
        return len(wanted) == 1 or wanted in set(self.clades())

    def largest_clade_within(self, leaves: str | Iterable[str]) -> frozenset[str]:
        """The largest clade (a single leaf counts) made only of ``leaves`` (empty if none is a leaf).

        Parameters
        ----------
        leaves : str or iterable of str
            The leaves a clade may be made of, all leaves of the tree (a string is one leaf).

        Returns
        -------
        frozenset of str
            The leaves of that clade (ties: the first found, bottom-up); empty for no leaves.

        Examples
        --------
        >>> t = Tree.from_text("(3, (2, (1, a1, a2), b1), (1.5, a3, b2))")
        >>> sorted(t.largest_clade_within(["a1", "a2", "a3"]))
        ['a1', 'a2']
        """
        wanted = _leaf_set(leaves)
        self._known(wanted)
        inside = [c for c in self.clades() if c <= wanted] + [frozenset([w]) for w in wanted]
        return max(inside, key=len, default=frozenset())

    def _known(self, leaves: Iterable[str]) -> None:
        unknown = sorted(set(leaves) - set(self.leaves))
        if unknown:
            raise DataError(f"not leaves of the tree: {', '.join(unknown)}")

    def _node(self, clade: frozenset[str] | None) -> tuple[float, Node, Node]:
        """The merge whose leaf set is ``clade`` (the root for None)."""

        def find(node: Node) -> tuple[float, Node, Node] | None:
            if isinstance(node, str):
                return None
            if clade is None or frozenset(_leaves(node)) == clade:
                return node
            return find(node[1]) or find(node[2])

        found = find(self.root)
        if found is None:
            raise DataError(f"{sorted(clade or [])} is not a clade of the tree")
        return found

    def split(self, clade: str | Iterable[str] | None = None) -> tuple[frozenset[str], frozenset[str]]:
        """The two branches of the merge of ``clade`` (default: the top split of the tree).

        Parameters
        ----------
        clade : str or iterable of str, optional
            The leaves of a merge of the tree; None (the default) takes the root.

        Returns
        -------
        left, right : frozenset of str
            The leaves of the merge's left and right branches.
        """
        node = self._node(None if clade is None else _leaf_set(clade))
        return frozenset(_leaves(node[1])), frozenset(_leaves(node[2]))

    def sister(self, leaves: str | Iterable[str]) -> frozenset[str]:
        """The leaves of the branch that merges with the clade ``leaves`` (e.g. one leaf).

        Parameters
        ----------
        leaves : str or iterable of str
            A clade of the tree below the root (one label given as a string is one leaf).

        Returns
        -------
        frozenset of str
            The leaves of its sister branch.

        Examples
        --------
        >>> sorted(Tree.from_text("(2, (1, a, b), c)").sister(["c"]))
        ['a', 'b']
        """
        wanted = _leaf_set(leaves)
        self._known(wanted)
        if not self.is_clade(wanted) or wanted == frozenset(self.leaves):
            raise DataError(f"{sorted(wanted)} is not a clade below the root")
        for clade in self.clades():
            left, right = self.split(clade)
            if wanted in (left, right):
                return right if wanted == left else left
        raise AssertionError("unreachable: a clade below the root has a parent")  # pragma: no cover

    def cut(self, k: int) -> dict[str, int]:
        """Cluster of every leaf when the ``k - 1`` highest merges are undone (ties: leftmost first).

        Clusters are numbered 0..k-1 in leaf order.

        Parameters
        ----------
        k : int
            Number of clusters, from 1 to the number of leaves.

        Returns
        -------
        dict of str to int
            The cluster of every leaf, keyed in leaf order.

        Examples
        --------
        >>> Tree.from_text("(3, (1, a, b), (2, c, (0.5, d, e)))").cut(3)
        {'a': 0, 'b': 0, 'c': 1, 'd': 2, 'e': 2}
        """
        from ..config import check_int

        k = check_int("k", k, low=1, high=len(self.leaves))
        parts: list[Node] = [self.root]
        while len(parts) < k:
            merges = [i for i, node in enumerate(parts) if not isinstance(node, str)]
            top = max(merges, key=lambda i: (parts[i][0], -i))
            node = parts[top]
            assert not isinstance(node, str)
            parts[top : top + 1] = [node[1], node[2]]
        return {leaf: c for c, node in enumerate(parts) for leaf in _leaves(node)}

    def restrict(self, leaves: str | Iterable[str]) -> Tree:
        """The tree induced on ``leaves``: other leaves removed, merges left with one branch dropped.

        Cophenetic distances between the kept leaves are unchanged.

        Parameters
        ----------
        leaves : str or iterable of str
            The leaves to keep (at least 2 of the tree's).

        Returns
        -------
        Tree
            The induced tree over ``leaves``.
        """
        keep = _leaf_set(leaves)
        self._known(keep)

        def prune(node: Node) -> Node | None:
            if isinstance(node, str):
                return node if node in keep else None
            left, right = prune(node[1]), prune(node[2])
            if left is None or right is None:
                return left if right is None else right
            return (node[0], left, right)

        root = prune(self.root)
        if root is None or isinstance(root, str):
            raise DataError("restrict needs at least 2 leaves of the tree")
        return Tree(root)

    def linkage(self) -> np.ndarray:
        """The tree as a scipy linkage matrix over ``leaves`` (row i merges into cluster n + i).

        Returns
        -------
        numpy.ndarray of shape (n_leaves - 1, 4)
            One row per merge, bottom-up: the two merged clusters (leaf ``i`` of :attr:`leaves` is
            cluster ``i``), the merge height and the number of leaves below it.

        Examples
        --------
        >>> Tree.from_text("(2, (1, a, b), c)").linkage().tolist()
        [[0.0, 1.0, 1.0, 2.0], [3.0, 2.0, 2.0, 3.0]]
        """
        index = {w: i for i, w in enumerate(self.leaves)}
        rows: list[list[float]] = []

        def walk(node: Node) -> tuple[int, int]:
            if isinstance(node, str):
                return index[node], 1
            (a, na), (b, nb) = walk(node[1]), walk(node[2])
            rows.append([float(a), float(b), float(node[0]), float(na + nb)])
            return len(index) + len(rows) - 1, na + nb

        walk(self.root)
        return np.array(rows)

    def cophenetic(self) -> pd.DataFrame:
        """Square table of cophenetic distances: the height of the merge joining two leaves.

        Returns
        -------
        pandas.DataFrame
            Indexed and columned by :attr:`leaves`; 0 on the diagonal.
        """
        names = self.leaves
        index = {w: i for i, w in enumerate(names)}
        d = np.zeros((len(names), len(names)))

        def walk(node: Node) -> list[int]:
            if isinstance(node, str):
                return [index[node]]
            a, b = walk(node[1]), walk(node[2])
            d[np.ix_(a, b)] = node[0]
            d[np.ix_(b, a)] = node[0]
            return a + b

        walk(self.root)
        return pd.DataFrame(d, index=list(names), columns=list(names))


def tree_correlation(a: Tree, b: Tree, min_shared: int = 4) -> float:
    """Spearman correlation of two trees' cophenetic distances over their shared leaves.

    1.0 when the merges of ``b`` happen in the order of those of ``a``; near 0 for unrelated
    trees. Heights on different scales (e.g. a figure's axis and Euclidean distances)
    do not matter: only their order does.

    Parameters
    ----------
    a, b : Tree
        The two trees (e.g. a published figure's and a network's).
    min_shared : int, optional
        Fewest shared leaves accepted (default 4); fewer raise
        :class:`cogrnn.exceptions.DataError`.

    Returns
    -------
    float
        Spearman's rho over the pairs of shared leaves, in [-1, 1].

    Examples
    --------
    >>> a = Tree.from_text("(2, (1, x, y), (1.5, z, w))")
    >>> b = Tree.from_text("(9, (3, x, y), (4, z, (0.5, w, v)))")
    >>> round(tree_correlation(a, b), 3)
    1.0
    """
    from scipy.stats import spearmanr

    shared = sorted(set(a.leaves) & set(b.leaves))
    if len(shared) < min_shared:
        raise DataError(f"the trees share {len(shared)} leaves; need at least {min_shared}")
    upper = np.triu_indices(len(shared), 1)
    da = a.cophenetic().loc[shared, shared].to_numpy()[upper]
    db = b.cophenetic().loc[shared, shared].to_numpy()[upper]
    if np.ptp(da) == 0 or np.ptp(db) == 0:
        raise DataError("a tree with all merges at one height has no order to correlate")
    return float(spearmanr(da, db)[0])


def top_split_misplaced(tree: Tree, labels: Mapping[str, Any]) -> int:
    """Leaves on the wrong side of the tree's top split, under the best matching of sides to labels.

    Parameters
    ----------
    tree : Tree
        The tree (a figure's or a network's).
    labels : mapping
        The label of every leaf (e.g. ``{"man": "noun", ...}``; a :class:`pandas.Series`
        indexed by leaf works too).

    Returns
    -------
    int
        0 when the top split separates exactly two label groups.

    Examples
    --------
    >>> t = Tree.from_text("(2, (1, man, cat), (1, eat, see))")
    >>> top_split_misplaced(t, {"man": "noun", "cat": "noun", "eat": "verb", "see": "verb"})
    0
    >>> top_split_misplaced(t, {"man": "noun", "cat": "verb", "eat": "verb", "see": "verb"})
    1
    """
    from .clustering import n_misassigned

    left, right = tree.split()
    leaves = [*left, *right]
    missing = sorted(w for w in leaves if w not in labels)
    if missing:
        raise DataError(f"no label for leaves: {', '.join(missing)}")
    return n_misassigned([0] * len(left) + [1] * len(right), [labels[w] for w in leaves])


def clades_present(tree: Tree, groups: Mapping[str, Iterable[str]]) -> list[str]:
    """The names of the groups whose leaves form exactly one clade of the tree.

    Parameters
    ----------
    tree : Tree
        The tree (a figure's or a network's).
    groups : mapping of name to leaves
        A group with a leaf the tree lacks counts as absent.

    Returns
    -------
    list of str
        The names of the groups that are clades, in the order of ``groups``.

    Examples
    --------
    >>> t = Tree.from_text("(3, (1, (0.5, man, woman), cat), (2, rock, car))")
    >>> clades_present(t, {"humans": ["man", "woman"], "things": ["rock", "car"], "pets": ["cat", "dog"]})
    ['humans', 'things']
    """
    leaves = set(tree.leaves)
    return [name for name, ws in groups.items() if set(ws) <= leaves and tree.is_clade(ws)]


def sister_placement(tree: Tree, leaf: str, group: Iterable[str]) -> tuple[frozenset[str], bool]:
    """Where one leaf sits: its sister clade, and whether that clade lies inside ``group``.

    Parameters
    ----------
    tree : Tree
        The tree (a figure's or a network's).
    leaf : str
        E.g. a novel word placed among known ones (Elman's 1990 Fig. 8).
    group : iterable of str
        The leaves the sister clade should lie in.

    Returns
    -------
    sister : frozenset of str
        The leaves of the branch that merges with ``leaf``.
    inside : bool
        Whether every leaf of ``sister`` is in ``group``.

    Examples
    --------
    >>> t = Tree.from_text("(2, (1, (0.5, woman, girl), zog), rock)")
    >>> sister, inside = sister_placement(t, "zog", {"man", "woman", "boy", "girl"})
    >>> sorted(sister), inside
    (['girl', 'woman'], True)
    """
    sister = tree.sister(leaf)
    return sister, bool(sister <= frozenset(group))


def largest_clade_fraction(tree: Tree, leaves: Sequence[str]) -> float:
    """Share of ``leaves`` in the largest clade made of them only (a single leaf counts as a clade).

    1.0 when the leaves form one clade; NaN when there are none. Elman's (1990) Fig. 9:
    35 of the 37 sentence-initial tokens of BOY lie in one initial-only clade.

    Parameters
    ----------
    tree : Tree
        The tree (a figure's or a network's).
    leaves : sequence of str
        Leaves of the tree (e.g. the sentence-initial tokens of one word).

    Returns
    -------
    float
        The size of the largest clade made of ``leaves`` only, over ``len(leaves)``.

    Examples
    --------
    >>> t = Tree.from_text("(3, (2, (1, s1, s2), o1), (1.5, s3, o2))")
    >>> round(largest_clade_fraction(t, ["s1", "s2", "s3"]), 3)
    0.667
    """
    if len(leaves) == 0:
        return float("nan")
    return len(tree.largest_clade_within(leaves)) / len(leaves)
