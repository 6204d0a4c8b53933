"""The dashboard's plots follow its state by writing into their Bokeh models (dashboard.live.Live), without a
browser: every shown number equals what dimer_core computes for the current parameters."""
import numpy as np
import panel as pn
import pytest
from bokeh.document import Document
from bokeh.models import Legend

from dashboard import live as engine
from dashboard import plots
from dashboard.state import MAP_MU_F, MAP_V, RUN_V, SWEEP_V, Dashboard
from dimer_core import maps
from dimer_core.couplings.dimer import guide_levels
from dimer_core.studies.sweeps import current_sweep, fp_sweep


@pytest.fixture(scope="module")
def page():
    """One session's plots, drawn into a Bokeh document as a server would."""
    dash = Dashboard()
    live = engine.Live(dash)
    layout = pn.Column(pn.bind(lambda q: pn.Column(plots.map_grid(live, q), plots.cuts(live, q)), dash.param.quantities),
                       plots.omega_panel(live), pn.pane.Bokeh(plots.interaction_figure(live)),
                       plots.current_figures(live))
    doc = Document()
    doc.add_root(layout.get_root(doc))
    return dash, live


def shown(live):
    """What the page holds: {role: data} for every element in the document."""
    out = {}
    for (kind, plot, name), h in live._handles.items():
        if h["plot"].document is None:
            continue
        if kind == "image":
            out[kind, plot, name] = (h["source"].data["image"][0], h["color_mapper"].low, h["color_mapper"].high)
        elif kind == "marker":
            out[kind, plot, name] = (h["source"].data["V"][0], h["source"].data["mu_F"][0])
        elif kind == "span":
            out[kind, plot, name] = h["glyph"].location
        elif kind == "points":
            out[kind, plot, name] = {k: np.asarray(v, dtype=float) for k, v in h["source"].data.items()}
        elif kind == "guides":
            out[kind, plot, name] = len(h["source"].data["xs"])
        else:
            out[kind, plot, name] = np.asarray(h["source"].data[h["glyph"].y], dtype=float)
    return out


def assert_page_is_the_state(dash, live):
    p = dash.p
    full = maps(p, MAP_MU_F, MAP_V)
    cut_v, cut_mu = maps(p, [p.mu_F], MAP_V), maps(p, MAP_MU_F, [p.V])
    sweep, cur = fp_sweep(p.updated(V=0.0), SWEEP_V), current_sweep(p.updated(V=0.0), SWEEP_V)
    roles = shown(live)
    kinds = {role[0] for role in roles}
    assert kinds == {"image", "marker", "span", "guides", "curve", "points"}, kinds
    for (kind, plot, name), value in roles.items():
        if kind == "image":
            z, low, high = value
            np.testing.assert_array_equal(z, full[plot].values)
            assert high == -low == np.abs(full[plot].values).max()      # colour scale centred at zero
        elif kind == "marker":
            assert value == (p.V, p.mu_F)
        elif kind == "span":
            assert value == (p.mu_F if plot == "cutmu" else p.V)
        elif kind == "guides":
            assert value == (2 * len(guide_levels(p)) if dash.guides else 0)  # |mu_L|, |mu_R| = each level
        elif kind == "points":
            run = live.langevin
            if run is None:
                assert all(v.size == 0 for v in value.values())
            else:
                y, err = run[f"Omega_{name}"].values, run[f"Omega_{name}_err"].values
                np.testing.assert_array_equal(value["x"], RUN_V)
                np.testing.assert_array_equal(value["y"], y)
                np.testing.assert_allclose(value["upper"] - value["lower"], 2 * err, rtol=1e-12)
        elif plot == "cutV" and name in dash.quantities:
            np.testing.assert_allclose(value, cut_v[name].values[0] / np.abs(full[name].values).max(), rtol=1e-12)
        elif plot == "cutmu" and name in dash.quantities:
            np.testing.assert_allclose(value, cut_mu[name].values[:, 0] / np.abs(full[name].values).max(),
                                       rtol=1e-12)
        elif plot in ("omega", "inter"):
            np.testing.assert_allclose(value, sweep[name].values, rtol=1e-12)
        elif plot in ("I", "dIdV"):
            np.testing.assert_allclose(value, cur[name].values, rtol=1e-12)


def test_the_first_drawing_shows_the_state(page):
    dash, live = page
    assert_page_is_the_state(dash, live)
    # 8 maps, their shared marker and guide lines; cuts; Omega and its Langevin points; interactions; I, dI/dV; lines
    assert len(shown(live)) == 8 + 2 + 8 * 2 + 3 + 3 + 6 + 2 + 6


@pytest.mark.parametrize("name, value", [("V", 1.4), ("mu_F", -0.7), ("V", -2.2), ("t", 0.3), ("t0", 1.5),
                                         ("tL", 6.0)])
def test_every_plot_follows_a_slider(page, name, value):
    dash, live = page
    maps_before = dash.dataset()
    dash.set_value(name, value)
    assert dash.message == ""
    assert (dash.dataset() is maps_before) == (name in ("V", "mu_F")), "mu_F and V cost no map"
    assert_page_is_the_state(dash, live)


def test_guides_toggle_and_a_new_choice_of_maps(page):
    dash, live = page
    dash.guides = False
    assert_page_is_the_state(dash, live)
    dash.guides = True
    dash.quantities = ["J_2", "D_2", "I"]   # the cuts are redrawn with these curves
    dash.p.mu_F = 0.4
    assert_page_is_the_state(dash, live)


def test_langevin_points_show_only_at_their_mu_F(page):
    dash, live = page
    result = fp_sweep(dash.p.updated(V=0.0), RUN_V)
    for x in "xyz":
        result[f"Omega_{x}_err"] = 0 * result[f"Omega_{x}"] + 0.01
    result.attrs["param_mu_F"] = dash.p.mu_F
    dash.langevin.result = result
    assert live.langevin is result
    dash.p.mu_F = dash.p.mu_F + 0.5
    assert live.langevin is None
    dash.p.mu_F = dash.p.mu_F - 0.5
    assert live.langevin is result
    assert_page_is_the_state(dash, live)


def test_a_failed_computation_empties_the_curves_and_says_why(page, monkeypatch):
    dash, live = page

    def fail(*args, **kwargs):
        raise ValueError("no convergence")
    monkeypatch.setattr(dash, "sweep", fail)
    dash.p.mu_F = 1.1
    assert dash.message == "computation failed: no convergence"
    assert all(np.isnan(v).all() for (kind, plot, _), v in shown(live).items()
               if kind == "curve" and plot in ("omega", "inter"))
    monkeypatch.undo()
    dash.p.mu_F = 1.2
    assert dash.message == ""
    assert_page_is_the_state(dash, live)


def test_what_follows_mu_F_and_V_is_on_the_overlay_layer(page):
    """Markers and bias lines are repainted on their plot's own layer: moving them repaints no image or axis."""
    dash, live = page
    from bokeh.models import GlyphRenderer, Image, Line, MultiLine, Scatter, Span

    figures = {id(h["plot"]): h["plot"] for (kind, _, _), h in live._handles.items()
               if kind in ("image", "curve") and h["plot"].document is not None}
    levels = {}
    for fig in figures.values():
        for r in fig.renderers:
            if isinstance(r, Span):
                levels.setdefault("span", set()).add(r.level)
            elif isinstance(r, GlyphRenderer) and plots.SWATCH not in r.tags:
                kind = {Scatter: "marker", Image: "image", Line: "curve", MultiLine: "guides"}[type(r.glyph)]
                if kind == "marker" and r.data_source is not live._handles["marker", "maps", None]["source"]:
                    continue  # the Langevin dots
                levels.setdefault(kind, set()).add(r.level)
    assert levels["marker"] == levels["span"] == {"overlay"}
    assert "overlay" not in levels["image"] | levels["curve"] | levels["guides"]


def test_a_fitted_range_is_kept_while_the_curves_fill_it():
    from bokeh.models import Range1d

    r = Range1d(start=0.0, end=1.0)
    engine.fit_range(r, [np.array([0.2, 0.5]), np.array([0.8])])     # inside, 60 % of it: kept (no re-layout)
    assert (r.start, r.end) == (0.0, 1.0)
    engine.fit_range(r, [np.array([0.2, 1.3])])                       # beyond it: data + 10 % each side
    assert (r.start, r.end) == pytest.approx((0.09, 1.41))
    engine.fit_range(r, [np.array([0.5, 0.6, np.nan])])               # under half of it: refit, NaN ignored
    assert (r.start, r.end) == pytest.approx((0.49, 0.61))
    engine.fit_range(r, [np.array([np.nan])])                         # nothing to fit: kept
    assert (r.start, r.end) == pytest.approx((0.49, 0.61))


def test_a_session_page_is_indexed_once_not_after_every_change(monkeypatch):
    """app.attach lays the page out with Bokeh's model index frozen (unfrozen it was rebuilt 52 times)."""
    from dashboard import app
    from bokeh.document.models import DocumentModelManager
    from panel.io.state import set_curdoc

    calls = []
    recompute = DocumentModelManager.recompute
    monkeypatch.setattr(DocumentModelManager, "recompute", lambda self: (calls.append(1), recompute(self))[1])
    doc = Document()
    with set_curdoc(doc):
        app.attach(app.create_app())
    assert doc.roots and doc.title == app.TITLE
    assert len(doc.models) > 500 and 1 <= len(calls) <= 3, len(calls)


def legend_items(live):
    """(figure, legend item) of every legend in the curve plots of the page."""
    figures = {id(h["plot"]): h["plot"] for (kind, _, _), h in live._handles.items()
               if kind == "curve" and h["plot"].document is not None}
    return [(fig, item) for fig in figures.values() for legend in fig.select(type=Legend) for item in legend.items]


def plain(spec):
    """A Bokeh property value without its ``value(...)`` wrapper."""
    return getattr(spec, "value", spec)


def test_legends_show_swatches_that_new_curves_do_not_touch(page):
    """A legend re-renders in the browser whenever a model it references changes: its items must reference
    data-less copies of the curves (same glyph), never the curves whose data a slider step rewrites."""
    dash, live = page
    dash.quantities = ["J_2", "D_2", "a_i_22"]
    dash.p.mu_F = 0.9
    items = legend_items(live)
    assert len(items) >= 3 + 3 + 6, len(items)  # the two cut plots, Omega, the interaction comparison
    rewritten = {h["source"].id for (kind, _, _), h in live._handles.items() if kind == "curve"}
    for legend in {lg.id: lg for fig, _ in items for lg in fig.select(type=Legend)}.values():
        reachable = {m.id for m in legend.references()}  # what BokehJS watches for changes (recursively)
        assert not reachable & rewritten, "a legend reaches a curve's data source"
    for fig, item in items:
        for swatch in item.renderers:
            assert swatch.tags[0] == plots.SWATCH
            curve = next(r for r in fig.renderers if r.id == swatch.tags[1])
            for visual in ("line_color", "line_dash", "line_width", "fill_color"):
                if hasattr(curve.glyph, visual):
                    assert plain(getattr(swatch.glyph, visual)) == plain(getattr(curve.glyph, visual)), visual
            assert all(np.isnan(v).all() for v in swatch.data_source.data.values())
            assert swatch.js_property_callbacks["change:muted"], "muting the swatch must mute the curve"
    before = {fig.id: len(fig.renderers) for fig, _ in items}
    dash.quantities = ["J_2", "K_2"]       # cuts redrawn: swatches of the curves gone are dropped, none doubled
    dash.quantities = ["J_2", "D_2", "a_i_22"]
    after = {fig.id: len(fig.renderers) for fig, _ in legend_items(live)}
    assert all(after.get(k, n) <= n for k, n in before.items()), (before, after)
    for fig, _ in legend_items(live):
        swatched = [r.tags[1] for r in fig.renderers if plots.SWATCH in r.tags]
        assert len(swatched) == len(set(swatched)) and set(swatched) <= {r.id for r in fig.renderers}


def test_the_interaction_range_follows_T_eff_only_up_to_twice_the_interactions():
    """k_B·T_eff diverges where a_i_22 changes sign: the fitted range must not squeeze the interactions."""
    from bokeh.models import ColumnDataSource, Line, Range1d

    live = engine.Live(Dashboard())
    y_range = Range1d(start=-1.0, end=1.0)
    v = np.linspace(-6, 6, 97)
    curves = {"E_J": 3.0 * np.sin(v), "E_D": 0.5 * v / 6, "kT_eff": 0.2 + 1.0 / (v - 0.06)}  # a pole at 0.06 mV
    for name, y in curves.items():
        live._handles["curve", "inter", name] = {"y_range": y_range, "source": ColumnDataSource({"x": v, "y": y}),
                                                 "glyph": Line(x="x", y="y")}
    live.fit("inter")
    extent = np.abs(curves["E_J"]).max()
    assert -2.0 * extent * 1.21 <= y_range.start < -extent and extent < y_range.end <= 2.0 * extent * 1.21
    curves_small_teff = 0.1 * np.ones_like(v)   # a tame T_eff keeps the range of the interactions alone
    live._handles["curve", "inter", "kT_eff"]["source"].data.update(y=curves_small_teff)
    y_range.update(start=-100.0, end=100.0)
    live.fit("inter")
    assert (y_range.start, y_range.end) == pytest.approx((-extent - 0.2 * extent, extent + 0.2 * extent), rel=1e-2)


def _doc_json(doc):
    """A document's JSON as text, its binary buffers (whose memory addresses vary) written as "buffer"."""
    import json
    import re

    out = json.dumps(doc.to_json(), sort_keys=True, default=str)
    return re.sub(r"Buffer\(id='p\d+', data=<memory at 0x[0-9a-f]+>\)", "buffer", out)


def test_bokeh_shortcuts_serialize_a_page_as_bokeh_does():
    """dashboard.bokeh_speed reads only the properties a page's JSON holds: the JSON is Bokeh's own."""
    from panel.io.state import set_curdoc

    from dashboard import app, bokeh_speed

    assert bokeh_speed.installed(), f"the shortcuts apply to Bokeh {bokeh_speed.TESTED_WITH} (pinned)"
    doc = Document()
    with set_curdoc(doc):
        app.attach(app.create_app())
    fast = _doc_json(doc)
    bokeh_speed.uninstall()
    try:
        assert _doc_json(doc) == fast
    finally:
        bokeh_speed.install()


def _page_json(build):
    """A page's document JSON (as the server sends it) with model ids renumbered in order of appearance and Panel's
    names made of object ids and counters (``main-140524181660240``, ``BootstrapTemplateActions00371``) blanked,
    so that two pages built apart compare equal when their models and values are the same."""
    import re

    from panel.io.state import set_curdoc

    doc = Document()
    with set_curdoc(doc):
        build()
    out = re.sub(r"(?<=-)\d{9,}\b|(?<=[A-Za-z])\d{5}\b", "N", _doc_json(doc))
    ids = {}
    return re.sub(r"\bp\d+\b", lambda m: ids.setdefault(m.group(0), f"m{len(ids)}"), out), doc


def test_bokeh_walk_shortcut_finds_the_models_bokeh_finds():
    """The graph walk of dashboard.bokeh_speed skips only properties that cannot hold a model: every root of a
    page reaches the same models, in the same order, as with Bokeh's own walk (and a page has models it skips)."""
    from bokeh.model.util import collect_models

    from dashboard import app, bokeh_speed

    _, doc = _page_json(lambda: app.attach(app.create_app()))
    fast = [[m.id for m in collect_models(root)] for root in doc.roots]
    skipped = sum(len(bokeh_speed._walk_plan(type(m))[1]) for m in doc.models)
    bokeh_speed.uninstall()
    try:
        slow = [[m.id for m in collect_models(root)] for root in doc.roots]
    finally:
        bokeh_speed.install()
    assert fast == slow and sum(map(len, fast)) > 500
    assert skipped > 1000, "the shortcut skips nothing on this page: it is no longer needed, or broken"


def test_page_built_without_property_validation_is_the_validated_page():
    """app.session_page builds with Bokeh's property validation off: the page is the same as the validated one."""
    from bokeh.core.property.bases import validation_on

    from dashboard import app

    seen = []
    fast, _ = _page_json(lambda: (app.session_page(), seen.append(validation_on())))
    slow, _ = _page_json(lambda: app.attach(app.create_app()))
    assert validation_on() and seen == [True]   # validation is back on after the build
    assert fast == slow
