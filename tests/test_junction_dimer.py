"""The paper's dimer as a junction equals ``dimer_core.point`` for every quantity of ``QUANTITIES``.

Both presets (weak and strong SOC), several (mu_F, V, T) with T = 0 and T > 0, an oblique SOC axis and an
asymmetric junction.  Tolerance: 1e-10 of each quantity's size, the size being the largest |value| of that
key over the points of its preset (floor: 1e-6 of the largest key of its family, for the keys that vanish
by symmetry, j_DM_22).  Measured: ≤ 3e-11 of the size (K_2 with the oblique axis).
"""
import math

import numpy as np
import pytest

import dimer_core as dc
from dimer_core import junction as J
from dimer_core.electrons.hamiltonian import bound_state_edge

TOL = 1e-10
OBLIQUE = tuple(np.ones(3) / np.sqrt(3))
POINTS = [dict(mu_F=0.7, V=3.1), dict(mu_F=-1.3, V=-4.2), dict(mu_F=-2.0, V=4.0), dict(mu_F=0.7, V=0.0, T=10.0),
          dict(mu_F=0.7, V=3.1, T=10.0), dict(mu_F=-1.3, V=-4.2, T=2.0, that=OBLIQUE),
          dict(mu_F=0.4, V=2.5, T=0.0, that=OBLIQUE, tR=6.0, eps1=0.3, eps2=-0.2)]
FAMILIES = {"s": ("s_1", "s_2"), "chi": ("J_1", "J_2", "D_1", "D_2", "A_1", "A_2", "K_1", "K_2"),
            "a": tuple(k for k in dc.QUANTITIES if k.startswith("a_")),
            "j": tuple(k for k in dc.QUANTITIES if k.startswith("j_"))}


@pytest.fixture(scope="module", params=["weak-soc", "strong-soc"])
def both(request):
    out = []
    for changes in POINTS:
        p = dc.preset(request.param, **changes)
        out.append((changes, dc.point(p), J.dimer_view(J.point(J.from_dimer(p)))))
    return out


def _size(both, key):
    size = max(abs(ref[key]) for _, ref, _ in both if math.isfinite(ref[key]))
    for fam in FAMILIES.values():
        if key in fam:
            size = max(size, 1e-6 * max(abs(ref[k]) for _, ref, _ in both for k in fam))
    return size


def test_every_quantity_equals_the_dimer_engine(both):
    assert set(both[0][2]) == set(dc.QUANTITIES)
    bad = []
    for key in dc.QUANTITIES:
        size = _size(both, key)
        for changes, ref, got in both:
            r, g = ref[key], got[key]
            if math.isnan(r) or math.isnan(g):
                if not (math.isnan(r) and math.isnan(g)):
                    bad.append(f"{key} at {changes}: dimer {r}, junction {g}")
                continue
            if key == "T_eff_2":  # derived: compare relatively
                ok = abs(g - r) <= TOL * abs(r)
            else:
                ok = abs(g - r) <= TOL * size
            if not ok:
                bad.append(f"{key} at {changes}: dimer {r:.12e}, junction {g:.12e}, size {size:.2e}")
    assert not bad, "\n".join(bad)


def test_the_dimer_keeps_its_signs_and_factors():
    """Sanity of the comparison itself: the views are not all ~0 (J_2 < 0 at the paper's first point)."""
    got = J.dimer_view(J.point(J.from_dimer(dc.preset("weak-soc", mu_F=0.7, V=3.1))))
    assert got["J_2"] == pytest.approx(-0.1196, abs=5e-4) and abs(got["D_2"]) > 1e-3 and got["I"] > 0


def test_a_decoupled_third_site_reproduces_the_dimer():
    """A third site whose bonds and lead hoppings are all zero changes nothing, and responds to nothing."""
    p = dc.preset("strong-soc", mu_F=0.7, V=3.1, that=OBLIQUE)
    d = J.from_dimer(p)
    leads = (J.Lead("L", p.te, (1, 3), (p.tL, 0.0), 0.5), J.Lead("R", p.te, (2, 3), (p.tR, 0.0), -0.5))
    three = J.Junction(eps=(p.eps1, p.eps2, 1.3), bonds=d.bonds + (J.Bond(1, 3, 0.0, 0.0), J.Bond(2, 3, 0.0, 0.0)),
                       leads=leads, that=d.that, mu_F=d.mu_F, V=d.V, T=d.T, S=d.S)
    ds3, ds2 = J.point(three), J.point(d)
    ref = dc.point(p)
    got = J.dimer_view(ds3)
    for key in dc.QUANTITIES:
        assert got[key] == pytest.approx(ref[key], rel=1e-8, abs=1e-10), key
    for name in ("chi", "dchi", "noise"):
        np.testing.assert_allclose(ds3[name].values[:2, :2], ds2[name].values, rtol=0,
                                   atol=1e-9 * np.abs(ds2[name].values).max())
        assert np.abs(ds3[name].values[2]).max() == 0.0 and np.abs(ds3[name].values[:, 2]).max() == 0.0
    assert np.abs(ds3.spin.values[2]).max() == 0.0


def _channel_bound_state(p):
    """The dimer's bound-state criterion written by its two spin channels (t0 ± t), each a 2×2 problem with
    Σ(±2te) = t_L,R²/te on the diagonal: an independent route to electrons.hamiltonian.bound_state_edge."""
    band = 2.0 * p.te
    for tau in (p.t0 + p.t, p.t0 - p.t):
        for sign in (1.0, -1.0):
            h = np.array([[p.eps1 + sign * p.tL ** 2 / p.te, -tau], [-tau, p.eps2 + sign * p.tR ** 2 / p.te]])
            if sign * np.linalg.eigvalsh(h)[1 if sign > 0 else 0] >= band:
                return True
    return False


def test_the_dimer_and_the_junction_refuse_the_same_bound_states():
    """DimerParams.check and Junction.check use one criterion (electrons.hamiltonian.bound_state_edge): on random
    dimers near the edge of the band both refuse exactly those the spin channels put a bound state outside it."""
    rng = np.random.default_rng(13)
    refused = 0
    for _ in range(300):
        p = dc.DimerParams(te=float(rng.uniform(12.0, 40.0)), t0=float(rng.uniform(0.0, 20.0)),
                           t=float(rng.uniform(0.0, 20.0)), tL=float(rng.uniform(0.5, 20.0)),
                           tR=float(rng.uniform(0.5, 20.0)), eps1=float(rng.uniform(-20.0, 20.0)),
                           eps2=float(rng.uniform(-20.0, 20.0)))
        expected = _channel_bound_state(p)
        refused += expected
        for again in (p, p.updated(mu_F=-p.mu_F + 1.0, V=2.0)):  # the second answer is the cached one (same key)
            if expected:
                with pytest.raises(ValueError, match="te = .* is too small .* bound state outside the lead band"):
                    again.check()
            else:
                again.check()
        assert (bound_state_edge(J.from_dimer(p)) is not None) == expected
    assert 50 < refused < 250, refused  # both outcomes are exercised
