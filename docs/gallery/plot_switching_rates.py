"""
Switching rates from the Fokker–Planck spectrum
===============================================

With a strong easy axis (K_easy = 4 meV) and T = 5 K, spin 2 has two stable states and hops between them.
The rates come from the spectrum of its Fokker–Planck operator in spherical harmonics, with no sampling
(docs/rates.md, "The Fokker–Planck operator in spherical harmonics"): the same as
``dimer-core rates --spins pinned --T 5 --K_easy 4 --V 2:4:3``.
"""
import matplotlib.pyplot as plt
import numpy as np

import dimer_core as dc
from dimer_core.studies.sweeps import spectral_rates_sweep

p = dc.preset("weak-soc", T=5.0, K_easy=4.0)
V = np.linspace(2.0, 4.0, 3)
rates = spectral_rates_sweep(p, V)

fig, ax = plt.subplots(figsize=(6.5, 3.8))
for b in rates.basin.values:
    ax.semilogy(V, rates["rate"].sel(basin=b), "o-", label=f"out of basin {b}")
ax.set_xlabel("V (mV)")
ax.set_ylabel("switching rate (1/ns)")
ax.legend()
ax.grid(alpha=0.3, which="both")
fig.tight_layout()

# %%
print(rates[["rate", "dwell", "population"]].to_dataframe().round(4))
