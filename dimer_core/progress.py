"""Progress reporting and cancellation for long runs (a small pluggable hook).

Solvers accept ``progress``, any callable ``progress(fraction, message)`` with
fraction in [0, 1], and ``cancel``, any object with ``is_set()`` (e.g. a
:class:`threading.Event`) or a callable returning ``True`` to stop.  The terminal
bar below and the dashboard's web progress bar are two such callables.
"""
import sys
import time


class Cancelled(Exception):
    """A run was stopped through its ``cancel`` hook."""


def cancelled(cancel):
    """Whether the cancel hook (None, an Event-like object or a callable) asks to stop."""
    if cancel is None:
        return False
    if hasattr(cancel, "is_set"):
        return cancel.is_set()
    return bool(cancel())


class TerminalBar:
    """A one-line progress bar on a terminal stream (stderr by default)."""

    def __init__(self, label="", stream=None, width=40):
        self.label = label
        self.stream = stream or sys.stderr
        self.width = width
        self.start = time.perf_counter()

    def __call__(self, fraction, message=""):
        fraction = min(max(fraction, 0.0), 1.0)
        done = int(round(self.width * fraction))
        elapsed = time.perf_counter() - self.start
        eta = elapsed * (1 - fraction) / fraction if fraction > 0 else float("nan")
        bar = "#" * done + "-" * (self.width - done)
        self.stream.write(f"\r{self.label} [{bar}] {100 * fraction:5.1f}%  {elapsed:6.1f}s  eta {eta:6.1f}s {message}")
        if fraction >= 1.0:
            self.stream.write("\n")
        self.stream.flush()

__all__ = ["Cancelled", "cancelled", "TerminalBar"]
