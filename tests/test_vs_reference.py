"""The engine (``dimer_core.point``) against the brute-force reference (tests/reference.py).

Every named coupling is compared at parameter sets that exercise weak and
strong SOC, nonzero mu_F and both bias signs, T = 0 and T > 0, asymmetric
contacts and levels, an oblique SOC direction, equilibrium, and the
energy-injection regime (a_i_22 < 0).

Tolerance: |engine − reference| <= RTOL · max(|reference|, FLOOR · family scale),
where the family scale is the largest magnitude among couplings of the same
kind at the same point (reference.family_scale); the current, alone in its
family, has a tiny absolute floor instead (it vanishes at V = 0).  RTOL = 1e-4 catches any
factor of 2 or sign; the floor only matters for quantities that are exactly
zero by symmetry (e.g. j_DM_22, D at V = 0) or below 1e-3 of their family.
"""
import functools

import numpy as np
import pytest

from . import reference as R

RTOL = 1e-4
"""Relative tolerance."""
FLOOR = 1e-3
"""Tolerance floor as a fraction of the family scale."""
ABS_FLOOR = {"I": 1e-6}
"""Absolute tolerance floors for keys whose family is one key that can vanish (I at V = 0) [nA]."""

OBLIQUE = tuple(np.ones(3) / np.sqrt(3))

CASES = {
    "example": dict(t=0.1, mu_F=0.0, V=1.0),
    "weak-soc-T0": dict(t=0.1, mu_F=0.7, V=3.1),
    "strong-soc-T0": dict(t=1.0, mu_F=-1.3, V=-4.2),
    "weak-soc-T10": dict(t=0.1, mu_F=0.7, V=3.1, T=10.0),
    "asym-strong-T0": dict(t=1.0, tL=10.0, tR=6.0, eps1=0.3, eps2=-0.2, mu_F=0.7, V=3.1),
    "asym-oblique-T10": dict(t=1.0, tL=10.0, tR=6.0, eps1=0.3, eps2=-0.2, that=OBLIQUE,
                             mu_F=-1.3, V=-4.2, T=10.0),
    "equilibrium-T10": dict(t=1.0, tL=10.0, tR=6.0, eps1=0.3, eps2=-0.2, that=OBLIQUE,
                            mu_F=0.7, V=0.0, T=10.0),
    "energy-injection": dict(t=0.1, mu_F=-2.0, V=4.0),
}
"""Parameter sets (fields of reference.RefParams; the rest are the paper defaults)."""

KEYS = ("s_1 s_2 J_1 J_2 D_1 D_2 A_1 A_2 K_1 K_2 chi22_DM a_i_22 a_an_22 a_DM_22 a_i_21 a_an_21 a_DM_21 "
        "j_i_22 j_an_22 j_DM_22 j_i_21 j_an_21 T_eff_2 I").split()
"""Keys the engine's ``point`` promises (the reference also gives j_DM_21)."""


@functools.lru_cache(maxsize=None)
def reference_point(case):
    """Reference couplings of a case (cached)."""
    return R.couplings(R.RefParams(**CASES[case]))


@functools.lru_cache(maxsize=None)
def engine_point(case):
    """Engine couplings of a case (cached)."""
    from dimer_core import DimerParams, point
    return point(DimerParams(**R.RefParams(**CASES[case]).__dict__, Delta=1.0))


def test_cases_cover_their_regimes():
    """The energy-injection case really has a_i_22 < 0, and the equilibrium case T_eff_2 = T."""
    assert reference_point("energy-injection")["a_i_22"] < 0
    assert reference_point("equilibrium-T10")["T_eff_2"] == pytest.approx(10.0, rel=1e-6)


@pytest.mark.parametrize("case", list(CASES))
def test_point_matches_reference(case):
    """Every key of ``point`` equals the reference within RTOL of max(|ref|, FLOOR·family scale)."""
    ref = reference_point(case)
    eng = engine_point(case)
    missing = sorted(set(KEYS) - set(eng))
    assert not missing, f"engine lacks keys {missing}"
    S = R.RefParams(**CASES[case]).S
    bad = []
    for key in KEYS:
        r, e = ref[key], float(eng[key])
        tol = RTOL * max(abs(r), FLOOR * R.family_scale(ref, key, S), ABS_FLOOR.get(key, 0.0))
        if not abs(e - r) <= tol:
            ratio = e / r if r != 0 else float("inf")
            bad.append(f"  {key:9s} ref={r: .10e} engine={e: .10e} ratio={ratio:.8g} tol={tol:.2e}")
    assert not bad, f"{case}: {len(bad)} mismatches\n" + "\n".join(bad)
