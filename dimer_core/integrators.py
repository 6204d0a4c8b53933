"""Step kernels of the stochastic LLG for n free spins, chosen by name (numba).

Each kernel advances the state m = (m_1, …, m_n) (3n,) of :mod:`dimer_core.drift` by a number of steps of
the Stratonovich SDE ṁ = K(m)·(B(m) + ξ) + c(m) (c: the noise-induced drift, only with ``corrected``),
drawing ξ = L z/√dt (L Lᵀ = N, z standard normal, 3n per step) from the trajectory's own generator
(:mod:`dimer_core.rng`).  Both converge weakly with order 1 to the same equation (docs/stochastic.md,
"The midpoint integrator"; measured in tests/test_stochastic_calculus.py):

``heun``
    Heun's predictor–corrector, each stage renormalised to |m_a| = 1 (the default).  One spin runs a
    register-held copy (:func:`heun_one`) that evaluates c once per step.
``midpoint``
    The implicit midpoint rule m' = m + dt·ω(m̄) × m̄, m̄ = (m + m')/2, solved by the semi-implicit
    predictor of Mentink et al., J. Phys.: Condens. Matter 22, 176001 (2010) and
    :data:`MIDPOINT_CORRECTIONS` fixed-point passes.  Each spin's step is a rotation (Cayley form),
    so |m_a| = 1 holds to rounding with no renormalisation.  One kernel for any n.

:func:`advance` runs the kernel of an :func:`integrator_code`.
"""
import math

import numpy as np
from numba import njit

from .drift import as_tuple9, rate, rate_one, renormalise, workspace
from .rng import normal

__all__ = ["INTEGRATORS", "MIDPOINT_CORRECTIONS", "integrator_code", "advance", "heun_steps", "heun_one",
           "heun_general", "midpoint_steps", "cayley_rotate"]

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
    """:func:`heun_general` for one spin (state (3,)), with :func:`~dimer_core.drift.rate_one` (registers).

    The noise-induced drift c is evaluated once per step, at its start, and used in both stages: the
    scheme's Itô drift is unchanged to O(dt) (weak order 1 either way) and the step costs 1.8 → 1.4× the
    plain Stratonovich step (benchmarks/bench_dynamics.py).  Without c (``corrected`` False) it is
    :func:`heun_general` to rounding (tests/test_stochastic_calculus.py)."""
    sq = 1.0 / math.sqrt(dt)
    g3 = (g[0], g[1], g[2])
    x9, a9, n9, l9 = as_tuple9(x), as_tuple9(alpha), as_tuple9(noise), as_tuple9(lnoise)
    m0, m1, m2 = m[0], m[1], m[2]
    for _ in range(nsteps):
        z0 = normal(state)
        z1 = normal(state)
        z2 = normal(state)
        xi = ((l9[0] * z0 + l9[1] * z1 + l9[2] * z2) * sq, (l9[3] * z0 + l9[4] * z1 + l9[5] * z2) * sq,
              (l9[6] * z0 + l9[7] * z1 + l9[8] * z2) * sq)
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
    z = np.empty(d)
    xi = np.empty(d)
    k1 = np.empty(d)
    k2 = np.empty(d)
    p = np.empty(d)
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
def cayley_rotate(m, u, v, h, out):
    """out_a = Cay(h ω_a) m_a for each spin, ω_a = u_a × v_a: the rotation that solves
    out_a = m_a + 2h·ω_a × (m_a + out_a)/2 (|out_a| = |m_a| exactly).

    u (3n,): unit vectors; v (3n,): a velocity tangent at u (1/ps), so ω_a × u_a = v_a; h: half the step
    (ps).  Cay(a)·m = m + 2/(1 + |a|²)·(a × m + a × (a × m))."""
    for s in range(m.shape[0] // 3):
        o = 3 * s
        u0, u1, u2 = u[o], u[o + 1], u[o + 2]
        v0, v1, v2 = v[o], v[o + 1], v[o + 2]
        a0, a1, a2 = h * (u1 * v2 - u2 * v1), h * (u2 * v0 - u0 * v2), h * (u0 * v1 - u1 * v0)
        m0, m1, m2 = m[o], m[o + 1], m[o + 2]
        b0, b1, b2 = a1 * m2 - a2 * m1, a2 * m0 - a0 * m2, a0 * m1 - a1 * m0  # a × m
        c0, c1, c2 = a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0  # a × (a × m)
        f = 2.0 / (1.0 + a0 * a0 + a1 * a1 + a2 * a2)
        out[o] = m0 + f * (b0 + c0)
        out[o + 1] = m1 + f * (b1 + c1)
        out[o + 2] = m2 + f * (b2 + c2)


@njit(cache=True, inline="always", fastmath=True, error_model="numpy")
def _velocity(m, xi, g, x, alpha, noise, kt, inv_hs, corrected, ws, tuples, out):
    """out = K(m)·(B(m) + ξ) + c(m): :func:`~dimer_core.drift.rate_one` (registers) for one spin, with the
    model's 3 × 3 matrices as ``tuples`` (x, alpha, noise), else :func:`~dimer_core.drift.rate`."""
    if m.shape[0] == 3:
        k, c = rate_one((m[0], m[1], m[2]), (xi[0], xi[1], xi[2]), (g[0], g[1], g[2]), tuples[0], tuples[1],
                        tuples[2], kt[0], inv_hs, corrected)
        out[0], out[1], out[2] = k[0] + c[0], k[1] + c[1], k[2] + c[2]
    else:
        rate(m, xi, g, x, alpha, noise, kt, inv_hs, corrected, ws, out)


@njit(cache=True, fastmath=True, error_model="numpy")
def midpoint_steps(m, nsteps, dt, g, x, alpha, lnoise, noise, kt, inv_hs, corrected, acc, accumulate, state):
    """Advance the state m (3n,) by nsteps midpoint steps (arguments as :func:`heun_general`).

    Per step, with ξ held: the predictor m' = Cay(dt/2·ω(m)) m, then :data:`MIDPOINT_CORRECTIONS` passes
    m' = Cay(dt/2·ω(u)) m with u the midpoint (m + m')/2 renormalised spin by spin; ω_a = u_a × v_a and
    v = K(u)(B(u) + ξ) + c(u) (docs/stochastic.md, "The midpoint integrator")."""
    d = m.shape[0]
    ws = workspace(d)
    tuples = (as_tuple9(x), as_tuple9(alpha), as_tuple9(noise))
    sq = 1.0 / math.sqrt(dt)
    h = 0.5 * dt
    z = np.empty(d)
    xi = np.empty(d)
    v = np.empty(d)
    u = np.empty(d)
    new = np.empty(d)
    for _ in range(nsteps):
        _draw_noise(lnoise, sq, z, xi, state)
        _velocity(m, xi, g, x, alpha, noise, kt, inv_hs, corrected, ws, tuples, v)
        cayley_rotate(m, m, v, h, new)
        for _ in range(MIDPOINT_CORRECTIONS):
            for i in range(d):
                u[i] = 0.5 * (m[i] + new[i])
            renormalise(u)
            _velocity(u, xi, g, x, alpha, noise, kt, inv_hs, corrected, ws, tuples, v)
            cayley_rotate(m, u, v, h, new)
        for i in range(d):
            m[i] = new[i]
        if accumulate:
            _accumulate(m, acc)


@njit(cache=True, fastmath=True, error_model="numpy")
def advance(code, m, nsteps, dt, g, x, alpha, lnoise, noise, kt, inv_hs, corrected, acc, accumulate, state):
    """The kernel of ``code`` (:func:`integrator_code`) on one trajectory (arguments as :func:`heun_general`)."""
    if code == 1:
        midpoint_steps(m, nsteps, dt, g, x, alpha, lnoise, noise, kt, inv_hs, corrected, acc, accumulate, state)
    else:
        heun_steps(m, nsteps, dt, g, x, alpha, lnoise, noise, kt, inv_hs, corrected, acc, accumulate, state)
