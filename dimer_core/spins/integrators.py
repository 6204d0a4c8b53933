"""Step kernels of the stochastic LLG for n free spins, chosen by name (numba).

Each kernel advances the state m = (m_1, …, m_n) (3n,) of :mod:`dimer_core.spins.drift` by a number of steps of
the Stratonovich SDE ṁ = K(m)·(B(m) + ξ) + c(m) (c: the noise-induced drift, only with ``corrected``),
drawing ξ = L z/√dt (L Lᵀ = N, z standard normal, 3n per step) from the trajectory's own generator
(:mod:`dimer_core.spins.rng`).  Both converge weakly with order 1 to the same equation (docs/stochastic.md,
"The midpoint integrator"; measured in tests/test_stochastic_calculus.py).  One kernel per scheme serves every n:
the pinned spin is n = 1 (the drift :func:`~dimer_core.spins.drift.rate` works on 3 × 3 blocks in registers, so
one spin costs what a hand-written one-spin kernel did, benchmarks/bench_integrators.py):

``heun``
    Heun's predictor–corrector, each stage renormalised to |m_a| = 1 (the default).  The noise-induced drift
    c is evaluated once per step, at its start, and used in both stages: the scheme's Itô drift is unchanged
    to O(dt) (weak order 1 either way) at two thirds of the cost of evaluating it twice.
``midpoint``
    The implicit midpoint rule m' = m + dt·ω(m̄) × m̄, m̄ = (m + m')/2, solved by the semi-implicit
    predictor of Mentink et al., J. Phys.: Condens. Matter 22, 176001 (2010) and
    :data:`MIDPOINT_CORRECTIONS` fixed-point passes.  Each spin's step is a rotation (Cayley form),
    so |m_a| = 1 holds to rounding with no renormalisation.

:func:`advance` runs the kernel of an :func:`integrator_code`.
"""
import math

import numpy as np
from numba import njit

from .drift import rate, workspace
from .rng import normal

__all__ = ["INTEGRATORS", "MIDPOINT_CORRECTIONS", "integrator_code", "advance", "heun_steps", "midpoint_steps",
           "cayley_one", "cayley_rotate"]

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
    """Six scratch vectors of length d (one trajectory's, allocated once)."""
    return np.empty(d), np.empty(d), np.empty(d), np.empty(d), np.empty(d), np.empty(d)


@njit(cache=True, inline="always")
def _draw_noise(lnoise, sq, z, xi, state):
    """xi = L z·sq with z (3n,) fresh standard normal numbers, spin by spin (3 × 3 blocks of L)."""
    d = z.shape[0]
    for i in range(d):
        z[i] = normal(state)
    for a in range(d // 3):
        o = 3 * a
        s0 = s1 = s2 = 0.0
        for j in range(d):
            s0 += lnoise[o, j] * z[j]
            s1 += lnoise[o + 1, j] * z[j]
            s2 += lnoise[o + 2, j] * z[j]
        xi[o], xi[o + 1], xi[o + 2] = s0 * sq, s1 * sq, s2 * sq


@njit(cache=True, inline="always")
def _unit(x0, x1, x2):
    """(x0, x1, x2)/|x|."""
    s = 1.0 / math.sqrt(x0 * x0 + x1 * x1 + x2 * x2)
    return x0 * s, x1 * s, x2 * s


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
def heun_steps(m, nsteps, dt, g, x, alpha, lnoise, noise, kt, inv_hs, corrected, acc, accumulate, state):
    """Advance the state m (3n,) by nsteps Heun steps drawing from ``state``; if accumulate, add m and the pair
    products m_a·m_b (a < b) to acc after each step.

    g (3n,), x (3n, 3n): B = g + x·m (meV); alpha (3n, 3n); lnoise (3n, 3n): L with L Lᵀ = N; noise: N
    (meV²·ps); kt (n,): k_B·T_a (meV); inv_hs = 1/ħS (1/(meV·ps)); dt (ps).  Per step, with ξ held:
    p = m + dt·(k(m) + c(m)), renormalised; m' = m + ½dt·(k(m) + k(p)) + dt·c(m), renormalised
    (k = K(B + ξ), c the noise-induced drift)."""
    d = m.shape[0]
    ws = workspace(d)
    sq = 1.0 / math.sqrt(dt)
    z, xi, k1, k2, c, p = _vectors(d)
    none = np.empty(d)  # the second stage's c: not evaluated (zeros)
    for _ in range(nsteps):
        _draw_noise(lnoise, sq, z, xi, state)
        rate(m, xi, g, x, alpha, noise, kt, inv_hs, corrected, ws, k1, c)
        for o in range(0, d, 3):  # spin by spin: the predictor, renormalised
            p[o], p[o + 1], p[o + 2] = _unit(m[o] + dt * (k1[o] + c[o]), m[o + 1] + dt * (k1[o + 1] + c[o + 1]),
                                             m[o + 2] + dt * (k1[o + 2] + c[o + 2]))
        rate(p, xi, g, x, alpha, noise, kt, inv_hs, False, ws, k2, none)
        h = 0.5 * dt
        for o in range(0, d, 3):
            m[o], m[o + 1], m[o + 2] = _unit(m[o] + h * (k1[o] + k2[o]) + dt * c[o],
                                             m[o + 1] + h * (k1[o + 1] + k2[o + 1]) + dt * c[o + 1],
                                             m[o + 2] + h * (k1[o + 2] + k2[o + 2]) + dt * c[o + 2])
        if accumulate:
            _accumulate(m, acc)


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
def cayley_rotate(m, u, v, c, h, out):
    """:func:`cayley_one` for each spin of the states (3n,): out_a = Cay(h·u_a × (v_a + c_a))·m_a."""
    for o in range(0, m.shape[0], 3):
        out[o], out[o + 1], out[o + 2] = cayley_one((m[o], m[o + 1], m[o + 2]), (u[o], u[o + 1], u[o + 2]),
                                                    (v[o] + c[o], v[o + 1] + c[o + 1], v[o + 2] + c[o + 2]), h)


@njit(cache=True, fastmath=True, error_model="numpy")
def midpoint_steps(m, nsteps, dt, g, x, alpha, lnoise, noise, kt, inv_hs, corrected, acc, accumulate, state):
    """Advance the state m (3n,) by nsteps midpoint steps (arguments as :func:`heun_steps`).

    Per step, with ξ held: the predictor m' = Cay(dt/2·ω(m)) m, then :data:`MIDPOINT_CORRECTIONS` passes
    m' = Cay(dt/2·ω(u)) m with u the midpoint (m + m')/2 renormalised spin by spin; ω_a = u_a × v_a and
    v = K(u)(B(u) + ξ) + c(u) (docs/stochastic.md, "The midpoint integrator")."""
    d = m.shape[0]
    ws = workspace(d)
    sq = 1.0 / math.sqrt(dt)
    h = 0.5 * dt
    z, xi, v, c, u, new = _vectors(d)
    for _ in range(nsteps):
        _draw_noise(lnoise, sq, z, xi, state)
        rate(m, xi, g, x, alpha, noise, kt, inv_hs, corrected, ws, v, c)
        cayley_rotate(m, m, v, c, h, new)
        for _ in range(MIDPOINT_CORRECTIONS):
            for o in range(0, d, 3):
                u[o], u[o + 1], u[o + 2] = _unit(m[o] + new[o], m[o + 1] + new[o + 1], m[o + 2] + new[o + 2])
            rate(u, xi, g, x, alpha, noise, kt, inv_hs, corrected, ws, v, c)
            cayley_rotate(m, u, v, c, h, new)
        for o in range(0, d, 3):
            m[o], m[o + 1], m[o + 2] = new[o], new[o + 1], new[o + 2]
        if accumulate:
            _accumulate(m, acc)


@njit(cache=True, fastmath=True, error_model="numpy")
def advance(code, m, nsteps, dt, g, x, alpha, lnoise, noise, kt, inv_hs, corrected, acc, accumulate, state):
    """The kernel of ``code`` (:func:`integrator_code`) on one trajectory (arguments as :func:`heun_steps`)."""
    if code == 1:
        midpoint_steps(m, nsteps, dt, g, x, alpha, lnoise, noise, kt, inv_hs, corrected, acc, accumulate, state)
    else:
        heun_steps(m, nsteps, dt, g, x, alpha, lnoise, noise, kt, inv_hs, corrected, acc, accumulate, state)
