"""How long a sweep will take, before it runs (seconds of wall time on this machine, at its present load).

* :func:`timed` — a call's result and its wall time.
* :func:`sampled_seconds` — a sweep over V timed at one or a few biases and scaled to all of them (about: the
  biases of a sweep cost alike within a factor of a few; the ESR lines, the Fokker–Planck rates).
* :func:`counted_seconds` — the most a Langevin-counted rates sweep can take: its pilot and its step budget at
  every bias within the model's validity, at the time per step of one probe trajectory.

The dashboard shows these before a run longer than ``dashboard.controls.LONG_RUN`` and asks first.  They are
measured, not assumed, so they hold under the machine's load; their bookkeeping is tested with a pinned clock
(tests/test_timing.py), their accuracy against measured runs is ``benchmarks/bench_estimate.py``'s.
"""
import time

import numpy as np

from ..spins.langevin import MAX_RUN_STEPS, trajectory

__all__ = ["PROBE_STEPS", "timed", "probe_indices", "sampled_seconds", "counted_seconds"]

PROBE_STEPS = 20_000
"""Steps of the probe trajectory of :func:`counted_seconds` (about 0.1 s of one free spin)."""


def timed(work):
    """(``work()``, its wall time in s)."""
    start = time.perf_counter()
    result = work()
    return result, time.perf_counter() - start


def probe_indices(V, probes=1):
    """The biases a sweep over ``V`` is timed at: the middle of each of ``probes`` equal parts of V (the middle
    bias for one probe).  Not the ends: the cost of a bias varies along V (both spins' modes: 0.2–1.4 s), and a
    stratified sample follows it better (five probes: 13 s estimated for a 15 s run, where the ends and the middle
    gave 10 s)."""
    n = np.asarray(V).size
    probes = min(probes, n)
    return sorted({int(round((i + 0.5) * n / probes - 0.5)) for i in range(probes)})


def sampled_seconds(run, V, probes=1, warm=False):
    """About how long ``run(V)`` takes (s): ``run`` at each bias :func:`probe_indices` picks, timed, their mean
    times the number of biases.

    ``run`` takes an array of biases (mV) and does the sweep's work there (its result is dropped).  With ``warm``,
    the first probe is first run once untimed: the first call of a process loads numba's compiled kernels from
    the cache (about 4 s for both spins' modes), which the sweep pays once, not at every bias.  The estimate so
    costs ``probes`` (+1) biases of the sweep.
    """
    V = np.atleast_1d(np.asarray(V, dtype=float))
    ks = probe_indices(V, probes)
    if warm:
        run(V[ks[0]:ks[0] + 1])
    return float(np.mean([timed(lambda: run(V[k:k + 1]))[1] for k in ks])) * V.size


def counted_seconds(model, valid, dt, integrator="heun"):
    """The most a Langevin-counted rates sweep (:func:`dimer_core.spins.switching.counted_rates` with a pilot-chosen
    run length) of ``model`` can take (s): at each bias where ``valid``, a pilot of ``MAX_RUN_STEPS // 20`` steps and
    at most :data:`~dimer_core.spins.langevin.MAX_RUN_STEPS` steps shared by the trajectories, at the time per step
    of one probe trajectory of :data:`PROBE_STEPS` steps of ``dt`` (ps) at the first valid bias.  0 when no bias is
    valid."""
    valid = np.flatnonzero(valid)
    if valid.size == 0:
        return 0.0
    start = np.tile([0.0, 0.0, 1.0], model.nspins)  # the cost of a step does not depend on the state
    trajectory(model, valid[0], start, dt, 100, every=10, integrator=integrator)  # compiled before timing
    seconds = timed(lambda: trajectory(model, valid[0], start, dt, PROBE_STEPS, every=10, integrator=integrator))[1]
    return seconds / PROBE_STEPS * (MAX_RUN_STEPS + MAX_RUN_STEPS // 20) * valid.size
