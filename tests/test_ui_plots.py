"""The dashboard's plots in a real browser (Debian's Chromium, headless): the plot traps of issue 12.

Each test opens its own page and reads what the page holds from its live Bokeh views
(``tests/ui_support.py``): the mouse wheel scrolls the page, the cut legends list the
chosen maps inside their plots, every label is a physics symbol with its unit, each
quantity has its own colour, colour-bar ticks read alike, the Ω plot keeps its frame
and explains the Langevin points.  Some tests set the session's state on the server
(as a widget would) to show many maps or a finished Langevin run without computing one.
Run: ``.venv/bin/python -m pytest -ra tests/test_ui_plots.py``.
"""
import re

import numpy as np
import panel as pn
import pytest
from panel.io.state import set_curdoc

from dashboard.state import RUN_V
from dimer_core import QUANTITIES
from dimer_core.studies.sweeps import fp_sweep

from .ui_support import (CUT_MU, CUT_V, LIVE_VIEWS_JS, MAP_TITLES, OMEGA, app_server,  # noqa: F401
                        browser_context_args, browser_type_launch_args, open_app, plot, plots, screenshot,
                        wait_until)

pytest.importorskip("pytest_playwright")

OPEN = 300.0
"""Seconds allowed for a page to show its maps (2 cores, shared with other work)."""
SHOWN = 120.0
"""Seconds allowed for a change of the state to show in the page."""
CUTS = (CUT_V, CUT_MU)

FIGURES_JS = """() => {
  // Every live plot by title: its canvas (page px), legends, colour bars, shown curves (their colours) and
  // points (their number), texts and tools.
""" + LIVE_VIEWS_JS + """
  const text = (spec) => spec == null ? '' : typeof spec === 'string' ? spec : (spec.value ?? '');
  const colour = (spec) => spec == null ? null : typeof spec === 'string' ? spec : (spec.value ?? null);
  const out = {};
  for (const v of views) {
    if (v.model.type !== 'Figure') continue;
    const fig = v.model, c = v.canvas_view.el.getBoundingClientRect();
    const plot = {canvas: {left: c.left, top: c.top, right: c.right, bottom: c.bottom}, legends: [], colourbars: [],
                  lines: [], points: 0, hover: [], texts: [fig.title ? fig.title.text : ''],
                  x_range: [fig.x_range.start, fig.x_range.end],
                  active_scroll: fig.toolbar.active_scroll == null ? null : String(fig.toolbar.active_scroll.type
                                                                                  ?? fig.toolbar.active_scroll),
                  tools: fig.toolbar.tools.map(t => t.type)};
    for (const axis of [...fig.left, ...fig.below, ...fig.right, ...fig.above])
      if (axis.axis_label != null) plot.texts.push(text(axis.axis_label));
    for (const tool of fig.toolbar.tools)
      if (tool.type === 'HoverTool' && Array.isArray(tool.tooltips))
        for (const [label] of tool.tooltips) plot.hover.push(label);
    plot.texts.push(...plot.hover);
    for (const rv of v.renderer_views.values()) {
      const m = rv.model;
      if (m.tags && m.tags[0] === 'legend swatch') continue;  // a legend's data-less copy of a curve
      if (m.type === 'Legend') {
        const b = rv.bbox;
        plot.legends.push({labels: m.items.map(i => text(i.label)),
                           rect: {left: c.left + b.left, top: c.top + b.top, right: c.left + b.right,
                                  bottom: c.top + b.bottom}});
        plot.texts.push(...m.items.map(i => text(i.label)));
      } else if (m.type === 'ColorBar') {
        const axis = rv._axis_view, ticks = axis.tick_coords.major[axis.dimension];
        plot.colourbars.push({title: m.title, ticks: axis.model.formatter.doFormat(ticks, axis)});
        plot.texts.push(m.title);
      } else if (m.glyph && m.glyph.type === 'Line' && m.visible) {
        plot.lines.push(colour(m.glyph.line_color));
      } else if (m.glyph && m.glyph.type === 'Scatter' && m.visible) {
        plot.points += m.data_source.get_length() ?? 0;
      }
    }
    out[fig.title ? fig.title.text : ''] = plot;
  }
  return out;
}"""

RESET_SHOWN_JS = """(title) => {
  // Whether the reset button of the live plot with this title is shown in its toolbar (not folded into its menu).
""" + LIVE_VIEWS_JS + """
  const v = views.find(v => v.model.type === 'Figure' && v.model.title && v.model.title.text === title);
  const toolbar = v.owner.find_one(v.model.toolbar);
  for (const button of toolbar.tool_button_views.values()) {
    if (button.model.tool.type !== 'ResetTool') continue;
    const r = button.el.getBoundingClientRect();
    return button.el.isConnected && r.width > 0 && r.height > 0;
  }
  return false;
}"""

SCROLL_JS = "() => document.getElementById('main').scrollTop"
"""How far the page's main area (the template's scrolling element) is scrolled."""


def figures(page):
    return page.evaluate(FIGURES_JS)


def poll(condition, message):
    """:func:`wait_until` with SHOWN as the timeout, polling every 0.5 s: FIGURES_JS lays out every plot in the
    page, and run every 50 ms while 24 maps were being drawn, it kept them from ever being drawn."""
    return wait_until(condition, timeout=SHOWN, interval=0.5, message=message)


def figure(page, prefix):
    """The live plot whose title is ``prefix`` or starts with it (see FIGURES_JS)."""
    found = [p for t, p in figures(page).items() if t == prefix or t.startswith(prefix)]
    assert len(found) == 1, f"expected one plot titled {prefix!r}, found {len(found)}"
    return found[0]


def in_session(session, change):
    """Run ``change()`` on the server in the page's session, on its event loop, as a widget's callback runs."""
    doc = session.template._documents[0]  # Panel's record of the documents a template is shown in
    outcome = []

    def callback():
        try:
            change()
            outcome.append(None)
        except Exception as exc:  # noqa: BLE001 - raised in the test below
            outcome.append(exc)

    with set_curdoc(doc):
        pn.state.execute(callback, schedule=True)
    wait_until(lambda: outcome, timeout=SHOWN, message="the change on the server")
    if outcome[0] is not None:
        raise outcome[0]


def choose_maps(session, keys):
    """Show the maps of ``keys`` (as the Maps chooser does) and wait for their images in the page."""
    in_session(session, lambda: setattr(session.dashboard, "quantities", list(keys)))
    poll(lambda: sum(1 for p in figures(session.page).values() if p["colourbars"]) == len(keys),
         f"{len(keys)} maps in the page")


def langevin_result(dash):
    """A stand-in for a finished Langevin run at the current mu_F: the Fokker–Planck Ω at the run's biases."""
    result = fp_sweep(dash.p.updated(V=0.0), RUN_V)
    for x in "xyz":
        result[f"Omega_{x}_err"] = 0 * result[f"Omega_{x}"] + 0.02
    result.attrs.update(terms="full", n_realizations=16)
    return result


def show_langevin(session):
    """Put a finished Langevin run into the session and wait for its points over the Ω curves."""
    result = langevin_result(session.dashboard)
    in_session(session, lambda: setattr(session.dashboard.langevin, "result", result))
    poll(lambda: figure(session.page, OMEGA)["points"] == 3 * RUN_V.size, "the Langevin points in the Ω plot")


def overlaps(a, b):
    return a["left"] < b["right"] and b["left"] < a["right"] and a["top"] < b["bottom"] and b["top"] < a["bottom"]


# ----- tests -----

def test_the_mouse_wheel_over_a_map_scrolls_the_page_and_zoom_is_a_choice(page, app_server):
    s = open_app(page, app_server, timeout=OPEN)
    title = MAP_TITLES[0]
    before = figure(page, title)
    frame = plot(page, title)["frame"]
    top = page.evaluate(SCROLL_JS)
    page.mouse.move(frame["left"] + frame["width"] / 2, frame["top"] + frame["height"] / 2)
    page.mouse.wheel(0, 300)
    wait_until(lambda: page.evaluate(SCROLL_JS) > top, timeout=15, message="the page to scroll under the wheel")
    assert figure(page, title)["x_range"] == before["x_range"] == [-12, 12], "the map did not zoom"

    # a click on a map (it moves the point there) gives the plot the focus: the wheel still scrolls
    page.evaluate("() => document.getElementById('main').scrollTo(0, 0)")
    wait_until(lambda: page.evaluate(SCROLL_JS) == 0, message="the page back at its top")
    frame = plot(page, title)["frame"]
    page.mouse.click(frame["left"] + frame["width"] / 4, frame["top"] + frame["height"] / 4)
    wait_until(lambda: s.dashboard.p.V < -3 and s.dashboard.p.mu_F > 1.5, timeout=SHOWN, message="the click")
    top = page.evaluate(SCROLL_JS)
    page.mouse.wheel(0, 200)
    wait_until(lambda: page.evaluate(SCROLL_JS) > top, timeout=15, message="the page to scroll after a click")
    assert figure(page, title)["x_range"] == [-12, 12]

    for name, p in figures(page).items():   # zooming stays a choice: the tools are there, not active
        assert p["active_scroll"] is None and "WheelZoomTool" in p["tools"] and "ResetTool" in p["tools"], name
    for name in MAP_TITLES:
        assert page.evaluate(RESET_SHOWN_JS, name), f"the reset button of {name} is in its toolbar's menu"
    screenshot(page, "plots_wheel_scrolls")
    assert s.errors == [], s.errors


def test_cut_legends_list_exactly_the_chosen_maps(page, app_server):
    s = open_app(page, app_server, timeout=OPEN)
    choose_maps(s, ["J_2", "D_2", "K_2"])   # fewer maps than at first
    for cut in CUTS:
        poll(lambda: len(figure(page, cut)["legends"][0]["labels"]) == 3, f"three entries in the legend of {cut!r}")
        assert figure(page, cut)["legends"][0]["labels"] == ["J₂", "D₂", "K₂"]
        assert len(figure(page, cut)["lines"]) == 3, "the curves drawn are the chosen ones"
    choose_maps(s, ["J_2", "D_2", "a_i_22", "K_2"])   # one back
    for cut in CUTS:
        poll(lambda: figure(page, cut)["legends"][0]["labels"] == ["J₂", "D₂", "α⁽ⁱ⁾₂₂", "K₂"],
             f"the legend of {cut!r} to list the four maps")
    assert s.errors == [], s.errors


def test_cut_legends_stay_inside_their_plots_with_every_map(page, app_server):
    s = open_app(page, app_server, timeout=OPEN)
    choose_maps(s, QUANTITIES)     # every map: 24 curves in each cut
    poll(lambda: all(len(figure(page, c)["legends"][0]["labels"]) == len(QUANTITIES) for c in CUTS),
         "every quantity in the cut legends")
    ps = figures(page)
    for cut in CUTS:
        (name, p), = [(t, p) for t, p in ps.items() if t.startswith(cut)]
        legend = p["legends"][0]["rect"]
        assert p["canvas"]["top"] <= legend["top"] and legend["bottom"] <= p["canvas"]["bottom"], (name, legend, p)
        for other, q in ps.items():
            assert other == name or not overlaps(legend, q["canvas"]), f"the legend of {name!r} covers {other!r}"
    main_top = page.evaluate("() => document.getElementById('main').getBoundingClientRect().top")
    page.evaluate("(y) => document.getElementById('main').scrollBy(0, y)",
                  figure(page, CUT_V)["canvas"]["top"] - main_top - 300)
    screenshot(page, "plots_cut_legends_all_maps")
    assert s.errors == [], s.errors


CODE_NAMES = sorted((set(QUANTITIES) - {"I"}) | {"mu_F", "Omega", "that", "t-hat", "chi22_DM", "m1", "kT_eff"})
"""Keys of the code that must not be displayed (``I`` is also the current's symbol)."""


def test_labels_are_physics_symbols_with_units(page, app_server):
    s = open_app(page, app_server, timeout=OPEN)
    choose_maps(s, QUANTITIES)
    ps = figures(page)
    texts = [t for p in ps.values() for t in p["texts"]]
    shown = [(t, k) for t in texts for k in CODE_NAMES if re.search(rf"(?<![\w-]){re.escape(k)}(?![\w-])", t)]
    assert not shown, f"code names displayed: {shown}"
    expected = {"V (mV)", "μ_F (meV)", "J₂ (1/meV)", "α⁽ⁱ⁾₂₂ (1/meV²)", "j⁽ⁱ⁾₂₂ (ps)", "α⁽ⁱ⁾₂₂", "T_eff",
                "Ω", "Ω_x", "Δ²D₂", "k_B T_eff"}
    assert expected <= set(texts), f"missing: {expected - set(texts)}"
    assert [t for t in texts if re.fullmatch(r"T_eff \((10\S+ )?K\)", t)], "T_eff's colour bar in kelvin"
    # a map's hover: the bias, the chemical potential and the map's value, with their units
    assert ps[MAP_TITLES[0]]["hover"] == ["V (mV)", "μ_F (meV)", "J₂ (1/meV)"], ps[MAP_TITLES[0]]["hover"]
    assert any(t.startswith("mean orientation Ω at μ_F") for t in ps), sorted(ps)
    assert s.errors == [], s.errors


def lab(colour):
    """CIELAB (D65) coordinates of an sRGB colour ``#rrggbb``."""
    rgb = np.array([int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)])
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ linear
    x, y, z = xyz / np.array([0.9505, 1.0, 1.089])
    f = [np.cbrt(t) if t > (6 / 29) ** 3 else t / (3 * (6 / 29) ** 2) + 4 / 29 for t in (x, y, z)]
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def test_cut_curves_have_one_distinct_colour_per_quantity(page, app_server):
    s = open_app(page, app_server, timeout=OPEN)
    for keys in (MAP_TITLES, QUANTITIES):   # the maps shown at first, then every map
        if keys is QUANTITIES:
            choose_maps(s, QUANTITIES)
        poll(lambda: all(len(figure(page, c)["lines"]) == len(keys) for c in CUTS), f"{len(keys)} curves in each cut")
        colours = [figure(page, c)["lines"] for c in CUTS]
        for cut, cs in zip(CUTS, colours):
            assert None not in cs and len(set(cs)) == len(cs), f"{cut}: colours shared by curves: {cs}"
        assert colours[0] == colours[1], "a quantity has the same colour in both cuts"
        if keys is MAP_TITLES:   # the eight at first also look different: 20 CIELAB units apart at least
            close = [(a, b) for i, a in enumerate(colours[0]) for b in colours[0][:i]
                     if np.linalg.norm(lab(a) - lab(b)) < 20]
            assert not close, f"curves of similar colours: {close}"
    assert s.errors == [], s.errors


NEGATIVE_ZERO = re.compile(r"^[-−]0*\.?0*$")


def test_colour_bar_ticks_are_distinct_and_read_alike(page, app_server):
    s = open_app(page, app_server, timeout=OPEN)
    choose_maps(s, QUANTITIES)
    bars = {t: p["colourbars"][0] for t, p in figures(page).items() if p["colourbars"]}
    assert len(bars) == len(QUANTITIES)
    for title, bar in bars.items():
        ticks = bar["ticks"]
        assert len(ticks) >= 3 and len(set(ticks)) == len(ticks), (title, ticks)
        assert not [t for t in ticks if NEGATIVE_ZERO.match(t)], f"{title}: a negative zero in {ticks}"
        assert not [t for t in ticks if re.search(r"[eE]", t)], f"{title}: exponents in {ticks}"
        decimals = {len(t.split(".")[1]) if "." in t else 0 for t in ticks}
        assert len(decimals) == 1, f"{title}: ticks {ticks} mix formats"
        assert max(len(t) for t in ticks) <= 5, f"{title}: ticks {ticks} too long for a small colour bar"
    screenshot(page, "plots_colour_bars")
    assert s.errors == [], s.errors


def settled_frame(page, prefix):
    """The frame of a plot once it stops changing (two reads 1 s apart agree)."""
    last = [None]

    def same():
        now, before = plot(page, prefix)["frame"], last[0]
        last[0] = now
        return now == before and now
    return wait_until(same, timeout=SHOWN, interval=1.0, message=f"the frame of {prefix!r} to settle")


def test_the_omega_frame_keeps_its_width_when_langevin_points_arrive(page, app_server):
    s = open_app(page, app_server, timeout=OPEN)
    before = settled_frame(page, OMEGA)
    show_langevin(s)
    after = settled_frame(page, OMEGA)
    assert after["width"] == before["width"] and after["height"] == before["height"], (before, after)
    assert s.errors == [], s.errors


def test_the_page_says_what_the_langevin_points_add_where_they_are_drawn(page, app_server):
    s = open_app(page, app_server, timeout=OPEN)

    def explanation():
        """The visible texts about the self DMI-like torque, and their rectangles in the page."""
        found = page.get_by_text("self DMI-like torque")
        return [found.nth(i).bounding_box() for i in range(found.count()) if found.nth(i).is_visible()]

    def under_omega():
        canvas = figure(page, OMEGA)["canvas"]
        return [box for box in explanation()
                if 0 <= box["y"] - canvas["bottom"] <= 60 and box["x"] < canvas["right"]
                and canvas["left"] < box["x"] + box["width"]]

    assert not under_omega(), "no explanation under the Ω plot without Langevin points"
    show_langevin(s)
    poll(under_omega, "the explanation of the Langevin points under the Ω plot")
    main_top = page.evaluate("() => document.getElementById('main').getBoundingClientRect().top")
    page.evaluate("(y) => document.getElementById('main').scrollBy(0, y)",
                  figure(page, OMEGA)["canvas"]["top"] - main_top - 400)
    screenshot(page, "plots_langevin_explained")

    in_session(s, lambda: s.dashboard.set_value("mu_F", 0.5))   # points of another mu_F are not drawn
    poll(lambda: figure(page, OMEGA)["points"] == 0 and not under_omega(), "the points and their explanation gone "
                                                                           "at another mu_F")
    assert s.errors == [], s.errors
