"""
ESR lines against the bias
==========================

The linear modes of the noiseless LLG around each stationary state of spin 2 (m₁ pinned), followed along
V (docs/modes.md): each line's frequency and linewidth in GHz.  Dots mark stable states, crosses unstable
ones; a negative linewidth is a mode the bias drives.  ``dimer-core modes`` writes the same as CSV.
"""
import matplotlib.pyplot as plt
import numpy as np

import dimer_core as dc
from dimer_core.studies.sweeps import modes_sweep

p = dc.preset("weak-soc")
V = np.linspace(-5.0, 5.0, 21)
lines = modes_sweep(p, V, spins="pinned")

fig, (top, bottom) = plt.subplots(2, 1, figsize=(7, 5.5), sharex=True)
for s in lines.state.values:
    stable = lines["stable"].sel(state=s).values.astype(bool)
    for mode in lines["mode"].values:
        f = lines["frequency"].sel(state=s, mode=mode).values
        w = lines["linewidth"].sel(state=s, mode=mode).values
        top.plot(V[stable], f[stable], "o", color=f"C{s}", ms=4)
        top.plot(V[~stable], f[~stable], "x", color=f"C{s}", ms=5)
        bottom.plot(V[stable], w[stable], "o", color=f"C{s}", ms=4)
        bottom.plot(V[~stable], w[~stable], "x", color=f"C{s}", ms=5)
top.set_ylabel("frequency (GHz)")
bottom.set_ylabel("linewidth (GHz)")
bottom.set_xlabel("V (mV)")
bottom.axhline(0, color="k", lw=0.5)
fig.suptitle("ESR lines of spin 2, weak SOC, mu_F = 0")
fig.tight_layout()

# %%
print(lines["frequency"].sel(V=0.0, method="nearest").values.round(2), "GHz at V = 0")
