"""Spin-polarised leads: Γ_c → Γ_c·(1 + p·n·tau) (and Σ_c with it; docs/junction.md, "Polarised leads")."""
import numpy as np
import pytest

from dimer_core import junction as J
from dimer_core.electrons.junction_response import tensors

N_AXIS = tuple(np.array([0.3, -0.4, 0.866]) / np.linalg.norm([0.3, -0.4, 0.866]))


def test_zero_polarisation_is_the_unpolarised_junction():
    """p = 0 along any axis gives exactly (bit for bit) the unpolarised results."""
    plain = J.preset("stm", mu_F=0.4, V=1.5, T=3.0)
    tilted = plain.updated(leads=(J.Lead("tip", 100.0, (1,), (2.0,), 1.0, 0.0, N_AXIS), plain.leads[1]))
    a, b = J.point(plain), J.point(tilted)
    for name in ("chi", "dchi", "noise", "spin", "current"):
        assert np.array_equal(a[name].values, b[name].values), name
    c = J.point(tilted.updated(leads=(J.Lead("tip", 100.0, (1,), (2.0,), 1.0, 1e-7, N_AXIS), plain.leads[1])))
    assert 0 < np.abs(c.chi.values - a.chi.values).max() <= 1e-5 * np.abs(a.chi.values).max()  # continuous in p


def _dot(V, p=0.9, T=0.0):
    """One spin-degenerate level (eps = 0) under a tip polarised along n (eta = 1) over an unpolarised substrate."""
    return J.Junction(eps=(0.0,), leads=(J.Lead("tip", 100.0, (1,), (5.0,), 1.0, p, N_AXIS),
                                         J.Lead("substrate", 100.0, (1,), (5.0,), 0.0)), mu_F=0.0, V=V, T=T)


def _dm_vector(m):
    """d_k = ½ Σ_ij ε_ijk M_ij: M's antisymmetric part is d·W-like, (M − Mᵀ)/2 · v = v × d."""
    return 0.5 * np.array([m[1, 2] - m[2, 1], m[2, 0] - m[0, 2], m[0, 1] - m[1, 0]])


@pytest.mark.parametrize("T", [0.0, 10.0])
def test_polarised_tip_over_one_level(T):
    """A tip polarised along n (p = 0.9) over one level: spin density along n, and spin transfer toward ±n.

    Derivation.  The tip feeds spin σ = ± (along n) at the rate Γ_tip(1 ± p).  For V > 0 (mu_tip above the
    substrate: electrons flow from the tip into the level, I_tip > 0) the majority fills more,
    n_σ ≈ Γ_tip,σ/(Γ_tip,σ + Γ_sub) inside the window: <s> ∥ n with <s>·n > 0; for V < 0 the majority
    empties faster, <s>·n < 0; at V = 0 and mu_F = eps (particle–hole symmetry) <s> = 0.
    Spin transfer: in steady state the level's spin obeys 0 = I_s + (ΔS/ħ)<s> × m, so the localized spin
    absorbs the injected spin current, ħS dm/dt = ΔS m × <s> = ħ I_s: for V > 0 the tip injects spin along
    +n and m turns toward +n (away from it for V < 0).  To second order in Δ the turning torque is
    ΔS m × (χ_11·ΔS m) ⊃ (ΔS)²·χ^(DM,n)·m × (m × n) = −(ΔS)²·χ^(DM,n)·n_⊥ (n_⊥ = n − (m·n)m), so
    χ^(DM,n) = n·d(χ_11) < 0 for V > 0 (> 0 for V < 0, 0 at V = 0), d the vector of χ_11's antisymmetric part.
    Checked twice: from χ_11, and from the torque m × <s> in the exact steady state of a field h = f·m on the
    level (finite differences), whose n_⊥ part must equal −χ^(DM,n)·|n_⊥|²·f.
    """
    n = np.array(N_AXIS)
    m = np.cross(n, [1.0, 0.0, 0.0])
    m = 0.6 * n + 0.8 * m / np.linalg.norm(m)
    n_perp = n - (m @ n) * m
    signs = {}
    for V in (-2.0, 0.0, 2.0):
        j = _dot(V, T=T)
        out = tensors(j)
        s, chi = out["spin"][0], out["chi"][0, 0]
        assert np.linalg.norm(np.cross(s, n)) <= 1e-12 * max(np.linalg.norm(s), 1e-3)  # along n
        d = _dm_vector(chi)
        assert np.linalg.norm(np.cross(d, n)) <= 1e-12 * np.abs(chi).max()  # the DM vector is along n too
        f = 1e-4
        torque = np.cross(m, tensors(j, field=(1, f * m))["spin"][0] - tensors(j, field=(1, -f * m))["spin"][0]) / 2
        assert torque @ n_perp / f == pytest.approx(-(d @ n) * (n_perp @ n_perp), rel=1e-5, abs=1e-9)
        signs[V] = (s @ n, d @ n, out["current"][0])
    assert signs[2.0][0] > 1e-2 and signs[-2.0][0] < -1e-2 and abs(signs[0.0][0]) < 1e-12
    assert signs[2.0][1] < -1e-2 and signs[-2.0][1] > 1e-2 and abs(signs[0.0][1]) < 1e-12
    assert signs[2.0][2] > 0 > signs[-2.0][2]  # V > 0: electrons from the tip into the level


def test_polarised_leads_break_the_tensor_form():
    """With a polarised lead whose axis is not that, the 1/W/that⊗that form no longer holds (the full tensors
    are the result); unpolarised, it holds to rounding (2e-11 of the largest entry: cancellations in dchi)."""
    assert J.form_residual(J.point(J.preset("stm", mu_F=0.3, V=1.0))) <= 1e-9
    assert J.form_residual(J.point(J.preset("stm-polarised", mu_F=0.3, V=1.0))) > 1e-3
