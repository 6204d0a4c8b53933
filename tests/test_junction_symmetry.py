"""Symmetries and exact relations of the junction engine: mirror, D = 0 at V = 0, fluctuation–dissipation, finite field."""
import numpy as np
import pytest

from dimer_core import junction as J
from dimer_core.electrons.junction_response import antisymmetric, symmetric, tensors
from dimer_core.units import HBAR, K_B

from . import brute_junction as B
from .junction_support import to_junction


@pytest.mark.parametrize("T", [0.0, 10.0])
def test_mirror_symmetric_chain(T):
    """chain3 is invariant under the mirror 1 ↔ 3, L ↔ R, which maps the bias V to −V.  So exactly:

    X_ab(V) = X_āb̄(−V) for X = chi, dchi, noise (full tensors; ā = 4 − a), <s_a>(V) = <s_ā>(−V),
    I_L(V) = I_R(−V).  With D odd in V (checked: D_21(V) = −D_21(−V)) the mirror gives, at one bias,
    D_21 = −D_23 and D_12 = −D_32 (the DM couplings on the middle spin from its two neighbours are opposite).
    """
    a = J.point(J.preset("chain3", mu_F=0.7, V=3.1, T=T))
    b = J.point(J.preset("chain3", mu_F=0.7, V=-3.1, T=T))
    mirror = [2, 1, 0]
    for name in ("chi", "dchi", "noise"):
        x, y = a[name].values, b[name].values[mirror][:, mirror]
        assert np.abs(x - y).max() <= 1e-12 * np.abs(x).max(), name
    assert np.abs(a.spin.values - b.spin.values[mirror]).max() <= 1e-12 * np.abs(a.spin.values).max()
    assert a.current.sel(lead="L") == pytest.approx(float(b.current.sel(lead="R")), rel=1e-12)
    assert a.current.sel(lead="L") == pytest.approx(-float(a.current.sel(lead="R")), rel=1e-12)
    d21 = J.value(a, "D_21")
    assert abs(d21) > 1e-3 * abs(J.value(a, "J_21"))  # not trivially zero
    assert J.value(b, "D_21") == pytest.approx(-d21, rel=1e-9)
    assert J.value(a, "D_23") == pytest.approx(-d21, rel=1e-9)
    assert J.value(a, "D_12") == pytest.approx(-J.value(a, "D_32"), abs=1e-9 * abs(d21))


@pytest.mark.parametrize("name,T", [("chain3", 0.0), ("chain3", 10.0), ("ring4", 0.0), ("stm", 5.0), ("random", 0.0)])
def test_no_dm_in_equilibrium(name, T):
    """D_ab = 0 and chi_aa^(DM) = 0 at V = 0 for a common that and unpolarised leads, symmetric or not.

    Why: each spin channel σ is a spinless problem with a real symmetric Hamiltonian and diagonal Σ, so G_σ is
    complex symmetric, and in equilibrium the channel bubble ∫ f [G_σ A_σ' + A_σ G_σ'*] = i∫ f [G_σ G_σ' − c.c.]
    is symmetric in σ ↔ σ': the DM part −i(X+− − X−+) vanishes (docs/junction.md).
    """
    if name == "random":
        model = B.random_model(np.random.default_rng(11), 4, 3, False, T)
        j = to_junction(model).updated(V=0.0)
    else:
        j = J.preset(name, mu_F=0.6, V=0.0, T=T)
    ds = J.point(j)
    parts = J.parts(ds)
    scale = np.abs(parts.chi.sel(part="i").values).max()
    assert np.abs(parts.chi.sel(part="DM").values).max() <= 1e-12 * scale
    assert J.form_residual(ds) <= 1e-12


@pytest.mark.parametrize("name", ["chain3", "ring4", "stm-polarised", "random-polarised"])
@pytest.mark.parametrize("T", [1.0, 30.0])
def test_fluctuation_dissipation(name, T):
    """At V = 0, T > 0: C = 2·k_B·T·ħ·sym(∂_E Im χ) for the whole 3N×3N matrix (every pair, every part).

    The antisymmetric part of the damping has no noise partner and is not zero (checked where it is not).
    """
    if name == "random-polarised":
        j = to_junction(B.random_model(np.random.default_rng(7), 4, 3, True, T)).updated(V=0.0, mu_F=0.3)
    else:
        j = J.preset(name, mu_F=0.3, V=0.0, T=T)
    out = tensors(j)
    noise, damping = out["noise"], out["dchi"]
    assert np.abs(antisymmetric(noise)).max() <= 1e-14 * np.abs(noise).max()
    expected = 2.0 * K_B * T * HBAR * symmetric(damping)
    assert np.abs(noise - expected).max() <= 1e-11 * np.abs(noise).max()
    # and out of equilibrium it fails (the check can fail)
    moved = tensors(j.updated(V=4.0))
    assert np.abs(moved["noise"] - 2.0 * K_B * T * HBAR * symmetric(moved["dchi"])).max() > 1e-3 * np.abs(noise).max()


@pytest.mark.parametrize("name,T", [("chain3", 0.0), ("stm-polarised", 10.0)])
def test_finite_field_gives_chi(name, T):
    """A static exchange field h on site b (−h·s_b added to H_D): ∂<s_a>/∂h_b = χ_ab(0) for every a.

    Central differences, Richardson-extrapolated from steps h and 2h (h = 2e-3 meV), of the exact steady
    state's spin density.  Tolerance: 1e-6 of the largest |χ|.
    """
    j = J.preset(name, mu_F=0.4, V=1.7, T=T)
    chi = tensors(j)["chi"]
    size = np.abs(chi).max()
    h = 2e-3
    for b in range(1, j.n_sites + 1):
        for k in range(3):
            unit = np.eye(3)[k]

            def spin(step):
                return tensors(j, field=(b, step * unit))["spin"]

            d1 = (spin(h) - spin(-h)) / (2 * h)
            d2 = (spin(2 * h) - spin(-2 * h)) / (4 * h)
            deriv = (4 * d1 - d2) / 3  # (N, 3): ∂<s_a^i>/∂h_b^k
            assert np.abs(deriv - chi[:, b - 1, :, k]).max() <= 1e-6 * size, (b, k)
