"""Page resources come from this server, never from a CDN; a BokehJS fix for slider steps."""
import panel as pn
from bokeh.models import CustomJS
from panel.io.resources import LOCAL_DIST


def local_resources():
    """Point this session's stylesheets at this server from the start (call first in ``create_app``).

    Panel 1.9.4 sets a document's ``dist_url`` only when it renders the page, after
    ``create_app`` has built the components; until then it resolves their
    stylesheets to cdn.holoviz.org.  With two pages opened at the same moment, one
    of them was left asking the CDN for loading.css, alerts.css, listpanel.css ...
    (which fails offline).  Setting ``dist_url`` first, to the value Panel itself
    sets later, avoids that.
    """
    doc = pn.state.curdoc
    if doc is None or doc.session_context is None:
        return
    rel = pn.state.rel_path
    doc._template_variables.setdefault("dist_url", f"{rel}/{LOCAL_DIST}" if rel else LOCAL_DIST)


SKIP_UNCHANGED_STYLESHEETS_JS = """
// At every repaint BokehJS 3.9 rewrites some of its inline stylesheets (CSS variables of each plot's
// attribution and notification panels, legend positions) with the text they already hold.  Each write
// makes Chromium recompute the page's styles before the next plot paints (39 recalculations, 70 ms of a
// mu_F step).  Skip a write that changes nothing; every other write goes through as before.
const dom = Bokeh.require("core/dom");
const proto = dom && dom.InlineStyleSheet && dom.InlineStyleSheet.prototype;
if (proto && typeof proto._update === "function" && !proto._update.skips_unchanged) {
  const write = proto._update;
  proto._update = function (css) { if (this.el.textContent !== css) write.call(this, css); };
  proto._update.skips_unchanged = true;
}
"""


def skip_unchanged_stylesheets(doc):
    """Install :data:`SKIP_UNCHANGED_STYLESHEETS_JS` in the page of ``doc`` once it is rendered.

    It replaces a method of BokehJS's ``InlineStyleSheet`` (pinned Bokeh 3.9.2); if a later Bokeh has no
    such method it does nothing, and ``tests/test_ui.py`` fails to find it installed.
    """
    doc.js_on_event("document_ready", CustomJS(code=SKIP_UNCHANGED_STYLESHEETS_JS))
