"""The guided tour (dashboard/tour.py): each view's paragraph is true at that view's parameters, and the tour
is stepped through with Back/Next and opened from a URL in a real browser."""
import numpy as np
import pytest

from dashboard.labels import symbol
from dashboard.state import MAP_MU_F, MAP_V, Dashboard
from dashboard.tour import VIEWS, Tour
from dimer_core import QUANTITIES, maps, point, preset
from dimer_core.studies.sweeps import fp_sweep

from .ui_support import (app_server, browser_context_args, browser_type_launch_args, plot, plots,  # noqa: F401
                         wait_until, watch_console)

T0_MINUS_T = {"weak-soc": 1.9, "strong-soc": 1.0}  # meV: the first resonance edge t0 - t


def view(title_start):
    return next(v for v in VIEWS if v.title.startswith(title_start))


def params(v, **changes):
    return preset(v.preset, **{"V": v.V, "mu_F": v.mu_F, **changes})


def test_every_view_names_a_preset_and_maps_that_exist():
    assert len(VIEWS) >= 6
    for v in VIEWS:
        assert set(v.maps) <= set(QUANTITIES) and v.maps
        params(v).check()


def test_stepping_applies_preset_bias_and_maps():
    dash = Dashboard()
    tour = Tour(dash)
    for k, v in enumerate(VIEWS, 1):
        dash.p.T = 12.0  # a change the view must undo (its preset has T = 0)
        tour.step = k
        assert (dash.preset, dash.p.V, dash.p.mu_F, tuple(dash.quantities)) == (v.preset, v.V, v.mu_F, v.maps)
        assert dash.p.T == 0.0 and dash.message == ""
    tour.step = 0  # closing the tour leaves the state as it is
    assert dash.p.V == VIEWS[-1].V


@pytest.fixture(scope="module")
def weak_maps():
    return maps(preset("weak-soc"), MAP_MU_F[::4], MAP_V[::4])


@pytest.fixture(scope="module")
def strong_maps():
    return maps(preset("strong-soc"), MAP_MU_F[::4], MAP_V[::4])


def test_the_x_pattern_view(weak_maps):
    """J₂ < 0 within |μ_R| < t0 - t and > 0 outside (beyond t0 + t); no noise at V = 0, T = 0."""
    mu, v = np.meshgrid(weak_maps.mu_F.values, weak_maps.V.values, indexing="ij")
    mu_r = mu - v / 2
    J = weak_maps["J_2"].values
    assert (J[np.abs(mu_r) < 1.9] < 0).mean() > 0.95
    assert (J[np.abs(mu_r) > 2.1] > 0).mean() > 0.99
    assert point(params(view("The X")))["j_i_22"] == 0.0


def test_D_is_odd_in_the_bias(weak_maps):
    v = view("D is odd")
    d_plus, d_minus = point(params(v))["D_2"], point(params(v, V=-v.V))["D_2"]
    assert abs(d_plus) > 1e-3 and d_minus == pytest.approx(-d_plus, rel=1e-10)
    D = weak_maps["D_2"].values  # columns: V from -12 to 12 symmetric
    np.testing.assert_allclose(D, -D[:, ::-1], atol=1e-12 * np.abs(D).max())
    assert abs(point(params(v, V=0.0))["D_2"]) < 1e-12 * abs(d_plus)


def test_negative_damping_view():
    v = view("Negative damping")
    mu_l, mu_r = v.mu_F + v.V / 2, v.mu_F - v.V / 2
    assert abs(mu_l) < 1.9 and abs(mu_r) > 2.0  # the region the paragraph names
    q = point(params(v))
    assert q["a_i_22"] < 0 and q["T_eff_2"] < 0


def test_switching_view():
    v = view("Switching")
    ds = fp_sweep(params(v, V=0.0), np.array([-v.V, -2.0, 2.0, 4.0]))
    assert ds.Omega_z.values[1] < -0.8 and ds.Omega_z.values[2] < -0.8 and ds.Omega_z.values[3] > 0.5
    assert ds.Omega_y.values[0] == pytest.approx(-fp_sweep(params(v, V=0.0), np.array([v.V])).Omega_y.values[0])
    assert abs(ds.Omega_y.values[0]) > 0.3


def test_strong_soc_view():
    v = view("Strong SOC turns")
    ds = fp_sweep(params(v, V=0.0), np.array([-v.V, 0.0, v.V]))
    assert ds.Omega_z.values[1] < -0.95
    assert ds.Omega_y.values[2] > 0.7 and ds.Omega_y.values[0] < -0.7
    assert np.all(fp_sweep(params(v, V=0.0), np.linspace(-6, 6, 25)).Omega_z.values < 0.5)  # never parallel


def test_small_anisotropies_and_strong_soc_maps(weak_maps, strong_maps):
    size = {name: {k: np.abs(m[k].values).max() for k in ("J_2", "D_2", "A_2", "K_2", "a_i_22", "a_an_22")}
            for name, m in (("weak", weak_maps), ("strong", strong_maps))}
    w, s = size["weak"], size["strong"]
    assert 50 < w["J_2"] / w["A_2"] < 200 and 50 < w["J_2"] / w["K_2"] < 200   # "about a hundred times"
    assert w["a_i_22"] / w["a_an_22"] > 20
    assert 0.35 < s["J_2"] / w["J_2"] < 0.7          # "about half"
    assert s["D_2"] > s["J_2"]                       # "larger than J₂"
    assert s["a_an_22"] > 0.5 * s["a_i_22"]          # "comparable (here even larger)"
    assert s["a_an_22"] > s["a_i_22"]


def test_the_tour_in_a_browser_opens_from_its_url_and_steps(page, app_server):  # noqa: F811
    k = next(i for i, v in enumerate(VIEWS, 1) if v.title.startswith("Switching"))
    errors, before = watch_console(page), len(app_server.created)
    page.goto(app_server.url + f"?tour={k}")
    wait_until(lambda: len(app_server.created) > before, timeout=90, message="the session")
    dash = app_server.created[before].dashboard
    shown = [symbol(m) for m in VIEWS[k - 1].maps]
    wait_until(lambda: sorted(t for t, p in plots(page).items() if p["image"]) == sorted(shown), timeout=90,
               message="the view's maps drawn")
    wait_until(lambda: (dash.p.V, dash.p.mu_F) == (VIEWS[k - 1].V, VIEWS[k - 1].mu_F), message="the view applied")
    def says(title):
        return page.locator(".tour-text").get_by_text(title).is_visible()
    wait_until(lambda: says(VIEWS[k - 1].title), message="the view's paragraph")
    wait_until(lambda: plot(page, "cuts against V")["spans"] == [VIEWS[k - 1].V], message="the plots at the view")
    page.locator(".tour-next button").click()
    wait_until(lambda: dash.preset == VIEWS[k].preset and dash.p.V == VIEWS[k].V, message="the next view")
    wait_until(lambda: says(VIEWS[k].title) and not says(VIEWS[k - 1].title), message="the next paragraph")
    wait_until(lambda: f"tour={k + 1}" in page.url, message="the URL of the next view")
    page.locator(".tour-close button").click()
    wait_until(lambda: page.locator(".tour-start button").is_visible(), message="the tour closed")
    assert errors == [], errors
