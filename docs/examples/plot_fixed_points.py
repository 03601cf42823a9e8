"""
Fixed points of a trained network
=================================

Sussillo and Barak (2013) explain a trained network by the fixed points of its dynamics under a
constant input. :func:`~cogrnn.analysis.find_fixed_points` minimises
:math:`q(h) = \\frac{1}{2}\\lVert F(h, x) - h \\rVert^2` from many visited states, refines each
candidate by Newton's method, and classifies it by the eigenvalues of its Jacobian. Here a 6-20-6
SRN trained on Elman's letters (1 network, ~3,000 letters, 100 passes; 16 starts of 600 steps per
input: small sizes, so the example runs in about half a minute on 2 cores), with the fixed points
under each constant letter input drawn on the first two principal components of the visited states.
"""

import matplotlib.pyplot as plt

from cogrnn.analysis import StatePCA, evaluate, find_fixed_points
from cogrnn.models import ElmanSRN
from cogrnn.tasks import LetterSequence, letter_features
from cogrnn.training import Trainer

task = LetterSequence(n_consonants=1000)
net = ElmanSRN(6, 20, 6, random_state=0)
train = task.generate(random_state=0)
Trainer(method="online", lr=0.1, epochs=100, quiet=True).fit(net, train.inputs, train.targets)
test = task.generate(random_state=1)
rec = evaluate(net, test.inputs, test.targets, test.descriptors)
pca = StatePCA(2).fit(rec)
pcs = pca.transform(rec)

fig, ax = plt.subplots(figsize=(5.5, 4.5), layout="constrained")
ax.scatter(pcs[:, 0], pcs[:, 1], s=3, color="0.8", label="visited states")
features = letter_features()
for i, letter in enumerate(["b", "a", "i", "u"]):
    fps = find_fixed_points(net, features[letter], rec.states.astype(float), n_inits=16, n_iter=600, random_state=0)
    print(f"input {letter!r}: {len(fps)} fixed point(s), kinds {sorted(fps['kind'])}")
    xy = pca.transform(fps[[f"h{j}" for j in range(20)]].to_numpy())
    for (px, py), kind in zip(xy, fps["kind"]):
        ax.plot(px, py, "o" if kind == "stable" else "x", color=f"C{i}", ms=9, mew=2)
    ax.plot([], [], "o", color=f"C{i}", label=f"input '{letter}': {len(fps)} fixed point(s)")
ax.set(xlabel="pc1", ylabel="pc2", title="Fixed points (o stable, x other) under constant inputs")
ax.legend(fontsize=7, frameon=False)
plt.show()
