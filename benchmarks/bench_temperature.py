"""Cost of a 201 × 201 map (every quantity, a new electronic parameter set) at every temperature, as a ratio to
its cost at T = 10 K (issue 11: within 3× at any 0 < T ≤ 300 K).

Run: ``.venv/bin/python benchmarks/bench_temperature.py`` (about two minutes on 2 cores).

CPU time of one thread (numba and BLAS limited to one thread before numpy is imported), medians of five runs
with the temperatures interleaved, for the paper's weak-SOC set and the narrow-resonance corner
(t_L = t_R = 0.5, t_e = 1000: resonance widths 2.5e-4 meV, where k_B·T ≈ the width at 1–10 mK and every Fermi
window spans a hundred quadrature panels).  The baseline is the same map at 10 K, measured in the same run.
"""
import os

os.environ.setdefault("NUMBA_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import statistics  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

import dimer_core as dc  # noqa: E402
from dimer_core.couplings import dimer as couplings  # noqa: E402

MU_F = np.linspace(-6.0, 6.0, 201)
V = np.linspace(-12.0, 12.0, 201)
SETS = {"paper's weak SOC": {}, "narrow corner": dict(tL=0.5, tR=0.5, te=1000.0)}
TEMPERATURES = (10.0, 1e-12, 1e-9, 1e-6, 1e-4, 1e-3, 1e-2, 0.1, 1.0, 100.0, 300.0)
REPEATS = 5


def map_seconds(p):
    """CPU seconds of this thread for one map of a parameter set not seen before (tables built)."""
    couplings.clear_caches()
    start = time.thread_time()
    dc.maps(p, MU_F, V)
    return time.thread_time() - start


def main():
    for name, extra in SETS.items():
        base = dc.preset("weak-soc", **extra)
        for T in (10.0, 1e-3):  # compile and warm
            dc.maps(base.updated(T=T), MU_F[:5], V[:5])
        times = {T: [] for T in TEMPERATURES}
        for rep in range(REPEATS):
            for T in TEMPERATURES:
                times[T].append(map_seconds(base.updated(t0=2.0 + 1e-3 * rep, T=T)))
        median = {T: statistics.median(v) for T, v in times.items()}
        print(f"{name}: 201 x 201 map, new parameter set, CPU of one thread, median of {REPEATS}")
        for T in TEMPERATURES:
            print(f"  T = {T:<6g} K: {1e3 * median[T]:7.1f} ms  ({median[T] / median[10.0]:.2f}x the 10 K time)")
        worst = max(TEMPERATURES, key=lambda T: median[T])
        print(f"  slowest: T = {worst:g} K at {median[worst] / median[10.0]:.2f}x (target <= 3x)")


if __name__ == "__main__":
    main()
