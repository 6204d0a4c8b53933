"""A served page leaves nothing behind when its server stops: the tests that follow a browser module run the
dashboard's state without a server, and a background run posts its updates to ``pn.state.curdoc``.  Bokeh keeps
the document of a callback that was suspended when the loop stopped as the process's current document, so a
later run scheduled its updates on a loop that no longer turned and never finished (the CI failure of
test_dashboard_state/test_dashboard_tabs: 300 s timeouts)."""
import panel as pn
import pytest

from dashboard.state import Dashboard

from .ui_support import (browser_context_args, browser_type_launch_args, open_app, open_tab,  # noqa: F401
                         serve_app, wait_until)

pytest.importorskip("pytest_playwright")


def test_a_stopped_server_leaves_no_current_document_and_runs_after_it_finish(page):
    with serve_app() as server:
        s = open_app(page, server, timeout=300)
        open_tab(page, "Langevin")
        page.locator(".param-mu_F .noUi-handle").press("ArrowRight")
        wait_until(lambda: s.dashboard.p.mu_F != 0.0, timeout=60, message="the slider's change on the server")
    page.close()
    assert pn.state.curdoc is None, "a stopped server's session document is still the current one"
    dash = Dashboard(realizations=2)
    dash.start_langevin()
    wait_until(lambda: not dash.langevin.running, timeout=120, message="a run after the server stopped")
    assert dash.langevin.status.endswith("done"), dash.langevin.status
