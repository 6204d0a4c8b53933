"""Junction maps against the dimer's: a 201 × 201 mu_F × V map at T = 0 (issue 13, "Still fast").

Run: ``NUMBA_NUM_THREADS=1 .venv/bin/python benchmarks/bench_junction_maps.py`` (about half a minute).

One thread's CPU time (``time.thread_time``; the numba kernels run on one thread with NUMBA_NUM_THREADS=1,
which the script sets if unset), median of 5, all measured in this run:

* the baseline: the dimer's ``couplings.maps`` (every named quantity, 24 of them) with its T = 0 table cached,
  and with the table built anew (caches cleared);
* ring4 (N = 4, two leads) through ``junction.maps.maps``: every pair's full tensors χ, ∂_E Im χ, C, every ⟨s_a⟩
  and both currents (446 numbers a point), the map alone (table cached) and table build + map;
* the same on a V grid of 200 points (-12:12:200, steps incommensurate with mu_F's: every point has its own
  mu_L, mu_R, so the tables are read at each point, :func:`dimer_core.electrons.junction_maps.map_arrays`, instead of once per
  distinct chemical potential, :func:`dimer_core.electrons.junction_maps.gather_arrays`), against the dimer on that grid;
* the same with ``pairs=[(1, 3)]`` (the sites of one pair: 116 numbers a point);
* at T = 10 K: the dimer's map and ring4's every pair, tables cached, and tables built + map; the same for ring4
  with its lead R at te = 150 meV (two band intervals: the thermal tables per interval, once point by point).

The target of issue 13 is the ring4 map of every pair within 10× the dimer's map time.  The two ratios against the
dimer on the same grid (default and incommensurate) are given twice: against the dimer's median measured apart
(its 7.7 MB output and its tables stay in the heap and the caches from one call to the next), and interleaved, a
dimer map and a ring4 map in turn, 11 pairs, the median of the pairs' ratios and its range (the machine's drift
between two medians taken one after the other, ±25 % on these shared cores, does not enter it; the dimer's map
then runs after the ring4's 137 MiB went through the caches, and takes longer).
"""
import os

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import dataclasses  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import dimer_core as dc  # noqa: E402
from dimer_core.couplings import dimer as couplings  # noqa: E402
from dimer_core import junction as J  # noqa: E402
from dimer_core.junction import maps as junction_maps  # noqa: E402

MU_F = np.linspace(-6.0, 6.0, 201)
V = np.linspace(-12.0, 12.0, 201)
REPEATS = 5


def median_cpu(fn, repeats=REPEATS, before=None):
    """Median over ``repeats`` of one thread's CPU time of ``fn()`` (s); ``before()`` runs untimed first."""
    times = []
    for _ in range(repeats):
        if before is not None:
            before()
        t = time.thread_time()
        fn()
        times.append(time.thread_time() - t)
    return statistics.median(times)


def interleaved(fn, base, repeats=11):
    """One thread's CPU time of ``fn()`` and ``base()`` timed in turn ``repeats`` times: (median of fn, median of
    base, median ratio, lowest ratio, highest ratio)."""
    pairs = []
    for _ in range(repeats):
        t = time.thread_time()
        base()
        b = time.thread_time() - t
        t = time.thread_time()
        fn()
        pairs.append((time.thread_time() - t, b))
    ratios = sorted(f / b for f, b in pairs)
    return (statistics.median(f for f, _ in pairs), statistics.median(b for _, b in pairs),
            statistics.median(ratios), ratios[0], ratios[-1])


def main():
    p = dc.preset("weak-soc")
    ring = J.preset("ring4")
    couplings.maps(p, MU_F, V)  # compile and cache
    junction_maps.maps(ring, MU_F[:3], V[:3])
    dimer_map = median_cpu(lambda: couplings.maps(p, MU_F, V))
    ring_map, dimer_with, ratio, lo, hi = interleaved(lambda: junction_maps.maps(ring, MU_F, V),
                                                     lambda: couplings.maps(p, MU_F, V))
    dimer_cold = median_cpu(lambda: couplings.maps(p, MU_F, V), before=couplings.clear_caches)
    odd_v = np.linspace(-12.0, 12.0, 200)
    dimer_odd = median_cpu(lambda: couplings.maps(p, MU_F, odd_v))
    ring_odd, dimer_odd_with, ratio_odd, lo_odd, hi_odd = interleaved(lambda: junction_maps.maps(ring, MU_F, odd_v),
                                                                 lambda: couplings.maps(p, MU_F, odd_v))
    ring_cold = median_cpu(lambda: junction_maps.maps(ring, MU_F, V), before=junction_maps.clear_cache)
    junction_maps.maps(ring, MU_F[:3], V[:3], pairs=[(1, 3)])
    pair_map = median_cpu(lambda: junction_maps.maps(ring, MU_F, V, pairs=[(1, 3)]))
    hot_p, hot_ring = p.updated(T=10.0), ring.updated(T=10.0)
    couplings.maps(hot_p, MU_F, V)
    junction_maps.maps(hot_ring, MU_F, V)
    dimer_hot = median_cpu(lambda: couplings.maps(hot_p, MU_F, V))
    ring_hot = median_cpu(lambda: junction_maps.maps(hot_ring, MU_F, V))
    ring_hot_cold = median_cpu(lambda: junction_maps.maps(hot_ring, MU_F, V), repeats=3,
                               before=junction_maps.clear_cache)
    two_te = hot_ring.updated(leads=(hot_ring.leads[0], dataclasses.replace(hot_ring.leads[1], te=150.0)))
    junction_maps.maps(two_te, MU_F, V)
    two_hot = median_cpu(lambda: junction_maps.maps(two_te, MU_F, V))
    two_hot_cold = median_cpu(lambda: junction_maps.maps(two_te, MU_F, V), repeats=3, before=junction_maps.clear_cache)
    size = junction_maps.map_bytes(MU_F.size, V.size, ring.n_sites, len(ring.leads))
    print(f"201 x 201 mu_F x V maps at T = 0, one thread's CPU time, median of {REPEATS} "
          f"(NUMBA_NUM_THREADS={os.environ['NUMBA_NUM_THREADS']})")
    print(f"  dimer couplings.maps, table cached (baseline)      {1e3 * dimer_map:8.1f} ms")
    print(f"  dimer couplings.maps, table built                  {1e3 * dimer_cold:8.1f} ms")
    print(f"  dimer couplings.maps, interleaved with ring4's      {1e3 * dimer_with:8.1f} ms")
    print(f"  ring4 every pair, table cached ({size / 2 ** 20:.0f} MiB out)       {1e3 * ring_map:8.1f} ms"
          f"   ratio to baseline {ring_map / dimer_map:5.1f}x; interleaved {ratio:5.1f}x ({lo:.1f}-{hi:.1f})"
          f"  (target <= 10x)")
    print(f"  ring4 every pair, table built + map                {1e3 * ring_cold:8.1f} ms"
          f"   ratio to the dimer's cold map {ring_cold / dimer_cold:5.1f}x")
    print(f"  V -12:12:200 (incommensurate): dimer               {1e3 * dimer_odd:8.1f} ms")
    print(f"  V -12:12:200 (incommensurate): dimer interleaved   {1e3 * dimer_odd_with:8.1f} ms")
    print(f"  V -12:12:200 (incommensurate): ring4 every pair    {1e3 * ring_odd:8.1f} ms"
          f"   ratio {ring_odd / dimer_odd:5.1f}x; interleaved {ratio_odd:5.1f}x ({lo_odd:.1f}-{hi_odd:.1f})")
    print(f"  ring4 pairs=[(1, 3)], table cached                 {1e3 * pair_map:8.1f} ms"
          f"   ratio to baseline {pair_map / dimer_map:5.1f}x")
    print(f"  T = 10 K: dimer couplings.maps, table cached        {1e3 * dimer_hot:8.1f} ms")
    print(f"  T = 10 K: ring4 every pair, table cached           {1e3 * ring_hot:8.1f} ms"
          f"   ratio {ring_hot / dimer_hot:5.1f}x")
    print(f"  T = 10 K: ring4 every pair, tables built + map     {1e3 * ring_hot_cold:8.1f} ms (median of 3)")
    print(f"  T = 10 K: ring4, R at te = 150 meV, table cached   {1e3 * two_hot:8.1f} ms"
          f"   ratio {two_hot / dimer_hot:5.1f}x")
    print(f"  T = 10 K: ring4, R at te = 150 meV, tables built   {1e3 * two_hot_cold:8.1f} ms (median of 3)")


if __name__ == "__main__":
    main()
