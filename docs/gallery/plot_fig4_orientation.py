"""
Fig. 4: the mean orientation of the free spin against the bias
==============================================================

The paper's Fig. 4 (weak SOC, μ_F = 0): the mean orientation Ω = ⟨m₂⟩ by Fokker–Planck (top), by the
anisotropic stochastic LLG (middle: dots the full model, dashed lines the paper's terms only) and the
interaction energies that decide it (bottom).  Near V = 3 mV the bias-induced DMI turns the spin away from
m₁ = z.  Here 21 biases and 8 trajectories per bias (the CLI's ``figures`` uses 41 and 16), so the error
bars are larger than in the paper.
"""
import numpy as np

import dimer_core as dc
from dimer_core.studies.figures import draw_sweep
from dimer_core.studies.sweeps import fp_sweep, langevin_sweep

p = dc.preset("weak-soc")
V = np.linspace(-5.0, 5.0, 21)
fp = fp_sweep(p, V)
full = langevin_sweep(p, V, n_realizations=8, seed=1)
paper = langevin_sweep(p, V, n_realizations=8, seed=1, terms="paper")
fig = draw_sweep(fp, p, "Fig. 4: weak SOC, mu_F = 0", langevin=full, paper=paper)

# %%
# The spin leaves m₁'s direction where the DMI wins over the exchange:
k = int(np.argmin(fp["Omega_z"].values))
print(f"lowest Omega_z = {fp['Omega_z'].values[k]:.2f} at V = {V[k]:g} mV (Fokker-Planck)")
