"""dimer_core — bias-controlled couplings and spin dynamics of a molecular-magnet dimer.

Implements Leiva, Díaz & Núñez, Phys. Rev. B 107, 094401 (2023) with the
conventions of the project's physics notes (docs/physics.md).

Public API
----------
DimerParams, PRESETS, preset     parameters, with units and bounds (params.py)
point(params)                    every named coupling at one bias point (couplings/dimer.py)
maps(params, mu_F, V)            the same over a mu_F × V grid, as an xarray.Dataset
QUANTITIES                       key → (unit, description) of every named quantity
junction                         any small junction (N sites, any leads): Junction, point, views (docs/junction.md)

The package's folders follow the data flow (docs/physics.md):

params, units     the dimer's parameters (units, bounds, presets), physical constants
junction/         any junction's model (sites, bonds, leads), presets, TOML model files
electrons/        Hamiltonians, leads, energy grids, integrands, tables: responses at a point and over maps
couplings/        the named couplings: the dimer's (point, maps) and any junction's views
spins/            energy and fields of the spins, Fokker–Planck, the stochastic LLG and its integrators, modes, rates
studies/          bias sweeps, fits, figures, parameter studies on Dask
cli               the command line on top (``dimer-core``); the dashboard (``dashboard/``, ``app.py``) beside it
lecture           one standalone HTML page of maps, cuts and Omega moved by sliders offline (``dimer-core lecture``)
"""
__version__ = "0.5.0"

from .numba_cache import use_default as _use_default_numba_cache

_use_default_numba_cache()  # before any numba kernel is defined: one cache for app, CLI and tests

from .couplings.dimer import QUANTITIES, maps, point, raw_point  # noqa: E402
from .params import PRESETS, DimerParams, preset  # noqa: E402
from . import junction  # noqa: E402

__all__ = ["__version__", "DimerParams", "PRESETS", "preset", "point", "maps", "raw_point", "QUANTITIES", "junction"]
