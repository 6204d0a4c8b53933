"""Bias sweeps of the spin dynamics (paper Sec. IV, Figs. 3–5), as labelled datasets.

* :func:`fp_sweep` — Fokker–Planck mean orientation Omega(V) of the free spin,
  k_B·T_eff, and the interaction comparison of Figs. 4/5 (bottom panels).
* :func:`langevin_sweep` — the same Omega from ensembles of the anisotropic
  stochastic LLG, with standard errors; progress and cancellation hooks.
* :func:`reversal_path` — one trajectory m(t) and its torques split as in Fig. 3.
* :func:`dimer_sweep` — both spins free: <m_1·m_2>, <m_1>, <m_2> against V.
* :func:`current_sweep` — charge current I(V) and dI/dV.
* :func:`modes_sweep` — ESR/FMR lines: frequencies, linewidths and stability of the stationary states
  (:mod:`dimer_core.spins.modes`), and the rf absorption spectrum.
* :func:`estimate_seconds` — how long a Langevin or both-spins-free sweep will take, before it runs;
  :func:`rates_seconds` — the most a Langevin-counted rates sweep can take; :func:`modes_seconds` — about how
  long the ESR lines take (:mod:`dimer_core.studies.timing`).

Every sweep runs at the parameters' mu_F and takes its couplings from
:func:`dimer_core.couplings.dimer.named_map` (or ``raw_map`` for the dimer).
"""
import numpy as np
import xarray as xr

from ..couplings.dimer import named_map, parameter_attrs, raw_map
from ..spins.drift import calculus_flag
from ..spins.integrators import integrator_code
from ..spins.langevin import (MAX_RUN_STEPS, STEPS_PER_TURN, DimerSpinModel, PinnedSpinModel, cross_matrix, ensemble,
                               ensemble_seconds, trajectory, validity)
from ..params import DimerParams, checked_axis
from ..electrons.response import RAW_INDEX
from ..spins.pinned import bare_terms, free_spin_energy, free_spin_terms, fp_sweep_values, local_minima
from ..spins.junction_spins import TERMS, check_terms, llg_blocks
from ..couplings.views import w_matrix
from ..units import HBAR, K_B
from .timing import counted_seconds, sampled_seconds

MAX_STEPS = 400_000
"""Default cap on burn-in plus averaging steps per trajectory."""


FP_OUTPUTS = ("Omega_x", "Omega_y", "Omega_z", "T_eff_2", "energy_injection", "E_J", "E_D", "E_A", "E_K", "E_s",
              "E_DMself", "kT_eff", "outside_validity")
"""Variables of :func:`fp_sweep`, in order."""

LANGEVIN_OUTPUTS = tuple(f"{pre}Omega_{x}{post}" for pre, post in (("", ""), ("", "_err"), ("FP_", ""))
                         for x in "xyz") + ("T_eff_2", "outside_validity")
"""Variables of :func:`langevin_sweep`, in order."""


def tensor(iso, dm, an, that):
    """M = iso·1 + dm·W + an·that⊗that (broadcast over leading axes of the coefficients)."""
    iso, dm, an = (np.asarray(x, dtype=float)[..., None, None] for x in (iso, dm, an))
    return iso * np.eye(3) + dm * w_matrix(that) + an * np.outer(that, that)


def _couplings(p, V):
    c = named_map(p, [p.mu_F], V)
    return {k: v[0] for k, v in c.items()}


def _check(p):
    if not isinstance(p, DimerParams):
        raise TypeError(f"expected DimerParams, got {type(p).__name__}")
    return p.check()


def fp_sweep(params, V):
    """Fokker–Planck Omega(V) at the parameters' mu_F, with T_eff and the interaction energies.

    Returns an :class:`xarray.Dataset` on ``V`` (mV): Omega_x, Omega_y, Omega_z,
    T_eff_2 (K), energy_injection (T_eff < 0: distribution peaked at the energy
    maximum), and the Fig. 4/5 comparison in meV: E_J = Δ²J_2, E_D = Δ²D_2,
    E_A = Δ²A_2, E_K = Δ²K_2, E_s = Δ·s_2, E_DMself = (ΔS)²·chi22_DM, kT_eff;
    outside_validity where the slow-spin LLG breaks down (the values are kept, the
    reasons are in ``attrs["validity"]``; :func:`~dimer_core.spins.langevin.validity`),
    except Omega and kT_eff where T_eff_2 is undefined (NaN there).
    """
    p = _check(params)
    V = checked_axis("V", V)
    c = _couplings(p, V)
    omega, kts = fp_sweep_values(p, c)
    d2 = p.Delta ** 2
    data = {
        "Omega_x": (omega[:, 0], "1", "mean x component of the free spin (Fokker–Planck)"),
        "Omega_y": (omega[:, 1], "1", "mean y component of the free spin (Fokker–Planck)"),
        "Omega_z": (omega[:, 2], "1", "mean z component of the free spin (Fokker–Planck)"),
        "T_eff_2": (c["T_eff_2"], "K", "effective temperature of spin 2"),
        "energy_injection": (c["a_i_22"] < 0, "1", "a_i_22 < 0: T_eff < 0, P(m) peaked at the energy maximum"),
        "E_J": (d2 * c["J_2"], "meV", "exchange Δ²J_2"),
        "E_D": (d2 * c["D_2"], "meV", "Dzyaloshinskii–Moriya Δ²D_2"),
        "E_A": (d2 * c["A_2"], "meV", "Ising-like exchange Δ²A_2"),
        "E_K": (d2 * c["K_2"], "meV", "anisotropy Δ²K_2"),
        "E_s": (p.Delta * c["s_2"], "meV", "spin-density field Δ·s_2"),
        "E_DMself": (d2 * p.S ** 2 * c["chi22_DM"], "meV", "self DMI-like field (ΔS)²·chi22_DM (not in E(m))"),
        "kT_eff": (kts, "meV", "k_B·T_eff"),
    }
    alpha = d2 * tensor(c["a_i_22"], c["a_DM_22"], c["a_an_22"], p.vector("that"))
    flags, notes = validity_data(*validity(alpha, (K_B * c["T_eff_2"])[:, None]), V)
    data.update(flags)
    return _dataset(V, data, p, method="fokker-planck", validity=notes)


def current_sweep(params, V, dV=1e-3):
    """Charge current I(V) (nA) and differential conductance dI/dV (nA/mV = µS) at the parameters' mu_F.

    dI/dV is the central difference of I over ±dV (mV); I is smooth on the scale
    of the resonance widths, so the error is O(dV²) (~1e-7 relative).
    """
    p = _check(params)
    V = checked_axis("V", V)
    if not (0 < dV < 1.0):
        raise ValueError(f"dV = {dV!r} is out of range; allowed: 0 < dV < 1 mV")
    grid = np.concatenate([V - dV, V, V + dV])
    current = named_map(p, [p.mu_F], np.clip(grid, -100.0, 100.0))["I"][0]
    lo, mid, hi = current[:V.size], current[V.size:2 * V.size], current[2 * V.size:]
    data = {"I": (mid, "nA", "charge current, both spins summed"),
            "dIdV": ((hi - lo) / (2 * dV), "uS", "differential conductance dI/dV (nA/mV)")}
    return _dataset(V, data, p, method="current")


def _dataset(V, data, p, **attrs):
    ds = xr.Dataset({k: ("V", np.asarray(v), {"units": u, "description": d}) for k, (v, u, d) in data.items()},
                    coords={"V": ("V", V, {"units": "mV", "long_name": "bias voltage"})})
    ds.attrs.update(parameter_attrs(p, exclude=("V",)))
    ds.attrs.update(attrs)
    return ds


def pinned_model(params, V, terms="full"):
    """The :class:`~dimer_core.spins.langevin.PinnedSpinModel` of spin 2 at each bias of ``V`` (mV).

    ``terms``: see :data:`TERMS`.
    """
    full = check_terms(terms)
    p = _check(params)
    V = checked_axis("V", V)
    c = _couplings(p, V)
    that = p.vector("that")
    g, q, bdm = free_spin_terms(p, c)
    d2 = p.Delta ** 2
    alpha = d2 * tensor(c["a_i_22"], c["a_DM_22"] * full, c["a_an_22"], that)
    noise = d2 * tensor(c["j_i_22"], c["j_DM_22"], c["j_an_22"], that)
    return PinnedSpinModel(g=g, Q=q, b_dm=bdm * full, that=that, alpha=alpha, noise=noise, hbar_s=HBAR * p.S,
                           kt=K_B * c["T_eff_2"]), c


def time_scales(model, dt=None, t_burn=None, t_average=None, calculus="boltzmann", others=()):
    """Default step (ps) and burn-in/averaging times (ps) from the relaxation time.

    τ = ħS(1 + α²)/(α·λ) with α the isotropic damping and λ the smallest
    Hessian eigenvalue (meV) at the most probable direction (at least k_B·T_eff, the
    scale of thermal diffusion when the energy is flat); dt resolves the
    fastest rate and the diffusion (:meth:`~dimer_core.spins.langevin.SpinModel.step_limits`),
    also over the :class:`~dimer_core.spins.langevin.SpinModel` s in ``others``; burn-in 20 τ,
    averaging 200 τ (at most :data:`MAX_STEPS` steps in all; a time given is kept as given,
    and a run too long is refused by the sweeps).  Biases outside
    the model's validity (:func:`~dimer_core.spins.langevin.validity`; not integrated) set no scale.
    """
    spins = model.spins()
    valid = spins.validity()[0]
    for other in others:
        valid &= other.validity()[0]
    if dt is None:
        dt = np.inf
        for m in (spins,) + tuple(others):
            dt = min(dt, np.min(np.minimum(*m.step_limits(calculus)), where=valid, initial=np.inf))
        if not np.isfinite(dt):  # nothing to integrate: any step
            dt = model.hbar_s / max(model.field_scale().max(), 1e-6) / STEPS_PER_TURN
    if t_burn is None or t_average is None:
        taus = [0.0]
        for k in np.flatnonzero(valid):
            a = abs(float(np.trace(model.alpha[k]) - model.that @ model.alpha[k] @ model.that) / 2.0)
            lam = max(local_minima(model.g[k], model.Q[k])[0][2].min(), 1e-3 * model.field_scale()[k],
                      float(np.abs(spins.kt[k]).max()))
            if lam > 0:
                taus.append(model.hbar_s * (1 + a * a) / (a * lam))
        tau = max(taus)
        budget = MAX_STEPS * dt
        if t_burn is None and t_average is None:
            t_burn, t_average = 20 * tau, max(200 * tau, dt)
            if t_burn + t_average > budget:
                shrink = budget / (t_burn + t_average)
                t_burn, t_average = t_burn * shrink, t_average * shrink
        elif t_burn is None:  # the caller's t_average is kept as given
            t_burn = min(20 * tau, max(budget - t_average, 0.0))
        else:
            t_average = max(min(200 * tau, budget - t_burn), dt)
    return dt, t_burn, t_average


def step_counts(dt, t_burn, t_average):
    """Burn-in and averaging steps; refuses a run longer than :data:`MAX_RUN_STEPS` per trajectory."""
    n_burn, n_avg = int(round(t_burn / dt)), max(1, int(round(t_average / dt)))
    if n_burn + n_avg > MAX_RUN_STEPS:
        raise ValueError(f"t_burn + t_average = {t_burn + t_average:.4g} ps at dt = {dt:.3g} ps is "
                         f"{n_burn + n_avg:.3g} steps per trajectory; allowed: at most {MAX_RUN_STEPS:.0e} "
                         "(shorten t_average or give a larger dt)")
    return n_burn, n_avg


def validity_data(valid, reasons, V):
    """``outside_validity`` and a one-line summary for ``attrs`` from (valid, reasons) of a validity check."""
    notes = "; ".join(f"V = {v:g} mV: {r}" for v, r in zip(V, reasons) if r)
    meaning = "the slow-spin LLG breaks down here (Langevin: not integrated, NaN)"
    return {"outside_validity": (~valid, "1", meaning)}, notes


def with_validity(ds, valid, reasons):
    """(``ds`` on V with the flags of :func:`validity_data` as variables, its one-line notes)."""
    flags, notes = validity_data(valid, reasons, ds.V.values)
    for key, (values, unit, description) in flags.items():
        ds[key] = ("V", np.asarray(values), {"units": unit, "description": description})
    return ds, notes


def langevin_sweep(params, V, n_realizations=32, dt=None, t_burn=None, t_average=None, seed=0,
                   progress=None, cancel=None, terms="full", first_index=0, calculus="boltzmann", integrator="heun"):
    """Langevin Omega(V) with standard errors, beside the Fokker–Planck estimate.

    Parameters
    ----------
    params : DimerParams
    V : array_like (mV)
    n_realizations : int
        Independent trajectories per bias (error bars from their spread).
    dt, t_burn, t_average : float, optional (ps)
        Defaults from :func:`time_scales`.
    seed : int
        The run is a function of (seed, parameters) only.
    progress, cancel : hooks of :mod:`dimer_core.progress`
    terms : "full" or "paper", see :data:`TERMS`
    first_index : int
        Where ``V`` starts in a longer sweep (see :func:`~dimer_core.spins.langevin.ensemble`).
        With the whole sweep's dt, t_burn and t_average given, the pieces of a
        split sweep reproduce it exactly.
    calculus : "boltzmann" (default) or "stratonovich", see :data:`dimer_core.spins.drift.CALCULI`
    integrator : "heun" (default) or "midpoint", see :data:`dimer_core.spins.integrators.INTEGRATORS`

    Returns
    -------
    xarray.Dataset on V with Omega_x/y/z, Omega_x/y/z_err, FP_Omega_x/y/z,
    T_eff_2 and outside_validity (True: not integrated, Omega NaN; the reasons in
    ``attrs["validity"]``); the time step and times in ``attrs``.
    """
    p = _check(params)
    V = checked_axis("V", V)
    model, c, dt, (n_burn, n_avg) = _langevin_plan(p, V, dt, t_burn, t_average, terms, calculus, integrator)
    omega, err = ensemble(model, n_realizations, dt, n_burn, n_avg, seed=seed, progress=progress, cancel=cancel,
                          first_index=first_index, calculus=calculus, integrator=integrator)
    fp = fp_sweep(p, V)
    data = {f"Omega_{x}": (omega[:, i], "1", f"mean {x} component of the free spin (Langevin)")
            for i, x in enumerate("xyz")}
    data.update({f"Omega_{x}_err": (err[:, i], "1", f"standard error of Omega_{x}") for i, x in enumerate("xyz")})
    data.update({f"FP_Omega_{x}": (fp[f"Omega_{x}"].values, "1", f"Fokker–Planck Omega_{x}") for x in "xyz"})
    data["T_eff_2"] = (c["T_eff_2"], "K", "effective temperature of spin 2")
    flags, notes = validity_data(*model.spins().validity(), V)
    data.update(flags)
    return _dataset(V, data, p, method="langevin", dt_ps=dt, t_burn_ps=n_burn * dt, t_average_ps=n_avg * dt,
                    n_realizations=int(n_realizations), seed=int(seed), terms=terms, calculus=calculus,
                    integrator=integrator, validity=notes)


def _langevin_plan(p, V, dt, t_burn, t_average, terms, calculus, integrator):
    """The pinned model of :func:`langevin_sweep`, its couplings, time step and (burn-in, averaging) steps;
    refuses unknown ``calculus`` and ``integrator`` names before any work."""
    calculus_flag(calculus)
    integrator_code(integrator)
    model, c = pinned_model(p, V, terms)
    dt, t_burn, t_average = time_scales(model, dt, t_burn, t_average, calculus)
    return model, c, dt, step_counts(dt, t_burn, t_average)


def torque_parts(params, couplings, m, mdot):
    """Torques on the free spin (1/ps) split as in the paper's Fig. 3, at one bias.

    ``couplings``: site-2 couplings (floats); ``m``, ``mdot``: arrays (n, 3).
    Returns a dict of (n, 3) arrays — exchange, anisotropy, DMI, field (Zeeman +
    spin density), damping_i, damping_an, damping_DM — that sum to ṁ without noise.
    """
    p = params
    that, m1 = p.vector("that"), p.vector("m1")
    hs = HBAR * p.S
    d2 = p.Delta ** 2
    c = couplings
    h, q0 = bare_terms(p)
    m = np.atleast_2d(m)
    mdot = np.atleast_2d(mdot)
    mt = m @ that
    fields = {
        "exchange": np.broadcast_to(d2 * c["J_2"] * m1, m.shape),
        "anisotropy": d2 * (c["A_2"] * np.dot(m1, that) + c["K_2"] * mt)[:, None] * that - 2.0 * m @ q0,
        "DMI": d2 * c["D_2"] * np.cross(m1, that) + d2 * p.S ** 2 * c["chi22_DM"] * np.cross(m, that),
        "field": np.broadcast_to(h + p.Delta * c["s_2"] * that, m.shape),
    }
    out = {k: np.cross(m, b) / hs for k, b in fields.items()}
    out["damping_i"] = -d2 * c["a_i_22"] * np.cross(m, mdot)
    out["damping_an"] = -d2 * c["a_an_22"] * (mdot @ that)[:, None] * np.cross(m, that)
    out["damping_DM"] = -d2 * c["a_DM_22"] * np.cross(m, np.cross(mdot, that))
    return out


def reversal_path(params, m0=None, t_total=None, dt=None, every=None, seed=0, noise=True, progress=None,
                  cancel=None, integrator="heun"):
    """One trajectory of the free spin at the parameters' bias, with its torques.

    Parameters
    ----------
    m0 : 3-vector, optional
        Start direction (default: the pinned spin's direction m_1, a parallel start).
    t_total : float, optional (ps)
        Default 40 relaxation times.
    noise : bool
        False integrates the deterministic LLG (the torques then sum to ṁ).
    progress, cancel : hooks of :mod:`dimer_core.progress`
    integrator : "heun" (default) or "midpoint", see :data:`dimer_core.spins.integrators.INTEGRATORS`

    Returns
    -------
    xarray.Dataset on time t (ps): m_x, m_y, m_z and the torque parts
    (``<part>_x`` ...), see :func:`torque_parts`.
    """
    p = _check(params)
    integrator_code(integrator)
    model, c = pinned_model(p, [p.V])
    if not noise:
        model = PinnedSpinModel(model.g, model.Q, model.b_dm, model.that, model.alpha, 0.0 * model.noise,
                                model.hbar_s, kt=np.zeros(1))
    dt, _, t_avg = time_scales(model, dt, 0.0, None)
    t_total = t_total if t_total is not None else t_avg / 5.0
    n_steps = max(1, int(round(t_total / dt)))
    every = every if every is not None else max(1, n_steps // 2000)
    m0 = p.vector("m1") + 1e-3 * np.cross(p.vector("m1"), p.vector("that")) if m0 is None else m0
    t, m = trajectory(model, 0, m0, dt, n_steps, every=every, seed=seed, progress=progress, cancel=cancel,
                      integrator=integrator)
    couplings = {k: float(v[0]) for k, v in c.items()}
    f = free_spin_energy(p, couplings)
    b = f.g - 2.0 * m @ f.Q + f.b_dm * np.cross(m, f.that)
    rhs = np.cross(m, b) / model.hbar_s
    mdot = np.array([np.linalg.solve(np.eye(3) + cross_matrix(mk) @ model.alpha[0], r) for mk, r in zip(m, rhs)])
    parts = torque_parts(p, couplings, m, mdot)
    data = {f"m_{x}": (m[:, i], "1", f"{x} component of the free spin") for i, x in enumerate("xyz")}
    for name, arr in parts.items():
        for i, x in enumerate("xyz"):
            data[f"{name}_{x}"] = (arr[:, i], "1/ps", f"{name} torque, {x} component")
    ds = xr.Dataset({k: ("t", v, {"units": u, "description": d}) for k, (v, u, d) in data.items()},
                    coords={"t": ("t", t, {"units": "ps", "long_name": "time"})})
    ds.attrs.update(parameter_attrs(p))
    ds.attrs.update(dt_ps=dt, seed=int(seed), noise=int(noise), integrator=integrator)
    return ds


def dimer_tensors(params, V):
    """The dimer's responses at each bias of ``V`` as full tensors, the form of
    :func:`dimer_core.spins.junction_spins.junction_tensors`: chi, dchi, noise (nb, 2, 2, 3, 3) (1/meV, 1/meV², ps)
    built by :func:`tensor` from the (i, DM, an) parts of :func:`~dimer_core.couplings.dimer.raw_map`, and spin
    (nb, 2, 3) = (that·⟨s_a⟩)·that."""
    p = _check(params)
    raw = raw_map(p, [p.mu_F], checked_axis("V", V))[0]
    that = p.vector("that")
    out = {}
    for kind in ("chi", "dchi", "noise"):
        out[kind] = np.stack([np.stack([tensor(*(raw[:, RAW_INDEX[f"{kind}_{a}{b}_{x}"]] for x in ("i", "DM", "an")),
                                               that) for b in (1, 2)], axis=1) for a in (1, 2)], axis=1)
    out["spin"] = np.stack([raw[:, RAW_INDEX[f"spin_{a}"]][:, None] * that for a in (1, 2)], axis=1)
    return out


def dimer_model(params, V, terms="full"):
    """The :class:`~dimer_core.spins.langevin.DimerSpinModel` (both spins free) at each bias of ``V``.

    The blocks are :func:`dimer_core.spins.junction_spins.llg_blocks` of :func:`dimer_tensors` (free sites 1, 2;
    X without the torque-free χ_aa^(i)·1 and without Q0, which the model adds).  ``terms = "paper"`` drops the
    self DMI-like responses χ_aa^(DM) and the W damping.
    """
    p = _check(params)
    h, q0 = bare_terms(p)
    t = dimer_tensors(p, V)
    spins = llg_blocks(t["chi"], t["dchi"], t["noise"], t["spin"], (1, 2), {}, np.stack([h, h]),
                       np.zeros((2, 3, 3)), p.Delta, p.S, p.vector("that"), terms)
    return DimerSpinModel(g=spins.g, Q0=q0, X=spins.X, alpha=spins.alpha, noise=spins.noise, hbar_s=spins.hbar_s,
                          kt=spins.kt)


def dimer_sweep(params, V, n_realizations=32, dt=None, t_burn=None, t_average=None, seed=0,
                progress=None, cancel=None, terms="full", calculus="boltzmann", integrator="heun"):
    """Both spins free: <m_1·m_2>, <m_1>, <m_2> against V, with standard errors.

    Time scales default to those of the pinned problem at the same biases, with a
    step that also resolves the dimer's own rates.  ``calculus``: see
    :data:`dimer_core.spins.drift.CALCULI`; ``integrator``: see :data:`dimer_core.spins.integrators.INTEGRATORS`;
    ``outside_validity`` as in :func:`langevin_sweep`.
    """
    p = _check(params)
    V = checked_axis("V", V)
    spins, dt, (n_burn, n_avg) = _dimer_plan(p, V, dt, t_burn, t_average, terms, calculus, integrator)
    mean, err = ensemble(spins, n_realizations, dt, n_burn, n_avg, seed=seed, progress=progress, cancel=cancel,
                         calculus=calculus, integrator=integrator)
    data = {"m1_dot_m2": (mean[:, 6], "1", "mean relative orientation <m_1·m_2>"),
            "m1_dot_m2_err": (err[:, 6], "1", "standard error of <m_1·m_2>")}
    for s in range(2):
        for i, x in enumerate("xyz"):
            data[f"m{s + 1}_{x}"] = (mean[:, 3 * s + i], "1", f"<m_{s + 1}> {x} component")
            data[f"m{s + 1}_{x}_err"] = (err[:, 3 * s + i], "1", f"standard error of <m_{s + 1}> {x}")
    flags, notes = validity_data(*spins.validity(), V)
    data.update(flags)
    return _dataset(V, data, p, method="langevin-dimer", dt_ps=dt, t_burn_ps=n_burn * dt,
                    t_average_ps=n_avg * dt, n_realizations=int(n_realizations), seed=int(seed), terms=terms,
                    calculus=calculus, integrator=integrator, validity=notes)


def _dimer_plan(p, V, dt, t_burn, t_average, terms, calculus, integrator):
    """The spins of :func:`dimer_sweep`, its time step and (burn-in, averaging) steps; refuses unknown
    ``calculus`` and ``integrator`` names before any work."""
    calculus_flag(calculus)
    integrator_code(integrator)
    pinned, _ = pinned_model(p, V, terms)
    spins = dimer_model(p, V, terms).spins()
    dt, t_burn, t_average = time_scales(pinned, dt, t_burn, t_average, calculus, others=(spins,))
    return spins, dt, step_counts(dt, t_burn, t_average)


def estimate_seconds(sweep, params, V, n_realizations=32, dt=None, t_burn=None, t_average=None, terms="full",
                     calculus="boltzmann", integrator="heun"):
    """How long ``sweep(params, V, n_realizations, ...)`` will take (s, warm numba cache), before it runs.

    ``sweep`` is :func:`langevin_sweep` or :func:`dimer_sweep`, and the other arguments are the ones it
    would get.  The time step and step counts are the sweep's own (:func:`time_scales`); the time per step
    is measured by advancing the same trajectories a few steps (:func:`~dimer_core.spins.langevin.ensemble_seconds`,
    about 0.05 s on 2 quiet cores), so the estimate holds for this machine and its present load.

    Examples
    --------
    >>> from dimer_core import preset
    >>> import numpy as np
    >>> s = estimate_seconds(dimer_sweep, preset("weak-soc"), np.linspace(-6, 6, 25), n_realizations=16)
    >>> s > 10    # 25 biases x 16 trajectories x 400 000 steps of both spins: about 80 s on 2 quiet cores
    True
    """
    p, V = _check(params), checked_axis("V", V)
    if sweep is langevin_sweep:
        spins, _, dt, (n_burn, n_avg) = _langevin_plan(p, V, dt, t_burn, t_average, terms, calculus, integrator)
    elif sweep is dimer_sweep:
        spins, dt, (n_burn, n_avg) = _dimer_plan(p, V, dt, t_burn, t_average, terms, calculus, integrator)
    else:
        raise ValueError(f"sweep = {getattr(sweep, '__name__', sweep)!r} has no estimate; allowed: langevin_sweep, "
                         "dimer_sweep")
    return ensemble_seconds(spins, n_realizations, n_burn + n_avg, dt, calculus, integrator=integrator)


SPINS = ("pinned", "both")
"""``pinned``: spin 2 free with m_1 pinned (paper Sec. IV); ``both``: both spins free."""


def _labelled(ds, p, valid, reasons, **attrs):
    """``ds`` (on V) with ``outside_validity``, the parameters and ``attrs`` (validity notes included)."""
    ds, notes = with_validity(ds, valid, reasons)
    ds.attrs.update(parameter_attrs(p, exclude=("V",)))
    ds.attrs.update(attrs, validity=notes)
    return ds


def modes_sweep(params, V, spins="pinned", terms="full", f_ghz=None, rf_axis=(1.0, 0.0, 0.0), progress=None,
                cancel=None):
    """ESR/FMR lines against V at the parameters' mu_F: the stationary states of the noiseless LLG, their
    modes' frequencies and linewidths (GHz), Q and stability, followed along V (:func:`dimer_core.spins.modes.mode_sweep`).

    ``spins``: see :data:`SPINS`; ``terms``: :data:`TERMS`; with ``f_ghz`` also the absorption Im χ(f) for an
    rf field along ``rf_axis``.  A static field to place the line is the parameter ``h``.  Biases outside the
    model's validity (:func:`~dimer_core.spins.langevin.validity`) are NaN, with ``outside_validity`` and the reasons
    in ``attrs["validity"]``.  ``progress``, ``cancel``: :mod:`dimer_core.progress` (per bias).
    """
    from ..spins.modes import mode_sweep

    if spins not in SPINS:
        raise ValueError(f"spins = {spins!r} is not known; allowed: {', '.join(SPINS)}")
    p = _check(params)
    V = checked_axis("V", V)
    model = pinned_model(p, V, terms)[0].spins() if spins == "pinned" else dimer_model(p, V, terms).spins()
    valid, reasons = model.validity()
    ds = mode_sweep(model, V, valid=valid, f_ghz=f_ghz, rf_axis=rf_axis, progress=progress, cancel=cancel)
    return _labelled(ds, p, valid, reasons, method="linear-modes", spins=spins, terms=terms)


def modes_seconds(params, V, spins="pinned", terms="full"):
    """About how long :func:`modes_sweep` ``(params, V, spins, terms)`` takes (s): the sweep at five biases spread
    over ``V`` (after one untimed, which loads the compiled kernels), timed and scaled to all
    (:func:`dimer_core.studies.timing.sampled_seconds`; both spins free: about 15 s for the dashboard's 25
    biases on 2 busy cores, README "ESR lines")."""
    return sampled_seconds(lambda v: modes_sweep(params, v, spins=spins, terms=terms), V, probes=5, warm=True)


def _switching_model(params, V, spins, terms, integrator):
    """(params, V, SpinModel, valid, reasons, dt) of the rates and the telegraph trace of ``spins`` (checked)."""
    if spins not in SPINS:
        raise ValueError(f"spins = {spins!r} is not known; allowed: {', '.join(SPINS)}")
    integrator_code(integrator)
    p = _check(params)
    V = checked_axis("V", V)
    pinned, _ = pinned_model(p, V, terms)
    model = pinned.spins() if spins == "pinned" else dimer_model(p, V, terms).spins()
    valid, reasons = model.validity()
    dt = time_scales(pinned, others=(model,) if spins == "both" else ())[0]
    return p, V, model, valid, reasons, dt


def _spin_two(ds, spins):
    """``ds`` with its components named m2_x, m2_y, m2_z when the free spin is spin 2 (``spins="pinned"``), as in
    :func:`spectral_rates_sweep` (the spin models number their free spins from 1)."""
    return ds.assign_coords(component=["m2_x", "m2_y", "m2_z"]) if spins == "pinned" else ds


def rates_sweep(params, V, spins="both", terms="full", t_total=None, n_trajectories=2, min_switches=20, core=0.5,
                seed=0, progress=None, cancel=None, integrator="heun"):
    """Switching rates between the stable states against V at the parameters' mu_F, by Langevin counting
    (:func:`dimer_core.spins.rates.switching_rates`; states from :func:`dimer_core.spins.modes.stationary_states`).

    ``t_total`` (ps per trajectory): if None, a pilot run of 1/20 of the step budget
    (:data:`MAX_RUN_STEPS`) sets it to give about ``min_switches`` dwells per basin, within the budget; a bias
    whose pilot shows no switch is refused with the lower bound it implies.  ``enough`` marks the biases where
    every basin has ``min_switches`` dwells.  Biases with fewer than two stable states have no rates (NaN).
    ``integrator``: see :data:`dimer_core.spins.integrators.INTEGRATORS`.
    """
    from ..spins.switching import counted_rates

    p, V, model, valid, reasons, dt = _switching_model(params, V, spins, terms, integrator)
    ds = _spin_two(counted_rates(model, V, dt, valid, t_total, n_trajectories, min_switches, core, seed,
                                 progress=progress, cancel=cancel, integrator=integrator), spins)
    return _labelled(ds, p, valid, reasons, method="langevin-switching", spins=spins, terms=terms,
                     integrator=integrator)


def spectral_rates_sweep(params, V, terms="full", L=32, tolerance=1e-3, unconverged="raise", progress=None,
                         cancel=None, compare=True):
    """Switching rates of spin 2 (m_1 pinned) against V from the spectrum of its Fokker–Planck operator in
    spherical harmonics up to degree ``L`` (:func:`dimer_core.spins.fp_spectrum.spectral_rates`, docs/rates.md),
    between the two stable states of :func:`dimer_core.spins.modes.stationary_states`: a Dataset on (V, basin) with
    the rate out of each basin (1/ns), the mean dwell 1/rate (ps), the population, and per bias λ₁ (1/ns) and
    the relative change of λ₁ from degree L − 4.  Biases without exactly two stable states, or whose slowest
    relaxation is not a switching (no barrier: ``attrs["no_switching"]`` says why), are NaN; a bias
    where λ₁ has not converged to ``tolerance`` is refused (ValueError naming it and ``L``), or with
    ``unconverged="nan"`` left NaN with its ``convergence`` (what a study keeps; the reason in
    ``attrs["no_switching"]``).  ``progress``, ``cancel``: :mod:`dimer_core.progress` (per bias; a stop between
    biases raises :class:`~dimer_core.progress.Cancelled`).  ``compare``: also the rates of the conservative
    dynamics, their Kramers–Langer limit and the core-to-core rates Langevin counting measures
    (:func:`dimer_core.spins.switching.spectral_rates_along`; about 1.5 s more a bias)."""
    from ..spins.switching import spectral_rates_along

    p = _check(params)
    V = checked_axis("V", V)
    model = pinned_model(p, V, terms)[0].spins()
    valid, reasons = model.validity()
    ds = spectral_rates_along(model, V, valid, ["m2_x", "m2_y", "m2_z"], L, tolerance, unconverged, compare,
                              progress=progress, cancel=cancel)
    return _labelled(ds, p, valid, reasons, method="fokker-planck-spectrum", spins="pinned", terms=terms)


def rates_seconds(params, V, spins="both", terms="full", n_trajectories=2, integrator="heun"):
    """The most :func:`rates_sweep` (with ``t_total`` chosen by its pilot run) can take (s, warm numba cache).

    At each bias the sweep runs a pilot of ``MAX_RUN_STEPS // 20`` steps and then at most
    :data:`MAX_RUN_STEPS` steps shared by the ``n_trajectories`` trajectories; the time per step is measured
    on this machine (one trajectory of 20 000 steps), so the estimate holds under the machine's present load.
    Every bias within the model's validity is counted: those with fewer than two stable states are skipped by
    the run (finding the states would cost seconds here), and biases whose pilot shows many switches take
    about a tenth of the budget.  0 when no bias is within the model's validity
    (:func:`dimer_core.studies.timing.counted_seconds`).
    """
    _, _, model, valid, _, dt = _switching_model(params, V, spins, terms, integrator)
    return counted_seconds(model, valid, dt, integrator)


def telegraph(params, V, t_total, spins="both", terms="full", core=0.5, seed=0, integrator="heun"):
    """The basin the spins are in against time at one bias V (mV), over ``t_total`` ps of one Langevin run
    (:func:`dimer_core.spins.rates.telegraph_trace`, by ``integrator``: see :data:`dimer_core.spins.integrators.INTEGRATORS`),
    with the stable states as ``attrs["states"]``; refused where the bias has fewer than two stable states or is
    outside the model's validity."""
    from ..spins.switching import telegraph_at

    p, V, model, valid, reasons, dt = _switching_model(params, [V], spins, terms, integrator)
    ds = _spin_two(telegraph_at(model, V[0], dt, t_total, valid[0], reasons[0], core, seed,
                                integrator=integrator), spins)
    ds.attrs.update(parameter_attrs(p, exclude=("V",)))
    ds.attrs.update(spins=spins, terms=terms)
    return ds

__all__ = ["MAX_STEPS", "MAX_RUN_STEPS", "FP_OUTPUTS", "LANGEVIN_OUTPUTS", "tensor", "fp_sweep", "current_sweep",
           "pinned_model", "time_scales", "step_counts", "validity_data", "with_validity", "langevin_sweep", "torque_parts",
           "reversal_path", "dimer_tensors", "dimer_model", "dimer_sweep", "estimate_seconds", "SPINS", "modes_sweep",
           "modes_seconds", "rates_sweep", "spectral_rates_sweep", "rates_seconds", "telegraph"]
