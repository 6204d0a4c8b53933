"""Switching between stable states: dwell times and rates from Langevin runs, and the uniaxial spin's exact
mean first-passage time and Brown's high-barrier rate as an independent route (docs/rates.md).

Counting.  A trajectory m(t) is labelled by the core it was last in: the set of states within ``core`` (rad,
each spin) of a stable state of the noiseless dynamics (:func:`dimer_core.spins.modes.stationary_states`).  A dwell
in basin i runs from entering core i to entering another core; the first and last dwells of a trajectory are
cut (censored).  For a Markovian escape the dwells are exponential, so the mean dwell τ_i of n events has
the exact confidence interval 2nτ̂/χ²_{2n}(1 ∓ c)/2 (chi-square with 2n degrees of freedom); the rate out of
basin i is 1/τ_i.

Exact route (one spin, E = −K m_z², isotropic damping α, k_BT): the dynamics of z = m_z is a diffusion
(Brown 1963) with 2τ_N ∂P/∂t = ∂_z[(1 − z²)(∂_z P + βE'(z) P)], τ_N = ħS(1 + α²)/(2αk_BT) (the angular
diffusion constant on the sphere is αk_BT/ħS(1 + α²) = 1/2τ_N), so the mean time to go from the core
z ≤ −z_c to the other, z = +z_c, reflecting at −1, is

    T = 2τ_N ∫_{−z_c}^{z_c} dz e^{βE(z)}/(1 − z²) ∫_{−1}^{z} e^{−βE(y)} dy,

and for σ = K/k_BT ≫ 1 (Laplace's method on both integrals) T → τ_N √π σ^{−3/2} e^{σ}: Brown's escape rate
k = σ^{3/2} e^{−σ}/(√π τ_N) out of one well (his relaxation time τ_N(√π/2)σ^{−3/2}e^{σ} is 1/2k).
"""
import math

import numpy as np
import xarray as xr
from scipy import integrate, stats

from .langevin import trajectory

__all__ = ["basin_labels", "dwell_times", "mean_dwell", "uniaxial_mean_passage_time", "brown_rate",
           "switching_rates", "telegraph_trace"]


def basin_labels(m, centres, core):
    """For states m (k, 3n) the index of the core each was last in (−1 before the first), cores being the
    states within ``core`` rad of a centre (c, 3n) for every spin."""
    m = np.asarray(m, dtype=float)
    centres = np.asarray(centres, dtype=float)
    n = m.shape[1] // 3
    cos_core = math.cos(core)
    inside = np.ones((m.shape[0], centres.shape[0]), dtype=bool)
    for a in range(n):
        block = slice(3 * a, 3 * a + 3)
        inside &= m[:, block] @ centres[:, block].T >= cos_core
    hit = np.where(inside.any(axis=1), inside.argmax(axis=1), -1)
    last = np.where(hit >= 0, np.arange(hit.size), -1)
    np.maximum.accumulate(last, out=last)
    return np.where(last >= 0, hit[np.maximum(last, 0)], -1)


def dwell_times(times, labels, nbasins):
    """Complete dwells (ps) in each basin: a list of arrays, the first and last (censored) dwells dropped."""
    labels = np.asarray(labels)
    start = np.flatnonzero(labels >= 0)
    out = [[] for _ in range(nbasins)]
    if start.size == 0:
        return [np.array(x) for x in out]
    lab, t = labels[start[0]:], np.asarray(times)[start[0]:]
    change = np.flatnonzero(np.diff(lab)) + 1
    entries = np.concatenate([[0], change])
    for i in range(1, entries.size - 1) if entries.size > 2 else ():
        out[lab[entries[i]]].append(t[entries[i + 1]] - t[entries[i]])
    return [np.array(x) for x in out]


def mean_dwell(dwells, confidence=0.95):
    """(mean, low, high) of exponential dwells (ps): the chi-square interval of the mean; NaN without events."""
    n = len(dwells)
    if n == 0:
        return math.nan, math.nan, math.nan
    mean = float(np.mean(dwells))
    lo_q, hi_q = stats.chi2.ppf([0.5 + 0.5 * confidence, 0.5 - 0.5 * confidence], 2 * n)
    return mean, 2 * n * mean / lo_q, 2 * n * mean / hi_q


def uniaxial_mean_passage_time(k_easy, kt, alpha, hbar_s, z_core):
    """Exact mean time (ps) from the core z ≤ −z_core to z = +z_core for E = −K z² (module docstring)."""
    tau_n = hbar_s * (1.0 + alpha * alpha) / (2.0 * alpha * kt)
    beta = 1.0 / kt

    def inner(z):
        return integrate.quad(lambda y: math.exp(beta * k_easy * (y * y - z * z)), -1.0, z, epsabs=0,
                              epsrel=1e-12, limit=200)[0]

    value = integrate.quad(lambda z: inner(z) / (1.0 - z * z), -z_core, z_core, epsabs=0, epsrel=1e-10,
                           limit=200)[0]
    return 2.0 * tau_n * value


def brown_rate(k_easy, kt, alpha, hbar_s):
    """Brown's high-barrier escape rate (1/ps) out of one well of E = −K m_z² (module docstring)."""
    sigma = k_easy / kt
    tau_n = hbar_s * (1.0 + alpha * alpha) / (2.0 * alpha * kt)
    return sigma ** 1.5 * math.exp(-sigma) / (math.sqrt(math.pi) * tau_n)


def _overall(progress, done, runs, label):
    """``progress`` of one trajectory (fraction of its steps) as the fraction of ``runs`` trajectories, ``done``
    of them before it; None if ``progress`` is."""
    if progress is None:
        return None
    return lambda fraction, message="": progress((done + fraction) / runs, f"{label}: {message}" if message else label)


def switching_rates(spins, V, states, dt, t_total, n_trajectories=2, core=0.5, every=10, seed=0,
                    min_switches=20, progress=None, cancel=None, integrator="heun"):
    """Dwell times and switching rates between the stable states at each bias, by Langevin counting.

    ``spins``: a :class:`~dimer_core.spins.langevin.SpinModel` (one bias per entry of V, mV); ``states``: per bias a
    list of stable states (3n,) (e.g. :func:`dimer_core.spins.modes.stationary_states`); ``t_total`` (ps) per
    trajectory, ``n_trajectories`` independent ones from each state in turn; m is sampled every ``every``
    steps of ``dt`` (ps).  Returns an :class:`xarray.Dataset` on (V, basin): the basin's state, its number of
    complete dwells, mean dwell (ps) with a 95 % interval, the rate 1/τ (1/ns), and ``enough`` where every
    basin of the bias has at least ``min_switches`` dwells.  ``integrator``: the scheme of
    :func:`~dimer_core.spins.langevin.trajectory` (:data:`dimer_core.spins.integrators.INTEGRATORS`).
    """
    V = np.asarray(V, dtype=float)
    nb_max = max((len(s) for s in states), default=0) or 1
    d = 3 * spins.nspins
    centre = np.full((V.size, nb_max, d), np.nan)
    count = np.zeros((V.size, nb_max), dtype=int)
    mean, low, high = (np.full((V.size, nb_max), np.nan) for _ in range(3))
    n_steps = int(round(t_total / dt))
    n_steps -= n_steps % every
    runs = n_trajectories * sum(len(x) >= 2 for x in states)  # trajectories to integrate, for the progress
    done = 0
    for k in range(V.size):
        basins = np.asarray(states[k], dtype=float).reshape(-1, d)
        if basins.shape[0] < 2:
            if basins.shape[0]:
                centre[k, 0] = basins[0]
            continue
        dwells = [[] for _ in range(basins.shape[0])]
        for r in range(n_trajectories):
            start = basins[r % basins.shape[0]]
            times, path = trajectory(spins, k, start, dt, n_steps, every=every, seed=seed + 7919 * r + 104729 * k,
                                     progress=_overall(progress, done, runs, f"V = {V[k]:g} mV, trajectory {r + 1} of "
                                                       f"{n_trajectories}"), cancel=cancel, integrator=integrator)
            done += 1
            for i, x in enumerate(dwell_times(times, basin_labels(path, basins, core), basins.shape[0])):
                dwells[i].extend(x)
        centre[k, :basins.shape[0]] = basins
        for i, x in enumerate(dwells):
            count[k, i] = len(x)
            mean[k, i], low[k, i], high[k, i] = mean_dwell(x)
    comps = [f"m{a + 1}_{x}" for a in range(spins.nspins) for x in "xyz"]
    exists = np.isfinite(centre[..., 0])
    enough = np.where(exists, count >= min_switches, True).all(axis=1) & (exists.sum(axis=1) >= 2)
    return xr.Dataset(
        {"m": (("V", "basin", "component"), centre, {"units": "1", "description": "the basin's stable state"}),
         "n_dwells": (("V", "basin"), count, {"units": "1", "description": "complete dwells counted"}),
         "dwell": (("V", "basin"), mean, {"units": "ps", "description": "mean dwell time"}),
         "dwell_low": (("V", "basin"), low, {"units": "ps", "description": "95 % interval, lower end"}),
         "dwell_high": (("V", "basin"), high, {"units": "ps", "description": "95 % interval, upper end"}),
         "rate": (("V", "basin"), 1e3 / mean, {"units": "1/ns", "description": "switching rate out of the basin"}),
         "enough": ("V", enough, {"units": "1", "description": f"every basin has >= {min_switches} dwells"})},
        coords={"V": ("V", V, {"units": "mV", "long_name": "bias voltage"}), "basin": np.arange(nb_max),
                "component": comps},
        attrs={"dt_ps": dt, "t_total_ps": n_steps * dt, "n_trajectories": n_trajectories, "core_rad": core,
               "seed": seed, "integrator": integrator})


def telegraph_trace(spins, index, states, dt, t_total, core=0.5, every=10, seed=0, integrator="heun"):
    """One Langevin trajectory at bias ``index`` from the first of ``states`` (stable states (3n,)), labelled by
    the basin it was last in (:func:`basin_labels`): an :class:`xarray.Dataset` on time (ps) with ``basin``
    (−1 before the first core) and ``m`` (time, component).  This is the state a telegraph signal would read;
    the current it modulates (first order in Δ) is added by
    :func:`dimer_core.studies.junction_lines.junction_telegraph`.  ``integrator``: as in :func:`switching_rates`."""
    basins = np.asarray(states, dtype=float).reshape(-1, 3 * spins.nspins)
    n_steps = int(round(t_total / dt))
    n_steps -= n_steps % every
    times, path = trajectory(spins, index, basins[0], dt, n_steps, every=every, seed=seed, integrator=integrator)
    comps = [f"m{a + 1}_{x}" for a in range(spins.nspins) for x in "xyz"]
    return xr.Dataset({"basin": ("time", basin_labels(path, basins, core), {"units": "1"}),
                       "m": (("time", "component"), path, {"units": "1"})},
                      coords={"time": ("time", times, {"units": "ps"}), "component": comps},
                      attrs={"dt_ps": dt, "core_rad": core, "seed": seed, "integrator": integrator})
