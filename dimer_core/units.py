"""Physical constants in the project's unit system (docs/physics.md, "Units").

Energies are in meV, bias in mV (so eV in meV equals V in mV), time in ps,
temperature in K.
"""

HBAR = 0.6582119569
"""Reduced Planck constant in meV·ps."""

K_B = 0.08617333262
"""Boltzmann constant in meV/K."""

E_OVER_H = 38.7405
"""Conductance quantum per spin, e/h, in nA/meV (current I = (e/h)·∫ dε T(ε)·(f_L − f_R))."""

__all__ = ["HBAR", "K_B", "E_OVER_H"]
