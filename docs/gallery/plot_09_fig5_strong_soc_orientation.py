"""
Fig. 5: the mean orientation under strong spin–orbit coupling
=============================================================

The paper's Fig. 5 (strong SOC, t = 1 meV, μ_F = 0): Ω = ⟨m₂⟩ by Fokker–Planck (top), by the anisotropic
stochastic LLG (middle: dots the full model, dashed lines the paper's terms only) and the interaction energies
(bottom).  The DMI now overcomes the exchange before the switching voltage: from the antiparallel state at
V = 0 the spin turns to ±y, orthogonal to m₁, and stays there; it never becomes parallel.  Here 21 biases and 8
trajectories per bias (the CLI's ``figures`` uses 41 and 16).
"""
import numpy as np

import dimer_core as dc
from dimer_core.studies.figures import draw_sweep
from dimer_core.studies.sweeps import fp_sweep, langevin_sweep

p = dc.preset("strong-soc")
V = np.linspace(-5.0, 5.0, 21)
fp = fp_sweep(p, V)
full = langevin_sweep(p, V, n_realizations=8, seed=1)
paper = langevin_sweep(p, V, n_realizations=8, seed=1, terms="paper")
fig = draw_sweep(fp, p, "Fig. 5: strong SOC, mu_F = 0", langevin=full, paper=paper)

# %%
# Antiparallel at V = 0, then along −y or +y depending on the sign of the bias (the DMI is odd in V):
for v in (0.0, -3.0, 3.0):
    row = fp.sel(V=v)
    print(f"V = {v:g} mV: Omega = ({float(row.Omega_x):.2f}, {float(row.Omega_y):.2f}, {float(row.Omega_z):.2f})")
