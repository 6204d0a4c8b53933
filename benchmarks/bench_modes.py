"""Cost of the ESR lines (``dimer_core.studies.sweeps.modes_sweep``): pinned spin and both spins free.

Run: ``.venv/bin/python benchmarks/bench_modes.py`` (about a minute).  Each seed's relaxation toward a stationary
state ends when Newton's method reaches a stable state near it (``dimer_core.spins.modes.CAPTURE``); the baseline,
measured in the same run, relaxes every seed until its torque is below 1e-8 of the field scale (``CAPTURE = 0``).
Printed: CPU seconds of this thread (median of ``--repeat``, the two rules interleaved) for a sweep of ``--biases``
biases over −6 … 6 mV at the paper's weak-SOC defaults, the ratio, and whether both rules found the same states.
"""
import argparse
import os
import statistics
import time

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from dimer_core import DimerParams  # noqa: E402

from dimer_core.spins import modes
from dimer_core.studies.sweeps import modes_sweep  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--biases", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    p = DimerParams()
    V = np.linspace(-6.0, 6.0, args.biases)
    rules = {"Newton capture": modes.CAPTURE, "full relaxation": 0.0}
    for spins in ("pinned", "both"):
        modes_sweep(p, V[:1], spins=spins)  # compile
        times = {k: [] for k in rules}
        found = {}
        for _ in range(args.repeat):
            for name, capture in rules.items():
                modes.CAPTURE = capture
                t = time.thread_time()
                ds = modes_sweep(p, V, spins=spins)
                times[name].append(time.thread_time() - t)
                found[name] = ds
        modes.CAPTURE = rules["Newton capture"]
        same = all(np.allclose(found["Newton capture"][k], found["full relaxation"][k], equal_nan=True, atol=1e-8)
                   for k in ("m", "frequency", "linewidth", "stable"))
        med = {k: statistics.median(v) for k, v in times.items()}
        print(f"{spins:6s} spins, {V.size} biases: Newton capture {med['Newton capture']:.2f} s, full relaxation "
              f"{med['full relaxation']:.2f} s (ratio {med['Newton capture'] / med['full relaxation']:.2f}); "
              f"same states and modes: {same}")


if __name__ == "__main__":
    main()
