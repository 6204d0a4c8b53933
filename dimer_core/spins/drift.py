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
    """The scratch array of :func:`rate` for a 3n = d state (allocated once per trajectory): rows
    [0, d) A = 1 + Pα, [d, 2d) A⁻¹, [2d, 3d) K, [3d, 4d) R, then one row per vector (:data:`F` …).  One array
    indexed by row offsets, not a tuple of arrays: unpacking arrays costs reference counting at every call,
    several times the one-spin drift itself."""
    return np.empty((4 * d + 6, d))


F, DK, DKT, T, Z, U = range(6)
"""The vector rows of the workspace after its four d × d matrices: F = B + ξ, div K, div Kᵀ, N div Kᵀ, and the
per-spin vectors z_b, u_b of the divergences."""


# ----- 3 × 3 blocks as row-major 9-tuples and 3-vectors as 3-tuples: the drift's algebra, spin by spin -----

@njit(cache=True, inline="always")
def _block(a, o, r, c):
    """Block (r, c) (the rows of spin r, the columns of spin c) of the 3n × 3n matrix at row ``o`` of ``a``, as a
    9-tuple."""
    i, j = o + 3 * r, 3 * c
    return (a[i, j], a[i, j + 1], a[i, j + 2], a[i + 1, j], a[i + 1, j + 1], a[i + 1, j + 2],
            a[i + 2, j], a[i + 2, j + 1], a[i + 2, j + 2])


@njit(cache=True, inline="always")
def _put(a, o, r, c, t):
    """Block (r, c) of the matrix at row ``o`` of ``a`` = the 9-tuple t."""
    i, j = o + 3 * r, 3 * c
    a[i, j], a[i, j + 1], a[i, j + 2] = t[0], t[1], t[2]
    a[i + 1, j], a[i + 1, j + 1], a[i + 1, j + 2] = t[3], t[4], t[5]
    a[i + 2, j], a[i + 2, j + 1], a[i + 2, j + 2] = t[6], t[7], t[8]


@njit(cache=True, inline="always")
def _spin(v, r):
    """Spin r's three entries of a 3n-vector."""
    return v[3 * r], v[3 * r + 1], v[3 * r + 2]


@njit(cache=True, inline="always")
def _row_spin(w, row, r):
    """Spin r's three entries of the vector in row ``row`` of the workspace."""
    return w[row, 3 * r], w[row, 3 * r + 1], w[row, 3 * r + 2]


@njit(cache=True, inline="always")
def _row_put(w, row, r, v):
    w[row, 3 * r], w[row, 3 * r + 1], w[row, 3 * r + 2] = v[0], v[1], v[2]


@njit(cache=True, inline="always")
def _mv(a, v):
    return (a[0] * v[0] + a[1] * v[1] + a[2] * v[2], a[3] * v[0] + a[4] * v[1] + a[5] * v[2],
            a[6] * v[0] + a[7] * v[1] + a[8] * v[2])


@njit(cache=True, inline="always")
def _mtv(a, v):
    return (a[0] * v[0] + a[3] * v[1] + a[6] * v[2], a[1] * v[0] + a[4] * v[1] + a[7] * v[2],
            a[2] * v[0] + a[5] * v[1] + a[8] * v[2])


@njit(cache=True, inline="always")
def _mm(a, b):
    """The product a·b of 9-tuples."""
    return (a[0] * b[0] + a[1] * b[3] + a[2] * b[6], a[0] * b[1] + a[1] * b[4] + a[2] * b[7],
            a[0] * b[2] + a[1] * b[5] + a[2] * b[8],
            a[3] * b[0] + a[4] * b[3] + a[5] * b[6], a[3] * b[1] + a[4] * b[4] + a[5] * b[7],
            a[3] * b[2] + a[4] * b[5] + a[5] * b[8],
            a[6] * b[0] + a[7] * b[3] + a[8] * b[6], a[6] * b[1] + a[7] * b[4] + a[8] * b[7],
            a[6] * b[2] + a[7] * b[5] + a[8] * b[8])


@njit(cache=True, inline="always")
def _add3(u, v):
    return u[0] + v[0], u[1] + v[1], u[2] + v[2]


@njit(cache=True, inline="always")
def _sub3(u, v):
    return u[0] - v[0], u[1] - v[1], u[2] - v[2]


@njit(cache=True, inline="always")
def _cross(u, v):
    return (u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0])


@njit(cache=True, inline="always")
def _ax(a):
    """ax(M) = (M₂₁ − M₁₂, M₀₂ − M₂₀, M₁₀ − M₀₁)."""
    return (a[7] - a[5], a[2] - a[6], a[3] - a[1])


@njit(cache=True, inline="always")
def _cross_rows(m, a):
    """[m×]·a: column j is m × (column j of a)."""
    return (m[1] * a[6] - m[2] * a[3], m[1] * a[7] - m[2] * a[4], m[1] * a[8] - m[2] * a[5],
            m[2] * a[0] - m[0] * a[6], m[2] * a[1] - m[0] * a[7], m[2] * a[2] - m[0] * a[8],
            m[0] * a[3] - m[1] * a[0], m[0] * a[4] - m[1] * a[1], m[0] * a[5] - m[1] * a[2])


@njit(cache=True, inline="always")
def _rows_cross(a, m, s):
    """s·a·[m×]: row i is s·(row i of a) × m."""
    r0 = _cross((a[0], a[1], a[2]), m)
    r1 = _cross((a[3], a[4], a[5]), m)
    r2 = _cross((a[6], a[7], a[8]), m)
    return (s * r0[0], s * r0[1], s * r0[2], s * r1[0], s * r1[1], s * r1[2], s * r2[0], s * r2[1], s * r2[2])


@njit(cache=True, inline="always", fastmath=True, error_model="numpy")
def _inv3(a):
    """The inverse of a 9-tuple, by cofactors."""
    c00 = a[4] * a[8] - a[5] * a[7]
    c01 = a[5] * a[6] - a[3] * a[8]
    c02 = a[3] * a[7] - a[4] * a[6]
    s = 1.0 / (a[0] * c00 + a[1] * c01 + a[2] * c02)
    return (c00 * s, (a[2] * a[7] - a[1] * a[8]) * s, (a[1] * a[5] - a[2] * a[4]) * s,
            c01 * s, (a[0] * a[8] - a[2] * a[6]) * s, (a[2] * a[3] - a[0] * a[5]) * s,
            c02 * s, (a[1] * a[6] - a[0] * a[7]) * s, (a[0] * a[4] - a[1] * a[3]) * s)


@njit(cache=True, inline="always")
def _lin9(a, b, s):
    """a + s·b for 9-tuples."""
    return (a[0] + s * b[0], a[1] + s * b[1], a[2] + s * b[2], a[3] + s * b[3], a[4] + s * b[4], a[5] + s * b[5],
            a[6] + s * b[6], a[7] + s * b[7], a[8] + s * b[8])


ZERO9 = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)


@njit(cache=True, inline="always", fastmath=True, error_model="numpy")
def _invert(w, n):
    """The workspace's A⁻¹ (rows [d, 2d)) from its A (rows [0, d), overwritten): by cofactors for one spin, by the
    Schur complement of the 3 × 3 blocks for two (A = 1 + Pα: its diagonal blocks 1 + [m_a×]α_aa are invertible
    wherever the model is valid), else by Gauss–Jordan elimination with partial pivoting."""
    d = 3 * n
    if n == 1:
        _put(w, d, 0, 0, _inv3(_block(w, 0, 0, 0)))
        return
    if n == 2:
        a11, a12, a21, a22 = _block(w, 0, 0, 0), _block(w, 0, 0, 1), _block(w, 0, 1, 0), _block(w, 0, 1, 1)
        p11 = _inv3(a11)
        x = _mm(p11, a12)                                  # X = A11⁻¹ A12
        y = _mm(a21, p11)                                  # Y = A21 A11⁻¹
        s = _inv3(_lin9(a22, _mm(a21, x), -1.0))           # S⁻¹, S = A22 − A21 X
        o12 = _lin9(ZERO9, _mm(x, s), -1.0)                # (A⁻¹)12 = −X S⁻¹
        _put(w, d, 0, 0, _lin9(p11, _mm(o12, y), -1.0))    # (A⁻¹)11 = A11⁻¹ + X S⁻¹ Y
        _put(w, d, 0, 1, o12)
        _put(w, d, 1, 0, _lin9(ZERO9, _mm(s, y), -1.0))    # (A⁻¹)21 = −S⁻¹ Y
        _put(w, d, 1, 1, s)
        return
    for i in range(d):
        for j in range(d):
            w[d + i, j] = 1.0 if i == j else 0.0
    for c in range(d):
        p = c
        for r in range(c + 1, d):
            if abs(w[r, c]) > abs(w[p, c]):
                p = r
        if p != c:
            for k in range(d):
                w[c, k], w[p, k] = w[p, k], w[c, k]
                w[d + c, k], w[d + p, k] = w[d + p, k], w[d + c, k]
        s = 1.0 / w[c, c]
        for k in range(d):
            w[c, k] *= s
            w[d + c, k] *= s
        for r in range(d):
            if r != c:
                f = w[r, c]
                if f != 0.0:
                    for k in range(d):
                        w[r, k] -= f * w[c, k]
                        w[d + r, k] -= f * w[d + c, k]


# ----- the pieces of the drift, per 3 × 3 block (docs/stochastic.md, Eqs. S7-S9), each written once -----

@njit(cache=True, inline="always")
def _a_block(m_r, alpha_rc, diagonal):
    """Block (r, c) of A = 1 + Pα: δ_rc·1 + [m_r×]·α_rc."""
    b = _cross_rows(m_r, alpha_rc)
    if diagonal:
        return (b[0] + 1.0, b[1], b[2], b[3], b[4] + 1.0, b[5], b[6], b[7], b[8] + 1.0)
    return b


@njit(cache=True, inline="always")
def _k_block(ai_rc, m_c, inv_hs):
    """Block (r, c) of K = A⁻¹P/ħS: (A⁻¹)_rc·[m_c×]/ħS."""
    return _rows_cross(ai_rc, m_c, inv_hs)


@njit(cache=True, inline="always")
def _r_term(acc, alpha_aq, k_qb):
    """One term of block (a, b) of R = 1/ħS − αK: acc − α_aq K_qb."""
    return _lin9(acc, _mm(alpha_aq, k_qb), -1.0)


@njit(cache=True, inline="always")
def _r_start(inv_hs, diagonal):
    """Block (a, b) of 1/ħS."""
    return (inv_hs, 0.0, 0.0, 0.0, inv_hs, 0.0, 0.0, 0.0, inv_hs) if diagonal else ZERO9


@njit(cache=True, inline="always")
def _z_vector(r_bb, m_b):
    """z_b = ax(R_bb) − m_b × R_bb m_b: div K = Σ_b A⁻¹[:, b] z_b."""
    return _sub3(_ax(r_bb), _cross(m_b, _mv(r_bb, m_b)))


@njit(cache=True, inline="always")
def _u_vector(ai_bb, m_b):
    """u_b = ax(A⁻¹_bb) − (A⁻¹_bbᵀ m_b) × m_b: div Kᵀ = Σ_b R[b, :]ᵀ u_b."""
    return _sub3(_ax(ai_bb), _cross(_mtv(ai_bb, m_b), m_b))


@njit(cache=True, inline="always")
def _tangent_drift(kt_a, k_t, div_k, div_kt, m_a):
    """c_a = ½ (K N div Kᵀ)_a + ½ k_B T_a (div K − div Kᵀ)_a, its part tangent to m_a."""
    c0 = 0.5 * (k_t[0] + kt_a * (div_k[0] - div_kt[0]))
    c1 = 0.5 * (k_t[1] + kt_a * (div_k[1] - div_kt[1]))
    c2 = 0.5 * (k_t[2] + kt_a * (div_k[2] - div_kt[2]))
    radial = c0 * m_a[0] + c1 * m_a[1] + c2 * m_a[2]
    return c0 - radial * m_a[0], c1 - radial * m_a[1], c2 - radial * m_a[2]


@njit(cache=True, inline="always", fastmath=True, error_model="numpy")
def _mobility(m, alpha, inv_hs, w):
    """K = A⁻¹P/ħS (rows [2d, 3d) of the workspace w) and A⁻¹ (rows [d, 2d)), A = 1 + Pα, P = blockdiag([m_a×])."""
    n = m.shape[0] // 3
    d = 3 * n
    for r in range(n):
        mr = _spin(m, r)
        for c in range(n):
            _put(w, 0, r, c, _a_block(mr, _block(alpha, 0, r, c), r == c))
    _invert(w, n)
    for r in range(n):
        for c in range(n):
            _put(w, 2 * d, r, c, _k_block(_block(w, d, r, c), _spin(m, c), inv_hs))


@njit(cache=True)
def mobility(m, alpha, inv_hs, w):
    """The mobility K(m) = (1 + Pα)⁻¹P/ħS (3n × 3n, 1/(meV·ps)) of the unit vectors m (3n,), in the workspace
    ``w`` (:func:`workspace`): a new array."""
    _mobility(m, alpha, inv_hs, w)
    d = m.shape[0]
    return w[2 * d:3 * d].copy()


@njit(cache=True, inline="always", fastmath=True, error_model="numpy")
def _rate_one_spin(m, xi, g, x, alpha, noise, kt, inv_hs, corrected, out, corr):
    """:func:`rate` for n = 1: the same blocks composed with one term each, so that the 3 × 3 algebra stays in
    registers (one spin's drift costs a fifth of the loops over blocks through the workspace;
    benchmarks/bench_integrators.py)."""
    m0, al = _spin(m, 0), _block(alpha, 0, 0, 0)
    ai = _inv3(_a_block(m0, al, True))
    k = _k_block(ai, m0, inv_hs)
    v = _mv(k, _add3(_add3(_spin(g, 0), _spin(xi, 0)), _mv(_block(x, 0, 0, 0), m0)))
    out[0], out[1], out[2] = v
    if not corrected:
        corr[0], corr[1], corr[2] = 0.0, 0.0, 0.0
        return
    r = _r_term(_r_start(inv_hs, True), al, k)
    div_k = _mv(ai, _z_vector(r, m0))
    div_kt = _mtv(r, _u_vector(ai, m0))
    c = _tangent_drift(kt[0], _mv(k, _mv(_block(noise, 0, 0, 0), div_kt)), div_k, div_kt, m0)
    corr[0], corr[1], corr[2] = c


@njit(cache=True, fastmath=True, error_model="numpy")
def _rate_blocks(m, xi, g, x, alpha, noise, kt, inv_hs, corrected, w, out, corr):
    """:func:`rate` by loops over the blocks through the workspace (any n)."""
    n = m.shape[0] // 3
    _mobility(m, alpha, inv_hs, w)
    d = 3 * n
    ai, k, r, v0 = d, 2 * d, 3 * d, 4 * d
    for b in range(n):  # F = g + X m + ξ
        fb = _add3(_spin(g, b), _spin(xi, b))
        for c in range(n):
            fb = _add3(fb, _mv(_block(x, 0, b, c), _spin(m, c)))
        _row_put(w, v0 + F, b, fb)
    for a in range(n):  # K F
        v = (0.0, 0.0, 0.0)
        for b in range(n):
            v = _add3(v, _mv(_block(w, k, a, b), _row_spin(w, v0 + F, b)))
        out[3 * a], out[3 * a + 1], out[3 * a + 2] = v
    if not corrected:
        for i in range(d):
            corr[i] = 0.0
        return
    for a in range(n):  # R = 1/ħS − α K
        for b in range(n):
            acc = _r_start(inv_hs, a == b)
            for q in range(n):
                acc = _r_term(acc, _block(alpha, 0, a, q), _block(w, k, q, b))
            _put(w, r, a, b, acc)
    for b in range(n):
        mb = _spin(m, b)
        _row_put(w, v0 + Z, b, _z_vector(_block(w, r, b, b), mb))
        _row_put(w, v0 + U, b, _u_vector(_block(w, ai, b, b), mb))
    for a in range(n):  # div K = Σ_b A⁻¹[:, b] z_b,  div Kᵀ = Σ_b R[b, :]ᵀ u_b
        v, u = (0.0, 0.0, 0.0), (0.0, 0.0, 0.0)
        for b in range(n):
            v = _add3(v, _mv(_block(w, ai, a, b), _row_spin(w, v0 + Z, b)))
            u = _add3(u, _mtv(_block(w, r, b, a), _row_spin(w, v0 + U, b)))
        _row_put(w, v0 + DK, a, v)
        _row_put(w, v0 + DKT, a, u)
    for a in range(n):  # t = N div Kᵀ
        v = (0.0, 0.0, 0.0)
        for b in range(n):
            v = _add3(v, _mv(_block(noise, 0, a, b), _row_spin(w, v0 + DKT, b)))
        _row_put(w, v0 + T, a, v)
    for a in range(n):  # c = ½ K t + ½ k_B T_a (div K − div Kᵀ), tangent part
        v = (0.0, 0.0, 0.0)
        for b in range(n):
            v = _add3(v, _mv(_block(w, k, a, b), _row_spin(w, v0 + T, b)))
        c = _tangent_drift(kt[a], v, _row_spin(w, v0 + DK, a), _row_spin(w, v0 + DKT, a), _spin(m, a))
        corr[3 * a], corr[3 * a + 1], corr[3 * a + 2] = c


@njit(cache=True, inline="always", fastmath=True, error_model="numpy")
def rate(m, xi, g, x, alpha, noise, kt, inv_hs, corrected, w, out, corr):
    """out = K(m)·(B(m) + ξ) and corr = c(m) (1/ps) for the state m (3n,); c = 0 unless ``corrected``.

    g (3n,), x (3n, 3n): B = g + x·m (meV); alpha (3n, 3n); noise (3n, 3n): N (meV²·ps);
    kt (n,): k_B·T_a (meV) of the antisymmetric part; inv_hs = 1/ħS (1/(meV·ps)); w from
    :func:`workspace`.  Composed of the per-block pieces above: for n spins by loops over the blocks through
    the workspace (:func:`_rate_blocks`), for one spin with one term each, in registers (:func:`_rate_one_spin`;
    the loops cost 3× more for one spin, benchmarks/bench_integrators.py).  Inlined where it is called (a call
    with a dozen arrays costs more than one spin's drift).
    """
    if m.shape[0] == 3:
        _rate_one_spin(m, xi, g, x, alpha, noise, kt, inv_hs, corrected, out, corr)
    else:
        _rate_blocks(m, xi, g, x, alpha, noise, kt, inv_hs, corrected, w, out, corr)


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
    bare = np.empty(d)
    corr = np.empty(d)
    zero = np.zeros(d)
    top = 0.0
    for q in range(directions.shape[0]):
        rate(directions[q], zero, g, x, alpha, noise, kt, inv_hs, True, ws, bare, corr)
        s = 0.0
        for i in range(d):
            s += corr[i] ** 2
        top = max(top, math.sqrt(s))
    return top


__all__ = ["CALCULI", "calculus_flag", "workspace", "mobility", "rate", "renormalise", "largest_correction"]
