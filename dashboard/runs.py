"""A long computation in a worker thread, reporting to one browser session.

The numba kernels release the GIL, so the server's event loop keeps serving this
and other sessions while a run proceeds; updates are posted to the session's
document with ``pn.state.execute(..., schedule=True)``.
"""
import threading

import panel as pn
import param
from panel.io.state import set_curdoc

from dimer_core.progress import Cancelled

__all__ = ["in_session", "BackgroundRun"]


def in_session(doc, update):
    """Call ``update()`` in the session of the Bokeh document ``doc`` (on its event loop), from any thread."""
    with set_curdoc(doc):
        pn.state.execute(update, schedule=True)


class BackgroundRun(param.Parameterized):
    """State of one background run: progress in [0, 1], status text, the result."""

    progress = param.Number(default=0.0, bounds=(0.0, 1.0))
    status = param.String(default="")
    running = param.Boolean(default=False)
    result = param.Parameter(default=None, doc="The finished run's result (e.g. an xarray.Dataset)")

    def __init__(self, **params):
        super().__init__(**params)
        self._cancel = threading.Event()

    def start(self, work, label):
        """Run ``work(progress=..., cancel=...)`` in a thread; ignored if a run is going."""
        if self.running:
            return
        self._cancel = threading.Event()
        doc = pn.state.curdoc
        self.param.update(running=True, progress=0.0, status=f"{label}: starting")

        def post(update):
            in_session(doc, update)

        def report(fraction, message=""):
            post(lambda: self.param.update(progress=float(fraction), status=f"{label}: {message}"))

        def target():
            try:
                result = work(progress=report, cancel=self._cancel)
            except Cancelled as exc:
                text = f"{label}: {exc}"  # e.g. "stopped after 24000 of 400000 steps"; bound now: exc is unset later
                post(lambda: self.param.update(running=False, status=text))
            except Exception as exc:  # shown in the page; the server keeps serving
                text = f"{label} failed: {exc}"
                post(lambda: self.param.update(running=False, status=text))
            else:
                note = getattr(result, "attrs", {}).get("validity", "")
                done = f"{label}: done" + (f"; outside the model's validity, not integrated: {note}" if note else "")
                post(lambda: self.param.update(running=False, progress=1.0, status=done, result=result))

        threading.Thread(target=target, daemon=True, name=f"run-{label}").start()

    def stop(self):
        self._cancel.set()
