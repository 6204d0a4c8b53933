"""HoloViews plots bound to a session's :class:`~dashboard.state.Dashboard`.

HoloViews draws each plot once: styles, axes, colour bars, hover and tap.  Hooks
record the Bokeh models that carry the plot's data (:class:`Live`), and every later
change of the state is written straight into those models: once per change, each
quantity computed once for all plots, inside one held document update (one
websocket message).  Moving mu_F or V moves the markers and lines and recomputes
only the cut and curves that depend on it; no plot is rebuilt.  HoloViews rebuilds
a plot only when its structure changes (the chosen maps, a Langevin result).  A
failed computation leaves an empty plot and a message in the page.

Every label is the paper's symbol with its unit (:mod:`dashboard.labels`); every
quantity has one colour in every plot; plots keep a fixed frame whatever their
legends hold; the mouse wheel scrolls the page (zooming is a tool to pick).
"""
import holoviews as hv
import numpy as np
import panel as pn
import param
from bokeh.core.validation import silence
from bokeh.core.validation.warnings import FIXED_SIZING_MODE
from bokeh.models import (ColumnDataSource, CustomJS, CustomJSTickFormatter, GlyphRenderer, HoverTool, Legend, PanTool,
                          TapTool)

from dimer_core.couplings import guide_levels

from .labels import COLOURS, decade, scaled_label, symbol, unit
from .state import MAP_MU_F, MAP_V, RUN_V, SWEEP_V


def _dimension(key):
    """The HoloViews dimension of a quantity or parameter: its key, shown as its symbol and unit."""
    return hv.Dimension(key, label=symbol(key), unit=unit(key) or None)


V_DIM, MU_DIM = _dimension("V"), _dimension("mu_F")
OMEGA_DIM = hv.Dimension("Omega", label="Ω")
COLORS = {"x": "#1f77b4", "y": "#ff7f0e", "z": "#2ca02c"}
PARTS = {"exchange": "exchange", "anisotropy": "anisotropy", "DMI": "DMI", "field": "field",
         "damping_i": f"damping {symbol('a_i_22')}", "damping_an": f"damping {symbol('a_an_22')}",
         "damping_DM": f"damping {symbol('a_DM_22')}"}
"""The torques along the reversal path (keys of its dataset) and their legend labels."""
INTERACTIONS = {"E_J": ("Δ²", "J_2"), "E_D": ("Δ²", "D_2"), "E_A": ("Δ²", "A_2"), "E_K": ("Δ²", "K_2"),
                "E_DMself": ("(ΔS)²", "chi22_DM"), "kT_eff": ("k_B ", "T_eff_2")}
"""The interaction energies of Fig. 4 (keys of the sweep): the factor and the quantity each is made of."""
TOOLS = dict(default_tools=["box_zoom", "wheel_zoom", "reset", "save"], active_tools=[])
"""Every plot's tools, none active: zooming is picked from the toolbar, so the mouse wheel (and a finger on a touch
screen) scrolls the page; a click on a map still moves (V, mu_F) there.  No pan: its button would push the reset
button of a map into the toolbar's "⋮" menu."""
LEGEND = dict(glyph_height=12, glyph_width=18, label_height=12, label_text_font_size="9pt", spacing=1, padding=6)
"""A compact legend: its rows are LEGEND_ROW pixels apart (measured in Chromium)."""
LEGEND_ROW = 15
CUT_FRAME = dict(frame_width=330, frame_height=200)
SWEEP_FRAME = dict(frame_width=360, frame_height=230)
"""Fixed frames: a legend that grows (more maps chosen) widens its plot instead of narrowing the frame."""
silence(FIXED_SIZING_MODE)  # Bokeh warns of every figure sized by its frame (HoloViews leaves its width None)
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
            h["source"].data.update(image=[z])
            h["color_mapper"].update(low=-lim, high=lim)
            n = decade(lim)
            h["colorbar"].update(title=scaled_label(plot, n))
            h["colorbar"].formatter.args = {"scale": 10.0 ** n}
        elif kind == "guides":
            h["source"].data.update(xs=[line[:, 0] for line in data], ys=[line[:, 1] for line in data])
        elif kind == "marker":
            h["source"].data.update({h["glyph"].x: [data[0]], h["glyph"].y: [data[1]]})
        elif kind == "span":
            h["glyph"].location = data
        else:
            h["source"].data.update({h["glyph"].y: data})
        self._shown[role] = key
        return True

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
            for level in (guide_levels(dash.p) if dash.guides else []):
                for sign in (-1.0, 1.0):
                    mu = level + sign * MAP_V / 2
                    inside = (mu >= MAP_MU_F[0]) & (mu <= MAP_MU_F[-1])
                    lines.append(np.column_stack([MAP_V[inside], mu[inside]]))
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
    gone are dropped, and the legend lists no curve HoloViews keeps hidden (the cut of a map no longer
    chosen): HoloViews itself drops only items whose renderers are hidden, and the copies never are.
    """
    fig = hv_plot.state
    curves = {r.id: r for r in fig.renderers if SWATCH not in r.tags}
    swatches = {r.tags[1]: r for r in fig.renderers if SWATCH in r.tags and r.tags[1] in curves}
    fig.renderers = [r for r in fig.renderers if SWATCH not in r.tags or r.tags[1] in curves]
    for legend in fig.select(type=Legend):
        for item in legend.items:
            item.renderers = [r if SWATCH in r.tags else swatches.get(r.id) or _swatch(fig, r, swatches)
                              for r in item.renderers]
        legend.items = [item for item in legend.items
                        if any(r.tags[1] in curves and curves[r.tags[1]].visible for r in item.renderers)]


def fit_legend(hv_plot, element):
    """HoloViews hook: the legend (right of the frame) in as many columns as keep it within the frame's height.

    One column of more items than fit grew over the plot above (e.g. every map chosen).
    """
    rows = max(1, (hv_plot.frame_height - 2 * LEGEND["padding"]) // LEGEND_ROW)
    for legend in hv_plot.state.select(type=Legend):
        columns = -(-len(legend.items) // rows)
        legend.nrows = -(-len(legend.items) // columns) if legend.items else "auto"


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


SCALED_TICKS = """
// a colour bar's ticks divided by 10^n (its label says so), all with the fewest decimals (at most 3) that
// show each tick exactly, so that they read alike; zero without a sign
if (this.decimals === undefined) {
  const xs = ticks.map((t) => t / scale)
  this.decimals = 0
  while (this.decimals < 3 && xs.some((x) => Math.abs(x - Number(x.toFixed(this.decimals))) > 1e-9 * Math.abs(x)))
    this.decimals += 1
}
const text = (tick / scale).toFixed(this.decimals)
return Number(text) === 0 ? (0).toFixed(this.decimals) : text
"""
"""Code of a colour bar's CustomJSTickFormatter (``scale`` = 10ⁿ, set by :class:`Live` with the label)."""


def map_panel(live, key):
    """One coupling map with its guide lines, the current-point marker and click-to-move.

    The colour bar shows the values divided by a power of ten named in its label (``D₂ (10⁻²/meV)``):
    ticks like -0.0015, -0.001 (a map of 0.002 at most) read -1.5, -1.0.
    """
    dash = live.dash
    z, lim = live.map_image(key)
    n = decade(lim)
    img = hv.Image((MAP_V, MAP_MU_F, z), kdims=[V_DIM, MU_DIM], vdims=[_dimension(key)])
    img = img.opts(hooks=[live.hook("image", key)], clim=(-lim, lim), xlim=(MAP_V[0], MAP_V[-1]),
                   ylim=(MAP_MU_F[0], MAP_MU_F[-1]), cmap="RdBu_r", colorbar=True, symmetric=True,
                   tools=["hover", "tap"], clabel=scaled_label(key, n), title=symbol(key), width=300, height=250,
                   toolbar="above", cformatter=CustomJSTickFormatter(code=SCALED_TICKS, args={"scale": 10.0 ** n}),
                   **TOOLS)
    tap = hv.streams.Tap(source=img, x=None, y=None)
    tap.add_subscriber(live.on_tap)
    lines = hv.Path(live.guide_lines(), kdims=[V_DIM, MU_DIM]).opts(
        hooks=[live.hook("guides", key)], color="black", line_dash="dotted", line_width=0.8, alpha=0.6)
    point = hv.Points([(dash.p.V, dash.p.mu_F)], kdims=[V_DIM, MU_DIM]).opts(
        hooks=[live.hook("marker", key)], color="lime", size=9, marker="x", line_width=3)
    return (img * lines * point).opts(hv.opts.Overlay(hooks=[page_toolbar]))


def cuts(live):
    """Cuts of the shown quantities against V (at mu_F) and against mu_F (at V), each in its colour."""
    def along(plot):
        x, dim = (MAP_V, V_DIM) if plot == "cutV" else (MAP_MU_F, MU_DIM)

        def build(quantities):
            values = live.cut(plot)
            curves = [hv.Curve((x, values[k]), dim, "scaled value", label=symbol(k))
                      .opts(color=COLOURS[k], hooks=[live.hook("curve", plot, k)]) for k in quantities]
            return hv.Overlay(curves + [live.span(plot)])
        return _dynamic(build, hv.streams.Params(live.dash, ["quantities"]))

    common = dict(legend_position="right", legend_opts=LEGEND, hooks=[static_legend, fit_legend, page_toolbar],
                  ylim=(-1.1, 1.1), ylabel="value / max |value| of its map", **CUT_FRAME, **TOOLS)
    mu_F = symbol("mu_F")
    return pn.Row(along("cutV").opts(title=f"cuts against V at the current {mu_F}", **common),
                  along("cutmu").opts(title=f"cuts against {mu_F} at the current V", **common))


LANGEVIN_NOTE = {
    "full": "**Dots: Langevin, full model.** It keeps what the Fokker–Planck curves leave out: the self DMI-like "
            "torque, which no energy produces (under strong SOC it tilts the spin back toward m₁), the anisotropic "
            "damping and noise, which need not share one temperature, and the antisymmetric (W) damping. Where "
            "these matter the dots leave the curves; run with *paper* terms (Langevin tab), they follow them.",
    "paper": "**Dots: Langevin, the paper's terms** (no self DMI-like torque, no W damping): the curves' model "
             "integrated in time, without assuming P(m) ∝ exp(−E/k_B T_eff). The *full* model (Langevin tab) "
             "adds those terms.",
}
"""What the Langevin dots over the Fokker–Planck curves show, by the run's ``terms`` (the Langevin tab says more)."""


def omega(live):
    """Fokker–Planck Ω(V) with the current V and, when a run at this mu_F finished, the Langevin points and a
    sentence on what they add.  The legend names the curves only, so that the frame keeps its size."""
    def build(langevin):
        ds = live.sweep()
        items = [hv.Curve((SWEEP_V, ds[f"Omega_{x}"]), V_DIM, OMEGA_DIM, label=f"Ω_{x}")
                 .opts(color=c, hooks=[live.hook("curve", "omega", f"Omega_{x}")]) for x, c in COLORS.items()]
        if langevin is not None:
            for x, c in COLORS.items():
                pts = (RUN_V, langevin[f"Omega_{x}"].values, langevin[f"Omega_{x}_err"].values)
                items.append(hv.ErrorBars(pts, V_DIM, [OMEGA_DIM, "err"]).opts(color=c))
                items.append(hv.Scatter(pts[:2], V_DIM, OMEGA_DIM).opts(color=c, size=6, marker="circle"))
        return hv.Overlay(items + [live.span("omega")])

    plot = _dynamic(build, hv.streams.Params(live, ["langevin"])).opts(
        ylim=(-1.05, 1.05), title=f"mean orientation Ω at {symbol('mu_F')} (lines FP, dots Langevin)",
        legend_position="right", legend_opts=LEGEND, shared_axes=False, hooks=[static_legend, page_toolbar],
        **SWEEP_FRAME, **TOOLS)
    note = pn.pane.Markdown(pn.bind(lambda r: LANGEVIN_NOTE[r.attrs.get("terms", "full")] if r is not None else "",
                                    live.param.langevin),
                            visible=pn.bind(lambda r: r is not None, live.param.langevin), width=500)
    return pn.Column(plot, note)


def interactions(live):
    """The interaction comparison of Fig. 4 (bottom) against V at mu_F, in meV, each in its quantity's colour."""
    def build():
        ds = live.sweep()
        curves = [hv.Curve((SWEEP_V, ds[k]), V_DIM, hv.Dimension("energy", unit="meV"), label=factor + symbol(q))
                  .opts(color=COLOURS[q], line_dash="dashed" if k == "kT_eff" else "solid",
                        hooks=[live.hook("curve", "inter", k)])
                  for k, (factor, q) in INTERACTIONS.items()]
        return hv.Overlay(curves + [live.span("inter")])

    return _dynamic(build).opts(title="interaction comparison (Fig. 4, bottom)", legend_position="right",
                                legend_opts=LEGEND, framewise=True, shared_axes=False,
                                hooks=[static_legend, page_toolbar], **SWEEP_FRAME, **TOOLS)


def current(live):
    """I(V) and dI/dV at the current mu_F."""
    def plot(which, label, unit):
        def build():
            curve = hv.Curve((SWEEP_V, live.current()[which]), V_DIM, hv.Dimension(label, unit=unit))
            return curve.opts(hooks=[live.hook("curve", which, which)]) * live.span(which)
        return _dynamic(build)

    common = dict(width=520, height=280, framewise=True, shared_axes=False, hooks=[page_toolbar], **TOOLS)
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
