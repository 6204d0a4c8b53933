"""maps() against point(), invariance under grid refinement, and the bounded cache."""
import numpy as np
import pytest
import xarray as xr

import dimer_core as dc
from dimer_core.couplings.dimer import T_EFF_LIMIT
from dimer_core.units import HBAR, K_B
from dimer_core.couplings import dimer as couplings
from dimer_core.electrons.assemble import locate

CASES = [
    ("weak-soc", dict()),
    ("strong-soc", dict(T=10.0)),
    ("strong-soc", dict(tR=6.0, eps1=0.3, eps2=-0.2, that=(1.0, 1.0, 1.0), T=1.0)),
    ("weak-soc", dict(t=0.5, T=50.0)),
    ("strong-soc", dict(tL=4.0, eps2=0.4, that=(1.0, 0.0, 1.0))),
]
SAMPLES = [(0.0, 0.0), (0.7, 3.1), (-1.3, -4.2), (2.05, 0.1), (-5.2, 11.3), (1.0, -2.0)]


@pytest.mark.parametrize("name,changes", CASES)
def test_maps_agree_with_point(name, changes):
    p = dc.preset(name, **changes)
    mu = np.linspace(-6, 6, 37)
    v = np.linspace(-12, 12, 37)
    mu = np.unique(np.concatenate([mu, [s[0] for s in SAMPLES]]))
    v = np.unique(np.concatenate([v, [s[1] for s in SAMPLES]]))
    ds = dc.maps(p, mu, v)
    for key in dc.QUANTITIES:
        scale = float(np.abs(ds[key].values).max())
        for mu_f, bias in SAMPLES:
            exact = dc.point(p.updated(mu_F=mu_f, V=bias))[key]
            got = float(ds[key].sel(mu_F=mu_f, V=bias))
            if key == "T_eff_2":
                a = dc.point(p.updated(mu_F=mu_f, V=bias))["a_i_22"]
                if abs(a) < 1e-2 * np.abs(ds.a_i_22.values).max():
                    continue  # a ratio of two small numbers: compare its parts instead
                assert got == pytest.approx(exact, rel=1e-4, abs=1e-6)
            else:
                assert abs(got - exact) <= 1e-4 * scale, (key, mu_f, bias, got, exact)


@pytest.mark.parametrize("name,changes", CASES)
def test_results_do_not_move_when_the_grid_is_refined(name, changes):
    p = dc.preset(name, mu_F=0.7, V=3.1, **changes)
    coarse, fine = dc.point(p), dc.point(p, refine=2.0)
    for key in dc.QUANTITIES:
        assert fine[key] == pytest.approx(coarse[key], rel=1e-8, abs=1e-12)
    mu, v = np.linspace(-3, 3, 13), np.linspace(-6, 6, 13)
    a, b = dc.maps(p, mu, v), dc.maps(p, mu, v, refine=2.0)
    for key in dc.QUANTITIES:
        scale = float(np.abs(b[key].values).max()) or 1.0
        assert float(np.abs(a[key] - b[key]).max()) <= 1e-5 * scale  # map tables: cubic Hermite


def test_no_nan_at_the_corners_of_the_parameter_box():
    corners = [
        dict(t=20.0, t0=20.0, tL=50.0, tR=50.0, te=1000.0, T=300.0, mu_F=50.0),
        dict(t=0.0, t0=0.0, tL=0.5, tR=0.5, te=1000.0, T=0.0, mu_F=-50.0),
        dict(t=20.0, t0=0.0, tL=0.5, tR=50.0, te=100.0, eps1=-50.0, eps2=50.0, T=1.0),
    ]
    for c in corners:
        p = dc.preset("weak-soc", **c)
        ds = dc.maps(p, np.linspace(-50, 50, 11), np.linspace(-100, 100, 11))
        for key in dc.QUANTITIES:
            if key != "T_eff_2":
                assert np.all(np.isfinite(ds[key].values)), (c, key)
        # T_eff_2 is NaN exactly where undefined (the damping does not balance the noise), and said so
        ratio = ds.j_i_22.values / (2.0 * HBAR * p.S * ds.a_i_22.values) / K_B
        undefined = ~(np.abs(ratio) <= T_EFF_LIMIT)
        np.testing.assert_array_equal(np.isnan(ds.T_eff_2.values), undefined)
        assert np.isfinite(ds.T_eff_2.values[~undefined]).all()
        assert (f"at {undefined.sum()} of 121 points" in ds.attrs["validity"]) if undefined.any() else \
            ds.attrs["validity"] == ""


def test_dataset_is_labelled_and_round_trips(tmp_path):
    ds = dc.maps(dc.preset("weak-soc"), np.linspace(-1, 1, 5), np.linspace(-2, 2, 4))
    assert ds.J_2.dims == ("mu_F", "V")
    assert ds.mu_F.attrs["units"] == "meV" and ds.V.attrs["units"] == "mV"
    for key, (unit, _) in dc.QUANTITIES.items():
        assert ds[key].attrs["units"] == unit
    path = tmp_path / "m.nc"
    ds.to_netcdf(path)
    back = xr.open_dataset(path)
    np.testing.assert_array_equal(back.J_2.values, ds.J_2.values)
    assert back.attrs["param_t"] == 0.1


def test_new_ranges_reuse_the_energy_tables(monkeypatch):
    couplings.clear_caches()
    p = dc.preset("strong-soc", t0=1.7)
    calls = []
    real = couplings.build_node_table
    monkeypatch.setattr(couplings, "build_node_table", lambda *a, **k: calls.append(1) or real(*a, **k))
    dc.maps(p, np.linspace(-6, 6, 21), np.linspace(-12, 12, 21))
    dc.maps(p.updated(V=3.0, S=1.5, Delta=2.0), np.linspace(-2, 3, 17), np.linspace(-1, 8, 9))
    assert len(calls) == 1


def test_cache_is_bounded():
    couplings.clear_caches()
    for k in range(couplings._node_tables.max_items + 5):
        dc.maps(dc.preset("weak-soc", t0=1.0 + 0.01 * k), [0.0], [0.0])
    assert len(couplings._node_tables) == couplings._node_tables.max_items
    assert couplings.cache_nbytes() < sum(cache.max_bytes for cache in couplings._CACHES)


@pytest.mark.parametrize("T", [0.0, 5.0])
def test_grid_order_does_not_change_a_map(T):
    """The kernels search the tables from the previous point's interval: unsorted and reversed grids must
    give the same values as the sorted grid, point by point."""
    p = dc.preset("strong-soc", T=T)
    rng = np.random.default_rng(3)
    mu, v = np.linspace(-6, 6, 41), np.linspace(-12, 12, 53)
    sorted_map = dc.maps(p, mu, v)
    shuffled_mu, reversed_v = rng.permutation(mu), v[::-1]
    other = dc.maps(p, shuffled_mu, reversed_v).sel(mu_F=mu, V=v)
    for key in dc.QUANTITIES:
        np.testing.assert_allclose(other[key].values, sorted_map[key].values, rtol=1e-12, atol=1e-300, err_msg=key)


def test_locate_is_searchsorted_from_any_hint():
    xs = np.cumsum(np.random.default_rng(0).uniform(1e-4, 1.0, 300))
    for x in np.concatenate([np.random.default_rng(1).uniform(xs[0] - 5, xs[-1] + 5, 400), xs, xs[[0, -1]]]):
        expected = min(max(np.searchsorted(xs, min(max(x, xs[0]), xs[-1]), side="right") - 1, 0), xs.size - 2)
        for hint in (0, 5, 150, 298, expected, expected + 3, -4, 1000):
            i, h, s = locate(xs, x, hint)
            assert i == expected
            assert h == xs[i + 1] - xs[i]
            assert 0.0 <= s <= 1.0
