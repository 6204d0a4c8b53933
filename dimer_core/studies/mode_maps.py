"""ESR/FMR lines over (mu_F, V) maps: :func:`~dimer_core.studies.sweeps.modes_sweep` along V at every mu_F, and
the few numbers a map can show per point (issue 14, "Linear modes").

Along V each row follows its states by continuation (docs/modes.md, "Finding and following states"), so a
state keeps its index within a row; across rows the indices are not matched.  The per-point summary
(:func:`line_summary`) does not depend on them: the number of stable and of unstable stationary states, and the
lowest line of the stable states (frequency, linewidth, Q).  A stable state's linewidth is positive by
definition; where the bias drives a mode the state is counted unstable, and the point where ``n_stable``
drops along V is the onset of switching or auto-oscillation (docs/modes.md).
"""
import numpy as np
import xarray as xr

from ..params import checked_axis
from ..progress import cancelled, Cancelled
from .sweeps import modes_sweep

__all__ = ["MAX_MAP_POINTS", "line_summary", "modes_map"]

MAX_MAP_POINTS = 40_401
"""Most (mu_F, V) points of one map (201 × 201): each point relaxes the noiseless dynamics from a dozen seeds
(≈20 ms for one free spin, ≈0.6 s for both on 2 cores, README "ESR lines")."""


def line_summary(ds):
    """Per point of a :func:`~dimer_core.spins.modes.mode_sweep` result (any leading dims, then state, mode):
    ``n_stable`` and ``n_unstable`` (stationary states found), and the lowest-frequency line of the stable
    states: ``frequency_low``, ``linewidth_low`` (GHz) and ``q_low`` (NaN where no state is stable)."""
    exists = np.isfinite(ds.frequency.values[..., 0])
    stable = ds.stable.values & exists
    freq = np.where(stable[..., None], ds.frequency.values, np.inf)
    flat = freq.reshape(freq.shape[:-2] + (-1,))
    lowest = flat.argmin(axis=-1)
    none = ~stable.any(axis=-1)

    def pick(values):
        chosen = np.take_along_axis(values.reshape(flat.shape), lowest[..., None], axis=-1)[..., 0]
        return np.where(none, np.nan, chosen)

    dims = ds.stable.dims[:-1]
    return xr.Dataset({
        "n_stable": (dims, stable.sum(axis=-1), {"units": "1", "description": "stable stationary states"}),
        "n_unstable": (dims, (exists & ~stable).sum(axis=-1),
                       {"units": "1", "description": "unstable stationary states (driven modes or saddles)"}),
        "frequency_low": (dims, pick(ds.frequency.values),
                          {"units": "GHz", "description": "lowest mode frequency of the stable states"}),
        "linewidth_low": (dims, pick(ds.linewidth.values),
                          {"units": "GHz", "description": "full width at half maximum of that line"}),
        "q_low": (dims, pick(ds.q_factor.values), {"units": "1", "description": "quality factor of that line"}),
    }, coords={d: ds[d] for d in dims})


def modes_map(params, mu_F, V, spins="pinned", terms="full", progress=None, cancel=None):
    """ESR lines over (mu_F, V): :func:`~dimer_core.studies.sweeps.modes_sweep` at each mu_F (meV) along V (mV).

    Returns an :class:`xarray.Dataset` on (mu_F, V, state, mode) with the sweeps' frequency, linewidth (GHz),
    q_factor, stable, m and outside_validity, plus :func:`line_summary` on (mu_F, V).  ``progress(fraction,
    message)`` and ``cancel`` as in :mod:`dimer_core.progress` (checked between biases).  At most
    :data:`MAX_MAP_POINTS` points.
    """
    mu_F, V = checked_axis("mu_F", mu_F), checked_axis("V", V)
    if mu_F.size * V.size > MAX_MAP_POINTS:
        raise ValueError(f"mu_F × V = {mu_F.size} × {V.size} points; allowed: at most {MAX_MAP_POINTS} "
                         "(each point relaxes the spin dynamics from a dozen seeds)")
    rows = []
    for i, mu in enumerate(mu_F):
        if cancelled(cancel):
            raise Cancelled(f"stopped after {i} of {mu_F.size} rows")

        def told(fraction, message, i=i, mu=mu):
            progress((i + fraction) / mu_F.size, f"mu_F = {mu:g} meV ({i + 1} of {mu_F.size}): {message}")

        rows.append(modes_sweep(params.updated(mu_F=float(mu)), V, spins=spins, terms=terms,
                                progress=None if progress is None else told, cancel=cancel))
    ds = xr.concat(rows, dim=xr.DataArray(mu_F, dims="mu_F", attrs={"units": "meV", "long_name": "Fermi level"}),
                   combine_attrs="drop_conflicts")
    ds = ds.merge(line_summary(ds))
    ds.attrs.pop("param_mu_F", None)
    ds.attrs["states_dropped"] = int(sum(r.attrs["states_dropped"] for r in rows))
    ds.attrs["validity"] = "; ".join(f"mu_F = {mu:g} meV: {r.attrs['validity']}"
                                     for mu, r in zip(mu_F, rows) if r.attrs["validity"])
    ds.attrs["events"] = "; ".join(f"mu_F = {mu:g} meV: {r.attrs['events']}"
                                   for mu, r in zip(mu_F, rows) if r.attrs["events"])
    return ds
