"""The effective temperature of a spin: k_B·T_eff = j^(i)/(2ħS·a^(i)) (docs/physics.md, "The effective stochastic
LLG"), with the bound beyond which it is undefined.  One home for the dimer's T_eff_2 (:mod:`.dimer`) and every
junction's T_eff_a (:mod:`.views`, :mod:`dimer_core.spins.junction_spins`)."""
import numpy as np
from numba import vectorize

from ..units import HBAR, K_B

T_EFF_LIMIT = 1e4
"""|T_eff| (K) beyond which T_eff_2 is undefined and reported as NaN.

k_B·T_eff = j^(i)/(2ħS·a^(i)) is the temperature of the bath that would give the spin this noise with this
damping.  Where the isotropic damping vanishes it has no value: with the whole band inside the bias window
(e.g. t_e = 25, V = ±100 mV) a^(i) is exactly 0 while the noise is not (T_eff = ±1e18 K from a rounding
residual of either sign).  Near such points |T_eff| grows without bound: beyond 1e4 K (k_B·T_eff = 0.86 eV, above every energy of the
declared box) the damping no longer balances the noise, the slow-spin LLG that defines T_eff does not hold,
and :func:`dimer_core.spins.langevin.validity` flags the same biases (the parameter box found
k_B·T_eff = 1.4e6 meV at V = −100 mV, asking for dt = 7e-8 ps).  The damping and noise themselves are
reported as computed."""


@vectorize(["float64(float64, float64, float64)"], cache=True)
def _teff_kelvin(j_i, a_i, S):
    if a_i == 0.0:
        return np.nan
    t = j_i / (2.0 * HBAR * S * a_i) / K_B
    return t if abs(t) <= T_EFF_LIMIT else np.nan


def effective_temperature(j_i, a_i, S):
    """k_B·T_eff = j^(i)/(2ħS·a^(i)) in kelvin (docs/physics.md, "The effective stochastic LLG"; T_eff = T at V = 0);
    NaN where it is undefined, |T_eff| > :data:`T_EFF_LIMIT` or a^(i) = 0.

    One compiled pass over the (possibly strided) map columns; NumPy array or scalar out.
    """
    return _teff_kelvin(np.asarray(j_i, dtype=float), np.asarray(a_i, dtype=float), float(S))


__all__ = ["T_EFF_LIMIT", "effective_temperature"]
