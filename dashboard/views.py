"""The result views of the tabs (HoloViews): the reversal path with its torques, and both spins free.

They are drawn when a computation finishes, from its xarray result; the live plots
of the page are in :mod:`dashboard.plots`.
"""
import holoviews as hv
import numpy as np
import panel as pn

from .plots import AXES
from .state import RUN_V

PARTS = ("exchange", "anisotropy", "DMI", "field", "damping_i", "damping_an", "damping_DM")


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
                            .opts(color=AXES[x], line_dash="solid" if s == 1 else "dashed")
                            for s in (1, 2) for x in "xyz"])
        opts = dict(width=520, height=300, ylim=(-1.05, 1.05), legend_position="right", shared_axes=False,
                    xlabel="V (mV)")
        return pn.Row(rel.opts(title="relative orientation <m1·m2>", ylabel="<m1·m2>", **opts),
                      means.opts(title="mean of each spin (1 solid, 2 dashed)", ylabel="<m_x>, <m_y>, <m_z>",
                                 **opts))

    return pn.bind(build_plot, dash.dimer.param.result)
