"""Parameter studies on Dask: whole maps or bias sweeps over a grid of parameters.

A study (:mod:`dimer_core.studies.spec`) is a grid over any parameters, a method
(``maps``: every coupling over a mu_F × V map per point; ``fp``: the
Fokker–Planck Omega(V); ``langevin``: Langevin ensembles Omega(V) with errors;
``modes`` and ``rates``: ESR lines and switching rates against V,
:mod:`dimer_core.studies.line_study`) and the quantities to keep.  :func:`run_study` cuts it into tasks of about
``task_seconds`` of work each (rectangular blocks of the grid, and of the bias
sweep for fp/langevin), runs them as Dask tasks — on a local
``distributed.LocalCluster`` sized to the machine, or on a scheduler given by
address — and writes every finished block into the study's Zarr store
(:mod:`dimer_core.studies.store`) as it arrives.  The client writes; the workers
only compute, so they need no shared disk.  :func:`resume_study` re-checks what
is stored and computes only what is missing or damaged.

Every block's numbers equal those of the one-process routes: ``maps`` points are
:func:`dimer_core.couplings.dimer.named_map`, ``fp`` points
:func:`dimer_core.studies.sweeps.fp_sweep`, and ``langevin`` points
:func:`dimer_core.studies.sweeps.langevin_sweep` at seed ``seed + i`` (i the point's
flat index, C order) with the whole sweep's time scales, however the sweep is
cut (``first_index``).

A junction study (:mod:`dimer_core.studies.junction_study`) computes each point with
:func:`dimer_core.electrons.junction_maps.maps` and its pair's named views, or with
:func:`dimer_core.studies.junction_sweeps.junction_sweep` over the whole sweep (a
junction's sweep is not cut).

Public API
----------
plan_study(spec)                 the task blocks (and the size on disk)
run_study(spec, out, ...)        run a new study into folder ``out``
resume_study(out, ...)           finish an interrupted study
open_study(out)                  its results, an xarray.Dataset
"""
import json
import math
import os
import shutil
import socket
import time
from urllib.parse import urlparse

import numpy as np

from . import store
from ..junction.named import unit as named_unit
from .junction_study import point_values as junction_point_values
from .junction_study import seconds_per_point, variable_attrs
from .spec import SpecError, StudySpec, check_points, load_spec

TASK_BYTES = 256 * 2 ** 20
"""Largest result one task may return (bytes)."""

DISK_MARGIN = 1.2
"""The disk must hold this times the uncompressed size of the results."""


def plan_study(spec, seconds_per_unit=None):
    """The :class:`~dimer_core.studies.store.Plan` of a spec: dims, sizes and task blocks.

    Work is counted in units: a whole map per grid point (maps) or one bias of
    one point (fp, langevin; a junction's: a whole sweep, never cut).  ``seconds_per_unit`` (default: measured by
    :func:`calibrate`) fixes how many units make one task of ``spec.task_seconds``.
    Blocks fill the last dims first (the bias sweep, then the last study axis).
    """
    variables = spec.variables
    inner = spec.inner
    dims = tuple(spec.axes) + tuple(inner)
    sizes = spec.shape + tuple(v.size for v in inner.values())
    if seconds_per_unit is None:
        seconds_per_unit = calibrate(spec)
    whole = _whole(spec)  # a unit is a whole point
    unit_bytes = 8 * len(variables) * (math.prod(sizes[len(spec.axes):]) if whole else 1)
    per_task = max(1, min(int(spec.task_seconds / max(seconds_per_unit, 1e-9)), TASK_BYTES // unit_bytes))
    chunks = list(sizes)
    split = list(range(len(spec.axes) + (not whole)))  # dims a block may cut
    for d in reversed(split):
        chunks[d] = min(sizes[d], per_task)
        per_task = max(1, per_task // chunks[d])
    return store.Plan(dims, sizes, tuple(chunks), tuple(variables))


def _whole(spec):
    """True if a unit of work is a whole grid point (its map or sweep is never cut)."""
    return spec.method in ("maps", "modes") or spec.is_junction


def check_disk(spec, out):
    """Raise :class:`SpecError` if the results could not fit on the disk holding ``out``."""
    variables = spec.variables
    need = 8 * len(variables) * spec.n_points * math.prod(v.size for v in spec.inner.values())
    where = os.path.abspath(out)
    while not os.path.exists(where):
        where = os.path.dirname(where)
    free = shutil.disk_usage(where).free
    if need * DISK_MARGIN > free:
        raise SpecError(f"[axes] the grid of {spec.n_points} points needs {_gb(need)} on disk "
                        f"({len(variables)} quantities); only {_gb(free)} are free at {where}: "
                        "shrink [axes], [map]/[sweep] or [study] quantities")


def compute_block(spec_json, region, numba_threads=None, host_threads=None):
    """Compute one task block (runs on a Dask worker).

    Parameters
    ----------
    spec_json : str       the study spec (:meth:`StudySpec.to_json`)
    region : list         one (start, stop) per dim of the plan
    numba_threads : int   threads for the numba kernels of this task (default: the host's cores
                          shared among the Dask threads on it, from ``host_threads``)
    host_threads : dict   host → Dask worker threads on that host (when the task was submitted)

    Returns
    -------
    dict: variable → array of the block's shape; "_seconds" and "_worker" for the log.
    """
    start = time.perf_counter()
    import numba

    if not numba_threads:
        numba_threads = (os.cpu_count() or 1) // max(1, (host_threads or {}).get(_worker_host(), 1))
    numba.set_num_threads(max(1, min(int(numba_threads), numba.config.NUMBA_NUM_THREADS)))
    spec = load_spec(json.loads(spec_json))
    variables = spec.variables
    n_axes = len(spec.axes)
    axis_ranges = [range(a, b) for a, b in region[:n_axes]]
    inner_slices = [slice(a, b) for a, b in region[n_axes:]]
    shape = tuple(len(r) for r in axis_ranges) + tuple(s.stop - s.start for s in inner_slices)
    out = {name: np.empty(shape) for name in variables}
    for local in np.ndindex(*shape[:n_axes]):
        index = tuple(r[i] for r, i in zip(axis_ranges, local))
        values = point_values(spec, index, *inner_slices)
        for name in variables:
            out[name][local] = values[name]
    out["_seconds"] = time.perf_counter() - start
    out["_worker"] = f"{socket.gethostname()}:{os.getpid()}"
    return out


def point_values(spec, index, *inner_slices):
    """The outputs of one grid point (multi-index ``index``) over a slice of its map or sweep."""
    from ..couplings.dimer import named_map
    from .line_study import point_values as line_values
    from .sweeps import fp_sweep, langevin_sweep, pinned_model, time_scales

    if spec.is_junction:
        return junction_point_values(spec, index, *inner_slices)
    p = spec.params_at(index)
    inner = spec.inner
    if spec.method == "maps":
        (mu_slice, v_slice) = inner_slices or (slice(None), slice(None))
        return named_map(p, inner["mu_F"][mu_slice], inner["V"][v_slice])
    (v_slice,) = inner_slices or (slice(None),)
    v_all = inner["V"]
    if spec.method in ("modes", "rates"):
        return line_values(p, v_all[v_slice], spec.method, spec.spins, spec.terms, spec.degree)
    if spec.method == "fp":
        ds = fp_sweep(p, v_all[v_slice])
    else:
        model, _ = pinned_model(p, v_all, spec.terms)
        dt, t_burn, t_average = time_scales(model, spec.dt, spec.t_burn, spec.t_average, spec.calculus)
        flat = int(np.ravel_multi_index(index, spec.shape)) if spec.axes else 0
        ds = langevin_sweep(p, v_all[v_slice], n_realizations=spec.realizations, dt=dt, t_burn=t_burn,
                            t_average=t_average, seed=spec.seed + flat, terms=spec.terms,
                            first_index=v_slice.start or 0, calculus=spec.calculus, integrator=spec.integrator)
    return {name: ds[name].values.astype(float) for name in ds.data_vars}


def calibrate(spec):
    """Measured seconds of one work unit (a map, or one bias of a sweep): the most costly of samples.

    Samples the first, middle and last grid points (costs differ across a grid:
    T > 0 needs thermal tables, Langevin time scales follow the couplings).  For
    Langevin the cost is the point's spin-steps at a measured rate.
    """
    from ..couplings.dimer import clear_caches
    from ..spins.langevin import ensemble
    from .sweeps import pinned_model, time_scales

    samples = sorted({int(i) for i in (0, spec.n_points // 2, spec.n_points - 1)})
    costs = []
    for flat in samples:
        index = np.unravel_index(flat, spec.shape) if spec.axes else ()
        if spec.is_junction:
            costs.append(seconds_per_point(spec, index))
            continue
        if spec.method != "langevin":
            if not costs:
                point_values(spec, index)  # compiles or loads the kernels
            clear_caches()
            start = time.perf_counter()
            point_values(spec, index)
            seconds = time.perf_counter() - start
            costs.append(seconds if _whole(spec) else seconds / len(spec.sweep_V))
            continue
        model, _ = pinned_model(spec.params_at(index), spec.inner["V"], spec.terms)
        dt, t_burn, t_average = time_scales(model, spec.dt, spec.t_burn, spec.t_average, spec.calculus)
        steps = int(round(t_burn / dt)) + max(1, int(round(t_average / dt)))
        probe_steps = 2000
        scheme = {"calculus": spec.calculus, "integrator": spec.integrator}
        ensemble(model, 2, dt, 0, 10, **scheme)  # compiles or loads the kernel
        start = time.perf_counter()
        ensemble(model, 2, dt, 0, probe_steps, **scheme)
        per_spin_step = (time.perf_counter() - start) / (2 * model.size * probe_steps)
        costs.append(per_spin_step * steps * spec.realizations)
    return max(costs)


def _attrs(spec):
    """Units and descriptions of the variables, from one cheap evaluation's metadata."""
    from ..couplings.dimer import QUANTITIES

    if spec.is_junction:
        return variable_attrs(spec)
    if spec.method == "maps":
        return {k: {"units": u, "description": d} for k, (u, d) in QUANTITIES.items()}
    from .line_study import variable_attrs as line_attrs
    from .sweeps import fp_sweep, langevin_sweep

    p = spec.params_at((0,) * len(spec.axes))
    if spec.method in ("modes", "rates"):
        return line_attrs(p, np.array(spec.sweep_V), spec.method, spec.spins, spec.terms, spec.degree)
    v = np.array(spec.sweep_V[:1])
    ds = fp_sweep(p, v) if spec.method == "fp" else langevin_sweep(p, v, n_realizations=2, t_burn=0.0,
                                                                    t_average=1e-3, dt=1e-3)
    return {k: {"units": ds[k].attrs["units"], "description": ds[k].attrs["description"]} for k in ds.data_vars}


def _coords(spec):
    coords = {}
    for name, values in spec.axes.items():
        if isinstance(values[0], tuple):
            coords[name] = (name, np.arange(len(values)), {"long_name": f"index of the {name} vector"})
            coords[f"{name}_vector"] = ((name, "component"), np.array(values), {"units": "1"})
        else:
            unit = named_unit(name) if spec.is_junction else _unit(name)
            coords[name] = (name, np.array(values, dtype=float), {"units": unit})
    for name, values in spec.inner.items():
        coords[name] = (name, values, {"units": "meV" if name == "mu_F" else "mV"})
    return coords


def _unit(name):
    from ..params import DimerParams

    return DimerParams.param[name].doc.rsplit("[", 1)[-1].rstrip("]")


def run_study(spec, out, scheduler=None, workers=None, progress=None, numba_threads=None):
    """Run a new study into folder ``out`` (which must not exist); return :func:`open_study`.

    Parameters
    ----------
    spec : StudySpec, dict, TOML text or path
    out : str                  the study folder
    scheduler : str, optional  address of a running Dask scheduler (``tcp://host:8786``);
                               default: a local cluster of ``workers`` processes
    workers : int, optional    local worker processes (default: one per core)
    progress : callable        ``progress(fraction, message)``, see :mod:`dimer_core.progress`
    numba_threads : int        numba threads per task (default: a host's cores shared among
                               the Dask worker threads on it, so nothing is oversubscribed)

    Every check (the spec's entries, the disk, each grid point's parameters)
    runs before any folder is made or any task starts.
    """
    from .. import __version__

    spec = spec if isinstance(spec, StudySpec) else load_spec(spec)
    if os.path.exists(out) and os.listdir(out):
        raise SpecError(f"--out {out!r} exists and is not empty: resume it with --resume {out}, or choose another")
    check_disk(spec, out)
    check_points(spec)
    plan = plan_study(spec)
    if os.path.exists(out):
        os.rmdir(out)
    attrs = _attrs(spec)
    store.create(out, spec, plan, _coords(spec), attrs, __version__)
    _compute_missing(out, spec, plan, set(), scheduler, workers, progress, numba_threads)
    return open_study(out)


def resume_study(out, scheduler=None, workers=None, progress=None, numba_threads=None):
    """Finish the study in folder ``out``: re-check the stored blocks, compute the rest.

    Returns (dataset, report) where report says how many blocks were kept,
    found damaged (and why) and computed, and ``version_note`` if dimer_core's
    version changed since the study started (None otherwise).
    """
    from .. import __version__

    meta = store.read_meta(out)
    spec = load_spec(meta["spec"])
    plan = store.Plan.from_dict(meta["plan"])
    good, bad = store.verified_blocks(out, plan)
    computed = _compute_missing(out, spec, plan, good, scheduler, workers, progress, numba_threads)
    report = {"kept": len(good), "damaged": {store.block_id(b): why for b, why in bad.items()}, "computed": computed,
              "version_note": None if meta["dimer_core_version"] == __version__ else
              f"the study was started with dimer_core {meta['dimer_core_version']} and finished with {__version__}"}
    return open_study(out), report


def open_study(out):
    """The results of a study folder as an :class:`xarray.Dataset` (Zarr-backed, lazy).

    ``attrs``: the spec (``study_spec``, JSON), ``dimer_core_version``,
    ``blocks_done`` and ``blocks_total``.
    """
    meta = store.read_meta(out)
    plan = store.Plan.from_dict(meta["plan"])
    ds = store.open_results(out)
    ds = ds[list(plan.variables)].assign_coords({k: ds[k] for k in ds.coords})
    done = sum(store.is_stored(out, b) for b in plan.blocks())
    ds.attrs.update(blocks_done=done, blocks_total=len(plan.blocks()))
    return ds


def _compute_missing(out, spec, plan, done, scheduler, workers, progress, numba_threads):
    """Submit every block not in ``done`` to Dask; write each as it finishes. Returns the count written."""
    from distributed import as_completed

    todo = [b for b in plan.blocks() if b not in done]
    total = len(plan.blocks())
    if progress is not None:
        progress(len(done) / total, f"{len(done)}/{total} blocks")
    if not todo:
        return 0
    client, cluster = _client(scheduler, workers)
    spec_json = spec.to_json()
    host_threads = {}
    for address, info in client.scheduler_info()["workers"].items():
        host = urlparse(address).hostname
        host_threads[host] = host_threads.get(host, 0) + info["nthreads"]
    try:
        futures = {}
        for b in todo:
            region = [[s.start, s.stop] for s in plan.region(b)]
            fut = client.submit(compute_block, spec_json, region, numba_threads, host_threads, pure=False,
                                key=f"dimer-study-{store.block_id(b)}-{os.urandom(4).hex()}")
            futures[fut] = b
        written = 0
        # as_completed must wait on this client's loop: by default it takes default_client()'s, and a
        # lost-and-rescheduled future then waits on an Event bound to the other loop (RuntimeError).
        for fut in as_completed(list(futures), loop=client.loop):
            block = futures.pop(fut)
            if fut.status == "error":
                exc = fut.exception()
                raise RuntimeError(f"block {store.block_id(block)} (region {plan.region(block)}) failed: "
                                   f"{type(exc).__name__}: {exc}") from exc
            values = fut.result()
            fut.release()
            store.write_block(out, plan, block, values, values.pop("_seconds"), values.pop("_worker"))
            written += 1
            if progress is not None:
                progress((len(done) + written) / total, f"{len(done) + written}/{total} blocks")
        return written
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _client(scheduler, workers):
    """(Client, cluster or None) for a scheduler address or a new local cluster of ``workers`` processes."""
    import logging

    from distributed import Client, LocalCluster

    if scheduler is not None:
        try:
            return Client(scheduler, timeout="10s", set_as_default=False), None
        except OSError as exc:
            raise SpecError(f"--scheduler {scheduler!r}: no Dask scheduler answers there ({exc})") from None
    cores = os.cpu_count() or 1
    n = cores if workers is None else int(workers)
    if not 1 <= n <= 4 * cores:
        raise SpecError(f"--workers {workers}: allowed: 1 <= workers <= {4 * cores} on this machine")
    cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None,
                           silence_logs=logging.ERROR)
    client = Client(cluster, set_as_default=False)
    client.wait_for_workers(n)
    return client, cluster


def _worker_host():
    """The host of the Dask worker running this task (None outside a worker)."""
    try:
        from distributed import get_worker

        return urlparse(get_worker().address).hostname
    except ValueError:
        return None


def _gb(n):
    return f"{n / 1e9:.3g} GB"

__all__ = ["TASK_BYTES", "DISK_MARGIN", "plan_study", "check_disk", "compute_block", "point_values", "calibrate",
           "run_study", "resume_study", "open_study"]
