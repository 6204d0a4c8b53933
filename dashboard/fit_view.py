"""The fit tab: upload a CSV of measured curves, choose the parameters to free (and their bounds), fit in a worker
thread, then the estimates with standard errors and 95 % intervals, the data with error bars against the fitted
curves, and a button that applies the estimates to the sidebar.  An example CSV shows the format.

The fit is :func:`dimer_core.studies.fitting.fit` (docs/fitting.md); the state is :class:`dashboard.fit_state.FitSession`.
"""
import io

import holoviews as hv
import panel as pn

from dimer_core.studies.fitting import CURVES, interval

from .controls import run_controls
from .fit_state import EXAMPLE_CHANGES, EXAMPLE_V, FIT_PARAMETERS, FitSession, example_csv
from .labels import label, symbol
from .views import TOOLS, V_DIM, page_toolbar
from .widgets import file_input

__all__ = ["CURVE_SYMBOLS", "curve_label", "estimates_table", "fit_tab"]

CURVE_SYMBOLS = {"dIdV": "dI/dV", "f_ESR": "f_ESR", "rate": "λ₁ = 1/τ₁ + 1/τ₂", "Omega_x": "Ω_x", "Omega_y": "Ω_y",
                 "Omega_z": "Ω_z"}
"""How the page names the curves of :data:`dimer_core.studies.fitting.CURVES` (the files keep the keys)."""
UNITS = {"uS": "µS", "GHz": "GHz", "1/ns": "1/ns", "1": ""}


def curve_label(curve):
    """``"dI/dV (µS)"``, ``"Ω_z"``: the symbol of a fitted curve with its unit."""
    unit = UNITS[CURVES[curve]]
    return f"{CURVE_SYMBOLS[curve]} ({unit})" if unit else CURVE_SYMBOLS[curve]


def estimates_table(ds):
    """The estimates as a table (pandas.DataFrame): parameter with its unit, estimate, standard error, 95 %
    interval."""
    import pandas as pd

    rows = []
    for name in ds.param.values:
        lo, hi = interval(ds, str(name))
        rows.append({"parameter": label(str(name)), "estimate": float(ds.estimate.sel(param=name)),
                     "standard error": float(ds.stderr.sel(param=name)), "95 % low": lo, "95 % high": hi})
    return pd.DataFrame(rows)


def _curve_plot(ds, curve):
    v, y = ds[f"V_{curve}"].values, ds[f"data_{curve}"].values
    ylabel = hv.Dimension(curve, label=curve_label(curve))
    layers = [hv.Curve((v, ds[f"model_{curve}"].values), V_DIM, ylabel, label="fit").opts(color="#0072B2",
                                                                                          line_width=2)]
    if f"sigma_{curve}" in ds:  # the data over the fit, so that both stay visible
        layers.append(hv.ErrorBars((v, y, ds[f"sigma_{curve}"].values), V_DIM, [ylabel, "err"]).opts(color="black"))
    layers.append(hv.Scatter((v, y), V_DIM, ylabel, label="data").opts(color="black", size=6, marker="circle",
                                                                       fill_color="white"))
    return hv.Overlay(layers).opts(title=f"{CURVE_SYMBOLS[curve]}: data and fit", width=580, height=320,
                                   legend_position="right", shared_axes=False, hooks=[page_toolbar], **TOOLS)


def fit_tab(dash):
    """The tab: file, example, choices, Fit/Stop/progress, and the result (built when the tab is first opened)."""
    fs = FitSession()
    dash.fit = fs  # for tests
    upload = file_input(".csv", "fit-file", fs.load)
    example = pn.widgets.FileDownload(callback=lambda: io.StringIO(example_csv(dash.p)), filename="example_dIdV.csv",
                                      label="Download an example CSV", color="default",
                                      css_classes=["fit-example"])
    choose = pn.widgets.MultiChoice.from_param(fs.param.free, name="parameters to fit",
                                               options={label(k): k for k in FIT_PARAMETERS}, width=420)
    bounds = pn.widgets.TextInput.from_param(fs.param.bounds, name="bounds (optional, e.g. t0=1:3, tL=5:12)",
                                             width=300)
    problem = pn.pane.Alert("", alert_type="danger", visible=False, css_classes=["fit-message"],
                            sizing_mode="stretch_width")
    summary = pn.pane.Markdown("", css_classes=["fit-summary"])

    def show(*_):
        status = fs.run.status
        refused = status.startswith("Fit failed: ") and not fs.run.running
        problem.object = fs.message or (status[len("Fit failed: "):] if refused else "")
        problem.visible = bool(problem.object)
        summary.object = fs.summary

    fs.param.watch(show, ["message", "summary"])
    fs.run.param.watch(show, ["status", "running"])

    def result(ds):
        if ds is None:
            return pn.pane.Markdown("")
        apply = pn.widgets.Button(label="Apply the fitted values to the sidebar", color="primary",
                                  css_classes=["fit-apply"])
        apply.on_click(lambda _: [dash.set_value(k, v) for k, v in fs.estimates().items()])
        note = (f"Reduced χ² = {ds.attrs['reduced_chi2']:.3g} ({ds.attrs['dof']} degrees of freedom, "
                f"{ds.attrs['evaluations']} evaluations); intervals are estimate ± 1.96 standard errors.")
        curves = [str(k)[len("data_"):] for k in ds.data_vars if str(k).startswith("data_")]
        return pn.Column(pn.pane.DataFrame(estimates_table(ds), index=False, float_format="{:.5g}".format,
                                           css_classes=["fit-table"]),
                         pn.pane.Markdown(note), apply, pn.Row(*[_curve_plot(ds, c) for c in curves]))

    intro = pn.pane.Markdown(
        "Fit parameters of the model to measured curves against V at the current μ_F, starting from the sidebar's "
        "values (docs/fitting.md). The CSV has a column **V** (mV) and any of "
        f"{', '.join(f'**{c}** ({curve_label(c)})' for c in CURVES)}, each with an optional `<name>_err` "
        "(standard errors); an empty cell means no value at that V. The example is the model's dI/dV at "
        f"{EXAMPLE_V.size} biases with 1 % scatter, at the sidebar's parameters but "
        f"{' and '.join(f'{symbol(k)} × {x:g}' for k, x in EXAMPLE_CHANGES.items())}: fitting "
        f"{' and '.join(symbol(k) for k in EXAMPLE_CHANGES)} finds them.", sizing_mode="stretch_width")
    return pn.Column(intro, pn.Row(upload, example), summary, pn.Row(choose, bounds), problem,
                     run_controls(dash, fs.run, lambda: fs.start(dash.p), "fit", button="Fit", indeterminate=True),
                     pn.bind(result, fs.run.param.result), sizing_mode="stretch_width")
