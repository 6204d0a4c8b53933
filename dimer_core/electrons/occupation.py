"""The leads' occupation: the Fermi function, written once for every NumPy route (docs/physics.md, "Units").

The compiled kernels of :mod:`dimer_core.electrons.tables` evaluate the same function (with its ε-derivatives)
in their own loops; ``tests/test_numerics.py`` and the V = 0 fluctuation–dissipation checks tie them together.
"""
import numpy as np
from scipy.special import expit


def fermi(e, mu, kt):
    """f(e − mu) and 1 − f (dimensionless), each to full relative precision; a step with f(mu) = ½ at kt = 0.

    ``e``, ``mu`` and ``kt`` = k_B·T in meV; ``e`` any shape.
    """
    x = np.asarray(e, dtype=float) - mu
    if kt == 0.0:
        f = np.where(x < 0, 1.0, np.where(x > 0, 0.0, 0.5))
        return f, 1.0 - f
    return expit(-x / kt), expit(x / kt)


__all__ = ["fermi"]
