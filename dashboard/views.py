"""HoloViews plots bound to a session's :class:`~dashboard.state.Dashboard`.

HoloViews draws each plot once: styles, axes, colour bars, hover and tap.  Hooks
record the Bokeh models that carry the plot's data (:class:`Live`), and every later
change of the state is written straight into those models: once per change, each
quantity computed once for all plots, inside one held document update (one
websocket message).  Moving mu_F or V moves the markers and lines and recomputes
only the cut and curves that depend on it; no plot is rebuilt.  HoloViews rebuilds
a plot only when its structure changes (the chosen maps, a Langevin result).  A
failed computation leaves an empty plot and a message in the page.
"""
import holoviews as hv
import numpy as np
import panel as pn
import param
from bokeh.models import ColumnDataSource, CustomJS, GlyphRenderer, Legend, PrintfTickFormatter

from dimer_core import QUANTITIES
from dimer_core.couplings import guide_levels

from .state import MAP_MU_F, MAP_V, RUN_V, SWEEP_V

COLORS = {"x": "#1f77b4", "y": "#ff7f0e", "z": "#2ca02c"}
PARTS = ("exchange", "anisotropy", "DMI", "field", "damping_i", "damping_an", "damping_DM")
INTERACTIONS = {"E_J": "Δ²J_2", "E_D": "Δ²D_2", "E_A": "Δ²A_2", "E_K": "Δ²K_2", "E_DMself": "(ΔS)²χ22_DM",
                "kT_eff": "k_B T_eff"}
MOVING = ("marker", "span")
"""Elements that follow mu_F or V: drawn on the overlay layer of their plot."""
FITTED = ("inter", "I", "dIdV")
"""Plots whose y range follows their curves (the maps, the cuts and Omega have fixed ranges)."""
UNBOUNDED = ("kT_eff",)
"""Curves the range follows only up to twice the others' extent: k_B·T_eff diverges where the damping a_i_22
changes sign, and would otherwise squeeze the interactions it is compared with into a flat line."""


def safe(dash, build, empty, clear=True):
    """``build()``, or ``empty`` with the error shown in the page (a success clears an old error if ``clear``)."""
    try:
        out = build()
        if clear and dash.message.startswith("computation failed"):
            dash.message = ""
        return out
    except ValueError as exc:
        dash.message = f"computation failed: {exc}"
    except Exception as exc:  # keep serving: show the error in the page
        dash.message = f"computation failed ({type(exc).__name__}): {exc}"
    return empty


def _scale(values):
    m = float(np.nanmax(np.abs(values)))
    return m if m > 0 else 1.0


def _fit(y_range, arrays, pad=0.1):
    """Fit a Bokeh range to ``arrays`` (non-finite values ignored): their extent with ``pad`` of it each side.

    The range is kept while the data stay inside it and fill at least half of it: a new range re-lays out
    the plot's axes in the browser, which a slider step should not pay for at every small change.
    """
    data = np.concatenate([np.ravel(np.asarray(a, dtype=float)) for a in arrays]) if arrays else np.array([])
    data = data[np.isfinite(data)]
    if data.size == 0:
        return
    lo, hi = float(data.min()), float(data.max())
    span = hi - lo if hi > lo else max(abs(hi), 1.0)
    start, end = y_range.start, y_range.end
    if isinstance(start, (int, float)) and isinstance(end, (int, float)) and start <= lo and hi <= end \
            and hi - lo >= 0.5 * (end - start):
        return
    y_range.update(start=lo - pad * span, end=hi + pad * span)


class Live(param.Parameterized):
    """The Bokeh models of one session's plots, kept in step with its :class:`~dashboard.state.Dashboard`.

    Each plot element registers itself with :meth:`hook` under a role
    ``(kind, plot, name)``; kind is image, guides, marker, span or curve.  On every
    change of the state, :meth:`refresh` writes into each element whose data no
    longer match the state (a key per element), computing each quantity once.
    """

    langevin = param.Parameter(default=None, doc="The Langevin result drawn over Omega: the last run, "
                                                 "if it was at the current mu_F, else None")

    def __init__(self, dash, **params):
        super().__init__(**params)
        self.dash = dash
        self._handles = {}  # role -> the HoloViews plot handles (Bokeh models) of that element
        self._shown = {}    # role -> state key of the data it shows
        self._memo = {}     # what -> (state key, value): each quantity computed once per state
        dash.param.watch(self._changed, ["revision", "guides"])
        dash.langevin.param.watch(self._changed, "result")

    # ----- registration -----

    def hook(self, kind, plot, name=None):
        """A HoloViews hook recording an element's models; it also brings them up to date at once."""
        role = (kind, plot, name)

        def record(hv_plot, element):
            self._handles[role] = hv_plot.handles
            if kind in MOVING:
                # Bokeh repaints an "overlay" element on its own layer; at another level a moved marker
                # repaints the whole plot, image, axes and labels (≈30 ms per plot in the browser).
                hv_plot.handles["glyph_renderer" if kind == "marker" else "glyph"].level = "overlay"
            self._shown.pop(role, None)
            self._sync(role)
            if plot in FITTED:
                self._fit(plot)
        return record

    # ----- updates -----

    def _changed(self, *events):
        with pn.io.hold():
            self.refresh()

    def refresh(self):
        """Write the current state into every plot element now in the page that shows something else."""
        if self.dash.message.startswith("computation failed"):
            self.dash.message = ""  # set again below if a computation still fails
        result = self.dash.langevin.result
        shown = result if result is not None and float(result.attrs.get("param_mu_F", np.nan)) == self.dash.p.mu_F \
            else None
        if shown is not self.langevin:
            self.langevin = shown  # the Omega plot is rebuilt (its hooks bring it up to date)
        touched = set()
        for role, handles in list(self._handles.items()):
            if handles["plot"].document is not None and self._current(role) and self._sync(role):
                touched.add(role[1])
        for plot in touched & set(FITTED):
            self._fit(plot)

    def _current(self, role):
        """False for the cut of a quantity no longer shown (its curve lingers, hidden, in the plot)."""
        kind, plot, name = role
        return kind != "curve" or plot not in ("cutV", "cutmu") or name in self.dash.quantities

    def _sync(self, role):
        """Write one element if its data are stale; True if it was written."""
        kind, plot, name = role
        key, value = self._target(kind, plot, name)
        if self._shown.get(role) == key:
            return False
        h = self._handles[role]
        data = value()
        if kind == "image":
            z, lim = data
            h["source"].data.update(image=[z], **self.image_frame())
            h["color_mapper"].update(low=-lim, high=lim)
            self.follow_window(h, "V", "mu_F")
        elif kind == "guides":
            h["source"].data.update(xs=[line[:, 0] for line in data], ys=[line[:, 1] for line in data])
        elif kind == "marker":
            h["source"].data.update({h["glyph"].x: [data[0]], h["glyph"].y: [data[1]]})
        elif kind == "span":
            h["glyph"].location = data
        elif plot in ("cutV", "cutmu"):
            axis = "V" if plot == "cutV" else "mu_F"
            h["source"].data.update({h["glyph"].x: self.axis(axis), h["glyph"].y: data})
            self.follow_window(h, axis)
        else:
            h["source"].data.update({h["glyph"].y: data})
        self._shown[role] = key
        return True

    def axis(self, name):
        """The maps' grid along ``name`` ("V" or "mu_F"): the window that holds the current point."""
        return self.dash.map_V if name == "V" else self.dash.map_mu_F

    def image_frame(self):
        """Where a map's image sits (x, y, dw, dh of its glyph): pixels centred on the grid points."""
        v, mu = self.axis("V"), self.axis("mu_F")
        dv, dmu = v[1] - v[0], mu[1] - mu[0]
        return dict(x=[v[0] - dv / 2], y=[mu[0] - dmu / 2], dw=[v[-1] - v[0] + dv], dh=[mu[-1] - mu[0] + dmu])

    def follow_window(self, handles, x, y=None):
        """Set a plot's x (and y) range to the maps' window along the axes named ``x`` (and ``y``)."""
        for axis, name in (("x_range", x), ("y_range", y)):
            if name is not None:
                grid = self.axis(name)
                handles[axis].update(start=grid[0], end=grid[-1])

    def _target(self, kind, plot, name):
        """(state key, function returning the data) of one element."""
        dash, p = self.dash, self.dash.p
        if kind == "marker":
            return (p.V, p.mu_F), lambda: (p.V, p.mu_F)
        if kind == "span":
            at = p.mu_F if plot == "cutmu" else p.V
            return at, lambda: at
        if kind == "image":
            return dash.map_revision, lambda: self.map_image(plot)
        if kind == "guides":
            return (dash.map_revision, dash.guides), self.guide_lines
        if plot in ("cutV", "cutmu"):
            key = (dash.map_revision, p.mu_F if plot == "cutV" else p.V)
            return key, lambda: self.cut(plot)[name]
        if plot in ("I", "dIdV"):
            return dash.curve_revision, lambda: self.current()[name]
        return dash.curve_revision, lambda: self.sweep()[name]

    def _fit(self, plot):
        curves = {role[2]: h for role, h in self._handles.items()
                  if role[0] == "curve" and role[1] == plot and self._current(role)}
        if not curves:
            return
        bounded = [h["source"].data[h["glyph"].y] for name, h in curves.items() if name not in UNBOUNDED]
        extent = np.nanmax(np.abs(np.concatenate(bounded)), initial=0.0) if bounded else 0.0
        limit = 2 * extent if extent > 0 else np.inf
        unbounded = [np.clip(h["source"].data[h["glyph"].y], -limit, limit)
                     for name, h in curves.items() if name in UNBOUNDED]
        _fit(next(iter(curves.values()))["y_range"], bounded + unbounded)

    def _memoised(self, what, key, compute):
        if self._memo.get(what, (None,))[0] != key:
            self._memo[what] = (key, compute())
        return self._memo[what][1]

    # ----- what the plots show (read from the state; the physics is in dimer_core) -----

    def map_image(self, key):
        """The map of ``key`` (rows mu_F, columns V) and its colour limit (zeros on failure)."""
        z = safe(self.dash, lambda: self.dash.dataset()[key].values, None, False)
        return (z, _scale(z)) if z is not None else (np.zeros((MAP_MU_F.size, MAP_V.size)), 1.0)

    def guide_lines(self):
        """The lines |mu_L|, |mu_R| = resonance energies on the map grid, as (n, 2) arrays (V, mu_F)."""
        dash = self.dash

        def build():
            lines = []
            v, window = self.axis("V"), self.axis("mu_F")
            for level in (guide_levels(dash.p) if dash.guides else []):
                for sign in (-1.0, 1.0):
                    mu = level + sign * v / 2
                    inside = (mu >= window[0]) & (mu <= window[-1])
                    lines.append(np.column_stack([v[inside], mu[inside]]))
            return lines
        return self._memoised("guides", (dash.map_revision, dash.guides), lambda: safe(dash, build, [], False))

    def cut(self, plot):
        """The shown quantities against V at mu_F ("cutV") or against mu_F at V ("cutmu"), each scaled to its map."""
        dash, p = self.dash, self.dash.p
        along_v = plot == "cutV"
        quantities = tuple(dash.quantities)

        def build():
            scales = self._memoised("scales", dash.map_revision,
                                    lambda: {k: _scale(v.values) for k, v in dash.dataset().data_vars.items()})
            ds = dash.cut_V() if along_v else dash.cut_mu()
            return {k: (ds[k].values[0] if along_v else ds[k].values[:, 0]) / scales[k] for k in quantities}
        key = (dash.map_revision, p.mu_F if along_v else p.V, quantities)
        n = MAP_V.size if along_v else MAP_MU_F.size
        empty = {k: np.full(n, np.nan) for k in quantities}
        return self._memoised(plot, key, lambda: safe(dash, build, empty, False))

    def sweep(self):
        """Fokker–Planck Omega and the interaction energies against SWEEP_V at mu_F (NaN on failure)."""
        names = [f"Omega_{x}" for x in "xyz"] + list(INTERACTIONS)
        return self._memoised("sweep", self.dash.curve_revision, lambda: safe(
            self.dash, lambda: {k: self.dash.sweep()[k].values for k in names},
            {k: np.full(SWEEP_V.size, np.nan) for k in names}, False))

    def current(self):
        """I and dI/dV against SWEEP_V at mu_F (NaN on failure)."""
        return self._memoised("current", self.dash.curve_revision, lambda: safe(
            self.dash, lambda: {k: self.dash.current()[k].values for k in ("I", "dIdV")},
            {k: np.full(SWEEP_V.size, np.nan) for k in ("I", "dIdV")}, False))

    def span(self, plot):
        """A vertical line at V (at mu_F in the cut against mu_F), kept in place by :meth:`refresh`."""
        return hv.VLine(self.dash.p.mu_F if plot == "cutmu" else self.dash.p.V).opts(hooks=[self.hook("span", plot)])

    def on_tap(self, x=None, y=None):
        """Clicking a map moves (V, mu_F) there, in one update of the page."""
        with pn.io.hold():
            self.dash.on_tap(x, y)


SWATCH = "legend swatch"
"""Tag of a legend's copy of a curve (:func:`static_legend`); the curve's id follows it in the tags."""


def static_legend(hv_plot, element):
    """HoloViews hook for a plot whose curves :class:`Live` rewrites: its legend shows data-less copies.

    BokehJS re-renders a legend's items (HTML, with computed styles) whenever any model they reference
    changes, so every new curve re-rendered its plot's legend: ≈33 ms of a μ_F step for the four legends.
    Each item now points at a copy of its renderers with the same glyph and one NaN point (drawn nowhere),
    which never changes.  Muting a copy from the legend mutes the curve it stands for.  Copies of curves
    gone are dropped.
    """
    fig = hv_plot.state
    curves = {r.id for r in fig.renderers if SWATCH not in r.tags}
    swatches = {r.tags[1]: r for r in fig.renderers if SWATCH in r.tags and r.tags[1] in curves}
    fig.renderers = [r for r in fig.renderers if SWATCH not in r.tags or r.tags[1] in curves]
    for legend in fig.select(type=Legend):
        for item in legend.items:
            item.renderers = [r if SWATCH in r.tags else swatches.get(r.id) or _swatch(fig, r, swatches)
                              for r in item.renderers]


def _swatch(fig, renderer, swatches):
    """A copy of ``renderer`` without data, added to ``fig`` and to ``swatches``."""
    one_hidden_point = {k: [np.nan] if np.asarray(v).dtype.kind in "fiu" else list(v[:1])
                        for k, v in renderer.data_source.data.items()}  # BokehJS draws no swatch without data
    copy = GlyphRenderer(glyph=renderer.glyph.clone(), muted=renderer.muted, tags=[SWATCH, renderer.id],
                         data_source=ColumnDataSource(one_hidden_point),
                         muted_glyph=renderer.muted_glyph.clone() if renderer.muted_glyph else "auto")
    # the curve is found by its id: a reference in the callback's args would tie the legend to the curve again
    copy.js_on_change("muted", CustomJS(code="cb_obj.document.get_model_by_id(cb_obj.tags[1]).muted = cb_obj.muted"))
    fig.renderers.append(copy)
    swatches[renderer.id] = copy
    return copy


def _dynamic(build, *streams):
    """A DynamicMap that calls ``build`` afresh whenever it is drawn or one of ``streams`` changes."""
    return hv.DynamicMap(hv.Callable(build, memoize=False), streams=list(streams))


def map_panel(live, key):
    """One coupling map with its guide lines, the current-point marker and click-to-move."""
    dash = live.dash
    z, lim = live.map_image(key)
    img = hv.Image((MAP_V, MAP_MU_F, z), kdims=["V", "mu_F"], vdims=[hv.Dimension(key, unit=QUANTITIES[key][0])])
    img = img.opts(hooks=[live.hook("image", key)], clim=(-lim, lim), xlim=(MAP_V[0], MAP_V[-1]),
                   ylim=(MAP_MU_F[0], MAP_MU_F[-1]), cmap="RdBu_r", colorbar=True, symmetric=True,
                   tools=["hover", "tap"], clabel=f"{key} ({QUANTITIES[key][0]})", xlabel="V (mV)",
                   ylabel="mu_F (meV)", title=key, width=290, height=250, toolbar="above",
                   cformatter=PrintfTickFormatter(format="%.3g"))  # 0.002, not 2.000e-3
    tap = hv.streams.Tap(source=img, x=None, y=None)
    tap.add_subscriber(live.on_tap)
    lines = hv.Path(live.guide_lines(), kdims=["V", "mu_F"]).opts(
        hooks=[live.hook("guides", key)], color="black", line_dash="dotted", line_width=0.8, alpha=0.6)
    point = hv.Points([(dash.p.V, dash.p.mu_F)], kdims=["V", "mu_F"]).opts(
        hooks=[live.hook("marker", key)], color="lime", size=9, marker="x", line_width=3)
    return img * lines * point


def cuts(live):
    """Cuts of the shown quantities against V (at mu_F) and against mu_F (at V)."""
    def along(plot):
        def build(quantities):
            x, name = (MAP_V, "V") if plot == "cutV" else (MAP_MU_F, "mu_F")
            values = live.cut(plot)
            curves = [hv.Curve((x, values[k]), name, "scaled value", label=k).opts(hooks=[live.hook("curve", plot, k)])
                      for k in quantities]
            return hv.Overlay(curves + [live.span(plot)])
        return _dynamic(build, hv.streams.Params(live.dash, ["quantities"]))

    common = dict(width=520, height=260, legend_position="right", hooks=[static_legend],
                  ylim=(-1.1, 1.1))  # each scaled to |value| <= 1
    return pn.Row(
        along("cutV").opts(title="cuts against V at the current mu_F", xlabel="V (mV)",
            ylabel="value / max of its map", **common),
        along("cutmu").opts(title="cuts against mu_F at the current V", xlabel="mu_F (meV)",
            ylabel="value / max of its map", **common),
    )


def omega(live):
    """Fokker–Planck Omega(V) with the current V, and the Langevin points when a run at this mu_F finished."""
    def build(langevin):
        ds = live.sweep()
        items = [hv.Curve((SWEEP_V, ds[f"Omega_{x}"]), "V", "Omega", label=f"Omega_{x} (FP)")
                 .opts(color=c, hooks=[live.hook("curve", "omega", f"Omega_{x}")]) for x, c in COLORS.items()]
        if langevin is not None:
            for x, c in COLORS.items():
                pts = (RUN_V, langevin[f"Omega_{x}"].values, langevin[f"Omega_{x}_err"].values)
                items.append(hv.ErrorBars(pts, "V", ["Omega", "err"]).opts(color=c))
                items.append(hv.Scatter(pts[:2], "V", "Omega", label=f"Omega_{x} (Langevin)")
                             .opts(color=c, size=6, marker="circle"))
        return hv.Overlay(items + [live.span("omega")])

    return _dynamic(build, hv.streams.Params(live, ["langevin"])).opts(
        width=560, height=300, ylim=(-1.05, 1.05), title="mean orientation Omega at mu_F (lines FP, dots Langevin)",
        legend_position="right", xlabel="V (mV)", shared_axes=False, hooks=[static_legend])


def interactions(live):
    """The interaction comparison of Fig. 4 (bottom) against V at mu_F, in meV."""
    palette = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#7f7f7f")

    def build():
        ds = live.sweep()
        curves = [hv.Curve((SWEEP_V, ds[k]), "V", hv.Dimension("energy", unit="meV"), label=lab)
                  .opts(color=c, line_dash="dashed" if k == "kT_eff" else "solid",
                        hooks=[live.hook("curve", "inter", k)])
                  for (k, lab), c in zip(INTERACTIONS.items(), palette)]
        return hv.Overlay(curves + [live.span("inter")])

    return _dynamic(build).opts(width=520, height=300, title="interaction comparison (Fig. 4, bottom)",
                                legend_position="right", framewise=True, xlabel="V (mV)", shared_axes=False,
                                hooks=[static_legend])


def current(live):
    """I(V) and dI/dV at the current mu_F."""
    def plot(which, label, unit):
        def build():
            curve = hv.Curve((SWEEP_V, live.current()[which]), "V", hv.Dimension(label, unit=unit))
            return curve.opts(hooks=[live.hook("curve", which, which)]) * live.span(which)
        return _dynamic(build)

    common = dict(width=520, height=280, framewise=True, xlabel="V (mV)", shared_axes=False)
    return pn.Row(plot("I", "I", "nA").opts(title="charge current I (nA)", **common),
                  plot("dIdV", "dI/dV", "µS").opts(title="differential conductance dI/dV (µS)", **common))


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
