"""One on-disk numba cache for every way of running dimer_core (app, CLI, tests, Dask workers).

Without this, numba caches next to the source (``dimer_core/__pycache__``, read-only or
per-checkout) unless ``NUMBA_CACHE_DIR`` says otherwise, and each entry point set it
differently, so the kernels were compiled more than once.  Importing :mod:`dimer_core`
calls :func:`use_default` before any kernel is defined: ``NUMBA_CACHE_DIR`` is set to
:func:`default_dir` unless it is already set.  ``python -m dimer_core.warmup`` (run by
``.ci/setup`` and the Dockerfile) fills it.
"""
import os
import sys

SUBDIR = os.path.join("dimer_core", "numba")


def default_dir():
    """``$XDG_CACHE_HOME/dimer_core/numba``, or ``~/.cache/dimer_core/numba``."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, SUBDIR)


def _writable(folder):
    try:
        os.makedirs(folder, exist_ok=True)
        return os.access(folder, os.W_OK | os.X_OK)
    except OSError:
        return False


def use_default():
    """Set ``NUMBA_CACHE_DIR`` to :func:`default_dir` unless it is set; return the folder numba will use.

    An explicit ``NUMBA_CACHE_DIR`` always wins.  If the default folder cannot be created,
    nothing is set and numba keeps its own choice (returns None).
    """
    folder = os.environ.get("NUMBA_CACHE_DIR")
    if not folder:
        folder = default_dir()
        if not _writable(folder):
            return None
        os.environ["NUMBA_CACHE_DIR"] = folder
    config = sys.modules.get("numba.core.config")
    if config is not None and config.CACHE_DIR != folder:
        # numba was imported first and read the environment then; its cache locators read
        # config.CACHE_DIR when a kernel is defined, which has not happened yet for dimer_core.
        config.CACHE_DIR = folder
    return folder
