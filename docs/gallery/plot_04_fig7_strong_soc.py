"""
Fig. 7: every coupling under strong spin–orbit coupling
=======================================================

The paper's Fig. 7: the eight maps of Figs. 2 and 6 at the strong-SOC preset (t = 1 meV).  With t comparable
to t0 the DMI is as large as the exchange, and the anisotropies are no longer small.
"""
import numpy as np

import dimer_core as dc
from dimer_core.studies.figures import MAP_FIGURES, draw_maps

preset_name, keys = MAP_FIGURES["fig7"]
p = dc.preset(preset_name)
ds = dc.maps(p, np.linspace(-6.0, 6.0, 81), np.linspace(-12.0, 12.0, 81))
fig = draw_maps(ds, p, keys, "Fig. 7: strong SOC")

# %%
print(f"max |D_2| / max |J_2| = {float(np.abs(ds['D_2']).max() / np.abs(ds['J_2']).max()):.2f}")
