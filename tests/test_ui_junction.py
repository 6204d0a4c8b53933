"""The junction page (/junction) in a real browser (Debian's Chromium, headless): pick ring4 and the pair 1,3,
and every map the page draws holds exactly what ``dimer_core.electrons.junction_maps`` computes for that pair.

Run: ``.venv/bin/python -m pytest -ra tests/test_ui_junction.py``.  The screenshot goes to test-artifacts/.
"""
import numpy as np
import pytest

from dashboard.junction_labels import symbol
from dashboard.junction_state import GRID_MU_F, GRID_V
from dimer_core import junction as J
from dimer_core.junction import maps as JM

from .ui_support import (LIVE_VIEWS_JS, app_server, browser_context_args, browser_type_launch_args,  # noqa: F401
                         open_app, open_junction, screenshot, wait_until, watch_console)

pytest.importorskip("pytest_playwright")

OPEN = 300.0
"""Seconds allowed for the page and its maps (2 cores, shared with other work)."""

MAPS_JS = """() => {
  // Every live figure with an image: {title: {shape, values, low, high, scroll}}.
""" + LIVE_VIEWS_JS + """
  const out = {};
  for (const v of views) {
    if (v.model.type !== 'Figure') continue;
    const fig = v.model;
    for (const r of fig.renderers) {
      const g = r.glyph, d = r.data_source ? r.data_source.data : {};
      if (!g || g.type !== 'Image' || !d.image || !d.image.length) continue;
      const img = d.image[0];
      out[fig.title.text] = {shape: Array.from(img.shape || []), values: Array.from(img),
                             low: g.color_mapper.low, high: g.color_mapper.high,
                             scroll: fig.toolbar.active_scroll == null ? null : String(fig.toolbar.active_scroll)};
    }
  }
  return out;
}"""


def shown_maps(page):
    return page.evaluate(MAPS_JS)


def test_ring4_pair_1_3_maps_are_the_engines(page, app_server):
    errors = watch_console(page)
    state = open_junction(page, app_server, OPEN).state
    wait_until(lambda: len(shown_maps(page)) == 4, timeout=OPEN, message="the first maps in the page")

    page.locator(".junction-preset select").select_option("ring4")
    wait_until(lambda: state.preset == "ring4" and not state.busy and state.data is not None, timeout=OPEN,
               message="ring4 on the server")
    wait_until(lambda: page.locator(".site-b select option").count() == 4 and symbol("J_41") in shown_maps(page),
               timeout=OPEN, message="ring4's sites and maps in the page")
    page.locator(".site-b select").select_option("3")
    wait_until(lambda: (state.site_a, state.site_b) == (1, 3) and not state.busy and state.data is not None
               and state.data.attrs["pair"] == "1,3", timeout=OPEN, message="the pair 1,3 on the server")

    ds = JM.maps(J.preset("ring4"), GRID_MU_F, GRID_V, pairs=[(1, 3)])
    keys = ["J_31", "D_31", "a_i_33", "j_i_33"]
    assert state.quantities == keys
    want = {symbol(k): J.value(ds, k) for k in keys}
    shown = wait_until(lambda: (lambda m: m if set(m) == set(want) else None)(shown_maps(page)), timeout=OPEN,
                       message="the pair's maps in the page")
    for title, values in want.items():
        got = shown[title]
        assert got["shape"] == [GRID_MU_F.size, GRID_V.size], title
        np.testing.assert_array_equal(np.array(got["values"]).reshape(got["shape"]), values, err_msg=title)
        size = np.nanmax(np.abs(values))
        assert got["high"] == pytest.approx(size, rel=1e-12) and got["low"] == -got["high"], title
        assert got["scroll"] is None, title  # the wheel scrolls the page
    page.locator(".bk-Figure").first.scroll_into_view_if_needed()
    screenshot(page, "junction_ring4_pair_1_3")
    assert errors == [], errors


def test_the_dimer_page_links_to_the_junction_page(page, app_server):
    before = len(app_server.junctions)
    open_app(page, app_server, timeout=OPEN)
    page.get_by_role("link", name="the junction page").click()
    wait_until(lambda: len(app_server.junctions) > before, timeout=OPEN, message="the junction page from the link")
    assert page.url == app_server.url + "junction"
    wait_until(lambda: len(shown_maps(page)) == 4, timeout=OPEN, message="its maps")
