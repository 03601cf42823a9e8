"""
cogrnn in ten minutes: from ``make_model`` to a figure
======================================================

Elman (1990) trained a simple recurrent network (SRN) to predict the next bit of a stream in
which every third bit is the XOR of the two before it. Its error dips exactly where the next bit
is predictable. This tutorial runs that experiment on 10 networks ("subjects") at once, in five
steps: a **task** makes the data, a **model** is built from the registry, a **trainer** trains it,
an **evaluation** records every hidden state and error, and an **analysis** and a **figure** read
that recording as a tidy table.

Sizes are small so the page builds in seconds: 10 networks, 1,500 bits, 300 passes (the
``elman-xor`` replication runs 20 networks for 600 passes over 3,000 bits).
"""

# %%
# 1. A task makes the data
# ------------------------
# A task stores its hyperparameters; ``generate(random_state=...)`` returns a
# :class:`~cogrnn.tasks.SequenceBatch`: inputs and targets of shape (steps, streams, features) and a
# descriptor per step (here the position of the target bit within its triple).
import matplotlib.pyplot as plt

import cogrnn
from cogrnn.analysis import evaluate, summarize_across_seeds
from cogrnn.tasks import TemporalXOR
from cogrnn.training import Trainer
from cogrnn.viz import plot_error_curve

task = TemporalXOR(n_triples=500)  # 1,500 bits
train = task.generate(random_state=0)
print(train.inputs.shape, sorted(train.descriptors))
print(task.reference)

# %%
# 2. A model from the registry
# ----------------------------
# ``make_model`` builds any registered model by name. ``n_replicas=10`` makes ten independent
# networks, each with its own initial weights drawn from ``random_state``, computed side by side.
net = cogrnn.make_model("elman", input_size=1, hidden_size=2, output_size=1, n_replicas=10, random_state=1990)
print(net)

# %%
# 3. Train as in the paper
# ------------------------
# ``method="online"`` is Elman's training: one weight update per step, the gradient stopped at the
# copy into the context units, the stream never reset. ``history_`` is a tidy table, one row per
# network and epoch.
trainer = Trainer(method="online", lr=0.1, epochs=300, quiet=True).fit(net, train.inputs, train.targets)
last = trainer.history_[trainer.history_["epoch"] == trainer.history_["epoch"].max()]
print(last.head())

# %%
# 4. Evaluate on a fresh stream: a Recording
# ------------------------------------------
# ``evaluate`` freezes the networks and records, at every step, the hidden state of every layer,
# the outputs, targets and errors, labelled by ``seed`` (the network), ``t`` and the task's
# descriptors.
test = task.generate(random_state=1)
rec = evaluate(net, test.inputs, test.targets, test.descriptors)
print(rec)

# %%
# 5. Analysis: error per position, across seeds
# ---------------------------------------------
# Every analysis reads tidy tables. The squared error by the position of the target in its triple,
# averaged within each network first, then summarised across the ten networks with a bootstrap
# confidence interval (every network counted once):
errors = rec.descriptors.assign(sq_error=rec.sq_error)
per_seed = errors.groupby(["seed", "target_phase"], as_index=False)["sq_error"].mean()
print(summarize_across_seeds(per_seed, "sq_error", by=["target_phase"], random_state=0).round(3))

# %%
# 6. A figure from the table
# --------------------------
# ``plot_*`` functions take a tidy DataFrame and return a matplotlib Figure, so a figure can be
# redrawn from its CSV. Here the error over 12 consecutive predictions (Elman's Fig. 3):
errors["cycle"] = errors["t"] % 12
fig = plot_error_curve(errors, x="cycle", y="sq_error", title="Temporal XOR: error dips at the XOR bit")
plt.show()

# %%
# Where next
# ----------
# The whole experiment, with the paper's claims checked in code, is one command:
# ``cogrnn replicate elman-xor`` (see :doc:`/replications/elman-xor`). The gallery shows the other
# analyses; :doc:`/design` explains how the pieces fit.
