"""HoloViews plots bound to a session's :class:`~dashboard.state.Dashboard`.

Every plot is a DynamicMap over only the state it depends on, so moving mu_F or
V re-draws markers and cuts but no map.  A failed computation leaves an empty
plot and a message in the page.
"""
import holoviews as hv
import numpy as np
import panel as pn

from dimer_core import QUANTITIES
from dimer_core.couplings import guide_levels

from .state import MAP_MU_F, MAP_V, RUN_V, SWEEP_V

COLORS = {"x": "#1f77b4", "y": "#ff7f0e", "z": "#2ca02c"}
PARTS = ("exchange", "anisotropy", "DMI", "field", "damping_i", "damping_an", "damping_DM")


def safe(dash, build, empty):
    """``build()``, or ``empty`` with the error shown in the page."""
    try:
        out = build()
        if dash.message.startswith("computation failed"):
            dash.message = ""
        return out
    except ValueError as exc:
        dash.message = f"computation failed: {exc}"
    except Exception as exc:  # keep serving: show the error in the page
        dash.message = f"computation failed ({type(exc).__name__}): {exc}"
    return empty


def bias_line(dash):
    """A vertical line at the current V, redrawn alone when V moves."""
    return hv.DynamicMap(pn.bind(lambda revision: hv.VLine(dash.p.V), dash.param.revision))


def _scale(values):
    m = float(np.nanmax(np.abs(values)))
    return m if m > 0 else 1.0


def map_panel(dash, key):
    """One coupling map with its guide lines, the current-point marker and click-to-move."""
    def image(revision):
        def build():
            z = dash.dataset()[key].values
            lim = _scale(z)
            img = hv.Image((MAP_V, MAP_MU_F, z), kdims=["V", "mu_F"],
                           vdims=[hv.Dimension(key, unit=QUANTITIES[key][0])])
            return img.opts(clim=(-lim, lim), xlim=(MAP_V[0], MAP_V[-1]), ylim=(MAP_MU_F[0], MAP_MU_F[-1]))
        return safe(dash, build, hv.Image((MAP_V, MAP_MU_F, np.zeros((MAP_MU_F.size, MAP_V.size))),
                                          kdims=["V", "mu_F"], vdims=[key]))

    def guides(revision, show):
        def build():
            lines = []
            for level in (guide_levels(dash.p) if show else []):
                for sign in (-1.0, 1.0):
                    mu = level + sign * MAP_V / 2
                    inside = (mu >= MAP_MU_F[0]) & (mu <= MAP_MU_F[-1])
                    lines.append(np.column_stack([MAP_V[inside], mu[inside]]))
            return hv.Path(lines, kdims=["V", "mu_F"])
        return safe(dash, build, hv.Path([]))

    def marker(revision):
        return hv.Points([(dash.p.V, dash.p.mu_F)], kdims=["V", "mu_F"])

    img = hv.DynamicMap(pn.bind(image, dash.param.map_revision))
    tap = hv.streams.Tap(source=img, x=None, y=None)
    tap.add_subscriber(lambda x, y: dash.on_tap(x, y))
    img = img.opts(cmap="RdBu_r", colorbar=True, symmetric=True, framewise=True, tools=["hover", "tap"],
                   clabel=f"{key} ({QUANTITIES[key][0]})", xlabel="V (mV)", ylabel="mu_F (meV)", title=key,
                   width=300, height=250, toolbar="above")
    lines = hv.DynamicMap(pn.bind(guides, dash.param.map_revision, dash.param.guides))
    point = hv.DynamicMap(pn.bind(marker, dash.param.revision))
    return (img * lines.opts(color="black", line_dash="dotted", line_width=0.8, alpha=0.6)
            * point.opts(color="lime", size=9, marker="x", line_width=3))


def cuts(dash):
    """Cuts of the shown quantities against V (at mu_F) and against mu_F (at V)."""
    def along(revision, quantities, axis):
        def build():
            full = dash.dataset()
            if axis == "V":
                ds, x, at = dash.cut_V(), MAP_V, dash.p.V
                curves = [hv.Curve((x, ds[k].values[0] / _scale(full[k].values)), "V", "scaled value", label=k)
                          for k in quantities]
            else:
                ds, x, at = dash.cut_mu(), MAP_MU_F, dash.p.mu_F
                curves = [hv.Curve((x, ds[k].values[:, 0] / _scale(full[k].values)), "mu_F", "scaled value",
                                   label=k) for k in quantities]
            return hv.Overlay(curves + [hv.VLine(at)])
        return safe(dash, build, hv.Overlay([hv.Curve([])]))

    common = dict(width=520, height=260, legend_position="right", framewise=True)
    return pn.Row(
        hv.DynamicMap(pn.bind(along, dash.param.revision, dash.param.quantities, "V")).opts(
            title="cuts against V at the current mu_F", xlabel="V (mV)",
            ylabel="value / max of its map", **common),
        hv.DynamicMap(pn.bind(along, dash.param.revision, dash.param.quantities, "mu")).opts(
            title="cuts against mu_F at the current V", xlabel="mu_F (meV)",
            ylabel="value / max of its map", **common),
    )


def omega(dash):
    """Fokker–Planck Omega(V) with the current V, and the Langevin points when a run finished."""
    def build_plot(revision, result):
        def build():
            ds = dash.sweep()
            items = [hv.Curve((SWEEP_V, ds[f"Omega_{x}"].values), "V", "Omega", label=f"Omega_{x} (FP)")
                     .opts(color=c) for x, c in COLORS.items()]
            if result is not None and float(result.attrs.get("param_mu_F", np.nan)) == dash.p.mu_F:
                for x, c in COLORS.items():
                    pts = (RUN_V, result[f"Omega_{x}"].values, result[f"Omega_{x}_err"].values)
                    items.append(hv.ErrorBars(pts, "V", ["Omega", "err"]).opts(color=c))
                    items.append(hv.Scatter(pts[:2], "V", "Omega", label=f"Omega_{x} (Langevin)")
                                 .opts(color=c, size=6, marker="circle"))
            return hv.Overlay(items)
        return safe(dash, build, hv.Overlay([hv.Curve([])]))

    curves = hv.DynamicMap(pn.bind(build_plot, dash.param.curve_revision, dash.langevin.param.result))
    return (curves * bias_line(dash)).opts(
        width=560, height=300, ylim=(-1.05, 1.05), title="mean orientation Omega at mu_F (lines FP, dots Langevin)",
        legend_position="right", xlabel="V (mV)", shared_axes=False)


def interactions(dash):
    names = {"E_J": "Δ²J_2", "E_D": "Δ²D_2", "E_A": "Δ²A_2", "E_K": "Δ²K_2", "E_DMself": "(ΔS)²χ22_DM",
             "kT_eff": "k_B T_eff"}

    def build_plot(revision):
        def build():
            ds = dash.sweep()
            palette = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#7f7f7f")
            curves = [hv.Curve((SWEEP_V, ds[k].values), "V", hv.Dimension("energy", unit="meV"), label=lab)
                      .opts(color=c, line_dash="dashed" if k == "kT_eff" else "solid")
                      for (k, lab), c in zip(names.items(), palette)]
            return hv.Overlay(curves)
        return safe(dash, build, hv.Overlay([hv.Curve([])]))

    return (hv.DynamicMap(pn.bind(build_plot, dash.param.curve_revision)) * bias_line(dash)).opts(
        width=520, height=300, title="interaction comparison (Fig. 4, bottom)", legend_position="right",
        framewise=True, xlabel="V (mV)", shared_axes=False)


def current(dash):
    """I(V) and dI/dV at the current mu_F."""
    def build_plot(revision, which):
        def build():
            ds = dash.current()
            unit = "nA" if which == "I" else "µS"
            label = "I" if which == "I" else "dI/dV"
            return hv.Curve((SWEEP_V, ds[which].values), "V", hv.Dimension(label, unit=unit))
        return safe(dash, build, hv.Curve([]))

    common = dict(width=520, height=280, framewise=True, xlabel="V (mV)", shared_axes=False)
    return pn.Row(
        (hv.DynamicMap(pn.bind(build_plot, dash.param.curve_revision, "I")) * bias_line(dash)).opts(
            title="charge current I (nA)", **common),
        (hv.DynamicMap(pn.bind(build_plot, dash.param.curve_revision, "dIdV")) * bias_line(dash)).opts(
            title="differential conductance dI/dV (µS)", **common))


def trajectory(dash):
    """Two projections of the reversal path on the unit sphere, and the Fig. 3 torques along it."""
    circle = np.column_stack([np.cos(np.linspace(0, 2 * np.pi, 200)), np.sin(np.linspace(0, 2 * np.pi, 200))])

    def projection(ds, a, b):
        m1, that = np.asarray(dash.p.m1), np.asarray(dash.p.that)
        idx = {"x": 0, "y": 1, "z": 2}
        path = hv.Path([np.column_stack([ds[f"m_{a}"].values, ds[f"m_{b}"].values])], kdims=[f"m_{a}", f"m_{b}"])
        start = hv.Points([(ds[f"m_{a}"].values[0], ds[f"m_{b}"].values[0])], label="start")
        end = hv.Points([(ds[f"m_{a}"].values[-1], ds[f"m_{b}"].values[-1])], label="end")
        pinned = hv.Points([(m1[idx[a]], m1[idx[b]])], label="pinned m1")
        soc = hv.Points([(that[idx[a]], that[idx[b]])], label="t-hat")
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
                                       hv.Dimension("t", unit="ps"), hv.Dimension("|torque|", unit="1/ps"), label=k)
                              for k in PARTS])
        # equal frames and ranges keep the sphere round; one legend, outside the data
        opts = dict(frame_width=240, frame_height=240, xlim=(-1.1, 1.1), ylim=(-1.1, 1.1), shared_axes=False)
        return pn.Column(pn.Row(projection(ds, "y", "z").opts(title="m_y, m_z", show_legend=False, **opts),
                                projection(ds, "x", "z").opts(title="m_x, m_z", legend_position="right", **opts)),
                         torques.opts(width=760, height=300, logy=True, legend_position="right", shared_axes=False,
                                      title="torques along the path (Fig. 3)"))

    return pn.bind(build_plot, dash.param.trajectory)


def dimer(dash):
    """Both spins free: <m1·m2> and the mean of each spin against V, after a run."""
    def build_plot(result):
        if result is None:
            return pn.pane.Markdown("Press **Run both spins free** to integrate the 6×6 stochastic LLG "
                                    "(nonlocal damping and correlated noise) over V at the current mu_F.")
        v = RUN_V
        rel = hv.Overlay([hv.ErrorBars((v, result.m1_dot_m2.values, result.m1_dot_m2_err.values), "V",
                                       ["value", "err"]),
                          hv.Curve((v, result.m1_dot_m2.values), "V", "value", label="<m1·m2>")])
        means = hv.Overlay([hv.Curve((v, result[f"m{s}_{x}"].values), "V", "value", label=f"<m{s}_{x}>")
                            .opts(color=COLORS[x], line_dash="solid" if s == 1 else "dashed")
                            for s in (1, 2) for x in "xyz"])
        opts = dict(width=520, height=300, ylim=(-1.05, 1.05), legend_position="right", shared_axes=False,
                    xlabel="V (mV)")
        return pn.Row(rel.opts(title="relative orientation <m1·m2>", ylabel="<m1·m2>", **opts),
                      means.opts(title="mean of each spin (1 solid, 2 dashed)", ylabel="<m_x>, <m_y>, <m_z>",
                                 **opts))

    return pn.bind(build_plot, dash.dimer.param.result)
