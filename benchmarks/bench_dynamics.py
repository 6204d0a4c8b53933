"""Speed of the spin dynamics: prints medians and ratios to a NumPy baseline.

Run: ``.venv/bin/python benchmarks/bench_dynamics.py`` (about a minute on 2 cores).

* Fokker–Planck sweep of 201 bias points after the couplings (target < 50 ms),
  :func:`dimer_core.spins.pinned.fp_sweep_values`, and its ratio to the previous route (a
  Python loop over biases, ``fp_previous.py``) measured in the same run;
* Langevin throughput in spin-steps per second (target > 2e7), the same read as
  plain Stratonovich (what the noise-induced drift of docs/stochastic.md costs), and
  the ratio to a straightforward NumPy implementation of the Heun–Stratonovich step
  (without that drift, so the ratio is conservative), vectorised over trajectories,
  measured in the same run;
* the throughput with both spins free (the dimer's 6 × 6 LLG); with the one-spin figure it is
  :data:`dimer_core.spins.langevin.STEPS_PER_SECOND` (quiet machine), which sizes the probe of
  :func:`dimer_core.studies.sweeps.estimate_seconds`;
* the wall time of the default Fig. 4 Langevin sweep (41 biases, 16 realizations), beside its estimate.
"""
import os
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import dimer_core as dc  # noqa: E402
import fp_previous  # noqa: E402
from dimer_core.studies import sweeps  # noqa: E402
from dimer_core.couplings.dimer import named_map  # noqa: E402
from dimer_core.spins.langevin import STEPS_PER_SECOND, ensemble, psd_sqrt  # noqa: E402
from dimer_core.spins.pinned import fp_sweep_values  # noqa: E402


def median_time(fn, repeats):
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def numpy_heun(model, b, n_traj, dt, n_steps, seed=0):
    """The same Heun–Stratonovich step, vectorised over trajectories with NumPy."""
    rng = np.random.default_rng(seed)
    m = rng.normal(size=(n_traj, 3))
    m /= np.linalg.norm(m, axis=1, keepdims=True)
    g, q, bdm, that, alpha = model.g[b], model.Q[b], model.b_dm[b], model.that, model.alpha[b]
    noise = psd_sqrt(model.noise)[b]
    eye = np.eye(3)

    def rate(m, xi):
        field = g - 2 * m @ q + xi + bdm * np.cross(m, that)
        rhs = np.cross(m, field) / model.hbar_s
        cross = np.zeros((m.shape[0], 3, 3))
        cross[:, 0, 1], cross[:, 0, 2], cross[:, 1, 2] = -m[:, 2], m[:, 1], -m[:, 0]
        cross -= np.swapaxes(cross, 1, 2)
        return np.linalg.solve(eye + cross @ alpha, rhs[..., None])[..., 0]

    for _ in range(n_steps):
        xi = rng.normal(size=(n_traj, 3)) @ noise.T / np.sqrt(dt)
        k1 = rate(m, xi)
        mp = m + dt * k1
        mp /= np.linalg.norm(mp, axis=1, keepdims=True)
        m = m + 0.5 * dt * (k1 + rate(mp, xi))
        m /= np.linalg.norm(m, axis=1, keepdims=True)
    return m


def main():
    p = dc.preset("weak-soc")
    V = np.linspace(-5, 5, 201)
    c = {k: v[0] for k, v in named_map(p, [p.mu_F], V).items()}
    fp_omega = fp_sweep_values(p, c)[0]
    fp_gap = np.abs(fp_omega - fp_previous.fp_loop(p, c)).max()
    t_fp, t_fp_old = [], []
    for _ in range(5):  # interleaved, so that both see the same load
        t_fp.append(median_time(lambda: fp_sweep_values(p, c), 5))
        t_fp_old.append(median_time(lambda: fp_previous.fp_loop(p, c), 1))
    t_fp, t_fp_old = statistics.median(t_fp), statistics.median(t_fp_old)
    t_fp_total = median_time(lambda: sweeps.fp_sweep(p, V), 5)

    model, _ = sweeps.pinned_model(p, np.linspace(-5, 5, 8))
    dt = 0.005
    ensemble(model, 4, dt, 10, 10)
    n_real, n_steps = 256, 20_000
    t_run = median_time(lambda: ensemble(model, n_real, dt, 0, n_steps, seed=1), 3)
    rate = model.size * n_real * n_steps / t_run
    t_strat = median_time(lambda: ensemble(model, n_real, dt, 0, n_steps, seed=1, calculus="stratonovich"), 3)
    n_np_traj, n_np_steps = 2048, 200
    t_np = median_time(lambda: numpy_heun(model, 3, n_np_traj, dt, n_np_steps), 3)
    rate_np = n_np_traj * n_np_steps / t_np

    dimer = sweeps.dimer_model(p, np.linspace(-5, 5, 8)).spins()
    ensemble(dimer, 4, dt, 10, 10)
    n_dimer_steps = 5_000
    t_dimer = median_time(lambda: ensemble(dimer, n_real, 0.0005, 0, n_dimer_steps, seed=1), 3)
    rate_dimer = dimer.size * n_real * n_dimer_steps / t_dimer

    V41 = np.linspace(-5, 5, 41)
    t_fig4 = median_time(lambda: sweeps.langevin_sweep(p, V41, n_realizations=16), 1)
    t_fig4_estimate = sweeps.estimate_seconds(sweeps.langevin_sweep, p, V41, n_realizations=16)

    print("dimer_core dynamics benchmark (medians)")
    print(f"  Fokker-Planck sweep, 201 biases, after the couplings: {1e3 * t_fp:8.1f} ms   (target < 50 ms)")
    print(f"  previous route (Python loop over biases)             : {1e3 * t_fp_old:8.1f} ms   "
          f"ratio {t_fp_old / t_fp:.0f} x, max |Omega difference| {fp_gap:.1e}")
    print(f"  the same including the couplings (fp_sweep)         : {1e3 * t_fp_total:8.1f} ms")
    print(f"  Langevin throughput (numba, 2 cores)                 : {rate:10.3e} spin-steps/s (target > 2e7)")
    print(f"  the same read as plain Stratonovich (no drift c)     : {rate * t_run / t_strat:10.3e} spin-steps/s "
          f"(the noise-induced drift costs {t_run / t_strat:.2f} x)")
    print(f"  NumPy baseline (vectorised over {n_np_traj} trajectories) : {rate_np:10.3e} spin-steps/s")
    print(f"  ratio numba / NumPy                                  : {rate / rate_np:8.0f} x")
    print(f"  both spins free (6 x 6 LLG)                          : {rate_dimer:10.3e} trajectory-steps/s "
          f"(STEPS_PER_SECOND[2] = {STEPS_PER_SECOND[2]:.1e})")
    print(f"  default Fig. 4 Langevin sweep (41 biases, 16 real.)  : {t_fig4:8.1f} s "
          f"(estimated {t_fig4_estimate:.1f} s)")


if __name__ == "__main__":
    main()
