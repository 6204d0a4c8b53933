"""The damping ∂_E Im χ^(i, an) as a Fermi-surface term plus a bias-window term (docs/physics.md).

* Fluctuation–dissipation at V = 0, C_ab^(x) = 2k_BTħ·∂_E Im χ_ab^(x) (x = i, an; ab = 11, 12, 21, 22),
  to 1e-10 relative, by ``point`` and by ``maps``, over random parameter sets of the declared box
  and its corners, including the one where the damping is 1e-15 of its peak over mu_F (a Fermi-sea
  integral missed it by orders of magnitude there).
* The single-level (Korringa) limit: t = t0 = 0 leaves site 2 a spin-degenerate level on the right
  lead, whose damping is ∂_E Im χ^zz = (π/2)∫(−∂f)ρ² exactly (ρ: spectral density per spin).
* Away from equilibrium the surface + window form equals the Fermi-sea form it replaces, on the
  same quadrature, where the latter is accurate (ordinary parameters).
"""
import numpy as np
import pytest

import dimer_core as dc
from dimer_core.couplings.dimer import named_map, raw_map
from dimer_core.electrons.integrands import chi_index
from dimer_core.params import DimerParams
from dimer_core.electrons.response import PAIR_NAMES, RAW_INDEX, direct
from dimer_core.electrons.tables import fermi_weighted_sums
from dimer_core.units import HBAR, K_B

from .test_parameter_box import BASE, CORNERS, TINY_DAMPING, random_draw

FDT_RTOL = 1e-10
FLOOR = 1e-5
"""Below this fraction of the largest local isotropic noise C_loc = max(C_11^(i), C_22^(i)) the check is absolute,
at FDT_RTOL·FLOOR = 1e-15 of C_loc: the nonlocal noise C_12 can be 4e-9 of C_loc (t_L = t_R = 50, t_e = 1000)
and is itself a cancellation of lead-resolved parts of size C_loc, so its own rounding (≈1e-16 of C_loc) is the
resolution of any comparison with it (there it agrees with 2k_BTħ·∂Imχ to 2e-18 of C_loc)."""


FDT_CORNERS = {
    "tiny-damping": TINY_DAMPING,
    **{name: {**BASE, **changes, "V": 0.0} for name, changes in CORNERS.items()
       if name in ("narrow-te1000-1mK", "narrow-te1000-300K", "wide-tL50-te1000", "asymmetric-contacts",
                   "t-t0-20", "band-edge-mu-1mK", "oblique-vectors", "largest-couplings-300K", "te10-300K")},
}


def _equilibrium_sets():
    sets = [pytest.param(values, id=name) for name, values in FDT_CORNERS.items()]
    rng = np.random.default_rng(94401)
    k = 0
    while k < 12:
        values = random_draw(rng)
        values.update(V=0.0, T=float(np.exp(rng.uniform(np.log(1e-3), np.log(300.0)))))
        try:
            DimerParams(**values).check()
        except ValueError:
            continue  # a bound state: refused, nothing to check
        sets.append(pytest.param(values, id=f"draw-{k:02d}"))
        k += 1
    return sets


def _fdt_residuals(raw, T):
    """max over parts i, an and all site pairs of |C − 2k_BTħ·∂Imχ| / max(|C|, FLOOR·C_loc)."""
    kt = K_B * T
    worst = 0.0
    scale = FLOOR * max(abs(raw[RAW_INDEX["noise_11_i"]]), abs(raw[RAW_INDEX["noise_22_i"]]))
    for ab in PAIR_NAMES:
        for part in ("i", "an"):
            c, d = raw[RAW_INDEX[f"noise_{ab}_{part}"]], raw[RAW_INDEX[f"dchi_{ab}_{part}"]]
            worst = max(worst, abs(c - 2.0 * kt * HBAR * d) / max(abs(c), scale, 1e-300))
    return worst


@pytest.mark.parametrize("values", _equilibrium_sets())
def test_fluctuation_dissipation_at_zero_bias_to_1e10(values):
    p = DimerParams(**values).check()
    assert p.V == 0.0 and p.T > 0.0
    by_point = direct(p)
    by_maps = raw_map(p, [p.mu_F], [0.0])[0, 0]
    assert _fdt_residuals(by_point, p.T) <= FDT_RTOL
    assert _fdt_residuals(by_maps, p.T) <= FDT_RTOL
    for teff in (dc.point(p)["T_eff_2"], named_map(p, [p.mu_F], [0.0])["T_eff_2"][0, 0]):
        assert teff == pytest.approx(p.T, rel=FDT_RTOL)


def _single_level_damping(p, mu):
    """(π/2)ρ(μ)² = A(μ)²/(8π) for site 2 alone on the right lead (T = 0), 1/meV²."""
    g = (mu - 1j * np.sqrt(4.0 * p.te ** 2 - mu ** 2)) / (2.0 * p.te ** 2)
    spectral = -2.0 * (1.0 / (mu - p.eps2 - p.tR ** 2 * g)).imag
    return spectral ** 2 / (8.0 * np.pi)


@pytest.mark.parametrize("te,tR,eps2", [(100.0, 10.0, 0.0), (1000.0, 0.5, -3.0), (25.0, 5.0, 12.0)])
def test_single_level_korringa(te, tR, eps2):
    p = DimerParams(**dict(BASE, t=0.0, t0=0.0, te=te, tR=tR, eps2=eps2, T=0.0, V=0.0)).check()
    mus = np.array([eps2 - 3.0 * tR ** 2 / te, eps2, eps2 + 0.4 * tR ** 2 / te, eps2 + 17.0])
    maps = raw_map(p, mus, [0.0])[:, 0]
    for k, mu in enumerate(mus):
        exact = _single_level_damping(p, mu)
        point = direct(DimerParams(**dict(BASE, t=0.0, t0=0.0, te=te, tR=tR, eps2=eps2, T=0.0, V=0.0,
                                          mu_F=float(mu))).check())
        assert point[RAW_INDEX["dchi_22_i"]] == pytest.approx(exact, rel=1e-12)
        assert maps[k, RAW_INDEX["dchi_22_i"]] == pytest.approx(exact, rel=1e-6)
        assert abs(point[RAW_INDEX["dchi_22_an"]]) <= 1e-14 * exact


@pytest.mark.parametrize("changes", [dict(t=0.1, mu_F=0.7, V=3.1, T=10.0),
                                     dict(t=1.0, tL=10.0, tR=6.0, eps1=0.3, eps2=-0.2, that=(1.0, 1.0, 1.0),
                                          mu_F=-1.3, V=-4.2, T=10.0),
                                     dict(t=1.0, mu_F=-2.0, V=40.0, T=50.0)])
def test_surface_form_equals_the_sea_form_out_of_equilibrium(changes):
    """½Σ_c Φ'_F(mu_c) + ½[Φ_YL − Φ_YR](mu_L → mu_R) against Φ_YL(mu_L) + Φ_YR(mu_R) on the same panels."""
    p = DimerParams(**dict(BASE, **changes)).check()
    mu_l, mu_r = p.mu_F + 0.5 * p.V, p.mu_F - 0.5 * p.V
    phi, _ = fermi_weighted_sums(p, K_B * p.T, np.array([mu_l, mu_r]))
    raw = direct(p)
    for ab in PAIR_NAMES:
        pair = PAIR_NAMES.index(ab)
        sea = {part: phi[0, chi_index(0, pair, 3 + k)] + phi[1, chi_index(1, pair, 3 + k)]
               for k, part in enumerate(("i", "an"))}
        scale = max(abs(v) for v in sea.values())
        for part in ("i", "an"):
            assert raw[RAW_INDEX[f"dchi_{ab}_{part}"]] == pytest.approx(sea[part], abs=1e-9 * scale)
