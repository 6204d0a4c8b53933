"""The junction side of a parameter study: its model, its outputs and the values of one grid point.

A study spec names a junction with ``[study] preset = "<junction preset>"``, ``model = "FILE"`` (TOML, relative
to the spec file) or ``junction = "<TOML text>"`` (the model inline: what a stored study records, so workers and
``--resume`` need no file); its axes then use the dotted names of :mod:`dimer_core.junction.named`
(docs/junction.md, "Studies of a junction").  Per grid point:

``maps``
    the named views of the pair ``pair`` = (a, b) (:func:`dimer_core.couplings.views.pair_dataset`) of
    :func:`dimer_core.electrons.junction_maps.maps` over the study's mu_F × V grid (held sites: the pair's);
``fp``, ``langevin``
    :func:`dimer_core.studies.junction_sweeps.junction_sweep` of the spins ``free`` (the others pinned along
    ``pinned``, default +z) over the whole bias sweep, Langevin at seed ``seed + i`` (i the point's flat index,
    C order), with the model file's bare one-spin terms.  A junction's sweep is never cut: a block holds whole
    sweeps, so every stored sweep is one call of ``junction_sweep``.
"""
import functools
import json
import time

import numpy as np
import xarray as xr

__all__ = ["JUNCTION_KEYS", "is_junction_preset", "base_junction", "bare_terms", "outputs", "variable_attrs",
           "point_values", "seconds_per_point"]

JUNCTION_KEYS = ("model", "junction", "pair", "free", "pinned")
"""Keys of ``[study]`` that only a junction study takes (with ``preset`` naming a junction preset)."""


def is_junction_preset(name):
    """True if ``name`` is a junction preset (:data:`dimer_core.junction.PRESETS`)."""
    from ..junction import PRESETS

    return name in PRESETS


def base_junction(spec):
    """The junction a spec's fixed values and axes change: its preset, or its model text."""
    from ..junction import loads, preset

    return loads(spec.model_text, source="[study] model") if spec.model_text is not None else preset(spec.preset)


def bare_terms(spec):
    """The bare one-spin terms of the spec's model text (None for a preset or a model without them)."""
    from ..junction import loads_spins

    return None if spec.model_text is None else loads_spins(spec.model_text, source="[study] model")


def _sweep(spec, junction, V, seed, **times):
    """The point's sweep along V: :func:`~dimer_core.studies.junction_sweeps.junction_sweep` (fp, langevin; with the
    Langevin ``times``), or the ESR lines (modes: :func:`~dimer_core.studies.mode_maps.line_summary` of
    :func:`~dimer_core.studies.junction_lines.junction_modes`) or the Fokker–Planck switching rates (rates:
    :func:`~dimer_core.studies.line_study.per_basin` of :func:`~dimer_core.studies.junction_lines.junction_rates`) of
    the free spins, the dimer's study outputs (:mod:`dimer_core.studies.line_study`)."""
    from .junction_sweeps import junction_sweep

    if spec.method in ("modes", "rates"):
        from .junction_lines import junction_modes, junction_rates
        from .line_study import per_basin
        from .mode_maps import line_summary

        spins = dict(free=spec.free, pinned=dict(spec.pinned), bare=bare_terms(spec), terms=spec.terms)
        if spec.method == "modes":
            return line_summary(junction_modes(junction, V, **spins))
        return per_basin(junction_rates(junction, V, method="fp", L=spec.degree, unconverged="nan", **spins))
    return junction_sweep(junction, V, spec.free, dict(spec.pinned), bare_terms(spec), method=spec.method,
                          n_realizations=spec.realizations, seed=seed, terms=spec.terms, calculus=spec.calculus,
                          integrator=spec.integrator, **times)


@functools.lru_cache(maxsize=16)
def _sample(spec_json):
    """A cheap evaluation of a junction spec's first point: its variable names, units and descriptions."""
    from .spec import load_spec
    from ..couplings.views import describe, pair_keys

    spec = load_spec(json.loads(spec_json))
    junction = spec.params_at((0,) * len(spec.axes))
    if spec.method == "maps":
        held = xr.Dataset(coords={"site": sorted(set(spec.pair)), "lead": [c.name for c in junction.leads]})
        return {k: dict(zip(("units", "description"), describe(k))) for k in pair_keys(held, *spec.pair)}
    ds = _sweep(spec, junction, spec.sweep_V[:1], spec.seed, dt=1e-3, t_burn=0.0, t_average=1e-3)
    return {k: {"units": ds[k].attrs["units"], "description": ds[k].attrs["description"]} for k in ds.data_vars}


def variable_attrs(spec):
    """Variable name → {"units", "description"} of a junction spec's method (every output, in order)."""
    return _sample(spec.to_json())


def outputs(spec):
    """Names of every output of a junction spec's method (the default ``quantities``)."""
    return tuple(variable_attrs(spec))


def point_values(spec, index, mu_slice=slice(None), v_slice=slice(None)):
    """Every output (name → array) of the junction study's grid point ``index`` (a map: over the slices of its
    mu_F × V grid; a sweep: always the whole sweep)."""
    from ..junction import maps, pair_dataset

    junction = spec.params_at(index)
    inner = spec.inner
    if spec.method == "maps":
        a, b = spec.pair
        ds = pair_dataset(maps.maps(junction, inner["mu_F"][mu_slice], inner["V"][v_slice], pairs=[(a, b)]), a, b)
    else:
        flat = int(np.ravel_multi_index(index, spec.shape)) if spec.axes else 0
        ds = _sweep(spec, junction, inner["V"], spec.seed + flat, dt=spec.dt, t_burn=spec.t_burn,
                    t_average=spec.t_average)
    return {name: ds[name].values.astype(float) for name in ds.data_vars}


def seconds_per_point(spec, index):
    """Measured seconds of one grid point (a whole map or sweep).  Langevin: its steps at the rate measured by
    :func:`dimer_core.spins.langevin.ensemble_seconds`; otherwise the point computed once more after a first run
    (which compiles or loads the kernels)."""
    from .junction_sweeps import time_plan
    from ..spins.junction_spins import sites_of, spins_and_tensors
    from ..spins.langevin import ensemble_seconds

    if spec.method != "langevin":
        point_values(spec, index)
        start = time.perf_counter()
        point_values(spec, index)
        return time.perf_counter() - start
    junction = spec.params_at(index)
    free, pinned = sites_of(spec.free, dict(spec.pinned), junction.n_sites)
    spins, _ = spins_and_tensors(junction, spec.inner["V"], free, pinned, bare_terms(spec), spec.terms)
    dt, (n_burn, n_avg) = time_plan(spins, junction.that, spec.dt, spec.t_burn, spec.t_average, spec.calculus)
    return ensemble_seconds(spins, spec.realizations, n_burn + n_avg, dt, spec.calculus, integrator=spec.integrator)
