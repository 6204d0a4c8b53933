"""The previous Fokker–Planck route, kept only as the baseline of ``bench_dynamics.py``.

This is ``dimer_core/spins/pinned.py`` as of commit fba4c2c (before the sweep became one
parallel numba kernel): a Python loop over biases, each building its free-spin
energy, finding the minima with NumPy and running a numba quadrature.  The
library no longer uses it.
"""
import numpy as np
from numba import njit

from dimer_core.spins.pinned import FreeSpinEnergy, bare_terms
from dimer_core.units import K_B

_GL8_X, _GL8_W = np.polynomial.legendre.leggauss(8)

SIGNIFICANT = 50.0


def free_spin_energy(p, c):
    """:class:`FreeSpinEnergy` of spin 2 from parameters ``p`` and named couplings ``c`` (floats).

    ``c`` holds the site-2 couplings of :func:`dimer_core.point` at the bias of interest.
    """
    that, m1 = p.vector("that"), p.vector("m1")
    d2 = p.Delta ** 2
    h, q0 = bare_terms(p)
    g = (h + p.Delta * c["s_2"] * that
         + d2 * (c["J_2"] * m1 + c["D_2"] * np.cross(m1, that) + c["A_2"] * np.dot(m1, that) * that))
    q = q0 - 0.5 * d2 * c["K_2"] * np.outer(that, that)
    return FreeSpinEnergy(g=g, Q=q, b_dm=d2 * p.S ** 2 * c["chi22_DM"], that=that)


def stationary_points(g, Q):
    """All stationary points of E(m) = −g·m + m·Q·m on the unit sphere.

    Lagrange: (2Q − λ)m = g, |m| = 1.  In the eigenbasis of 2Q (eigenvalues d_i,
    b = Uᵀg) the multipliers solve the secular equation Σ b_i²/(d_i − λ)² = 1 (a
    polynomial of degree 6); eigen-directions with b_i = 0 add the "hard case".
    Returns a list of (m, λ) with m of shape (3,).
    """
    d, u = np.linalg.eigh(2.0 * Q)
    b = u.T @ g
    scale = max(np.abs(d).max(), np.abs(b).max(), 1e-300)
    factors = [np.array([di * di, -2.0 * di, 1.0]) for di in d]  # (d_i − λ)², ascending powers
    mul = np.polynomial.polynomial.polymul
    secular = -mul(mul(factors[0], factors[1]), factors[2])
    for i, (j, k) in enumerate(((1, 2), (0, 2), (0, 1))):
        secular[:5] += b[i] ** 2 * mul(factors[j], factors[k])
    roots = np.polynomial.polynomial.polyroots(secular) if np.any(secular != 0) else np.array([])
    points = []
    for r in roots:
        if abs(r.imag) > 1e-6 * scale:
            continue
        x = r.real
        for _ in range(3):  # Newton polish of the secular equation
            den = d - x
            if np.any(np.abs(den) < 1e-14 * scale):
                break
            f = np.sum(b ** 2 / den ** 2) - 1.0
            df = 2.0 * np.sum(b ** 2 / den ** 3)
            if df == 0:
                break
            x -= f / df
        den = d - x
        if np.any(np.abs(den) < 1e-12 * scale):
            continue
        m = u @ (b / den)
        nm = np.linalg.norm(m)
        if abs(nm - 1.0) < 1e-6:
            points.append((m / nm, x))
    for i in range(3):  # hard case: b_i = 0, λ = d_i
        if abs(b[i]) > 1e-12 * scale:
            continue
        others = [j for j in range(3) if j != i]
        if any(abs(d[j] - d[i]) < 1e-12 * scale and abs(b[j]) > 1e-12 * scale for j in others):
            continue
        x = np.zeros(3)
        for j in others:
            if abs(d[j] - d[i]) > 1e-12 * scale:
                x[j] = b[j] / (d[j] - d[i])
        rest = 1.0 - np.sum(x ** 2)
        if rest >= 0:
            for sgn in (1.0, -1.0):
                y = x.copy()
                y[i] = sgn * np.sqrt(rest)
                points.append((u @ y, d[i]))
    return points


def tangent_hessian(Q, m, lam):
    """Eigenvalues of the Riemannian Hessian P(2Q − λ)P on the tangent plane at m (meV)."""
    a = np.array([1.0, 0.0, 0.0]) if abs(m[0]) < 0.9 else np.array([0.0, 1.0, 0.0])
    e1 = np.cross(m, a)
    e1 /= np.linalg.norm(e1)
    e2 = np.cross(m, e1)
    basis = np.stack([e1, e2])
    return np.linalg.eigvalsh(basis @ (2.0 * Q - lam * np.eye(3)) @ basis.T)


def local_minima(g, Q):
    """Local minima of E on the sphere: list of (m, E, Hessian eigenvalues), lowest first.

    Stationary points come from :func:`stationary_points`; a 400-point spherical
    grid guards the global minimum (polished by projected Newton if it wins).
    """
    found = []
    for m, lam in stationary_points(g, Q):
        eig = tangent_hessian(Q, m, lam)
        if eig.min() > -1e-12 * (1 + np.abs(eig).max()):
            e = float(-g @ m + m @ Q @ m)
            if not any(np.linalg.norm(m - f[0]) < 1e-7 for f in found):
                found.append((m, e, np.maximum(eig, 0.0)))
    grid = _GUARD_GRID
    energies = -grid @ g + np.einsum("ni,ij,nj->n", grid, Q, grid)
    best = grid[np.argmin(energies)]
    if not found or energies.min() < min(f[1] for f in found) - 1e-9 * (1 + np.abs(energies).max()):
        m = _polish(g, Q, best)
        lam = float(m @ (2 * Q @ m - g))
        found.append((m, float(-g @ m + m @ Q @ m), np.maximum(tangent_hessian(Q, m, lam), 0.0)))
    return sorted(found, key=lambda f: f[1])


def _polish(g, Q, m):
    for _ in range(200):
        grad = -g + 2 * Q @ m
        tang = grad - (grad @ m) * m
        if np.linalg.norm(tang) < 1e-13 * (1 + np.linalg.norm(g) + np.abs(Q).max()):
            break
        step = 0.5 / (np.abs(Q).max() * 2 + np.linalg.norm(g) + 1e-300)
        m = m - step * tang
        m /= np.linalg.norm(m)
    return m


def fibonacci_sphere(n):
    """n nearly uniform unit vectors (n, 3)."""
    k = np.arange(n) + 0.5
    z = 1 - 2 * k / n
    phi = np.pi * (1 + 5 ** 0.5) * k
    r = np.sqrt(1 - z * z)
    return np.column_stack([r * np.cos(phi), r * np.sin(phi), z])


_GUARD_GRID = fibonacci_sphere(400)


def _frame(m):
    """Rotation matrix whose third column is m (a right-handed orthonormal frame)."""
    a = np.array([1.0, 0.0, 0.0]) if abs(m[0]) < 0.9 else np.array([0.0, 1.0, 0.0])
    e1 = np.cross(a, m)
    e1 /= np.linalg.norm(e1)
    return np.column_stack([e1, np.cross(m, e1), m])


def _theta_panels(centres):
    """θ break points on [0, π] refined geometrically around each (θ_k, width_k)."""
    pts = [0.0, np.pi]
    for theta, width in centres:
        ladder = width * np.concatenate([[0.0], 0.5 * 1.6 ** np.arange(24)])
        pts.extend(theta + ladder)
        pts.extend(theta - ladder)
    pts = np.unique(np.clip(pts, 0.0, np.pi))
    fine = [pts[0]]
    for a, b in zip(pts[:-1], pts[1:]):  # at most 0.15 rad per panel
        n = int(np.ceil((b - a) / 0.15))
        fine.extend(a + (b - a) * np.arange(1, n + 1) / n)
    pts = np.array(fine)
    return pts[np.concatenate([[True], np.diff(pts) > 1e-12])]


@njit(cache=True)
def _sphere_mean(g, Q, kt, frame, theta, wtheta, nphi, e_ref):
    acc = np.zeros(3)
    z = 0.0
    dphi = 2.0 * np.pi / nphi
    for i in range(theta.shape[0]):
        st, ct = np.sin(theta[i]), np.cos(theta[i])
        for k in range(nphi):
            phi = k * dphi
            loc0, loc1, loc2 = st * np.cos(phi), st * np.sin(phi), ct
            m0 = frame[0, 0] * loc0 + frame[0, 1] * loc1 + frame[0, 2] * loc2
            m1 = frame[1, 0] * loc0 + frame[1, 1] * loc1 + frame[1, 2] * loc2
            m2 = frame[2, 0] * loc0 + frame[2, 1] * loc1 + frame[2, 2] * loc2
            e = -(g[0] * m0 + g[1] * m1 + g[2] * m2)
            e += Q[0, 0] * m0 * m0 + Q[1, 1] * m1 * m1 + Q[2, 2] * m2 * m2
            e += 2.0 * (Q[0, 1] * m0 * m1 + Q[0, 2] * m0 * m2 + Q[1, 2] * m1 * m2)
            w = wtheta[i] * st * np.exp(-(e - e_ref) / kt)
            z += w
            acc[0] += w * m0
            acc[1] += w * m1
            acc[2] += w * m2
    return acc / z


def mean_orientation(g, Q, kt):
    """Omega = <m> for P(m) ∝ exp(−(−g·m + m·Q·m)/kt) on the unit sphere.

    ``kt`` = k_B·T_eff in meV: 0 gives the global minimum (the mean of the minima
    if degenerate), a negative value a distribution peaked at the maximum.
    """
    g = np.asarray(g, dtype=float)
    Q = np.asarray(Q, dtype=float)
    if kt < 0:
        g, Q, kt = -g, -Q, -kt
    minima = local_minima(g, Q)
    e_min = minima[0][1]
    scale = max(np.linalg.norm(g), np.abs(Q).max(), 1e-300)
    if kt <= 1e-13 * scale:
        ground = [m for m, e, _ in minima if e - e_min <= 1e-10 * scale]
        return np.mean(ground, axis=0)
    keep = [(m, e, eig) for m, e, eig in minima if (e - e_min) / kt < SIGNIFICANT]
    frame = _frame(keep[0][0])
    centres, nphi = [], 64
    for m, _, eig in keep:
        width = float(np.sqrt(kt / max(eig.max(), 1e-300)))
        soft = float(np.sqrt(kt / max(eig.min(), kt / 4.0)))
        theta = float(np.arccos(np.clip(frame[:, 2] @ m, -1.0, 1.0)))
        centres.append((theta, min(width, 0.5)))
        extent = max(np.sin(theta), min(6 * soft, 1.0))
        nphi = max(nphi, int(np.ceil(16.0 * extent / max(width, 1e-3))))
    nphi = min(nphi, 4096)
    edges = _theta_panels(centres)
    half = 0.5 * np.diff(edges)
    mid = 0.5 * (edges[1:] + edges[:-1])
    theta = (mid[:, None] + half[:, None] * _GL8_X).ravel()
    wtheta = (half[:, None] * _GL8_W).ravel()
    return _sphere_mean(g, Q, kt, frame, theta, wtheta, nphi, e_min)


def fp_loop(p, couplings):
    """Omega (n, 3) along a sweep, one bias at a time (the previous ``fp_sweep`` loop)."""
    n = len(couplings["J_2"])
    omega = np.empty((n, 3))
    for k in range(n):
        c = {key: float(val[k]) for key, val in couplings.items()}
        f = free_spin_energy(p, c)
        kt = K_B * c["T_eff_2"] if np.isfinite(c["T_eff_2"]) else 0.0
        omega[k] = mean_orientation(f.g, f.Q, kt)
    return omega
