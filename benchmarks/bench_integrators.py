"""The two Langevin integrators side by side: cost per step and weak error, so a user can pick.

Run: ``.venv/bin/python benchmarks/bench_integrators.py`` (about two minutes; one thread).

* CPU seconds of one thread (``NUMBA_NUM_THREADS=1``, :func:`time.thread_time`) per 10⁶ spin-steps (a time
  step of one spin; a step of the pair counts 2), for ``heun`` and ``midpoint`` at n = 1 (the pinned spin,
  weak SOC at V = 2 mV) and n = 2 (both spins free, same bias), median of 5 runs interleaved so that both
  see the same load, and the ratio midpoint/heun measured in the same run;
* for one spin, what the n-spin kernels (:func:`~dimer_core.spins.integrators.heun_steps`, ``midpoint_steps``)
  cost against the register-held one-spin copies they replaced (benchmarks/one_spin_previous.py, the code of
  560da54), one trajectory of 10⁶ steps each, median of 5;
* the weak error at the default step of :func:`dimer_core.studies.sweeps.time_scales` for the same model, on two
  references that share no code with the engine: E[m_z(2 ps)] of the axially symmetric spin with a W part
  (tests/axial_spin.py, Fokker–Planck) and the stationary <m_1·m_2> of the nonlocal-damping pair
  (coth(x) − 1/x), with standard errors.
"""
import os

os.environ["NUMBA_NUM_THREADS"] = "1"  # before numba is imported

import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import dimer_core as dc  # noqa: E402
from dimer_core.studies import sweeps  # noqa: E402
from dimer_core.spins.integrators import INTEGRATORS, heun_steps, midpoint_steps  # noqa: E402
from dimer_core.spins.langevin import PinnedSpinModel, SpinModel, ensemble, psd_sqrt  # noqa: E402
from dimer_core.spins.rng import seed_state  # noqa: E402
from tests.axial_spin import mean_mz  # noqa: E402
from one_spin_previous import heun_one, midpoint_one  # noqa: E402

HS = dc.units.HBAR * 2.5


def cpu_seconds(fn):
    start = time.thread_time()
    fn()
    return time.thread_time() - start


def cost_per_million(models, n_traj=64, n_steps=4000, repeats=5):
    """{(n, integrator): median CPU s per 10⁶ spin-steps} for models {n: (SpinModel, dt)}."""
    samples = {(n, i): [] for n in models for i in INTEGRATORS}
    for (n, integrator) in samples:  # compile or load the kernels first
        ensemble(models[n][0], 2, models[n][1], 0, 10, integrator=integrator)
    for _ in range(repeats):
        for (n, integrator), times in samples.items():
            model, dt = models[n]
            steps = n_steps // n
            t = cpu_seconds(lambda: ensemble(model, n_traj, dt, 0, steps, seed=1, integrator=integrator))
            times.append(t / (n_traj * steps * n) * 1e6)
    return {k: statistics.median(v) for k, v in samples.items()}


def kernel_cost(model, dt, n_steps=1_000_000, repeats=5):
    """{kernel name: median CPU s per 10⁶ steps} of one spin's trajectory through each kernel."""
    args = (dt, model.g[0], model.X[0], model.alpha[0], psd_sqrt(model.noise)[0], model.noise[0])
    kernels = {"heun_one": (heun_one, float(model.kt[0, 0])), "heun_steps": (heun_steps, model.kt[0]),
               "midpoint_one": (midpoint_one, float(model.kt[0, 0])), "midpoint_steps": (midpoint_steps, model.kt[0])}
    samples = {name: [] for name in kernels}

    def run(kernel, kt, steps):
        kernel(np.array([0.0, 0.6, 0.8]), steps, *args, kt, 1.0 / model.hbar_s, True, np.zeros(3), False,
               seed_state(1))

    for kernel, kt in kernels.values():
        run(kernel, kt, 10)
    for _ in range(repeats):
        for name, (kernel, kt) in kernels.items():
            samples[name].append(cpu_seconds(lambda: run(kernel, kt, n_steps)) / n_steps * 1e6)
    return {k: statistics.median(v) for k, v in samples.items()}


def axial_error(integrator, dt, n_traj=400_000, t_end=2.0):
    h, kt, a, w = 2.0, 1.0, 0.5, 0.5
    wm = np.array([[0.0, 1.0, 0.0], [-1.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
    model = PinnedSpinModel(g=np.array([[0.0, 0.0, h]]), Q=np.zeros((1, 3, 3)), b_dm=np.zeros(1),
                            that=np.array([0.0, 0.0, 1.0]), alpha=(a * np.eye(3) + w * wm)[None],
                            noise=(2 * kt * HS * a * np.eye(3))[None], hbar_s=HS, kt=np.array([kt]))
    if dt is None:
        dt = sweeps.time_scales(model, t_burn=0.0, t_average=0.0)[0]
    n = max(1, int(round(t_end / dt)))
    mean, err = ensemble(model, n_traj, t_end / n, n - 1, 1, seed=1, m0=[1.0, 0.0, 0.0], integrator=integrator)
    return t_end / n, mean[0, 2] - mean_mz(h, kt, a, w, HS, t_end, 0.0), err[0, 2]


def pair_bias(integrator, dt, n_traj=256, t_average=800.0):
    alpha = np.kron(np.array([[0.97, 0.62], [0.62, 0.97]]), np.eye(3))
    x = np.kron(np.array([[0.0, -1.0], [-1.0, 0.0]]), np.eye(3))
    kt = 0.4
    model = SpinModel(g=np.zeros((1, 6)), X=x[None], alpha=alpha[None], noise=2 * kt * HS * alpha[None],
                      kt=np.full((1, 2), kt), hbar_s=HS)
    if dt is None:
        dt = min(np.minimum(*model.step_limits()))
    mean, err = ensemble(model, n_traj, dt, int(20 / dt), int(t_average / dt), seed=12, integrator=integrator)
    return dt, mean[0, 6] + (1 / np.tanh(1 / kt) - kt), err[0, 6]


def main():
    p = dc.preset("weak-soc", V=2.0)
    pinned, _ = sweeps.pinned_model(p, [2.0])
    both = sweeps.dimer_model(p, [2.0]).spins()
    dt = sweeps.time_scales(pinned, t_burn=0.0, t_average=0.0, others=(both,))[0]
    cost = cost_per_million({1: (pinned.spins(), dt), 2: (both, dt)})
    print("CPU s (one thread) per 1e6 spin-steps, median of 5, weak SOC at V = 2 mV, dt = %.3g ps" % dt)
    for n in (1, 2):
        h, m = cost[(n, "heun")], cost[(n, "midpoint")]
        print(f"  n = {n}: heun {h:.3f} s, midpoint {m:.3f} s, ratio midpoint/heun {m / h:.2f}")
    kernels = kernel_cost(pinned.spins(), dt)
    print("one spin, CPU s per 1e6 steps of one trajectory: the copies of before, heun_one %.3f, midpoint_one %.3f; "
          "the n-spin kernels, heun_steps %.3f (x%.2f), midpoint_steps %.3f (x%.2f)" % (
              kernels["heun_one"], kernels["midpoint_one"], kernels["heun_steps"], kernels["heun_steps"] / kernels["heun_one"],
              kernels["midpoint_steps"], kernels["midpoint_steps"] / kernels["midpoint_one"]))
    print("weak error at the default step (reference - none shares code with the engine):")
    for integrator in INTEGRATORS:
        axial_dt, e, s = axial_error(integrator, None)
        print(f"  {integrator:8s} axial spin with W part, E[m_z(2 ps)] - FP: {e:+.4f} +- {s:.4f} "
              f"at dt = {axial_dt:.3g} ps")
        pair_dt, e, s = pair_bias(integrator, None)
        print(f"  {integrator:8s} nonlocal pair, <m1.m2> - exact:          {e:+.4f} +- {s:.4f} "
              f"at dt = {pair_dt:.3g} ps")
    print("weak error at dt = 0.2 ps (above the statistical error), and scaled to the default step by order 1:")
    for integrator in INTEGRATORS:
        _, e, s = axial_error(integrator, 0.2)
        _, b, sb = pair_bias(integrator, 0.2)
        print(f"  {integrator:8s} axial {e:+.4f} +- {s:.4f} (x dt/0.2 at the default step: {e * axial_dt / 0.2:+.5f}), "
              f"pair {b:+.4f} +- {sb:.4f} ({b * pair_dt / 0.2:+.5f})")


if __name__ == "__main__":
    main()
