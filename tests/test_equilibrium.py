"""Fluctuation–dissipation at V = 0 and the single-level (Pauli) limit.

At V = 0 and T > 0 the noise must equal 2 k_B T ħ S times the damping for every
part of the 6×6 damping matrix that is symmetric under (a,i) ↔ (b,j): the
isotropic and that⊗that parts of α_22 and α_21 (docs/physics.md, "The effective stochastic LLG").  The W part of α_22
is reactive (gyrotropic), has no noise partner, and need not vanish at V = 0.
"""
import numpy as np
import pytest
from scipy.integrate import quad

import dimer_core as dc
from .closed_forms import channel_greens
from dimer_core.units import HBAR, K_B

EQUILIBRIUM = [
    ("weak-soc", dict()),
    ("strong-soc", dict(mu_F=0.8)),
    ("strong-soc", dict(mu_F=-0.6, tR=7.0, eps1=0.3, that=(1.0, 1.0, 1.0))),
    ("weak-soc", dict(mu_F=2.1, t=0.5, tL=6.0, that=(0.2, 0.9, -0.3))),
]


@pytest.mark.parametrize("T", [5.0, 20.0])
@pytest.mark.parametrize("name,changes", EQUILIBRIUM)
def test_fluctuation_dissipation(name, changes, T):
    p = dc.preset(name, V=0.0, T=T, **changes)
    d = dc.point(p)
    assert d["T_eff_2"] == pytest.approx(T, rel=1e-3)
    kt = K_B * T
    for part in ("i", "an"):
        for ab in ("22", "21"):
            damping = d[f"a_{part}_{ab}"]
            assert d[f"j_{part}_{ab}"] == pytest.approx(2 * kt * HBAR * p.S * damping, rel=1e-3,
                                                        abs=1e-9 * abs(d["j_i_22"]))
    assert abs(d["j_DM_22"]) <= 1e-12 * d["j_i_22"]


def test_antisymmetric_damping_has_no_noise_partner():
    """In an asymmetric junction the W damping survives at V = 0 while its noise is zero."""
    p = dc.preset("strong-soc", V=0.0, T=5.0, mu_F=0.8, tR=7.0, eps1=0.3, that=(1.0, 1.0, 1.0))
    raw = dc.raw_point(p)
    assert abs(raw["dchi_22_DM"]) > 1e-3 * abs(raw["dchi_22_i"])
    assert abs(raw["noise_22_DM"]) < 1e-12 * raw["noise_22_i"]
    # the symmetric (dissipative) part of the nonlocal W damping, (α_21 + α_12^T)/2, vanishes
    assert raw["dchi_21_DM"] == pytest.approx(raw["dchi_12_DM"], rel=1e-9, abs=1e-15)


def test_no_noise_at_zero_temperature_and_bias():
    d = dc.point(dc.preset("strong-soc", V=0.0, T=0.0, mu_F=0.4))
    for k in ("j_i_22", "j_an_22", "j_i_21", "j_an_21"):
        assert d[k] == 0.0
    assert d["T_eff_2"] == 0.0


def _pauli_exact(p, mu):
    """½ ∫ (dε/π) f(ε) Im[G^R_22(ε)²] for the isolated site 2 (T = 0)."""
    def integrand(e):
        g = channel_greens(np.array([e]), p)[0, 0, 1, 1]
        return (g * g).imag

    lo = -2 * p.te
    pts = [x for x in (p.eps2 - 5, p.eps2, p.eps2 + 5) if lo < x < mu]
    val, _ = quad(integrand, lo, mu, points=pts, limit=400, epsabs=1e-14, epsrel=1e-12)
    return 0.5 * val / np.pi


@pytest.mark.parametrize("mu", [-1.5, 0.0, 0.7, 3.0])
def test_pauli_susceptibility_exact_finite_band(mu):
    p = dc.preset("weak-soc", t=0.0, t0=0.0, mu_F=mu, eps2=0.4)
    raw = dc.raw_point(p)
    exact = _pauli_exact(p, mu)
    for part in ("i", "an", "DM"):  # a single spin-degenerate level: χ = χ^zz·1
        expected = exact if part == "i" else 0.0
        assert raw[f"chi_22_{part}"] == pytest.approx(expected, rel=1e-8, abs=1e-12)
    assert raw["chi_21_i"] == 0.0 or abs(raw["chi_21_i"]) < 1e-15


@pytest.mark.parametrize("mu", [-0.3, 0.0, 0.25])
def test_pauli_susceptibility_wide_band_limit(mu):
    """t_e → ∞ at fixed γ = t_R²/t_e: χ^zz(0) → ρ(μ)/2 with a Lorentzian ρ."""
    gamma = 0.1
    for te, tol in ((100.0, 2e-2), (1000.0, 2e-3)):
        p = dc.preset("weak-soc", t=0.0, t0=0.0, mu_F=mu, te=te, tR=np.sqrt(gamma * te), tL=1.0)
        rho = gamma / np.pi / (mu ** 2 + gamma ** 2)
        assert dc.raw_point(p)["chi_22_i"] == pytest.approx(rho / 2, rel=tol)
