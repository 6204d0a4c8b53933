"""
A custom junction from a TOML model file
========================================

:mod:`dimer_core.junction` computes the same couplings for any small junction (docs/junction.md).  This
example reads the four-site ring of ``examples/junction_ring4.toml``, prints its named couplings between
sites 1 and 3 at one bias point, and draws the exchange J₁₃ and the DMI D₁₃ over μ_F × V.
"""
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from dimer_core import junction as J

# the model file beside the docs (docs/gallery/ → examples/)
here = Path(__file__).resolve().parent if "__file__" in globals() else Path.cwd()
model_file = next(p / "examples" / "junction_ring4.toml" for p in (here, *here.parents)
                  if (p / "examples" / "junction_ring4.toml").is_file())
ring = J.read_model(model_file)
print(ring.name, f"{ring.n_sites} sites,", len(ring.leads), "leads")

view = J.pair_view(J.point(ring.updated(mu_F=0.5, V=2.0)), 1, 3)   # at mu_F = 0.5 meV, V = 2 mV
for key in ("J_13", "D_13", "A_13"):
    unit, description = J.describe(key)
    print(f"{key} = {view[key]: .4g} {unit}   ({description})")

# %%
# The maps: the junction's tables are built once, then each (μ_F, V) point costs O(1).
mu_F, V = np.linspace(-3.0, 3.0, 61), np.linspace(-6.0, 6.0, 61)
m = J.maps.maps(ring, mu_F, V, pairs=[(1, 3)])
fig, axes = plt.subplots(1, 2, figsize=(9, 3.6), sharey=True)
for ax, key in zip(axes, ("J_13", "D_13")):
    z = np.asarray(J.value(m, key))
    lim = float(np.abs(z).max()) or 1.0
    im = ax.pcolormesh(V, mu_F, z, cmap="RdBu_r", vmin=-lim, vmax=lim, shading="auto")
    ax.set_title(f"{key}, ring4")
    ax.set_xlabel("V (mV)")
    fig.colorbar(im, ax=ax, label=f"{key} ({J.describe(key)[0]})")
axes[0].set_ylabel(r"$\mu_F$ (meV)")
fig.tight_layout()
