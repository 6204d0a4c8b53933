"""Junction maps over (mu_F, V) (dimer_core.electrons.junction_maps) against the direct route of junction.point, the dimer's
maps, and their own invariants (docs/junction.md, "Maps")."""
import numpy as np
import pytest
import xarray as xr

import dimer_core as dc
from dimer_core.couplings import dimer as couplings
from dimer_core import junction as J
from dimer_core.electrons import junction_grid as grid
from dimer_core.junction import maps as JM
from dimer_core.electrons.junction_response import tensors
from dimer_core.units import HBAR, K_B

from . import brute_junction as B
from .brute_junction import random_model
from .junction_support import to_junction

FAMILIES = ("chi", "dchi", "noise", "spin", "current")


def _samples(junction, rng, count=4):
    """(mu_F, V) points: random ones, and ones with a lead's mu_c on a resonance or within γ of one."""
    poles = grid.resonances(junction)
    poles = poles[np.abs(poles.imag) > 1e-9]
    eta = [c.eta for c in junction.leads]
    pts = [(float(rng.uniform(-3, 3)), float(rng.uniform(-6, 6))) for _ in range(count)]
    for pole in poles[np.argsort(np.abs(poles.imag))][:3]:
        v = float(rng.uniform(-5, 5))
        c = int(rng.integers(len(eta)))
        for shift in (0.0, 0.5 * abs(pole.imag)):
            mu_f = pole.real + shift - eta[c] * v
            if abs(mu_f) < 40.0:
                pts.append((float(mu_f), v))
    pts.append((0.3, 0.0))
    return pts


def _compare(junction, points, tol=1e-6):
    """Largest error of a map through ``points`` against tensors() there, per family, relative to the family's
    largest entry over the points; asserted below ``tol``."""
    mu = np.array([p[0] for p in points])
    v = np.array([p[1] for p in points])
    order_mu, order_v = np.unique(mu), np.unique(v)
    ds = JM.maps(junction, order_mu, order_v)
    got = {k: [] for k in FAMILIES}
    exact = {k: [] for k in FAMILIES}
    for mu_f, bias in points:
        r = tensors(junction.updated(mu_F=mu_f, V=bias))
        at = ds.sel(mu_F=mu_f, V=bias)
        for k in FAMILIES:
            got[k].append(at[k].values)
            exact[k].append(r[k])
    worst = {}
    for k in FAMILIES:
        e, g = np.array(exact[k]), np.array(got[k])
        size = np.abs(e).max()
        assert size > 0.0, k
        worst[k] = float(np.abs(g - e).max() / size)
    assert max(worst.values()) < tol, worst
    return worst


@pytest.mark.parametrize("name", ["chain3", "ring4", "stm", "stm-polarised"])
def test_presets_equal_point(name):
    junction = J.preset(name)
    points = _samples(junction, np.random.default_rng(1))
    assert len(points) >= 6
    _compare(junction, points)


@pytest.mark.parametrize("seed,n_sites,n_leads,polarised", [(3, 3, 2, False), (4, 4, 2, True), (5, 3, 3, True),
                                                             (6, 4, 3, False)])
def test_random_models_equal_point(seed, n_sites, n_leads, polarised):
    rng = np.random.default_rng(seed)
    junction = to_junction(random_model(rng, n_sites, n_leads, polarised))
    _compare(junction, _samples(junction, rng))


def test_a_wrong_factor_would_be_caught():
    """The comparison is sharp: the map with the noise halved fails it by far."""
    junction = J.preset("chain3")
    ds = JM.maps(junction, [-1.0, 0.4], [2.0, 3.0])
    exact = tensors(junction.updated(mu_F=0.4, V=2.0))["noise"]
    got = ds.noise.sel(mu_F=0.4, V=2.0).values
    assert np.abs(got - exact).max() < 1e-6 * np.abs(exact).max()
    assert np.abs(0.5 * got - exact).max() > 0.1 * np.abs(exact).max()


@pytest.mark.parametrize("name,changes", [("weak-soc", {}),
                                          ("strong-soc", dict(tR=6.0, eps1=0.3, eps2=-0.2, that=(1.0, 1.0, 1.0))),
                                          ("strong-soc", dict(tL=4.0, eps2=0.4, that=(1.0, 0.0, 1.0))),
                                          ("weak-soc", dict(T=10.0)),
                                          ("strong-soc", dict(tR=6.0, T=1.0))])
def test_dimer_as_a_junction_equals_the_dimer_maps(name, changes):
    """Every key of QUANTITIES through views = couplings.maps, both tables at refine 4 (at refine 1 each
    table's own interpolation error, ≤ 3e-7 of a key's size near the resonances, is what differs)."""
    p = dc.preset(name, **changes)
    mu = np.linspace(-6, 6, 25)
    v = np.linspace(-12, 12, 25)
    dimer = couplings.maps(p, mu, v, refine=4.0)
    ds = JM.maps(J.from_dimer(p), mu, v, refine=4.0)
    raw = couplings.raw_map(p, mu, v, refine=4.0)
    for key in dc.QUANTITIES:
        want = dimer[key].values
        got = np.asarray(J.value(ds, key))
        if key == "T_eff_2":
            ok = np.isfinite(want) & (np.abs(dimer.a_i_22.values) > 1e-2 * np.abs(dimer.a_i_22.values).max())
            assert np.allclose(got[ok], want[ok], rtol=1e-6), key
            continue
        size = np.abs(want).max()
        if size == 0.0:  # j_DM_22: zero by symmetry in both
            assert np.abs(got).max() < 1e-12 * np.abs(dimer.j_i_22.values).max()
            continue
        assert np.abs(got - want).max() < 1e-8 * size, key
    from dimer_core.electrons.response import RAW_INDEX

    current = raw[..., RAW_INDEX["current"]]
    assert np.abs(ds.current.sel(lead="L").values - current).max() < 1e-8 * np.abs(current).max()
    assert np.abs(ds.current.sel(lead="R").values + current).max() < 1e-8 * np.abs(current).max()


@pytest.mark.parametrize("name", ["ring4", "stm-polarised"])
def test_distinct_potentials_read_once_equal_the_per_point_kernel(name):
    """On a commensurate grid (mu_L, mu_R repeat) the tables are read once per distinct potential; the result
    equals the per-point kernel's to rounding, noise signs included (V < 0, V = 0, V > 0)."""
    junction = J.preset(name)
    mu, v = np.linspace(-3, 3, 25), np.linspace(-6, 6, 25)
    values, index = JM.distinct_potentials(mu, v, np.array([c.eta for c in junction.leads]))
    assert values.size < JM.GATHER_BELOW * mu.size * v.size
    ds = JM.maps(junction, mu, v)
    tab = JM.zero_temperature_table(junction, JM.selected_sites(junction))
    out = np.empty((mu.size, v.size, tab.lead.shape[3] + tab.noise_full.size))
    JM.map_arrays(tab.s, tab.edges, tab.lead, tab.pair, tab.pairs, tab.eta, tab.noise_full, mu, v, out)
    k = 9 * junction.n_sites ** 2
    for name_, got in (("chi", ds.chi), ("noise", ds.noise)):
        want = out[..., :k] if name_ == "chi" else out[..., -k:]
        assert np.abs(got.values.reshape(want.shape) - want).max() < 1e-12 * np.abs(want).max()
    assert np.abs(ds.current.values - out[..., 2 * k + 3 * junction.n_sites:-k]).max() < 1e-12 * np.abs(
        ds.current.values).max()


def test_zero_bias_and_structure():
    """At V = 0 (T = 0) the noise and the currents vanish exactly; dims, coordinates and units are point's."""
    junction = J.preset("ring4")
    ds = JM.maps(junction, [-1.0, 0.5], [0.0, 1.5])
    assert np.all(ds.noise.sel(V=0.0).values == 0.0)
    assert np.all(ds.current.sel(V=0.0).values == 0.0)
    pt = J.point(junction)
    for k in FAMILIES:
        assert ds[k].dims == ("mu_F", "V") + pt[k].dims
        assert ds[k].attrs["units"] == pt[k].attrs["units"]
    assert list(ds.site.values) == [1, 2, 3, 4] and list(ds.lead.values) == ["L", "R"]
    np.testing.assert_allclose(ds.current.sum("lead").values, 0.0, atol=1e-12 * np.abs(ds.current.values).max())


def test_pairs_hold_the_sub_block_and_views_work_on_maps():
    junction = J.preset("stm-polarised")
    mu, v = np.linspace(-2, 2, 5), np.linspace(-3, 3, 4)
    full = JM.maps(junction, mu, v)
    sub = JM.maps(junction, mu, v, pairs=[(1, 3)])
    assert list(sub.site.values) == [1, 3]
    for k in ("chi", "dchi", "noise"):
        xr.testing.assert_allclose(sub[k], full[k].sel(site_a=[1, 3], site_b=[1, 3]), rtol=1e-13, atol=0)
    xr.testing.assert_allclose(sub.spin, full.spin.sel(site=[1, 3]), rtol=1e-13, atol=0)
    view = J.pair_view(sub, 1, 3)
    assert view["J_13"].shape == (5, 4)
    assert np.allclose(view["J_13"], J.value(full, "J_13"), rtol=1e-13, atol=0)
    one = J.pair_view(J.point(junction.updated(mu_F=1.0, V=1.0)), 1, 3)
    for key in ("J_13", "D_31", "a_i_33", "j_an_31", "I_tip"):
        assert float(view[key][3, 2]) == pytest.approx(one[key], rel=1e-6, abs=1e-6 * np.abs(view[key]).max())
    with pytest.raises(KeyError, match="held sites: 1, 3"):
        J.value(sub, "J_12")
    assert list(JM.maps(junction, mu[:1], v[:1], pairs=[(1, 1)]).site.values) == [1]  # a site's own terms
    with pytest.raises(ValueError, match="pairs"):
        JM.maps(junction, mu, v, pairs=[(1, 2, 3)])
    with pytest.raises(ValueError, match="sites"):
        JM.maps(junction, mu, v, pairs=[(1, 4)])


def test_pair_dataset_equals_the_projections_of_each_block():
    """pair_dataset projects each block once for all its views: every view equals the 3×3 projections of
    tests/reference.py (an independent route) of its block, point by point, on a polarised map (oblique that)."""
    from . import reference as R
    from dimer_core.couplings.temperature import effective_temperature

    junction = J.preset("stm-polarised").updated(that=(0.3, -0.5, 0.8))
    full = JM.maps(junction, np.linspace(-2, 2, 4), np.linspace(-3, 3, 3), pairs=[(1, 3)])
    got = J.pair_dataset(full, 1, 3)
    S, that = junction.S, full.attrs["that"]
    blocks = {("J", "i"), ("D", "DM"), ("A", "an")}
    for im in range(4):
        for iv in range(3):
            at = full.isel(mu_F=im, V=iv)

            def part(tensor, a, b, x):
                return R.projections(at[tensor].sel(site_a=a, site_b=b).values, that)[x]

            want = {"s_1": S * at.spin.sel(site=1).values @ that, "s_3": S * at.spin.sel(site=3).values @ that,
                    "K_1": S ** 2 * part("chi", 1, 1, "an"), "K_3": S ** 2 * part("chi", 3, 3, "an"),
                    "chi33_DM": part("chi", 3, 3, "DM")}
            for name, x in blocks:
                want[f"{name}_13"], want[f"{name}_31"] = (S ** 2 * part("chi", 1, 3, x), S ** 2 * part("chi", 3, 1, x))
            for x in ("i", "an", "DM"):
                want[f"a_{x}_33"], want[f"a_{x}_31"] = S * part("dchi", 3, 3, x), S * part("dchi", 3, 1, x)
                want[f"j_{x}_33"], want[f"j_{x}_31"] = S ** 2 * part("noise", 3, 3, x), S ** 2 * part("noise", 3, 1, x)
            want["T_eff_3"] = effective_temperature(want["j_i_33"], want["a_i_33"], S)
            for c in full.lead.values:
                want[f"I_{c}"] = at.current.sel(lead=c).values
            assert set(want) >= set(got.data_vars)
            for key in got.data_vars:  # relative to the largest view of the same unit (j_DM_33 is 0 by symmetry)
                scale = max(np.abs(got[k].values).max() for k in got.data_vars
                            if got[k].attrs["units"] == got[key].attrs["units"])
                assert abs(float(got[key][im, iv]) - float(want[key])) <= 1e-13 * scale, key


def test_memory_limit_names_the_grid(monkeypatch):
    junction = J.preset("ring4")
    mu, v = np.linspace(-1, 1, 101), np.linspace(-2, 2, 101)
    assert JM.map_bytes(201, 201, 8, 2) > JM.MAX_BYTES  # N = 8, every pair, 201 x 201: refused by default
    need = JM.map_bytes(101, 101, 4, 2)
    monkeypatch.setattr(JM, "MAX_BYTES", need - 1)
    with pytest.raises(ValueError, match=r"mu_F \(101\) x V \(101\) points over 4 sites .* allowed: at most .* MiB"):
        JM.maps(junction, mu, v)
    ds = JM.maps(junction, mu, v, pairs=[(1, 2)])  # 2 sites: a quarter of the tensors
    assert ds.chi.shape == (101, 101, 2, 2, 3, 3)
    JM.clear_cache()
    monkeypatch.setattr(JM, "MAX_BYTES", 2 ** 20)
    for T in (0.0, 3.0):
        with pytest.raises(ValueError, match=r"the table over 4 sites takes \d+ MiB; allowed: at most 1 MiB"):
            JM.maps(junction.updated(T=T), mu[:2], v[:2])


def test_grid_bounds():
    junction = J.preset("chain3")
    with pytest.raises(ValueError, match="mu_F grid reaches 60; allowed: -50 <= mu_F <= 50 meV"):
        JM.maps(junction, [60.0], [0.0])
    with pytest.raises(ValueError, match="V grid"):
        JM.maps(junction, [0.0], [np.nan])


@pytest.mark.parametrize("name,T", [("chain3", 1.0), ("ring4", 0.05), ("stm-polarised", 10.0), ("stm", 3.0)])
def test_finite_temperature_tables_equal_point(name, T):
    junction = J.preset(name, T=T)
    points = _samples(junction, np.random.default_rng(2), count=3)
    points.append((-0.7, 1e-11))  # the cross noise's divided difference at Δ → 0
    worst = _compare(junction, points)
    ds = JM.maps(junction, [-0.7], [0.0])
    assert ds.attrs["method"].startswith("T > 0 tables")
    assert worst["noise"] < 1e-6


@pytest.mark.parametrize("seed,n_sites,n_leads,polarised", [(7, 3, 3, True), (8, 4, 2, False)])
def test_finite_temperature_random_models_of_one_te(seed, n_sites, n_leads, polarised):
    rng = np.random.default_rng(seed)
    model = random_model(rng, n_sites, n_leads, polarised, T=4.0)
    for lead in model["leads"]:
        lead["te"] = model["leads"][0]["te"]
    junction = to_junction(model)
    _compare(junction, _samples(junction, rng, count=3))


def _inner_edge_points(junction, rng):
    """(mu_F, V) points with a lead's mu_c on an inner band edge 2·te_c (a narrower lead's), and 2k_BT beside it."""
    kt = K_B * junction.T
    eta = [c.eta for c in junction.leads]
    pts = []
    for edge in grid.band_edges(junction)[1:-1]:
        v = float(rng.uniform(-4, 4))
        c = int(rng.integers(len(eta)))
        for shift in (0.0, 2.0 * kt):
            if abs(edge + shift - eta[c] * v) < JM.MU_F_LIMIT:
                pts.append((float(edge + shift - eta[c] * v), v))
    return pts


DIFFERENT_TE = [(3, 3, 2, False, 1.0), (4, 4, 3, True, 20.0), (9, 4, 2, True, 1.0), (10, 3, 3, False, 20.0)]


@pytest.mark.parametrize("seed,n_sites,n_leads,polarised,T", DIFFERENT_TE)
def test_finite_temperature_tables_for_leads_of_different_te(seed, n_sites, n_leads, polarised, T):
    """T > 0 with several band intervals: the tables against tensors() at random points, a lead's mu_c on a
    resonance and γ/2 beside it, and on an inner band edge (where two intervals' windows meet)."""
    rng = np.random.default_rng(seed)
    junction = to_junction(random_model(rng, n_sites, n_leads, polarised, T=T))
    assert len({c.te for c in junction.leads}) == n_leads
    points = _samples(junction, rng, count=3) + _inner_edge_points(junction, rng)
    _compare(junction, points)
    assert JM.maps(junction, [0.0], [1.0]).attrs["method"].startswith("T > 0 tables")


@pytest.mark.parametrize("seed,n_sites,n_leads,polarised,T", DIFFERENT_TE[:2])
def test_finite_temperature_tables_for_leads_of_different_te_equal_the_brute_force(seed, n_sites, n_leads,
                                                                                    polarised, T):
    """The same maps against the brute force of tests/brute_junction.py (no shared code) at two points."""
    model = random_model(np.random.default_rng(seed), n_sites, n_leads, polarised, T=T)
    junction = to_junction(model)
    points = [(model["mu_F"], model["V"]), (-0.4, 2.2)]
    ds = JM.maps(junction, sorted({p[0] for p in points}), sorted({p[1] for p in points}))
    for mu_f, bias in points:
        ref = B.responses(dict(model, mu_F=mu_f, V=bias), epsrel=1e-8)
        at = ds.sel(mu_F=mu_f, V=bias)
        for k in FAMILIES:
            size = np.abs(ref[k]).max()
            assert np.abs(at[k].values - ref[k]).max() < 1e-6 * size, (k, mu_f, bias)


def _two_tes_polarised():
    """Three leads of different te (polarised) at 20 K, and mu_F points across its highest inner band edge."""
    junction = to_junction(random_model(np.random.default_rng(4), 4, 3, True, T=20.0))
    inner = grid.band_edges(junction)[-2]
    return junction, np.concatenate([np.linspace(-3, 3, 5), [inner - 1.0, inner, inner + 1.0]])


@pytest.mark.parametrize("case", ["stm-polarised", "three leads of different te"])
def test_fluctuation_dissipation_on_the_map(case):
    """V = 0, T > 0: C = 2k_BTħ·sym(∂_E Im χ) for every pair, from the tables' different columns; one te (stm-polarised,
    7 K) and three leads of different te (20 K) with mu_F across an inner band edge."""
    from dimer_core.electrons.junction_response import symmetric

    if case == "stm-polarised":
        junction, mu = J.preset("stm-polarised", T=7.0), np.linspace(-3, 3, 7)
    else:
        junction, mu = _two_tes_polarised()
    ds = JM.maps(junction, mu, [0.0, 2.0])
    noise, damping = ds.noise.sel(V=0.0).values, ds.dchi.sel(V=0.0).values
    fdt = 2.0 * K_B * junction.T * HBAR * symmetric(damping)
    assert np.abs(noise - fdt).max() < 1e-9 * np.abs(noise).max()
    off = ds.noise.sel(V=2.0).values - 2.0 * K_B * junction.T * HBAR * symmetric(ds.dchi.sel(V=2.0).values)
    assert np.abs(off).max() > 1e-3 * np.abs(noise).max()  # out of equilibrium it does not hold


@pytest.mark.parametrize("T", [0.0, 1.0])
def test_a_level_weakly_coupled_to_a_lead_is_resolved(T):
    """Site 3 touches lead L by 0.03 meV only (L's largest contact is 5 meV): its resonance is 8.6e-6 meV wide.
    The panels are γ/2 wide there only if the grid's smallest width follows that contact, not the lead's largest
    (then 2.5e-4 meV: errors of 8e-4 to 7e-2 at mu_L on it).  point and the map against the brute force with mu_L
    on the resonance and 2γ above it."""
    model = dict(eps=[0.5, -0.3, 1.0], bonds=[(0, 1, 2.0, 0.2)], that=np.array([0.0, 0.0, 1.0]), T=T,
                 leads=[dict(te=100.0, v=np.array([5.0, 0.0, 0.03]), eta=0.5, p=0.0, n=np.array([0.0, 0.0, 1.0])),
                        dict(te=100.0, v=np.array([0.0, 5.0, 0.0]), eta=-0.5, p=0.0, n=np.array([0.0, 0.0, 1.0]))],
                 mu_F=0.0, V=1.0)
    junction = to_junction(model)
    poles = grid.resonances(junction)
    narrow = poles[np.argmin(np.abs(poles.imag))]
    assert 1e-6 < abs(narrow.imag) < 1e-5 and grid.min_width(junction) <= abs(narrow.imag)
    for shift in (0.0, 2.0 * abs(narrow.imag)):
        mu_f = narrow.real - 0.5 + shift
        ref = B.responses(dict(model, mu_F=mu_f), epsrel=1e-8)
        at = J.point(junction.updated(mu_F=mu_f))
        on_map = JM.maps(junction, [mu_f], [1.0]).isel(mu_F=0, V=0)
        for k in FAMILIES:
            size = np.abs(ref[k]).max()
            assert np.abs(at[k].values - ref[k]).max() < 1e-6 * size, ("point", k, shift)
            assert np.abs(on_map[k].values - ref[k]).max() < 1e-6 * size, ("map", k, shift)


def test_cli_maps_of_a_model_file(tmp_path, capsys):
    from dimer_core.cli import main

    model = tmp_path / "stm.toml"
    J.write_model(J.preset("stm-polarised"), model)
    nc, csv = tmp_path / "out" / "m.nc", tmp_path / "m.csv"
    grid_args = ["--mu_F", "-1:1:3", "--V", "-2:2:5"]
    assert main(["maps", "--model", str(model), "--pair", "1,3", *grid_args, "--out", str(nc)]) == 0
    assert main(["maps", "--model", str(model), "--pair", "3,1", *grid_args, "--out", str(csv)]) == 0
    assert "pair 3,1" in capsys.readouterr().out
    want = JM.maps(J.read_model(model), np.linspace(-1, 1, 3), np.linspace(-2, 2, 5), pairs=[(1, 3)])
    with xr.open_dataset(nc) as got:
        xr.testing.assert_allclose(got[list(FAMILIES)], want[list(FAMILIES)], rtol=1e-14, atol=0)
        assert list(got.site.values) == [1, 3] and got.attrs["name"] == "stm-polarised"
    import pandas as pd

    table = pd.read_csv(csv)
    keys = J.pair_keys(want, 3, 1)
    assert list(table.columns) == ["mu_F", "V"] + keys + ["dimer_core_version"]
    row = table[(table.mu_F == 1.0) & (table.V == -1.0)].iloc[0]
    assert row["J_31"] == pytest.approx(float(J.value(want, "J_31")[2, 1]), rel=1e-12)
    assert row["I_tip"] == pytest.approx(float(want.current.sel(mu_F=1.0, V=-1.0, lead="tip")), rel=1e-12)
    assert main(["maps", "--model", str(model), "--pair", "1,4", "--out", str(nc)]) == 2
    assert "--pair '1,4' is out of range" in capsys.readouterr().err
