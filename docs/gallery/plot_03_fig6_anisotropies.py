"""
Fig. 6: the anisotropies and the anisotropic damping and noise
==============================================================

The paper's Fig. 6 (weak SOC): the bias-induced anisotropies A₂ (between the spins, along t̂) and K₂ (of
spin 2 alone), and the anisotropic parts α⁽ᵃⁿ⁾₂₂ and j⁽ᵃⁿ⁾₂₂ of the damping and the noise
(docs/physics.md, "Named couplings").  They are smaller than the isotropic terms of Fig. 2 by about
(t/t0)², which is why the colour bars name a power of ten.
"""
import numpy as np

import dimer_core as dc
from dimer_core.studies.figures import MAP_FIGURES, draw_maps

preset_name, keys = MAP_FIGURES["fig6"]
p = dc.preset(preset_name)
ds = dc.maps(p, np.linspace(-6.0, 6.0, 81), np.linspace(-12.0, 12.0, 81))
fig = draw_maps(ds, p, keys, "Fig. 6: weak SOC")

# %%
ratio = float(np.abs(ds["A_2"]).max() / np.abs(ds["J_2"]).max())
print(f"max |A_2| / max |J_2| = {ratio:.2g}")
