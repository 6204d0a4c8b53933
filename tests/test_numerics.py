"""Issue 11: maps at every temperature cost bounded memory, and the narrow-resonance corner is refinement-invariant."""
import resource
import tracemalloc

import numpy as np
import pytest

import dimer_core as dc
from dimer_core import couplings

MU_F = np.linspace(-6.0, 6.0, 201)
V = np.linspace(-12.0, 12.0, 201)
SAMPLES = [(0.0, 0.0), (0.3, 2.4), (-1.2, 6.0), (2.1, -0.6), (6.0, 12.0)]


def _rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


@pytest.mark.parametrize("T", [1e-3, 1e-2, 0.1, 1.0, 10.0, 100.0, 300.0])
def test_a_201_by_201_map_costs_bounded_memory_at_every_temperature(T):
    """The old thermal table put a panel every k_BT/2 across the μ range (8.5 GB at 2 mK for 41 × 41):
    a 201 × 201 map must stay under 500 MB (numpy allocations and resident set) at any 0 < T ≤ 300 K,
    and agree with point()."""
    p = dc.preset("weak-soc", T=T, t0=2.0 + 1e-3 * T)  # a new parameter set: the tables are built
    couplings.clear_caches()
    rss = _rss_mb()
    tracemalloc.start()
    try:
        ds = dc.maps(p, MU_F, V)
        peak = tracemalloc.get_traced_memory()[1] / 2 ** 20
    finally:
        tracemalloc.stop()
    assert peak < 500.0, f"numpy peak {peak:.0f} MB"
    assert _rss_mb() - rss < 500.0, f"resident set grew by {_rss_mb() - rss:.0f} MB"
    for mu_f, bias in SAMPLES:
        exact = dc.point(p.updated(mu_F=mu_f, V=bias))
        for key in dc.QUANTITIES:
            scale = float(np.abs(ds[key].values).max()) or 1.0
            got = float(ds[key].sel(mu_F=mu_f, V=bias, method="nearest"))
            assert abs(got - exact[key]) <= 1e-7 * scale, (key, mu_f, bias, got, exact[key])
