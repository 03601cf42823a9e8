"""
Generation: greedy, temperature and beam search
===============================================

A network trained to predict the next word is also a generator. :func:`~cogrnn.analysis.next_token_fn`
turns it into a step function (state, token) -> (log-probabilities, state), and
:func:`~cogrnn.analysis.generate` runs it greedily, by sampling at a temperature, or by beam search,
returning each sequence with its log-probability. Small sizes: one 31-40-31 SRN, 1,500 sentences
from Elman's templates, 4 passes.
"""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from cogrnn.analysis import generate, next_token_fn
from cogrnn.models import ElmanSRN
from cogrnn.tasks import LexicalSentences
from cogrnn.training import Trainer

task = LexicalSentences(n_sentences=1500)
train = task.generate(random_state=0)
vocab = list(task.vocabulary())
net = ElmanSRN(len(vocab), 40, len(vocab), random_state=0)
Trainer(method="online", lr=0.1, epochs=4, quiet=True).fit(net, train.inputs, train.targets)

step, state = next_token_fn(net)
start = vocab.index("man")
runs = {
    "greedy": generate(step, state, start, 8),
    "beam (width 5)": generate(step, state, start, 8, strategy="beam", beam_width=5),
    "sample, T = 0.5": generate(step, state, start, 8, strategy="sample", temperature=0.5, n_samples=5, random_state=0),
    "sample, T = 1.5": generate(step, state, start, 8, strategy="sample", temperature=1.5, n_samples=5, random_state=0),
}
rows = []
for name, seqs in runs.items():
    for s in seqs:
        text = " ".join(vocab[t] for t in s["tokens"])
        rows.append({"strategy": name, "log_prob": s["log_prob"], "text": "man " + text})
        print(f"{name:16s} {s['log_prob']:7.2f}  man {text}")
df = pd.DataFrame(rows)

# %%
# Log-probability of each generated continuation: beam search finds the likeliest; a higher
# temperature gives more varied, less likely text.
fig, ax = plt.subplots(figsize=(6, 3), layout="constrained")
for i, (_, part) in enumerate(df.groupby("strategy", sort=False)):
    ax.scatter(part["log_prob"], np.full(len(part), i), s=40)
ax.set_yticks(range(len(runs)), list(runs))
ax.set(xlabel="log-probability of the 8 generated words", title="Continuations of 'man'")
plt.show()
