"""dimer_core — bias-controlled couplings and spin dynamics of a molecular-magnet dimer.

Implements Leiva, Díaz & Núñez, Phys. Rev. B 107, 094401 (2023) with the
conventions of the project's physics notes (docs/physics.md).

Public API
----------
DimerParams, PRESETS, preset     parameters, with units and bounds (params.py)
point(params)                    every named coupling at one bias point (couplings.py)
maps(params, mu_F, V)            the same over a mu_F × V grid, as an xarray.Dataset
QUANTITIES                       key → (unit, description) of every named quantity
junction                         any small junction (N sites, any leads): Junction, point, views (docs/junction.md)
"""
__version__ = "0.5.0"

from .numba_cache import use_default as _use_default_numba_cache

_use_default_numba_cache()  # before any numba kernel is defined: one cache for app, CLI and tests

from .couplings import QUANTITIES, maps, point, raw_point  # noqa: E402
from .params import PRESETS, DimerParams, preset  # noqa: E402
from . import junction  # noqa: E402

__all__ = ["__version__", "DimerParams", "PRESETS", "preset", "point", "maps", "raw_point", "QUANTITIES", "junction"]
