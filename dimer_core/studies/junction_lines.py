"""What experiments measure, for any junction: ESR lines, switching rates and a telegraph trace with the current it
modulates, against the bias (issue 14; docs/junction.md, "Lines, rates and read-out of a junction").

The spin model is the junction's (:func:`dimer_core.spins.junction_spins.spins_and_tensors`: any free sites, the others
pinned); the lines are :func:`dimer_core.spins.modes.mode_sweep` and the rates and traces
:mod:`dimer_core.spins.switching`, the same code as the dimer's :func:`~dimer_core.studies.sweeps.modes_sweep`,
:func:`~dimer_core.studies.sweeps.rates_sweep` and :func:`~dimer_core.studies.sweeps.telegraph` (for
:func:`~dimer_core.junction.model.from_dimer` the same numbers, tests/test_junction_lines.py).  Langevin steps are those of
:func:`~dimer_core.studies.junction_sweeps.junction_step`.

The telegraph trace carries each lead's current to first order in Δ: I_c(t) = I_c⁰ + ΔS·Σ_a G_ca·m_a(t) over every
site with a spin (free and pinned), G from :func:`dimer_core.electrons.current_response.current_response`
(docs/junction.md, "Current read-out of the spins").
"""
import numpy as np

from ..electrons.current_response import current_change, current_response
from ..spins.junction_spins import bias_grid, check_terms, sites_of, spins_and_tensors
from ..spins.modes import mode_sweep
from ..spins.switching import counted_rates, spectral_rates_along, spectral_work, telegraph_at
from .junction_sweeps import junction_step, model_attrs
from .sweeps import with_validity
from .timing import counted_seconds, sampled_seconds, timed

__all__ = ["RATE_METHODS", "junction_modes", "junction_rates", "junction_telegraph", "junction_modes_seconds",
           "junction_rates_seconds"]

RATE_METHODS = ("fp", "langevin")
"""``fp``: the Fokker–Planck spectrum of one free spin; ``langevin``: counting switches of any free spins."""


def _model(junction, V, free, pinned, bare, terms, progress=None):
    """(V, free, pinned, SpinModel, tensors, valid, reasons), checked; ``progress`` is told before the tensors."""
    V = bias_grid(V)
    free, pinned = sites_of(free, pinned, junction.n_sites)
    check_terms(terms)
    if progress is not None:
        progress(0.0, f"the junction's tensors at {V.size} biases")
    spins, tensors = spins_and_tensors(junction, V, free, pinned, bare, terms)
    valid, reasons = spins.validity()
    return V, free, pinned, spins, tensors, valid, reasons


def _components(free):
    return [f"m{a}_{x}" for a in free for x in "xyz"]


def _finish(ds, junction, bare, free, pinned, terms, method, valid, reasons):
    """``ds`` on V with each free spin's components named by its site, ``outside_validity`` and the model's attrs."""
    ds, notes = with_validity(ds.assign_coords(component=_components(free)), valid, reasons)
    ds.attrs.update(model_attrs(junction, bare, free, pinned, method, terms, notes))
    return ds


def junction_modes(junction, V, free, pinned=None, bare=None, terms="full", f_ghz=None, rf_axis=(1.0, 0.0, 0.0),
                   progress=None, cancel=None):
    """ESR/FMR lines of the free spins of ``junction`` against V (mV): :func:`dimer_core.spins.modes.mode_sweep` on
    (V, state, mode), frequencies and linewidths in GHz; ``free``, ``pinned``, ``bare``, ``terms`` as
    :func:`~dimer_core.spins.junction_spins.spins_and_tensors`; ``f_ghz``, ``rf_axis`` the absorption Im χ(f)."""
    V, free, pinned, spins, _, valid, reasons = _model(junction, V, free, pinned, bare, terms, progress)
    ds = mode_sweep(spins, V, valid=valid, f_ghz=f_ghz, rf_axis=rf_axis, progress=progress, cancel=cancel)
    return _finish(ds, junction, bare, free, pinned, terms, "linear-modes", valid, reasons)


def _check_method(method, free):
    if method not in RATE_METHODS:
        raise ValueError(f"method = {method!r} is not known; allowed: {', '.join(RATE_METHODS)}")
    free = np.atleast_1d(free).tolist()
    if method == "fp" and len(free) != 1:
        raise ValueError(f"method = 'fp' needs one free site; free = {free} (use method = 'langevin')")


def junction_rates(junction, V, free, pinned=None, bare=None, terms="full", method="fp", L=32, tolerance=1e-3,
                   t_total=None, n_trajectories=2, min_switches=20, core=0.5, seed=0, progress=None, cancel=None,
                   integrator="heun", unconverged="raise", compare=True):
    """Switching rates between the stable states of the free spins of ``junction`` against V (mV), on (V, basin):
    ``method`` "fp" (one free spin: :func:`dimer_core.spins.switching.spectral_rates_along` to degree ``L``, with
    ``unconverged``, ``compare`` and the cores of ``rate_counting`` as there) or "langevin"
    (:func:`dimer_core.spins.switching.counted_rates`; ``t_total`` ps per trajectory or chosen by a pilot run); rates
    in 1/ns, dwells in ps; cores of ``core`` rad.  ``progress``, ``cancel``: :mod:`dimer_core.progress`, per bias
    (fp) or per trajectory (langevin)."""
    _check_method(method, free)
    V, free, pinned, spins, _, valid, reasons = _model(junction, V, free, pinned, bare, terms, progress)
    if method == "fp":
        ds = spectral_rates_along(spins, V, valid, _components(free), L, tolerance, unconverged, compare, core,
                                  progress=progress, cancel=cancel)
        name = "fokker-planck-spectrum"
    else:
        dt = junction_step(spins, junction.that)
        ds = counted_rates(spins, V, dt, valid, t_total, n_trajectories, min_switches, core, seed, progress=progress,
                           cancel=cancel, integrator=integrator)
        name = "langevin-switching"
    return _finish(ds, junction, bare, free, pinned, terms, name, valid, reasons)


def junction_modes_seconds(junction, V, free, pinned=None, bare=None, terms="full"):
    """About how long :func:`junction_modes` over ``V`` takes (s): its tensors and lines at five biases spread over
    V (after one untimed, which loads the compiled kernels), timed and scaled to all
    (:func:`dimer_core.studies.timing.sampled_seconds`)."""
    return sampled_seconds(lambda v: junction_modes(junction, v, free, pinned, bare, terms), V, probes=5, warm=True)


def junction_rates_seconds(junction, V, free, pinned=None, bare=None, terms="full", method="fp", L=32,
                           tolerance=1e-3, integrator="heun"):
    """How long :func:`junction_rates` over ``V`` takes (s), before it runs.

    ``fp``: about — the tensors, stable states and Fokker–Planck spectrum at the middle bias as if it had two
    stable states (:func:`dimer_core.spins.switching.spectral_work`), timed and scaled to every bias (a bias with
    one stable state costs less; the spectrum's time varies by ±30 % between biases and with the load).  ``langevin``: the tensors at every bias, timed, plus the most the counting
    can take (:func:`dimer_core.studies.timing.counted_seconds`: pilot and step budget at every valid bias)."""
    _check_method(method, free)
    if method == "fp":
        def one(v):
            _, _, _, spins, _, valid, _ = _model(junction, v, free, pinned, bare, terms)
            if valid[0]:
                spectral_work(spins, 0, L, tolerance)
        return sampled_seconds(one, V)
    (V, free, pinned, spins, _, valid, _), seconds = timed(lambda: _model(junction, V, free, pinned, bare, terms))
    return seconds + counted_seconds(spins, valid, junction_step(spins, junction.that), integrator)


def _site_orientations(free_m, free, pinned, n_sites):
    """m (..., n_sites, 3) of every site: the free sites' from ``free_m`` (..., len(free), 3), the pinned ones'
    directions."""
    out = np.empty(free_m.shape[:-2] + (n_sites, 3))
    for a in range(1, n_sites + 1):
        out[..., a - 1, :] = free_m[..., free.index(a), :] if a in free else pinned[a]
    return out


def junction_telegraph(junction, V, t_total, free, pinned=None, bare=None, terms="full", core=0.5, seed=0,
                       integrator="heun"):
    """The basin of the free spins against time over ``t_total`` ps of one Langevin run at one bias V (mV), and the
    current of every lead it modulates: ``I_<lead>`` (time) to first order in Δ (module docstring), with
    ``I_<lead>_state`` (state) the current at each stable state (state i is basin i) and ``attrs["current_note"]``
    how large the first-order change is against the current."""
    V1, free, pinned, spins, tensors, valid, reasons = _model(junction, [V], free, pinned, bare, terms)
    ds = telegraph_at(spins, V1[0], junction_step(spins, junction.that), t_total, valid[0], reasons[0], core, seed,
                      integrator=integrator)
    ds = ds.assign_coords(component=_components(free))
    response = current_response(junction.updated(V=float(V1[0])))
    states = np.asarray(ds.attrs["states"]).reshape(-1, len(free), 3)
    m = _site_orientations(ds.m.values.reshape(ds.sizes["time"], len(free), 3), free, pinned, junction.n_sites)
    m_states = _site_orientations(states, free, pinned, junction.n_sites)
    delta_s = junction.Delta * junction.S
    base = tensors["current"][0]
    current = base + current_change(response, m, delta_s)
    at_states = base + current_change(response, m_states, delta_s)
    for c, lead in enumerate(junction.leads):
        ds[f"I_{lead.name}"] = ("time", current[:, c], {"units": "nA", "description": f"current of lead {lead.name} "
                                                        "(first order in Δ)"})
        ds[f"I_{lead.name}_state"] = ("state", at_states[:, c], {"units": "nA", "description": "current of lead "
                                                                 f"{lead.name} at stable state i (basin i)"})
    ds = ds.assign_coords(state=np.arange(len(states)))
    step = np.abs(at_states - at_states[:1]).max()
    ds.attrs["current_note"] = (f"the spins change the current by up to {step:.3g} nA between basins, against "
                                f"{np.abs(base).max():.3g} nA at Δ = 0 (first order in Δ: trust it where small)")
    ds.attrs.update(model_attrs(junction, bare, free, pinned, "telegraph", terms, reasons[0] if not valid[0] else ""))
    return ds
