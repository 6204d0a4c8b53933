"""
A tiny parameter study on Dask
==============================

A study computes the same quantities over a grid of parameters (README, "Parameter studies (Dask)").  This
one varies the SOC strength t at two values and keeps the D₂ map at each, on a local Dask cluster of one
worker process, into a resumable Zarr store in a temporary folder; :func:`dimer_core.studies.run.open_study`
reads it back as an xarray.Dataset.  The same spec as a TOML file runs with
``dimer-core study FILE --out DIR``.
"""
import os
import tempfile

import matplotlib.pyplot as plt

from dimer_core.studies.run import run_study

SPEC = """
[study]
method = "maps"
preset = "weak-soc"
quantities = ["J_2", "D_2"]

[axes]
t = [0.1, 0.5]               # meV

[map]
mu_F = {start = -6, stop = 6, num = 41}   # meV
V = {start = -12, stop = 12, num = 41}    # mV
"""



def run(spec):
    """The study in a temporary folder, loaded into memory."""
    with tempfile.TemporaryDirectory() as tmp:
        return run_study(spec, os.path.join(tmp, "study"), workers=1).load()


def draw(ds):
    """D_2 over mu_F x V at each t of the study."""
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.6), sharey=True)
    for ax, t in zip(axes, ds.t.values):
        d = ds["D_2"].sel(t=t)
        lim = float(abs(d).max())
        im = ax.pcolormesh(ds.V, ds.mu_F, d, cmap="RdBu_r", vmin=-lim, vmax=lim, shading="auto")
        ax.set_title(f"D_2 at t = {t:g} meV")
        ax.set_xlabel("V (mV)")
        fig.colorbar(im, ax=ax, label="D_2 (1/meV)")
    axes[0].set_ylabel(r"$\mu_F$ (meV)")
    fig.tight_layout()


# Dask starts its worker as a new Python process that imports this script again: the guard keeps the worker
# from running the study itself (sphinx-gallery runs the guarded block).
if __name__ == "__main__":
    ds = run(SPEC)
    draw(ds)
    print(ds)
