"""
A sweep of seeds and conditions on Dask
=======================================

``cogrnn sweep sweep.toml`` runs a replication over a grid of configuration values and seeds on
Dask (a local cluster by default, or a running scheduler, or SLURM). Every (condition, seed) is one
task that writes its own file, named by a hash of everything it depends on, so a rerun skips what
is done. The same from Python: :class:`~cogrnn.sweep.SweepSpec` and :func:`~cogrnn.sweep.run_sweep`.
Small sizes: the quick ``elman-xor`` configuration, 2 learning rates x 3 seeds, on a Dask cluster
started here in this process (one worker, two threads) and reached by its address, as a cluster on
other machines would be (``--scheduler tcp://host:8786``).
"""

import tempfile
import time

import matplotlib.pyplot as plt
from dask.distributed import LocalCluster

from cogrnn import get_replication
from cogrnn.sweep import SweepSpec, run_sweep

spec = SweepSpec(replication="elman-xor", seeds=3, quick=True, grid={"lr": [0.05, 0.3]})
out = tempfile.mkdtemp()
t0 = time.perf_counter()
with LocalCluster(
    n_workers=1, threads_per_worker=2, processes=False, protocol="tcp://", host="127.0.0.1", dashboard_address=None
) as cluster:
    df = run_sweep(spec, get_replication("elman-xor"), out, scheduler=cluster.scheduler_address, quiet=True)
n_tasks = df[["param_lr", "seed"]].drop_duplicates().shape[0]
print(f"{len(df)} rows from {n_tasks} tasks in {time.perf_counter() - t0:.1f} s")
print(df.columns.tolist())

# %%
# A rerun finds every task's file and computes nothing.
t0 = time.perf_counter()
again = run_sweep(spec, get_replication("elman-xor"), out, scheduler="sync", quiet=True)
print(f"rerun: {time.perf_counter() - t0:.1f} s, identical: {again.equals(df)}")

# %%
# Squared error by the position of the target bit, per learning rate (mean over seeds and steps).
table = df.groupby(["param_lr", "target_phase"])["sq_error"].mean().unstack("param_lr")
print(table.round(3))
fig, ax = plt.subplots(figsize=(5, 3.5), layout="constrained")
table.plot(ax=ax, marker="o")
ax.set(
    xlabel="position of the target in its triple (2 = XOR bit)", ylabel="mean squared error", title="elman-xor sweep"
)
plt.show()
