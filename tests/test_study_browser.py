"""The study browser (dashboard/study_browser.py): sliders over a study's axes show that point's numbers."""
import numpy as np
import pytest

from dimer_core.studies import run as study

from .ui_support import (browser_context_args, browser_type_launch_args, drop_abandoned_documents,  # noqa: F401
                         free_port, plots, screenshot, wait_listening, wait_until, watch_console)

SPEC = {"study": {"method": "maps", "quantities": ["J_2", "D_2"]},
        "axes": {"t": [0.1, 0.5, 1.0], "tL": [8.0, 10.0]},
        "map": {"mu_F": {"start": -4, "stop": 4, "num": 21}, "V": {"start": -8, "stop": 8, "num": 31}}}


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    out = str(tmp_path_factory.mktemp("study") / "s")
    study.run_study(SPEC, out, workers=1)
    return out


def test_sliders_select_the_study_point(folder):
    import holoviews as hv

    from dashboard.study_browser import main_plot, study_page

    hv.extension("bokeh")
    page = study_page(folder)
    browser = page.browser
    ds = study.open_study(folder)
    plot = main_plot(browser)
    browser.quantity = "D_2"
    browser.set_index("t", 2)
    browser.set_index("tL", 1)
    expected = ds["D_2"].isel(t=2, tL=1).values
    np.testing.assert_array_equal(browser.selection("D_2"), expected)
    shown = plot[()]
    np.testing.assert_allclose(shown.dimension_values(2, flat=False)[::-1], expected, rtol=1e-6, atol=1e-8)
    assert "t = 1 meV, tL = 10 meV" in shown.opts.get().kwargs["title"]


def test_a_missing_folder_shows_a_message(tmp_path):
    from dashboard.study_browser import study_page

    page = study_page(str(tmp_path / "nothing"))
    assert "cannot open the study" in page.main[0].object and "no study.json" in page.main[0].object


def test_the_page_moves_through_the_study_in_a_browser(folder, page):
    import panel as pn

    from dashboard.study_browser import study_page

    port = free_port()
    server = pn.serve({"study": lambda: study_page(folder)}, port=port, address="127.0.0.1",
                      websocket_origin=f"127.0.0.1:{port}", threaded=True, show=False)
    try:
        wait_listening(port)
        errors = watch_console(page)
        page.goto(f"http://127.0.0.1:{port}/study")
        wait_until(lambda: any(t.startswith("J_2 at t = 0.1 meV, tL = 8 meV") for t in plots(page)), timeout=90,
                   message="the map of the first study point")
        handle = page.locator(".study-axis-t .noUi-handle").first
        handle.focus()
        handle.press("ArrowRight")
        titles = wait_until(lambda: [t for t in plots(page) if t.startswith("J_2 at t = 0.5 meV, tL = 8 meV")],
                            timeout=30, message="the map of the next t")
        first = plots(page)[titles[0]]["image"]
        assert first and first["n"] == 21 * 31 and first["low"] == -first["high"]
        screenshot(page, "study_browser")
        assert not errors, errors
    finally:
        server.stop()
        server.join(timeout=30)
        drop_abandoned_documents()
