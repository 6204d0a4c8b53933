"""The junction page (/junction): any small junction's couplings over (mu_F, V), on the junction engine.

Pick a preset of :data:`dimer_core.junction.PRESETS` or upload a TOML model file (docs/junction.md, "Model
files"); the page draws the molecule (:mod:`dashboard.molecule`), and for a chosen pair of sites (a = b: a
site's own terms) the maps of the chosen named views over (mu_F, V) and their cuts through the marker
(:mod:`dashboard.junction_state` computes them with :func:`dimer_core.electrons.junction_maps.maps` and
:func:`dimer_core.junction.pair_dataset`).  The plots follow the dimer page's conventions
(:mod:`dashboard.plots`): colour scales centred at zero, symbols with units, no active scroll tool (the wheel
scrolls the page), and a click on a map moves the marker there.

A map's colour scale is ±max|value|, unless a narrow feature (a tip resonance of stm-polarised, a divergence of
T_eff) would wash out the rest: where max|value| exceeds :data:`CLIP_FACTOR` times the
:data:`CLIP_PERCENTILE`-th percentile of |value|, the scale is ± that percentile, values beyond take the end
colours, and a line under the title says so with the true max|value| (the hover shows every value as computed).
"""
import numpy as np
import panel as pn
from bokeh.events import Tap
from bokeh.models import (ColorBar, ColumnDataSource, GridBox, HoverTool, Legend, LegendItem, LinearColorMapper,
                          Range1d, Span, Title)
from bokeh.models import Row as BkRow
from bokeh.palettes import Category10_10
from bokeh.plotting import figure

from .controls import run_controls
from .junction_labels import label, symbol
from .junction_runs import JunctionRuns
from .junction_state import GRID_MU_F, GRID_V, JunctionState
from .labels import label as parameter_label
from .molecule import molecule_figure
from .plots import DIVERGING, TOOLS
from .rates_view import rates_results
from .views import lines_view
from .widgets import file_input

__all__ = ["TITLE", "CLIP_PERCENTILE", "CLIP_FACTOR", "largest", "colour_range", "JunctionPlots", "SPINS_NOTE",
           "LINES_INTRO", "RATES_INTRO", "spins_section", "junction_app", "session_page"]

TITLE = "Any junction: bias-controlled couplings of a molecule's spins (dimer_core.junction)"


def _figure(title, x_range, y_range, x_label, y_label, **size):
    """A figure with the page's tools (:data:`dashboard.plots.TOOLS`), none active."""
    fig = figure(title=title, x_range=x_range, y_range=y_range, tools=TOOLS, active_drag=None, active_scroll=None,
                 toolbar_location="above", x_axis_label=x_label, y_axis_label=y_label, **size)
    fig.toolbar.logo = None
    return fig


def largest(values):
    """max |value| over a map (NaN ignored), 1 where the map is all zero or NaN: the colour scale's half-width."""
    finite = np.abs(values[np.isfinite(values)])
    size = float(finite.max()) if finite.size else 0.0
    return size if size > 0.0 else 1.0


CLIP_PERCENTILE = 98.0
"""The percentile of |value| that sets a clipped colour scale (:func:`colour_range`)."""
CLIP_FACTOR = 4.0
"""A map's scale is clipped when max|value| exceeds this times its :data:`CLIP_PERCENTILE`-th percentile: on the
presets only narrow features do (stm's tip resonance in J, α; divergences of T_eff), smooth maps keep ±max."""


def colour_range(values):
    """(half-width, clipped) of a map's colour scale, centred at zero (NaN ignored): ±max|value|, or ± the
    :data:`CLIP_PERCENTILE`-th percentile of |value| (clipped = True) where max|value| is more than
    :data:`CLIP_FACTOR` times that; 1 for a map all zero or NaN."""
    finite = np.abs(values[np.isfinite(values)])
    top = largest(values)
    if finite.size:
        bulk = float(np.percentile(finite, CLIP_PERCENTILE))
        if 0.0 < bulk and top > CLIP_FACTOR * bulk:
            return bulk, True
    return top, False


class JunctionPlots:
    """The maps and cuts of one session: rebuilt when the maps or their choice change; moving mu_F or V writes
    the marker, the cut lines and the spans only."""

    def __init__(self, state):
        self.state = state
        self.marker = ColumnDataSource({"V": [state.V], "mu_F": [state.mu_F]})
        self.images, self.cut_sources, self.spans = {}, {}, {}
        self.maps = pn.pane.Bokeh(GridBox(children=[]), margin=5)
        self.cuts = pn.pane.Bokeh(BkRow(children=[]), margin=5)
        state.param.watch(lambda *_: self.rebuild(), ["data", "quantities"])
        state.param.watch(lambda *_: self.move(), ["mu_F", "V"])
        self.rebuild()

    def rebuild(self):
        ds, keys = self.state.data, [k for k in self.state.quantities]
        if ds is None:
            keys = []
        keys = [k for k in keys if k in ds] if ds is not None else []
        x_range, y_range = Range1d(GRID_V[0], GRID_V[-1]), Range1d(GRID_MU_F[0], GRID_MU_F[-1])
        self.images = {k: self.map_figure(ds, k, x_range, y_range) for k in keys}
        self.maps.object = GridBox(children=[(self.images[k]["figure"], n // 4, n % 4) for n, k in enumerate(keys)],
                                   spacing=10)
        self.cuts.object = BkRow(children=[self.cut_figure(ds, keys, "V"), self.cut_figure(ds, keys, "mu_F")],
                                 spacing=10) if keys else BkRow(children=[])
        self.move()

    def map_figure(self, ds, key, x_range, y_range):
        """The map of ``key`` against (V, mu_F) with its colour bar (:func:`colour_range`) and the marker."""
        values = ds[key].values  # (mu_F, V): rows are mu_F, the image's y
        size, clipped = colour_range(values)
        fig = _figure(symbol(key), x_range, y_range, parameter_label("V"), parameter_label("mu_F"), width=300,
                      height=250)
        if clipped:
            fig.add_layout(Title(text=f"colours clipped at ±{size:.3g}; max |value| {largest(values):.3g} (hover)",
                                 text_font_size="8pt", text_font_style="italic", text_color="#a00000"), "above")
        mapper = LinearColorMapper(palette=DIVERGING, low=-size, high=size, nan_color="#dddddd")
        source = ColumnDataSource({"image": [values], "x": [GRID_V[0]], "y": [GRID_MU_F[0]],
                                   "dw": [GRID_V[-1] - GRID_V[0]], "dh": [GRID_MU_F[-1] - GRID_MU_F[0]]})
        image = fig.image(image="image", x="x", y="y", dw="dw", dh="dh", source=source, color_mapper=mapper)
        fig.add_tools(HoverTool(renderers=[image], tooltips=[(parameter_label("V"), "$x{0.00}"),
                                                             (parameter_label("mu_F"), "$y{0.00}"),
                                                             (label(key), "@image{0.000e}")]))
        fig.add_layout(ColorBar(color_mapper=mapper, title=label(key), width=10), "right")
        fig.scatter(x="V", y="mu_F", source=self.marker, marker="x", size=9, line_color="lime", line_width=3,
                    level="overlay")
        fig.on_event(Tap, lambda event: self.tap(event.x, event.y))
        return {"figure": fig, "source": source, "mapper": mapper, "clipped": clipped}

    def tap(self, V, mu_F):
        if V is not None and mu_F is not None:
            self.state.param.update(V=float(np.clip(V, GRID_V[0], GRID_V[-1])),
                                    mu_F=float(np.clip(mu_F, GRID_MU_F[0], GRID_MU_F[-1])))

    def cut_figure(self, ds, keys, against):
        """Each chosen view against V at the marker's mu_F (``against="V"``) or against mu_F at its V, divided by
        max|value| of its map."""
        x = GRID_V if against == "V" else GRID_MU_F
        other = "mu_F" if against == "V" else "V"
        fig = _figure(f"cuts against {parameter_label(against).split(' ')[0]} at the marker's "
                      f"{parameter_label(other).split(' ')[0]}", Range1d(x[0], x[-1]), Range1d(-1.1, 1.1),
                      parameter_label(against), "value / max |value| of its map", frame_width=360, frame_height=220)
        source = ColumnDataSource({"x": x, **{k: np.full(x.size, np.nan) for k in keys}})
        items = []
        for n, k in enumerate(keys):
            line = fig.line("x", k, source=source, line_width=2, line_color=Category10_10[n % 10])
            items.append(LegendItem(label=symbol(k), renderers=[line]))
        fig.add_layout(Legend(items=items, label_text_font_size="9pt", click_policy="mute"), "right")
        span = Span(location=0.0, dimension="height", line_color="black", line_width=1, level="overlay")
        fig.renderers.append(span)
        self.cut_sources[against], self.spans[against] = source, span
        return fig

    def cut_values(self):
        """{"V": {key: row}, "mu_F": {key: column}}: the chosen views through the marker, each over its map's
        max|value| (what the cut plots show)."""
        ds, state = self.state.data, self.state
        i_mu, i_v = state.cut_index()
        out = {"V": {}, "mu_F": {}}
        for k in self.images:
            values = ds[k].values
            size = largest(values)
            out["V"][k], out["mu_F"][k] = values[i_mu, :] / size, values[:, i_v] / size
        return out

    def move(self):
        state = self.state
        self.marker.data = {"V": [state.V], "mu_F": [state.mu_F]}
        if not self.images or not self.cut_sources:
            return
        for against, lines in self.cut_values().items():
            self.cut_sources[against].data = {"x": self.cut_sources[against].data["x"], **lines}
        self.spans["V"].location, self.spans["mu_F"].location = state.V, state.mu_F


SPINS_NOTE = """**The junction's spins in motion** at the page's T and the marker's μ_F, over a range of V
(`dimer_core.studies.junction_lines`; docs/junction.md, "Lines, rates and read-out of a junction"). The chosen
sites are free, the others pinned along +z. The spins' bare terms are the model file's (`[spins]`); a model
without them (every preset) has none, or an easy axis K_easy along z on every spin given here."""

LINES_INTRO = """Press **Compute the ESR lines** for the linear modes of the free spins' noiseless LLG around each
stationary state, against V: each line's frequency f and linewidth Γ/π (full width at half maximum) in GHz, dots
where the state is stable, crosses where not. A negative linewidth is a mode the bias drives: the onset of switching
or auto-oscillation. The run is in a worker thread with progress and Stop; a run estimated over 10 s asks first."""

RATES_INTRO = """Press **Compute the switching rates** for the rate out of each stable state (1/ns, log scale) against
V. One free site: exact, from the spectrum of its Fokker–Planck operator (2–3 s a bias: a run over 10 s first shows
its estimate). Several: counting switches in Langevin runs, with 95 % intervals (minutes at most; the page asks
first). A spin needs two stable states to switch between: without bare terms the presets have one; e.g.
dimer-weak-soc with site 2 free, K_easy = 4 meV and T = 5 K is bistable from about 0.5 to 5.5 mV."""

RUN_SETTINGS = ("free", "V_from", "V_to", "biases", "terms", "K_easy", "page_revision")
"""The settings of :class:`~dashboard.junction_runs.JunctionRuns` (and the page's model, T, μ_F) whose change
withdraws a shown estimate."""


def spins_section(runs):
    """The settings shared by the ESR lines and the switching rates, and a tab for each (with Run, Stop, progress,
    the estimate before a long run, the plots and the CSV)."""
    settings = pn.Row(
        pn.widgets.MultiChoice.from_param(runs.param.free, name="free sites", width=220, css_classes=["junction-free"]),
        pn.widgets.FloatInput.from_param(runs.param.V_from, name="V from (mV)", step=0.5, width=110,
                                         css_classes=["junction-v-from"]),
        pn.widgets.FloatInput.from_param(runs.param.V_to, name="V to (mV)", step=0.5, width=110,
                                         css_classes=["junction-v-to"]),
        pn.widgets.IntInput.from_param(runs.param.biases, name="biases", width=90, css_classes=["junction-biases"]),
        pn.widgets.Select.from_param(runs.param.terms, name="terms", width=100),
        pn.widgets.FloatInput.from_param(runs.param.K_easy, name="K_easy along z (meV)", step=0.5, width=150,
                                         css_classes=["junction-k-easy"]))
    alert = pn.pane.Alert(pn.bind(lambda m: m, runs.param.message), alert_type="danger",
                          visible=pn.bind(bool, runs.param.message), css_classes=["junction-runs-message"])
    route = pn.pane.Markdown(pn.bind(lambda *_: runs.summary(), runs.param.free, runs.param.K_easy,
                                     runs.state.param.model_text), margin=(0, 10), css_classes=["junction-route"])
    lines = pn.Column(run_controls(runs, runs.esr, runs.start_esr, "ESR lines", runs.esr_seconds,
                                   button="Compute the ESR lines", fewer=False, bound=False, hide_on=RUN_SETTINGS),
                      lines_view(runs.esr, LINES_INTRO, filename="junction_esr_lines.csv"), sizing_mode="stretch_width")
    rates = pn.Column(run_controls(runs, runs.rates, runs.start_rates, "switching rates", runs.rates_seconds,
                                   button="Compute the switching rates", fewer=False,
                                   bound=lambda: runs.method == "langevin",
                                   hide_on=RUN_SETTINGS),
                      rates_results(runs.rates, RATES_INTRO), sizing_mode="stretch_width")
    tabs = pn.Tabs(("ESR lines", lines), ("Switching rates", rates), dynamic=True, sizing_mode="stretch_width")
    return pn.Column(pn.pane.Markdown(SPINS_NOTE, sizing_mode="stretch_width"), settings, route, alert, tabs,
                     sizing_mode="stretch_width", css_classes=["junction-spins"])


def junction_app():
    """A fresh junction page (one per browser session): a BootstrapTemplate; its ``state`` and ``plots`` are
    attributes, for tests."""
    state = JunctionState()
    plots = JunctionPlots(state)

    def uploaded(content, filename):
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError:
            state.message = f"{filename}: not a text file (a TOML model file is UTF-8 text)"
            return
        state.load_text(text, filename or "uploaded file")

    upload = file_input(".toml,.txt", "model-file", uploaded)
    alert = pn.pane.Alert(pn.bind(lambda m: m, state.param.message), alert_type="danger",
                          visible=pn.bind(bool, state.param.message), css_classes=["junction-message"])
    status = pn.pane.Str(state.param.status, css_classes=["junction-status"])
    grid_step = dict(mu_F=float(GRID_MU_F[1] - GRID_MU_F[0]), V=float(GRID_V[1] - GRID_V[0]))
    sidebar = [
        pn.pane.Markdown("**Junction**: a preset, or a TOML model file (docs/junction.md, \"Model files\")"),
        pn.widgets.Select.from_param(state.param.preset, name="preset", css_classes=["junction-preset"]),
        upload,
        pn.pane.Markdown(pn.bind(lambda s: f"shown: {s}", state.param.source)),
        pn.pane.Markdown("**Pair** (a = b: the site's own terms)"),
        pn.Row(pn.widgets.Select.from_param(state.param.site_a, name="site a", width=90, css_classes=["site-a"]),
               pn.widgets.Select.from_param(state.param.site_b, name="site b", width=90, css_classes=["site-b"])),
        pn.widgets.FloatInput.from_param(state.param.T, name=parameter_label("T"), step=1.0, width=150,
                                         css_classes=["junction-T"]),
        pn.widgets.FloatSlider.from_param(state.param.mu_F, name=parameter_label("mu_F"), step=grid_step["mu_F"],
                                          css_classes=["param-mu_F"]),
        pn.widgets.FloatSlider.from_param(state.param.V, name=parameter_label("V"), step=grid_step["V"],
                                          css_classes=["param-V"]),
        pn.pane.Markdown("[the dimer's dashboard](./)"),
    ]
    molecule = pn.pane.Bokeh(pn.bind(molecule_figure, state.param.junction))
    choose = pn.widgets.MultiChoice.from_param(state.param.quantities, name="maps (the pair's views, "
                                               "dimer_core.junction.VIEWS)", sizing_mode="stretch_width")
    runs = JunctionRuns(state)
    template = pn.template.BootstrapTemplate(
        title=TITLE, sidebar=sidebar, sidebar_width=340, header_background="#1f4e79",
        main=[alert, pn.Row(molecule, pn.Column(choose, status, pn.pane.Markdown(NOTE), width=600)),
              plots.maps, plots.cuts, spins_section(runs)])
    template.state, template.plots, template.upload, template.runs = state, plots, upload, runs  # for tests
    return template


NOTE = """Every number is from `dimer_core.junction` (docs/junction.md): the maps are
`maps(junction, mu_F, V, pairs=[(a, b)])` over this grid and their named views (`pair_dataset`), per Δ²
(S = the model's). J_ab, D_ab, A_ab: exchange, DM and anisotropic exchange on spin a from spin b (1/meV); K_a
anisotropy; α damping, j noise (parts i, an, DM); T_eff; I_c the current of lead c. Colour scales are ±max|value|,
or clipped at a high percentile of |value| where a narrow resonance would wash out the rest (said under the title;
the hover shows the values as computed)."""


def session_page():
    """One session: a fresh junction page in the current document (the page function given to Panel)."""
    junction_app().server_doc(pn.state.curdoc)
