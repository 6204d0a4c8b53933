"""Charge current and differential conductance against independent routes."""
import numpy as np
import pytest

import dimer_core as dc
from dimer_core.studies import sweeps
from .closed_forms import channel_greens
from dimer_core.electrons.hamiltonian import surface_g
from dimer_core.units import E_OVER_H


def transmission(p, e):
    """Landauer transmission Σ_σ Γ1 Γ2 |G_σ,12|² from the closed-form Green's functions."""
    gam = -2 * surface_g(np.atleast_1d(e), p.te)[0].imag
    g = channel_greens(np.atleast_1d(e), p)
    return (p.tL ** 2 * gam) * (p.tR ** 2 * gam) * (np.abs(g[:, 0, 0, 1]) ** 2 + np.abs(g[:, 1, 0, 1]) ** 2)


@pytest.mark.parametrize("mu", [-2.5, 0.0, 1.9, 4.0])
def test_linear_conductance_is_landauer(mu):
    p = dc.preset("strong-soc", mu_F=mu, tR=7.0, eps1=0.2)
    ds = sweeps.current_sweep(p, [0.0])
    assert float(ds.dIdV[0]) == pytest.approx(E_OVER_H * transmission(p, mu)[0], rel=1e-6)
    assert float(ds.I[0]) == 0.0


def test_current_is_the_integral_of_the_transmission():
    p = dc.preset("weak-soc", mu_F=0.4)
    V = 3.0
    e = np.linspace(p.mu_F - V / 2, p.mu_F + V / 2, 20001)
    expected = E_OVER_H * np.trapezoid(transmission(p, e), e)
    assert float(sweeps.current_sweep(p, [V]).I[0]) == pytest.approx(expected, rel=1e-6)


def test_conductance_is_the_slope_of_the_current():
    p = dc.preset("weak-soc", mu_F=-0.8, T=10.0)
    V = np.linspace(-6, 6, 601)
    ds = sweeps.current_sweep(p, V)
    np.testing.assert_allclose(ds.dIdV[1:-1], np.gradient(ds.I.values, V)[1:-1], rtol=2e-3,
                               atol=1e-3 * float(np.abs(ds.dIdV).max()))
    assert np.all(np.isfinite(ds.dIdV))


def test_current_is_odd_in_bias_for_the_symmetric_junction_at_mu_F_0():
    ds = sweeps.current_sweep(dc.preset("weak-soc"), np.linspace(-5, 5, 21))
    np.testing.assert_allclose(ds.I.values, -ds.I.values[::-1], atol=1e-9 * float(np.abs(ds.I).max()))
    assert float(ds.I.sel(V=5.0)) > 0  # electrons flow from the higher mu_L
