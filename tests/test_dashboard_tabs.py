"""Issue 14 on the page, without a browser: the switching-rates tab's run and what it shows, and the fit tab's
session (a bad file named, the example CSV fitted back within its intervals, a refusal, the estimates applied).
The browser side is tests/test_ui_rates_fit.py."""
import io

import numpy as np
import pandas as pd

from dashboard import state
from dashboard.fit_state import EXAMPLE_CHANGES, FitSession, example_csv
from dashboard.fit_view import estimates_table, fit_tab
import holoviews as hv

from dashboard.rates_view import missing_rates, rates_table, rates_view, state_name
from dashboard.state import Dashboard
from dimer_core.studies.fitting import interval
from dimer_core import preset
from dimer_core.studies.sweeps import rates_sweep, spectral_rates_sweep

from .ui_support import wait_until


def test_the_rates_run_gives_the_spectrum_and_says_why_biases_have_none():
    dash = Dashboard()
    for name, value in (("K_easy", 4.0), ("T", 5.0)):  # spin 2 bistable from 0.5 to 5.5 mV
        dash.set_value(name, value)
    assert dash.rates_seconds() == 0.0  # the spectrum starts at once
    dash.start_rates()
    assert dash.rates.running
    wait_until(lambda: not dash.rates.running, timeout=300)
    ds = dash.rates.result
    assert dash.rates.status == "Switching rates: done", dash.rates.status
    alone = spectral_rates_sweep(dash.p.updated(V=0.0), [3.0])
    np.testing.assert_allclose(ds.rate.sel(V=3.0).values, alone.rate.values[0], rtol=1e-12)
    table = rates_table(ds)
    assert set(table["V (mV)"]) == {v for v in state.RATES_V if np.isfinite(ds.rate.sel(V=v).values).all()}
    assert len(table) >= 2 * 9 and (table["rate (1/ns)"] > 0).all()
    text = "\n".join(missing_rates(ds))
    assert "V = 0 mV: L = 32 is too small" in text  # the library's own reasons: the spectrum not converged ...
    assert "V = 6 mV: no isolated switching rate" in text  # ... and no barrier
    # each rate is drawn under the state it leaves: spin 2 along −z or +z at every bias (the basins' order varies)
    assert set(table.state) == {"m₂ ≈ −z", "m₂ ≈ +z"}
    assert state_name(["m1_x", "m1_y", "m1_z", "m2_x", "m2_y", "m2_z"], [0.9, 0.1, 0, 0, 0.2, -0.9]) == "m₁ ≈ +x, m₂ ≈ −z"
    back = pd.read_csv(io.StringIO(table.to_csv(index=False)))
    np.testing.assert_allclose(back["rate (1/ns)"], table["rate (1/ns)"])

    dash.terms = "paper"  # Stop ends a run between two biases and says so; the last finished run stays
    dash.start_rates()
    wait_until(lambda: dash.rates.progress > 0.0, timeout=300)
    dash.rates.stop()
    wait_until(lambda: not dash.rates.running, timeout=300)
    assert "stopped after" in dash.rates.status and dash.rates.result is ds


def test_a_both_spins_rate_run_is_estimated_before_it_starts_and_shown_with_its_intervals():
    dash = Dashboard()
    dash.rates_method = "langevin"
    assert dash.rates_seconds() > 10.0  # 13 biases of both spins: minutes of Langevin runs at most
    ds = rates_sweep(preset("weak-soc", T=40.0), [0.0, 3.0], t_total=300.0)  # short: wide intervals
    table = rates_table(ds)
    assert len(table) >= 4 and table.state.str.match(r"m₁ ≈ [+−][xyz], m₂ ≈ [+−][xyz]$").all()
    assert (table["rate 95 % low (1/ns)"] <= table["rate (1/ns)"]).all()
    assert (table["rate (1/ns)"] <= table["rate 95 % high (1/ns)"]).all()
    np.testing.assert_allclose(table["rate (1/ns)"], 1e3 / table["mean dwell (ps)"])
    hv.extension("bokeh")  # as the app does
    dash.rates.result = ds
    shown = rates_view(dash)()
    plot = shown.objects[0].object
    assert isinstance(plot, hv.Overlay) and any(isinstance(e, hv.ErrorBars) for e in plot)


def test_the_fit_session_names_bad_files_fits_the_example_and_applies_it():
    dash = Dashboard()
    fs = FitSession()
    problems = {b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe": "cannot read it as CSV",
                b"bias,dIdV\n1,2\n": "no column V",
                b"V,dIdV,G\n1,2,3\n": "unknown column 'G'",
                b"V,dIdV\n1,2\nnan,3\n": "row 2: a value without its V",
                b"V,dIdV\n1,abc\n": "'abc' is not a number"}
    for content, message in problems.items():
        fs.load(content, "bad.csv")
        assert fs.data is None and message in fs.message and fs.message.startswith("bad.csv: "), fs.message
    fs.start(dash.p)
    assert "upload a CSV first" in fs.message and not fs.run.running

    fs.load(example_csv(dash.p).encode(), "example_dIdV.csv")
    assert fs.message == "" and "dIdV at 33 biases (with errors)" in fs.summary
    truth = {k: getattr(dash.p, k) * f for k, f in EXAMPLE_CHANGES.items()}
    fs.free = ["t0", "tL"]
    fs.start(dash.p)
    wait_until(lambda: not fs.run.running, timeout=300)
    ds = fs.run.result
    assert fs.run.status == "Fit: done" and fs.run.progress == 1.0
    for name, value in truth.items():
        lo, hi = interval(ds, name)
        assert lo < value < hi, (name, value, lo, hi)
    table = estimates_table(ds)
    assert list(table.parameter) == ["t₀ (meV)", "t_L (meV)"]
    assert (table["95 % low"] < table.estimate).all() and (table.estimate < table["95 % high"]).all()

    fs.free, fs.bounds = ["t0", "Delta"], ""
    fs.start(dash.p)
    wait_until(lambda: not fs.run.running, timeout=300)
    assert fs.run.status.startswith("Fit failed: the data do not constrain Delta"), fs.run.status
    assert fs.run.result is ds  # the last finished fit stays

    fs.bounds = "t0=1"
    fs.start(dash.p)
    assert "write name=LO:HI" in fs.message

    for name, value in fs.estimates().items():
        dash.set_value(name, value)
    assert dash.message == "" and abs(dash.p.t0 - float(ds.estimate.sel(param="t0"))) < 1e-9


def test_the_fit_tab_shows_a_bad_file_and_the_librarys_refusal_in_its_message():
    import panel as pn

    dash = Dashboard()
    tab = fit_tab(dash)
    fs = dash.fit
    alert = next(x for x in tab.select(pn.pane.Alert) if "fit-message" in x.css_classes)
    assert not alert.visible
    fs.load(b"V,dIdV\n1,2\n,3\n", "gap.csv")
    assert alert.visible and alert.object == "gap.csv: row 2: a value without its V"
    fs.load(example_csv(dash.p).encode(), "example.csv")
    assert not alert.visible
    fs.free = ["Delta", "t0"]
    fs.start(dash.p)
    wait_until(lambda: not fs.run.running, timeout=300)
    assert alert.visible and alert.object.startswith("the data do not constrain Delta"), alert.object


def test_the_both_spins_esr_run_shows_its_estimate_before_it_starts(monkeypatch):
    """The ESR tab asks before a run estimated over LONG_RUN: the estimate is modes_seconds (pinned here: 16 s for
    both spins free, 0.5 s for spin 2 alone), shown as "about" (one bias timed and scaled, not a bound); the
    pinned spin's lines start at once."""
    import panel as pn

    from dashboard.views import esr_tab

    asked = []

    def pinned(params, V, spins, terms):
        asked.append((V.size, spins, terms))
        return 16.0 if spins == "both" else 0.5

    monkeypatch.setattr(state, "modes_seconds", pinned)
    dash = Dashboard()
    tab = esr_tab(dash)
    go = next(b for b in tab.select(pn.widgets.Button) if "run-esr" in b.css_classes)
    offer = next(c for c in tab.select(pn.Column) if "offer-esr" in c.css_classes)
    start = next(b for b in tab.select(pn.widgets.Button) if "offer-esr-start" in b.css_classes)
    dash.esr_spins = "both"
    go.clicks += 1
    wait_until(lambda: offer.visible, timeout=60)
    assert asked == [(state.RUN_V.size, "both", "full")] and not dash.esr.running
    assert "takes about 16 s" in offer.objects[0].object and start.label == "Start (about 16 s)", start.label
    dash.esr_spins = "pinned"  # the estimate was for both spins: withdrawn
    assert not offer.visible
    go.clicks += 1
    wait_until(lambda: dash.esr.result is not None and not dash.esr.running, timeout=300)
    assert not offer.visible and dash.esr.status == "ESR lines: done" and dash.esr.result.attrs["spins"] == "pinned"
