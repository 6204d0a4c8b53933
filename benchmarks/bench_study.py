"""Scaling of parameter studies on Dask: prints medians over repeats and the 2-worker/1-worker ratio.

Run: ``.venv/bin/python benchmarks/bench_study.py [--repeats N]`` (about 5 minutes on 2 cores).

Measured in one run, on local clusters of 1 and 2 worker processes (one numba
thread per worker, so the ratio is the scaling of the study machinery, not of
numba's threads), started before the clock runs:
* maps: map points (mu_F × V points, every quantity) per second, T = 0 and a new
  electronic parameter set at every study point;
* langevin: spin-steps per second of Langevin ensembles with fixed times;
* the scheduler's overhead per task (no-op tasks), and the study's own overhead
  per block (tiny blocks: wall time less the compute the workers report);
* the start-up of a local cluster.

The maps and Langevin studies are sized to ≈15–20 s of work on one worker, many
times a study's fixed cost (≈3–7 s: calibration on three points, laying out the
store), so that the ratio shows how the computing part scales.
"""
import argparse
import json
import logging
import os
import shutil
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from dimer_core.studies import run as study  # noqa: E402

MAPS = {"study": {"method": "maps", "task_seconds": 1.0},
        "axes": {"t": {"start": 0.05, "stop": 1.5, "num": 24}, "t0": [1.5, 1.75, 2.0, 2.25, 2.5, 2.75, 3.0, 3.25]},
        "map": {"mu_F": {"start": -6, "stop": 6, "num": 201}, "V": {"start": -12, "stop": 12, "num": 201}}}
LANGEVIN = {"study": {"method": "langevin", "task_seconds": 1.0},
            "axes": {"t": [0.1, 0.2, 0.3, 0.5, 0.7, 1.0, 1.5, 2.0]},
            "sweep": {"V": {"start": -5, "stop": 5, "num": 16}},
            "langevin": {"realizations": 16, "seed": 1, "dt": 0.01, "t_burn": 20.0, "t_average": 380.0}}
TINY = {"study": {"method": "fp", "task_seconds": 0.001},
        "axes": {"t": [0.1, 1.0]}, "sweep": {"V": {"start": -5, "stop": 5, "num": 50}}}


def cluster(n):
    from distributed import Client, LocalCluster

    c = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None,
                     silence_logs=logging.ERROR)
    Client(c).wait_for_workers(n)
    return c


def timed_study(spec, address, repeats):
    """Median wall time (s) of the study, and the per-block compute seconds of the last run."""
    walls = []
    for _ in range(repeats):
        out = tempfile.mkdtemp(prefix="bench-study-")
        shutil.rmtree(out)
        t = time.perf_counter()
        study.run_study(spec, out, scheduler=address, numba_threads=1)
        walls.append(time.perf_counter() - t)
        with open(os.path.join(out, "log.jsonl")) as f:
            seconds = [json.loads(line)["seconds"] for line in f]
        shutil.rmtree(out)
    return statistics.median(walls), seconds


def noop_overhead(address, repeats, n=400):
    from distributed import Client

    with Client(address) as client:
        times = []
        for _ in range(repeats):
            t = time.perf_counter()
            client.gather(client.map(lambda x: x, range(n), pure=False))
            times.append((time.perf_counter() - t) / n)
    return statistics.median(times)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3, help="runs of each study; the median is printed")
    repeats = parser.parse_args(argv).repeats
    spec_maps, spec_lv, spec_tiny = (study.load_spec(s) for s in (MAPS, LANGEVIN, TINY))
    map_points = spec_maps.n_points * len(spec_maps.map_mu_F) * len(spec_maps.map_V)
    steps = round(spec_lv.t_burn / spec_lv.dt) + round(spec_lv.t_average / spec_lv.dt)
    spin_steps = spec_lv.n_points * len(spec_lv.sweep_V) * spec_lv.realizations * steps
    rows = {}
    for n in (1, 2):
        t = time.perf_counter()
        c = cluster(n)
        start = time.perf_counter() - t
        try:
            wall_maps, _ = timed_study(spec_maps, c.scheduler_address, repeats)
            wall_lv, _ = timed_study(spec_lv, c.scheduler_address, repeats)
            wall_tiny, seconds = timed_study(spec_tiny, c.scheduler_address, repeats)
            noop = noop_overhead(c.scheduler_address, repeats)
        finally:
            c.close()
        rows[n] = dict(start=start, maps=map_points / wall_maps, lv=spin_steps / wall_lv, noop=noop,
                       block=(wall_tiny - sum(seconds) / n) / len(seconds), blocks=len(seconds))
        print(f"{n} worker(s): cluster start {start:.2f} s; maps {rows[n]['maps']:.3g} map points/s "
              f"({spec_maps.n_points} maps of 201 x 201 in {wall_maps:.2f} s); langevin {rows[n]['lv']:.3g} "
              f"spin-steps/s ({wall_lv:.2f} s); scheduler overhead {1e3 * noop:.2f} ms per no-op task; "
              f"study overhead {1e3 * rows[n]['block']:.1f} ms per block ({len(seconds)} tiny blocks)", flush=True)
    print(f"ratio 2 workers / 1 worker: maps {rows[2]['maps'] / rows[1]['maps']:.2f}x, "
          f"langevin {rows[2]['lv'] / rows[1]['lv']:.2f}x (ideal 2 on this 2-core machine)")


if __name__ == "__main__":
    main()
