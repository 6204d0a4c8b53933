"""The junction engine against an independent brute-force route (tests/brute_junction.py) for random models.

The brute force shares no code with ``dimer_core``: literal 2N×2N inversion at every energy, G^< and G^>
from Σ^<, Σ^>, spin traces with the Pauli matrices, ∂_E Im χ as the derivative of χ(E) under the integral
(a Fermi-sea integral, not the engine's Fermi-surface form), Meir–Wingreen currents, and adaptive
Gauss–Kronrod quadrature (scipy.integrate.quad_vec).  Random models: N = 3, 4, 5 sites, 2 or 3 leads of
different te (10–20 meV), random bonds and SOC axis, a polarised lead in some, at T = 0, 5 and 20 K.

Tolerance: every entry of chi, dchi, noise, spin, current within 1e-6 of its family's largest entry
(a factor 2 or a sign on any entry above 1e-6 of its family fails).  Measured: chi ≤ 1e-12, noise 3e-13,
spin 3e-14, current 5e-15, dchi 4e-11 (a Fermi-sea integral there, a Fermi-surface one here).
"""
import numpy as np
import pytest

from dimer_core import junction as J

from . import brute_junction as B
from .junction_support import family_size, to_junction

TOL = 1e-6

CASES = [  # (seed, N, leads, polarised, T)
    (1, 3, 2, False, 0.0),
    (4, 3, 3, True, 20.0),
    (2, 4, 3, True, 20.0),
    (5, 4, 2, False, 0.0),
    (3, 5, 2, True, 0.0),
    (6, 5, 2, False, 5.0),
]


@pytest.mark.parametrize("seed,n_sites,n_leads,polarised,T", CASES,
                         ids=[f"N{c[1]}-M{c[2]}-{'pol' if c[3] else 'unpol'}-T{c[4]:g}" for c in CASES])
def test_engine_equals_brute_force(seed, n_sites, n_leads, polarised, T):
    model = B.random_model(np.random.default_rng(seed), n_sites, n_leads, polarised, T)
    ref = B.responses(model, epsrel=1e-8)
    ds = J.point(to_junction(model))
    for name in ("chi", "noise"):  # the brute force's dropped imaginary parts are rounding
        assert np.abs(ref[f"{name}_imag"]).max() <= 1e-12 * np.abs(ref[name]).max()
    # C_ab^ij = C_ba^ji: the maps' tables store one triangle of the noise (junction_tables.noise_columns)
    assert np.abs(ref["noise"] - ref["noise"].transpose(1, 0, 3, 2)).max() <= 1e-12 * np.abs(ref["noise"]).max()
    bad = []
    for name in ("chi", "dchi", "noise", "spin", "current"):
        size = np.abs(ref[name]).max()
        err = np.abs(ds[name].values - ref[name]).max()
        if not err <= TOL * size:
            bad.append(f"{name}: |engine - brute| = {err:.3e}, size {size:.3e}")
        assert family_size(ds, name) == pytest.approx(size, rel=1e-5)
    assert not bad, "; ".join(bad)
