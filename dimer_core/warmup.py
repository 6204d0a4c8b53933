"""Compile every numba kernel once so that numba's on-disk cache is warm.

``.ci/setup`` (and so the Dockerfile) runs ``python -m dimer_core.warmup``; the kernels go to the one
cache of :mod:`dimer_core.numba_cache` (or ``NUMBA_CACHE_DIR`` if set) that the app, CLI and tests use,
and removes the caches of other source versions unused for a week (:func:`dimer_core.numba_cache.prune`).
"""
import time

import numpy as np


def main():
    start = time.perf_counter()
    from . import maps, point, preset
    from .studies import sweeps
    from .numba_cache import default_in_use, prune

    if default_in_use():
        prune()

    p = preset("weak-soc", V=1.0)
    point(p)
    point(p.updated(T=5.0))
    maps(p, np.linspace(-1, 1, 3), np.linspace(-1, 1, 3))
    for T in (5.0, 1e-6, 300.0):  # product integration; the Sommerfeld form; merged panels
        maps(p.updated(T=T), np.linspace(-1, 1, 3), np.linspace(-1, 1, 3))
    from .junction import maps as junction_maps, preset as junction_preset
    from .studies.junction_sweeps import junction_sweep

    for T in (0.0, 5.0):
        junction_maps.maps(junction_preset("chain3", T=T), np.linspace(-1, 1, 3), np.linspace(-1, 1, 3))
    sweeps.fp_sweep(p, [0.0, 1.0])
    for integrator in ("heun", "midpoint"):
        run = dict(n_realizations=2, t_burn=0.1, t_average=0.1, integrator=integrator)
        sweeps.langevin_sweep(p, [1.0], **run)
        sweeps.dimer_sweep(p, [1.0], **run)
        junction_sweep(junction_preset("chain3"), [1.0], free=(1, 2, 3), method="langevin", **run)
    sweeps.reversal_path(p, t_total=0.1)
    print(f"numba kernels compiled and cached in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()

__all__ = ["main"]
