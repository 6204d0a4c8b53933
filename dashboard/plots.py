"""The live plots of the page as Bokeh figures: maps, cuts, Ω(V), the interaction comparison, I and dI/dV.

They are built directly in Bokeh, once per session and again only when their
structure changes (the chosen maps), and :class:`~dashboard.live.Live` writes every
later change of the state into their models.  Through HoloViews a map cost ≈250 ms
of server CPU and 67 models, and the page's plots ≈2 s of the ≈2.1 s a new page
cost; built here a map costs ≈25 ms and 26 models (``benchmarks/bench_load.py
--open``).  Within a session the maps share their ranges, scale, axis ticking and
the sources of the marker and the guide lines, so one write moves the marker in
every map.

Every label is the paper's symbol with its unit (:mod:`dashboard.labels`); every
quantity has one colour in every plot; plots keep a fixed frame whatever their
legends hold; the mouse wheel scrolls the page (zooming is a tool to pick, and
reset is always shown); colour scales are centred at zero.
"""
import numpy as np
import panel as pn
from bokeh.core.validation import silence
from bokeh.core.validation.warnings import FIXED_SIZING_MODE
from bokeh.events import Tap
from bokeh.models import (AllIndices, AllLabels, BasicTicker, BasicTickFormatter, BoxZoomTool, CDSView, ColorBar,
                          ColumnDataSource, CustomJS, CustomJSTickFormatter, GlyphRenderer, Grid, GridBox, HoverTool,
                          Image, Legend, LegendItem, Line, LinearAxis, LinearColorMapper, LinearScale, MultiLine, Plot,
                          Range1d, ResetTool, SaveTool, Scatter, Selection, Span, Title, Toolbar, UnionRenderers,
                          Whisker, WheelZoomTool)
from bokeh.models import Row as BkRow
from bokeh.palettes import RdBu11, interp_palette
from bokeh.plotting import figure

from .labels import COLOURS, label, symbol
from .state import MAP_MU_F, MAP_V, SWEEP_V

DIVERGING = interp_palette(RdBu11, 256)
"""Blue below zero, white at zero, red above; the colour mapper's limits are ±max|value| (:meth:`Live.map_image`)."""
TOOLS = "box_zoom,wheel_zoom,reset,save"
"""Every plot's tools, none active: zooming is picked from the toolbar, so the mouse wheel (and a finger on a touch
screen) scrolls the page; a click on a map still moves (V, mu_F) there.  No pan: its button would push the reset
button of a map into the toolbar's "⋮" menu."""
AXES = {"x": "#1f77b4", "y": "#ff7f0e", "z": "#2ca02c"}
"""Colour of each component of Ω."""
INTERACTIONS = {"E_J": ("Δ²", "J_2"), "E_D": ("Δ²", "D_2"), "E_A": ("Δ²", "A_2"), "E_K": ("Δ²", "K_2"),
                "E_DMself": ("(ΔS)²", "chi22_DM"), "kT_eff": ("k_B ", "T_eff_2")}
"""The interaction energies of Fig. 4 (keys of :func:`dimer_core.studies.sweeps.fp_sweep`): the factor and the quantity
each is made of (its symbol and colour)."""
LEGEND = dict(glyph_height=12, glyph_width=18, label_height=12, label_text_font_size="9pt", spacing=1, padding=6,
              border_line_alpha=0, location="top_left", click_policy="mute")
"""A compact legend: its rows are LEGEND_ROW pixels apart (measured in Chromium)."""
LEGEND_ROW = 15
CUT_FRAME = dict(frame_width=330, frame_height=200)
SWEEP_FRAME = dict(frame_width=360, frame_height=230)
"""Fixed frames: a legend that grows (more maps chosen) widens its plot instead of narrowing the frame."""
silence(FIXED_SIZING_MODE)  # Bokeh warns of every figure sized by its frame
SWATCH = "legend swatch"
"""Tag of a legend's copy of a curve (:class:`_Curves`); the curve's id follows it in the tags."""
SCALED_TICKS = """
// a colour bar's ticks divided by 10^n (its label says so), all with the fewest decimals (at most 3) that
// show each tick exactly, so that they read alike; zero without a sign
if (this.decimals === undefined || this.scale !== scale) {
  const xs = ticks.map((t) => t / scale)
  this.scale = scale
  this.decimals = 0
  while (this.decimals < 3 && xs.some((x) => Math.abs(x - Number(x.toFixed(this.decimals))) > 1e-9 * Math.abs(x)))
    this.decimals += 1
}
const text = (tick / scale).toFixed(this.decimals)
return Number(text) === 0 ? (0).toFixed(this.decimals) : text
"""
"""Code of a colour bar's CustomJSTickFormatter (``scale`` = 10ⁿ, set by :class:`Live` with the label)."""
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


def _figure(title, x_range, y_range, x_label, y_label, axes=None, **size):
    """A figure with the page's tools (:data:`TOOLS`), none active; with ``axes`` (:func:`_shared_axes`), axes that
    share their scale and ticking with the other figures of ``axes`` and no grid lines (for maps, whose image hides
    them).  ``figure()``'s processing of its options (tools named in a string, default axes, grids and ranges) is
    skipped: the models it would make are set here directly, ≈4 ms less a figure (≈50 ms a page)."""
    tools = [BoxZoomTool(), WheelZoomTool(), ResetTool(), SaveTool()]
    fig = figure.__new__(figure)  # a Figure model (as BokehJS and the page's tests know it) set up as a plain Plot:
    Plot.__init__(fig, title=Title(text=title), x_range=x_range, y_range=y_range, toolbar_location="above",
                  toolbar=Toolbar(tools=tools, active_drag=None, active_scroll=None, logo=None), **size)
    if axes is None:
        for place, text in (("below", x_label), ("left", y_label)):
            axis = LinearAxis(axis_label=text)
            fig.add_layout(axis, place)
            fig.add_layout(Grid(dimension=0 if place == "below" else 1, ticker=axis.ticker))
    else:
        fig.x_scale = fig.y_scale = axes["scale"]
        ticking = {k: axes[k] for k in ("ticker", "formatter", "major_label_policy")}
        fig.add_layout(LinearAxis(axis_label=x_label, **ticking), "below")
        fig.add_layout(LinearAxis(axis_label=y_label, **ticking), "left")
    return fig


def _shared_axes():
    """Scale and ticking models that several figures' axes may share: fewer models per page.
    (BokehJS gives each plot frame its own copy of a scale.)"""
    return dict(scale=LinearScale(), ticker=BasicTicker(), formatter=BasicTickFormatter(),
                major_label_policy=AllLabels())


def _stateless(live):
    """Models that every data source and view of a session's page share (each would otherwise add three models
    per source: ≈60 of a page's ≈600): the selection policy and the view filter, which hold no state, and the
    selection, which no tool of these plots changes (no select or tap tool; a click on a map is a Tap event)."""
    shared = getattr(live, "_stateless_models", None)
    if shared is None:
        shared = live._stateless_models = dict(selected=Selection(), selection_policy=UnionRenderers(),
                                               filter=AllIndices())
    return shared


def _source(live, data):
    """A ColumnDataSource of ``data`` with the page's shared selection models."""
    shared = _stateless(live)
    return ColumnDataSource(data, selected=shared["selected"], selection_policy=shared["selection_policy"])


def _view(live):
    """A CDSView with the page's shared filter (renderers of one source may share one view)."""
    return CDSView(filter=_stateless(live)["filter"])


def _span(live, fig, plot):
    """A vertical line at V (at mu_F in the cut against mu_F), moved by :class:`Live`, on the overlay layer."""
    span = Span(location=0.0, dimension="height", line_color="black", line_width=1, level="overlay")
    fig.renderers.append(span)
    live.register(("span", plot, None), plot=fig, glyph=span)


def _glyph(fig, source, glyph, **renderer):
    """Add ``glyph`` drawn from ``source`` to ``fig``; BokehJS derives its unselected and muted looks ("auto").

    ``figure.line`` and friends create those two looks as models of their own: a third of a page's models.
    Renderers of one source may share its view (``view=``): each view would otherwise add two models.
    """
    out = GlyphRenderer(data_source=source, glyph=glyph, nonselection_glyph="auto", muted_glyph="auto", **renderer)
    fig.renderers.append(out)
    return out


MUTE_CURVE = "cb_obj.document.get_model_by_id(cb_obj.tags[1]).muted = cb_obj.muted"
"""Run when a legend swatch is muted: mutes the curve whose id follows the swatch's tag."""


def _line(live, name, color, **style):
    """The Line glyph of column ``name``, one per look in a page: a curve, its legend swatch and the same quantity's
    curve in the other cut plot draw through one glyph model (each renderer gets its own view in BokehJS)."""
    key = (name, color, tuple(sorted(style.items())))
    lines = _stateless(live).setdefault("lines", {})
    if key not in lines:
        lines[key] = Line(x="x", y=name, line_color=color, line_width=2, **style)
    return lines[key]


class _Curves:
    """The curves of one figure, registered with :class:`Live` under ``(curve, plot, name)``, and their legend.

    The lines share one source (the abscissa ``x`` and a column per curve) and its view.  The legend shows
    a copy of each line (the same glyph, :func:`_line`) that draws one NaN point, from a second shared source: BokehJS re-renders a
    legend's items (HTML, with computed styles) whenever a model they reference changes, and items that
    pointed at the curves were re-rendered at every slider step (≈33 ms of a μ_F step for four legends).
    Muting a copy from the legend mutes the line it stands for (one callback per figure).
    """

    def __init__(self, live, fig, plot, x):
        self.live, self.fig, self.plot = live, fig, plot
        self.source, self.view = _source(live, {"x": x}), _view(live)
        self.nowhere, self.nowhere_view = _source(live, {"x": [np.nan]}), _view(live)
        self.mute = CustomJS(code=MUTE_CURVE)
        self.items = []

    def line(self, name, color, legend=None, **style):
        """Add the line of ``name`` (NaN until :class:`Live` writes it) and, with a ``legend`` label, its item."""
        self.source.data[name] = np.full(len(self.source.data["x"]), np.nan)
        line = _glyph(self.fig, self.source, _line(self.live, name, color, **style), view=self.view)
        self.live.register(("curve", self.plot, name), plot=self.fig, source=self.source, glyph=line.glyph,
                           glyph_renderer=line, x_range=self.fig.x_range, y_range=self.fig.y_range)
        if legend is not None:
            self.nowhere.data[name] = [np.nan]
            swatch = _glyph(self.fig, self.nowhere, line.glyph, view=self.nowhere_view,
                            tags=[SWATCH, line.id])
            swatch.js_on_change("muted", self.mute)
            self.items.append(LegendItem(label=legend, renderers=[swatch]))

    def legend(self):
        """The legend right of the frame, in as many columns as keep it within the frame's height (one column
        of more items than fit grew over the plot above, e.g. with every map chosen)."""
        rows = max(1, (self.fig.frame_height - 2 * LEGEND["padding"]) // LEGEND_ROW)
        columns = -(-len(self.items) // rows)
        nrows = -(-len(self.items) // columns) if self.items else "auto"
        self.fig.add_layout(Legend(items=self.items, nrows=nrows, **LEGEND), "right")


def map_figure(live, key, shared):
    """The map of ``key`` against (V, mu_F), with its colour bar, the guide lines and the current point.

    ``shared`` (:func:`map_grid`): ranges, scale, axis ticking, and the marker's and guide lines' sources, views
    and glyphs.  The colour bar shows the values divided by a power of ten named in its label (``D₂ (10⁻²/meV)``),
    set with the data by :class:`Live`: ticks like -0.0015, -0.001 (a map of 0.002 at most) read -1.5, -1.0.
    """
    fig = _figure(symbol(key), shared["x_range"], shared["y_range"], label("V"), label("mu_F"),
                  axes=shared["axes"], width=300, height=250)
    mapper = LinearColorMapper(palette=DIVERGING, low=-1.0, high=1.0)
    # the image's place is data: Live moves it with the maps' window
    source = _source(live, {"image": [np.zeros((MAP_MU_F.size, MAP_V.size))], **live.image_frame()})
    image = _glyph(fig, source, Image(image="image", color_mapper=mapper, x="x", y="y", dw="dw", dh="dh"),
                   view=_view(live))
    fig.add_tools(HoverTool(renderers=[image], visible=False, tooltips=[
        (label("V"), "$x{0.00}"), (label("mu_F"), "$y{0.00}"), (label(key), "@image{0.000e}")]))
    colorbar = ColorBar(color_mapper=mapper, title=label(key), width=10, ticker=shared["axes"]["ticker"],
                        major_label_policy=shared["axes"]["major_label_policy"],
                        formatter=CustomJSTickFormatter(code=SCALED_TICKS, args={"scale": 1.0}))
    fig.add_layout(colorbar, "right")
    _glyph(fig, shared["guides"], shared["guides_glyph"], view=shared["guides_view"])
    _glyph(fig, shared["marker"], shared["marker_glyph"], view=shared["marker_view"], level="overlay")
    fig.on_event(Tap, lambda event: live.on_tap(event.x, event.y))
    live.register(("image", key, None), plot=fig, source=source, color_mapper=mapper, colorbar=colorbar,
                  glyph_renderer=image, x_range=fig.x_range, y_range=fig.y_range)
    return fig


def map_grid(live, keys):
    """The chosen maps, four in a row, in one pane: shared ranges, one marker source and one guide-line source,
    each drawn through one glyph model."""
    shared = dict(x_range=Range1d(MAP_V[0], MAP_V[-1]), y_range=Range1d(MAP_MU_F[0], MAP_MU_F[-1]),
                  axes=_shared_axes(), marker=_source(live, {"V": [0.0], "mu_F": [0.0]}), marker_view=_view(live),
                  guides=_source(live, {"xs": [], "ys": []}), guides_view=_view(live),
                  guides_glyph=MultiLine(xs="xs", ys="ys", line_color="black", line_dash="dotted", line_width=0.8,
                                         line_alpha=0.6),
                  marker_glyph=Scatter(x="V", y="mu_F", marker="x", size=9, line_color="lime", line_width=3))
    figures = [map_figure(live, k, shared) for k in keys]
    if figures:
        live.register(("marker", "maps", None), plot=shared["marker"], source=shared["marker"])
        live.register(("guides", "maps", None), plot=shared["guides"], source=shared["guides"])
    grid = GridBox(children=[(f, k // 4, k % 4) for k, f in enumerate(figures)], spacing=10)
    return pn.pane.Bokeh(grid, margin=5)  # one pane (a pane per map cost ≈3 ms of Panel's work each)


def cut_figure(live, plot, keys):
    """The chosen quantities against V at mu_F (``"cutV"``) or against mu_F at V, each over its map's max."""
    along_v = plot == "cutV"
    x, axis = (MAP_V, "V") if along_v else (MAP_MU_F, "mu_F")
    title = (f"cuts against V at the current {symbol('mu_F')}" if along_v
             else f"cuts against {symbol('mu_F')} at the current V")
    fig = _figure(title, Range1d(x[0], x[-1]), Range1d(-1.1, 1.1), label(axis), "value / max |value| of its map",
                  **CUT_FRAME)
    curves = _Curves(live, fig, plot, x)
    for k in keys:
        curves.line(k, COLOURS[k], legend=symbol(k))
    curves.legend()
    _span(live, fig, plot)
    return fig


def cuts(live, keys):
    """The two cut plots side by side."""
    return pn.pane.Bokeh(BkRow(children=[cut_figure(live, "cutV", keys), cut_figure(live, "cutmu", keys)], spacing=10),
                         margin=5)


def omega_panel(live):
    """Fokker–Planck Ω(V) at mu_F and, when a run at this mu_F is shown, the Langevin points ± standard error
    with a sentence on what they add.  The legend names the curves only, so that the frame keeps its size."""
    fig = _figure(f"mean orientation Ω at {symbol('mu_F')} (lines FP, dots Langevin)",
                  Range1d(SWEEP_V[0], SWEEP_V[-1]), Range1d(-1.05, 1.05), label("V"), "Ω", **SWEEP_FRAME)
    curves = _Curves(live, fig, "omega", SWEEP_V)
    for a, c in AXES.items():
        curves.line(f"Omega_{a}", c, legend=f"Ω_{a}")
    for a, c in AXES.items():
        source = _source(live, {"x": [], "y": [], "lower": [], "upper": []})
        fig.add_layout(Whisker(source=source, base="x", lower="lower", upper="upper", line_color=c))
        _glyph(fig, source, Scatter(x="x", y="y", size=6, fill_color=c, line_color=c), view=_view(live))
        live.register(("points", "omega", a), plot=fig, source=source)
    curves.legend()
    _span(live, fig, "omega")
    note = pn.pane.Markdown(pn.bind(lambda r: LANGEVIN_NOTE[r.attrs.get("terms", "full")] if r is not None else "",
                                    live.param.langevin),
                            visible=pn.bind(lambda r: r is not None, live.param.langevin), width=500)
    return pn.Column(pn.pane.Bokeh(fig), note)


def interaction_figure(live):
    """The interaction comparison of Fig. 4 (bottom) against V at mu_F, in meV; the y range follows the curves."""
    fig = _figure("interaction comparison (Fig. 4, bottom)", Range1d(SWEEP_V[0], SWEEP_V[-1]), Range1d(-1.0, 1.0),
                  label("V"), "energy (meV)", **SWEEP_FRAME)
    curves = _Curves(live, fig, "inter", SWEEP_V)
    for k, (factor, q) in INTERACTIONS.items():
        curves.line(k, COLOURS[q], legend=factor + symbol(q), line_dash="dashed" if k == "kT_eff" else "solid")
    curves.legend()
    _span(live, fig, "inter")
    live.fit("inter")
    return fig


def current_figures(live):
    """I(V) and dI/dV at the current mu_F; their y ranges follow the curves."""
    def one(which, title, y_label):
        fig = _figure(title, Range1d(SWEEP_V[0], SWEEP_V[-1]), Range1d(-1.0, 1.0), label("V"), y_label,
                      frame_width=420, frame_height=220)
        _Curves(live, fig, which, SWEEP_V).line(which, COLOURS["I"])
        _span(live, fig, which)
        live.fit(which)
        return pn.pane.Bokeh(fig)
    return pn.Row(one("I", "charge current I (nA)", label("I")),
                  one("dIdV", "differential conductance dI/dV (µS)", "dI/dV (µS)"))
