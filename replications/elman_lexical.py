"""Elman (1990), lexical classes from word order (Figs. 7-9): categories emerge in the hidden states.

Ten thousand 2- and 3-word sentences (Table 4 templates, ~27,500 words) are presented one
localist word at a time, with no breaks between sentences. A 31-150-31 SRN with 150
context units learns online to predict the next word (6 passes). Then the weights are
frozen and the stream is presented once more, recording every hidden state:

* **types** (Fig. 7): hidden vectors averaged per word cluster into nouns vs verbs, and
  nouns into animates vs inanimates;
* **tokens** (Fig. 9): individual tokens stay in their word's branch; tokens of *boy* and
  *girl* group by sentence position (subject vs object) more than by word;
* **likelihood** (p. 199): outputs against the empirical next-word probabilities;
* **zog** (Fig. 8): a new word on a spare input bit replaces *man* in 10,000 new sentences
  presented with frozen weights; its averaged hidden vector falls among the human nouns;
* **control** (the footnote by Plate): the same type analysis on untrained networks.

Free parameters (the paper gives none): learning rate 0.1, no momentum, initial weights
uniform in [-0.5, 0.5], loss 1/2 sum of squares, average-linkage Euclidean clustering.
Lexicon reading: Table 3 completed with Fig. 7's words (``data/elman1990_lexicon.csv``).
Every seed has its own initial weights, training corpus, zog corpus and token sample.

Run: ``cogrnn replicate elman-lexical`` or ``python -m replications.elman_lexical``.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch

from cogrnn.analysis import (
    Recording,
    cluster_scores,
    cut_tree,
    evaluate_stream,
    generate,
    n_misassigned,
    nearest_neighbor_agreement,
    nearest_neighbors,
    next_token_fn,
    successor_distributions,
    vector_errors,
)
from cogrnn.config import Config, check_choice, check_int
from cogrnn.io import data_path
from cogrnn.models import ElmanSRN
from cogrnn.replication import Claim, Replication, seed_pass_claim
from cogrnn.tasks import LexicalSentences
from cogrnn.tasks.sentences import LEXICONS, N_INPUTS
from cogrnn.training import OnlineSRNConfig, train_srn_ensemble
from cogrnn.viz import add_caption, plot_dendrogram, plot_seed_values

__all__ = ["LexicalConfig", "ElmanLexical", "REPLICATION", "PAPER"]

#: numbers printed in Elman (1990), pp. 199-200
PAPER = {"error_vs_successor": 0.88, "error_vs_likelihood": 0.053, "cosine": 0.916}
COSINE_CRITERION = 0.8
TOKEN_CONSISTENCY_CRITERION = 0.99
CONTROL_ARI_CRITERION = 0.5
ARGUMENT_ARI_CRITERION = 0.5
METHOD, METRIC = "average", "euclidean"


@dataclass(frozen=True)
class LexicalConfig(OnlineSRNConfig):
    epochs: int = 6  # paper: 6 passes
    hidden_size: int = 150  # paper: 150 hidden, 150 context units
    n_sentences: int = 10000  # paper: 10,000 sentences
    lexicon: str = "nested"  # Table 3 read with the inclusions the paper requires (data/)
    zog_sentences: int = 10000  # paper: 10,000 new sentences
    tokens_per_word: int = 40  # token clustering subsample

    def __post_init__(self) -> None:
        super().__post_init__()
        check_int("n_sentences", self.n_sentences, low=50)
        check_choice("lexicon", self.lexicon, LEXICONS)
        check_int("zog_sentences", self.zog_sentences, low=50)
        check_int("tokens_per_word", self.tokens_per_word, low=2)


def _types(rec: Recording, classes: pd.DataFrame, seed: int, condition: str) -> pd.DataFrame:
    """Type-averaged hidden vectors in the long form of results.csv."""
    df = rec.mean_by("word").to_df()
    df = df.drop(columns="n").merge(classes[["word", "category", "lexical_class", "animacy", "argument"]], on="word")
    df.insert(0, "seed", seed)
    df.insert(1, "condition", condition)
    return df


def _token_scores(rec: Recording, rng: np.random.Generator, per_word: int) -> tuple[dict[str, float], pd.DataFrame]:
    """Clustering of individual tokens: branch consistency and the boy/girl position split."""
    idx = []
    for _, rows in rec.descriptors.groupby("word").indices.items():
        idx.extend(rng.choice(rows, size=min(per_word, len(rows)), replace=False))
    idx = np.sort(np.asarray(idx))
    states, desc = rec.states[idx], rec.descriptors.iloc[idx]
    two = cut_tree(states, 2, METHOD, METRIC)
    scores = {
        "token_class_consistency": 1 - n_misassigned(two, desc["lexical_class"]) / len(idx),
        "token_class_ari": cluster_scores(states, desc["lexical_class"], 2, METHOD, METRIC)["ari"],
        "token_nn_same_class": nearest_neighbor_agreement(states, desc["lexical_class"], METRIC),
    }
    bg = rec.subset(word=["boy", "girl"])
    pick = rng.choice(bg.n_obs, size=min(4 * per_word, bg.n_obs), replace=False)
    bg_states = bg.states[np.sort(pick)]
    bg_desc = bg.descriptors.iloc[np.sort(pick)].reset_index(drop=True)
    role = np.where(bg_desc["position"].to_numpy() == 0, "subject", "object")
    scores["boygirl_ari_position"] = cluster_scores(bg_states, role, 2, METHOD, METRIC)["ari"]
    scores["boygirl_ari_word"] = cluster_scores(bg_states, bg_desc["word"], 2, METHOD, METRIC)["ari"]
    tokens = pd.DataFrame(bg_states, columns=[f"unit_{k}" for k in range(bg_states.shape[1])])
    tokens.insert(0, "word", bg_desc["word"].to_numpy())
    tokens.insert(1, "role", role)
    tokens.insert(2, "prev_word", bg_desc["prev_word"].to_numpy())
    return scores, tokens


def _generated_grammaticality(
    net: ElmanSRN, task: LexicalSentences, vocab: list[str], rng: np.random.Generator
) -> float:
    """Sample 20 streams of 30 words (temperature 1) after a sentence end; mean grammatical share."""
    step, state = next_token_fn(net)
    one = LexicalSentences(n_sentences=1, lexicon=task.lexicon)
    shares = []
    for _ in range(20):
        # present one random sentence so that the sample starts at a sentence boundary
        sentence = one.sentences(rng)[0]
        last = vocab.index(sentence[0])
        for w in sentence[1:]:
            _, state = step(state, last)
            last = vocab.index(w)
        sample = generate(step, state, last, 30, strategy="sample", random_state=rng)[0]
        words = [vocab[t] for t in sample["tokens"]]
        shares.append(task.grammatical_prefix(words) / len(words))
    return float(np.mean(shares))


class ElmanLexical(Replication):
    name = "elman-lexical"
    description = "Elman (1990) Figs. 7-9: lexical categories emerge in SRN hidden states; the novel word zog."
    reference = LexicalSentences.reference  # type: ignore[assignment]
    columns = ("seed", "word", "category", "unit", "activation")
    extra_tables = ("scores",)
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
        "error_length": "the paper's 'RMS error' read as the length of the 31-unit error vector",
        "tokens": "token analyses on a random sample of tokens per word (tokens_per_word)",
    }

    def config(self, quick: bool = False) -> LexicalConfig:
        if quick:
            return LexicalConfig(n_sentences=2000, epochs=3, hidden_size=40, zog_sentences=1000, tokens_per_word=15)
        return LexicalConfig()

    def data_inputs(self, config: Config) -> list[Path]:
        return [data_path(f"elman1990_{n}.csv") for n in ("lexicon", "lexicon_inclusions", "templates")]

    def compute(
        self, config: LexicalConfig, seeds: Sequence[np.random.SeedSequence], quiet: bool
    ) -> dict[str, pd.DataFrame]:
        children = [s.spawn(4) for s in seeds]  # weights, corpus, zog corpus, token sample
        task = LexicalSentences(n_sentences=config.n_sentences, lexicon=config.lexicon)
        corpora = [task.sentences(c[1]) for c in children]
        streams = [task.encode(s) for s in corpora]
        weight_seeds = [c[0] for c in children]
        net = train_srn_ensemble(config, streams, weight_seeds, dtype=torch.float32, quiet=quiet)
        untrained = ElmanSRN(
            N_INPUTS, config.hidden_size, N_INPUTS, n_replicas=len(seeds), replica_seeds=weight_seeds,
            init_range=config.init_range,
        )  # fmt: skip
        zog_task = LexicalSentences(n_sentences=config.zog_sentences, lexicon=config.lexicon, replace={"man": "zog"})
        classes = zog_task.word_classes()
        vocab = task.vocabulary()
        types, scores, tokens = [], [], []
        for r in range(len(seeds)):
            stream = streams[r]
            desc = {k: v[:, 0] for k, v in stream.descriptors.items()}
            trained_r = net.replica(r)
            ev = evaluate_stream(trained_r, stream.inputs, stream.targets)
            rec = Recording(ev["hidden"][0, -1, :, 0], desc)
            types.append(_types(rec, classes, r, "trained"))
            control = evaluate_stream(untrained.replica(r), stream.inputs, stream.targets)
            types.append(_types(Recording(control["hidden"][0, -1, :, 0], desc), classes, r, "untrained"))
            zog_stream = zog_task.encode(zog_task.sentences(children[r][2]))
            zog_ev = evaluate_stream(trained_r, zog_stream.inputs, zog_stream.targets)
            zog_desc = {k: v[:, 0] for k, v in zog_stream.descriptors.items()}
            types.append(_types(Recording(zog_ev["hidden"][0, -1, :, 0], zog_desc), classes, r, "novel"))
            # likelihood evaluation: contexts are the sentence so far
            words, pos = desc["word"], desc["position"]
            prefixes, current = [], ()
            for w, p in zip(words, pos):
                current = (w,) if p == 0 else (*current, w)
                prefixes.append(current)
            succ = np.array([vocab.index(w) for w in desc["target_word"]])
            likelihood = successor_distributions(prefixes, succ, N_INPUTS)
            out = ev["outputs"][0, :, 0]
            vs_like = vector_errors(out, likelihood)
            vs_succ = vector_errors(out, np.eye(N_INPUTS)[succ])
            seed_scores = {
                "error_vs_successor": float(vs_succ["error_length"].mean()),
                "error_vs_likelihood": float(vs_like["error_length"].mean()),
                "error_vs_likelihood_sd": float(vs_like["error_length"].std()),
                "cosine": float(vs_like["cosine"].mean()),
                "cosine_sd": float(vs_like["cosine"].std()),
            }
            token_rng = np.random.default_rng(children[r][3])
            token_scores, bg = _token_scores(rec, token_rng, config.tokens_per_word)
            seed_scores.update(token_scores)
            seed_scores["generated_grammatical"] = _generated_grammaticality(trained_r, task, vocab, token_rng)
            scores += [{"seed": r, "metric": k, "value": v} for k, v in seed_scores.items()]
            tokens.append(bg.assign(seed=r))
        return {"results": pd.concat(types, ignore_index=True), "scores": pd.DataFrame(scores)}

    # -- measures shared by claims and figure --------------------------------------
    @staticmethod
    def type_scores(results: pd.DataFrame) -> pd.DataFrame:
        """Per seed and condition: noun/verb and animacy splits of the type tree, cophenetic r."""
        rows = []
        for (seed, cond), g in results.groupby(["seed", "condition"]):
            rec = Recording.from_df(g, ["word", "category", "lexical_class", "animacy"])
            d = rec.descriptors
            known = (d["word"] != "zog").to_numpy()
            nv = cluster_scores(rec.states[known], d["lexical_class"][known], 2, METHOD, METRIC)
            two = cut_tree(rec.states[known], 2, METHOD, METRIC)
            misplaced_nv = n_misassigned(two, d["lexical_class"][known])
            nouns = rec.subset((d["lexical_class"] == "noun").to_numpy() & known)
            an = cut_tree(nouns.states, 2, METHOD, METRIC)
            misplaced_an = n_misassigned(an, nouns.descriptors["animacy"])
            row = {
                "seed": seed,
                "condition": cond,
                "ari_noun_verb": nv["ari"],
                "misplaced_noun_verb": misplaced_nv,
                "ari_animacy": cluster_scores(nouns.states, nouns.descriptors["animacy"], 2, METHOD, METRIC)["ari"],
                "misplaced_animacy": misplaced_an,
                "cophenetic": nv["cophenetic"],
                "nn_same_class": nearest_neighbor_agreement(rec.states[known], d["lexical_class"][known], METRIC),
                "nn_same_category": nearest_neighbor_agreement(rec.states[known], d["category"][known], METRIC),
            }
            if cond == "novel":
                nn = nearest_neighbors(rec.states, d["word"], "zog", k=5, metric=METRIC)
                cats = d.set_index("word")["category"]
                row["zog_neighbors"] = ", ".join(nn["label"])
                row["zog_nearest_is_human"] = cats[nn["label"].iloc[0]] == "NOUN-HUM"
                human_ranks = [i + 1 for i, w in enumerate(nn["label"]) if cats[w] == "NOUN-HUM"]
                row["zog_humans_in_top3"] = sum(rank <= 3 for rank in human_ranks)
            rows.append(row)
        return pd.DataFrame(rows)

    @staticmethod
    def argument_ari(results: pd.DataFrame) -> pd.Series:
        """Per seed (trained): ARI of the 3-cluster cut of the verbs vs object absent/obligatory/optional.

        The labels are those of the lexicon the run used (the ``argument`` column of results).
        """
        argument = results.drop_duplicates("word").set_index("word")["argument"]
        out = {}
        for seed, g in results[(results["condition"] == "trained") & (results["lexical_class"] == "verb")].groupby(
            "seed"
        ):
            rec = Recording.from_df(g, ["word"])
            labels = argument.loc[rec.descriptors["word"]].to_numpy()
            out[seed] = cluster_scores(rec.states, labels, 3, METHOD, METRIC)["ari"]
        return pd.Series(out)

    def check_claims(self, results: pd.DataFrame, extras: dict[str, pd.DataFrame]) -> list[Claim]:
        paper = "Elman (1990)"
        ts = self.type_scores(results).set_index(["condition", "seed"])
        tr, un, nv = ts.loc["trained"], ts.loc["untrained"], ts.loc["novel"]
        sc = extras["scores"].pivot(index="seed", columns="metric", values="value")
        arg = self.argument_ari(results)
        return [
            seed_pass_claim(
                "types-nouns-vs-verbs",
                "The top split of the tree of type-averaged hidden vectors separates nouns from verbs.",
                f"{paper} Fig. 7: top split VERBS vs NOUNS",
                tr["misplaced_noun_verb"] == 0,
                f"ARI of the 2-cluster cut vs noun/verb: median {tr['ari_noun_verb'].median():.2f}; "
                f"words on the wrong side: median {tr['misplaced_noun_verb'].median():.0f}",
                "per seed: no word on the wrong side of the 2-cluster cut",
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
                f"{paper} Fig. 7: nouns split into ANIMATES and INANIMATES",
                tr["misplaced_animacy"] <= 1,
                f"ARI of the nouns' 2-cluster cut vs animacy: median {tr['ari_animacy'].median():.2f}; "
                f"nouns on the wrong side: median {tr['misplaced_animacy'].median():.0f} of 18",
                "per seed: at most 1 of the 18 nouns on the wrong side",
            ),
            seed_pass_claim(
                "verbs-by-argument-structure",
                "Verbs group by whether a direct object is required, absent or optional.",
                f"{paper} p. 200 and Fig. 7 (the drawn leaves do not split cleanly)",
                arg >= ARGUMENT_ARI_CRITERION,
                f"ARI of the verbs' 3-cluster cut vs object absent/obligatory/optional: median {arg.median():.2f}",
                f"per seed: ARI >= {ARGUMENT_ARI_CRITERION}",
            ),
            seed_pass_claim(
                "tokens-stay-in-branch",
                "Individual tokens fall in their word's branch (no token in the other lexical class's branch).",
                f"{paper} p. 201, Fig. 9",
                sc["token_class_consistency"] >= TOKEN_CONSISTENCY_CRITERION,
                "tokens on their class's side of the 2-cluster cut: median "
                f"{sc['token_class_consistency'].median():.3f}"
                f"; token ARI noun/verb median {sc['token_class_ari'].median():.2f}; tokens whose nearest sampled "
                f"token is of the same class: median {sc['token_nn_same_class'].median():.3f}",
                f"per seed: >= {TOKEN_CONSISTENCY_CRITERION:.0%} of sampled tokens in their class's branch",
            ),
            seed_pass_claim(
                "boy-girl-tokens-by-position",
                "Tokens of boy and girl group by sentence position (subject vs object) rather than by word.",
                f"{paper} p. 201, Fig. 9",
                (sc["boygirl_ari_position"] >= 0.5) & (sc["boygirl_ari_position"] > sc["boygirl_ari_word"]),
                f"ARI vs position median {sc['boygirl_ari_position'].median():.2f}, "
                f"vs word median {sc['boygirl_ari_word'].median():.2f}",
                "per seed: ARI(position) >= 0.5 and > ARI(word)",
            ),
            seed_pass_claim(
                "likelihood-cosine",
                "Outputs approximate the empirical next-word probabilities.",
                f"{paper} p. 199: cosine 0.916 (SD 0.123), error 0.053 (SD 0.100)",
                sc["cosine"] >= COSINE_CRITERION,
                f"cosine mean {sc['cosine'].mean():.3f} (SD within seeds {sc['cosine_sd'].mean():.3f}); "
                f"error length vs likelihood {sc['error_vs_likelihood'].mean():.3f}; words sampled from the "
                f"network that form complete template sentences: {sc['generated_grammatical'].mean():.2f}",
                f"per seed: mean cosine >= {COSINE_CRITERION}",
            ),
            seed_pass_claim(
                "error-vs-successors",
                "Error against the actual successors falls below that of an all-off output (1.0).",
                f"{paper} p. 199: 0.88",
                sc["error_vs_successor"] < 1.0,
                f"error length vs actual successors: mean {sc['error_vs_successor'].mean():.3f}",
                "per seed: mean error length < 1.0",
            ),
            seed_pass_claim(
                "zog-with-humans",
                "The novel word zog, replacing man, is represented like a human noun.",
                f"{paper} p. 202, Fig. 8: zog bears the same relationship to the other words as man",
                nv["zog_nearest_is_human"].astype(bool),
                "zog's nearest neighbours (seed 0): " + str(nv["zog_neighbors"].iloc[0]),
                "per seed: zog's nearest neighbour (type means of the new corpus) is a human noun",
            ),
            seed_pass_claim(
                "untrained-control-no-structure",
                "Untrained networks show no noun/verb structure: the clustering comes from learning.",
                f"{paper} p. 199, footnote (T. Plate): averaging alone can create structure",
                un["ari_noun_verb"] < CONTROL_ARI_CRITERION,
                f"untrained ARI noun/verb median {un['ari_noun_verb'].median():.2f} "
                f"(trained {tr['ari_noun_verb'].median():.2f}); words whose nearest neighbour is of the same "
                f"class: untrained {un['nn_same_class'].median():.2f}, trained {tr['nn_same_class'].median():.2f}",
                f"per seed: untrained ARI < {CONTROL_ARI_CRITERION}",
            ),
        ]

    def plot(self, results: pd.DataFrame, extras: dict[str, pd.DataFrame], caption: str) -> plt.Figure:
        fig = plt.figure(figsize=(14, 8.5), layout="constrained")
        grid = fig.add_gridspec(2, 3, width_ratios=[1, 1, 1.2])
        first = results["seed"].min()
        ax = fig.add_subplot(grid[:, 0])
        plot_dendrogram(
            results[(results.seed == first) & (results.condition == "trained")], ax=ax,
            title=f"Fig. 7: type-averaged hidden vectors (seed {first})",
        )  # fmt: skip
        ax = fig.add_subplot(grid[:, 1])
        plot_dendrogram(
            results[(results.seed == first) & (results.condition == "novel")], ax=ax, highlight="zog",
            title=f"Fig. 8: new corpus, man replaced by zog (seed {first})",
        )  # fmt: skip
        ts = self.type_scores(results)
        long = ts.melt(id_vars=["seed", "condition"], value_vars=["ari_noun_verb", "ari_animacy", "cophenetic"])
        long["measure"] = long["variable"].str.replace("ari_", "ARI ").str.replace("_", "/") + "\n" + long["condition"]
        long = long[long["condition"] != "novel"]
        order = [f"{m}\n{c}" for m in ("ARI noun/verb", "ARI animacy", "cophenetic") for c in ("trained", "untrained")]
        plot_seed_values(
            long, x="measure", y="value", ax=fig.add_subplot(grid[0, 2]), order=order, xlabel="",
            ylabel="score (one dot per seed)", title="Type clustering vs categories; untrained control",
        )  # fmt: skip
        sc = extras["scores"]
        sc = sc[sc["metric"].isin(["cosine", "error_vs_likelihood", "error_vs_successor"])]
        ax = fig.add_subplot(grid[1, 2])
        plot_seed_values(
            sc, x="metric", y="value", ax=ax, order=["cosine", "error_vs_likelihood", "error_vs_successor"],
            xlabel="", ylabel="value (one dot per seed)", title="Likelihood evaluation (x: paper's value)",
        )  # fmt: skip
        for i, key in enumerate(["cosine", "error_vs_likelihood", "error_vs_successor"]):
            ax.plot(i, PAPER[key], "kx", ms=9, mew=2)
        return add_caption(fig, caption)


REPLICATION = ElmanLexical()

if __name__ == "__main__":
    from cogrnn.cli import main

    sys.exit(main(["replicate", REPLICATION.name, *sys.argv[1:]]))
