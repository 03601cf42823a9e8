"""
Record hidden states and draw a dendrogram
==========================================

Elman (1990) averaged the hidden state of his sentence network over every occurrence of each word
and clustered the averages: nouns and verbs separate, and within the nouns animates and inanimates.
Here a 31-40-31 SRN reads sentences from Elman's templates; ``evaluate`` records every hidden state
with the word that produced it, ``Recording.mean_by`` averages them by word, and
:func:`~cogrnn.viz.plot_dendrogram` clusters them. Small sizes: 1 network, 1,500 sentences, 4
passes (the ``elman-lexical`` replication: 10,000 sentences, 150 hidden units, 10 networks).
"""

import matplotlib.pyplot as plt

from cogrnn.analysis import evaluate
from cogrnn.models import ElmanSRN
from cogrnn.tasks import LexicalSentences
from cogrnn.training import Trainer
from cogrnn.viz import plot_dendrogram

task = LexicalSentences(n_sentences=1500)
train = task.generate(random_state=0)
n_words = train.inputs.shape[-1]
net = ElmanSRN(n_words, 40, n_words, random_state=0)
Trainer(method="online", lr=0.1, epochs=4, quiet=True).fit(net, train.inputs, train.targets)

test = LexicalSentences(n_sentences=500).generate(random_state=1)
rec = evaluate(net, test.inputs, test.targets, test.descriptors)
print(rec)

# %%
# One averaged state per word, coloured by the word's category.
words = rec.mean_by("word", "category")
print(words.descriptors.head())
fig = plot_dendrogram(words.to_df(), label="word", color_by="category", title="Hidden states averaged by word")
fig.set_size_inches(6, 7)
plt.show()
