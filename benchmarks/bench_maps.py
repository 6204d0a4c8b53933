"""Speed of the coupling engine: prints medians over repeats and ratios to a baseline.

Run: ``.venv/bin/python benchmarks/bench_maps.py`` (about a minute on 2 cores).

Measured in one run:
* every quantity over a 201 × 201 mu_F × V map at T = 0 for a new electronic
  parameter set (target < 100 ms), after only the ranges change (< 10 ms), and at
  T = 10 K for a new set (< 1 s); the same at T = 1e-12 K … 300 K, as ratios to T = 10 K
  (issue 11: bounded at every T);
* one ``point``;
* the baseline: a straightforward per-point adaptive quadrature of the same
  integrands (``scipy.integrate.quad_vec`` over energy with the Fermi factors,
  same compiled integrand), timed on a few map points and scaled to the map;
* numba's compile time in a fresh process with a cold and a warm cache.
"""
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
from scipy.integrate import quad_vec

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import dimer_core as dc  # noqa: E402
from dimer_core.couplings import dimer as couplings  # noqa: E402
from dimer_core.electrons import energy_grid, response  # noqa: E402
from dimer_core.electrons.integrands import evaluate  # noqa: E402
from dimer_core.electrons.occupation import fermi  # noqa: E402
from dimer_core.electrons.response import _assemble, chemical_potentials  # noqa: E402
from dimer_core.electrons.integrands import TRANS  # noqa: E402
from dimer_core.units import E_OVER_H  # noqa: E402

MU_F = np.linspace(-6.0, 6.0, 201)
V = np.linspace(-12.0, 12.0, 201)


def median_time(fn, repeats):
    times = []
    for k in range(repeats):
        t = time.perf_counter()
        fn(k)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def baseline_point(p):
    """All raw responses at one bias point by scipy's adaptive quad_vec (T = 0)."""
    mu_l, mu_r = chemical_potentials(p.mu_F, p.V)

    def integrand(theta):
        f = evaluate(np.array([theta]), p)[0]
        e = -2 * p.te * np.cos(theta)
        occ = [float(fermi(e, mu_l, 0.0)[0]), float(fermi(e, mu_r, 0.0)[0])]
        noise_lr = (1 - occ[0]) * occ[1] + (1 - occ[1]) * occ[0]
        return np.concatenate([occ[0] * f, occ[1] * f, noise_lr * f, [(occ[0] - occ[1]) * f[TRANS]]])

    points = sorted(energy_grid.theta_of([mu_l, mu_r], p.te))
    total = 0.0
    edges = [0.0, *points, np.pi]
    for a, b in zip(edges[:-1], edges[1:]):
        if b > a:
            total = total + quad_vec(integrand, a, b, epsabs=1e-10, epsrel=1e-8, limit=2000)[0]
    n = evaluate(np.array([1.0]), p).shape[1]
    zero = np.zeros(n)
    return _assemble(total[:n], total[n:2 * n], [zero, zero, total[2 * n:3 * n]], E_OVER_H * total[-1])


def compile_times():
    code = ("import time; t=time.perf_counter(); import dimer_core as dc, numpy as np; "
            "dc.point(dc.preset('weak-soc', V=1.0)); dc.point(dc.preset('weak-soc', V=1.0, T=5.0)); "
            "dc.maps(dc.preset('weak-soc', T=5.0), np.linspace(-1,1,3), np.linspace(-1,1,3)); "
            "print(time.perf_counter()-t)")
    root = os.path.join(os.path.dirname(__file__), "..")
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache, PYTHONPATH=root)
        cold = float(subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                                    check=True).stdout)
        warm = float(subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                                    check=True).stdout)
    return cold, warm


def main():
    base = dc.preset("weak-soc")
    dc.maps(base, MU_F, V)                       # compile
    dc.maps(base.updated(T=10.0), MU_F[:5], V[:5])

    def new_set(k, T=0.0):
        couplings.clear_caches()
        dc.maps(base.updated(t0=2.0 + 1e-3 * k, T=T), MU_F, V)

    t_new = median_time(new_set, 9)
    dc.maps(base, MU_F, V)
    t_range = median_time(lambda k: dc.maps(base, MU_F + 0.01 * (k + 1), V - 0.02 * (k + 1)), 21)
    t_hot = median_time(lambda k: new_set(k, T=10.0), 5)
    t_temps = {T: median_time(lambda k: new_set(k, T=T), 3)
               for T in (1e-12, 1e-9, 1e-6, 1e-3, 1e-2, 0.1, 1.0, 100.0, 300.0)}
    t_point = median_time(lambda k: dc.point(base.updated(mu_F=0.3 + 1e-3 * k, V=2.0)), 21)
    t_point_T = median_time(lambda k: dc.point(base.updated(mu_F=0.3 + 1e-3 * k, V=2.0, T=10.0)), 9)

    sample = [(0.3, 2.0), (-1.1, 5.3), (2.4, -7.7)]
    t_base = []
    for mu_f, bias in sample:
        p = base.updated(mu_F=mu_f, V=bias)
        t = time.perf_counter()
        ref = baseline_point(p)
        t_base.append(time.perf_counter() - t)
        fast = response.direct(p)
        err = np.abs(ref - fast).max() / np.abs(fast).max()
        assert err < 1e-6, f"baseline disagrees with the engine ({err:.2e})"
    per_point = statistics.median(t_base)
    baseline_map = per_point * MU_F.size * V.size

    cold, warm = compile_times()
    print("dimer_core map benchmark (201 x 201 mu_F x V, every quantity; medians)")
    print(f"  new electronic parameter set, T = 0   : {1e3 * t_new:8.1f} ms   (target < 100 ms)")
    print(f"  only mu_F / V ranges changed, T = 0   : {1e3 * t_range:8.1f} ms   (target < 10 ms)")
    print(f"  new electronic parameter set, T = 10 K: {1e3 * t_hot:8.1f} ms   (target < 1000 ms)")
    print("  new set at T (K): ms, ratio to T = 10 K: " + ", ".join(
        f"{T:g}: {1e3 * t:.0f} ({t / t_hot:.2f}x)" for T, t in t_temps.items()))
    print(f"  one point, T = 0 / T = 10 K           : {1e3 * t_point:8.2f} ms / {1e3 * t_point_T:.2f} ms")
    print(f"  baseline scipy quad_vec per point     : {1e3 * per_point:8.1f} ms "
          f"-> {baseline_map:.0f} s for the map")
    print(f"  ratio baseline / engine (new set, T=0): {baseline_map / t_new:8.0f} x")
    print(f"  ratio baseline / engine (ranges only) : {baseline_map / t_range:8.0f} x")
    print(f"  fresh process, numba cache cold / warm: {cold:6.2f} s / {warm:.2f} s")


if __name__ == "__main__":
    main()
