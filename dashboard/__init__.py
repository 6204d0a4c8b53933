"""The dashboard's parts (layout, widgets, plotting glue only; all physics is in dimer_core).

state    Dashboard: one browser session's parameters, cached results, messages
widgets  widgets generated from DimerParams
views    HoloViews plots bound to the state
runs     Langevin runs in a worker thread with progress and stop
exports  download buttons (NetCDF, CSV, PNG)
about    the model, conventions and parameter table
study_browser  a finished parameter study, with sliders over its own axes
"""
import sys


def main(argv=None):
    """The ``dimer-dashboard`` command: :func:`dashboard.app.main`, or one line if the ``app`` extra is missing."""
    try:
        import bokeh  # noqa: F401
        import holoviews  # noqa: F401
        import panel  # noqa: F401
    except ImportError as exc:
        print(f"error: the dashboard needs {exc.name or 'panel'}, which is not installed; "
              f"install the app extra: pip install 'dimer-core[app]'", file=sys.stderr)
        return 2
    from .app import main as serve

    return serve(argv)
