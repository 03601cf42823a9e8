"""
Hopfield recall, energy and capacity
====================================

Hopfield (1982): a network of N binary units stores patterns in Hebbian weights, and recalls a
stored pattern from a corrupted cue by updating units until a fixed point; every update lowers an
energy. Here: recall from cues with 10% of the bits flipped, the energy of each recall sweep, and
the fraction of patterns recalled exactly as the load P/N grows, for the Hebbian, Storkey and
pseudo-inverse rules, against the theory lines of :func:`~cogrnn.analysis.capacity_theory`.
Small sizes: N = 100 units, 5 pattern sets per load (the ``hopfield-recall`` replication pools
hundreds).
"""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from cogrnn.analysis import capacity_theory, energy_monotone, recall_success
from cogrnn.models import HopfieldNetwork
from cogrnn.tasks import corrupt, random_patterns

patterns = random_patterns(10, 100, random_state=0)
net = HopfieldNetwork(100).store(patterns)
result = net.recall(corrupt(patterns, 0.1, random_state=1), random_state=2)
exact = recall_success(result.states[0].numpy(), patterns)
print(f"10 patterns in 100 units: {int(exact.sum())}/10 recalled exactly from 10% corrupted cues")
print("energy never rises:", bool(energy_monotone(result.energy).all()))

# %%
# Energy of each cue's state, sweep by sweep, until it settles.
fig, ax = plt.subplots(figsize=(5, 3), layout="constrained")
for c, e in enumerate(result.energy[0].numpy()):
    ax.plot(e[: int(result.n_sweeps[0, c]) + 1], marker="o", color="C0", alpha=0.5)
ax.set(xlabel="sweep", ylabel="energy", title="Energy falls during recall")

# %%
# Capacity: fraction recalled exactly (a stored pattern as the cue) against the load P / N.
rows = []
for rule in ("hebbian", "storkey", "pseudoinverse"):
    for n_patterns in (5, 10, 15, 20, 30):
        for s in range(5):
            pats = random_patterns(n_patterns, 100, random_state=100 * s + n_patterns)
            res = HopfieldNetwork(100, rule=rule).store(pats).recall(pats, random_state=s)
            ok = recall_success(res.states[0].numpy(), pats)
            rows.append({"rule": rule, "load": n_patterns / 100, "set": s, "exact": float(np.mean(ok))})
df = pd.DataFrame(rows)
table = df.groupby(["rule", "load"])["exact"].mean().unstack("rule")
print(table.round(2))
theory = capacity_theory(100)
print(theory)
fig, ax = plt.subplots(figsize=(6, 4), layout="constrained")
table.plot(ax=ax, marker="o")
for _, row in theory.iterrows():
    ax.axvline(row["load"], color="0.6", ls=":", lw=1)
ax.set(xlabel="load P / N", ylabel="fraction of patterns stable", title="Capacity, N = 100 (dotted: theory lines)")
plt.show()
