"""
Copy-back, BPTT and truncated BPTT on one task
==============================================

Elman trained his SRN by "copy-back": one update per step, the gradient stopped at the copy of the
hidden layer into the context units. cogrnn also trains by backpropagation through time, whole
(``bptt``: one update per pass over each sequence) or truncated (``tbptt``: an update every ``k1``
steps, ``k2`` steps back). Five networks with the same initial weights learn the temporal XOR task
each way, and we compare the test error at the predictable (XOR) bit with the other bits.

The same 1,800 training bits for every method: 60 sequences of 30 bits for (T)BPTT, one stream of
their concatenation for copy-back (as in the paper). Small budgets (200 passes online, 60 for
BPTT, 20 for TBPTT) keep the page fast; the outcome under these budgets is what it is, not a
ranking of the methods.
"""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from cogrnn.analysis import evaluate
from cogrnn.models import ElmanSRN
from cogrnn.tasks import TemporalXOR
from cogrnn.training import Trainer
from cogrnn.viz import plot_seed_values

train = TemporalXOR(n_triples=10).generate(random_state=0, n_streams=60)  # (30 steps, 60 sequences, 1)
test = TemporalXOR(n_triples=300).generate(random_state=1)


def as_one_stream(a):
    """The sequences one after the other, as one (T * B, 1, features) stream."""
    return np.asarray(a).transpose(1, 0, 2).reshape(-1, 1, np.shape(a)[-1])


methods = {
    "copy-back (online)": dict(method="online", lr=0.1, epochs=200),
    "BPTT": dict(method="bptt", optimizer="adam", lr=0.05, epochs=60),
    "TBPTT(k1=3, k2=6)": dict(method="tbptt", k1=3, k2=6, optimizer="adam", lr=0.02, epochs=20),
}
rows = []
for name, params in methods.items():
    net = ElmanSRN(1, 4, 1, n_replicas=5, random_state=7)  # the same initial weights for each method
    if params["method"] == "online":
        x, y = as_one_stream(train.inputs), as_one_stream(train.targets)
    else:
        x, y = train.inputs, train.targets
    Trainer(quiet=True, **params).fit(net, x, y, random_state=0)
    rec = evaluate(net, test.inputs, test.targets, test.descriptors)
    df = rec.descriptors.assign(sq_error=rec.sq_error, xor_bit=rec.descriptors["target_phase"] == 2)
    per_seed = df.groupby(["seed", "xor_bit"])["sq_error"].mean().unstack()
    rows.append(pd.DataFrame({"method": name, "seed": per_seed.index, "ratio": per_seed[True] / per_seed[False]}))
ratios = pd.concat(rows, ignore_index=True)
print(ratios.groupby("method")["ratio"].describe()[["mean", "min", "max"]].round(3))

# %%
# A ratio below 1 means the network predicts the XOR bit better than the random bits; one dot per
# network.
fig = plot_seed_values(
    ratios,
    x="method",
    y="ratio",
    threshold=1.0,
    threshold_label="no advantage",
    ylabel="error at XOR bit / error elsewhere",
    title="Temporal XOR, three training methods",
)
plt.show()
