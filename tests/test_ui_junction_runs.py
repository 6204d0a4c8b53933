"""The junction page's ESR lines and switching rates in a real browser (Debian's Chromium, headless): set up through
the page's own inputs (preset, T, K_easy, a small V grid), each section computes off the event loop, and the values
it plots are what ``dimer_core.studies.junction_lines`` computes for the same inputs.

Run: ``.venv/bin/pytest -ra tests/test_ui_junction_runs.py``.  Screenshots go to test-artifacts/.
"""
import os

import numpy as np
import pytest

from dashboard.junction_labels import symbol
from dashboard.rates_view import RATE_TITLE
from dashboard.views import FREQUENCY_TITLE, LINEWIDTH_TITLE
from dimer_core import junction as J
from dimer_core.junction import OneSpin
from dimer_core.studies.junction_lines import junction_modes, junction_rates

from .ui_support import (ARTIFACTS, RUN, app_server, browser_context_args, browser_type_launch_args,  # noqa: F401
                         open_junction, open_tab, plots, screenshot, start_run, status, wait_until,
                         watch_console)

pytest.importorskip("pytest_playwright")

OPEN = 300.0
"""Seconds allowed for the page and its maps (2 cores, shared with other work)."""


def type_into(page, css_class, value):
    """Type ``value`` into the number box with this CSS class and press Enter (as a user does)."""
    box = page.locator(f".{css_class} input")
    box.fill(str(value))
    box.press("Enter")


def section_shot(page, name):
    """A screenshot of the spins section alone (test-artifacts/<name>.png; the README's pictures)."""
    os.makedirs(ARTIFACTS, exist_ok=True)
    page.locator(".junction-spins").first.screenshot(path=os.path.join(ARTIFACTS, f"{name}.png"))


def maps_shown(page, state):
    """Wait until the page's map of J_21 holds the server's (the sum of |value| over its finite points)."""
    want = np.abs(state.data["J_21"].values)
    want = want[np.isfinite(want)].sum()
    wait_until(lambda: (lambda image: image and image["sum"] == pytest.approx(want, rel=1e-9))(
        plots(page).get(symbol("J_21"), {}).get("image")), timeout=OPEN, message="the maps in the page")


def points(page, title):
    """The (x, y) points of the scatter glyphs of the live plot ``title`` (None while it is not drawn)."""
    shown = plots(page).get(title)
    return shown["points"] if shown and shown["points"] else None


def test_the_junction_pages_lines_and_rates_are_the_librarys(page, app_server):
    errors = watch_console(page)
    template = open_junction(page, app_server, OPEN)
    state, runs = template.state, template.runs
    wait_until(lambda: state.data is not None and not state.busy, timeout=OPEN, message="the first maps")

    # dimer-weak-soc with spin 2 free, an easy axis of 4 meV, T = 5 K: bistable (two stable states, four rates)
    page.locator(".junction-preset select").select_option("dimer-weak-soc")
    wait_until(lambda: state.preset == "dimer-weak-soc" and not state.busy and runs.free == [2], timeout=OPEN,
               message="dimer-weak-soc on the server")
    maps_shown(page, state)  # each change of the maps arrives before the next (the page rebuilds them)
    type_into(page, "junction-T", 5)
    wait_until(lambda: state.T == 5.0 and not state.busy and "T = 5 K" in state.status, timeout=OPEN,
               message="the maps at 5 K on the server")
    maps_shown(page, state)
    for css_class, value in (("junction-k-easy", 4), ("junction-v-from", 2), ("junction-v-to", 3),
                             ("junction-biases", 2)):
        type_into(page, css_class, value)
    wait_until(lambda: (state.T, runs.K_easy, runs.V_from, runs.V_to, runs.biases) == (5.0, 4.0, 2.0, 3.0, 2),
               timeout=60, message="the settings on the server")
    wait_until(lambda: "K_easy = 4 meV" in page.locator(".junction-route").first.evaluate(
        "e => (e.shadowRoot || e).textContent"), timeout=60, message="the route line")
    junction = J.preset("dimer-weak-soc").updated(T=5.0, mu_F=state.mu_F)
    inputs = dict(free=(2,), bare=OneSpin(K_easy=4.0))

    start_run(page, "junction-esr")
    wait_until(lambda: "done" in status(page, "junction-esr"), timeout=RUN, message="the ESR lines")
    lines = junction_modes(junction, [2.0, 3.0], **inputs)
    shown = wait_until(lambda: points(page, FREQUENCY_TITLE), timeout=60, message="the frequency plot")
    want = lines.frequency.values[np.isfinite(lines.frequency.values)]
    np.testing.assert_allclose(sorted(y for _, y in shown), np.sort(want), rtol=1e-12)
    assert sorted({x for x, _ in shown}) == [2.0, 3.0]
    widths = points(page, LINEWIDTH_TITLE)
    want = lines.linewidth.values[np.isfinite(lines.linewidth.values)]
    np.testing.assert_allclose(sorted(y for _, y in widths), np.sort(want), rtol=1e-12)
    page.locator(".junction-spins").first.scroll_into_view_if_needed()
    page.locator(".status-junction-esr").first.scroll_into_view_if_needed()
    screenshot(page, "junction_esr_lines")
    section_shot(page, "junction_section_lines")

    open_tab(page, "Switching rates")
    start_run(page, "junction-rates")
    wait_until(lambda: "done" in status(page, "junction-rates"), timeout=RUN, message="the switching rates")
    rates = junction_rates(junction, [2.0, 3.0], **inputs, unconverged="nan", compare=False)
    want = np.sort(rates.rate.values.ravel())
    assert np.isfinite(want).all() and want.size == 4
    shown = wait_until(lambda: points(page, RATE_TITLE), timeout=60, message="the rates plot")
    np.testing.assert_allclose(sorted(y for _, y in shown), want, rtol=1e-12)
    page.locator(".status-junction-rates").first.scroll_into_view_if_needed()
    screenshot(page, "junction_rates")
    section_shot(page, "junction_section_rates")
    assert errors == [], errors
