"""Make the figures of docs/analysis.md (PCA trajectories, RSA, fixed points) from a letters SRN.

Run: ``.venv/bin/python docs/make_figures.py`` (about 10 s). Every number comes from seed 0.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from cogrnn.analysis import (
    Recording,
    StatePCA,
    compare_rdms,
    find_fixed_points,
    model_rdm,
    rdm,
)
from cogrnn.models import ElmanSRN
from cogrnn.tasks import LetterSequence, letter_features
from cogrnn.training import Trainer
from cogrnn.viz import plot_rdm, plot_trajectories

OUT = Path(__file__).resolve().parent / "figures"


def main() -> None:
    OUT.mkdir(exist_ok=True)
    task = LetterSequence(n_consonants=1000)
    train = task.generate(random_state=0)
    net = ElmanSRN(6, 20, 6, random_state=0)
    Trainer(method="online", lr=0.1, epochs=200, quiet=True).fit(net, train.inputs, train.targets)
    test = task.generate(random_state=1)
    desc = {k: v[:, 0] for k, v in test.descriptors.items()}
    # the task's descriptors describe the letter to be predicted; label steps by the input's syllable
    input_word = np.roll(desc["word_index"], 1)
    desc["syllable"] = np.array([f"{w} (#{i})" for w, i in zip(np.roll(desc["word"], 1), input_word)])
    rec = Recording.from_model(net, test.inputs, desc)

    # 1. PCA trajectories of three syllables
    pca = StatePCA(2).fit(rec)
    picks = [next(s for s in desc["syllable"][1:] if s.startswith(w + " ")) for w in ("ba", "dii", "guuu")]
    traj = pca.trajectories(rec, by="syllable", order="t", label="letter", select=picks)
    fig = plot_trajectories(
        traj,
        group="syllable",
        label="letter",
        title=f"Letters SRN: trajectories of ba, dii, guuu (PCA, {pca.explained_variance_ratio_.sum():.0%} var.)",
    )
    fig.savefig(OUT / "trajectories.png", dpi=120)
    plt.close(fig)

    # 2. RSA: hidden states by the letter to be predicted vs a consonant/vowel model
    r = rdm(rec, by="target_letter", metric="correlation")
    model = model_rdm(r.labels, {c: ("consonant" if c in "bdg" else "vowel") for c in r.labels})
    tau = compare_rdms(r, model, method="kendall_tau_a")
    fig = plot_rdm(r.to_df(), title=f"RDM by target letter (Kendall tau-a vs consonant/vowel model: {tau:.2f})")
    fig.savefig(OUT / "rdm.png", dpi=120)
    plt.close(fig)

    # 3. fixed points under each constant letter input, on the PCA plane
    fig, ax = plt.subplots(figsize=(5.5, 4.5), layout="constrained")
    pcs = pca.transform(rec)
    ax.scatter(pcs[:, 0], pcs[:, 1], s=3, color="0.8", label="visited states")
    feats = letter_features()
    for i, letter in enumerate(["b", "a", "i", "u"]):
        fps = find_fixed_points(net, feats[letter], rec.states.astype(float), n_inits=40, n_iter=1500, random_state=0)
        if fps.empty:
            continue
        xy = pca.transform(fps[[f"h{j}" for j in range(20)]].to_numpy())
        for (px, py), kind in zip(xy, fps["kind"]):
            ax.plot(px, py, "o" if kind == "stable" else "x", color=f"C{i}", ms=9, mew=2)
        ax.plot([], [], "o", color=f"C{i}", label=f"input '{letter}': {len(fps)} fixed point(s)")
    ax.set_xlabel("pc1")
    ax.set_ylabel("pc2")
    ax.set_title("Fixed points (o stable, x saddle) under constant inputs", fontsize=10)
    ax.legend(fontsize=7, frameon=False)
    fig.savefig(OUT / "fixed_points.png", dpi=120)
    plt.close(fig)
    print(f"wrote {sorted(p.name for p in OUT.glob('*.png'))}; Kendall tau-a {tau:.3f}")


if __name__ == "__main__":
    main()
