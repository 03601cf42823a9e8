"""
Gradient flow against spectral radius
=====================================

Bengio et al. (1994) showed why plain recurrent networks struggle with long lags: the gradient of
a late loss with respect to an early state shrinks (or grows) geometrically with the lag, at a rate
set by the recurrent weights. :func:`~cogrnn.analysis.gradient_flow` measures the norm of
:math:`\\partial L_T / \\partial h_t` against the lag :math:`T - t`;
:func:`~cogrnn.analysis.scale_spectral_radius` rescales the recurrent weights to a chosen spectral
radius. Small sizes: 5 untrained tanh SRNs of 32 units per radius, 60 steps of random input.
"""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from cogrnn.analysis import gradient_flow, recurrent_spectral_radius, scale_spectral_radius
from cogrnn.models import ElmanSRN, LSTMNetwork

x = np.random.default_rng(0).normal(size=(60, 1, 4))
frames = []
for radius in (0.5, 1.0, 2.0):
    net = ElmanSRN(4, 32, 1, n_replicas=5, nonlinearity="tanh", random_state=0)
    scale_spectral_radius(net, radius)
    print(f"radius {radius}:", recurrent_spectral_radius(net).round(3).head(2).to_dict("records"))
    frames.append(gradient_flow(net, x).assign(model=f"SRN, radius {radius}"))
frames.append(gradient_flow(LSTMNetwork(4, 32, 1, n_replicas=5, random_state=0), x).assign(model="LSTM (default init)"))
df = pd.concat(frames, ignore_index=True)
print(df.head())

# %%
# Median over the five networks of each kind, on a log scale.
value = next(c for c in df.columns if c not in ("seed", "lag", "model"))
fig, ax = plt.subplots(figsize=(6, 4), layout="constrained")
for model, part in df.groupby("model", sort=False):
    curve = part.groupby("lag")[value].median()
    ax.semilogy(curve.index, curve.values, label=model)
ax.set(xlabel="lag T - t", ylabel=f"{value} (median of 5 networks)", title="Gradient flow")
ax.legend(frameon=False)
plt.show()
