"""Elman (1990), lexical classes from word order (Figs. 7-9): categories emerge in the hidden states.

Ten thousand 2- and 3-word sentences (Table 4 templates, ~27,500 words) are presented one
localist word at a time, with no breaks between sentences. A 31-150-31 SRN with 150
context units learns online to predict the next word (6 passes). Then the weights are
frozen and the stream is presented once more, recording every hidden state:

* **types** (Fig. 7): the tree of hidden vectors averaged per word splits nouns from
  verbs, and nouns into animates and inanimates; it is compared with Fig. 7 itself
  (transcribed in ``data/elman1990_fig7.txt``) by clades and by the Spearman correlation
  of cophenetic distances. Every type-tree criterion passes on Fig. 7 (tested);
* **tokens** (Fig. 9): tokens stay in their word's branch (the nearest token of a token is
  of the same word, T. Plate's question); within *boy* and within *girl*, the
  sentence-initial tokens form one clade with few exceptions, as in Fig. 9 (read into
  ``data/elman1990_fig9_tokens.csv``); their token vectors are written out
  (``tokens.parquet``: seed, word, role, previous word, hidden units);
* **likelihood** (p. 199): outputs against the empirical next-word probabilities, as the
  summed squared error per word (paper 0.053, SD 0.100) and the cosine (0.916);
* **zog** (Fig. 8): a new word on a spare input bit replaces *man* in 10,000 new sentences
  presented with frozen weights (zog's input weights stay untrained, as in the paper);
  its nearest word, and whether its sister clade lies inside the humans (Fig. 8, read into
  ``data/elman1990_fig8.txt``, passes these criteria: tested);
* **control**: the same analysis of the untrained network (same seed, same corpus), as a
  paired comparison.

Free parameters (the paper gives none): learning rate 0.1, no momentum, initial weights
uniform in [-0.5, 0.5], loss 1/2 sum of squares, average-linkage Euclidean clustering.
Lexicon reading: Table 3 completed with Fig. 7's words, categories nested as the paper
requires (``data/elman1990_lexicon_inclusions.csv``; ``lexicon="flat"`` for none).
Every seed has its own initial weights, training corpus, zog corpus and token sample.

Run: ``cogrnn replicate elman-lexical`` or ``python -m cogrnn.replications.elman_lexical``.
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from cogrnn._docs import fill_doc
from cogrnn.analysis import (
    Recording,
    cluster_scores,
    nearest_neighbor_agreement,
    nearest_neighbors,
    paired_comparison,
)
from cogrnn.analysis.clustering import _adjusted_rand
from cogrnn.analysis.grammar import sampled_grammaticality
from cogrnn.analysis.likelihood import likelihood_scores, sentence_prefixes
from cogrnn.analysis.recording import evaluate
from cogrnn.analysis.tokens import position_scores, sample_per_label, token_scores
from cogrnn.analysis.trees import Tree, clades_present, sister_placement, top_split_misplaced, tree_correlation
from cogrnn.compare import claim_measure_table
from cogrnn.config import Config, check_choice, check_int
from cogrnn.io import data_path, read_data_table
from cogrnn.replication import Claim, Replication, seed_pass_claim
from cogrnn.tasks import LexicalSentences
from cogrnn.tasks.base import SequenceBatch
from cogrnn.tasks.sentences import LEXICONS, N_INPUTS
from cogrnn.training import ARCHITECTURE_PARAMETERS, OnlineSRNConfig, build_ensemble, train_ensemble
from cogrnn.viz import add_caption, plot_dendrogram, plot_seed_values
from cogrnn.viz.clustering import plot_tree

if TYPE_CHECKING:  # pragma: no cover - torch is imported by compute, so that --plot-only loads without it
    from cogrnn.models import RecurrentEnsemble

__all__ = [
    "LexicalConfig",
    "ElmanLexical",
    "REPLICATION",
    "PAPER",
    "fig7_tree",
    "type_tree_measures",
    "zog_tree_measures",
    "fig9_position_scores",
]

#: numbers printed in Elman (1990), p. 199 (summed squared error per word; cosine)
PAPER = {"sse_vs_successor": 0.88, "sse_vs_likelihood": 0.053, "sse_vs_likelihood_sd": 0.100, "cosine": 0.916}
PAPER_COSINE_SD = 0.123
#: bands around the paper's numbers (issue 11): relative for the errors, absolute for the cosine
LIKELIHOOD_BAND = 0.30
SUCCESSOR_BAND = 0.10
COSINE_BAND = 0.05
TREE_RHO_CRITERION = 0.8
TOKEN_CONSISTENCY_CRITERION = 0.99
TOKEN_SAME_WORD_CRITERION = 0.95
#: Fig. 9: the largest clade of sentence-initial tokens only holds 35/37 (BOY) and 31/37 (GIRL) of them
INITIAL_CLADE_CRITERION = 0.75
METHOD, METRIC = "average", "euclidean"
FIG7 = "elman1990_fig7.txt"
FIG9 = "elman1990_fig9_tokens.csv"
HUMANS = frozenset({"man", "woman", "boy", "girl"})
#: clades of Fig. 7 named by the paper (figure labels and text), tested on Fig. 7 itself
NOUN_CLADES = {
    "humans": ("man", "woman", "boy", "girl"),
    "small animals": ("cat", "mouse", "dog"),
    "large animals": ("dragon", "monster", "lion"),
    "food": ("sandwich", "cookie", "bread"),
    "breakables": ("glass", "plate"),
    "car/book/rock": ("car", "book", "rock"),
}
VERB_CLADES = {"no object (D.O.-ABS)": ("think", "exist", "sleep"), "like/chase (DO-OBLIG)": ("like", "chase")}
TOKEN_WORDS = ("boy", "girl")


@fill_doc
@dataclass(frozen=True)
class LexicalConfig(OnlineSRNConfig):
    """Configuration of the elman-lexical replication (defaults: the paper's values where it gives them).

    Parameters
    ----------
    epochs : int, default 6
        Passes through the training stream (the paper: 6).
    hidden_size : int, default 150
        Hidden (= context) units (the paper: 150).
    lr : float, default 0.1
        Learning rate (> 0; not in the paper).
    momentum : float in [0, 1), default 0.0
        Momentum of the weight updates (not in the paper).
    init_range : float, default 0.5
        Initial weights and biases uniform in ``[-init_range, init_range]`` (not in the paper).
    %(srn_architecture)s
    n_sentences : int, default 10000
        Sentences of each seed's training corpus (the paper: 10,000, about 27,500 words).
    lexicon : {"nested", "flat", "nouns-nested", "printed"}, default "nested"
        How Table 3's categories are read (see :class:`cogrnn.tasks.LexicalSentences`);
        ``"nested"`` has the category inclusions the paper requires.
    zog_sentences : int, default 10000
        Sentences of the novel-word corpus, *man* replaced by *zog* (the paper: 10,000).
    tokens_per_word : int, default 40
        Tokens sampled per word for the token analyses (twice as many of *boy* and *girl* for
        the position trees of Fig. 9).

    Examples
    --------
    >>> LexicalConfig(epochs=3, hidden_size=40).n_sentences
    10000
    """

    epochs: int = 6  # paper: 6 passes
    hidden_size: int = 150  # paper: 150 hidden, 150 context units
    n_sentences: int = 10000  # paper: 10,000 sentences
    lexicon: str = "nested"  # Table 3 read with the inclusions the paper requires (data/)
    zog_sentences: int = 10000  # paper: 10,000 new sentences
    tokens_per_word: int = 40  # token clustering subsample

    def __post_init__(self) -> None:
        super().__post_init__()
        check_int("n_sentences", self.n_sentences, low=50, high=10**6)
        check_choice("lexicon", self.lexicon, LEXICONS)
        check_int("zog_sentences", self.zog_sentences, low=50, high=10**6)
        check_int("tokens_per_word", self.tokens_per_word, low=2, high=10**4)


# -- type-tree criteria: functions of a Tree, so that each is tested on Fig. 7 itself -------
def fig7_tree() -> Tree:
    """Elman's (1990) Fig. 7 as transcribed in ``data/elman1990_fig7.txt``.

    Returns
    -------
    cogrnn.analysis.Tree
        The figure's tree over its 29 words, heights as read off its axis.

    Examples
    --------
    >>> len(fig7_tree().leaves)
    29
    """
    return Tree.from_file(data_path(FIG7))


def type_tree_measures(tree: Tree, classes: pd.DataFrame, reference: Tree | None = None) -> dict[str, Any]:
    """The type-tree criteria of one tree: top splits, Fig. 7's clades, similarity to Fig. 7.

    ``classes`` has one row per word (``word``, ``lexical_class``, ``animacy``), as
    :meth:`cogrnn.tasks.LexicalSentences.word_classes` gives. Words not in the tree are
    ignored; a clade with a missing word counts as absent.

    Parameters
    ----------
    tree : cogrnn.analysis.Tree
        A tree over words (Fig. 7's or a network's type-averaged hidden vectors).
    classes : pandas.DataFrame
        One row per word with columns ``word``, ``lexical_class`` and ``animacy``; every leaf of
        ``tree`` must have a row.
    reference : cogrnn.analysis.Tree, optional
        The tree ``rho_fig7`` correlates with; Fig. 7 (:func:`fig7_tree`) when None.

    Returns
    -------
    dict
        ``misplaced_noun_verb`` (leaves on the wrong side of the top split, nouns against
        verbs), ``misplaced_animacy`` (the same within the nouns' tree, animate against
        inanimate), ``noun_clades`` and ``verb_clades`` (how many of Fig. 7's named clades
        are present), ``missing_noun_clades`` and ``missing_verb_clades`` (the absent ones'
        names, comma-separated) and ``rho_fig7`` (:func:`cogrnn.analysis.tree_correlation`
        with ``reference``).

    Examples
    --------
    >>> m = type_tree_measures(fig7_tree(), LexicalSentences().word_classes())
    >>> m["misplaced_noun_verb"], m["misplaced_animacy"], m["noun_clades"], m["verb_clades"], m["rho_fig7"]
    (0, 0, 6, 2, 1.0)
    """
    cls = classes.drop_duplicates("word").set_index("word")
    nouns = [w for w in tree.leaves if cls.loc[w, "lexical_class"] == "noun"]
    noun_clades, verb_clades = clades_present(tree, NOUN_CLADES), clades_present(tree, VERB_CLADES)
    return {
        "misplaced_noun_verb": top_split_misplaced(tree, cls["lexical_class"]),
        "misplaced_animacy": top_split_misplaced(tree.restrict(nouns), cls["animacy"]),
        "noun_clades": len(noun_clades),
        "missing_noun_clades": ", ".join(n for n in NOUN_CLADES if n not in noun_clades),
        "verb_clades": len(verb_clades),
        "missing_verb_clades": ", ".join(n for n in VERB_CLADES if n not in verb_clades),
        "rho_fig7": tree_correlation(tree, reference or fig7_tree()),
    }


def zog_tree_measures(tree: Tree, zog: str = "zog") -> dict[str, Any]:
    """Find the novel word's sister clade in the tree, and whether it lies inside the human nouns.

    Parameters
    ----------
    tree : cogrnn.analysis.Tree
        A tree over words that has ``zog`` as a leaf (Fig. 8's or a network's).
    zog : str, optional
        The novel word's leaf label (default ``"zog"``).

    Returns
    -------
    dict
        ``zog_sister``: the leaves of its sister clade, sorted and space-separated;
        ``zog_sister_in_humans``: whether they are all among man, woman, boy and girl.

    Examples
    --------
    >>> t = Tree.from_text("(2, (1, (0.5, woman, girl), zog), rock)")
    >>> zog_tree_measures(t)
    {'zog_sister': 'girl woman', 'zog_sister_in_humans': True}
    """
    sister, inside = sister_placement(tree, zog, HUMANS)
    return {"zog_sister": " ".join(sorted(sister)), "zog_sister_in_humans": inside}


def fig9_position_scores() -> pd.DataFrame:
    """Fig. 9 as read (``data/elman1990_fig9_tokens.csv``): per word, the measures of the position claim.

    ``initial_clade``: share of the sentence-initial tokens in the largest initial-only clade;
    ``ari_position``: ARI of the tree's top split against position (the criterion replaced).

    Returns
    -------
    pandas.DataFrame
        Indexed by word (``boy``, ``girl``), columns ``initial_clade`` and ``ari_position``.

    Examples
    --------
    >>> fig9_position_scores().round(2).to_dict("index")
    {'boy': {'initial_clade': 0.95, 'ari_position': 0.23}, 'girl': {'initial_clade': 0.84, 'ari_position': 0.39}}
    """
    cols = ["word", "n_initial", "n_final", "largest_initial_clade", "top_small_initial", "top_small_final"]
    rows = {}
    for r in read_data_table(FIG9, cols).itertuples():
        position = [0] * r.n_initial + [1] * r.n_final
        side = [1] * r.top_small_initial + [0] * (r.n_initial - r.top_small_initial)
        side += [1] * r.top_small_final + [0] * (r.n_final - r.top_small_final)
        rows[str(r.word)] = {
            "initial_clade": r.largest_initial_clade / r.n_initial,
            "ari_position": _adjusted_rand(position, side),
        }
    return pd.DataFrame.from_dict(rows, orient="index")


# -- compute ----------------------------------------------------------------------------------
def _types(rec: Recording, classes: pd.DataFrame, seed: int, condition: str) -> pd.DataFrame:
    """Type-averaged hidden vectors in the long form of results.csv."""
    df = Recording(rec.states, rec.descriptors[["word"]]).mean_by("word").to_df()  # the states only
    df = df.drop(columns="n").merge(
        classes[["word", "category", "lexical_class", "animacy", "argument"]], on="word"
    )  # fmt: skip
    df.insert(0, "seed", seed)
    df.insert(1, "condition", condition)
    return df


#: the descriptors of a step that the analyses read (the streams have more)
_DESCRIPTORS = ("word", "target_word", "lexical_class", "position", "prev_word")
#: steps per forward call of the frozen passes: each call's arrays (about 6 MB) stay below glibc's mmap
#: threshold and are reused, not mapped afresh (4096: 47 MB per call, 200,000 more page faults, ~1.4 s)
_CHUNK = 512


def _frozen_pass(
    model: RecurrentEnsemble,
    streams: Sequence[Sequence[SequenceBatch]],
    state: str,
    descriptors: Sequence[Sequence[str]],
) -> list[list[Recording]]:
    """Replica r of ``model`` run with frozen weights over ``streams[k][r]`` for every k, as one batch of sequences.

    Returns ``out[k][r]``: the Recording of stream k of replica r: states ``state`` in the
    model's dtype; descriptors ``seed`` (r), ``t``, ``sequence`` (k) and the stream's own
    ``descriptors[k]``, as :func:`evaluate` of that stream alone labels them. The streams are
    padded at the end to the longest and run as the sequences of one batch, all replicas in
    one pass; rows of a batch are computed as when run alone, replicas are independent and
    the pass is causal (tested), so each Recording holds the numbers of its stream run
    alone. Its arrays are views of the pass's arrays (every K-th row), not copies.
    """
    K, R = len(streams), len(streams[0])
    T = max(b.n_steps for batches in streams for b in batches)

    def padded(v: np.ndarray) -> np.ndarray:  # (t, 1, ...) -> (T, ...), the first step repeated as padding
        return np.concatenate([v[:, 0], np.repeat(v[:1, 0], T - len(v), axis=0)])

    import torch

    dtype = torch.empty(0, dtype=model.dtype).numpy().dtype  # cast once here, not after stacking in float64
    x = np.stack([np.stack([padded(streams[k][r].inputs.astype(dtype, copy=False)) for k in range(K)], axis=1)
                  for r in range(R)])  # (R, T, K, I): replica r, step t, stream k  # fmt: skip
    rec = evaluate(model, x, dtype="model", chunk_size=_CHUNK).with_states(state)
    out: list[list[Recording]] = [[] for _ in range(K)]
    for r, k in itertools.product(range(R), range(K)):  # rows of (r, k): r * T * K + k + K * t (views, no copies)
        n = streams[k][r].n_steps
        rows = slice(r * T * K + k, r * T * K + k + K * n, K)
        labels = {"seed": np.full(n, r), "t": np.arange(n), "sequence": np.full(n, k)}
        labels.update((key, streams[k][r].descriptors[key][:, 0]) for key in descriptors[k])
        out[k].append(
            Recording(
                rec.states[rows],
                labels,
                outputs=None if rec.outputs is None else rec.outputs[rows],
                layer_states={name: v[rows] for name, v in rec.layer_states.items()},
                state_name=rec.state_name,
            )
        )
    return out


def _seed_scores(
    rec: Recording, task: LexicalSentences, per_word: int, rng: np.random.Generator
) -> tuple[dict[str, float], pd.DataFrame]:
    """One trained seed: likelihood scores (p. 199), token scores (Fig. 9); boy/girl tokens."""
    d, vocab = rec.descriptors, task.vocabulary()
    contexts = sentence_prefixes(d["word"].tolist(), d["position"].tolist())
    unit = {w: i for i, w in reversed(list(enumerate(vocab)))}  # a word's first unit, as vocab.index
    scores = likelihood_scores(rec.outputs, contexts, d["target_word"].map(unit).to_numpy())
    idx = sample_per_label(d["word"], per_word, rng)
    sample = d.iloc[idx]
    tok = token_scores(
        rec.states[idx], sample["lexical_class"], sample["word"], sample["position"] == 0, METHOD, METRIC
    )
    scores.update({"token_" + ("3cut_class_purity" if k == "cut3_class_purity" else k): v for k, v in tok.items()})
    tables = []
    for word in TOKEN_WORDS:  # Fig. 9: one tree per word, tokens labelled by position
        sub = rec.subset(word=word)
        pick = np.sort(rng.choice(sub.n_obs, size=min(2 * per_word, sub.n_obs), replace=False))
        prev = sub.descriptors.iloc[pick]
        role = np.where(prev["position"].to_numpy() == 0, "subject", "object")
        pos = position_scores(sub.states[pick], role, "subject", METHOD, METRIC)
        scores[f"{word}_initial_clade"], scores[f"{word}_ari_position"] = pos["initial_clade"], pos["ari_position"]
        scores[f"{word}_objects"] = pos["other_share"]
        table = pd.DataFrame(sub.states[pick].astype(np.float64), columns=[f"unit_{k}" for k in range(sub.n_units)])
        table.insert(0, "word", word)
        table.insert(1, "role", role)
        table.insert(2, "prev_word", prev["prev_word"].to_numpy())
        tables.append(table)
    return scores, pd.concat(tables, ignore_index=True)


def _generated_grammatical(
    net: RecurrentEnsemble, task: LexicalSentences, rngs: list[np.random.Generator]
) -> list[float]:
    """Per seed: the share of words sampled from the network that form complete template sentences.

    Every seed continues its own primers with its own random stream (``rngs[r]``, after its
    token sample); the seeds' replicas run together, one forward pass per word.
    """
    one = LexicalSentences(n_sentences=1, lexicon=task.lexicon)  # primers: one random sentence each
    generated = sampled_grammaticality(
        net, task.vocabulary(), lambda g: one.sentences(g)[0], task.grammatical_prefix,
        replica=list(range(len(rngs))), random_state=rngs,
    )  # fmt: skip
    return [float(np.mean(g["share"].to_numpy())) for _, g in generated.groupby("replica", sort=True)]


# -- measures: per seed and condition, from results.csv ---------------------------------------
def _type_measures(results: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per seed and condition: the type-tree criteria and nearest neighbours; per seed: zog's placement."""
    reference = fig7_tree()
    rows, zogs = [], []
    for (seed, cond), g in results.groupby(["seed", "condition"]):
        rec = Recording.from_df(g, ["word", "category", "lexical_class", "animacy"])
        d = rec.descriptors
        words = d["word"].astype(str).tolist()
        tree = Tree.from_vectors(rec.states, words, METHOD, METRIC)
        known = (d["word"] != "zog").to_numpy()
        nouns = rec.subset((d["lexical_class"] == "noun").to_numpy() & known)
        row: dict[str, Any] = {
            "seed": seed,
            "condition": cond,
            "ari_noun_verb": cluster_scores(rec.states[known], d["lexical_class"][known], 2, METHOD, METRIC)["ari"],
            "ari_animacy": cluster_scores(nouns.states, nouns.descriptors["animacy"], 2, METHOD, METRIC)["ari"],
            "nn_same_class": nearest_neighbor_agreement(rec.states[known], d["lexical_class"][known], METRIC),
            "nn_same_category": nearest_neighbor_agreement(rec.states[known], d["category"][known], METRIC),
        }
        if cond == "novel":  # Fig. 8: zog's nearest words and its place in the tree
            nn = nearest_neighbors(rec.states, d["word"], "zog", k=len(words) - 1, metric=METRIC)
            info = d.set_index("word")
            first = nn["label"].iloc[0]
            humans = nn[nn["label"].map(info["category"]).eq("NOUN-HUM")]
            zogs.append({
                "seed": seed, "zog_nearest": first,
                "zog_nearest_is_animate": info.loc[first, "animacy"] == "animate",
                "zog_nearest_is_human": info.loc[first, "category"] == "NOUN-HUM",
                "zog_nearest_human": humans["label"].iloc[0], "zog_nearest_human_rank": int(humans["rank"].iloc[0]),
                **zog_tree_measures(tree),
            })  # fmt: skip
            tree = tree.restrict([w for w in words if w != "zog"])
        row.update(type_tree_measures(tree, g.drop_duplicates("word"), reference))
        rows.append(row)
    return pd.DataFrame(rows), pd.DataFrame(zogs)


def _counts(lists: pd.Series) -> str:
    """How often each name occurs in comma-separated lists, most frequent first ("none" if never)."""
    names = lists.str.split(", ").explode()
    counts = names[names != ""].value_counts()
    return ", ".join(f"{k} ({v})" for k, v in counts.items()) or "none"


def _within(value: float, target: float, band: float, relative: bool) -> bool:
    half = band * target if relative else band
    return bool(abs(value - target) <= half)


class ElmanLexical(Replication):
    """Lexical classes from word order in an SRN's hidden states, Elman (1990) Figs. 7-9 (module docstring).

    Examples
    --------
    >>> ElmanLexical().config(quick=True).hidden_size
    40
    """

    name = "elman-lexical"
    description = "Elman (1990) Figs. 7-9: lexical categories emerge in SRN hidden states; the novel word zog."
    reference = LexicalSentences.reference  # type: ignore[assignment]
    columns = ("seed", "word", "category", "unit", "activation")
    extra_tables = ("scores", "tokens")
    measure_tables = ("type_scores", "zog")
    default_seeds = 10
    default_root_seed = 1990
    config_class = LexicalConfig
    free_parameters = {
        "lr": "0.1 (not in the paper)",
        "momentum": "0 (not in the paper)",
        "init_range": "initial weights and biases uniform in [-0.5, 0.5] (not in the paper)",
        "loss": "1/2 sum of squared errors over the 31 logistic outputs, online updates",
        "clustering": "average linkage, Euclidean distance (the paper does not say)",
        "lexicon": "Table 3 completed with the 29 words of Fig. 7, categories nested as p. 195, p. 199 and "
        "Table 5 require (data/elman1990_lexicon.csv, data/elman1990_lexicon_inclusions.csv); "
        "lexicon='flat' for no inclusions",
        "error": "the paper's 'RMS error' read as the summed squared error per word over the 31 outputs "
        "(fits 0.053 and 0.88); the error vector's length and the per-unit RMS are reported beside it",
        "tree_similarity": "Spearman correlation of cophenetic distances with Fig. 7 as transcribed "
        "(data/elman1990_fig7.txt), over the 29 words",
        "tokens": "token analyses on a random sample of tokens per word (tokens_per_word)",
        **ARCHITECTURE_PARAMETERS,
    }

    def config(self, quick: bool = False) -> LexicalConfig:
        if quick:
            return LexicalConfig(n_sentences=2000, epochs=3, hidden_size=40, zog_sentences=1000, tokens_per_word=15)
        return LexicalConfig()

    def data_inputs(self, config: Config) -> list[Path]:
        tables = [data_path(f"elman1990_{n}.csv") for n in ("lexicon", "lexicon_inclusions", "templates")]
        return [*tables, data_path(FIG7), data_path(FIG9)]

    def compute(
        self, config: LexicalConfig, seeds: Sequence[np.random.SeedSequence], quiet: bool
    ) -> dict[str, pd.DataFrame]:
        import torch

        children = [s.spawn(4) for s in seeds]  # weights, corpus, zog corpus, token sample
        task = LexicalSentences(n_sentences=config.n_sentences, lexicon=config.lexicon)
        corpora = [task.sentences(c[1]) for c in children]
        streams = [task.encode(s) for s in corpora]
        weight_seeds = [c[0] for c in children]
        net = train_ensemble(config, streams, weight_seeds, dtype=torch.float32, quiet=quiet)
        untrained = build_ensemble(config, N_INPUTS, N_INPUTS, weight_seeds, dtype=torch.float32)
        zog_task = LexicalSentences(n_sentences=config.zog_sentences, lexicon=config.lexicon, replace={"man": "zog"})
        classes = zog_task.word_classes()
        zog_streams = [zog_task.encode(zog_task.sentences(c[2])) for c in children]
        types: dict[tuple[int, str], pd.DataFrame] = {}
        seed_scores: list[dict[str, float]] = []
        tokens = []
        rngs = [np.random.default_rng(c[3]) for c in children]
        # the trained network runs over its corpus and the zog corpus as two sequences of one batch
        passes = (  # the trained seed's analyses read _DESCRIPTORS, the type means the word
            (net, {"trained": streams, "novel": zog_streams}, (_DESCRIPTORS, ("word",))),
            (untrained, {"untrained": streams}, (("word",),)),
        )
        for model, conditions, keys in passes:
            recs_k = _frozen_pass(model, list(conditions.values()), config.state_name, keys)
            recordings = dict(zip(conditions, recs_k))
            for condition, recs in recordings.items():
                for r, rec in enumerate(recs):
                    types[r, condition] = _types(rec, classes, r, condition)
                    if condition == "trained":
                        scores_r, tokens_r = _seed_scores(rec, task, config.tokens_per_word, rngs[r])
                        seed_scores.append(scores_r)
                        tokens.append(tokens_r.assign(seed=r)[["seed", *tokens_r.columns]])
            del recordings, recs_k, recs, rec  # views of the whole pass's arrays: free them before the next pass
        for scores_r, share in zip(seed_scores, _generated_grammatical(net, task, rngs)):
            scores_r["generated_grammatical"] = share
        ordered = [types[r, c] for r in range(len(seeds)) for c in ("trained", "untrained", "novel")]
        return {
            "results": pd.concat(ordered, ignore_index=True),
            "scores": pd.DataFrame(
                [{"seed": r, "metric": k, "value": v} for r, sc in enumerate(seed_scores) for k, v in sc.items()]
            ),
            "tokens": pd.concat(tokens, ignore_index=True),
        }

    def measures(self, results: pd.DataFrame, extras: dict[str, pd.DataFrame], config: Any) -> dict[str, pd.DataFrame]:
        type_scores, zog = _type_measures(results)
        return {"type_scores": type_scores, "zog": zog}

    def check_claims(self, results: pd.DataFrame, extras: dict[str, pd.DataFrame]) -> list[Claim]:
        paper = "Elman (1990)"
        ts = extras["type_scores"].set_index(["condition", "seed"])
        tr, un, nv = ts.loc["trained"], ts.loc["untrained"], extras["zog"].set_index("seed")
        sc = extras["scores"].pivot(index="seed", columns="metric", values="value")
        rho = tr["rho_fig7"]
        n = len(tr)
        control = pd.DataFrame({"trained": tr["nn_same_class"], "untrained": un["nn_same_class"]})
        if n >= 2:
            long = control.reset_index().melt(id_vars="seed", var_name="condition", value_name="nn")
            pc = paired_comparison(long, "nn", "condition", "trained", "untrained", random_state=0).iloc[0]
            paired = (
                f"paired (trained - untrained, same seed): mean {pc['mean_difference']:+.2f}, 95% CI "
                f"[{pc['ci_low']:+.2f}, {pc['ci_high']:+.2f}], d_z {pc['cohens_dz']:.1f}, n {int(pc['n_pairs'])}"
            )
        else:
            paired = "paired comparison needs 2 seeds"
        like, succ, cos = sc["sse_vs_likelihood"], sc["sse_vs_successor"], sc["cosine"]
        fig9 = fig9_position_scores()
        seeds_list = ", ".join(f"{w}" for w in nv["zog_nearest"])
        return [
            seed_pass_claim(
                "types-nouns-vs-verbs",
                "The top split of the tree of type-averaged hidden vectors separates nouns from verbs.",
                f"{paper} Fig. 7: top split VERBS vs NOUNS (Fig. 7 as transcribed: 0 words misplaced)",
                tr["misplaced_noun_verb"] == 0,
                f"words on the wrong side of the top split: median {tr['misplaced_noun_verb'].median():.0f}; "
                f"ARI of the 2-cluster cut vs noun/verb: median {tr['ari_noun_verb'].median():.2f}",
                "per seed: no word on the wrong side of the top split",
            ),
            seed_pass_claim(
                "types-nearest-neighbour-same-class",
                "(Added after the first full run, to diagnose the top-split claim.) Every word's nearest "
                "neighbour among the type-averaged vectors is of its own lexical class (noun or verb).",
                f"{paper} Fig. 7 and p. 200: words of a class have similar representations",
                tr["nn_same_class"] >= 0.9,
                f"words whose nearest neighbour is of the same class: median {tr['nn_same_class'].median():.2f}; "
                f"of the same category (12): median {tr['nn_same_category'].median():.2f}",
                "per seed: >= 90% of the 29 words",
            ),
            seed_pass_claim(
                "types-animate-vs-inanimate",
                "Within nouns, the tree separates animates from inanimates.",
                f"{paper} Fig. 7: nouns split into ANIMATES and INANIMATES (Fig. 7: 0 misplaced)",
                tr["misplaced_animacy"] <= 1,
                "nouns on the wrong side of the top split of the nouns' subtree: median "
                f"{tr['misplaced_animacy'].median():.0f} of 18; ARI of the nouns' own 2-cluster cut vs animacy: "
                f"median {tr['ari_animacy'].median():.2f}",
                "per seed: at most 1 of the 18 nouns on the wrong side",
            ),
            seed_pass_claim(
                "types-noun-groups-are-clades",
                "Nouns form the groups Fig. 7 shows: humans, small animals, large animals, food, "
                "breakables, and car/book/rock, each a clade.",
                f"{paper} Fig. 7 and p. 200 (Fig. 7 as transcribed: 6 of 6)",
                tr["noun_clades"] == len(NOUN_CLADES),
                f"clades found: median {tr['noun_clades'].median():.0f} of {len(NOUN_CLADES)}; missing (seeds): "
                + _counts(tr["missing_noun_clades"]),
                f"per seed: all {len(NOUN_CLADES)} groups are clades",
            ),
            seed_pass_claim(
                "verbs-by-argument-structure",
                "Verbs group by argument structure as Fig. 7 shows: the verbs without an object (think, "
                "exist, sleep) form a clade, and so do like and chase (object obligatory).",
                f"{paper} p. 200 and Fig. 7 (labels D.O.-ABS and DO-OBLIG; Fig. 7 as transcribed: 2 of 2; "
                "the 3-way cut by argument structure, ARI 0.12 on Fig. 7, is not a criterion)",
                tr["verb_clades"] == len(VERB_CLADES),
                f"clades found: median {tr['verb_clades'].median():.0f} of {len(VERB_CLADES)}; missing (seeds): "
                + _counts(tr["missing_verb_clades"]),
                "per seed: {think, exist, sleep} and {like, chase} are clades",
            ),
            Claim(
                id="types-tree-similar-to-fig7",
                statement="The tree of type-averaged hidden vectors resembles Fig. 7: the Spearman correlation "
                "of cophenetic distances with Fig. 7 (29 words) is high.",
                paper=f"{paper} Fig. 7 (the paper reports no such number; its figure defines it)",
                measured=f"rho per seed: {', '.join(f'{v:.2f}' for v in rho)}; median {rho.median():.2f} "
                f"(untrained network: median {un['rho_fig7'].median():.2f})",
                criterion=f"median rho over seeds >= {TREE_RHO_CRITERION}",
                passed=bool(rho.median() >= TREE_RHO_CRITERION),
                n_seeds=n,
                n_seeds_passed=int((rho >= TREE_RHO_CRITERION).sum()),
            ),
            seed_pass_claim(
                "tokens-stay-in-branch",
                "Individual tokens fall in their word's branch (no token in the other lexical class's branch).",
                f"{paper} p. 201, Fig. 9",
                sc["token_class_consistency"] >= TOKEN_CONSISTENCY_CRITERION,
                "tokens on their class's side of the 2-cluster cut: median "
                f"{sc['token_class_consistency'].median():.3f} (the smaller side holds a median "
                f"{sc['token_top_split_smaller'].median():.0%} of the tokens); token ARI noun/verb median "
                f"{sc['token_class_ari'].median():.2f}; tokens whose nearest sampled token is of the same class: "
                f"median {sc['token_nn_same_class'].median():.3f}"
                f"; agreement of the top split with sentence-initial vs later tokens: median "
                f"{sc['token_top_split_vs_initial'].median():.3f}; class purity of the 3-cluster cut: median "
                f"{sc['token_3cut_class_purity'].median():.3f}",
                f"per seed: >= {TOKEN_CONSISTENCY_CRITERION:.0%} of sampled tokens in their class's branch",
            ),
            seed_pass_claim(
                "tokens-nearest-same-word",
                "The nearest token of a token is a token of the same word (T. Plate's question: tokens of a "
                "type are closer to each other than to other types).",
                f"{paper} p. 201 and footnote: no token appears in a branch belonging to another word",
                sc["token_nn_same_word"] >= TOKEN_SAME_WORD_CRITERION,
                f"tokens whose nearest sampled token is of the same word: per seed "
                f"{', '.join(f'{v:.2f}' for v in sc['token_nn_same_word'])}",
                f"per seed: >= {TOKEN_SAME_WORD_CRITERION:.0%} of sampled tokens",
            ),
            seed_pass_claim(
                "boy-girl-tokens-by-position",
                "Within each of boy and girl, tokens group by sentence position: the sentence-initial tokens "
                "form one clade, with few exceptions (the final ones group by the preceding words).",
                f"{paper} p. 205, Fig. 9 (one tree per word; its largest clade of initial tokens only holds "
                f"{fig9.loc['boy', 'initial_clade']:.2f} of BOY's and {fig9.loc['girl', 'initial_clade']:.2f} of "
                f"GIRL's; its top split has ARI {fig9.loc['boy', 'ari_position']:.2f} and "
                f"{fig9.loc['girl', 'ari_position']:.2f} against position, so 'ARI >= 0.5' is not a criterion)",
                (sc["boy_initial_clade"] >= INITIAL_CLADE_CRITERION)
                & (sc["girl_initial_clade"] >= INITIAL_CLADE_CRITERION),
                f"share of the initial tokens in the largest initial-only clade: boy per seed "
                f"{', '.join(f'{v:.2f}' for v in sc['boy_initial_clade'])}; girl "
                f"{', '.join(f'{v:.2f}' for v in sc['girl_initial_clade'])}; ARI of the 2-cluster cut vs position "
                f"(Fig. 9 above): boy median {sc['boy_ari_position'].median():.2f}, girl median "
                f"{sc['girl_ari_position'].median():.2f}; object tokens: {sc['boy_objects'].median():.0%} of those "
                "sampled (Fig. 9: 15 of 52)",
                f"per seed: >= {INITIAL_CLADE_CRITERION:.0%} of the initial tokens of boy and of girl in one "
                "initial-only clade",
            ),
            seed_pass_claim(
                "likelihood-error",
                "Outputs approximate the empirical next-word probabilities: summed squared error per word "
                "against the likelihood vectors near the paper's.",
                f"{paper} p. 199: 0.053 (SD 0.100)",
                like.map(lambda v: _within(v, PAPER["sse_vs_likelihood"], LIKELIHOOD_BAND, True)),
                f"mean per seed {', '.join(f'{v:.3f}' for v in like)} (SD within seeds "
                f"{sc['sse_vs_likelihood_sd'].mean():.3f}); other readings: error vector length "
                f"{sc['length_vs_likelihood'].mean():.3f}, per-unit RMS {sc['rms_per_unit_vs_likelihood'].mean():.3f}",
                f"per seed: within {LIKELIHOOD_BAND:.0%} of 0.053",
            ),
            seed_pass_claim(
                "likelihood-cosine",
                "The output vector points where the likelihood vector does (mean cosine).",
                f"{paper} p. 199: cosine 0.916 (SD 0.123)",
                cos.map(lambda v: _within(v, PAPER["cosine"], COSINE_BAND, False)),
                f"mean per seed {', '.join(f'{v:.3f}' for v in cos)} (SD within seeds {sc['cosine_sd'].mean():.3f}); "
                f"words sampled from the network that form complete template sentences: "
                f"{sc['generated_grammatical'].mean():.2f}",
                f"per seed: within {COSINE_BAND} of 0.916",
            ),
            seed_pass_claim(
                "error-vs-successors",
                "Summed squared error per word against the actual successors near the paper's (an all-off "
                "output scores 1.0).",
                f"{paper} p. 199: 0.88",
                succ.map(lambda v: _within(v, PAPER["sse_vs_successor"], SUCCESSOR_BAND, True)),
                f"mean per seed {', '.join(f'{v:.3f}' for v in succ)}; error vector length "
                f"{sc['length_vs_successor'].mean():.3f}",
                f"per seed: within {SUCCESSOR_BAND:.0%} of 0.88",
            ),
            seed_pass_claim(
                "zog-nearest-animate",
                "The novel word zog, replacing man, is represented like an animate noun: its nearest word is animate.",
                f"{paper} p. 202, Fig. 8: zog inside the ANIMATES",
                nv["zog_nearest_is_animate"].astype(bool),
                f"zog's nearest word per seed: {seeds_list}",
                "per seed: zog's nearest type vector (new corpus) is an animate noun",
            ),
            seed_pass_claim(
                "zog-with-humans",
                "zog's nearest word is a human noun.",
                f"{paper} p. 202, Fig. 8: zog bears the same relationship to the other words as man",
                nv["zog_nearest_is_human"].astype(bool),
                "nearest human noun per seed (rank among all words): "
                + ", ".join(f"{w} ({int(k)})" for w, k in zip(nv["zog_nearest_human"], nv["zog_nearest_human_rank"])),
                "per seed: zog's nearest type vector is a human noun",
            ),
            seed_pass_claim(
                "zog-sister-in-humans",
                "zog's sister clade in the tree lies inside the human nouns.",
                f"{paper} Fig. 8: zog is the sister of {{woman, girl, boy}} (man's sister in Fig. 7: {{woman, girl}})",
                nv["zog_sister_in_humans"].astype(bool),
                "zog's sister per seed: " + "; ".join(nv["zog_sister"].str.slice(0, 40)),
                "per seed: every word of zog's sister clade is a human noun",
            ),
            seed_pass_claim(
                "untrained-control-paired",
                "The structure comes from learning: the trained network's type vectors have more same-class "
                "nearest neighbours than the untrained network's (same seed, same corpus).",
                f"{paper} p. 199, footnote (T. Plate): averaging alone can create structure",
                control["trained"] > control["untrained"],
                f"same-class nearest neighbours: trained median {control['trained'].median():.2f}, untrained "
                f"{control['untrained'].median():.2f}; {paired}; rho with Fig. 7: trained "
                f"{rho.median():.2f}, untrained {un['rho_fig7'].median():.2f}",
                "per seed: trained > untrained",
            ),
        ]

    @fill_doc
    def claim_measures(self, results: pd.DataFrame, extras: dict[str, pd.DataFrame]) -> pd.DataFrame:
        """The per-seed measure behind each claim, and the paper's value where it gives one (for ``cogrnn compare``).

        %(claim_measures)s
        """
        ts = extras["type_scores"].set_index(["condition", "seed"])
        tr, un, nv = ts.loc["trained"], ts.loc["untrained"], extras["zog"].set_index("seed")
        sc = extras["scores"].pivot(index="seed", columns="metric", values="value")
        fig9 = fig9_position_scores()
        nan = float("nan")
        return claim_measure_table({
            "types-nouns-vs-verbs": ("words misplaced by the top split", tr["misplaced_noun_verb"], 0.0),
            "types-nearest-neighbour-same-class": ("share of words with a same-class nearest neighbour",
                                                   tr["nn_same_class"], nan),
            "types-animate-vs-inanimate": ("nouns misplaced by animacy", tr["misplaced_animacy"], 0.0),
            "types-noun-groups-are-clades": ("noun groups that are clades", tr["noun_clades"], len(NOUN_CLADES)),
            "verbs-by-argument-structure": ("verb groups that are clades", tr["verb_clades"], len(VERB_CLADES)),
            "types-tree-similar-to-fig7": ("rho of cophenetic distances with Fig. 7", tr["rho_fig7"], nan),
            "tokens-stay-in-branch": ("share of tokens in their class's branch", sc["token_class_consistency"], nan),
            "tokens-nearest-same-word": ("share of tokens nearest to a token of their word", sc["token_nn_same_word"],
                                         nan),
            "boy-girl-tokens-by-position": ("smaller of boy's and girl's initial-clade share",
                                            np.minimum(sc["boy_initial_clade"], sc["girl_initial_clade"]),
                                            fig9["initial_clade"].min()),
            "likelihood-error": ("summed squared error vs likelihood vectors", sc["sse_vs_likelihood"],
                                 PAPER["sse_vs_likelihood"]),
            "likelihood-cosine": ("cosine with likelihood vectors", sc["cosine"], PAPER["cosine"]),
            "error-vs-successors": ("summed squared error vs successors", sc["sse_vs_successor"],
                                    PAPER["sse_vs_successor"]),
            "zog-nearest-animate": ("zog's nearest word is animate (0/1)", nv["zog_nearest_is_animate"], 1.0),
            "zog-with-humans": ("zog's nearest word is human (0/1)", nv["zog_nearest_is_human"], 1.0),
            "zog-sister-in-humans": ("zog's sister clade is human (0/1)", nv["zog_sister_in_humans"], 1.0),
            "untrained-control-paired": ("same-class NN share, trained minus untrained",
                                         tr["nn_same_class"] - un["nn_same_class"], nan),
        })  # fmt: skip

    def plot(self, results: pd.DataFrame, extras: dict[str, pd.DataFrame], caption: str) -> plt.Figure:
        fig = plt.figure(figsize=(17, 8.5), layout="constrained")
        grid = fig.add_gridspec(2, 4, width_ratios=[1, 1, 1, 1.25])
        first = results["seed"].min()
        ts = extras["type_scores"]
        rho0 = ts[(ts.seed == first) & (ts.condition == "trained")]["rho_fig7"].iloc[0]
        mine = results[(results.seed == first) & (results.condition == "trained")]
        plot_dendrogram(
            mine, ax=fig.add_subplot(grid[:, 0]),
            title=f"Network, seed {first}: rho with Fig. 7 = {rho0:.2f}",
        )  # fmt: skip
        categories = mine.drop_duplicates("word").set_index("word")["category"].astype(str).to_dict()
        plot_tree(
            fig7_tree(), categories, ax=fig.add_subplot(grid[:, 1]), xlabel="distance (Fig. 7's axis, as read)",
            title="Elman (1990) Fig. 7, as transcribed",
        )  # fmt: skip
        plot_dendrogram(
            results[(results.seed == first) & (results.condition == "novel")], ax=fig.add_subplot(grid[:, 2]),
            highlight="zog", title=f"Fig. 8: new corpus, man replaced by zog (seed {first})",
        )  # fmt: skip
        ts = ts[ts["condition"] != "novel"]
        long = ts.melt(id_vars=["seed", "condition"], value_vars=["rho_fig7", "nn_same_class", "ari_animacy"])
        names = {"rho_fig7": "rho with\nFig. 7", "nn_same_class": "NN same\nclass", "ari_animacy": "ARI\nanimacy"}
        long["measure"] = long["variable"].map(names) + "\n" + long["condition"]
        order = [f"{names[m]}\n{c}" for m in names for c in ("trained", "untrained")]
        plot_seed_values(
            long, x="measure", y="value", ax=fig.add_subplot(grid[0, 3]), order=order, xlabel="",
            ylabel="score (one dot per seed)", title="Type tree vs Fig. 7 and categories; untrained control",
            threshold=TREE_RHO_CRITERION, threshold_label=f"rho criterion (median >= {TREE_RHO_CRITERION})",
        )  # fmt: skip
        keys = ["cosine", "sse_vs_likelihood", "sse_vs_successor"]
        sc = extras["scores"]
        sc = sc[sc["metric"].isin(keys)]
        ax = fig.add_subplot(grid[1, 3])
        plot_seed_values(
            sc, x="metric", y="value", ax=ax, order=keys, xlabel="",
            ylabel="value (one dot per seed)", title="Likelihood evaluation, summed squared error (x: paper)",
        )  # fmt: skip
        for i, key in enumerate(keys):
            ax.plot(i, PAPER[key], "kx", ms=9, mew=2)
        return add_caption(fig, caption)


REPLICATION = ElmanLexical()

if __name__ == "__main__":
    from cogrnn.cli import main

    sys.exit(main(["replicate", REPLICATION.name, *sys.argv[1:]]))
