"""
Fig. 2: exchange, DMI, damping and noise over μ_F × V (weak SOC)
================================================================

The paper's Fig. 2: the isotropic exchange J₂, the bias-induced Dzyaloshinskii–Moriya interaction D₂, the
isotropic damping α⁽ⁱ⁾₂₂ and the noise j⁽ⁱ⁾₂₂ of spin 2 over the Fermi level μ_F and the bias V, at the
weak-SOC preset (t = 0.1 meV).  The dotted lines mark where a lead's chemical potential μ_L or μ_R crosses a
molecular resonance, ±(t0 ± t); D₂ vanishes at V = 0 and is odd in V (docs/physics.md, "Named couplings").  A
81 × 81 grid here; ``dimer-core figures`` draws 241 × 241.
"""
import numpy as np

import dimer_core as dc
from dimer_core.studies.figures import MAP_FIGURES, draw_maps

preset_name, keys = MAP_FIGURES["fig2"]
p = dc.preset(preset_name)
ds = dc.maps(p, np.linspace(-6.0, 6.0, 81), np.linspace(-12.0, 12.0, 81))
fig = draw_maps(ds, p, keys, "Fig. 2: weak SOC")

# %%
# D₂ is odd in the bias: the map and its mirror image V → −V cancel.
d = ds["D_2"].values
print(f"max |D_2| = {np.abs(d).max():.3g} 1/meV; max |D_2(V) + D_2(-V)| = {np.abs(d + d[:, ::-1]).max():.2g}")
