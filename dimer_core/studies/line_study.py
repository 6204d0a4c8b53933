"""What experiments measure, in a parameter study: ESR lines (method ``modes``) and switching rates (method
``rates``) along each grid point's bias sweep (issue 14, "CLI, API, page, studies"; docs/rates.md, docs/modes.md).

``modes``
    :func:`~dimer_core.studies.sweeps.modes_sweep` of the point (``spins`` pinned or both, ``terms``), reduced
    per bias to :func:`~dimer_core.studies.mode_maps.line_summary`: the number of stable and unstable states and
    the lowest stable line.  A sweep follows its states along V, so a block holds whole sweeps (never cut).
``rates``
    :func:`~dimer_core.studies.sweeps.spectral_rates_sweep` (one free spin, the Fokker–Planck spectrum to degree
    ``L``): per bias the rate out of each of the two basins, their dwells and populations, the core-to-core rates
    Langevin counting measures, the rates without the
    nonconservative field and their Kramers–Langer limit with the barriers, λ₁ and its convergence.  Each bias is
    independent, so a sweep may be cut.  A bias where λ₁ has not converged is NaN here (its ``convergence`` says by
    how much it moved), where the CLI refuses it: a study is not stopped by one point.

A junction's study runs the same methods on its free spin(s) (:mod:`dimer_core.studies.junction_study`).
"""
import numpy as np

__all__ = ["MODES_OUTPUTS", "PER_BASIN", "RATES_OUTPUTS", "outputs", "point_values", "variable_attrs", "per_basin"]

MODES_OUTPUTS = ("n_stable", "n_unstable", "frequency_low", "linewidth_low", "q_low")
PER_BASIN = ("rate", "dwell", "population", "rate_counting", "rate_conservative", "rate_langer", "barrier")
RATES_OUTPUTS = tuple(f"{name}_{b}" for name in PER_BASIN for b in range(2)) + ("relaxation", "convergence")


def outputs(method):
    """The per-bias outputs of method ``modes`` or ``rates``."""
    return {"modes": MODES_OUTPUTS, "rates": RATES_OUTPUTS}[method]


def _sweep(p, V, method, spins, terms, degree):
    from .mode_maps import line_summary
    from .sweeps import modes_sweep, spectral_rates_sweep

    if method == "modes":
        return line_summary(modes_sweep(p, V, spins=spins, terms=terms))
    return per_basin(spectral_rates_sweep(p, V, terms=terms, L=degree, unconverged="nan"))


def per_basin(ds):
    """The study outputs :data:`RATES_OUTPUTS` of a Fokker–Planck rates sweep on (V, basin) (the dimer's or a
    junction's): each per-basin variable as ``<name>_0``, ``<name>_1`` on V, with λ₁ and its convergence."""
    flat = {f"{name}_{b}": ds[name].isel(basin=b).drop_vars("basin").assign_attrs(
                description=f"{ds[name].attrs['description']} {b}") for name in PER_BASIN for b in range(2)}
    return ds[["relaxation", "convergence"]].assign(flat)


def point_values(p, V, method, spins="pinned", terms="full", degree=32):
    """{output: values (V,)} of one grid point's parameters ``p`` over the biases V (mV)."""
    ds = _sweep(p, np.asarray(V, dtype=float), method, spins, terms, degree)
    return {name: ds[name].values.astype(float) for name in outputs(method)}


def variable_attrs(p, V, method, spins="pinned", terms="full", degree=32):
    """{output: {"units", "description"}} from one evaluation at the first bias of V."""
    ds = _sweep(p, np.asarray(V[:1], dtype=float), method, spins, terms, degree)
    return {k: {"units": ds[k].attrs["units"], "description": ds[k].attrs["description"]} for k in outputs(method)}
