"""One session's fit: the uploaded curves, the parameters to free and their bounds, the run, and the problems.

The reading, the bounds and the fit itself are :mod:`dimer_core.studies.fitting`'s (``read_curves``,
``read_bounds``, ``fit``); a problem (a bad file, bad bounds, data that cannot constrain a parameter) becomes
``message`` (or the run's status), never a traceback.
"""
import io

import numpy as np
import param

from dimer_core import DimerParams
from dimer_core.params import VECTORS
from dimer_core.studies.fitting import FitError, example_table, fit, read_bounds, read_curves

from .runs import BackgroundRun

__all__ = ["FIT_PARAMETERS", "EXAMPLE_V", "EXAMPLE_CHANGES", "FitSession", "example_values", "example_csv"]

FIT_PARAMETERS = [k for k in DimerParams.param if k != "name" and k not in VECTORS]
"""The parameters a fit can free: the scalar ones."""
EXAMPLE_V = np.linspace(-8.0, 8.0, 33)
"""Biases (mV) of the example CSV."""
EXAMPLE_CHANGES = {"t0": 1.15, "tL": 0.9}
"""The example CSV is the model's dI/dV at the current parameters with these scaled (the fit should find them)."""


def example_values(params):
    """The parameters of the example CSV: ``params`` with t0 and tL scaled by :data:`EXAMPLE_CHANGES`."""
    return {k: round(float(getattr(params, k)) * f, 4) for k, f in EXAMPLE_CHANGES.items()}


def example_csv(params):
    """The example CSV (text): synthetic dI/dV (1 % scatter) at :data:`EXAMPLE_V` from
    :func:`dimer_core.studies.fitting.example_table` at :func:`example_values`."""
    return example_table(params.updated(**example_values(params)), EXAMPLE_V).to_csv(index=False)


class FitSession(param.Parameterized):
    """The fit tab's state in one browser session."""

    free = param.ListSelector(default=["t0", "tL"], objects=FIT_PARAMETERS, doc="Parameters to fit")
    bounds = param.String(default="", doc="Bounds of the free parameters, name=LO:HI,... (default: theirs)")
    message = param.String(default="", doc="The last problem with the file, the bounds or the fit")
    summary = param.String(default="", doc="What the loaded file holds")

    def __init__(self, **params):
        super().__init__(**params)
        self.data = None
        self.run = BackgroundRun(name="fit")

    def load(self, content, filename=""):
        """Read an uploaded file (bytes) as measured curves; a problem becomes ``message`` naming it."""
        import pandas as pd

        self.data, self.summary = None, ""
        try:
            try:
                table = pd.read_csv(io.BytesIO(content))
            except (ValueError, UnicodeDecodeError) as exc:
                raise FitError(f"cannot read it as CSV: {exc}") from None
            self.data = read_curves(table)
        except FitError as exc:
            self.message = f"{filename or 'the file'}: {exc}"
            return
        self.message = ""
        self.summary = f"**{filename or 'data'}**: " + "; ".join(
            f"{c} at {v.size} biases ({'with' if s is not None else 'without'} errors)"
            for c, (v, _, s) in self.data.items())

    def start(self, params):
        """Fit ``free`` to the loaded curves from ``params`` in a worker thread of ``run``."""
        try:
            if self.data is None:
                raise FitError("no data: upload a CSV first (the example shows the format)")
            bounds = read_bounds(self.bounds)
            params.check()
        except ValueError as exc:
            self.message = str(exc)
            return
        self.message = ""
        data, free, start = self.data, list(self.free), params.updated()
        self.run.start(lambda progress, cancel: fit(start, data, free, bounds, progress=progress, cancel=cancel),
                       "Fit")

    def estimates(self):
        """{name: estimate} of the last finished fit ({} if none)."""
        ds = self.run.result
        return {} if ds is None else {str(k): float(v) for k, v in zip(ds.param.values, ds.estimate.values)}
