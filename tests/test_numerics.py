"""Issue 11: maps at every temperature cost bounded memory, and the narrow-resonance corner is refinement-invariant."""
import resource
import tracemalloc

import numpy as np
import pytest

import dimer_core as dc
from dimer_core.couplings import dimer as couplings
from dimer_core.electrons.energy_grid import resonances
from dimer_core.units import HBAR, K_B

MU_F = np.linspace(-6.0, 6.0, 201)
V = np.linspace(-12.0, 12.0, 201)
SAMPLES = [(0.0, 0.0), (0.3, 2.4), (-1.2, 6.0), (2.1, -0.6), (6.0, 12.0)]


def _rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _assert_close(key, got, exact, size, tol):
    """|got − exact| ≤ tol·size; T_eff_2 may be NaN (undefined, couplings.T_EFF_LIMIT), then in both."""
    got, exact = np.asarray(got, dtype=float), np.asarray(exact, dtype=float)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(exact), err_msg=key)
    assert np.nanmax(np.abs(got - exact), initial=0.0) <= tol * size, (key, np.nanmax(np.abs(got - exact)), size)


def _map_size(ds, key):
    return float(np.nanmax(np.abs(ds[key].values), initial=0.0)) or 1.0


@pytest.mark.parametrize("T", [1e-12, 1e-9, 1e-6, 1e-3, 1e-2, 0.1, 1.0, 10.0, 100.0, 300.0])
def test_a_201_by_201_map_costs_bounded_memory_at_every_temperature(T):
    """The old thermal table put a panel every k_BT/2 across the μ range (8.5 GB at 2 mK for 41 × 41):
    a 201 × 201 map must stay under 500 MB (numpy allocations and resident set) at any 0 < T ≤ 300 K,
    and agree with point() within 1e-8 of each map's size."""
    p = dc.preset("weak-soc", T=T, t0=2.0 + 1e-3 * T)  # a new parameter set: the tables are built
    couplings.clear_caches()
    rss = _rss_mb()
    tracemalloc.start()
    try:
        ds = dc.maps(p, MU_F, V)
        peak = tracemalloc.get_traced_memory()[1] / 2 ** 20
    finally:
        tracemalloc.stop()
    assert peak < 500.0, f"numpy peak {peak:.0f} MB"
    assert _rss_mb() - rss < 500.0, f"resident set grew by {_rss_mb() - rss:.0f} MB"
    for mu_f, bias in SAMPLES:
        exact = dc.point(p.updated(mu_F=mu_f, V=bias))
        for key in dc.QUANTITIES:
            _assert_close(key, ds[key].sel(mu_F=mu_f, V=bias, method="nearest"), exact[key], _map_size(ds, key), 1e-8)


NARROW = dict(tL=0.5, tR=0.5, te=1000.0)
"""Resonance widths ≈ 2.5e-4 meV: the anisotropic parts are residuals of terms ≈5e4 times larger."""


@pytest.mark.parametrize("T", [10.0, 100.0])
def test_narrow_resonances_do_not_move_when_point_is_refined_16_times(T):
    """θ near π/2 is rounded to 1e-9 of a resonance width: A and K moved by 2e-5 (10 K) between refinements
    before the nodes were anchored at the resonances.  Now every output stays within 1e-8 of its map size."""
    p = dc.preset("weak-soc", T=T, **NARROW)
    scale = dc.maps(p, np.linspace(-6, 6, 25), np.linspace(-12, 12, 25))
    for mu_f, bias in [(0.1, 2.0), (-1.9, 0.4), (2.2, -5.0)]:
        q = p.updated(mu_F=mu_f, V=bias)
        coarse, fine = dc.point(q), dc.point(q, refine=16.0)
        for key in dc.QUANTITIES:
            _assert_close(key, coarse[key], fine[key], _map_size(scale, key), 1e-8)


@pytest.mark.parametrize("T", [10.0, 100.0])
def test_narrow_resonance_maps_do_not_move_when_refined_16_times(T):
    """The same corner for maps, tables and quadrature refined 16 times (issue 11).  The μ points of the thermal
    table were Gauss–Legendre nodes, whose widest gap made the quintic Hermite reading err by 1.3e-8 of J's map
    (4e-4/meV) at 100 K; and a 16× map took ~130 s (every node of every resonance in each Fermi window).  Now the
    μ points are equally spaced and panels far narrower than k_BT are merged (tables.MERGE_BELOW): 2–5 s, every
    output within 1e-8 of its map's size (measured ≤ 5.3e-10)."""
    p = dc.preset("weak-soc", T=T, **NARROW)
    mu, v = np.linspace(-6, 6, 25), np.linspace(-12, 12, 25)
    coarse, fine = dc.maps(p, mu, v), dc.maps(p, mu, v, refine=16.0)
    for key in dc.QUANTITIES:
        _assert_close(key, coarse[key].values, fine[key].values, _map_size(fine, key), 1e-8)


@pytest.mark.parametrize("T", [1.0, 100.0])
def test_point_equals_maps_a_resonance_width_from_a_narrow_resonance(T):
    """``point`` put the T = 0 integral's step at μ's rounded band angle (≈2e-13 meV off at te = 1000) and the
    Fermi window's at its exact one; a resonance width from a narrow resonance (integrands ≈2e8/meV) the gap
    moved Φ by 4e-5, and K_1, A_1 by 4e-7 (1 K) to 2e-5 (100 K) of their map sizes.  The refinement tests could
    not see it (the gap does not shrink with the grid), nor the samples away from the resonances.  Now point
    and maps agree within 1e-8 of each map's size there (measured ≤ 6.4e-10)."""
    p = dc.preset("weak-soc", T=T, **NARROW)
    scale = dc.maps(p, np.linspace(-6, 6, 41), np.linspace(-12, 12, 41))
    mu = np.sort(np.concatenate([resonances(p).real + 3e-4, resonances(p).real - 7e-4]))
    bias = np.array([0.0, 0.7])
    ds = dc.maps(p, mu, bias)
    for i, mu_f in enumerate(mu):
        for j, v in enumerate(bias):
            exact = dc.point(p.updated(mu_F=float(mu_f), V=float(v)))
            for key in dc.QUANTITIES:
                _assert_close(key, ds[key].values[i, j], exact[key], _map_size(scale, key), 1e-8)


def test_maps_give_t_eff_equal_to_t_at_zero_bias():
    """Fluctuation–dissipation: T_eff = T at V = 0 (the old thermal maps gave it to 7e-7 only)."""
    for T in (1.0, 10.0, 77.0):
        ds = dc.maps(dc.preset("strong-soc", T=T), np.linspace(-6, 6, 41), [0.0])
        np.testing.assert_allclose(ds.T_eff_2.values, T, rtol=1e-9)


SETS = {"paper": {}, "narrow": NARROW}
LOW_T = [1e-12, 1e-9, 1e-6, 1e-4, 1e-3]
"""k_BT from 8.6e-14 meV (below the rounding of a node's energy, 2e-13 meV at te = 1000) to γ/3 of the narrow
corner's resonances (γ = 2.5e-4 meV)."""


def _through_resonances(p):
    """mu_F values spanning the resonances, the resonances themselves included."""
    return np.sort(np.concatenate([np.linspace(-3.0, 3.0, 13), resonances(p).real]))


@pytest.mark.parametrize("name", SETS)
@pytest.mark.parametrize("T", LOW_T)
def test_maps_equal_point_and_the_noise_is_positive_as_T_goes_to_zero(name, T):
    """The thermal tables read Φ' (noise k_BT·Φ', damping) and Φ'', Φ''' (interpolation) through Fermi kernels
    ~1/(k_BT)^n that cancelled against a smooth integrand: the old maps gave j_i_22 < 0 at 1e-6 K and 1.4e5 ps at
    1e-12 K, the old point j = 0 below 1e-9 K (its k_BT/2 panels merged below 1e-12 of the band).  Now: maps equal
    point within 5e-9 of each map's size (old: 1.7e-6 at 1e-4 K, 9e-8 at 1e-3 K), the noise diagonal is positive,
    and T_eff = T at V = 0 to 1e-9 in both."""
    p = dc.preset("weak-soc", T=T, **SETS[name])
    mu, bias = _through_resonances(p), np.array([-1.0, 0.0, 0.7])
    ds = dc.maps(p, mu, bias)
    size = {k: float(np.abs(ds[k].values).max()) for k in dc.QUANTITIES}
    # the noise tensor's eigenvalues: j_i (twice, across that) and j_i + j_an (along that)
    assert np.all(ds.j_i_22.values > 0) and np.all(ds.j_i_22.values + ds.j_an_22.values > 0)
    np.testing.assert_allclose(ds.T_eff_2.values[:, 1], T, rtol=1e-9)
    for i, mu_f in enumerate(mu):
        for j, v in enumerate(bias):
            exact = dc.point(p.updated(mu_F=float(mu_f), V=float(v)))
            assert exact["j_i_22"] > 0 and exact["j_i_22"] + exact["j_an_22"] > 0
            if v == 0.0:
                assert exact["T_eff_2"] == pytest.approx(T, rel=1e-9)
            for key in dc.QUANTITIES:
                got = float(ds[key].values[i, j])
                assert abs(got - exact[key]) <= 5e-9 * size[key], (key, mu_f, v, got, exact[key])


@pytest.mark.parametrize("name", SETS)
@pytest.mark.parametrize("T", [1e-12, 1e-9, 1e-6])
def test_noise_and_damping_tend_to_the_sommerfeld_limit(name, T):
    """Independent of the thermal routes: the T = 0 point (the Fermi-surface function F(μ) at μ itself) and
    Sommerfeld's a(T) = a_0 + (π²/6)(k_BT)²·a_0'' (a_0'' by central differences of the T = 0 point; the next term
    is ≤ 1e-12 here).  Fluctuation–dissipation then gives j_i_22 = 2ħS·k_BT·a(T) (a factor 2 or a sign fails).
    At the narrow corner's resonances the correction is 4e-7 at 1e-6 K: the old code, which took the damping's
    T = 0 value below 1 mK, fails there; its noise was 0 (point) or garbage (maps) at 1e-9 and 1e-12 K."""
    p = dc.preset("weak-soc", T=T, **SETS[name])
    mu = np.concatenate([resonances(p).real, [0.3, -1.2]])
    kt = K_B * T
    ds = dc.maps(p, mu, [0.0])
    for i, mu_f in enumerate(mu):
        cold = [dc.point(p.updated(mu_F=float(mu_f + s), V=0.0, T=0.0)) for s in (-1e-6, 0.0, 1e-6)]
        for key in ("a_i_22", "a_an_22", "a_i_21"):
            curvature = (cold[0][key] - 2.0 * cold[1][key] + cold[2][key]) / 1e-12
            expect = cold[1][key] + np.pi ** 2 / 6.0 * kt ** 2 * curvature
            warm = dc.point(p.updated(mu_F=float(mu_f), V=0.0))
            assert warm[key] == pytest.approx(expect, rel=1e-9, abs=1e-12 * abs(cold[1][key])), key
            assert float(ds[key].values[i, 0]) == pytest.approx(expect, rel=1e-8), key
            noise = "j" + key[1:]
            for got in (warm[noise], float(ds[noise].values[i, 0])):
                assert got == pytest.approx(2.0 * HBAR * p.S * kt * expect, rel=1e-8), noise


def test_the_damping_is_continuous_across_1_mK():
    """The old code took the damping's T = 0 value below 1 mK (claimed error ≤ 2e-7): on a narrow resonance,
    where k_BT = γ/3 at 1 mK, a_i_22 jumped by 24 % across 1 mK and T_eff was 0.80 mK at 0.9999 mK."""
    p = dc.preset("weak-soc", V=0.0, **NARROW)
    for x in resonances(p).real:
        below, above = (dc.point(p.updated(mu_F=float(x), T=T)) for T in (0.9999e-3, 1.0001e-3))
        assert below["a_i_22"] == pytest.approx(above["a_i_22"], rel=1e-3)
        assert below["T_eff_2"] == pytest.approx(0.9999e-3, rel=1e-9)
        ds = dc.maps(p.updated(T=0.9999e-3), [float(x)], [0.0])
        assert float(ds.T_eff_2.values[0, 0]) == pytest.approx(0.9999e-3, rel=1e-9)


def test_t_eff_is_undefined_where_the_damping_does_not_balance_the_noise():
    """With the whole band (t_e = 25) inside the bias window (V = ±100 mV) a_i_22 is 0 (±1.6e-19, a rounding
    residual) while j_i_22 = 0.061 ps: T_eff was ±1.3e18 K with a rounding sign.  T_eff_2 is NaN there
    (|T_eff| > couplings.T_EFF_LIMIT = 1e4 K), in point and maps (the reason in attrs["validity"]), flagged by
    fp_sweep with Omega NaN, as langevin.validity flags it; elsewhere it is the ratio j_i_22/(2ħS·a_i_22)/k_B."""
    from dimer_core.studies import sweeps

    p = dc.preset("weak-soc", te=25.0)
    for T, residual in ((0.0, 1e-15), (10.0, 1e-6)):  # at 10 K the thermal tail at the band edge, 4e-8/meV²
        out = dc.point(p.updated(T=T, V=100.0))
        assert abs(out["a_i_22"]) < residual * out["j_i_22"] and out["j_i_22"] > 0.05
        assert np.isnan(out["T_eff_2"])
    ds = dc.maps(p, [0.0], [-100.0, 2.0, 100.0])
    teff = ds.T_eff_2.values[0]
    assert np.isnan(teff[[0, 2]]).all()
    ratio = float(ds.j_i_22[0, 1] / (2.0 * HBAR * p.S * ds.a_i_22[0, 1]) / K_B)
    assert teff[1] == pytest.approx(ratio, rel=1e-14) and 1.0 < teff[1] < 1e3
    assert ds.attrs["validity"].startswith("T_eff_2 undefined (NaN) at 2 of 3 points: |T_eff| > 10000 K")
    assert dc.maps(p, [0.0], [2.0]).attrs["validity"] == ""
    fp = sweeps.fp_sweep(p, [-100.0, 2.0, 100.0])
    assert fp.outside_validity.values.tolist() == [True, False, True]
    assert np.isnan(fp.Omega_z.values[[0, 2]]).all() and np.isfinite(fp.Omega_z.values[1])
    assert "V = 100 mV: T_eff undefined" in fp.attrs["validity"]
