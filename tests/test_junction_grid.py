"""The junction's resonance finder (dimer_core/electrons/junction_grid.py) against the dimer's channel poles.

The dimer's ``energy_grid.resonances`` solves each spin channel's 2×2 problem on its own (an independent route:
no 4×4 matrix, no state tracking); a junction built from the same parameters must find the same distinct poles.
"""
import numpy as np
import pytest

import dimer_core as dc
from dimer_core.electrons import junction_grid
from dimer_core.electrons.energy_grid import resonances as channel_poles
from dimer_core.junction import from_dimer


def _same_poles(p):
    """Largest distance (relative) from a channel pole to the junction's poles and back: 0 when the two sets of
    distinct poles are the same."""
    a = channel_poles(p)
    b = junction_grid.resonances(from_dimer(p))
    gap = np.abs(a[:, None] - b[None, :])
    return max(gap.min(axis=1).max(), gap.min(axis=0).max()) / max(1.0, np.abs(a).max())


@pytest.mark.parametrize("changes", [
    {},  # the paper's weak-SOC dimer
    {"t": 1.0},
    # contacts of 25 and 49 meV: every start fell onto the narrow pole (4.79 − 6.32i, four times) by rule (a)
    {"t": 3.7518, "t0": 1.4020, "tL": 24.517, "tR": 49.046, "eps1": 4.6166, "eps2": 2.2479},
    {"t": 2.7061, "t0": 1.3845, "tL": 8.4523, "tR": 48.511, "eps1": -3.8413, "eps2": 1.2349},
    {"t": 3.8834, "t0": 3.0650, "tL": 45.906, "tR": 2.4598, "eps1": 0.2859, "eps2": -0.4066},
])
def test_poles_of_a_dimer_junction_are_the_channel_poles(changes):
    assert _same_poles(dc.preset("weak-soc", **changes)) < 1e-9


def test_random_dimers_every_channel_pole_is_found_or_resolved():
    """Where states mix strongly (levels within a width of each other) a pole between a narrow and a broad one may
    be missed by both rules; what the grid needs still holds: each channel pole x − iγ is found (to 1e-9) or the
    panels the found poles set there (γ_j/2, growing as a quarter of the distance) are no wider than its own γ/2."""
    rng = np.random.default_rng(7)
    checked = exact = 0
    for _ in range(120):
        p = dc.preset("weak-soc", t=rng.uniform(0.1, 5), t0=rng.uniform(0, 5), tL=rng.uniform(0.5, 50),
                      tR=rng.uniform(0.5, 50), eps1=rng.uniform(-5, 5), eps2=rng.uniform(-5, 5))
        try:
            p.check()
        except ValueError:
            continue
        checked += 1
        found = junction_grid.resonances(from_dimer(p))
        for z in channel_poles(p):
            if np.min(np.abs(found - z)) < 1e-9 * max(1.0, abs(z)):
                exact += 1
                continue
            panel = np.min(np.maximum(np.abs(found.imag) / 2, np.abs(found.real - z.real) / 4))
            assert panel <= abs(z.imag) / 2, (p.values(), z, found)
    assert checked > 60 and exact >= 0.95 * 4 * checked


def test_ring4_has_its_narrow_and_its_broad_pole_at_zero():
    """ring4's level at 0 holds a pole 0.92 meV wide and one 0.075 meV wide (nearly hidden from both leads); by
    the state rule alone the finder returned only the first, and the map and point then differed by 6e-3."""
    from dimer_core.junction import preset

    poles = junction_grid.resonances(preset("ring4"))
    at_zero = np.sort(np.abs(poles[np.abs(poles.real) < 1e-6].imag))
    assert at_zero[0] == pytest.approx(0.0755, abs=1e-3) and at_zero[-1] == pytest.approx(0.924, abs=2e-3)
