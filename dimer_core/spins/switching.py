"""Switching of any spin model along a bias sweep: the stable states at each bias, then the rates between them by
Langevin counting (:func:`counted_rates`) or from the Fokker–Planck spectrum of one free spin
(:func:`spectral_rates_along`), and a telegraph trace at one bias (:func:`telegraph_at`) (docs/rates.md).

Each takes a :class:`~dimer_core.spins.langevin.SpinModel` (one bias per entry of V): the dimer's
(:mod:`dimer_core.studies.sweeps`) and any junction's (:mod:`dimer_core.studies.junction_lines`) go through the same
code.  The stable states are those of :func:`dimer_core.spins.modes.stationary_states`.
"""
import numpy as np
import xarray as xr

from ..progress import Cancelled, cancelled
from .fp_passage import core_dwells
from .fp_spectrum import NotConverged, spectral_rates
from .langer import conservative_model, langer_rates
from .langevin import MAX_RUN_STEPS
from .modes import stationary_states
from .rates import switching_rates, telegraph_trace

__all__ = ["stable_states", "counted_rates", "spectral_rates_along", "spectral_work", "telegraph_at"]


def stable_states(model, index):
    """The stable stationary states (3n,) of ``model`` at bias ``index``."""
    return [s.m for s in stationary_states(model, index) if s.stable]


def counted_rates(model, V, dt, valid, t_total=None, n_trajectories=2, min_switches=20, core=0.5, seed=0,
                  max_steps=MAX_RUN_STEPS, progress=None, cancel=None, integrator="heun"):
    """Switching rates between the stable states at each bias V (mV) by Langevin counting
    (:func:`dimer_core.spins.rates.switching_rates`), steps of ``dt`` (ps); biases where ``valid`` is False, or with
    fewer than two stable states, have none (NaN).

    ``t_total`` (ps per trajectory): if None, a pilot run of ``max_steps``/20 steps sets it to give about
    ``min_switches`` dwells per basin, within ``max_steps``; a bias whose pilot shows no switch is refused
    (ValueError) with the lower bound it implies.  A ``t_total`` over ``max_steps`` steps is refused.
    """
    states = [stable_states(model, k) if valid[k] else [] for k in range(len(V))]
    every = 10
    if t_total is None:
        pilot_steps = max_steps // 20
        pilot = switching_rates(model, V, states, dt, pilot_steps * dt, 1, core, every, seed, integrator=integrator)
        competing = np.isfinite(pilot.m.values[:, 1, 0])
        least = np.where(competing[:, None] & np.isfinite(pilot.m.values[..., 0]), pilot.n_dwells.values,
                         np.iinfo(int).max).min(axis=1)
        if np.any(competing & (least == 0)):
            bad = np.asarray(V)[competing & (least == 0)]
            raise ValueError(f"no switch in {pilot_steps * dt:.3g} ps at V = {bad[0]:g} mV: the dwell there is "
                             f"longer than that, and {min_switches} switches would need more than "
                             f"{min_switches * pilot_steps * dt:.3g} ps per trajectory (over the budget of "
                             f"{max_steps:.0e} steps); give t_total to run anyway")
        need = np.max(np.where(competing, min_switches / np.maximum(least, 1), 0.0), initial=0.0)
        t_total = min(max(need, 1.0) * pilot_steps, max_steps) * dt / n_trajectories
    elif t_total / dt > max_steps:
        raise ValueError(f"t_total = {t_total:g} ps is {t_total / dt:.3g} steps of {dt:.3g} ps; allowed: at most "
                         f"{max_steps:.0e} steps per trajectory")
    return switching_rates(model, V, states, dt, t_total, n_trajectories, core, every, seed, min_switches,
                           progress, cancel, integrator=integrator)


def spectral_rates_along(model, V, valid, components, L=32, tolerance=1e-3, unconverged="raise", compare=True,
                         core=0.5, progress=None, cancel=None):
    """Rates between the two stable states of a one-spin ``model`` at each bias V (mV) from its Fokker–Planck
    spectrum (:func:`dimer_core.spins.fp_spectrum.spectral_rates`): a Dataset on (V, basin) with the rate out of
    each basin (1/ns), the mean dwell (ps), the population, λ₁ (1/ns) and its relative change from degree L − 4.
    With ``compare``, how far the estimates from the energy are off: ``rate_conservative``, the spectrum's rates
    without the nonconservative field (:func:`dimer_core.spins.langer.conservative_model`: the self-DMI torque of
    the dimer), and ``rate_langer`` and ``barrier``, the Kramers–Langer high-barrier limit of that energy
    (:func:`dimer_core.spins.langer.langer_rates`), and ``rate_counting``, the core-to-core rate 1/τ that Langevin
    counting with cores of ``core`` rad converges to, from the mean first-passage times of the same operator
    (:func:`dimer_core.spins.fp_passage.core_dwells`; it differs from ``rate`` by the recrossings of a finite barrier).
    ``components``: the names of the free spin's three components.  Biases not ``valid``, without exactly two
    stable states, or with no barrier (``attrs["no_switching"]`` says why) are NaN; where λ₁ has not converged to
    ``tolerance`` the bias is refused (ValueError naming it and L), or with ``unconverged="nan"`` left NaN with its
    ``convergence`` (and the reason in ``attrs["no_switching"]``).  ``progress``, ``cancel``:
    :mod:`dimer_core.progress`, per bias (a stop between biases raises :class:`~dimer_core.progress.Cancelled`)."""
    if unconverged not in ("raise", "nan"):
        raise ValueError(f"unconverged = {unconverged!r} is not known; allowed: raise, nan")
    if model.nspins != 1:
        raise ValueError(f"the Fokker–Planck spectrum is for one free spin; the model has {model.nspins}")
    notes = []
    centre = np.full((len(V), 2, 3), np.nan)
    rate, population = np.full((len(V), 2), np.nan), np.full((len(V), 2), np.nan)
    relaxation, change = np.full(len(V), np.nan), np.full(len(V), np.nan)
    conservative, langer, barrier, counting = (np.full((len(V), 2), np.nan) for _ in range(4))
    quiet = conservative_model(model) if compare else None
    for k in range(len(V)):
        if cancelled(cancel):
            raise Cancelled(f"stopped after {k} of {len(V)} biases")
        if progress is not None:
            progress(k / len(V), f"V = {V[k]:g} mV ({k + 1} of {len(V)})")
        states = stable_states(model, k) if valid[k] else []
        if len(states) != 2:
            continue
        try:
            r = spectral_rates(model, k, states, L=L, tolerance=tolerance)
        except NotConverged as exc:
            if unconverged == "raise":
                raise ValueError(f"V = {V[k]:g} mV: {exc}") from None
            notes.append(f"V = {V[k]:g} mV: {exc}")
            change[k] = exc.change
            continue
        except ValueError as exc:  # no barrier between the two states: no switching rate (NaN)
            notes.append(f"V = {V[k]:g} mV: {exc}")
            continue
        centre[k] = states
        rate[k], population[k] = 1e3 * r.rates, r.populations
        relaxation[k], change[k] = 1e3 * r.relaxation, r.change
        if compare:
            conservative[k] = _conservative_rates(quiet, k, states, L, tolerance, notes, V[k])
            langer_k, barrier[k] = langer_rates(model, k, states)
            langer[k] = 1e3 * langer_k
            counting[k] = _counting_rates(model, k, states, core, notes, V[k])
    extra = {} if not compare else {
        "rate_conservative": (("V", "basin"), conservative, {"units": "1/ns", "description": "rate without the "
                                                             "nonconservative field (the energy's dynamics)"}),
        "rate_langer": (("V", "basin"), langer, {"units": "1/ns", "description": "Kramers–Langer high-barrier rate "
                                                 "of the energy, full damping"}),
        "barrier": (("V", "basin"), barrier, {"units": "meV", "description": "energy barrier out of the basin"}),
        "rate_counting": (("V", "basin"), counting, {"units": "1/ns", "description": f"core-to-core rate 1/τ (cores "
                                                      f"of {core:g} rad): what Langevin counting measures"})}
    return xr.Dataset(
        {"m": (("V", "basin", "component"), centre, {"units": "1", "description": "the basin's stable state"}),
         "rate": (("V", "basin"), rate, {"units": "1/ns", "description": "switching rate out of the basin"}),
         "dwell": (("V", "basin"), 1e3 / rate, {"units": "ps", "description": "mean dwell, 1/rate"}),
         "population": (("V", "basin"), population, {"units": "1", "description": "stationary population"}),
         "relaxation": ("V", relaxation, {"units": "1/ns", "description": "λ₁ = the sum of the two rates"}),
         "convergence": ("V", change, {"units": "1", "description": f"relative change of λ₁ from L = {L - 4}"}),
         **extra},
        coords={"V": ("V", np.asarray(V, dtype=float), {"units": "mV", "long_name": "bias voltage"}),
                "basin": np.arange(2), "component": list(components)},
        attrs={"L": L, "no_switching": "; ".join(notes)})


def spectral_work(model, index, L=32, tolerance=1e-3):
    """The work of :func:`spectral_rates_along` (``compare=False``) at bias ``index`` as if it had two stable
    states, for timing it (:func:`dimer_core.studies.timing.sampled_seconds`): its stable states, then the
    spectrum to degree ``L`` between them, or between ±z where there are not two (the operator and its
    eigenvalues cost the same for any two states).  Returns the number of stable states; a spectrum that
    does not converge or has no barrier has cost its time and is not an error here."""
    states = stable_states(model, index)
    pair = states if len(states) == 2 else [[0.0, 0.0, 1.0], [0.0, 0.0, -1.0]]
    try:
        spectral_rates(model, index, pair, L=L, tolerance=tolerance)
    except ValueError:  # NotConverged or no barrier: raised after the operator and both spectra
        pass
    return len(states)


def _conservative_rates(quiet, k, states, L, tolerance, notes, v):
    """The spectrum's rates (1/ns) of the conservative model at bias k, NaN (with a note) where it has none."""
    try:
        return 1e3 * spectral_rates(quiet, k, states, L=L, tolerance=tolerance).rates
    except ValueError as exc:
        notes.append(f"V = {v:g} mV, without the nonconservative field: {exc}")
        return np.nan


def _counting_rates(model, k, states, core, notes, v):
    """The core-to-core rates (1/ns) of bias k from the operator's mean first-passage times, NaN (with a note) where
    the mesh does not resolve them or the cores overlap."""
    try:
        return 1e3 * core_dwells(model, k, states, core=core).rates
    except ValueError as exc:
        notes.append(f"V = {v:g} mV, core-to-core dwells: {exc}")
        return np.nan


def telegraph_at(model, V, dt, t_total, valid, reason="", core=0.5, seed=0, max_steps=MAX_RUN_STEPS,
                 integrator="heun"):
    """The basin against time over ``t_total`` ps of one Langevin run of a one-bias ``model`` at V (mV)
    (:func:`dimer_core.spins.rates.telegraph_trace`), with the stable states as ``attrs["states"]``; refused
    (ValueError) where the bias is not ``valid`` (``reason``), has fewer than two stable states, or the run is over
    ``max_steps`` steps of ``dt`` (ps)."""
    if not valid:
        raise ValueError(f"V = {V:g} mV is outside the model's validity: {reason}")
    states = stable_states(model, 0)
    if len(states) < 2:
        raise ValueError(f"V = {V:g} mV has {len(states)} stable state(s): nothing to switch between")
    if not 0 < t_total <= max_steps * dt:
        raise ValueError(f"t_total = {t_total:g} ps; allowed: 0 < t_total <= {max_steps * dt:.3g} ps "
                         f"({max_steps:.0e} steps of {dt:.3g} ps)")
    ds = telegraph_trace(model, 0, states, dt, t_total, core, max(1, int(round(0.05 / dt))), seed,
                         integrator=integrator)
    ds.attrs.update(V_mV=float(V), states=np.asarray(states).ravel(), integrator=integrator)
    return ds
