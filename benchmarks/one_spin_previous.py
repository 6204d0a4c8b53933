"""The one-spin Langevin kernels as they were before issue 13 made the pinned spin the n-spin kernel (commit
560da54): register-held copies of the drift and of both schemes for one spin, kept here only as the baseline
of benchmarks/bench_integrators.py (the cost the unified kernel is compared with, in the same run)."""
import math

from numba import njit

from dimer_core.spins.integrators import MIDPOINT_CORRECTIONS, cayley_one
from dimer_core.spins.rng import normal


@njit(inline="always")
def as_tuple9(a):
    """A 3 × 3 array as a row-major 9-tuple."""
    return (a[0, 0], a[0, 1], a[0, 2], a[1, 0], a[1, 1], a[1, 2], a[2, 0], a[2, 1], a[2, 2])


@njit(inline="always")
def _mv(a, v):
    return (a[0] * v[0] + a[1] * v[1] + a[2] * v[2], a[3] * v[0] + a[4] * v[1] + a[5] * v[2],
            a[6] * v[0] + a[7] * v[1] + a[8] * v[2])


@njit(inline="always")
def _mtv(a, v):
    return (a[0] * v[0] + a[3] * v[1] + a[6] * v[2], a[1] * v[0] + a[4] * v[1] + a[7] * v[2],
            a[2] * v[0] + a[5] * v[1] + a[8] * v[2])


@njit(inline="always")
def _cross(u, v):
    return (u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0])


@njit(inline="always")
def _ax(a):
    """ax(M) = (M₂₁ − M₁₂, M₀₂ − M₂₀, M₁₀ − M₀₁)."""
    return (a[7] - a[5], a[2] - a[6], a[3] - a[1])


@njit(inline="always", fastmath=True, error_model="numpy")
def _inv3(a):
    c00 = a[4] * a[8] - a[5] * a[7]
    c01 = a[5] * a[6] - a[3] * a[8]
    c02 = a[3] * a[7] - a[4] * a[6]
    s = 1.0 / (a[0] * c00 + a[1] * c01 + a[2] * c02)
    return (c00 * s, (a[2] * a[7] - a[1] * a[8]) * s, (a[1] * a[5] - a[2] * a[4]) * s,
            c01 * s, (a[0] * a[8] - a[2] * a[6]) * s, (a[2] * a[3] - a[0] * a[5]) * s,
            c02 * s, (a[1] * a[6] - a[0] * a[7]) * s, (a[0] * a[4] - a[1] * a[3]) * s)


@njit(inline="always", fastmath=True, error_model="numpy")
def rate_one(m, xi, g, x, alpha, noise, kt, inv_hs, corrected):
    """:func:`rate` for one spin on tuples: m, xi, g 3-tuples; x, alpha, noise 9-tuples (row-major); kt float.

    Returns (K(B + ξ), c): the drift without and the noise-induced part (zeros unless ``corrected``).
    The same formulas as :func:`rate` with n = 1 (tests/test_stochastic_calculus.py checks that they agree
    to rounding), written so that the 3 × 3 algebra stays in registers: 6× faster than the general kernel.
    """
    col0 = (alpha[0], alpha[3], alpha[6])
    col1 = (alpha[1], alpha[4], alpha[7])
    col2 = (alpha[2], alpha[5], alpha[8])
    a0 = _cross(m, col0)  # column j of A = e_j + m × α[:, j]
    a1 = _cross(m, col1)
    a2 = _cross(m, col2)
    ai = _inv3((1.0 + a0[0], a1[0], a2[0], a0[1], 1.0 + a1[1], a2[1], a0[2], a1[2], 1.0 + a2[2]))
    k0 = _cross((ai[0], ai[1], ai[2]), m)  # row i of K·ħS = (row i of A⁻¹) × m
    k1 = _cross((ai[3], ai[4], ai[5]), m)
    k2 = _cross((ai[6], ai[7], ai[8]), m)
    k = (k0[0] * inv_hs, k0[1] * inv_hs, k0[2] * inv_hs, k1[0] * inv_hs, k1[1] * inv_hs, k1[2] * inv_hs,
         k2[0] * inv_hs, k2[1] * inv_hs, k2[2] * inv_hs)
    xm = _mv(x, m)
    out = _mv(k, (g[0] + xm[0] + xi[0], g[1] + xm[1] + xi[1], g[2] + xm[2] + xi[2]))
    if not corrected:
        return out, (0.0, 0.0, 0.0)
    ak0 = _mtv(k, (alpha[0], alpha[1], alpha[2]))  # row i of α K
    ak1 = _mtv(k, (alpha[3], alpha[4], alpha[5]))
    ak2 = _mtv(k, (alpha[6], alpha[7], alpha[8]))
    r = (inv_hs - ak0[0], -ak0[1], -ak0[2], -ak1[0], inv_hs - ak1[1], -ak1[2], -ak2[0], -ak2[1], inv_hs - ak2[2])
    axr = _ax(r)
    mrm = _cross(m, _mv(r, m))
    dk = _mv(ai, (axr[0] - mrm[0], axr[1] - mrm[1], axr[2] - mrm[2]))
    axa = _ax(ai)
    ym = _cross(_mtv(ai, m), m)
    dkt = _mtv(r, (axa[0] - ym[0], axa[1] - ym[1], axa[2] - ym[2]))
    kt_ = _mv(k, _mv(noise, dkt))
    c0 = 0.5 * (kt_[0] + kt * (dk[0] - dkt[0]))
    c1 = 0.5 * (kt_[1] + kt * (dk[1] - dkt[1]))
    c2 = 0.5 * (kt_[2] + kt * (dk[2] - dkt[2]))
    radial = c0 * m[0] + c1 * m[1] + c2 * m[2]
    return out, (c0 - radial * m[0], c1 - radial * m[1], c2 - radial * m[2])

@njit(inline="always")
def _noise_one(l9, sq, state):
    """ξ = L z·sq for one spin (3-tuple), L a row-major 9-tuple, z three fresh standard normal numbers."""
    z0 = normal(state)
    z1 = normal(state)
    z2 = normal(state)
    return ((l9[0] * z0 + l9[1] * z1 + l9[2] * z2) * sq, (l9[3] * z0 + l9[4] * z1 + l9[5] * z2) * sq,
            (l9[6] * z0 + l9[7] * z1 + l9[8] * z2) * sq)


@njit(fastmath=True, error_model="numpy")
def heun_one(m, nsteps, dt, g, x, alpha, lnoise, noise, kt, inv_hs, corrected, acc, accumulate, state):
    """:func:`heun_general` for one spin (state (3,)), with :func:`~dimer_core.spins.drift.rate_one` (registers).

    The noise-induced drift c is evaluated once per step, at its start, and used in both stages: the
    scheme's Itô drift is unchanged to O(dt) (weak order 1 either way) and the step costs 1.8 → 1.4× the
    plain Stratonovich step (benchmarks/bench_dynamics.py).  Without c (``corrected`` False) it is
    :func:`heun_general` to rounding (tests/test_stochastic_calculus.py)."""
    sq = 1.0 / math.sqrt(dt)
    g3 = (g[0], g[1], g[2])
    x9, a9, n9, l9 = as_tuple9(x), as_tuple9(alpha), as_tuple9(noise), as_tuple9(lnoise)
    m0, m1, m2 = m[0], m[1], m[2]
    for _ in range(nsteps):
        xi = _noise_one(l9, sq, state)
        k1, c = rate_one((m0, m1, m2), xi, g3, x9, a9, n9, kt, inv_hs, corrected)
        p0, p1, p2 = m0 + dt * (k1[0] + c[0]), m1 + dt * (k1[1] + c[1]), m2 + dt * (k1[2] + c[2])
        s = 1.0 / math.sqrt(p0 * p0 + p1 * p1 + p2 * p2)
        k2, _ = rate_one((p0 * s, p1 * s, p2 * s), xi, g3, x9, a9, n9, kt, inv_hs, False)
        p0 = m0 + 0.5 * dt * (k1[0] + k2[0]) + dt * c[0]
        p1 = m1 + 0.5 * dt * (k1[1] + k2[1]) + dt * c[1]
        p2 = m2 + 0.5 * dt * (k1[2] + k2[2]) + dt * c[2]
        s = 1.0 / math.sqrt(p0 * p0 + p1 * p1 + p2 * p2)
        m0, m1, m2 = p0 * s, p1 * s, p2 * s
        if accumulate:
            acc[0] += m0
            acc[1] += m1
            acc[2] += m2
    m[0], m[1], m[2] = m0, m1, m2


@njit(fastmath=True, error_model="numpy")
def midpoint_one(m, nsteps, dt, g, x, alpha, lnoise, noise, kt, inv_hs, corrected, acc, accumulate, state):
    """:func:`midpoint_steps` for one spin (state (3,)), with :func:`~dimer_core.spins.drift.rate_one` and
    :func:`cayley_one` on registers: the same scheme, the same numbers to rounding
    (tests/test_stochastic_calculus.py), at a fifth of the cost (benchmarks/bench_integrators.py)."""
    sq = 1.0 / math.sqrt(dt)
    h = 0.5 * dt
    g3 = (g[0], g[1], g[2])
    x9, a9, n9, l9 = as_tuple9(x), as_tuple9(alpha), as_tuple9(noise), as_tuple9(lnoise)
    m3 = (m[0], m[1], m[2])
    for _ in range(nsteps):
        xi = _noise_one(l9, sq, state)
        k, c = rate_one(m3, xi, g3, x9, a9, n9, kt, inv_hs, corrected)
        new = cayley_one(m3, m3, (k[0] + c[0], k[1] + c[1], k[2] + c[2]), h)
        for _ in range(MIDPOINT_CORRECTIONS):
            u0, u1, u2 = 0.5 * (m3[0] + new[0]), 0.5 * (m3[1] + new[1]), 0.5 * (m3[2] + new[2])
            s = 1.0 / math.sqrt(u0 * u0 + u1 * u1 + u2 * u2)
            u = (u0 * s, u1 * s, u2 * s)
            k, c = rate_one(u, xi, g3, x9, a9, n9, kt, inv_hs, corrected)
            new = cayley_one(m3, u, (k[0] + c[0], k[1] + c[1], k[2] + c[2]), h)
        m3 = new
        if accumulate:
            acc[0] += m3[0]
            acc[1] += m3[1]
            acc[2] += m3[2]
    m[0], m[1], m[2] = m3
