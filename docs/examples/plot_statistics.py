"""
Statistics across seeds
=======================

A network is one "subject": claims about a model are claims about the distribution over seeds.
cogrnn's tidy tables carry a ``seed`` column, and its statistics count each seed once:
:func:`~cogrnn.analysis.summarize_across_seeds` (mean, sd and a bootstrap CI per group),
:func:`~cogrnn.analysis.paired_comparison` (two conditions measured on the same seeds: mean
difference with its CI, Cohen's d_z, paired t and Wilcoxon tests) and
:func:`~cogrnn.analysis.bootstrap_ci`. Here 12 SRNs with 2 and 12 with 8 hidden units learn the
temporal XOR task; paired by seed (same streams). Small sizes: 1,500 bits, 150 passes.
"""

import matplotlib.pyplot as plt
import pandas as pd

from cogrnn.analysis import evaluate, paired_comparison, summarize_across_seeds
from cogrnn.models import ElmanSRN
from cogrnn.tasks import TemporalXOR
from cogrnn.training import Trainer
from cogrnn.viz import plot_seed_values

task = TemporalXOR(n_triples=500)
train, test = task.generate(random_state=0), task.generate(random_state=1)
frames = []
for hidden in (2, 8):
    net = ElmanSRN(1, hidden, 1, n_replicas=12, random_state=hidden)
    Trainer(method="online", lr=0.1, epochs=150, quiet=True).fit(net, train.inputs, train.targets)
    rec = evaluate(net, test.inputs, test.targets, test.descriptors)
    df = rec.descriptors.assign(sq_error=rec.sq_error)
    xor = df[df["target_phase"] == 2].groupby("seed")["sq_error"].mean()
    frames.append(pd.DataFrame({"seed": xor.index, "hidden": f"{hidden} units", "xor_error": xor.values}))
per_seed = pd.concat(frames, ignore_index=True)

print(summarize_across_seeds(per_seed, "xor_error", by=["hidden"], random_state=0).round(4))
print(paired_comparison(per_seed, "xor_error", "hidden", "2 units", "8 units", random_state=0).T)

# %%
# One dot per network.
fig = plot_seed_values(
    per_seed, x="hidden", y="xor_error", ylabel="squared error at the XOR bit", title="12 seeds each"
)
plt.show()
