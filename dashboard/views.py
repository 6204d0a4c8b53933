"""The result views of the tabs (HoloViews): the reversal path with its torques, and both spins free.

They are drawn when a computation finishes, from its xarray result; the live plots
of the page are in :mod:`dashboard.plots`.  Labels are the paper's symbols
(:mod:`dashboard.labels`); the mouse wheel scrolls the page (zooming is a tool to pick).
"""
import io

import holoviews as hv
import numpy as np
import panel as pn
from bokeh.models import HoverTool, PanTool, TapTool

from .controls import run_controls
from .labels import symbol, unit
from .plots import AXES as COLORS
from .state import RUN_V

__all__ = ["V_DIM", "PARTS", "TOOLS", "page_toolbar", "trajectory", "dimer", "STATE_COLOURS", "ESR_INTRO",
           "FREQUENCY_TITLE", "LINEWIDTH_TITLE", "lines_table", "lines_view", "esr", "esr_tab"]

V_DIM = hv.Dimension("V", label=symbol("V"), unit=unit("V"))
PARTS = {"exchange": "exchange", "anisotropy": "anisotropy", "DMI": "DMI", "field": "field",
         "damping_i": f"damping {symbol('a_i_22')}", "damping_an": f"damping {symbol('a_an_22')}",
         "damping_DM": f"damping {symbol('a_DM_22')}"}
"""The torques along the reversal path (keys of its dataset) and their legend labels."""
TOOLS = dict(default_tools=["box_zoom", "wheel_zoom", "reset", "save"], active_tools=[])
"""The tools of every HoloViews plot, none active (as :data:`dashboard.plots.TOOLS`)."""


def page_toolbar(hv_plot, element):
    """HoloViews hook: the tools of TOOLS, no scroll tool active, no buttons for hover and tap, no logo.

    With Bokeh's default ("auto") the wheel zoom becomes active as soon as the plot has the focus, e.g.
    after a click on a map, and catches the wheel again: so no scroll tool is active until the user picks
    the wheel zoom.  HoloViews adds the pan tool of every element overlaid (their default tools): it is
    removed.  The hover and tap tools are always on; without their buttons and the logo, the buttons of
    the zooms and the reset fit above a map instead of folding into the toolbar's menu.
    """
    toolbar = hv_plot.state.toolbar
    toolbar.update(active_scroll=None, logo=None, tools=[t for t in toolbar.tools if not isinstance(t, PanTool)])
    for tool in toolbar.tools:
        if isinstance(tool, (HoverTool, TapTool)):
            tool.visible = False


def trajectory(dash):
    """Two projections of the reversal path on the unit sphere, and the Fig. 3 torques along it."""
    circle = np.column_stack([np.cos(np.linspace(0, 2 * np.pi, 200)), np.sin(np.linspace(0, 2 * np.pi, 200))])

    def projection(ds, a, b):
        m1, that = np.asarray(dash.p.m1), np.asarray(dash.p.that)
        idx = {"x": 0, "y": 1, "z": 2}
        path = hv.Path([np.column_stack([ds[f"m_{a}"].values, ds[f"m_{b}"].values])], kdims=[f"m_{a}", f"m_{b}"])
        start = hv.Points([(ds[f"m_{a}"].values[0], ds[f"m_{b}"].values[0])], label="start")
        end = hv.Points([(ds[f"m_{a}"].values[-1], ds[f"m_{b}"].values[-1])], label="end")
        pinned = hv.Points([(m1[idx[a]], m1[idx[b]])], label=f"pinned {symbol('m1')}")
        soc = hv.Points([(that[idx[a]], that[idx[b]])], label=symbol("that"))
        return (hv.Path([circle], kdims=[f"m_{a}", f"m_{b}"]).opts(color="lightgray")
                * path.opts(color="black", line_width=1)
                * start.opts(color="green", size=8) * end.opts(color="red", size=8)
                * pinned.opts(color="blue", size=12, marker="square") * soc.opts(color="purple", size=12,
                                                                                  marker="triangle"))

    def build_plot(result):
        if result is None:
            return pn.pane.Markdown("Press **Compute the reversal path** to integrate m(t) at the current V "
                                    "(starting parallel to the pinned spin).")
        ds = result
        floor = 1e-6  # log axis: torques that vanish (e.g. W damping at t̂ ⟂ path) sit at the floor
        torques = hv.Overlay([hv.Curve((ds.t.values,
                                        np.maximum(np.sqrt(sum(ds[f"{k}_{x}"].values ** 2 for x in "xyz")), floor)),
                                       hv.Dimension("t", unit="ps"), hv.Dimension("|torque|", unit="1/ps"), label=lab)
                              for k, lab in PARTS.items()])
        # equal frames and ranges keep the sphere round; one legend, outside the data
        opts = dict(frame_width=240, frame_height=240, xlim=(-1.1, 1.1), ylim=(-1.1, 1.1), shared_axes=False,
                    hooks=[page_toolbar], **TOOLS)
        return pn.Column(pn.Row(projection(ds, "y", "z").opts(title="m_y, m_z", show_legend=False, **opts),
                                projection(ds, "x", "z").opts(title="m_x, m_z", legend_position="right", **opts)),
                         torques.opts(width=760, height=300, logy=True, legend_position="right", shared_axes=False,
                                      title="torques along the path (Fig. 3)", hooks=[page_toolbar], **TOOLS))

    return pn.bind(build_plot, dash.param.trajectory)


def dimer(dash):
    """Both spins free: ⟨m₁·m₂⟩ and the mean of each spin against V, after a run."""
    def build_plot(result):
        if result is None:
            return pn.pane.Markdown("Press **Run both spins free** to integrate the 6×6 stochastic LLG "
                                    f"(nonlocal damping and correlated noise) over V at the current {symbol('mu_F')}.")
        v = RUN_V
        relative = "⟨m₁·m₂⟩"
        rel = hv.Overlay([hv.ErrorBars((v, result.m1_dot_m2.values, result.m1_dot_m2_err.values), V_DIM,
                                       ["value", "err"]),
                          hv.Curve((v, result.m1_dot_m2.values), V_DIM, "value", label=relative)])
        means = hv.Overlay([hv.Curve((v, result[f"m{s}_{x}"].values), V_DIM, "value", label=f"⟨m{'₁₂'[s - 1]}⟩_{x}")
                            .opts(color=COLORS[x], line_dash="solid" if s == 1 else "dashed")
                            for s in (1, 2) for x in "xyz"])
        opts = dict(width=520, height=300, ylim=(-1.05, 1.05), legend_position="right", shared_axes=False,
                    hooks=[page_toolbar], **TOOLS)
        return pn.Row(rel.opts(title=f"relative orientation {relative}", ylabel=relative, **opts),
                      means.opts(title="mean of each spin (m₁ solid, m₂ dashed)", ylabel="components of ⟨m₁⟩, ⟨m₂⟩",
                                 **opts))

    return pn.bind(build_plot, dash.dimer.param.result)


STATE_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd")
"""One colour per stationary state followed along V (dimer_core.spins.modes.mode_sweep keeps up to four)."""


ESR_INTRO = ("Press **Compute the ESR lines** for the linear modes of the noiseless LLG around each stationary "
             f"state, against V at the current {symbol('mu_F')}: the frequency and the linewidth (full width at half "
             "maximum) of each line in GHz. A negative linewidth is a mode the bias drives: the onset of switching or "
             "auto-oscillation. The static field that places a line is **h**.")
FREQUENCY_TITLE, LINEWIDTH_TITLE = "mode frequency f", "linewidth Γ/π (< 0: driven)"


def lines_table(ds):
    """The lines as a table (pandas.DataFrame): one row per bias, state and mode that exists, with the state's
    orientation and stability."""
    import pandas as pd

    comps = [str(c) for c in ds.component.values]
    rows = []
    for k, v in enumerate(ds.V.values):
        for i in ds.state.values:
            for j in ds.mode.values:
                f = float(ds.frequency.values[k, i, j])
                if not np.isfinite(f):
                    continue
                rows.append({"V (mV)": float(v), "state": int(i), "stable": bool(ds.stable.values[k, i]),
                             **{c: float(x) for c, x in zip(comps, ds.m.values[k, i])}, "mode": int(j),
                             "f (GHz)": f, "linewidth Γ/π (GHz)": float(ds.linewidth.values[k, i, j]),
                             "Q": float(ds.q_factor.values[k, i, j])})
    return pd.DataFrame(rows)


def lines_view(run, intro, filename="esr_lines.csv"):
    """The ESR lines of ``run``'s result (:func:`dimer_core.studies.sweeps.modes_sweep` or
    :func:`dimer_core.studies.junction_lines.junction_modes`): each stationary state's mode frequencies and
    linewidths (GHz) against V (filled dots where the state is stable, crosses where it is not), the stability
    events found along V, and the lines as CSV; ``intro`` (Markdown) before a run."""
    def build_plot(result):
        if result is None:
            return pn.pane.Markdown(intro, sizing_mode="stretch_width")
        v = result.V.values
        overlays = {"frequency": [], "linewidth": []}
        for i in result.state.values:
            colour = STATE_COLOURS[i % len(STATE_COLOURS)]
            stable = result.stable.sel(state=i).values
            for key in overlays:
                for j in result.mode.values:
                    y = result[key].sel(state=i, mode=j).values
                    for keep, marker, name in ((stable, "circle", "stable"), (~stable, "x", "unstable")):
                        pick = keep & np.isfinite(y)
                        if pick.any():
                            overlays[key].append(hv.Scatter((v[pick], y[pick]), V_DIM, key,
                                                            label=f"state {i} ({name})")
                                                 .opts(color=colour, marker=marker, size=7))
        titles = {"frequency": (FREQUENCY_TITLE, "f (GHz)"), "linewidth": (LINEWIDTH_TITLE, "Γ/π (GHz)")}
        opts = dict(width=520, height=300, legend_position="right", shared_axes=False, hooks=[page_toolbar], **TOOLS)
        overlays["linewidth"].append(hv.HLine(0.0).opts(color="gray", line_dash="dotted"))  # driven below it
        plots = [hv.Overlay(overlays[k] or [hv.Scatter([], V_DIM, k)]).opts(title=titles[k][0], ylabel=titles[k][1],
                                                                            **opts)
                 for k in ("frequency", "linewidth")]
        events = result.attrs.get("events", "")
        text = ("**Along V:**\n" + "\n".join(f"- {e}" for e in events.split("; ")) if events
                else "No state changes its stability along V.")
        table = lines_table(result)
        download = pn.widgets.FileDownload(callback=lambda: io.StringIO(table.to_csv(index=False)), filename=filename,
                                           label="Download the lines (CSV)", color="default",
                                           css_classes=["download-lines"])
        return pn.Column(pn.Row(*plots), pn.pane.Markdown(text, sizing_mode="stretch_width"), download)

    return pn.bind(build_plot, run.param.result)


def esr(dash):
    """The main page's ESR lines (:func:`lines_view` of ``dash.esr``)."""
    return lines_view(dash.esr, ESR_INTRO)


def esr_tab(dash):
    """The main page's ESR tab: the spins (spin 2 with m₁ pinned, or both free) and terms, Run/Stop/progress with
    the estimate before a long run (both spins free: about 16 s, :meth:`dashboard.state.Dashboard.esr_seconds`),
    and the lines."""
    return pn.Column(
        pn.Row(pn.widgets.RadioButtonGroup.from_param(dash.param.esr_spins, name="spins", options={
            "spin 2, m₁ pinned": "pinned", "both spins free": "both"}),
            pn.widgets.Select.from_param(dash.param.terms, name="terms", width=140)),
        run_controls(dash, dash.esr, dash.start_esr, "ESR lines", dash.esr_seconds, button="Compute the ESR lines",
                     fewer=False, bound=False, hide_on=("terms", "esr_spins", "curve_revision")),
        esr(dash))
