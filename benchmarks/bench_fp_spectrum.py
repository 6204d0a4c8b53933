"""Switching rates of one spin: the Fokker–Planck spectrum (dimer_core.spins.fp_spectrum) and the core-to-core dwells
of its finite-element generator (dimer_core.spins.fp_passage) against Langevin counting.

Run: ``.venv/bin/python benchmarks/bench_fp_spectrum.py`` (about a minute; one thread).

The spin of tests/test_fp_spectrum.py (E = −m_z² + 0.3 m_x² − 0.1 m_z meV, damping 0.2 + 0.6 x̂⊗x̂ + 0.15 W(x̂),
k_BT = 1/3.5 meV, V = 0).  CPU seconds of one thread (``NUMBA_NUM_THREADS=1``, BLAS on one thread,
:func:`time.thread_time`), median of 3 runs interleaved so that all see the same load: ``spectral_rates`` at
L = 16, 24, 32 (with the relative change of λ₁ from L − 4, its convergence estimate) and, as the baseline
measured in the same run, ``rates.switching_rates`` over 2 × 40 ns at dt = 0.01 ps (with the half width of its
95 % interval, relative); ``fp_passage.core_dwells`` at levels 5 and 6 (each with the level below, extrapolated;
cores of 60°, the counting's) with its change; the ratio of each cost to the counting's.
"""
import os

for _var in ("NUMBA_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"  # before numba and numpy are imported

import math  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from dimer_core.spins import fp_passage, fp_spectrum, rates  # noqa: E402
from tests.test_fp_spectrum import UP_DOWN, biaxial  # noqa: E402


def cpu_seconds(fn):
    start = time.thread_time()
    out = fn()
    return time.thread_time() - start, out


def main(repeats=3):
    model = biaxial(3.5)
    degrees = (16, 24, 32)
    jobs = {f"fp L={L}": (lambda L=L: fp_spectrum.spectral_rates(model, 0, UP_DOWN, L=L, tolerance=0.5))
            for L in degrees}
    for level in (5, 6):
        jobs[f"fe dwells level {level}"] = (lambda level=level: fp_passage.core_dwells(
            model, 0, UP_DOWN, core=math.acos(0.5), level=level, tolerance=0.5))
    jobs["counting 2 x 40 ns"] = lambda: rates.switching_rates(model, [0.0], [UP_DOWN], dt=0.01, t_total=4e4,
                                                                n_trajectories=2, core=math.acos(0.5), every=5)
    for job in jobs.values():  # compile or load the kernels first
        job()
    times = {name: [] for name in jobs}
    results = {}
    for _ in range(repeats):
        for name, job in jobs.items():
            t, results[name] = cpu_seconds(job)
            times[name].append(t)
    base = statistics.median(times["counting 2 x 40 ns"])
    print(f"{'method':<22}{'CPU s (median)':>16}{'ratio to counting':>20}   precision")
    for name in jobs:
        t = statistics.median(times[name])
        r = results[name]
        if name.startswith("fp"):
            note = f"rates {np.round(1e3 * r.rates, 3)} /ns, change from L - 4: {r.change:.1e}"
        elif name.startswith("fe"):
            note = f"core-to-core rates {np.round(1e3 * r.rates, 3)} /ns, extrapolation {r.change:.1e}"
        else:
            half = 0.5 * (r.dwell_high.values[0] - r.dwell_low.values[0]) / r.dwell.values[0]
            note = f"rates {np.round(r.rate.values[0], 2)} /ns, 95 % half width {np.round(half, 3)}"
        print(f"{name:<22}{t:>16.3f}{t / base:>20.3f}   {note}")


if __name__ == "__main__":
    main()
