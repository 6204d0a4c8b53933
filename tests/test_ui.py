"""The dashboard in a real browser (Debian's Chromium, headless): what a student clicks does what it says.

The app is served in this process (``tests/ui_support.py``); each test opens its
own page, hence its own session, and checks both the server-side state
(``template.dashboard``) and what the page draws (the live Bokeh plots).
Screenshots go to test-artifacts/.  Run: ``.venv/bin/python -m pytest -ra tests/test_ui.py``.
"""
import re

import pytest

from dimer_core.params import bounds_text

from .ui_support import (CUT_MU, CUT_V, INTERACTIONS, LIVE_VIEWS_JS, MAP_TITLES, OMEGA, app_server,  # noqa: F401
                        browser_context_args, browser_type_launch_args, data_to_page, open_app, plot, plots,
                        screenshot, wait_until)

pytest.importorskip("pytest_playwright")

V_PLOTS = (CUT_V, OMEGA, INTERACTIONS)
"""Curve plots with a vertical line at the current V (the cut against mu_F has it at mu_F)."""


def close(a, b, tol=1e-6):
    return a is not None and b is not None and abs(float(a) - float(b)) <= tol


def browser_shows_point(page, V, mu_F, tol=1e-6):
    """The marker on every map and the vertical lines of the curve plots sit at (V, mu_F)."""
    ps = plots(page)
    for title in MAP_TITLES:
        (x, y), = ps[title]["points"]
        if not (close(x, V, tol) and close(y, mu_F, tol)):
            return False
    for title, p in ps.items():
        if title.startswith(V_PLOTS) and not close(p["spans"][0], V, tol):
            return False
        if title.startswith(CUT_MU) and not close(p["spans"][0], mu_F, tol):
            return False
    return True


def slider_input(page, name):
    """The editable number box of the ``param-<name>`` slider."""
    return page.locator(f".param-{name} input").first


def location_search(page):
    """The query string held by the page's Panel Location model."""
    return page.evaluate("""() => { for (const d of Bokeh.documents) for (const m of d._all_models.values())
                                        if (m.type.endsWith('Location')) return m.search; return '' }""")


def alert(page):
    return page.locator(".alert-danger").first


def alert_text(page):
    """The alert's text (it lives in the Markdown model's shadow root)."""
    return " ".join(page.locator(".alert-danger p").all_inner_texts())


def test_app_renders_maps_and_curves_without_console_errors(page, app_server):
    s = open_app(page, app_server)
    assert page.locator("canvas").count() >= 12
    ps = plots(page)
    for title in MAP_TITLES:
        image = ps[title]["image"]
        assert image["n"] == 161 * 161 and image["sum"] > 0, (title, image)
        assert image["low"] < 0 < image["high"] and close(-image["low"], image["high"]), (title, image)
    for prefix in (CUT_V, CUT_MU, OMEGA, INTERACTIONS):
        assert plot(page, prefix)["lines"] >= 3, prefix
    assert browser_shows_point(page, 0.0, 0.0)
    assert s.dashboard.message == ""
    assert not alert(page).is_visible()
    screenshot(page, "renders")
    assert s.errors == [], s.errors


def test_moving_the_V_slider_moves_the_marker_and_the_lines(page, app_server):
    s = open_app(page, app_server)
    dash = s.dashboard
    handle = page.locator(".param-V .noUi-handle")
    handle.focus()
    for _ in range(5):
        handle.press("ArrowRight")
    wait_until(lambda: dash.p.V > 0 and close(handle.get_attribute("aria-valuenow"), dash.p.V, 1e-9),
               message="V to follow the slider")
    V = dash.p.V
    assert V == pytest.approx(5 * 0.2), "five steps of 0.2 mV"
    wait_until(lambda: browser_shows_point(page, V, 0.0), message=f"marker and lines at V = {V}")
    assert float(slider_input(page, "V").input_value()) == pytest.approx(V)
    screenshot(page, "slider_V")

    for _ in range(2):
        handle.press("ArrowLeft")
    wait_until(lambda: close(dash.p.V, V - 0.4), message="V to go back two steps")
    wait_until(lambda: browser_shows_point(page, V - 0.4, 0.0), message="marker and lines to follow back")
    assert dash.message == ""
    assert s.errors == [], s.errors



LEGEND_JS = """() => {
  // The Omega plot's legend: its items' renderers (swatches) and the curves they stand for.
""" + LIVE_VIEWS_JS + """
  const fig = views.find(v => v.model.type === 'Figure' && v.model.title
                              && v.model.title.text.startsWith('mean orientation')).model;
  const swatches = fig.select({type: 'Legend'})[0].items.filter(i => i.visible).map(i => i.renderers[0]);
  const curve = (s) => fig.renderers.find(r => r.id === s.tags[1]);
  return {swatches, curve};
}"""


def test_a_legend_click_mutes_its_curve_and_unchanged_stylesheets_are_not_rewritten(page, app_server):
    """Legends show data-less swatches (dashboard.views.static_legend): muting one from the legend mutes the
    curve it stands for; and the page carries the BokehJS fix that skips stylesheet writes that change nothing."""
    s = open_app(page, app_server)
    muted = page.evaluate("(" + LEGEND_JS + """)().swatches.map(s => s.tags[0])""")
    assert muted and set(muted) == {"legend swatch"}
    page.evaluate("(" + LEGEND_JS + ")().swatches[1].muted = true")   # what a click on the legend item does
    states = ("() => { const {swatches, curve} = (" + LEGEND_JS + ")();"
              "        return swatches.map(s => [s.muted, curve(s).muted]); }")
    wait_until(lambda: page.evaluate(states) == [[False, False], [True, True], [False, False]],
               message="the second curve muted with its swatch, the others not")
    assert page.evaluate("""() => Bokeh.require('core/dom').InlineStyleSheet.prototype._update.skips_unchanged""")
    assert s.errors == [], s.errors

def test_typing_mu_F_moves_the_marker(page, app_server):
    s = open_app(page, app_server)
    box = slider_input(page, "mu_F")
    box.fill("-2.5")
    box.press("Enter")
    wait_until(lambda: close(s.dashboard.p.mu_F, -2.5), message="mu_F = -2.5 on the server")
    wait_until(lambda: browser_shows_point(page, 0.0, -2.5), message="marker and lines at mu_F = -2.5")
    wait_until(lambda: close(page.locator(".param-mu_F .noUi-handle").get_attribute("aria-valuenow"), -2.5),
               message="the mu_F slider handle at -2.5")
    screenshot(page, "typed_mu_F")
    assert s.errors == [], s.errors


def test_strong_soc_preset_changes_the_maps(page, app_server):
    s = open_app(page, app_server)
    before, d_before = plot(page, MAP_TITLES[0])["image"], plot(page, MAP_TITLES[1])["image"]
    page.get_by_role("button", name="strong-soc").click()
    wait_until(lambda: close(s.dashboard.p.t, 1.0), message="t = 1 (strong SOC) on the server")
    assert s.dashboard.preset == "strong-soc"

    def changed():
        now = plot(page, MAP_TITLES[0])["image"]
        return now and not close(now["sum"], before["sum"], 1e-6 * before["sum"]) and now
    after = wait_until(changed, timeout=30, message="the J_2 map to be redrawn")
    d_after = wait_until(lambda: plot(page, MAP_TITLES[1])["image"]["high"] != d_before["high"]
                         and plot(page, MAP_TITLES[1])["image"],
                         message="the D_2 colour range to change")
    assert d_after["high"] > d_before["high"], "strong SOC makes the DMI larger"
    wait_until(lambda: close(slider_input(page, "t").input_value(), 1.0), message="the t box to show 1")
    assert after["n"] == before["n"]
    screenshot(page, "preset_strong_soc")
    assert s.dashboard.message == ""
    assert s.errors == [], s.errors


def test_clicking_a_map_moves_V_and_mu_F_there(page, app_server):
    s = open_app(page, app_server)
    target_V, target_mu = 5.0, 2.0
    x, y = data_to_page(page, MAP_TITLES[0], target_V, target_mu)
    frame = plot(page, MAP_TITLES[0])["frame"]
    assert frame["left"] < x < frame["left"] + frame["width"] and frame["top"] < y < frame["top"] + frame["height"]
    page.mouse.click(x, y)
    # one CSS pixel is 24 mV / frame width in V and 12 meV / frame height in mu_F
    tol_V, tol_mu = 2 * 24.0 / frame["width"], 2 * 12.0 / frame["height"]
    dash = s.dashboard
    wait_until(lambda: abs(dash.p.V - target_V) < tol_V and abs(dash.p.mu_F - target_mu) < tol_mu,
               message=f"(V, mu_F) near ({target_V}, {target_mu}); now ({dash.p.V}, {dash.p.mu_F})")
    V, mu = dash.p.V, dash.p.mu_F
    wait_until(lambda: browser_shows_point(page, V, mu), message=f"marker and lines at ({V}, {mu})")
    wait_until(lambda: close(slider_input(page, "V").input_value(), V) and close(
        slider_input(page, "mu_F").input_value(), mu), message="the V and mu_F boxes to show the clicked point")
    screenshot(page, "click_map")
    assert s.errors == [], s.errors


def test_url_query_restores_the_state(page, app_server):
    s = open_app(page, app_server, "?t=0.7&V=2.5&mu_F=-1.0")
    dash = s.dashboard
    wait_until(lambda: (dash.p.t, dash.p.V, dash.p.mu_F) == (0.7, 2.5, -1.0),
               message="t, V, mu_F from the URL on the server")
    wait_until(lambda: browser_shows_point(page, 2.5, -1.0), message="marker and lines at the URL's point")
    for name, value in (("t", 0.7), ("V", 2.5), ("mu_F", -1.0)):
        wait_until(lambda: close(slider_input(page, name).input_value(), value),
                   message=f"the {name} box to show {value}")
    # the handle snaps to the slider's grid (-100 + k * 0.2 mV): within one step of 2.5
    wait_until(lambda: close(page.locator(".param-V .noUi-handle").get_attribute("aria-valuenow"), 2.5, 0.2 + 1e-9),
               message="the V slider handle at 2.5")
    assert (dash.p.t, dash.p.V, dash.p.mu_F) == (0.7, 2.5, -1.0), "the snapped handle must not change the state"
    screenshot(page, "url_query")
    # ... and the page's location follows later changes.  (Panel 1.9.4's LocationView pushes the new
    # URL into window.history only at the document's next idle signal, one change late; so read the
    # Location model, which is what the app controls.)
    box = slider_input(page, "V")
    box.fill("1")
    box.press("Enter")
    wait_until(lambda: re.search(r"[?&]V=1(\.0)?(&|$)", location_search(page)),
               message="V=1 in the page's Location model")
    assert s.errors == [], s.errors


def test_bad_values_show_a_message_and_the_server_keeps_serving(page, app_server):
    s = open_app(page, app_server)
    dash = s.dashboard
    box = slider_input(page, "t")
    box.fill("99")
    box.press("Enter")
    wait_until(lambda: alert(page).is_visible(), message="the alert")
    text = wait_until(lambda: alert_text(page), message="the alert's text")
    # the same one-line message as the Python API and the CLI: the value and the allowed range with its unit
    assert "t = 99" in text and bounds_text("t") in text, text
    assert dash.p.t == 0.1, "the refused value is not applied"
    wait_until(lambda: close(box.input_value(), 0.1), message="the t box to show the valid value again")
    screenshot(page, "bad_t")

    page.get_by_text("Directions", exact=True).click()
    vec = page.locator(".param-that input").first
    vec.wait_for(state="visible")
    vec.fill("0,0,0")
    vec.press("Enter")
    wait_until(lambda: "that" in alert_text(page) and "zero length" in alert_text(page),
               message="a message naming that")
    assert dash.p.that == (1.0, 0.0, 0.0)
    screenshot(page, "bad_that")

    other = page.context.new_page()
    s2 = open_app(other, app_server)
    assert s2.dashboard is not dash and s2.dashboard.message == ""
    assert not alert(other).is_visible()
    other.close()
    assert s.errors == [], s.errors
