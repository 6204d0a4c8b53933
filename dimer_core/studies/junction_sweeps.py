"""Bias sweeps of a junction's spins: Fokker–Planck (one free spin) and Langevin (any free spins), as datasets.

The model is :func:`dimer_core.spins.junction_spins.spins_and_tensors` (docs/junction.md, "Spins of a junction in
motion"); the sweeps mirror the dimer's (:func:`dimer_core.studies.sweeps.fp_sweep`,
:func:`~dimer_core.studies.sweeps.langevin_sweep`, :func:`~dimer_core.studies.sweeps.dimer_sweep`): the same units, validity
flags and time scales.

Time scales (:func:`time_plan`): :func:`dimer_core.studies.sweeps.time_scales` of each free spin alone — its own
terms and the field of the pinned spins; the exchange with the other free spins is left out, and the
curvature that sets the relaxation time is at least k_B·T_eff, as there — with a step that also resolves
the whole model; the smallest step and the longest times over the free spins.
"""
import numpy as np
import xarray as xr

from .. import __version__
from ..spins.drift import calculus_flag
from ..spins.integrators import integrator_code
from ..spins.langevin import PinnedSpinModel, ensemble
from .sweeps import step_counts, time_scales, validity_data
from ..units import K_B
from ..junction.modelfile import dumps
from ..spins.junction_spins import bias_grid, check_terms, fp_orientation, one_spin_energy, sites_of, spins_and_tensors

METHODS = ("fp", "langevin")
"""``fp``: Fokker–Planck Ω of one free spin (:func:`~dimer_core.spins.junction_spins.fp_orientation`); ``langevin``:
ensembles of the stochastic LLG of every free spin (:func:`dimer_core.spins.langevin.ensemble`)."""


def one_spin_models(spins, that):
    """Each free spin of ``spins`` alone as a :class:`~dimer_core.spins.langevin.PinnedSpinModel`: its g, its diagonal
    blocks (E = −g·m + m·Q·m with Q = −½·sym X_aa; the nonconservative part left out), damping, noise and kt;
    ``that`` (the junction's SOC axis) sets the isotropic damping of the relaxation time."""
    out = []
    for k in range(spins.nspins):
        s = slice(3 * k, 3 * k + 3)
        q, _ = one_spin_energy(spins.g[:, s], spins.X[:, s, s])
        out.append(PinnedSpinModel(g=spins.g[:, s], Q=q, b_dm=np.zeros(spins.size),
                                   that=np.asarray(that, float), alpha=spins.alpha[:, s, s],
                                   noise=spins.noise[:, s, s], hbar_s=spins.hbar_s, kt=spins.kt[:, k]))
    return out


def junction_step(spins, that, calculus="boltzmann"):
    """The Langevin step (ps) of ``spins``: the smallest over the free spins alone (module docstring)."""
    calculus_flag(calculus)
    return min(time_scales(one, None, 0.0, 1.0, calculus, others=(spins,))[0] for one in one_spin_models(spins, that))


def time_plan(spins, that, dt=None, t_burn=None, t_average=None, calculus="boltzmann"):
    """(dt (ps), (burn-in steps, averaging steps)) of a Langevin run of ``spins`` (see the module docstring).

    Times given are kept; a run longer than :data:`dimer_core.studies.sweeps.MAX_RUN_STEPS` steps is refused.
    """
    calculus_flag(calculus)
    singles = one_spin_models(spins, that)
    if dt is None:
        dt = junction_step(spins, that, calculus)
    times = [time_scales(one, dt, t_burn, t_average, calculus)[1:] for one in singles]
    t_burn = max(t[0] for t in times)
    t_average = max(t[1] for t in times)
    return dt, step_counts(dt, t_burn, t_average)


def _variable(values, unit, description, dims=("V",)):
    return dims, np.asarray(values), {"units": unit, "description": description}


def junction_sweep(junction, V, free, pinned=None, bare=None, method="fp", n_realizations=32, dt=None,
                   t_burn=None, t_average=None, seed=0, terms="full", calculus="boltzmann", progress=None,
                   cancel=None, integrator="heun"):
    """The free spins of ``junction`` against the bias V (mV), by Fokker–Planck or Langevin.

    Parameters
    ----------
    junction : Junction
        At its mu_F, T, S, Delta; its own V is replaced by each value of ``V``.
    free, pinned, bare, terms
        As :func:`dimer_core.spins.junction_spins.spins_and_tensors` (sites 1-based; pinned default +z; bare default none).
    method : "fp" or "langevin" (:data:`METHODS`); ``fp`` needs one free spin.
    n_realizations, dt, t_burn, t_average, seed, calculus, progress, cancel, integrator
        As :func:`dimer_core.studies.sweeps.langevin_sweep` (times in ps; defaults from :func:`time_plan`; ``integrator``
        one of :data:`dimer_core.spins.integrators.INTEGRATORS`).

    Returns
    -------
    xarray.Dataset on V (mV).  ``fp``: Omega_x/y/z (1), kT_eff (meV), T_eff_<a> (K), energy_injection,
    b_nc_x/y/z (meV, the nonconservative field left out of E).  ``langevin``: m<a>_x/y/z and their ``_err``
    per free site a, m<a>_dot_m<b> and ``_err`` per pair of free sites, T_eff_<a> (K).  Both: I_<lead> (nA),
    outside_validity (the reasons in ``attrs["validity"]``); ``attrs``: the model with its bare terms as TOML
    text (:func:`~dimer_core.junction.modelfile.dumps`), free, pinned, method, terms and the Langevin times,
    seed, calculus and integrator.
    """
    if method not in METHODS:
        raise ValueError(f"method = {method!r} is not known; allowed: {', '.join(METHODS)}")
    V = bias_grid(V)
    free, pinned = sites_of(free, pinned, junction.n_sites)
    check_terms(terms)
    integrator_code(integrator)
    if method == "fp" and len(free) != 1:
        raise ValueError(f"method = 'fp' needs one free site; free = {free} (use method = 'langevin')")
    spins, t = spins_and_tensors(junction, V, free, pinned, bare, terms)
    valid, reasons = spins.validity()
    data, attrs = {}, {}
    if method == "fp":
        omega, b_nc, kt = fp_orientation(spins)
        for i, x in enumerate("xyz"):
            data[f"Omega_{x}"] = _variable(omega[:, i], "1", f"mean {x} component of spin {free[0]} (Fokker–Planck)")
        for i, x in enumerate("xyz"):
            data[f"b_nc_{x}"] = _variable(b_nc[:, i], "meV", f"nonconservative field on spin {free[0]}, {x} "
                                                             "(b_nc: X·m = −2Q·m + m × b_nc; not in E(m))")
        data["kT_eff"] = _variable(kt, "meV", "k_B·T_eff")
        data["energy_injection"] = _variable(kt < 0, "1", "T_eff < 0: P(m) peaked at the energy maximum")
    else:
        dt, (n_burn, n_avg) = time_plan(spins, junction.that, dt, t_burn, t_average, calculus)
        mean, err = ensemble(spins, n_realizations, dt, n_burn, n_avg, seed=seed, progress=progress, cancel=cancel,
                             calculus=calculus, integrator=integrator)
        for k, a in enumerate(free):
            for i, x in enumerate("xyz"):
                data[f"m{a}_{x}"] = _variable(mean[:, 3 * k + i], "1", f"<m_{a}> {x} component (Langevin)")
                data[f"m{a}_{x}_err"] = _variable(err[:, 3 * k + i], "1", f"standard error of <m_{a}> {x}")
        col = 3 * len(free)
        for k, a in enumerate(free):
            for b in free[k + 1:]:
                data[f"m{a}_dot_m{b}"] = _variable(mean[:, col], "1", f"mean relative orientation <m_{a}·m_{b}>")
                data[f"m{a}_dot_m{b}_err"] = _variable(err[:, col], "1", f"standard error of <m_{a}·m_{b}>")
                col += 1
        attrs.update(dt_ps=dt, t_burn_ps=n_burn * dt, t_average_ps=n_avg * dt, n_realizations=int(n_realizations),
                     seed=int(seed), calculus=calculus, integrator=integrator)
    data.update({f"T_eff_{a}": _variable(spins.kt[:, k] / K_B, "K", f"effective temperature of spin {a}")
                 for k, a in enumerate(free)})
    for c, lead in enumerate(junction.leads):
        data[f"I_{lead.name}"] = _variable(t["current"][:, c], "nA", f"charge current of lead {lead.name}")
    flags, notes = validity_data(valid, reasons, V)
    data.update({k: _variable(*v) for k, v in flags.items()})
    ds = xr.Dataset(data, coords={"V": ("V", V, {"units": "mV", "long_name": "bias voltage"})})
    ds.attrs.update(model_attrs(junction, bare, free, pinned, method, terms, notes), **attrs)
    return ds


def model_attrs(junction, bare, free, pinned, method, terms, notes):
    """The attrs of a junction's spin results: the model with its bare terms as TOML text
    (:func:`~dimer_core.junction.modelfile.dumps`), the bath, free and pinned sites, method, terms, validity notes
    and the version."""
    return dict(model=dumps(junction, bare), name=junction.name, mu_F=junction.mu_F, T=junction.T, S=junction.S,
                Delta=junction.Delta, free=list(free),
                pinned="; ".join(f"{c}: {', '.join(f'{x:g}' for x in m)}" for c, m in pinned.items()),
                method=method, terms=terms, validity=notes, dimer_core_version=__version__,
                title="Spins of a junction against bias (dimer_core.junction; docs/junction.md)")


__all__ = ["METHODS", "one_spin_models", "junction_step", "time_plan", "junction_sweep", "model_attrs"]
