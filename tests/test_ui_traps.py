"""The traps of issue 12 in a real browser (Debian's Chromium, headless): what a new user typed or clicked
and the page ignored, kept or hid.  Each test failed on commit 7a90174.

Run: ``.venv/bin/python -m pytest -ra tests/test_ui_traps.py``.  Screenshots go to test-artifacts/.
"""
import re

import numpy as np
import pytest

from dashboard import state
from dashboard.labels import symbol
from dimer_core.params import bounds_text
from dimer_core.studies.sweeps import dimer_sweep, langevin_sweep

from .ui_support import (LIVE_VIEWS_JS, MAP_TITLES, RUN, app_server,  # noqa: F401
                         browser_context_args, browser_type_launch_args, new_page, open_app, open_tab, plot,
                         progress, run_button, screenshot, status, stop_button, stop_quietly, timed_step, wait_until)

pytest.importorskip("pytest_playwright")

OPEN = 300.0
"""Seconds allowed for a page to show its maps (2 cores, shared with other work)."""


def box(page, name):
    """The number box (or text box) of the ``param-<name>`` widget."""
    return page.locator(f".param-{name} input").first


def type_into(page, name, text):
    field = box(page, name)
    field.wait_for(state="visible")
    field.fill(text)
    field.press("Enter")


def alert_text(page):
    return " ".join(page.locator(".alert-danger p").all_inner_texts())


def close(a, b, tol=1e-9):
    return a is not None and b is not None and abs(float(a) - float(b)) <= tol


def handle(page, name):
    return page.locator(f".param-{name} .noUi-handle")


def test_typing_0_applies_t_and_t0_and_te_0_is_refused_by_name(page, app_server):
    """t = 0 is the paper's comparison case; a fresh number box dropped a typed 0 (and any number it had held)."""
    s = open_app(page, app_server, timeout=OPEN)
    dash = s.dashboard
    type_into(page, "t", "0")
    wait_until(lambda: dash.p.t == 0.0, timeout=120, message="t = 0 on the server")
    type_into(page, "t0", "0")
    wait_until(lambda: dash.p.t0 == 0.0, timeout=120, message="t0 = 0 on the server")
    for typed in ("0.3", "0"):  # a number typed before, and typed again after another: each one applied
        type_into(page, "t", typed)
        wait_until(lambda: dash.p.t == float(typed), timeout=120, message=f"t = {typed} on the server")
    assert dash.message == ""

    page.get_by_text("Sites and leads", exact=True).click()
    type_into(page, "te", "0")
    text = wait_until(lambda: alert_text(page), timeout=60, message="a message about te = 0")
    assert "te = 0" in text and bounds_text("te") in text, text
    assert dash.p.te == 100.0
    wait_until(lambda: close(box(page, "te").input_value(), 100.0), message="the te box to show 100 again")
    screenshot(page, "traps_te_0")
    assert s.errors == [], s.errors


def test_a_refused_value_keeps_the_slider_range_and_shows_the_valid_value(page, app_server):
    s = open_app(page, app_server, timeout=OPEN)
    dash = s.dashboard
    for name, typed, valid, end in (("t", "1000", 0.1, 20.0), ("V", "500", 0.0, 100.0)):
        type_into(page, name, typed)
        wait_until(lambda: f"{name} = {typed}" in alert_text(page), timeout=60, message=f"a message about {name}")
        assert getattr(dash.p, name) == valid
        wait_until(lambda: close(box(page, name).input_value(), valid), message=f"the {name} box to show {valid}")
        wait_until(lambda: close(handle(page, name).get_attribute("aria-valuenow"), valid),
                   message=f"the {name} handle at {valid}")
        assert float(handle(page, name).get_attribute("aria-valuemax")) == end, f"the {name} slider kept its range"
    screenshot(page, "traps_refused_range")
    assert s.errors == [], s.errors


def test_a_refused_vector_shows_the_state_again_with_a_clear_message(page, app_server):
    s = open_app(page, app_server, timeout=OPEN)
    dash = s.dashboard
    page.get_by_text("Directions", exact=True).click()
    for typed, said in (("abc", "t̂ (that): 'abc' is not three numbers; give a nonzero 3-vector such as 1,0,0"),
                        ("1,2", "t̂ (that): '1,2' is not three numbers"),
                        ("0,0,0", "has zero length")):
        type_into(page, "that", typed)
        wait_until(lambda: said in alert_text(page), timeout=60, message=f"the message for {typed!r}")
        assert dash.p.that == (1.0, 0.0, 0.0)
        wait_until(lambda: box(page, "that").input_value() == "1,0,0", message="the that box to show 1,0,0 again")
    screenshot(page, "traps_refused_vector")
    type_into(page, "m1", "0,1,1")  # a valid vector is applied (normalised) and the box shows what applies
    wait_until(lambda: np.allclose(dash.p.m1, (0, 2 ** -0.5, 2 ** -0.5)), timeout=120, message="m1 on the server")
    wait_until(lambda: box(page, "m1").input_value() == "0,0.7071,0.7071", message="the m1 box to show m1")
    assert alert_text(page) == "" or not page.locator(".alert-danger").first.is_visible()
    assert s.errors == [], s.errors


RANGES_JS = """() => {
  // x and y range of every live map (by title) and of the two cut plots
""" + LIVE_VIEWS_JS + """
  const out = {};
  for (const v of views) {
    if (v.model.type !== 'Figure' || !v.model.title) continue;
    const f = v.model;
    out[f.title.text] = [f.x_range.start, f.x_range.end, f.y_range.start, f.y_range.end];
  }
  return out;
}"""


def marker_inside_every_map(page, V, mu_F):
    """Every map's marker at (V, mu_F), inside the map's shown ranges, and the map's image covers it."""
    ranges = page.evaluate(RANGES_JS)
    for title in MAP_TITLES:
        x0, x1, y0, y1 = ranges[title]
        (x, y), = plot(page, title)["points"]
        if not (close(x, V, 1e-6) and close(y, mu_F, 1e-6) and x0 <= x <= x1 and y0 <= y <= y1):
            return False
    return ranges


def test_home_on_the_bias_sliders_keeps_the_marker_on_the_maps(page, app_server):
    s = open_app(page, app_server, timeout=OPEN)
    dash = s.dashboard
    handle(page, "V").press("Home")
    wait_until(lambda: dash.p.V == -100.0, timeout=60, message="V = -100 mV on the server")

    def on_maps_and_cut():
        ranges = marker_inside_every_map(page, -100.0, 0.0)
        cut = ranges and next(r for t, r in ranges.items() if t.startswith("cuts against V"))
        return cut and cut[0] <= -100.0 <= cut[1]
    wait_until(on_maps_and_cut, timeout=120, message="the marker at V = -100 mV inside every map and the cut")
    assert dash.dataset().V.values.min() <= -100.0, "the maps are computed where the point is"
    handle(page, "mu_F").press("End")
    wait_until(lambda: dash.p.mu_F == 50.0, timeout=60, message="mu_F = 50 meV on the server")
    wait_until(lambda: marker_inside_every_map(page, -100.0, 50.0), timeout=120,
               message="the marker at mu_F = 50 meV inside every map")
    screenshot(page, "traps_window_follows")
    type_into(page, "V", "1")  # back near zero: the maps show the detail around the resonances again
    type_into(page, "mu_F", "0.5")

    def zoomed_back():
        ranges = marker_inside_every_map(page, 1.0, 0.5)
        return ranges and all(r[1] - r[0] <= 30.0 and r[3] - r[2] <= 15.0 for t, r in ranges.items() if t in MAP_TITLES)
    # (a marker's data may reach the page a moment before its plot's new ranges)
    wait_until(zoomed_back, timeout=120, message="the marker at (1, 0.5) on maps zoomed back to ±12 mV, ±6 meV")
    assert s.errors == [], s.errors


def checked(page, text):
    """Whether the checkbox labelled ``text`` is ticked in the page."""
    return page.locator("label", has_text=text).locator("input").is_checked()


def test_clicking_a_checkbox_label_toggles_it(page, app_server):
    s = open_app(page, app_server, timeout=OPEN)
    dash = s.dashboard
    page.get_by_text("symmetric leads", exact=False).click()
    wait_until(lambda: dash.symmetric is False, timeout=60, message="symmetric leads off")
    page.get_by_text("guide lines", exact=False).click()
    wait_until(lambda: dash.guides is False, timeout=60, message="guide lines off")
    assert not checked(page, "guide lines") and not checked(page, "symmetric leads")
    open_tab(page, "Reversal path")
    page.get_by_text("with thermal noise", exact=False).click()
    wait_until(lambda: dash.path_noise is True, timeout=60, message="thermal noise on")
    wait_until(lambda: checked(page, "with thermal noise"), message="the noise box ticked")
    page.get_by_text("guide lines", exact=False).click()
    wait_until(lambda: dash.guides is True and checked(page, "guide lines"), timeout=60, message="guide lines on again")
    assert s.errors == [], s.errors


def test_an_error_message_does_not_move_the_page(page, app_server):
    s = open_app(page, app_server, timeout=OPEN)
    before = plot(page, symbol("J_2"))["frame"]
    type_into(page, "t", "99")
    wait_until(lambda: "t = 99" in alert_text(page), timeout=60, message="the message about t = 99")
    alert = page.locator(".alert-danger").first
    wait_until(lambda: alert.is_visible(), message="the message in view")
    box_ = alert.bounding_box()
    assert box_ and 0 <= box_["y"] < 1300 and box_["height"] > 10, box_
    after = plot(page, symbol("J_2"))["frame"]
    assert abs(after["top"] - before["top"]) < 1 and abs(after["left"] - before["left"]) < 1, (before, after)
    screenshot(page, "traps_message_overlay")
    type_into(page, "t", "0.2")  # a valid value clears the message; the maps still have not moved
    wait_until(lambda: not alert.is_visible(), timeout=120, message="the message to go")
    after = plot(page, symbol("J_2"))["frame"]
    assert abs(after["top"] - before["top"]) < 1, (before, after)
    assert s.errors == [], s.errors


def test_the_reversal_path_runs_off_the_event_loop_with_progress_and_stop(page, browser, app_server, monkeypatch):
    """Page B's V steps while page A computes a reversal path made long on purpose (a million ps)."""
    original = state.reversal_path
    monkeypatch.setattr(state, "reversal_path", lambda p, **kw: original(p, **{**kw, "t_total": 1e6}))
    a = open_app(page, app_server, timeout=OPEN)
    other = new_page(browser)
    try:
        b = open_app(other, app_server, timeout=OPEN)
        open_tab(page, "Reversal path")
        run_button(page, "trajectory").click()
        try:
            steps = [timed_step(other, "V", key, V=v, mu_F=0.0, timeout=120)[0]
                     for key, v in (("ArrowRight", 0.2), ("ArrowLeft", 0.0))]
            assert max(steps) < 3.0, f"page B's V steps took {steps} s while page A computed a path"
            wait_until(lambda: progress(page, "trajectory") > 0, timeout=120, message="A's path to report progress")
            assert "steps" in status(page, "trajectory") and not stop_button(page, "trajectory").is_disabled()
            screenshot(page, "traps_path_running")
            stop_button(page, "trajectory").click()
            wait_until(lambda: "stopped" in status(page, "trajectory"), timeout=RUN, message="the path stopped")
        finally:
            stop_quietly(a.dashboard.path)
        assert a.dashboard.trajectory is None
        assert a.errors == [] and b.errors == [], (a.errors, b.errors)
    finally:
        other.context.close()


def test_a_long_status_line_wraps_within_the_page(page, app_server):
    """Strong SOC at mu_F = 2 meV: the Langevin run names many biases outside the model's validity."""
    s = open_app(page, app_server, "?t=1&mu_F=2", timeout=OPEN)
    dash = s.dashboard
    open_tab(page, "Langevin")
    handle_ = page.locator('.noUi-handle[aria-valuemax="256.0"]')
    handle_.press("Home")
    wait_until(lambda: dash.realizations == 2, timeout=60, message="2 trajectories per bias")
    run_button(page, "langevin").click()
    text = wait_until(lambda: "validity" in status(page, "langevin") and status(page, "langevin"), timeout=RUN,
                      message="the run's validity note")
    assert len(text) > 300, text
    line = page.locator(".status-langevin pre").first
    line.scroll_into_view_if_needed()
    box_ = line.bounding_box()
    width = page.viewport_size["width"]
    assert box_["x"] + box_["width"] <= width, f"the status line runs off the page: {box_}"
    assert box_["height"] > 40, f"the status line wraps: {box_}"
    screenshot(page, "traps_status_wraps")
    assert s.errors == [], s.errors


def test_a_long_run_shows_its_estimate_and_can_be_shortened_before_it_starts(page, app_server, monkeypatch):
    """The offer shows the estimate the state computes and offers the trajectories that fit in LONG_RUN.

    The estimate is pinned (6 s a trajectory for both spins, 0.5 s for Langevin): the page's arithmetic is
    checked exactly, not two measurements of a loaded machine against each other (the estimate's accuracy is
    benchmarks/bench_estimate.py's)."""
    seconds_per_trajectory = {dimer_sweep: 6.0, langevin_sweep: 0.5}
    asked = []

    def pinned_estimate(sweep, params, V, terms, n_realizations):
        asked.append((sweep, n_realizations))
        return seconds_per_trajectory[sweep] * n_realizations

    monkeypatch.setattr(state, "estimate_seconds", pinned_estimate)
    s = open_app(page, app_server, timeout=OPEN)
    dash = s.dashboard
    open_tab(page, "Both spins free")
    run_button(page, "dimer").click()
    offer = page.locator(".offer-dimer").first
    try:
        wait_until(lambda: offer.is_visible(), timeout=120, message="the estimate before a long run")
        assert not dash.dimer.running, "a run estimated over 10 s does not start at the first click"
    finally:
        stop_quietly(dash.dimer)  # (the code before started the run at once)
    assert asked[0] == (dimer_sweep, 16), asked
    text = " ".join(page.locator(".offer-dimer p").all_inner_texts())
    assert re.search(r"about 96 s \(16 trajectories per bias\)", text), text
    screenshot(page, "traps_estimate")
    short = page.locator(".offer-dimer-short button")
    label = short.inner_text()
    # int(16 * 10 / 96) = 1 trajectory fits in LONG_RUN = 10 s; the fewest allowed is 2 (about 12 s)
    assert re.search(r"Start with 2 trajectories per bias \(about 12 s; error bars 2\.8 times larger\)", label), label
    n = 2
    short.click()
    wait_until(lambda: dash.dimer.running or "done" in status(page, "dimer"), timeout=60, message="the short run")
    assert dash.realizations == n
    wait_until(lambda: "done" in status(page, "dimer"), timeout=RUN, message="the short run to finish")
    assert dash.dimer.result.attrs["n_realizations"] == n

    open_tab(page, "Langevin")  # a run estimated under 10 s (2 trajectories per bias: about 1 s) starts at once
    run_button(page, "langevin").click()
    try:
        wait_until(lambda: dash.langevin.running or "done" in status(page, "langevin"), timeout=60,
                   message="the Langevin run to start at once")
        assert not page.locator(".offer-langevin").first.is_visible()
    finally:
        stop_quietly(dash.langevin)
    assert s.errors == [], s.errors
