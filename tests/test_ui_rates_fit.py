"""Issue 14 in a real browser (Debian's Chromium, headless): the switching-rates tab computes the rates off the
event loop and draws them, says why biases have none and draws a telegraph trace; the fit tab takes an uploaded
CSV, names a bad file's problem (the page stays usable), fits the good one within its intervals and applies the
estimates to the sidebar.

Run: ``.venv/bin/pytest -ra tests/test_ui_rates_fit.py``.  Screenshots go to test-artifacts/.
"""
import numpy as np
import pytest

from dashboard.rates_view import RATE_TITLE, TRACE_TITLE
from dimer_core.studies.fitting import example_table, interval

from .ui_support import (RUN, app_server, browser_context_args, browser_type_launch_args,  # noqa: F401
                         open_app, open_tab, plots, run_button, screenshot, status, wait_until)

pytest.importorskip("pytest_playwright")

TRUTH = {"t0": 2.3, "tL": 9.0}


def text(page, css_class):
    """The text of a pane (its shadow root's) with this CSS class."""
    return page.locator(f".{css_class}").first.evaluate("e => (e.shadowRoot || e).textContent")


def plot_starting(page, prefix):
    return next((p for t, p in plots(page).items() if t.startswith(prefix)), None)


def test_rates_tab_draws_the_spectrum_rates_and_a_telegraph_trace(page, app_server):
    s = open_app(page, app_server, "?K_easy=4&T=5&V=3", timeout=300)  # spin 2 bistable from 0.5 to 5.5 mV
    dash = s.dashboard
    open_tab(page, "Switching rates")
    run_button(page, "rates").click()
    wait_until(lambda: "done" in status(page, "rates"), timeout=RUN, message="the switching rates")
    ds = dash.rates.result
    rates = ds.rate.values[np.isfinite(ds.rate.values)]
    wait_until(lambda: plot_starting(page, RATE_TITLE), timeout=60, message="the rates plot")
    shown = sorted(y for _, y in plot_starting(page, RATE_TITLE)["points"])
    np.testing.assert_allclose(shown, np.sort(rates), rtol=1e-9)
    missing = text(page, "rates-missing")
    assert "V = 0 mV: L = 32" in missing and "V = 6 mV" in missing, missing

    run_button(page, "telegraph").click()
    wait_until(lambda: "done" in status(page, "telegraph"), timeout=RUN, message="the telegraph trace")
    wait_until(lambda: plot_starting(page, TRACE_TITLE), timeout=60, message="the trace plot")
    assert "V = 3 mV" in next(t for t in plots(page) if t.startswith(TRACE_TITLE))
    page.locator(".run-rates").scroll_into_view_if_needed()
    screenshot(page, "rates_tab")
    page.mouse.wheel(0, 900)
    screenshot(page, "rates_tab_trace")

    # both spins free: the page says first how long the run can take, and starts it only when asked
    page.locator(".bk-btn", has_text="both spins free, Langevin counting").click()
    wait_until(lambda: dash.rates_method == "langevin", message="the route on the server")
    run_button(page, "rates").click()
    offer = page.locator(".offer-rates").first
    wait_until(offer.is_visible, timeout=120, message="the estimate of the Langevin rates")
    assert "up to about" in page.locator(".offer-rates-start button").inner_text()
    assert not page.locator(".offer-rates-short").is_visible()
    assert not dash.rates.running and dash.rates.result is ds
    assert s.errors == [], s.errors


def test_fit_tab_names_a_bad_file_then_fits_an_upload_and_applies_it(page, app_server, tmp_path):
    s = open_app(page, app_server, timeout=300)
    dash = s.dashboard
    open_tab(page, "Fit")
    chooser = page.locator(".fit-file input[type=file]")
    chooser.wait_for(state="attached", timeout=60_000)
    bad = tmp_path / "bad.csv"
    bad.write_text("V,dIdV,G\n1,2,3\n")
    chooser.set_input_files(str(bad))
    alert = page.locator(".fit-message")
    wait_until(lambda: "unknown column 'G'" in text(page, "fit-message"), timeout=60, message="the bad file's message")

    good = tmp_path / "measured.csv"
    example_table(dash.p.updated(**TRUTH), np.linspace(-8, 8, 33)).to_csv(good, index=False)
    chooser.set_input_files(str(good))
    wait_until(lambda: "dIdV at 33 biases" in text(page, "fit-summary"), timeout=60,
               message="the loaded file's summary")
    assert not alert.is_visible()
    run_button(page, "fit").click()
    wait_until(lambda: "done" in status(page, "fit"), timeout=RUN, message="the fit")
    ds = dash.fit.run.result
    for name, value in TRUTH.items():
        lo, hi = interval(ds, name)
        assert lo < value < hi, (name, value, lo, hi)
    table = text(page, "fit-table")
    assert "t₀ (meV)" in table and "95 % low" in table
    wait_until(lambda: plot_starting(page, "dI/dV: data and fit"), timeout=60, message="the fit plot")
    page.locator(".fit-apply").scroll_into_view_if_needed()
    page.mouse.wheel(0, 300)
    screenshot(page, "fit_tab")
    page.locator(".fit-apply button").click()
    wait_until(lambda: abs(dash.p.t0 - float(ds.estimate.sel(param="t0"))) < 1e-6, timeout=60,
               message="t0 applied to the sidebar")
    assert s.errors == [], s.errors
