"""
PCA trajectories of sentences
=============================

A sentence is a path through the hidden-state space. :class:`~cogrnn.analysis.StatePCA` fits
principal components to a recording (scikit-learn style: fitted attributes end in ``_``) and
``trajectories`` returns, for chosen sentences, the projected state at every word, ready for
:func:`~cogrnn.viz.plot_trajectories`. Small sizes: 1 network of 40 hidden units, 1,500 sentences,
4 passes.
"""

import matplotlib.pyplot as plt

from cogrnn.analysis import StatePCA, evaluate
from cogrnn.models import ElmanSRN
from cogrnn.tasks import LexicalSentences
from cogrnn.training import Trainer
from cogrnn.viz import plot_trajectories

task = LexicalSentences(n_sentences=1500)
train = task.generate(random_state=0)
n_words = train.inputs.shape[-1]
net = ElmanSRN(n_words, 40, n_words, random_state=0)
Trainer(method="online", lr=0.1, epochs=4, quiet=True).fit(net, train.inputs, train.targets)

test = LexicalSentences(n_sentences=200).generate(random_state=1)
rec = evaluate(net, test.inputs, test.targets, test.descriptors)
pca = StatePCA(2).fit(rec)
print("variance explained by pc1, pc2:", pca.explained_variance_ratio_.round(3))

# %%
# The first three sentences of three words or more.
d = rec.descriptors
long_ones = d.loc[d["sentence_length"] >= 3, "sentence"].unique()[:3]
traj = pca.trajectories(rec, by="sentence", order="t", label="word", select=list(long_ones))
print(traj.head(8))
fig = plot_trajectories(traj, group="sentence", label="word", title="Three sentences on the first two PCs")
plt.show()
