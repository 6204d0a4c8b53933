"""How well a long run's estimate (``dimer_core.studies.sweeps.estimate_seconds``, shown by the dashboard before
a run over 10 s starts) predicts the run.

Run: ``.venv/bin/python benchmarks/bench_estimate.py`` (about a minute).  For the pinned spin (``langevin_sweep``)
and both spins free (``dimer_sweep``) at the paper's weak-SOC defaults, nine biases over −6 … 6 mV and
``--realizations`` trajectories: the estimate, then the run it estimates (the baseline, measured in the same
run), ``--repeat`` times; and the upper bound of a switching-rate sweep (``rates_seconds``, spin 2 at the bistable
3 mV, K_easy = 4 meV, 5 K) against that sweep.  ``--part lines``: the one-bias estimates of the ESR lines and
the Fokker–Planck rates (``sweeps.modes_seconds`` for both spins free over the dashboard's 25 biases;
``junction_lines.junction_modes_seconds`` and ``junction_rates_seconds`` for dimer-weak-soc as a junction, site 2
free, K_easy = 4 meV, 5 K, 13 biases 0 … 6 mV: the junction page's example) against their runs.  Printed: the
medians (wall seconds) and their ratio measured/estimated (for a bound: at most 1).
"""
import argparse
import statistics
import time

import numpy as np

from dimer_core import junction as J
from dimer_core import preset
from dimer_core.spins.junction_spins import OneSpin
from dimer_core.studies.junction_lines import (junction_modes, junction_modes_seconds, junction_rates,
                                               junction_rates_seconds)
from dimer_core.studies.sweeps import (dimer_sweep, estimate_seconds, langevin_sweep, modes_seconds, modes_sweep,
                                       rates_seconds, rates_sweep)

TIMES = {langevin_sweep: dict(t_burn=50.0, t_average=500.0), dimer_sweep: dict(t_burn=1.0, t_average=10.0)}
"""Burn-in and averaging (ps) per sweep: runs of a few seconds each."""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--realizations", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--part", choices=("all", "langevin", "lines"), default="all")
    args = parser.parse_args()
    if args.part in ("all", "langevin"):
        langevin(args)
    if args.part in ("all", "lines"):
        lines(args)


def compare(name, estimate, run, repeat):
    """``repeat`` times the estimate, then the run it estimates; the medians reported."""
    estimated, measured = [], []
    for _ in range(repeat):
        estimated.append(estimate())
        start = time.perf_counter()
        run()
        measured.append(time.perf_counter() - start)
    report(name, estimated, measured)


def lines(args):
    p, V = preset("weak-soc"), np.linspace(-6.0, 6.0, 25)
    modes_sweep(p, V[:1], spins="both")  # numba's cache loaded
    compare("modes_sweep both", lambda: modes_seconds(p, V, spins="both"), lambda: modes_sweep(p, V, spins="both"),
            args.repeat)
    junction, V = J.preset("dimer-weak-soc").updated(T=5.0), np.linspace(0.0, 6.0, 13)
    spins = dict(free=(2,), bare=OneSpin(K_easy=4.0))
    compare("junction_modes", lambda: junction_modes_seconds(junction, V, **spins),
            lambda: junction_modes(junction, V, **spins), args.repeat)
    compare("junction_rates fp", lambda: junction_rates_seconds(junction, V, **spins),
            lambda: junction_rates(junction, V, **spins, unconverged="nan", compare=False), args.repeat)


def langevin(args):
    p, V = preset("weak-soc"), np.linspace(-6.0, 6.0, 9)
    for sweep, times in TIMES.items():
        sweep(p, V[:1], n_realizations=2, t_burn=0.1, t_average=0.1)  # numba's cache loaded
        compare(sweep.__name__, lambda: estimate_seconds(sweep, p, V, n_realizations=args.realizations, **times),
                lambda: sweep(p, V, n_realizations=args.realizations, **times), args.repeat)
    bistable = preset("weak-soc", T=5.0, K_easy=4.0)
    rates_sweep(bistable, [3.0], spins="pinned", t_total=10.0)  # numba's cache loaded
    compare("rates_sweep", lambda: rates_seconds(bistable, [3.0], spins="pinned"),
            lambda: rates_sweep(bistable, [3.0], spins="pinned"), args.repeat)


def report(name, estimated, measured):
    e, m = statistics.median(estimated), statistics.median(measured)
    print(f"{name:18s} estimated {e:6.2f} s   measured {m:6.2f} s   measured/estimated {m / e:5.2f}")


if __name__ == "__main__":
    main()
