"""The drift of the stochastic LLG for n free spins, noise-induced part included (numba).

The state m = (m_1, …, m_n) holds n unit vectors as a 3n-vector.  The paper's
Eq. (8), ħS ṁ_a = m_a × [B_a + ξ_a − ħS Σ_b α_ab ṁ_b], solved for ṁ reads

    ṁ = K(m)·(B(m) + ξ),   K = (1 + P α)⁻¹ P / ħS,   P = blockdiag([m_a ×])

(K: the mobility, 1/(meV·ps); B(m) = g + X·m, affine in m, meV; α the 3n × 3n
damping; <ξ(t) ξ(t')ᵀ> = N δ(t − t'), meV²·ps).  The equation integrated is the
Itô SDE of docs/stochastic.md, Eq. (S9):

    dm = [K·B + ½ div D + Θ·div Kᵃ] dt + K·L dW,    D = K N Kᵀ,  L Lᵀ = N,

with div the divergence on the product of spheres (the flat divergence of
K(x/|x|), spin by spin, then its tangent part), Kᵃ = (K − Kᵀ)/2 and Θ = k_B·T_a
on the rows of spin a.  At fluctuation–dissipation (N = 2 k_B T ħS αˢ, V = 0)
the drift is K·B + k_B T·div K, which makes exp(−E/k_B T) stationary for any
damping matrix: the classical equilibrium (docs/stochastic.md, "Which drift makes exp(−E/k_B T) stationary").

Both schemes of :mod:`dimer_core.spins.integrators` (Heun, midpoint) converge to the Stratonovich
reading of ṁ = K(B + ξ) + c, whose Itô drift is K·B + c + ½ div D − ½ K N div Kᵀ.
So that it is the drift above, :func:`rate` adds (docs/stochastic.md, Eq. S8)

    c = ½ K N (div Kᵀ) + ½ Θ (div K − div Kᵀ)          (tangent part),

with the divergences in closed form (Eq. S7): with A = 1 + Pα, R = 1/ħS − αK,
ax(M) = (M₂₁ − M₁₂, M₀₂ − M₂₀, M₁₀ − M₀₁) and the (b, b) blocks R_b, A⁻¹_b,

    div K  = Σ_b A⁻¹[:, b]·(ax(R_b) − m_b × R_b m_b)
    div Kᵀ = Σ_b R[b, :]ᵀ·(ax(A⁻¹_b) − (A⁻¹_bᵀ m_b) × m_b).

``calculus = "stratonovich"`` leaves c out: the plain Stratonovich reading of
Eq. (8), kept to show what the rule changes.
"""
import math

import numpy as np
from numba import njit

CALCULI = ("boltzmann", "stratonovich")
"""``boltzmann``: the Itô SDE above (the default; exp(−E/k_B T) is stationary at
V = 0 for any damping); ``stratonovich``: Eq. (8) read as a plain Stratonovich SDE."""


def calculus_flag(calculus):
    """True where the noise-induced drift c is added; refuses unknown names."""
    if calculus not in CALCULI:
        raise ValueError(f"calculus = {calculus!r} is not known; allowed: {', '.join(CALCULI)}")
    return calculus == "boltzmann"


@njit(cache=True)
def workspace(d):
    """Scratch arrays of :func:`rate` for a 3n = d state (allocated once per trajectory)."""
    return (np.empty((d, d)), np.empty((d, d)), np.empty((d, d)), np.empty((d, d)), np.empty(d), np.empty(d),
            np.empty(d), np.empty(d))


@njit(cache=True, inline="always", fastmath=True, error_model="numpy")
def _invert3(a, out):
    """out = a⁻¹ for 3 × 3 arrays (or views), by cofactors."""
    c00 = a[1, 1] * a[2, 2] - a[1, 2] * a[2, 1]
    c01 = a[1, 2] * a[2, 0] - a[1, 0] * a[2, 2]
    c02 = a[1, 0] * a[2, 1] - a[1, 1] * a[2, 0]
    inv = 1.0 / (a[0, 0] * c00 + a[0, 1] * c01 + a[0, 2] * c02)
    out[0, 0] = c00 * inv
    out[1, 0] = c01 * inv
    out[2, 0] = c02 * inv
    out[0, 1] = (a[0, 2] * a[2, 1] - a[0, 1] * a[2, 2]) * inv
    out[1, 1] = (a[0, 0] * a[2, 2] - a[0, 2] * a[2, 0]) * inv
    out[2, 1] = (a[0, 1] * a[2, 0] - a[0, 0] * a[2, 1]) * inv
    out[0, 2] = (a[0, 1] * a[1, 2] - a[0, 2] * a[1, 1]) * inv
    out[1, 2] = (a[0, 2] * a[1, 0] - a[0, 0] * a[1, 2]) * inv
    out[2, 2] = (a[0, 0] * a[1, 1] - a[0, 1] * a[1, 0]) * inv


@njit(cache=True, inline="always", fastmath=True, error_model="numpy")
def _product3(a, b, out, sign):
    """out = sign·a·b for 3 × 3 arrays (or views)."""
    for i in range(3):
        for j in range(3):
            out[i, j] = sign * (a[i, 0] * b[0, j] + a[i, 1] * b[1, j] + a[i, 2] * b[2, j])


@njit(cache=True, inline="always", fastmath=True, error_model="numpy")
def _invert(a, out, d, scratch):
    """out = a⁻¹ (a is overwritten): by cofactors for d = 3, by the Schur complement of the 3 × 3 blocks for
    d = 6 (A = 1 + Pα: its diagonal blocks 1 + [m_a×]α_aa are invertible wherever the model is valid), else by
    Gauss–Jordan elimination with partial pivoting.  ``scratch``: a d × d array."""
    if d == 3:
        _invert3(a, out)
        return
    if d == 6:
        p11, x, y, t = out[:3, :3], out[:3, 3:], out[3:, :3], scratch[:3, :3]
        _invert3(a[:3, :3], p11)
        _product3(p11, a[:3, 3:], x, 1.0)           # X = A11⁻¹ A12
        _product3(a[3:, :3], p11, y, 1.0)           # Y = A21 A11⁻¹
        _product3(a[3:, :3], x, t, -1.0)
        for i in range(3):
            for j in range(3):
                t[i, j] += a[3 + i, 3 + j]          # S = A22 − A21 X
        s_inv = scratch[3:, 3:]
        _invert3(t, s_inv)
        _product3(x, s_inv, scratch[:3, 3:], -1.0)   # (A⁻¹)12 = −X S⁻¹
        _product3(s_inv, y, scratch[3:, :3], -1.0)   # (A⁻¹)21 = −S⁻¹ Y
        _product3(scratch[:3, 3:], y, t, -1.0)       # −(A⁻¹)12 Y = X S⁻¹ Y
        for i in range(3):
            for j in range(3):
                out[i, j] += t[i, j]                # (A⁻¹)11 = A11⁻¹ + X S⁻¹ Y
                out[i, 3 + j] = scratch[i, 3 + j]
                out[3 + i, j] = scratch[3 + i, j]
                out[3 + i, 3 + j] = s_inv[i, j]
        return
    for i in range(d):
        for j in range(d):
            out[i, j] = 1.0 if i == j else 0.0
    for c in range(d):
        p = c
        for r in range(c + 1, d):
            if abs(a[r, c]) > abs(a[p, c]):
                p = r
        if p != c:
            for k in range(d):
                a[c, k], a[p, k] = a[p, k], a[c, k]
                out[c, k], out[p, k] = out[p, k], out[c, k]
        s = 1.0 / a[c, c]
        for k in range(d):
            a[c, k] *= s
            out[c, k] *= s
        for r in range(d):
            if r != c:
                f = a[r, c]
                if f != 0.0:
                    for k in range(d):
                        a[r, k] -= f * a[c, k]
                        out[r, k] -= f * out[c, k]


@njit(cache=True, fastmath=True, error_model="numpy")
def rate(m, xi, g, x, alpha, noise, kt, inv_hs, corrected, ws, out):
    """out = ṁ = K(m)·(B(m) + ξ) + c(m) (1/ps) for the state m (3n,); c only if ``corrected``.

    g (3n,), x (3n, 3n): B = g + x·m (meV); alpha (3n, 3n); noise (3n, 3n): N (meV²·ps);
    kt (n,): k_B·T_a (meV) of the antisymmetric part; inv_hs = 1/ħS (1/(meV·ps)); ws from
    :func:`workspace`.
    """
    a, ai, k, r, f, dk, dkt, t = ws
    d = m.shape[0]
    n = d // 3
    for s in range(n):  # A = 1 + P α
        o = 3 * s
        m0, m1, m2 = m[o], m[o + 1], m[o + 2]
        for j in range(d):
            a[o, j] = m1 * alpha[o + 2, j] - m2 * alpha[o + 1, j]
            a[o + 1, j] = m2 * alpha[o, j] - m0 * alpha[o + 2, j]
            a[o + 2, j] = m0 * alpha[o + 1, j] - m1 * alpha[o, j]
        for i in range(3):
            a[o + i, o + i] += 1.0
    _invert(a, ai, d, r)
    for i in range(d):  # K = A⁻¹ P / ħS: row block b of K is (A⁻¹ row block b) × m_b
        for s in range(n):
            o = 3 * s
            y0, y1, y2 = ai[i, o], ai[i, o + 1], ai[i, o + 2]
            k[i, o] = (y1 * m[o + 2] - y2 * m[o + 1]) * inv_hs
            k[i, o + 1] = (y2 * m[o] - y0 * m[o + 2]) * inv_hs
            k[i, o + 2] = (y0 * m[o + 1] - y1 * m[o]) * inv_hs
    for i in range(d):
        acc = g[i] + xi[i]
        for j in range(d):
            acc += x[i, j] * m[j]
        f[i] = acc
    for i in range(d):
        acc = 0.0
        for j in range(d):
            acc += k[i, j] * f[j]
        out[i] = acc
    if not corrected:
        return
    for i in range(d):  # R = 1/ħS − α K
        for j in range(d):
            acc = inv_hs if i == j else 0.0
            for q in range(d):
                acc -= alpha[i, q] * k[q, j]
            r[i, j] = acc
    for i in range(d):
        dk[i] = 0.0
        dkt[i] = 0.0
    for s in range(n):
        o = 3 * s
        m0, m1, m2 = m[o], m[o + 1], m[o + 2]
        # div K += A⁻¹[:, b] (ax(R_b) − m_b × R_b m_b)
        rm0 = r[o, o] * m0 + r[o, o + 1] * m1 + r[o, o + 2] * m2
        rm1 = r[o + 1, o] * m0 + r[o + 1, o + 1] * m1 + r[o + 1, o + 2] * m2
        rm2 = r[o + 2, o] * m0 + r[o + 2, o + 1] * m1 + r[o + 2, o + 2] * m2
        z0 = r[o + 2, o + 1] - r[o + 1, o + 2] - (m1 * rm2 - m2 * rm1)
        z1 = r[o, o + 2] - r[o + 2, o] - (m2 * rm0 - m0 * rm2)
        z2 = r[o + 1, o] - r[o, o + 1] - (m0 * rm1 - m1 * rm0)
        for i in range(d):
            dk[i] += ai[i, o] * z0 + ai[i, o + 1] * z1 + ai[i, o + 2] * z2
        # div Kᵀ += R[b, :]ᵀ (ax(A⁻¹_b) − (A⁻¹_bᵀ m_b) × m_b)
        y0 = m0 * ai[o, o] + m1 * ai[o + 1, o] + m2 * ai[o + 2, o]
        y1 = m0 * ai[o, o + 1] + m1 * ai[o + 1, o + 1] + m2 * ai[o + 2, o + 1]
        y2 = m0 * ai[o, o + 2] + m1 * ai[o + 1, o + 2] + m2 * ai[o + 2, o + 2]
        u0 = ai[o + 2, o + 1] - ai[o + 1, o + 2] - (y1 * m2 - y2 * m1)
        u1 = ai[o, o + 2] - ai[o + 2, o] - (y2 * m0 - y0 * m2)
        u2 = ai[o + 1, o] - ai[o, o + 1] - (y0 * m1 - y1 * m0)
        for j in range(d):
            dkt[j] += u0 * r[o, j] + u1 * r[o + 1, j] + u2 * r[o + 2, j]
    for i in range(d):  # t = N div Kᵀ
        acc = 0.0
        for j in range(d):
            acc += noise[i, j] * dkt[j]
        t[i] = acc
    for s in range(n):  # c = ½ K t + ½ k_B T_a (div K − div Kᵀ), tangent part
        o = 3 * s
        c0 = c1 = c2 = 0.0
        for j in range(d):
            c0 += k[o, j] * t[j]
            c1 += k[o + 1, j] * t[j]
            c2 += k[o + 2, j] * t[j]
        c0 = 0.5 * (c0 + kt[s] * (dk[o] - dkt[o]))
        c1 = 0.5 * (c1 + kt[s] * (dk[o + 1] - dkt[o + 1]))
        c2 = 0.5 * (c2 + kt[s] * (dk[o + 2] - dkt[o + 2]))
        radial = c0 * m[o] + c1 * m[o + 1] + c2 * m[o + 2]
        out[o] += c0 - radial * m[o]
        out[o + 1] += c1 - radial * m[o + 1]
        out[o + 2] += c2 - radial * m[o + 2]


@njit(cache=True, inline="always")
def renormalise(m):
    """Each spin of the state (3n,) to unit length."""
    for s in range(m.shape[0] // 3):
        o = 3 * s
        inv = 1.0 / math.sqrt(m[o] * m[o] + m[o + 1] * m[o + 1] + m[o + 2] * m[o + 2])
        m[o] *= inv
        m[o + 1] *= inv
        m[o + 2] *= inv


@njit(cache=True)
def largest_correction(directions, g, x, alpha, noise, kt, inv_hs):
    """max over the sample states (k, 3n) of |c(m)| (1/ps): the noise-induced drift's rate scale."""
    d = directions.shape[1]
    ws = workspace(d)
    full = np.empty(d)
    bare = np.empty(d)
    zero = np.zeros(d)
    top = 0.0
    for q in range(directions.shape[0]):
        m = directions[q]
        rate(m, zero, g, x, alpha, noise, kt, inv_hs, True, ws, full)
        rate(m, zero, g, x, alpha, noise, kt, inv_hs, False, ws, bare)
        s = 0.0
        for i in range(d):
            s += (full[i] - bare[i]) ** 2
        top = max(top, math.sqrt(s))
    return top


# ----- one free spin: the same drift on 3 × 3 matrices held as 9-tuples (row-major), kept in registers -----

@njit(cache=True, inline="always")
def as_tuple9(a):
    """A 3 × 3 array as a row-major 9-tuple."""
    return (a[0, 0], a[0, 1], a[0, 2], a[1, 0], a[1, 1], a[1, 2], a[2, 0], a[2, 1], a[2, 2])


@njit(cache=True, inline="always")
def _mv(a, v):
    return (a[0] * v[0] + a[1] * v[1] + a[2] * v[2], a[3] * v[0] + a[4] * v[1] + a[5] * v[2],
            a[6] * v[0] + a[7] * v[1] + a[8] * v[2])


@njit(cache=True, inline="always")
def _mtv(a, v):
    return (a[0] * v[0] + a[3] * v[1] + a[6] * v[2], a[1] * v[0] + a[4] * v[1] + a[7] * v[2],
            a[2] * v[0] + a[5] * v[1] + a[8] * v[2])


@njit(cache=True, inline="always")
def _cross(u, v):
    return (u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0])


@njit(cache=True, inline="always")
def _ax(a):
    """ax(M) = (M₂₁ − M₁₂, M₀₂ − M₂₀, M₁₀ − M₀₁)."""
    return (a[7] - a[5], a[2] - a[6], a[3] - a[1])


@njit(cache=True, inline="always", fastmath=True, error_model="numpy")
def _inv3(a):
    c00 = a[4] * a[8] - a[5] * a[7]
    c01 = a[5] * a[6] - a[3] * a[8]
    c02 = a[3] * a[7] - a[4] * a[6]
    s = 1.0 / (a[0] * c00 + a[1] * c01 + a[2] * c02)
    return (c00 * s, (a[2] * a[7] - a[1] * a[8]) * s, (a[1] * a[5] - a[2] * a[4]) * s,
            c01 * s, (a[0] * a[8] - a[2] * a[6]) * s, (a[2] * a[3] - a[0] * a[5]) * s,
            c02 * s, (a[1] * a[6] - a[0] * a[7]) * s, (a[0] * a[4] - a[1] * a[3]) * s)


@njit(cache=True, inline="always", fastmath=True, error_model="numpy")
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

__all__ = ["CALCULI", "calculus_flag", "workspace", "rate", "renormalise", "largest_correction", "as_tuple9",
           "rate_one"]
