"""Where the time of an incommensurate junction map goes: :func:`dimer_core.electrons.junction_maps.map_arrays` alone.

Run: ``NUMBA_NUM_THREADS=1 .venv/bin/python benchmarks/bench_junction_kernel.py`` (about twenty seconds).

ring4, every pair, 201 × 201 mu_F × V with V −12:12:200 (every point its own mu_L, mu_R: the tables are read at
every point), one thread's CPU time (``time.thread_time``), median of 7, all in this run, against the dimer's
``couplings.maps`` on the same grid (table cached, the baseline):

* ``maps`` itself; the kernel into an output array used before, and into a new one (the first touch of its pages);
  ``np.empty(...).fill(0)`` of the same size (the first touch alone);
* the kernel with every point at one chemical potential per lead (its rows stay in the L1 cache: the arithmetic
  and the output writes, without table reads from memory).
"""
import os

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import sys  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from bench_junction_maps import median_cpu  # noqa: E402 (this folder: the script's own)
import dimer_core as dc  # noqa: E402
from dimer_core.couplings import dimer as couplings  # noqa: E402
from dimer_core import junction as J  # noqa: E402
from dimer_core.junction import maps as junction_maps  # noqa: E402

MU_F = np.linspace(-6.0, 6.0, 201)
V = np.linspace(-12.0, 12.0, 200)


def main():
    p, ring = dc.preset("weak-soc"), J.preset("ring4")
    couplings.maps(p, MU_F, V)
    junction_maps.maps(ring, MU_F, V)
    tab = junction_maps.zero_temperature_table(ring, tuple(range(1, ring.n_sites + 1)))
    out = np.empty((MU_F.size, V.size, tab.lead.shape[3] + tab.noise_full.size))

    def kernel(target, mu_f=MU_F, bias=V):
        return junction_maps.map_arrays(tab.s, tab.edges, tab.lead, tab.pair, tab.pairs, tab.eta, tab.noise_full,
                                        mu_f, bias, target)

    kernel(out)
    rows = [("dimer couplings.maps (baseline)", median_cpu(lambda: couplings.maps(p, MU_F, V), 7)),
            ("ring4 maps, every pair", median_cpu(lambda: junction_maps.maps(ring, MU_F, V), 7)),
            ("map_arrays into an array used before", median_cpu(lambda: kernel(out), 7)),
            ("map_arrays into a new array", median_cpu(lambda: kernel(np.empty_like(out)), 7)),
            ("np.empty(...).fill(0) alone", median_cpu(lambda: np.empty_like(out).fill(0.0), 7)),
            ("map_arrays, every point at one mu a lead (used array)",
             median_cpu(lambda: kernel(out, np.zeros(MU_F.size), np.full(V.size, 1e-3)), 7))]
    base = rows[0][1]
    print(f"201 x 200 (V incommensurate), one thread's CPU time, median of 7; table {tab.nbytes / 2 ** 20:.0f} MiB, "
          f"output {out.nbytes / 2 ** 20:.0f} MiB")
    for name, t in rows:
        print(f"  {name:55s} {1e3 * t:7.1f} ms  {t / base:5.1f}x")


if __name__ == "__main__":
    main()
