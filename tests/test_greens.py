"""Closed forms (A10)–(A15) against direct 4×4 inversion (H_D and Σ of the dimer as a junction); lead
self-energy limits."""
import numpy as np
import pytest

import dimer_core as dc
from .closed_forms import singlet_triplet
from dimer_core.electrons.hamiltonian import PAULI, retarded, surface_g
from dimer_core.junction import from_dimer

CASES = [
    dict(),
    dict(t=1.0),
    dict(t=0.7, tL=10.0, tR=4.0, eps1=0.3, eps2=-0.4, that=(1.0, 1.0, 1.0)),
    dict(t=3.0, t0=0.5, that=(0.2, -0.5, 0.8), te=40.0),
]


@pytest.mark.parametrize("case", CASES)
def test_closed_forms_equal_direct_inversion(case):
    p = dc.preset("weak-soc", **case)
    e = np.concatenate([np.linspace(-2 * p.te * 1.3, 2 * p.te * 1.3, 301), [-2.1, -1.9, 0.0, 1.9, 2.1]])
    g4 = retarded(from_dimer(p), e)
    gs, gt = singlet_triplet(e, p)
    tdot = np.einsum("i,ijk->jk", np.asarray(p.that), PAULI)
    rebuilt = np.einsum("...ab,st->...asbt", gs, np.eye(2)) + np.einsum("...ab,st->...asbt", gt, tdot)
    rebuilt = rebuilt.reshape(e.shape + (4, 4))
    scale = np.abs(g4).max(axis=(-2, -1), keepdims=True)
    assert np.all(np.abs(rebuilt - g4) <= 1e-12 * scale)


def test_closed_forms_are_the_papers_A10_to_A15():
    p = dc.preset("strong-soc", tR=6.0, eps1=0.2)
    e = np.linspace(-5, 5, 41)
    g = surface_g(e, p.te)[0]
    g1, g2 = e - p.eps1 - p.tL ** 2 * g, e - p.eps2 - p.tR ** 2 * g
    dp, dm = g1 * g2 - (p.t0 + p.t) ** 2, g1 * g2 - (p.t0 - p.t) ** 2
    gs, gt = singlet_triplet(e, p)
    np.testing.assert_allclose(gs[:, 0, 0], g2 / 2 * (1 / dp + 1 / dm), rtol=1e-13)          # (A10)
    np.testing.assert_allclose(gs[:, 0, 1], -0.5 * ((p.t0 + p.t) / dp + (p.t0 - p.t) / dm), rtol=1e-13)  # (A11)
    np.testing.assert_allclose(gs[:, 1, 1], g1 / 2 * (1 / dp + 1 / dm), rtol=1e-13)          # (A12)
    np.testing.assert_allclose(gt[:, 0, 0], g2 / 2 * (1 / dp - 1 / dm), rtol=1e-12)          # (A13)
    np.testing.assert_allclose(gt[:, 0, 1], -0.5 * ((p.t0 + p.t) / dp - (p.t0 - p.t) / dm), rtol=1e-12)  # (A14)
    np.testing.assert_allclose(gt[:, 1, 1], g1 / 2 * (1 / dp - 1 / dm), rtol=1e-12)          # (A15)


def test_surface_green_function():
    te = 100.0
    e = np.linspace(-300, 300, 601)
    g, dg = surface_g(e, te)
    # Dyson equation of a semi-infinite chain: g = 1/(e − te² g), on and off the band
    np.testing.assert_allclose(g, 1 / (e - te ** 2 * g), rtol=1e-12, atol=1e-15)
    inside = np.abs(e) < 2 * te
    assert np.all(g.imag[inside] < 0)          # retarded
    assert np.all(g.imag[~inside] == 0)
    assert np.all(np.abs(g[~inside]) <= 1 / te + 1e-15)  # the decaying root outside the band
    # its slope against central differences, away from the band edges
    h = 1e-4
    away = np.abs(np.abs(e) - 2 * te) > 1.0
    slope = (surface_g(e + h, te)[0] - surface_g(e - h, te)[0]) / (2 * h)
    np.testing.assert_allclose(dg[away], slope[away], rtol=1e-6, atol=1e-12)
