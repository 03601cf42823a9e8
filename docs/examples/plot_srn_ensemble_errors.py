"""
Train an SRN ensemble and plot its error curves
===============================================

Elman's (1990) letter task: random consonants b, d, g, each followed by its vowels (ba, dii,
guuu), every letter coded by 6 features. Ten 6-20-6 simple recurrent networks are trained
side by side (one call, ``n_replicas=10``), then their prediction error is plotted against the
position in a syllable: low where the vowels are predictable, high where the next consonant is
random. Small sizes: 10 networks, ~1,000 letters, 50 passes (the ``elman-letters`` replication
uses ~3,000 letters and 200 passes).
"""

import matplotlib.pyplot as plt
import numpy as np

from cogrnn.analysis import evaluate
from cogrnn.models import ElmanSRN
from cogrnn.tasks import LetterSequence
from cogrnn.training import Trainer
from cogrnn.viz import plot_error_curve

task = LetterSequence(n_consonants=330)
train = task.generate(random_state=0)
net = ElmanSRN(6, 20, 6, n_replicas=10, random_state=0)
trainer = Trainer(method="online", lr=0.1, epochs=50, quiet=True).fit(net, train.inputs, train.targets)

# %%
# Training curves: one row per network and pass in ``history_``.
fig, ax = plt.subplots(figsize=(5, 3), layout="constrained")
plot_error_curve(
    trainer.history_, x="epoch", y="loss", ax=ax, xlabel="pass", ylabel="summed squared error", title="Training"
)

# %%
# Test error by the position of the predicted letter in its syllable (0 = the consonant), mean and
# 95% CI over the ten networks.
test = task.generate(random_state=1)
rec = evaluate(net, test.inputs, test.targets, test.descriptors)
df = rec.descriptors.assign(sq_error=rec.sq_error)
fig = plot_error_curve(
    df, x="position_in_word", y="sq_error", xlabel="position of the target in its syllable", title="Test error"
)
print(df.groupby("position_in_word")["sq_error"].mean().round(3))
print("networks:", df["seed"].nunique(), " test letters per network:", int(np.sum(df["seed"] == 0)))
plt.show()
