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
        if np.isfinite(f).any():
            top.plot(V[stable], f[stable], "o", color=f"C{s}", ms=4, label=f"state {s}, stable")
            top.plot(V[~stable], f[~stable], "x", color=f"C{s}", ms=5, label=f"state {s}, unstable")
        bottom.plot(V[stable], w[stable], "o", color=f"C{s}", ms=4)
        bottom.plot(V[~stable], w[~stable], "x", color=f"C{s}", ms=5)
top.set_ylabel("frequency (GHz)")
top.legend(fontsize=8)
bottom.set_ylabel("linewidth (GHz)")
bottom.set_xlabel("V (mV)")
bottom.axhline(0, color="k", lw=0.5)
fig.suptitle("ESR lines of spin 2, weak SOC, mu_F = 0")
fig.tight_layout()

# %%
# At V = 0 the stable state is spin 2 against m₁; where a state gains or loses stability along V:
at0 = lines.sel(V=0.0)
for s in lines.state.values[at0["stable"].values]:
    print(f"V = 0, stable state {s}: f = {float(at0.frequency.sel(state=s, mode=0)):.1f} GHz, "
          f"linewidth {float(at0.linewidth.sel(state=s, mode=0)):.1f} GHz, m2 = {at0.m.sel(state=s).values.round(3)}")
print(lines.attrs["events"])
