"""The dashboard, served from this checkout: ``python app.py`` or ``panel serve app.py``.

The code is :mod:`dashboard.app`; the installed console script ``dimer-dashboard`` does
the same as ``python app.py`` (same options: ``--address``, ``--port``, ``--study``).
"""
import panel as pn

from dashboard.app import SESSION_TOKEN_EXPIRATION, TITLE, attach, create_app, main, session_page  # noqa: F401

if pn.state.served:  # panel serve app.py
    session_page()

if __name__ == "__main__":
    main(prog="python app.py")
