"""
RSA across seeds and layers
===========================

Representational similarity analysis (Kriegeskorte et al. 2008) compares representations through
their dissimilarity matrices (RDMs). Three two-layer SRNs learn Elman's letter task; for each
network and layer we build the RDM of hidden states averaged by the letter to be predicted, then
compare every pair of RDMs (Spearman correlation of their entries) and each one with a
consonant/vowel model RDM (Kendall's tau-a, as Nili et al. 2014 recommend for categorical models).
Small sizes: 3 networks of 2 x 12 units, ~1,000 letters, 30 passes.
"""

import matplotlib.pyplot as plt
import pandas as pd

from cogrnn.analysis import compare_rdm_set, compare_rdms, evaluate, model_rdm, rdm
from cogrnn.models import ElmanSRN
from cogrnn.tasks import LetterSequence
from cogrnn.training import Trainer
from cogrnn.viz import plot_rdm

task = LetterSequence(n_consonants=330)
train = task.generate(random_state=0)
net = ElmanSRN(6, 12, 6, num_layers=2, n_replicas=3, random_state=0)
Trainer(method="online", lr=0.1, epochs=30, quiet=True).fit(net, train.inputs, train.targets)
test = task.generate(random_state=1)
rec = evaluate(net, test.inputs, test.targets, test.descriptors)
print(rec)

# %%
# One RDM per (network, layer), and their agreement with a consonant/vowel model.
rdms = {}
for layer in ("h0", "h1"):
    states = rec.with_states(layer)
    for seed in range(3):
        rdms[f"seed {seed} {layer}"] = rdm(states.subset(seed=seed), by="target_letter", metric="correlation")
labels = next(iter(rdms.values())).labels
cv = model_rdm(labels, {c: ("consonant" if c in "bdg" else "vowel") for c in labels})
for key, r in rdms.items():
    print(f"{key}: Kendall tau-a with the consonant/vowel model {compare_rdms(r, cv, method='kendall_tau_a'):.2f}")

# %%
# All pairs: how alike are the networks, and the layers?
pairs = compare_rdm_set(rdms)
print(pairs.round(2))
both = pd.concat([pairs, pairs.rename(columns={"a": "b", "b": "a"})], ignore_index=True)
diagonal = pd.DataFrame({"a": list(rdms), "b": list(rdms), "spearman": 1.0})
long = pd.concat([both, diagonal], ignore_index=True)
long = long.assign(dissimilarity=1 - long["spearman"]).rename(columns={"a": "row", "b": "col"})
fig = plot_rdm(long, title="1 - Spearman r between RDMs (networks x layers)")

# %%
# The RDM of the first network's second layer.
fig = plot_rdm(rdms["seed 0 h1"].to_df(), title="seed 0, layer h1: RDM by target letter")
plt.show()
