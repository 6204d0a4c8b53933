"""
Fig. 4: the mean orientation of the free spin against the bias
==============================================================

The paper's Fig. 4 (weak SOC, μ_F = 0): the mean orientation Ω = ⟨m₂⟩ by Fokker–Planck (top), by the
anisotropic stochastic LLG (middle: dots the full model, dashed lines the paper's terms only) and the
interaction energies that decide it (bottom).  At V = 0 spin 2 points against m₁ = z; near V = 3 mV the bias-
induced DMI turns it to ±y, and beyond, it points along m₁ (the switching at 3 mV).  Here 21 biases and 8
trajectories per bias (the CLI's ``figures`` uses 41 and 16), so the error bars are larger than in the paper.
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
# At V = 0 the antiferromagnetic exchange holds spin 2 against m₁ (Ω_z = −1); at 3 mV the DMI turns it to
# ±y, and beyond, the spin points along m₁:
for v in (0.0, 3.0, 4.0):
    row = fp.sel(V=v)
    print(f"V = {v:g} mV: Omega = ({float(row.Omega_x):.2f}, {float(row.Omega_y):.2f}, {float(row.Omega_z):.2f})")
