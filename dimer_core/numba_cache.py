"""One on-disk numba cache for every way of running dimer_core (app, CLI, tests, Dask workers).

Without this, numba caches next to the source (``dimer_core/__pycache__``, read-only or
per-checkout) unless ``NUMBA_CACHE_DIR`` says otherwise, and each entry point set it
differently, so the kernels were compiled more than once.  Importing :mod:`dimer_core`
calls :func:`use_default` before any kernel is defined: ``NUMBA_CACHE_DIR`` is set to
:func:`default_dir` unless it is already set.  ``python -m dimer_core.warmup`` (run by
``.ci/setup`` and the Dockerfile) fills it.

The folder is named by a digest of the package's sources (:func:`source_digest`).  numba checks a cached
kernel only against the file that defines it: a kernel whose callee in another module (or a constant it
froze at compile time) had changed ran the old code from the cache, also after a reinstall.  Each version of
the sources now has a cache of its own (≈14 MB); :func:`prune` removes those unused for a week.
"""
import functools
import hashlib
import os
import shutil
import sys
import time

SUBDIR = os.path.join("dimer_core", "numba")
KEEP_SECONDS = 7 * 24 * 3600.0
"""Caches of other source versions untouched for this long are removed by :func:`prune`."""


def source_digest(root=None):
    """16 hex digits of a SHA-256 over every ``.py`` file of the package under ``root`` (default: this
    package's folder): relative paths and contents, in sorted order."""
    root = os.path.dirname(os.path.abspath(__file__)) if root is None else root
    digest = hashlib.sha256()
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = sorted(d for d in subfolders if d != "__pycache__")
        for name in sorted(f for f in files if f.endswith(".py")):
            path = os.path.join(folder, name)
            digest.update(os.path.relpath(path, root).replace(os.sep, "/").encode() + b"\0")
            with open(path, "rb") as f:
                digest.update(f.read() + b"\0")
    return digest.hexdigest()[:16]


@functools.lru_cache(maxsize=None)
def package_digest():
    """:func:`source_digest` of this package, read once per process (the installed sources do not change)."""
    return source_digest()


def default_dir():
    """``$XDG_CACHE_HOME/dimer_core/numba/<source digest>``, or ``~/.cache/dimer_core/numba/<source digest>``."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, SUBDIR, package_digest())


def prune(keep_seconds=KEEP_SECONDS):
    """Remove the caches of other source versions beside :func:`default_dir` not modified for ``keep_seconds``;
    returns the folders removed."""
    current = default_dir()
    parent = os.path.dirname(current)
    removed = []
    try:
        names = os.listdir(parent)
    except OSError:
        return removed
    for name in names:
        path = os.path.join(parent, name)
        if path == current or not os.path.isdir(path):
            continue
        if time.time() - os.path.getmtime(path) > keep_seconds:
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def _writable(folder):
    try:
        os.makedirs(folder, exist_ok=True)
        return os.access(folder, os.W_OK | os.X_OK)
    except OSError:
        return False


def default_in_use():
    """Whether numba's cache is :func:`default_dir` (not a ``NUMBA_CACHE_DIR`` of the user's)."""
    return os.environ.get("NUMBA_CACHE_DIR") == default_dir()


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

__all__ = ["SUBDIR", "KEEP_SECONDS", "source_digest", "package_digest", "default_dir", "prune", "default_in_use",
           "use_default"]
