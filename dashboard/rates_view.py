"""The switching-rates tab: each basin's switching rate (1/ns) against V, on a log scale, with its 95 % interval
where the method gives one; the biases without a rate and why; a telegraph trace at the current V; CSV export.

Every number comes from :func:`dimer_core.studies.sweeps.spectral_rates_sweep` (one free spin),
:func:`~dimer_core.studies.sweeps.rates_sweep` (both spins free) and :func:`~dimer_core.studies.sweeps.telegraph`,
run by :class:`dashboard.state.Dashboard` in worker threads.
"""
import io

import holoviews as hv
import numpy as np
import panel as pn

from .controls import run_controls
from .state import RATES_METHODS, RATES_V, TRACE_PS
from .views import STATE_COLOURS, TOOLS, V_DIM, page_toolbar

__all__ = ["RATE_TITLE", "TRACE_TITLE", "rates_table", "missing_rates", "rates_view", "trace_view", "rates_tab"]

RATE_TITLE = "switching rate out of each basin"
TRACE_TITLE = "telegraph trace: the basin against time"
RATE_DIM = hv.Dimension("rate", label="rate 1/τ", unit="1/ns")


def _interval(ds):
    """(low, high) of the rate (1/ns) where the dataset has the 95 % interval of the mean dwell, else None."""
    if "dwell_low" not in ds:
        return None
    return 1e3 / ds.dwell_high.values, 1e3 / ds.dwell_low.values


def rates_table(ds):
    """The result as a table (pandas.DataFrame): one row per bias and basin with a rate, and its stable state."""
    import pandas as pd

    rows, spread = [], _interval(ds)
    comps = [str(c) for c in ds.component.values]
    for k, v in enumerate(ds.V.values):
        for b in ds.basin.values:
            rate = float(ds.rate.values[k, b])
            if not np.isfinite(rate):
                continue
            row = {"V (mV)": float(v), "basin": int(b),
                   **{c: float(x) for c, x in zip(comps, ds.m.values[k, b])},
                   "rate (1/ns)": rate, "mean dwell (ps)": float(ds.dwell.values[k, b])}
            if spread is not None:
                row.update({"rate 95 % low (1/ns)": float(spread[0][k, b]),
                            "rate 95 % high (1/ns)": float(spread[1][k, b]),
                            "dwells counted": int(ds.n_dwells.values[k, b])})
            rows.append(row)
    return pd.DataFrame(rows)


def missing_rates(ds):
    """Why biases have no rate, as lines of text: the library's reasons (outside the model's validity, no
    barrier, a spectrum not converged), else the number of stable states there."""
    lines = [f"outside the model's validity: {ds.attrs['validity']}"] if ds.attrs.get("validity") else []
    no_switching = ds.attrs.get("no_switching", "")
    if no_switching:
        lines.append(f"no barrier between the states: {no_switching}")
    not_converged = ds.attrs.get("not_converged", "")
    if not_converged:
        lines.append(f"the spectrum did not converge: {not_converged}")
    invalid = ds.outside_validity.values if "outside_validity" in ds else np.zeros(ds.V.size, bool)
    mentioned = no_switching + "; " + not_converged
    single = [v for k, v in enumerate(ds.V.values) if not invalid[k] and not np.isfinite(ds.rate.values[k]).any()
              and f"V = {v:g} mV:" not in mentioned]
    if single:
        need = "exactly two" if ds.attrs.get("method") == "fokker-planck-spectrum" else "two or more"
        lines.append(f"V = {', '.join(f'{v:g}' for v in single)} mV: not {need} stable states, nothing to switch "
                     "between")
    if "enough" in ds:
        few = [v for k, v in enumerate(ds.V.values) if np.isfinite(ds.rate.values[k]).any() and not ds.enough.values[k]]
        if few:
            lines.append(f"V = {', '.join(f'{v:g}' for v in few)} mV: fewer than 20 dwells in a basin (wide "
                         "intervals)")
    return lines


def _rates_plot(ds):
    v, spread = ds.V.values, _interval(ds)
    layers = []
    for b in ds.basin.values:
        y = ds.rate.values[:, b]
        pick = np.isfinite(y) & (y > 0)
        if not pick.any():
            continue
        colour = STATE_COLOURS[b % len(STATE_COLOURS)]
        if spread is not None:
            low, high = spread[0][pick, b], spread[1][pick, b]
            layers.append(hv.ErrorBars((v[pick], y[pick], y[pick] - low, high - y[pick]), V_DIM,
                                       [RATE_DIM, "neg", "pos"]).opts(color=colour))
        layers.append(hv.Curve((v[pick], y[pick]), V_DIM, RATE_DIM, label=f"out of basin {b}").opts(color=colour))
        layers.append(hv.Scatter((v[pick], y[pick]), V_DIM, RATE_DIM, label=f"out of basin {b}")
                      .opts(color=colour, size=7))
    if not layers:
        return pn.pane.Markdown("No bias of this run has a switching rate (see below).")
    return hv.Overlay(layers).opts(title=RATE_TITLE, logy=True, width=620, height=320, legend_position="right",
                                   shared_axes=False, hooks=[page_toolbar], **TOOLS)


def rates_view(dash):
    """The rates plot, the reasons for missing rates, the table and its CSV download, after a run."""
    def build(result):
        if result is None:
            return pn.pane.Markdown(
                f"Press **Compute the switching rates** for the rate out of each stable state against V "
                f"({RATES_V[0]:g} to {RATES_V[-1]:g} mV, {RATES_V.size} biases) at the current μ_F. *One free spin* is exact (the Fokker–Planck operator's "
                "spectrum; about a second); *both spins free* counts switches in Langevin runs, with 95 % "
                "intervals, and can take minutes: the page first says how long at most. With the presets spin 2 has one "
                "stable state (nothing to switch between); an easy axis K_easy = 4 meV at T = 5 K makes it bistable "
                "from 0.5 to 5.5 mV.")
        table = rates_table(result)
        reasons = missing_rates(result)
        text = ("**No rate at:**\n" + "\n".join(f"- {line}" for line in reasons)) if reasons else ""
        download = pn.widgets.FileDownload(callback=lambda: io.StringIO(table.to_csv(index=False)),
                                           filename=f"rates_{result.attrs.get('method', 'rates')}.csv",
                                           label="Download the rates (CSV)", button_type="default",
                                           css_classes=["download-rates"])
        return pn.Column(_rates_plot(result), pn.pane.Markdown(text, sizing_mode="stretch_width",
                                                               css_classes=["rates-missing"]),
                         download, pn.pane.DataFrame(table, index=False, float_format="{:.4g}".format,
                                                     css_classes=["rates-table"]))

    return pn.bind(build, dash.rates.param.result)


def trace_view(dash):
    """The basin against time (ps) at one V, after a telegraph run."""
    def build(result):
        if result is None:
            return pn.pane.Markdown(f"**Telegraph trace** at the current V: which basin the spins are in over "
                                    f"{TRACE_PS:g} ps of one Langevin run (the two-level signal a spin-polarised "
                                    "current would show).")
        t, basin = result.time.values, result.basin.values
        switches = int(np.count_nonzero(np.diff(basin)))
        curve = hv.Curve((t, basin), hv.Dimension("time", label="t", unit="ps"),
                         hv.Dimension("basin", label="basin")).opts(interpolation="steps-post", color="black")
        return curve.opts(title=f"{TRACE_TITLE} (V = {result.attrs['V_mV']:g} mV, {switches} switches)",
                          width=620, height=220, yticks=list(range(int(basin.max()) + 1)),
                          ylim=(-0.3, int(basin.max()) + 0.3), shared_axes=False,
                          hooks=[page_toolbar], **TOOLS)

    return pn.bind(build, dash.telegraph.param.result)


def rates_tab(dash):
    """The tab: the route, Run/Stop/progress, the rates; the telegraph trace at the current V."""
    return pn.Column(
        pn.Row(pn.widgets.RadioButtonGroup.from_param(dash.param.rates_method, name="route",
                                                      options={v: k for k, v in RATES_METHODS.items()}),
               pn.widgets.Select.from_param(dash.param.terms, name="terms", width=140)),
        run_controls(dash, dash.rates, dash.start_rates, "switching rates", dash.rates_seconds,
                     button="Compute the switching rates", fewer=False),
        rates_view(dash),
        run_controls(dash, dash.telegraph, dash.start_telegraph, "telegraph trace",
                     button="Telegraph trace at this V"),
        trace_view(dash))

