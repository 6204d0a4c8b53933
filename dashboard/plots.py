"""The live plots of the page as Bokeh figures: maps, cuts, Omega(V), the interaction comparison, I and dI/dV.

They are built directly in Bokeh, once per session and again only when their
structure changes (the chosen maps), and :class:`~dashboard.live.Live` writes every
later change of the state into their models.  Through HoloViews a map cost ≈250 ms
of server CPU and 67 models, and the page's plots ≈2 s of the ≈2.1 s a new page
cost; built here a map costs ≈35 ms (``benchmarks/bench_load.py``).  Within a
session the maps share their ranges and the sources of the marker and the guide
lines, so one write moves the marker in every map.

The wheel scrolls the page (no plot has an active scroll tool); zoom is a choice in
each toolbar, and reset is always shown.  Legends show data-less copies of the curves
(:func:`_swatch`).  Colour scales are centred at zero.
"""
import numpy as np
import panel as pn
from bokeh.events import Tap
from bokeh.models import (AllLabels, BasicTicker, BasicTickFormatter, CDSView, ColorBar, ColumnDataSource, CustomJS,
                          GlyphRenderer, HoverTool, Image, Legend, LegendItem, Line, LinearAxis, LinearColorMapper,
                          LinearScale, MultiLine, PrintfTickFormatter, Range1d, Scatter, Span, Whisker)
from bokeh.palettes import Category10_10, RdBu11, interp_palette
from bokeh.plotting import figure

from dimer_core import QUANTITIES

from .live import INTERACTIONS
from .state import MAP_MU_F, MAP_V, RUN_V, SWEEP_V

DIVERGING = interp_palette(RdBu11, 256)
"""Blue below zero, white at zero, red above; the colour mapper's limits are ±max|value| (:meth:`Live.map_image`)."""
TOOLS = "pan,wheel_zoom,reset,save"
"""Offered in every toolbar; none of them takes the mouse wheel until chosen (``active_scroll=None``)."""
AXES = {"x": "#1f77b4", "y": "#ff7f0e", "z": "#2ca02c"}
"""Colour of each component of Omega."""
INTERACTION_LABELS = {"E_J": "Δ²J_2", "E_D": "Δ²D_2", "E_A": "Δ²A_2", "E_K": "Δ²K_2", "E_DMself": "(ΔS)²χ22_DM",
                      "kT_eff": "k_B T_eff"}
INTERACTION_COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#7f7f7f")
SWATCH = "legend swatch"
"""Tag of a legend's copy of a curve (:func:`_swatch`); the curve's id follows it in the tags."""


def _figure(title, x_range, y_range, x_label, y_label, axes=None, **size):
    """A figure with the page's tools; with ``axes`` (:func:`_shared_axes`), axes that share their ticking
    models with the other figures of ``axes`` and no grid lines (for maps, whose image hides them)."""
    if axes is None:
        fig = figure(title=title, x_range=x_range, y_range=y_range, x_axis_label=x_label, y_axis_label=y_label,
                     tools=TOOLS, active_scroll=None, toolbar_location="above", **size)
    else:
        fig = figure(title=title, x_range=x_range, y_range=y_range, x_axis_type=None, y_axis_type=None,
                     tools=TOOLS, active_scroll=None, toolbar_location="above", **size)
        fig.x_scale = fig.y_scale = axes["scale"]
        ticking = {k: axes[k] for k in ("ticker", "formatter", "major_label_policy")}
        fig.add_layout(LinearAxis(axis_label=x_label, **ticking), "below")
        fig.add_layout(LinearAxis(axis_label=y_label, **ticking), "left")
    fig.toolbar.logo = None
    return fig


def _shared_axes():
    """Scale and ticking models that several figures' axes (and colour bars) may share: fewer models per page.
    (BokehJS gives each plot frame its own copy of a scale.)"""
    return dict(scale=LinearScale(), ticker=BasicTicker(), formatter=BasicTickFormatter(),
                major_label_policy=AllLabels(), bar_formatter=PrintfTickFormatter(format="%.3g"))


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


class _Curves:
    """The curves of one figure, registered with :class:`Live` under ``(curve, plot, name)``, and their legend.

    The lines share one source (the abscissa ``x`` and a column per curve) and its view.  The legend shows
    a copy of each line that draws one NaN point, from a second shared source: BokehJS re-renders a
    legend's items (HTML, with computed styles) whenever a model they reference changes, and items that
    pointed at the curves were re-rendered at every slider step (≈33 ms of a μ_F step for four legends).
    Muting a copy from the legend mutes the line it stands for (one callback per figure).
    """

    def __init__(self, live, fig, plot, x):
        self.live, self.fig, self.plot = live, fig, plot
        self.source, self.view = ColumnDataSource({"x": x}), CDSView()
        self.nowhere, self.nowhere_view = ColumnDataSource({"x": [np.nan]}), CDSView()
        self.mute = CustomJS(code=MUTE_CURVE)
        self.items = []

    def line(self, name, color, label=None, **style):
        """Add the line of ``name`` (NaN until :class:`Live` writes it) and, with a ``label``, its legend item."""
        self.source.data[name] = np.full(len(self.source.data["x"]), np.nan)
        line = _glyph(self.fig, self.source, Line(x="x", y=name, line_color=color, line_width=2, **style),
                      view=self.view)
        self.live.register(("curve", self.plot, name), plot=self.fig, source=self.source, glyph=line.glyph,
                           glyph_renderer=line, x_range=self.fig.x_range, y_range=self.fig.y_range)
        if label is not None:
            self.items.append(LegendItem(label=label, renderers=[self.swatch(line)]))

    def swatch(self, renderer):
        """A copy of ``renderer``'s glyph drawing nothing, for a legend item."""
        for column in (renderer.glyph.x, renderer.glyph.y):  # field names
            self.nowhere.data[column] = [np.nan]
        copy = _glyph(self.fig, self.nowhere, renderer.glyph.clone(), view=self.nowhere_view,
                      tags=[SWATCH, renderer.id])
        copy.js_on_change("muted", self.mute)
        return copy

    def legend(self):
        legend = Legend(items=self.items, click_policy="mute", location="top_left", border_line_alpha=0)
        self.fig.add_layout(legend, "right")
        return legend


def map_figure(live, key, shared):
    """The map of ``key`` against (V, mu_F), with its colour bar, the guide lines and the current point.

    ``shared`` (:func:`map_grid`): ranges, axis ticking, and the marker's and guide lines' sources and views.
    """
    unit = QUANTITIES[key][0]
    fig = _figure(key, shared["x_range"], shared["y_range"], "V (mV)", "mu_F (meV)", axes=shared["axes"],
                  width=290, height=250)
    mapper = LinearColorMapper(palette=DIVERGING, low=-1.0, high=1.0)
    # the image's place is data: Live moves it with the maps' window
    source = ColumnDataSource({"image": [np.zeros((MAP_MU_F.size, MAP_V.size))], **live.image_frame()})
    image = _glyph(fig, source, Image(image="image", color_mapper=mapper, x="x", y="y", dw="dw", dh="dh"))
    fig.add_tools(HoverTool(renderers=[image], tooltips=[("V", "$x{0.00} mV"), ("mu_F", "$y{0.00} meV"),
                                                         (key, f"@image{{0.000e}} {unit}")]))
    fig.add_layout(ColorBar(color_mapper=mapper, title=f"{key} ({unit})", width=10, ticker=shared["axes"]["ticker"],
                            formatter=shared["axes"]["bar_formatter"],
                            major_label_policy=shared["axes"]["major_label_policy"]), "right")
    _glyph(fig, shared["guides"], MultiLine(xs="xs", ys="ys", line_color="black", line_dash="dotted", line_width=0.8,
                                            line_alpha=0.6), view=shared["guides_view"])
    _glyph(fig, shared["marker"], Scatter(x="V", y="mu_F", marker="x", size=9, line_color="lime", line_width=3),
           view=shared["marker_view"], level="overlay")
    fig.on_event(Tap, lambda event: live.on_tap(event.x, event.y))
    live.register(("image", key, None), plot=fig, source=source, color_mapper=mapper, glyph_renderer=image,
                  x_range=fig.x_range, y_range=fig.y_range)
    return fig


def map_grid(live, keys):
    """The chosen maps, four in a row: shared ranges, one marker source and one guide-line source."""
    shared = dict(x_range=Range1d(MAP_V[0], MAP_V[-1]), y_range=Range1d(MAP_MU_F[0], MAP_MU_F[-1]),
                  axes=_shared_axes(), marker=ColumnDataSource({"V": [0.0], "mu_F": [0.0]}), marker_view=CDSView(),
                  guides=ColumnDataSource({"xs": [], "ys": []}), guides_view=CDSView())
    figures = [map_figure(live, k, shared) for k in keys]
    if figures:
        live.register(("marker", "maps", None), plot=shared["marker"], source=shared["marker"])
        live.register(("guides", "maps", None), plot=shared["guides"], source=shared["guides"])
    return pn.GridBox(*[pn.pane.Bokeh(f) for f in figures], ncols=4)


def cut_figure(live, plot, keys):
    """The chosen quantities against V at mu_F (``"cutV"``) or against mu_F at V, each over its map's max."""
    along_v = plot == "cutV"
    x, label = (MAP_V, "V (mV)") if along_v else (MAP_MU_F, "mu_F (meV)")
    title = "cuts against V at the current mu_F" if along_v else "cuts against mu_F at the current V"
    fig = _figure(title, Range1d(x[0], x[-1]), Range1d(-1.1, 1.1), label, "value / max of its map",
                  frame_width=400, frame_height=200)
    curves = _Curves(live, fig, plot, x)
    for k, color in zip(keys, Category10_10 * 3):
        curves.line(k, color, label=k)
    curves.legend()
    _span(live, fig, plot)
    return fig


def cuts(live, keys):
    """The two cut plots side by side."""
    return pn.Row(pn.pane.Bokeh(cut_figure(live, "cutV", keys)), pn.pane.Bokeh(cut_figure(live, "cutmu", keys)))


def omega_figure(live):
    """Fokker–Planck Omega(V) at mu_F, and the Langevin points ± standard error when a run at this mu_F is shown."""
    fig = _figure("mean orientation Omega at mu_F (lines FP, dots Langevin)", Range1d(SWEEP_V[0], SWEEP_V[-1]),
                  Range1d(-1.05, 1.05), "V (mV)", "Omega", frame_width=400, frame_height=240)
    curves = _Curves(live, fig, "omega", SWEEP_V)
    for a, c in AXES.items():
        curves.line(f"Omega_{a}", c, label=f"Omega_{a} (FP)")
    for a, c in AXES.items():
        source = ColumnDataSource({"x": [], "y": [], "lower": [], "upper": []})
        fig.add_layout(Whisker(source=source, base="x", lower="lower", upper="upper", line_color=c))
        dots = _glyph(fig, source, Scatter(x="x", y="y", size=6, fill_color=c, line_color=c))
        item = LegendItem(label=f"Omega_{a} (Langevin)", renderers=[curves.swatch(dots)], visible=False)
        curves.items.append(item)
        live.register(("points", "omega", a), plot=fig, source=source, legend_item=item)
    curves.legend()
    _span(live, fig, "omega")
    return fig


def interaction_figure(live):
    """The interaction comparison of Fig. 4 (bottom) against V at mu_F, in meV; the y range follows the curves."""
    fig = _figure("interaction comparison (Fig. 4, bottom)", Range1d(SWEEP_V[0], SWEEP_V[-1]), Range1d(-1.0, 1.0),
                  "V (mV)", "energy (meV)", frame_width=400, frame_height=240)
    curves = _Curves(live, fig, "inter", SWEEP_V)
    for k, c in zip(INTERACTIONS, INTERACTION_COLORS):
        curves.line(k, c, label=INTERACTION_LABELS[k], line_dash="dashed" if k == "kT_eff" else "solid")
    curves.legend()
    _span(live, fig, "inter")
    live.fit("inter")
    return fig


def current_figures(live):
    """I(V) and dI/dV at the current mu_F; their y ranges follow the curves."""
    def one(which, title, label):
        fig = _figure(title, Range1d(SWEEP_V[0], SWEEP_V[-1]), Range1d(-1.0, 1.0), "V (mV)", label,
                      frame_width=420, frame_height=220)
        _Curves(live, fig, which, SWEEP_V).line(which, "#1f77b4")
        _span(live, fig, which)
        live.fit(which)
        return pn.pane.Bokeh(fig)
    return pn.Row(one("I", "charge current I (nA)", "I (nA)"),
                  one("dIdV", "differential conductance dI/dV (µS)", "dI/dV (µS)"))
