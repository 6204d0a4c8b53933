"""The free spin with m_1 pinned: energy, torques, and the Fokker–Planck mean orientation.

Paper Sec. IV, Eq. (7) (docs/physics.md, "One spin pinned"): with the couplings of
site 2 at one bias,

    E(m) = E_0(m) − Δ s_2 (that·m) − Δ²[J m·m_1 + D that·(m × m_1)
           + A (m·that)(m_1·that) + ½ K (m·that)²]
    E_0(m) = −h·m − K_easy (m·e_easy)² + K_hard (m·n_hard)²

which is a linear plus quadratic form on the unit sphere, E(m) = −g·m + m·Q·m
(:class:`FreeSpinEnergy`).  The self DMI-like response chi22_DM adds the field
(ΔS)²·chi22_DM·(m × that), which no energy produces: the Fokker–Planck estimate
leaves it out (the Langevin integration keeps it).

Fokker–Planck (approximate, paper Sec. IV): P(m) ∝ exp(−E(m)/k_B T_eff) and
Omega = <m>.  :func:`mean_orientations` integrates it on the sphere in a frame
whose pole is the most probable direction, on θ panels refined at every
significant extremum on the scale of its Laplace width √(k_BT/λ), with the
exponent shifted by its extreme value so that nothing overflows; T_eff → 0 gives
the global minimum, T_eff < 0 a distribution peaked at the maximum.  The minima
and the quadrature are numba kernels, run for all biases of a sweep at once
(:func:`fp_sweep_values`) and shared between the cores.
"""
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numba
import numpy as np
from numba import njit

from ..units import K_B


@dataclass(frozen=True)
class FreeSpinEnergy:
    """E(m) = −g·m + m·Q·m (meV) and the nonconservative field coefficient, at one bias.

    Attributes
    ----------
    g : ndarray (3,)   linear field (meV)
    Q : ndarray (3, 3) symmetric quadratic form (meV)
    b_dm : float       (ΔS)²·chi22_DM (meV): the field b_dm·(m × that)
    that : ndarray (3,)
    """

    g: np.ndarray
    Q: np.ndarray
    b_dm: float
    that: np.ndarray

    def energy(self, m):
        """E(m) in meV for unit vectors m of shape (..., 3)."""
        m = np.asarray(m, dtype=float)
        return -m @ self.g + np.einsum("...i,ij,...j->...", m, self.Q, m)

    def field(self, m):
        """Effective field B = −∂E/∂m + b_dm·(m × that) (meV)."""
        m = np.asarray(m, dtype=float)
        return self.g - 2.0 * m @ self.Q + self.b_dm * np.cross(m, self.that)


def one_spin_terms(h, K_easy, e_easy, K_hard, n_hard):
    """(linear, quadratic) parts (h, Q0) of E_0(m) = −h·m − K_easy (m·e_easy)² + K_hard (m·n_hard)² (meV).

    h (3,) meV, K_easy and K_hard meV, e_easy and n_hard unit vectors (docs/physics.md, "One spin pinned").
    """
    e, n = np.asarray(e_easy, dtype=float), np.asarray(n_hard, dtype=float)
    return np.asarray(h, dtype=float), -float(K_easy) * np.outer(e, e) + float(K_hard) * np.outer(n, n)


def bare_terms(p):
    """(linear, quadratic) parts of the bare energy E_0 of one spin (meV), from the parameters ``p``."""
    return one_spin_terms(p.vector("h"), p.K_easy, p.vector("e_easy"), p.K_hard, p.vector("n_hard"))


def free_spin_terms(p, c):
    """(g, Q, b_dm) of E(m) = −g·m + m·Q·m for spin 2 at one or many biases.

    ``c`` holds the site-2 couplings of :func:`dimer_core.point` (floats) or of
    :func:`dimer_core.couplings.dimer.named_map` along a sweep (arrays of shape (n,)).
    Returns g (..., 3) and Q (..., 3, 3) in meV and b_dm = (ΔS)²·chi22_DM (...,) in meV,
    with the leading shape of the couplings.
    """
    that, m1 = p.vector("that"), p.vector("m1")
    d2 = p.Delta ** 2
    h, q0 = bare_terms(p)
    s, j, d, a, k = (np.asarray(c[key], dtype=float)[..., None] for key in ("s_2", "J_2", "D_2", "A_2", "K_2"))
    g = h + p.Delta * s * that + d2 * (j * m1 + d * np.cross(m1, that) + a * np.dot(m1, that) * that)
    q = q0 - 0.5 * d2 * k[..., None] * np.outer(that, that)
    return g, q, d2 * p.S ** 2 * np.asarray(c["chi22_DM"], dtype=float)


def free_spin_energy(p, c):
    """:class:`FreeSpinEnergy` of spin 2 from parameters ``p`` and named couplings ``c`` (floats).

    ``c`` holds the site-2 couplings of :func:`dimer_core.point` at the bias of interest.
    """
    g, q, b_dm = free_spin_terms(p, c)
    return FreeSpinEnergy(g=g, Q=q, b_dm=float(b_dm), that=p.vector("that"))


# ----- stationary points and minima of E on the sphere (numba; one (g, Q) at a time) -----

MAX_POINTS = 16
"""Room for stationary points: at most 6 roots of the secular equation plus 6 hard-case points, plus the guard."""


@njit(cache=True)
def _dot3(a, b):
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]


@njit(cache=True)
def _cross3(a, b):
    return np.array([a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]])


@njit(cache=True)
def _mv(A, x):
    """A·x for a 3 × 3 matrix."""
    return np.array([A[i, 0] * x[0] + A[i, 1] * x[1] + A[i, 2] * x[2] for i in range(3)])


@njit(cache=True)
def _mtv(A, x):
    """Aᵀ·x for a 3 × 3 matrix."""
    return np.array([A[0, i] * x[0] + A[1, i] * x[1] + A[2, i] * x[2] for i in range(3)])


@njit(cache=True)
def _absmax(A):
    """max |A_ij| of a 3 × 3 matrix."""
    top = 0.0
    for i in range(3):
        for j in range(3):
            top = max(top, abs(A[i, j]))
    return top


@njit(cache=True)
def _eigh3(A):
    """Eigenvalues (3,), ascending, and eigenvectors (columns of a 3 × 3 matrix) of a symmetric 3 × 3 matrix.

    Cyclic Jacobi rotations (Numerical Recipes' ``jacobi``): accurate to rounding,
    and small enough to compile in a fraction of a second.
    """
    a = A.copy()
    v = np.eye(3)
    for sweep in range(60):
        off = abs(a[0, 1]) + abs(a[0, 2]) + abs(a[1, 2])
        if off == 0.0:
            break
        for p, q in ((0, 1), (0, 2), (1, 2)):
            apq = a[p, q]
            small = 100.0 * abs(apq)
            if sweep > 3 and abs(a[p, p]) + small == abs(a[p, p]) and abs(a[q, q]) + small == abs(a[q, q]):
                a[p, q] = a[q, p] = 0.0
                continue
            if apq == 0.0:
                continue
            theta = 0.5 * (a[q, q] - a[p, p]) / apq
            t = 1.0 / (abs(theta) + np.sqrt(theta * theta + 1.0)) if abs(theta) < 1e150 else 0.5 / abs(theta)
            if theta < 0.0:
                t = -t
            c = 1.0 / np.sqrt(t * t + 1.0)
            sn = t * c
            for k in range(3):  # a ← a·J on columns p, q
                akp, akq = a[k, p], a[k, q]
                a[k, p], a[k, q] = c * akp - sn * akq, sn * akp + c * akq
            for k in range(3):  # a ← Jᵀ·a on rows p, q
                apk, aqk = a[p, k], a[q, k]
                a[p, k], a[q, k] = c * apk - sn * aqk, sn * apk + c * aqk
            a[p, q] = a[q, p] = 0.0
            for k in range(3):
                vkp, vkq = v[k, p], v[k, q]
                v[k, p], v[k, q] = c * vkp - sn * vkq, sn * vkp + c * vkq
    d = np.array([a[0, 0], a[1, 1], a[2, 2]])
    for i in (0, 1, 0):  # three compare-and-swaps sort three eigenpairs
        if d[i] > d[i + 1]:
            d[i], d[i + 1] = d[i + 1], d[i]
            for k in range(3):
                v[k, i], v[k, i + 1] = v[k, i + 1], v[k, i]
    return d, v


@njit(cache=True)
def _energy(g, Q, m):
    """E(m) = −g·m + m·Q·m (meV)."""
    e = -(g[0] * m[0] + g[1] * m[1] + g[2] * m[2])
    for i in range(3):
        e += m[i] * (Q[i, 0] * m[0] + Q[i, 1] * m[1] + Q[i, 2] * m[2])
    return e


@njit(cache=True, error_model="numpy")
def _secular(b2, d, x, slope):
    """Σ b_i²/(d_i − x)² − 1, or with ``slope`` half its derivative Σ b_i²/(d_i − x)³ (terms with b_i = 0 left out)."""
    s = 0.0 if slope else -1.0
    for i in range(3):
        if b2[i] > 0.0:
            t = d[i] - x
            s += b2[i] / (t * t * t) if slope else b2[i] / (t * t)
    return s


@njit(cache=True, error_model="numpy")
def _bisect(b2, d, lo, hi, slope, rising):
    """The zero in (lo, hi) of the secular function (of its slope if ``slope``), which rises or falls there."""
    for _ in range(2100):
        mid = 0.5 * (lo + hi)
        if not lo < mid < hi:
            break
        if (_secular(b2, d, mid, slope) > 0.0) == rising:
            hi = mid
        else:
            lo = mid
    return 0.5 * (lo + hi)


@njit(cache=True, error_model="numpy")
def _secular_roots(b2, d, roots):
    """Real roots, ascending, of f(x) = Σ b_i²/(d_i − x)² = 1 into ``roots``; returns their number (≤ 6).

    d ascending.  f has a pole at each d_i with b_i ≠ 0 and is convex between
    poles: one root left of the first pole, one right of the last, and between two
    poles none, one (double) or two, on either side of the minimum of f.
    """
    poles = np.empty(3)
    n = 0
    for i in range(3):
        if b2[i] > 0.0 and (n == 0 or d[i] > poles[n - 1]):
            poles[n] = d[i]
            n += 1
    if n == 0:
        return 0
    reach = 2.0 * np.sqrt(b2[0] + b2[1] + b2[2])  # |x − d_i| > reach for all i gives f < −3/4
    count = 0
    roots[count] = _bisect(b2, d, poles[0] - reach, poles[0], False, True)
    count += 1
    for k in range(n - 1):
        lo, hi = poles[k], poles[k + 1]
        bottom = _bisect(b2, d, lo, hi, True, True)
        depth = _secular(b2, d, bottom, False)
        if depth < 0.0:
            roots[count] = _bisect(b2, d, lo, bottom, False, False)
            roots[count + 1] = _bisect(b2, d, bottom, hi, False, True)
            count += 2
        elif depth == 0.0:
            roots[count] = bottom
            count += 1
    roots[count] = _bisect(b2, d, poles[n - 1], poles[n - 1] + reach, False, False)
    return count + 1


@njit(cache=True)
def _stationary_points(g, Q, ms, lams):
    """Stationary points of E = −g·m + m·Q·m (g, Q in meV) on the sphere into ``ms`` (k, 3) and their
    Lagrange multipliers λ (meV) into ``lams`` (k,); returns k.

    Lagrange: (2Q − λ)m = g, |m| = 1.  In the eigenbasis of 2Q (eigenvalues d_i,
    b = Uᵀg) the multipliers solve the secular equation Σ b_i²/(d_i − λ)² = 1
    (:func:`_secular_roots`); eigen-directions with b_i = 0 add the "hard case".
    """
    d, u = _eigh3(2.0 * Q)
    b = _mtv(u, g)
    scale = max(abs(d[0]), abs(d[1]), abs(d[2]), abs(b[0]), abs(b[1]), abs(b[2]), 1e-300)
    b2 = b * b
    roots = np.empty(6)
    count = 0
    for r in range(_secular_roots(b2, d, roots)):
        x = roots[r]
        for _ in range(3):  # Newton polish of the secular equation
            if min(abs(d[0] - x), abs(d[1] - x), abs(d[2] - x)) < 1e-14 * scale:
                break
            fx, dfx = _secular(b2, d, x, False), 2.0 * _secular(b2, d, x, True)
            if dfx == 0:
                break
            x -= fx / dfx
        if min(abs(d[0] - x), abs(d[1] - x), abs(d[2] - x)) < 1e-12 * scale:
            continue
        m = _mv(u, b / (d - x))
        nm = np.sqrt(_dot3(m, m))
        if abs(nm - 1.0) < 1e-6:
            ms[count] = m / nm
            lams[count] = x
            count += 1
    for i in range(3):  # hard case: b_i = 0, λ = d_i
        if abs(b[i]) > 1e-12 * scale:
            continue
        skip = False
        for j in range(3):
            if j != i and abs(d[j] - d[i]) < 1e-12 * scale and abs(b[j]) > 1e-12 * scale:
                skip = True
        if skip:
            continue
        x = np.zeros(3)
        for j in range(3):
            if j != i and abs(d[j] - d[i]) > 1e-12 * scale:
                x[j] = b[j] / (d[j] - d[i])
        rest = 1.0 - _dot3(x, x)
        if rest >= 0:
            for sgn in (1.0, -1.0):
                y = x.copy()
                y[i] = sgn * np.sqrt(rest)
                ms[count] = _mv(u, y)
                lams[count] = d[i]
                count += 1
    return count


@njit(cache=True)
def _tangent_hessian(Q, m, lam):
    """Eigenvalues (low, high) of the Riemannian Hessian P(2Q − λ)P on the tangent plane at m (meV)."""
    a = np.array([1.0, 0.0, 0.0]) if abs(m[0]) < 0.9 else np.array([0.0, 1.0, 0.0])
    e1 = _cross3(m, a)
    e1 /= np.sqrt(_dot3(e1, e1))
    e2 = _cross3(m, e1)
    h11 = 2.0 * _dot3(e1, _mv(Q, e1)) - lam
    h22 = 2.0 * _dot3(e2, _mv(Q, e2)) - lam
    h12 = 2.0 * _dot3(e1, _mv(Q, e2))
    mean, half = 0.5 * (h11 + h22), np.hypot(0.5 * (h11 - h22), h12)
    return mean - half, mean + half


@njit(cache=True)
def _polish(g, Q, m):
    """Projected gradient descent on the sphere from m to the nearby minimum."""
    for _ in range(200):
        grad = -g + 2.0 * _mv(Q, m)
        tang = grad - _dot3(grad, m) * m
        if np.sqrt(_dot3(tang, tang)) < 1e-13 * (1.0 + np.sqrt(_dot3(g, g)) + _absmax(Q)):
            break
        step = 0.5 / (_absmax(Q) * 2.0 + np.sqrt(_dot3(g, g)) + 1e-300)
        m = m - step * tang
        m /= np.sqrt(_dot3(m, m))
    return m


@njit(cache=True)
def _local_minima(g, Q, grid, ms, es, eigs):
    """Local minima of E into ``ms`` (k, 3), their energies (meV) into ``es`` (k,) and tangent Hessian
    eigenvalues (meV) into ``eigs`` (k, 2), lowest first; returns k.

    Stationary points come from :func:`_stationary_points`; the spherical ``grid``
    guards the global minimum (polished by projected gradient descent if it wins).
    """
    pts = np.empty((MAX_POINTS, 3))
    lams = np.empty(MAX_POINTS)
    found = 0
    for s in range(_stationary_points(g, Q, pts, lams)):
        m = pts[s]
        low, high = _tangent_hessian(Q, m, lams[s])
        if low > -1e-12 * (1.0 + max(abs(low), abs(high))):
            duplicate = False
            for f in range(found):
                dm = m - ms[f]
                if np.sqrt(_dot3(dm, dm)) < 1e-7:
                    duplicate = True
            if not duplicate:
                ms[found], es[found] = m, _energy(g, Q, m)
                eigs[found, 0], eigs[found, 1] = max(low, 0.0), max(high, 0.0)
                found += 1
    best, e_best, e_top = 0, np.inf, 0.0
    for i in range(grid.shape[0]):
        e = _energy(g, Q, grid[i])
        e_top = max(e_top, abs(e))
        if e < e_best:
            best, e_best = i, e
    e_found = np.inf
    for f in range(found):
        e_found = min(e_found, es[f])
    if found == 0 or e_best < e_found - 1e-9 * (1.0 + e_top):
        m = _polish(g, Q, grid[best].copy())
        lam = _dot3(m, 2.0 * _mv(Q, m) - g)
        ms[found], es[found] = m, _energy(g, Q, m)
        low, high = _tangent_hessian(Q, m, lam)
        eigs[found, 0], eigs[found, 1] = max(low, 0.0), max(high, 0.0)
        found += 1
    for i in range(1, found):  # stable insertion sort by energy
        j = i
        while j > 0 and es[j - 1] > es[j]:
            es[j - 1], es[j] = es[j], es[j - 1]
            for k in range(3):
                ms[j - 1, k], ms[j, k] = ms[j, k], ms[j - 1, k]
            for k in range(2):
                eigs[j - 1, k], eigs[j, k] = eigs[j, k], eigs[j - 1, k]
            j -= 1
    return found


def stationary_points(g, Q):
    """All stationary points of E(m) = −g·m + m·Q·m on the unit sphere: a list of (m (3,), λ)."""
    ms, lams = np.empty((MAX_POINTS, 3)), np.empty(MAX_POINTS)
    count = _stationary_points(*_energy_args(g, Q), ms, lams)
    return [(ms[i], float(lams[i])) for i in range(count)]


def local_minima(g, Q):
    """Local minima of E on the sphere: list of (m, E (meV), tangent Hessian eigenvalues (meV)), lowest first.

    Stationary points come from :func:`stationary_points`; a 400-point spherical
    grid guards the global minimum (polished by projected descent if it wins).
    """
    ms, es, eigs = np.empty((MAX_POINTS, 3)), np.empty(MAX_POINTS), np.empty((MAX_POINTS, 2))
    count = _local_minima(*_energy_args(g, Q), _GUARD_GRID, ms, es, eigs)
    return [(ms[i], float(es[i]), eigs[i]) for i in range(count)]


def descend(g, Q, m):
    """The local minimum of E = −g·m + m·Q·m that projected gradient descent reaches from the unit vector m."""
    g, Q = _energy_args(g, Q)
    return _polish(g, Q, np.asarray(m, dtype=float) / np.linalg.norm(m))


def tangent_hessian(Q, m, lam):
    """Eigenvalues (low, high) of the Hessian of E on the tangent plane at a stationary point m with Lagrange
    multiplier λ (meV; from :func:`stationary_points`)."""
    _, Q = _energy_args(np.zeros(3), Q)
    return _tangent_hessian(Q, np.asarray(m, dtype=float), float(lam))


def _energy_args(g, Q):
    g = np.ascontiguousarray(g, dtype=float)
    Q = np.ascontiguousarray(Q, dtype=float)
    if g.shape != (3,) or Q.shape != (3, 3):
        raise ValueError(f"g must have shape (3,) and Q (3, 3); got {g.shape} and {Q.shape}")
    return g, Q


def fibonacci_sphere(n):
    """n nearly uniform unit vectors (n, 3)."""
    k = np.arange(n) + 0.5
    z = 1 - 2 * k / n
    phi = np.pi * (1 + 5 ** 0.5) * k
    r = np.sqrt(1 - z * z)
    return np.column_stack([r * np.cos(phi), r * np.sin(phi), z])


_GUARD_GRID = fibonacci_sphere(400)


# ----- Fokker–Planck quadrature on the sphere (numba) -----

_GL8_X, _GL8_W = np.polynomial.legendre.leggauss(8)
_LADDER = np.concatenate([[0.0], 0.5 * 1.6 ** np.arange(24)])
"""Break points around an extremum, in units of its Laplace width."""

SIGNIFICANT = 50.0
"""Extrema more than this many k_B·T above the best one are left out of the quadrature."""


@njit(cache=True)
def _frame(m):
    """Rotation matrix whose third column is m (a right-handed orthonormal frame)."""
    a = np.array([1.0, 0.0, 0.0]) if abs(m[0]) < 0.9 else np.array([0.0, 1.0, 0.0])
    e1 = _cross3(a, m)
    e1 /= np.sqrt(_dot3(e1, e1))
    e2 = _cross3(m, e1)
    frame = np.empty((3, 3))
    for i in range(3):
        frame[i, 0], frame[i, 1], frame[i, 2] = e1[i], e2[i], m[i]
    return frame


@njit(cache=True)
def _theta_panels(thetas, widths):
    """θ break points on [0, π] refined geometrically around each (θ_k, width_k), panels ≤ 0.15 rad."""
    nl = _LADDER.size
    pts = np.empty(2 + 2 * nl * thetas.size)
    pts[0], pts[1] = 0.0, np.pi
    for c in range(thetas.size):
        for j in range(nl):
            step = widths[c] * _LADDER[j]
            pts[2 + 2 * nl * c + j] = thetas[c] + step
            pts[2 + 2 * nl * c + nl + j] = thetas[c] - step
    for i in range(pts.size):  # clip to [0, π] and sort (insertion: a few hundred points at most)
        x = min(max(pts[i], 0.0), np.pi)
        j = i
        while j > 0 and pts[j - 1] > x:
            pts[j] = pts[j - 1]
            j -= 1
        pts[j] = x
    distinct = 1
    for i in range(1, pts.size):  # drop exact repeats
        if pts[i] != pts[distinct - 1]:
            pts[distinct] = pts[i]
            distinct += 1
    pts = pts[:distinct]
    count = 1
    for i in range(pts.size - 1):
        count += int(np.ceil((pts[i + 1] - pts[i]) / 0.15))
    fine = np.empty(count)
    fine[0] = pts[0]
    pos = 1
    for i in range(pts.size - 1):
        a, b = pts[i], pts[i + 1]
        n = int(np.ceil((b - a) / 0.15))
        for k in range(1, n + 1):
            fine[pos] = a + (b - a) * k / n
            pos += 1
    kept = 1
    for i in range(1, count):  # drop panels thinner than 1e-12 rad
        if fine[i] - fine[i - 1] > 1e-12:
            fine[kept] = fine[i]
            kept += 1
    return fine[:kept]


NEGLIGIBLE = 100.0
"""Quadrature points more than this many k_B·T above the reference energy are skipped (exp(−100) ≈ 4e-44)."""

_LOG2E = 1.4426950408889634
_LN2_HI, _LN2_LO = 6.93147180369123816490e-01, 1.90821492927058770002e-10  # ln 2 = HI + LO, HI exact in 32 bits
_ROUND = 6755399441055744.0  # 1.5·2^52: adding it rounds to an integer held in the low bits
_ROUND_BITS = np.array([_ROUND]).view(np.int64)[0]


@njit(cache=True, fastmath={"contract"})
def _exp_neg(x, out, work):
    """out = exp(−x) where x < :data:`NEGLIGIBLE`, else 0, for x > −700 (relative error ≤ 3e-16).

    ``work`` is scratch of the same size.  A branch-free exp in loops the compiler
    vectorises: −x = n·ln2 + r with n an integer and |r| ≤ ln2/2 (Cody–Waite split of
    ln 2), exp(r) by its Taylor series to r¹³ (truncation < 1e-17), 2^n built in the
    exponent bits.
    """
    for k in range(x.size):
        t = -min(x[k], NEGLIGIBLE)
        shifted = t * _LOG2E + _ROUND
        n = shifted - _ROUND
        r = (t - n * _LN2_HI) - n * _LN2_LO
        p = 1.0 / 6227020800.0
        p = p * r + 1.0 / 479001600.0
        p = p * r + 1.0 / 39916800.0
        p = p * r + 1.0 / 3628800.0
        p = p * r + 1.0 / 362880.0
        p = p * r + 1.0 / 40320.0
        p = p * r + 1.0 / 5040.0
        p = p * r + 1.0 / 720.0
        p = p * r + 1.0 / 120.0
        p = p * r + 1.0 / 24.0
        p = p * r + 1.0 / 6.0
        p = p * r + 0.5
        p = p * r + 1.0
        out[k] = p * r + 1.0
        work[k] = shifted
    bits = work.view(np.int64)
    for k in range(x.size):  # 2^n: n + 1023 in the exponent field
        bits[k] = (bits[k] - _ROUND_BITS + 1023) << 52
    scale = bits.view(np.float64)
    for k in range(x.size):
        out[k] = out[k] * scale[k] if x[k] < NEGLIGIBLE else 0.0


@njit(cache=True, fastmath=True)
def _ring_sums(w, c, s):
    """(Σ w, Σ w·c, Σ w·s) over one ring (summation order left to the compiler)."""
    sw, swc, sws = 0.0, 0.0, 0.0
    for k in range(w.size):
        sw += w[k]
        swc += w[k] * c[k]
        sws += w[k] * s[k]
    return sw, swc, sws


@njit(cache=True)
def _sphere_mean(g, Q, kt, frame, theta, wtheta, nphi, e_ref):
    """<m> under exp(−(E(m) − e_ref)/kt) by Gauss–Legendre in θ (nodes ``theta``, weights ``wtheta``)
    and the trapezoidal rule with ``nphi`` points in φ, about the pole frame[:, 2].

    e_ref is the global minimum of E, so no exponent is positive.  Points (and
    whole rings, by a lower bound of E on the ring) more than :data:`NEGLIGIBLE`
    k_B·T above it are left out: together they weigh less than 1e-25 of the total.
    """
    gl = _mtv(frame, g)  # E in the frame's coordinates l = (sinθ cosφ, sinθ sinφ, cosθ)
    ql = np.empty((3, 3))
    for i in range(3):
        ql[i] = _mtv(frame, _mv(Q, frame[:, i].copy()))
    dphi = 2.0 * np.pi / nphi
    cphi = np.cos(np.arange(nphi) * dphi)
    sphi = np.sin(np.arange(nphi) * dphi)
    cc, ss, cs = cphi * cphi, sphi * sphi, cphi * sphi
    x, w, work = np.empty(nphi), np.empty(nphi), np.empty(nphi)
    inv_kt = 1.0 / kt
    acc = np.zeros(3)
    z = 0.0
    for i in range(theta.shape[0]):
        st, ct = np.sin(theta[i]), np.cos(theta[i])
        # (E − e_ref)/kt = c0 + c1 cosφ + c2 sinφ + c3 cos²φ + c4 sin²φ + c5 cosφ sinφ on this ring
        c0 = (-gl[2] * ct + ql[2, 2] * ct * ct - e_ref) * inv_kt
        c1 = st * (2.0 * ql[0, 2] * ct - gl[0]) * inv_kt
        c2 = st * (2.0 * ql[1, 2] * ct - gl[1]) * inv_kt
        c3, c4, c5 = ql[0, 0] * st * st * inv_kt, ql[1, 1] * st * st * inv_kt, 2.0 * ql[0, 1] * st * st * inv_kt
        # = c0 + (c3 + c4)/2 + c1 cosφ + c2 sinφ + (c3 − c4)/2 cos2φ + c5/2 sin2φ
        if c0 + 0.5 * (c3 + c4) - np.hypot(c1, c2) - 0.5 * np.hypot(c3 - c4, c5) > NEGLIGIBLE:
            continue
        for k in range(nphi):
            x[k] = c0 + c1 * cphi[k] + c2 * sphi[k] + c3 * cc[k] + c4 * ss[k] + c5 * cs[k]
        _exp_neg(x, w, work)
        sw, swc, sws = _ring_sums(w, cphi, sphi)
        wt = wtheta[i] * st
        z += wt * sw
        acc[0] += wt * st * swc
        acc[1] += wt * st * sws
        acc[2] += wt * ct * sw
    return _mv(frame, acc) / z


@njit(cache=True)
def _mean_one(g, Q, kt, grid):
    """Omega = <m> for one (g, Q, kt); see :func:`mean_orientations`."""
    if kt < 0:
        g, Q, kt = -g, -Q, -kt
    ms, es, eigs = np.empty((MAX_POINTS, 3)), np.empty(MAX_POINTS), np.empty((MAX_POINTS, 2))
    found = _local_minima(g, Q, grid, ms, es, eigs)
    e_min = es[0]
    scale = max(np.sqrt(_dot3(g, g)), _absmax(Q), 1e-300)
    if kt <= 1e-13 * scale:  # the global minimum (the mean of degenerate ones)
        ground = np.zeros(3)
        n = 0
        for i in range(found):
            if es[i] - e_min <= 1e-10 * scale:
                ground += ms[i]
                n += 1
        return ground / n
    frame = _frame(ms[0])
    thetas, widths = np.empty(found), np.empty(found)
    nk, nphi = 0, 64
    for i in range(found):
        if (es[i] - e_min) / kt >= SIGNIFICANT:
            continue
        width = np.sqrt(kt / max(eigs[i, 1], 1e-300))  # eigs[i] = (soft, stiff) curvature
        soft = np.sqrt(kt / max(eigs[i, 0], kt / 4.0))
        theta = np.arccos(min(max(_dot3(frame[:, 2].copy(), ms[i]), -1.0), 1.0))
        thetas[nk], widths[nk] = theta, min(width, 0.5)
        nk += 1
        extent = max(np.sin(theta), min(6.0 * soft, 1.0))
        nphi = max(nphi, int(np.ceil(16.0 * extent / max(width, 1e-3))))
    nphi = min(nphi, 4096)
    edges = _theta_panels(thetas[:nk], widths[:nk])
    npanel = edges.size - 1
    theta, wtheta = np.empty(8 * npanel), np.empty(8 * npanel)
    for i in range(npanel):
        half, mid = 0.5 * (edges[i + 1] - edges[i]), 0.5 * (edges[i + 1] + edges[i])
        for j in range(8):
            theta[8 * i + j] = mid + half * _GL8_X[j]
            wtheta[8 * i + j] = half * _GL8_W[j]
    return _sphere_mean(g, Q, kt, frame, theta, wtheta, nphi, e_min)


@njit(cache=True, nogil=True)
def _mean_orientations(g, Q, kt, grid, out, first, step):
    """Omega at biases first, first + step, … into ``out`` (without the GIL, so threads share the work)."""
    for k in range(first, g.shape[0], step):
        out[k] = _mean_one(g[k], Q[k], kt[k], grid)


MIN_PER_THREAD = 16
"""Biases per thread below which :func:`mean_orientations` stays in one thread."""


def mean_orientations(g, Q, kt):
    """Omega = <m> for P(m) ∝ exp(−E(m)/kt), E(m) = −g·m + m·Q·m, at many biases at once.

    Parameters
    ----------
    g : array (n, 3), meV
    Q : array (n, 3, 3), meV (symmetric)
    kt : array (n,), meV
        k_B·T_eff: 0 gives the global minimum (the mean of the minima if
        degenerate), a negative value a distribution peaked at the maximum.

    Returns
    -------
    ndarray (n, 3)

    The quadrature runs in a frame whose pole is the most probable direction, on
    θ panels refined at every significant extremum on the scale of its Laplace
    width √(k_BT/λ), with the exponent shifted by its extreme value so that
    nothing overflows; the biases are shared between numba's threads
    (``numba.get_num_threads()``).
    """
    g = np.ascontiguousarray(g, dtype=float)
    Q = np.ascontiguousarray(Q, dtype=float)
    kt = np.ascontiguousarray(kt, dtype=float)
    n = kt.shape[0] if kt.ndim == 1 else -1
    if kt.ndim != 1 or g.shape != (n, 3) or Q.shape != (n, 3, 3):
        raise ValueError(f"expected g (n, 3), Q (n, 3, 3), kt (n,); got {g.shape}, {Q.shape}, {kt.shape}")
    if not np.all(np.isfinite(kt)):
        raise ValueError("kt = k_B·T_eff must be finite")
    out = np.empty((n, 3))
    threads = max(1, min(numba.get_num_threads(), n // MIN_PER_THREAD))
    if threads == 1:
        _mean_orientations(g, Q, kt, _GUARD_GRID, out, 0, 1)
    else:  # interleaved biases, so that each thread gets a fair share of the cheap and the costly ones
        with ThreadPoolExecutor(threads) as pool:
            for job in [pool.submit(_mean_orientations, g, Q, kt, _GUARD_GRID, out, k, threads)
                        for k in range(threads)]:
                job.result()
    return out


def mean_orientation(g, Q, kt):
    """Omega = <m> (3,) for P(m) ∝ exp(−(−g·m + m·Q·m)/kt) on the unit sphere (g, Q in meV).

    ``kt`` = k_B·T_eff in meV: 0 gives the global minimum (the mean of the minima
    if degenerate), a negative value a distribution peaked at the maximum.
    """
    return mean_orientations(np.asarray(g, dtype=float)[None], np.asarray(Q, dtype=float)[None], [kt])[0]


def fp_sweep_values(p, couplings):
    """Fokker–Planck Omega (n, 3) and k_B·T_eff (n,) in meV from site-2 couplings along a sweep.

    ``couplings``: dict of equal-length arrays (the named couplings at each bias,
    :func:`dimer_core.couplings.dimer.named_map`).  Where T_eff_2 is undefined (NaN,
    :data:`dimer_core.couplings.temperature.T_EFF_LIMIT`) Omega and k_B·T_eff are NaN.
    """
    kts = K_B * np.asarray(couplings["T_eff_2"], dtype=float)
    g, q, _ = free_spin_terms(p, couplings)
    omega = np.full(g.shape, np.nan)
    defined = np.isfinite(kts)
    omega[defined] = mean_orientations(g[defined], q[defined], kts[defined])
    return omega, kts


__all__ = ["FreeSpinEnergy", "free_spin_energy", "free_spin_terms", "bare_terms", "one_spin_terms", "mean_orientation",
           "mean_orientations", "local_minima", "stationary_points", "descend", "tangent_hessian", "fibonacci_sphere",
           "fp_sweep_values"]
