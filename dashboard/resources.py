"""Page resources come from this server, never from a CDN."""
import panel as pn
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
