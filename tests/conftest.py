"""Shared fixtures: maps of the paper's presets, computed once per test session.

The tests run against the installed package (tests/__init__.py); a session stops at once if that
copy differs from the checkout's source, which would test stale code: run ``bash .ci/setup`` first.
"""
import filecmp
import os

import numpy as np
import pytest

import dimer_core as dc

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def stale_files():
    """Source files of dimer_core and dashboard that differ between the checkout and the installed copy."""
    import dashboard

    stale = []
    for module in (dc, dashboard):
        installed, source = os.path.dirname(module.__file__), os.path.join(ROOT, module.__name__)
        if not os.path.isdir(source) or os.path.samefile(installed, source):
            continue  # not run from a checkout, or the checkout itself is imported (test_package.py fails)
        names = {os.path.relpath(os.path.join(d, f), folder) for folder in (installed, source)
                 for d, _, files in os.walk(folder) for f in files if f.endswith(".py")}
        stale += [f"{module.__name__}/{name}" for name in sorted(names)
                  if not (os.path.isfile(os.path.join(installed, name)) and os.path.isfile(os.path.join(source, name))
                          and filecmp.cmp(os.path.join(installed, name), os.path.join(source, name), shallow=False))]
    return stale


def pytest_sessionstart(session):
    stale = stale_files()
    if stale:
        pytest.exit(f"the installed package differs from the checkout in {', '.join(stale)}: "
                    f"run `bash .ci/setup` (it reinstalls), then the tests", returncode=4)

MU_F = np.linspace(-6.0, 6.0, 121)
V = np.linspace(-12.0, 12.0, 121)


@pytest.fixture(scope="session")
def weak_map():
    return dc.maps(dc.preset("weak-soc"), MU_F, V)


@pytest.fixture(scope="session")
def strong_map():
    return dc.maps(dc.preset("strong-soc"), MU_F, V)


def lead_potentials(ds):
    """mu_L, mu_R on the map grid (meV)."""
    mu, v = np.meshgrid(ds.mu_F.values, ds.V.values, indexing="ij")
    return mu + v / 2, mu - v / 2
