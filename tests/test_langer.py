"""The Kramers–Langer high-barrier rates (dimer_core.spins.langer, docs/rates.md): the closed form of a biaxial
spin, the Fokker–Planck spectrum approaching it as the barrier grows, and how far the energy's rates are from the
whole dynamics where the self-DMI torque makes it nonconservative."""
import math

import numpy as np
import pytest

import dimer_core as dc
from dimer_core.spins import fp_spectrum
from dimer_core.spins.langer import conservative_model, langer_rates
from dimer_core.studies import sweeps

from .test_fp_spectrum import HS, one_spin, w_matrix

UP_DOWN = [[0.0, 0.0, 1.0], [0.0, 0.0, -1.0]]


def biaxial(sigma, k_hard=0.5, alpha=None, field=0.0):
    """E = −m_z² + k_hard·m_x² − field·m_z (K = 1 meV), k_BT = 1/σ, damping ``alpha`` (default 0.5·1)."""
    alpha = 0.5 * np.eye(3) if alpha is None else alpha
    return one_spin(np.diag([k_hard, 0.0, -1.0]), [0.0, 0.0, field], alpha, 1.0 / sigma)


def closed_form(sigma, k_hard=0.5, a=0.5):
    """Langer's rate of the biaxial spin with isotropic damping a, by hand: minima ±z with tangent Hessian
    (2 + 2k_hard, 2), saddles ±y with (2k_hard, −2); at a saddle with Hessian (h1, h2) the linearised LLG has
    λ² + a(h1 + h2)λ/c + h1h2(1 + a²)/c² = 0 with c = ħS(1 + a²), κ its positive root; two saddles."""
    h1, h2 = 2 * k_hard, -2.0
    c = HS * (1 + a * a)
    kappa = (-a * (h1 + h2) + math.sqrt(a * a * (h1 - h2) ** 2 - 4 * h1 * h2)) / (2 * c)
    prefactor = kappa / (2 * math.pi) * math.sqrt((2 + 2 * k_hard) * 2 / abs(h1 * h2))
    return 2 * prefactor * math.exp(-sigma * 1.0)


@pytest.mark.parametrize("k_hard, a", [(0.5, 0.5), (1.5, 0.1)])
def test_langer_rates_of_a_biaxial_spin_are_the_closed_form(k_hard, a):
    rates, barriers = langer_rates(biaxial(8.0, k_hard, a * np.eye(3)), 0, UP_DOWN)
    np.testing.assert_allclose(rates, closed_form(8.0, k_hard, a), rtol=1e-9)
    np.testing.assert_allclose(barriers, 1.0, rtol=1e-12)


def test_a_field_makes_the_wells_unequal_and_the_barriers_follow():
    """−0.1 m_z: the up well is deeper by 0.2 meV; the saddles move to m_z = −0.05, so the barriers are
    (1 ± 0.05)² meV (E = −z² − 0.1z along the circle x = 0)."""
    rates, barriers = langer_rates(biaxial(8.0, field=0.1), 0, UP_DOWN)
    np.testing.assert_allclose(barriers, [1.05 ** 2, 0.95 ** 2], rtol=1e-9)
    assert rates[0] < rates[1]
    with pytest.raises(ValueError, match="one minimum"):
        langer_rates(biaxial(8.0), 0, [[0.0, 0.0, 1.0], [0.01, 0.0, 1.0]])


@pytest.mark.parametrize("alpha", [0.5 * np.eye(3), 0.3 * np.eye(3) + 0.4 * np.outer([1, 0, 0], [1, 0, 0])
                                   + 0.2 * w_matrix([1.0, 0.0, 0.0])])
def test_the_fokker_planck_spectrum_approaches_langer_at_high_barriers(alpha):
    """The spectrum's rates (exact for the model) over Langer's, with the damping tensor in both: the gap closes
    as the barrier grows (measured −17 %, −4.6 %, −2.3 % at σ = 6, 12, 18 for isotropic damping; −22 %, −6.5 %,
    −2.9 % for the anisotropic one). A lost saddle or a wrong κ would leave a factor."""
    gaps = []
    for sigma in (6.0, 18.0):
        model = biaxial(sigma, alpha=alpha)
        exact = fp_spectrum.spectral_rates(model, 0, UP_DOWN, L=48).rates
        approx, _ = langer_rates(model, 0, UP_DOWN)
        gaps.append(np.abs(exact / approx - 1).max())
    assert gaps[1] < 0.035 and gaps[1] < 0.2 * gaps[0]


def test_the_energys_rates_and_the_whole_dynamics_of_the_dimers_free_spin():
    """Weak SOC, K_easy = 4 meV, 5 K: with the paper's terms (no self-DMI torque, X symmetric) the conservative
    rates are the rates; with the full model they differ, by what the self-DMI torque does (reported)."""
    p = dc.preset("weak-soc", T=5.0, K_easy=4.0)
    paper = sweeps.spectral_rates_sweep(p, [3.0], terms="paper", L=24)
    np.testing.assert_allclose(paper.rate_conservative.values, paper.rate.values, rtol=1e-10)
    full = sweeps.spectral_rates_sweep(p, [3.0], L=24)
    assert np.isfinite(full.rate_langer.values).all() and (full.barrier.values > 0).all()
    assert np.abs(full.rate.values / full.rate_conservative.values - 1).max() > 1e-4
    model = sweeps.pinned_model(p, [3.0])[0].spins()
    assert np.abs(conservative_model(model).X - model.X).max() > 0
