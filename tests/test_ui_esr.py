"""Issue 14 in a real browser (Debian's Chromium, headless): the ESR lines tab computes the linear modes off the
event loop with progress and Stop, draws each state's frequencies and linewidths against V, and shows what
``dimer_core.studies.sweeps.modes_sweep`` computes; both spins free (about 16 s) show their estimate first.

Run: ``.venv/bin/python -m pytest -ra tests/test_ui_esr.py``.  Screenshots go to test-artifacts/.
"""
import numpy as np
import pytest

from dashboard import state
from dimer_core.studies.sweeps import modes_sweep

from .ui_support import (RUN, app_server, browser_context_args, browser_type_launch_args,  # noqa: F401
                         open_app, open_tab, plots, run_button, screenshot, start_run, status, stop_button,
                         wait_until)

pytest.importorskip("pytest_playwright")

FREQUENCY, LINEWIDTH = "mode frequency f", "linewidth Γ/π"


def test_esr_tab_draws_the_lines_of_modes_sweep_and_stops_on_request(page, app_server, monkeypatch):
    s = open_app(page, app_server, timeout=300)
    dash = s.dashboard
    open_tab(page, "ESR lines")
    run_button(page, "esr").wait_for(state="visible")
    assert FREQUENCY not in plots(page)
    start_run(page, "esr")
    wait_until(lambda: "done" in status(page, "esr"), timeout=RUN, message="the ESR lines")
    wait_until(lambda: {FREQUENCY, LINEWIDTH} <= {t[:len(LINEWIDTH)] if t.startswith(LINEWIDTH) else t
                                                  for t in plots(page)}, timeout=60,
               message="the frequency and linewidth plots")
    expected = modes_sweep(dash.p.updated(V=0.0), state.RUN_V, spins="pinned", terms=dash.terms)
    shown = sorted(y for x, y in plots(page)[FREQUENCY]["points"])
    want = np.sort(expected.frequency.values[np.isfinite(expected.frequency.values)])
    np.testing.assert_allclose(shown, want, rtol=1e-9)
    assert len(shown) >= state.RUN_V.size  # a line at every bias
    page.locator(".status-esr").scroll_into_view_if_needed()
    page.mouse.wheel(0, 400)
    screenshot(page, "esr_lines")

    # both spins free take longer (about 16 s): the page shows the estimate first (pinned here: the estimate's
    # arithmetic is tests/test_timing.py's), then Stop ends the run between two biases and says so
    monkeypatch.setattr(state, "modes_seconds", lambda params, V, spins, terms: 16.0 if spins == "both" else 0.5)
    page.locator(".bk-btn", has_text="both spins free").click()
    wait_until(lambda: dash.esr_spins == "both", message="the spins choice on the server")
    run_button(page, "esr").click()
    offer = page.locator(".offer-esr").first
    wait_until(offer.is_visible, timeout=120, message="the estimate of both spins' lines")
    assert page.locator(".offer-esr-start button").inner_text() == "Start (about 16 s)"
    assert not dash.esr.running
    page.locator(".offer-esr-start button").click()
    wait_until(lambda: not stop_button(page, "esr").is_disabled(), timeout=60, message="the run to start")
    stop_button(page, "esr").click()
    wait_until(lambda: "stopped after" in status(page, "esr"), timeout=RUN, message="the stopped run")
    assert not dash.esr.running and dash.esr.result.attrs["spins"] == "pinned"  # the last finished run stays
    assert s.errors == [], s.errors
