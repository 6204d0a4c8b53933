"""
Switching rates from the Fokker–Planck spectrum
===============================================

With a strong easy axis (K_easy = 4 meV) and T = 5 K, spin 2 has two stable states and hops between them.
The rates come from the spectrum of its Fokker–Planck operator in spherical harmonics, with no sampling
(docs/rates.md, "The Fokker–Planck operator in spherical harmonics"): the same as
``dimer-core rates --spins pinned --T 5 --K_easy 4 --V 2:4:3``.  As the bias grows, the state against m₁
empties and the one along m₁ fills: the rates cross near 3 mV, the switching of Fig. 4.
"""
import matplotlib.pyplot as plt
import numpy as np

import dimer_core as dc
from dimer_core.studies.sweeps import spectral_rates_sweep

p = dc.preset("weak-soc", T=5.0, K_easy=4.0)
V = np.linspace(2.0, 4.0, 3)
rates = spectral_rates_sweep(p, V)

# The basins are numbered per bias; name them by their stable state instead: m₂ against or along m₁ = z.
mz = rates["m"].sel(component="m2_z").values
rate = rates["rate"].values
fig, ax = plt.subplots(figsize=(6.5, 3.8))
for sign, name in ((-1, "out of m2 ≈ −z (against m1)"), (1, "out of m2 ≈ +z (along m1)")):
    ax.semilogy(V, np.where(np.sign(mz) == sign, rate, 0.0).sum(axis=1), "o-", label=name)
ax.set_xlabel("V (mV)")
ax.set_ylabel("switching rate (1/ns)")
ax.legend()
ax.grid(alpha=0.3, which="both")
fig.tight_layout()

# %%
# Each basin's stable state (m₂_z), rate, mean dwell and stationary population:
table = rates[["rate", "dwell", "population"]].to_dataframe()
table["m2_z"] = rates["m"].sel(component="m2_z").to_series()
print(table.round(4))
