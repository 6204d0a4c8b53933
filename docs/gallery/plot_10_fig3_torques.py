"""
Fig. 3: the torques on the free spin along a reversal
=====================================================

The paper's Fig. 3 sketches the torques on the free spin: the effective-field torques (exchange, anisotropy,
DMI, field) and the damping torques (isotropic and anisotropic).  Here they are computed along a real path: the
noiseless LLG at V = 3 mV (weak SOC), started next to m₁, where the bias-induced DMI turns the spin away from
m₁ (:func:`dimer_core.studies.sweeps.reversal_path`; the same as the dashboard's "Reversal path" tab).  Without
noise the parts add up to ṁ, which the last lines check.
"""
import matplotlib.pyplot as plt
import numpy as np

import dimer_core as dc
from dimer_core.studies.sweeps import reversal_path

p = dc.preset("weak-soc", V=3.0)
path = reversal_path(p, noise=False, t_total=60.0)
parts = ["exchange", "anisotropy", "DMI", "field", "damping_i", "damping_an", "damping_DM"]
t = path.t.values

fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 6), sharex=True)
for x in "xyz":
    top.plot(t, path[f"m_{x}"], label=f"m_{x}")
top.set_ylabel("free spin m (1)")
top.legend(loc="center left", bbox_to_anchor=(1.0, 0.5))
for name in parts:
    size = np.linalg.norm(np.stack([path[f"{name}_{x}"].values for x in "xyz"]), axis=0)
    bottom.plot(t, size, label=name)
bottom.set_yscale("log")
bottom.set_xlabel("t (ps)")
bottom.set_ylabel("|torque| (1/ps)")
bottom.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=8)
fig.suptitle("Fig. 3: torques along the path at V = 3 mV (weak SOC, no noise)")
fig.tight_layout()

# %%
# The parts add up to ṁ (finite differences of the path), and the spin ends away from m₁ = z:
m = np.stack([path[f"m_{x}"].values for x in "xyz"], axis=1)
total = sum(np.stack([path[f"{name}_{x}"].values for x in "xyz"], axis=1) for name in parts)
mdot = np.gradient(m, t, axis=0)
print(f"max |sum of torques − dm/dt| / max |dm/dt| = {np.abs(total - mdot)[5:-5].max() / np.abs(mdot).max():.1e}")
print(f"final m = ({m[-1, 0]:.2f}, {m[-1, 1]:.2f}, {m[-1, 2]:.2f})")
