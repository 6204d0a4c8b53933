"""Step kernels of the stochastic LLG for n free spins, chosen by name (numba).

Each kernel advances the state m = (m_1, …, m_n) (3n,) of :mod:`dimer_core.spins.drift` by a number of steps of
the Stratonovich SDE ṁ = K(m)·(B(m) + ξ) + c(m) (c: the noise-induced drift, only with ``corrected``),
drawing ξ = L z/√dt (L Lᵀ = N, z standard normal, 3n per step) from the trajectory's own generator
(:mod:`dimer_core.spins.rng`).  Both converge weakly with order 1 to the same equation (docs/stochastic.md,
"The midpoint integrator"; measured in tests/test_stochastic_calculus.py):

``heun``
    Heun's predictor–corrector, each stage renormalised to |m_a| = 1 (the default).  One spin runs a
    register-held copy (:func:`heun_one`) that evaluates c once per step.
``midpoint``
    The implicit midpoint rule m' = m + dt·ω(m̄) × m̄, m̄ = (m + m')/2, solved by the semi-implicit
    predictor of Mentink et al., J. Phys.: Condens. Matter 22, 176001 (2010) and
    :data:`MIDPOINT_CORRECTIONS` fixed-point passes.  Each spin's step is a rotation (Cayley form),
    so |m_a| = 1 holds to rounding with no renormalisation.  :func:`midpoint_steps` for any n; one spin runs
    a register-held copy of the same scheme (:func:`midpoint_one`, 4.6× faster; the same numbers to rounding).

:func:`advance` runs the kernel of an :func:`integrator_code`.
"""
import math

import numpy as np
from numba import njit

from .drift import as_tuple9, rate, rate_one, renormalise, workspace
from .rng import normal

__all__ = ["INTEGRATORS", "MIDPOINT_CORRECTIONS", "integrator_code", "advance", "heun_steps", "heun_one",
           "heun_general", "midpoint_steps", "midpoint_one", "cayley_one", "cayley_rotate"]

INTEGRATORS = ("heun", "midpoint")
"""Names of the schemes, in the order of their codes (:func:`integrator_code`)."""

MIDPOINT_CORRECTIONS = 1
"""Fixed-point passes of the midpoint rule after its predictor: 1 is the semi-implicit scheme (SIB) of
Mentink et al. (2010); each further pass costs one drift evaluation and brings the step closer to the
implicit midpoint by a factor O(√dt)."""


def integrator_code(integrator):
    """The kernel code (index in :data:`INTEGRATORS`) of a scheme's name; refuses unknown names."""
    if integrator not in INTEGRATORS:
        raise ValueError(f"integrator = {integrator!r} is not known; allowed: {', '.join(INTEGRATORS)}")
    return INTEGRATORS.index(integrator)


@njit(cache=True, inline="always")
def _vectors(d):
    """Five scratch vectors of length d (one trajectory's, allocated once)."""
    return np.empty(d), np.empty(d), np.empty(d), np.empty(d), np.empty(d)


@njit(cache=True, inline="always")
def _draw_noise(lnoise, sq, z, xi, state):
    """xi = L z·sq with z (3n,) fresh standard normal numbers."""
    d = z.shape[0]
    for i in range(d):
        z[i] = normal(state)
    for i in range(d):
        s = 0.0
        for j in range(d):
            s += lnoise[i, j] * z[j]
        xi[i] = s * sq


@njit(cache=True, inline="always")
def _noise_one(l9, sq, state):
    """ξ = L z·sq for one spin (3-tuple), L a row-major 9-tuple, z three fresh standard normal numbers."""
    z0 = normal(state)
    z1 = normal(state)
    z2 = normal(state)
    return ((l9[0] * z0 + l9[1] * z1 + l9[2] * z2) * sq, (l9[3] * z0 + l9[4] * z1 + l9[5] * z2) * sq,
            (l9[6] * z0 + l9[7] * z1 + l9[8] * z2) * sq)


@njit(cache=True, inline="always")
def _accumulate(m, acc):
    """Add m (3n,) and the pair products m_a·m_b (a < b) to acc."""
    d = m.shape[0]
    n = d // 3
    for i in range(d):
        acc[i] += m[i]
    q = d
    for a in range(n):
        for b in range(a + 1, n):
            acc[q] += m[3 * a] * m[3 * b] + m[3 * a + 1] * m[3 * b + 1] + m[3 * a + 2] * m[3 * b + 2]
            q += 1


@njit(cache=True, fastmath=True, error_model="numpy")
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


@njit(cache=True, fastmath=True, error_model="numpy")
def heun_general(m, nsteps, dt, g, x, alpha, lnoise, noise, kt, inv_hs, corrected, acc, accumulate, state):
    """Advance the state m (3n,) by nsteps Heun steps drawing from ``state``, any n (one spin included); if
    accumulate, add m and the pair products m_a·m_b (a < b) to acc after each step.

    g (3n,), x (3n, 3n): B = g + x·m (meV); alpha (3n, 3n); lnoise (3n, 3n): L with L Lᵀ = N; noise: N
    (meV²·ps); kt (n,): k_B·T_a (meV); inv_hs = 1/ħS (1/(meV·ps)); dt (ps)."""
    d = m.shape[0]
    ws = workspace(d)
    sq = 1.0 / math.sqrt(dt)
    z, xi, k1, k2, p = _vectors(d)
    for _ in range(nsteps):
        _draw_noise(lnoise, sq, z, xi, state)
        rate(m, xi, g, x, alpha, noise, kt, inv_hs, corrected, ws, k1)
        for i in range(d):
            p[i] = m[i] + dt * k1[i]
        renormalise(p)
        rate(p, xi, g, x, alpha, noise, kt, inv_hs, corrected, ws, k2)
        for i in range(d):
            m[i] += 0.5 * dt * (k1[i] + k2[i])
        renormalise(m)
        if accumulate:
            _accumulate(m, acc)


@njit(cache=True, fastmath=True, error_model="numpy")
def heun_steps(m, nsteps, dt, g, x, alpha, lnoise, noise, kt, inv_hs, corrected, acc, accumulate, state):
    """The Heun scheme: :func:`heun_one` for one spin, else :func:`heun_general` (arguments as there)."""
    if m.shape[0] == 3:
        heun_one(m, nsteps, dt, g, x, alpha, lnoise, noise, kt[0], inv_hs, corrected, acc, accumulate, state)
    else:
        heun_general(m, nsteps, dt, g, x, alpha, lnoise, noise, kt, inv_hs, corrected, acc, accumulate, state)


@njit(cache=True, inline="always", fastmath=True, error_model="numpy")
def cayley_one(m, u, v, h):
    """Cay(h ω)·m for one spin (3-tuples), ω = u × v: the rotation that solves m' = m + 2h·ω × (m + m')/2,
    so |m'| = |m| exactly.

    u: a unit vector; v: a velocity tangent at u (1/ps), so ω × u = v; h: half the step (ps).
    Cay(a)·m = m + 2/(1 + |a|²)·(a × m + a × (a × m))."""
    a0, a1, a2 = h * (u[1] * v[2] - u[2] * v[1]), h * (u[2] * v[0] - u[0] * v[2]), h * (u[0] * v[1] - u[1] * v[0])
    b0, b1, b2 = a1 * m[2] - a2 * m[1], a2 * m[0] - a0 * m[2], a0 * m[1] - a1 * m[0]  # a × m
    c0, c1, c2 = a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0  # a × (a × m)
    f = 2.0 / (1.0 + a0 * a0 + a1 * a1 + a2 * a2)
    return m[0] + f * (b0 + c0), m[1] + f * (b1 + c1), m[2] + f * (b2 + c2)


@njit(cache=True, inline="always", fastmath=True, error_model="numpy")
def cayley_rotate(m, u, v, h, out):
    """:func:`cayley_one` for each spin of the states (3n,): out_a = Cay(h·u_a × v_a)·m_a."""
    for s in range(m.shape[0] // 3):
        o = 3 * s
        out[o], out[o + 1], out[o + 2] = cayley_one((m[o], m[o + 1], m[o + 2]), (u[o], u[o + 1], u[o + 2]),
                                                    (v[o], v[o + 1], v[o + 2]), h)


@njit(cache=True, fastmath=True, error_model="numpy")
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


@njit(cache=True, fastmath=True, error_model="numpy")
def midpoint_steps(m, nsteps, dt, g, x, alpha, lnoise, noise, kt, inv_hs, corrected, acc, accumulate, state):
    """Advance the state m (3n,) by nsteps midpoint steps (arguments as :func:`heun_general`).

    Per step, with ξ held: the predictor m' = Cay(dt/2·ω(m)) m, then :data:`MIDPOINT_CORRECTIONS` passes
    m' = Cay(dt/2·ω(u)) m with u the midpoint (m + m')/2 renormalised spin by spin; ω_a = u_a × v_a and
    v = K(u)(B(u) + ξ) + c(u) (docs/stochastic.md, "The midpoint integrator")."""
    d = m.shape[0]
    ws = workspace(d)
    sq = 1.0 / math.sqrt(dt)
    h = 0.5 * dt
    z, xi, v, u, new = _vectors(d)
    for _ in range(nsteps):
        _draw_noise(lnoise, sq, z, xi, state)
        rate(m, xi, g, x, alpha, noise, kt, inv_hs, corrected, ws, v)
        cayley_rotate(m, m, v, h, new)
        for _ in range(MIDPOINT_CORRECTIONS):
            for i in range(d):
                u[i] = 0.5 * (m[i] + new[i])
            renormalise(u)
            rate(u, xi, g, x, alpha, noise, kt, inv_hs, corrected, ws, v)
            cayley_rotate(m, u, v, h, new)
        for i in range(d):
            m[i] = new[i]
        if accumulate:
            _accumulate(m, acc)


@njit(cache=True, fastmath=True, error_model="numpy")
def advance(code, m, nsteps, dt, g, x, alpha, lnoise, noise, kt, inv_hs, corrected, acc, accumulate, state):
    """The kernel of ``code`` (:func:`integrator_code`) on one trajectory (arguments as :func:`heun_general`)."""
    if code == 1 and m.shape[0] == 3:
        midpoint_one(m, nsteps, dt, g, x, alpha, lnoise, noise, kt[0], inv_hs, corrected, acc, accumulate, state)
    elif code == 1:
        midpoint_steps(m, nsteps, dt, g, x, alpha, lnoise, noise, kt, inv_hs, corrected, acc, accumulate, state)
    else:
        heun_steps(m, nsteps, dt, g, x, alpha, lnoise, noise, kt, inv_hs, corrected, acc, accumulate, state)
