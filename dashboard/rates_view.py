"""The switching-rates tab: each basin's switching rate (1/ns) against V, on a log scale, with its 95 % interval
where the method gives one; the biases without a rate and why; a telegraph trace at the current V; CSV export.

Every number comes from :func:`dimer_core.studies.sweeps.spectral_rates_sweep` (one free spin),
:func:`~dimer_core.studies.sweeps.rates_sweep` (both spins free) and :func:`~dimer_core.studies.sweeps.telegraph`,
run by :class:`dashboard.state.Dashboard` in worker threads.
"""
import io
import re

import holoviews as hv
import numpy as np
import panel as pn

from .controls import run_controls
from .state import RATES_METHODS, RATES_V, TRACE_PS
from .views import STATE_COLOURS, TOOLS, V_DIM, page_toolbar

__all__ = ["RATE_TITLE", "TRACE_TITLE", "RATES_INTRO", "state_name", "rates_table", "missing_rates", "rates_results",
           "rates_view", "trace_view", "rates_tab"]

RATE_TITLE = "switching rate out of each stable state"
TRACE_TITLE = "telegraph trace: the state against time"
RATE_DIM = hv.Dimension("rate", label="rate 1/τ", unit="1/ns")
SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


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
            row = {"V (mV)": float(v), "basin": int(b), "state": state_name(comps, ds.m.values[k, b]),
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
    lines += re.split(r"; (?=V = )", no_switching) if no_switching else []  # one line per bias
    invalid = ds.outside_validity.values if "outside_validity" in ds else np.zeros(ds.V.size, bool)
    single = [v for k, v in enumerate(ds.V.values) if not invalid[k] and not np.isfinite(ds.rate.values[k]).any()
              and f"V = {v:g} mV:" not in no_switching]
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


def state_name(components, m):
    """A stable state named by each spin's nearest axis, e.g. ``"m₂ ≈ −z"`` or ``"m₁ ≈ +z, m₂ ≈ −z"``
    (``components``: the dataset's names, ``m1_x`` …)."""
    parts = []
    for i in range(0, len(components), 3):
        j = int(np.argmax(np.abs(m[i:i + 3])))
        spin = components[i].split("_")[0].translate(SUBSCRIPTS)
        parts.append(f"{spin} ≈ {'+' if m[i + j] > 0 else '−'}{'xyz'[j]}")
    return ", ".join(parts)


def _series(ds):
    """{state name: (V, rate, low, high)}: the rates grouped by the state they leave (a basin's index can
    change from one bias to the next; the state's name does not), in the order first met along V."""
    spread, comps = _interval(ds), [str(c) for c in ds.component.values]
    series = {}
    for k, v in enumerate(ds.V.values):
        names = [state_name(comps, ds.m.values[k, b]) for b in ds.basin.values]
        for b in ds.basin.values:
            rate = ds.rate.values[k, b]
            if not (np.isfinite(rate) and rate > 0):
                continue
            name = names[b] if names.count(names[b]) == 1 else f"basin {b}"
            low, high = (spread[0][k, b], spread[1][k, b]) if spread is not None else (rate, rate)
            series.setdefault(name, []).append((v, rate, low, high))
    return {name: tuple(np.array(x) for x in zip(*rows)) for name, rows in series.items()}


def _rates_plot(ds):
    layers = []
    for i, (name, (v, y, low, high)) in enumerate(_series(ds).items()):
        colour = STATE_COLOURS[i % len(STATE_COLOURS)]
        if "dwell_low" in ds:
            layers.append(hv.ErrorBars((v, y, y - low, high - y), V_DIM, [RATE_DIM, "neg", "pos"]).opts(color=colour))
        layers.append(hv.Curve((v, y), V_DIM, RATE_DIM, label=f"out of {name}").opts(color=colour))
        layers.append(hv.Scatter((v, y), V_DIM, RATE_DIM, label=f"out of {name}").opts(color=colour, size=7))
    if not layers:
        return pn.pane.Markdown("No bias of this run has a switching rate (see below).")
    return hv.Overlay(layers).opts(title=RATE_TITLE, logy=True, width=640, height=320, legend_position="right",
                                   padding=0.05,
                                   shared_axes=False, hooks=[page_toolbar], **TOOLS)


RATES_INTRO = (
    f"Press **Compute the switching rates** for the rate out of each stable state against V "
    f"({RATES_V[0]:g} to {RATES_V[-1]:g} mV, {RATES_V.size} biases) at the current μ_F. *One free spin* is exact (the "
    "Fokker–Planck operator's spectrum; a few seconds a bias); *both spins free* counts switches in Langevin runs, "
    "with 95 % intervals, and can take minutes: the page first says how long at most. With the presets spin 2 has "
    "one stable state (nothing to switch between); an easy axis K_easy = 4 meV at T = 5 K makes it bistable from "
    "0.5 to 5.5 mV.")


def rates_results(run, intro):
    """The rates plot, the reasons for missing rates, the table and its CSV download of ``run``'s result
    (:func:`dimer_core.studies.sweeps.spectral_rates_sweep`, :func:`~dimer_core.studies.sweeps.rates_sweep` or
    :func:`dimer_core.studies.junction_lines.junction_rates`); ``intro`` (Markdown) before a run."""
    def build(result):
        if result is None:
            return pn.pane.Markdown(intro, sizing_mode="stretch_width")
        table = rates_table(result)
        reasons = missing_rates(result)
        text = ("**No rate at:**\n" + "\n".join(f"- {line}" for line in reasons)) if reasons else ""
        download = pn.widgets.FileDownload(callback=lambda: io.StringIO(table.to_csv(index=False)),
                                           filename=f"rates_{result.attrs.get('method', 'rates')}.csv",
                                           label="Download the rates (CSV)", color="default",
                                           css_classes=["download-rates"])
        return pn.Column(_rates_plot(result), pn.pane.Markdown(text, sizing_mode="stretch_width",
                                                               css_classes=["rates-missing"]),
                         download, pn.pane.DataFrame(table, index=False, float_format="{:.4g}".format,
                                                     css_classes=["rates-table"]))

    return pn.bind(build, run.param.result)


def rates_view(dash):
    """The main page's rates (:func:`rates_results` of ``dash.rates``)."""
    return rates_results(dash.rates, RATES_INTRO)


def trace_view(dash):
    """The basin against time (ps) at one V, after a telegraph run."""
    def build(result):
        if result is None:
            return pn.pane.Markdown(f"**Telegraph trace** at the current V: which basin the spins are in over "
                                    f"{TRACE_PS:g} ps of one Langevin run (the two-level signal a spin-polarised "
                                    "current would show).")
        t, basin = result.time.values, result.basin.values
        comps = [str(c) for c in result.component.values]
        states = np.asarray(result.attrs["states"]).reshape(-1, len(comps))
        switches = int(np.count_nonzero(np.diff(basin[basin >= 0])))
        curve = hv.Curve((t, basin), hv.Dimension("time", label="t", unit="ps"),
                         hv.Dimension("basin", label="state")).opts(interpolation="steps-post", color="black")
        return curve.opts(title=f"{TRACE_TITLE} (V = {result.attrs['V_mV']:g} mV, {switches} switches)",
                          width=640, height=220, yticks=[(i, state_name(comps, m)) for i, m in enumerate(states)],
                          ylim=(-0.3, len(states) - 0.7), shared_axes=False, hooks=[page_toolbar], **TOOLS)

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

