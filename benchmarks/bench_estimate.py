"""How well a long run's estimate (``dimer_core.studies.sweeps.estimate_seconds``, shown by the dashboard before
a run over 10 s starts) predicts the run.

Run: ``.venv/bin/python benchmarks/bench_estimate.py`` (about a minute).  For the pinned spin (``langevin_sweep``)
and both spins free (``dimer_sweep``) at the paper's weak-SOC defaults, nine biases over −6 … 6 mV and
``--realizations`` trajectories: the estimate, then the run it estimates (the baseline, measured in the same
run), ``--repeat`` times; and the upper bound of a switching-rate sweep (``rates_seconds``, spin 2 at the bistable
3 mV, K_easy = 4 meV, 5 K) against that sweep.  Printed: the medians (wall seconds) and their ratio
measured/estimated (for the bound: at most 1).
"""
import argparse
import statistics
import time

import numpy as np

from dimer_core import preset
from dimer_core.studies.sweeps import dimer_sweep, estimate_seconds, langevin_sweep, rates_seconds, rates_sweep

TIMES = {langevin_sweep: dict(t_burn=50.0, t_average=500.0), dimer_sweep: dict(t_burn=1.0, t_average=10.0)}
"""Burn-in and averaging (ps) per sweep: runs of a few seconds each."""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--realizations", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    p, V = preset("weak-soc"), np.linspace(-6.0, 6.0, 9)
    for sweep, times in TIMES.items():
        sweep(p, V[:1], n_realizations=2, t_burn=0.1, t_average=0.1)  # numba's cache loaded
        estimated, measured = [], []
        for _ in range(args.repeat):
            estimated.append(estimate_seconds(sweep, p, V, n_realizations=args.realizations, **times))
            start = time.perf_counter()
            sweep(p, V, n_realizations=args.realizations, **times)
            measured.append(time.perf_counter() - start)
        report(sweep.__name__, estimated, measured)
    bistable = preset("weak-soc", T=5.0, K_easy=4.0)
    rates_sweep(bistable, [3.0], spins="pinned", t_total=10.0)  # numba's cache loaded
    estimated, measured = [], []
    for _ in range(args.repeat):
        estimated.append(rates_seconds(bistable, [3.0], spins="pinned"))
        start = time.perf_counter()
        rates_sweep(bistable, [3.0], spins="pinned")
        measured.append(time.perf_counter() - start)
    report("rates_sweep", estimated, measured)


def report(name, estimated, measured):
    e, m = statistics.median(estimated), statistics.median(measured)
    print(f"{name:15s} estimated {e:6.2f} s   measured {m:6.2f} s   measured/estimated {m / e:5.2f}")


if __name__ == "__main__":
    main()
