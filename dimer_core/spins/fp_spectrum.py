"""Switching rates of one free spin from the spectrum of its Fokker–Planck operator on the sphere.

The one-spin stochastic LLG that :mod:`dimer_core.spins.langevin` integrates (paper Eq. 8, read as in
docs/stochastic.md, "What the integrator adds") is the Stratonovich SDE ṁ = F(m) + K(m)(ξ), F = K B + c
(:func:`dimer_core.spins.drift.rate` and :func:`~dimer_core.spins.drift.mobility`: the mobility K, the field B = g + X m, the noise-induced drift c), with
<ξξᵀ> = N δ.  Its generator acting on observables f(m) is, in weak (Galerkin) form on the unit sphere
(docs/rates.md, "The Fokker–Planck operator in spherical harmonics"),

    ⟨u, 𝓛 f⟩ = ∫ u (F − ½ K N q)·∇f dΩ − ½ ∫ ∇u·D ∇f dΩ,   D = K N Kᵀ,   q_j = div(K e_j),

with ∇ the tangent gradient and q the divergence of the columns of K on the sphere (here by fourth-order
central differences of K(x/|x|), independent of the closed form in :mod:`dimer_core.spins.drift`).  In the
orthonormal real spherical harmonics S_b up to degree L the matrix 𝓛_ab = ⟨S_a, 𝓛 S_b⟩ is assembled by
Gauss–Legendre (cos θ) × trapezoidal (φ) quadrature.  Its spectrum is the relaxation of the spin: 0 (the
constant), then, for a bistable spin, λ₁ = k₁₂ + k₂₁ (the sum of the two escape rates, 1/ps) separated
from the intra-well rates by the barrier.  The split follows from the slowest backward eigenfunction ψ₁
(the right eigenvector of 𝓛 for −λ₁), nearly constant on each well: the stationary law P has ∫ P ψ₁ = 0,
so with ψ₁ ≈ ψ₁(m_i) on well i (ψ₁ as the committor of the two-state reduction) the populations are
n₁ = ψ₁(m₂)/(ψ₁(m₂) − ψ₁(m₁)), n₂ = 1 − n₁, and with n₁k₁ = n₂k₂ the rate out of well i is
k_i = λ₁ (1 − n_i).

The sub-block of the first (L' + 1)² rows and columns is the Galerkin matrix at degree L' (the basis is
hierarchical), so λ₁ and the rates at L − :data:`CONVERGENCE_STEP` give a convergence estimate at little
cost; a result that moves by more than ``tolerance`` between the two is refused (L too small for the barrier or the
anisotropy).  The stationary density is the null vector of 𝓛ᵀ; at V = 0 it is exp(−E/k_BT) (checked in
tests/test_fp_spectrum.py).
"""
import math
from dataclasses import dataclass

import numpy as np
from numba import njit
from scipy.linalg import lu_factor, lu_solve
from scipy.special import sph_harm_y_all
from scipy.sparse.linalg import LinearOperator, eigs

from .drift import calculus_flag, mobility, rate, workspace
from .langevin import validity

__all__ = ["SphereGrid", "sphere_grid", "real_harmonics", "generator_coefficients", "generator_matrix",
           "stationary_coefficients", "spectral_rates", "SpectralRates", "NotConverged", "MAX_OPERATOR_BYTES", "CONVERGENCE_STEP"]

MAX_OPERATOR_BYTES = 2 ** 30
"""Largest memory the operator may take (its matrix, a factorisation and the Krylov work: about 4 (L+1)⁴
doubles), 1 GiB: L ≤ 63."""

CONVERGENCE_STEP = 4
"""λ₁ is also computed at degree L − this, for the convergence estimate."""

_CHUNK = 4096
"""Quadrature points per block of the assembly (bounds the memory of the harmonics to ~100 MB at L = 60)."""


class NotConverged(ValueError):
    """λ₁ moved by more than the tolerance between degree L − :data:`CONVERGENCE_STEP` and L; ``change`` is by
    how much (relative)."""

    def __init__(self, message, change):
        super().__init__(message)
        self.change = change


@dataclass(frozen=True)
class SphereGrid:
    """Product quadrature on the unit sphere: Gauss–Legendre in cos θ (``theta``, ``theta_weights``) times
    the trapezoidal rule in φ (``phi``); ``points`` (P, 3) and ``weights`` (P,) (summing to 4π), θ-major."""

    theta: np.ndarray
    theta_weights: np.ndarray
    phi: np.ndarray
    points: np.ndarray
    weights: np.ndarray


def sphere_grid(n_theta, n_phi):
    """:class:`SphereGrid` with n_theta Gauss nodes in cos θ and n_phi equally spaced φ: exact for
    polynomials of degree ≤ 2 n_theta − 1 in cos θ times trigonometric ones of degree < n_phi in φ."""
    z, wz = np.polynomial.legendre.leggauss(int(n_theta))
    theta = np.arccos(z)
    phi = 2.0 * np.pi * np.arange(int(n_phi)) / int(n_phi)
    st = np.sin(theta)
    points = np.stack([np.outer(st, np.cos(phi)), np.outer(st, np.sin(phi)), np.outer(z, np.ones_like(phi))],
                      axis=-1).reshape(-1, 3)
    weights = np.outer(wz, np.full(phi.size, 2.0 * np.pi / phi.size)).ravel()
    return SphereGrid(theta=theta, theta_weights=wz, phi=phi, points=points, weights=weights)


def real_harmonics(lmax, theta, phi, gradient=False):
    """Orthonormal real spherical harmonics S_b, b = l² + l + m (|m| ≤ l ≤ lmax), at the points (θ_i, φ_i)
    (1-D arrays of equal length, rad): an array (nb, P).  With ``gradient`` also their tangent gradients
    ∇S_b = ∂_θS θ̂ + (1/sin θ) ∂_φS φ̂ in Cartesian components, (3, nb, P) (points off the poles).

    S_l0 = Y_l⁰, S_lm = √2 (−1)^m Re Y_l^m, S_l,−m = √2 (−1)^m Im Y_l^m (m > 0), from scipy's complex Y_l^m
    (with the Condon–Shortley phase) at φ = 0 times cos mφ, sin mφ.
    """
    theta, phi = np.asarray(theta, dtype=float), np.asarray(phi, dtype=float)
    rings, ring_of = np.unique(theta, return_inverse=True)  # the θ part once per ring
    values, derivs = sph_harm_y_all(lmax, lmax, rings, np.zeros_like(rings), diff_n=1)
    values, derivs = values.real[..., ring_of], derivs[..., 0].real[..., ring_of]
    nb = (lmax + 1) ** 2
    s = np.empty((nb, theta.size))
    if gradient:
        d_theta, d_phi = np.empty((nb, theta.size)), np.empty((nb, theta.size))
        inv_sin = 1.0 / np.sin(theta)
    for m in range(lmax + 1):
        norm = 1.0 if m == 0 else math.sqrt(2.0) * (-1.0) ** m
        cos_m, sin_m = np.cos(m * phi), np.sin(m * phi)
        for l in range(m, lmax + 1):
            t = norm * values[l, m]
            s[l * l + l + m] = t * cos_m
            if m:
                s[l * l + l - m] = t * sin_m
            if gradient:
                dt = norm * derivs[l, m]
                d_theta[l * l + l + m] = dt * cos_m
                d_phi[l * l + l + m] = -m * t * sin_m * inv_sin
                if m:
                    d_theta[l * l + l - m] = dt * sin_m
                    d_phi[l * l + l - m] = m * t * cos_m * inv_sin
    if not gradient:
        return s
    ct, st, cp, sp = np.cos(theta), np.sin(theta), np.cos(phi), np.sin(phi)
    grad = np.stack([d_theta * (ct * cp) - d_phi * sp, d_theta * (ct * sp) + d_phi * cp, -d_theta * st])
    return s, grad


@njit(cache=True)
def _mobility_at(x, alpha, inv_hs, ws):
    """K(x/|x|) (3 × 3, 1/(meV·ps)) from :func:`dimer_core.spins.drift.mobility`."""
    n = math.sqrt(x[0] * x[0] + x[1] * x[1] + x[2] * x[2])
    return mobility(x / n, alpha, inv_hs, ws)


@njit(cache=True)
def _coefficients(points, g, x, alpha, noise, kt, inv_hs, corrected, step, drift, diffusion):
    """Per quadrature point: the first-order coefficient F − ½ K N q (tangent) into ``drift`` (P, 3) and
    D = K N Kᵀ into ``diffusion`` (P, 3, 3); q by fourth-order central differences of K(x/|x|)."""
    ws = workspace(3)
    zero3 = np.zeros(3)
    bare, c = np.empty(3), np.empty(3)
    for p in range(points.shape[0]):
        m = points[p]
        rate(m, zero3, g, x, alpha, noise, kt, inv_hs, corrected, ws, bare, c)
        k = _mobility_at(m, alpha, inv_hs, ws)
        q = np.zeros(3)
        for i in range(3):  # q_j = Σ_i ∂_i K_ij
            for s, w in ((2.0, -1.0), (1.0, 8.0), (-1.0, -8.0), (-2.0, 1.0)):
                y = m.copy()
                y[i] += s * step
                ks = _mobility_at(y, alpha, inv_hs, ws)
                for j in range(3):
                    q[j] += w * ks[i, j] / (12.0 * step)
        nq = np.zeros(3)
        kn = np.zeros((3, 3))
        for i in range(3):
            for j in range(3):
                nq[i] += noise[i, j] * q[j]
                for r in range(3):
                    kn[i, j] += k[i, r] * noise[r, j]
        d = np.zeros((3, 3))
        for i in range(3):
            for j in range(3):
                for r in range(3):
                    d[i, j] += kn[i, r] * k[j, r]
        f = np.empty(3)
        for i in range(3):
            f[i] = bare[i] + c[i] - 0.5 * (k[i, 0] * nq[0] + k[i, 1] * nq[1] + k[i, 2] * nq[2])
        radial = f[0] * m[0] + f[1] * m[1] + f[2] * m[2]
        for i in range(3):
            drift[p, i] = f[i] - radial * m[i]
            for j in range(3):
                diffusion[p, i, j] = 0.5 * (d[i, j] + d[j, i])


def _model_at(spins, index):
    """(g, x, alpha, noise, kt (1,), 1/ħS) of a one-spin :class:`~dimer_core.spins.langevin.SpinModel` at a bias, as
    contiguous arrays."""
    if spins.nspins != 1:
        raise ValueError(f"the Fokker–Planck spectrum is for one free spin; the model has {spins.nspins} "
                         "(use the Langevin counting, method = 'langevin')")
    if not 0 <= index < spins.size:
        raise ValueError(f"index = {index} is not a bias of the model; allowed: 0 to {spins.size - 1}")
    # the damping and T_eff limits of the LLG (the Langevin step's stiffness is no limit for the operator)
    valid, reasons = validity(spins.alpha[index:index + 1], spins.kt[index:index + 1])
    if not valid[0]:
        raise ValueError(f"bias {index} is outside the model's validity: {reasons[0]}")

    def array(v):
        return np.ascontiguousarray(v, dtype=float)

    return (array(spins.g[index]), array(spins.X[index]), array(spins.alpha[index]), array(spins.noise[index]),
            array(spins.kt[index][:1]), 1.0 / spins.hbar_s)


def generator_coefficients(spins, index, points, calculus="boltzmann", step=1e-3):
    """(drift (P, 3) in 1/ps, diffusion (P, 3, 3) in 1/ps) of the weak generator (module docstring) at the
    unit vectors ``points`` (P, 3), for bias ``index`` of a one-spin model; ``calculus`` as in
    :func:`dimer_core.spins.drift.calculus_flag`."""
    g, x, alpha, noise, kt, inv_hs = _model_at(spins, index)
    pts = np.ascontiguousarray(points, dtype=float)
    drift, diffusion = np.empty((pts.shape[0], 3)), np.empty((pts.shape[0], 3, 3))
    _coefficients(pts, g, x, alpha, noise, kt, inv_hs, calculus_flag(calculus), step, drift,
                  diffusion)
    return drift, diffusion


def _check_degree(L):
    if not (isinstance(L, (int, np.integer)) and L >= 2):
        raise ValueError(f"L = {L!r}: allowed: an integer degree >= 2")
    need = 4 * (L + 1) ** 4 * 8
    if need > MAX_OPERATOR_BYTES:
        raise ValueError(f"L = {L} needs about {need / 2 ** 30:.2g} GiB for the operator; allowed: at most "
                         f"{MAX_OPERATOR_BYTES / 2 ** 30:.2g} GiB (L <= 63)")


def generator_matrix(spins, index, L, pad=12, calculus="boltzmann"):
    """(𝓛 (nb, nb), grid): the Galerkin matrix 𝓛_ab = ⟨S_a, 𝓛 S_b⟩ (1/ps) of the backward generator in the
    real spherical harmonics up to degree L (nb = (L + 1)²), and the :class:`SphereGrid` of L + ``pad``
    Gauss nodes in cos θ and 2(L + pad) + 1 angles in φ that integrates it (module docstring)."""
    _check_degree(L)
    if not (isinstance(pad, (int, np.integer)) and pad >= 4):
        raise ValueError(f"pad = {pad!r}: allowed: an integer >= 4 (extra quadrature degree)")
    grid = sphere_grid(L + pad, 2 * (L + pad) + 1)
    drift, diffusion = generator_coefficients(spins, index, grid.points, calculus)
    theta = np.repeat(grid.theta, grid.phi.size)
    phi = np.tile(grid.phi, grid.theta.size)
    nb = (L + 1) ** 2
    out = np.zeros((nb, nb))
    for start in range(0, theta.size, _CHUNK):
        sl = slice(start, start + _CHUNK)
        s, grad = real_harmonics(L, theta[sl], phi[sl], gradient=True)
        w = grid.weights[sl]
        d, dd = drift[sl].T, diffusion[sl].transpose(1, 2, 0)
        along = grad[0] * d[0] + grad[1] * d[1] + grad[2] * d[2]  # F·∇S_b
        out += (s * w) @ along.T
        for i in range(3):  # −½ ∇S_a·D ∇S_b
            spread = grad[0] * dd[i, 0] + grad[1] * dd[i, 1] + grad[2] * dd[i, 2]
            out -= (0.5 * grad[i] * w) @ spread.T
    return out, grid


def stationary_coefficients(matrix):
    """Coefficients (nb,) of the stationary density in the harmonics: the null vector of 𝓛ᵀ, normalised to
    ∫ P dΩ = 1 (the S_00 coefficient is 1/√(4π))."""
    sub = matrix[1:, 1:]
    # 𝓛ᵀ p = 0 with p_0 fixed: the rows b ≥ 1 read 𝓛[0, 1:] p_0 + 𝓛[1:, 1:]ᵀ p_rest = 0
    p0 = 1.0 / math.sqrt(4.0 * math.pi)
    rest = np.linalg.solve(sub.T, -matrix[0, 1:] * p0)
    return np.concatenate([[p0], rest])


def _slowest(matrix, L):
    """The eigenvalue of smallest modulus of the sub-block b ≥ 1 at degree L (sorted by |λ|) with its right
    eigenvector, by shift-invert at 0 (the constant, eigenvalue 0, is the block's complement)."""
    nb = (L + 1) ** 2
    sub = matrix[1:nb, 1:nb]
    lu = lu_factor(sub)
    op = LinearOperator(sub.shape, matvec=lambda v: lu_solve(lu, v), dtype=float)
    inv_vals, vecs = eigs(op, k=min(4, sub.shape[0] - 2), which="LM", v0=np.ones(sub.shape[0]))
    vals = 1.0 / inv_vals
    order = np.argsort(np.abs(vals))
    return vals[order], vecs[:, order]


@dataclass(frozen=True)
class SpectralRates:
    """Switching rates of a bistable free spin from the Fokker–Planck spectrum (1/ps).

    relaxation: λ₁ = k_1 + k_2; rates (2,): k_i out of well i (the order of ``states``); populations (2,);
    next_rate: |λ₂|, the fastest-but-one relaxation (the intra-well scale; λ₁ ≪ |λ₂| for a clear split);
    change: the largest relative change of λ₁ and of the two rates from degree L − CONVERGENCE_STEP; L, pad: the degree and quadrature padding used.
    """

    relaxation: float
    rates: np.ndarray
    populations: np.ndarray
    next_rate: float
    change: float
    L: int
    pad: int


def spectral_rates(spins, index, states, L=32, pad=12, tolerance=1e-3):
    """Escape rates (1/ps) out of the two stable ``states`` (2, 3) of a one-spin
    :class:`~dimer_core.spins.langevin.SpinModel` at bias ``index``: a :class:`SpectralRates` (module docstring).

    Refuses (:class:`NotConverged`, a ValueError) when λ₁ or a rate moves by more than ``tolerance``
    (relative) between degree L − :data:`CONVERGENCE_STEP` and L (L too small for the barrier or the
    anisotropy); with a ValueError when λ₁ is not real and isolated (|λ₂| < 5 λ₁: no two wells to switch between), or when L exceeds the memory bound.
    """
    states = np.asarray(states, dtype=float)
    if states.shape != (2, 3):
        raise ValueError(f"states must be two unit vectors, shape (2, 3); got {states.shape}")
    if not 0 < tolerance < 1:
        raise ValueError(f"tolerance = {tolerance!r}: allowed: 0 < tolerance < 1")
    _check_degree(L)
    if L - CONVERGENCE_STEP < 2:
        raise ValueError(f"L = {L}: allowed: L >= {CONVERGENCE_STEP + 2} (the convergence estimate uses "
                         f"L - {CONVERGENCE_STEP})")
    matrix, _ = generator_matrix(spins, index, L, pad)
    fine = _two_state(matrix, L, states)
    coarse = _two_state(matrix, L - CONVERGENCE_STEP, states)
    lam1, rates, pops, lam2 = fine
    change = float(abs(coarse[0] - lam1) / abs(lam1))
    if not change <= tolerance:
        raise NotConverged(_too_small(L, change, tolerance), change)
    if abs(lam1.imag) > 1e-8 * abs(lam1) or lam1.real <= 0 or abs(lam2) < 5.0 * lam1.real:
        raise ValueError(f"no isolated switching rate: the slowest relaxation rates are {lam1:.4g}, {lam2:.4g} "
                         "1/ps (need a real λ₁ > 0 with |λ₂| >= 5 λ₁: two wells separated by a barrier)")
    if np.any(pops <= 0) or np.any(pops >= 1):
        raise ValueError("the slowest relaxation does not tell the two states apart (ψ₁ has the same sign on both)")
    change = max(change, float(np.max(np.abs(coarse[1] - rates) / rates)))
    if not change <= tolerance:
        raise NotConverged(_too_small(L, change, tolerance), change)
    return SpectralRates(relaxation=float(lam1.real), rates=rates, populations=pops, next_rate=float(abs(lam2)),
                         change=change, L=int(L), pad=int(pad))


def _too_small(L, change, tolerance):
    return (f"L = {L} is too small for this barrier/anisotropy: λ₁ or the rates moved by {change:.2g} (relative) "
            f"from L = {L - CONVERGENCE_STEP}; allowed: <= tolerance = {tolerance:g}; raise L")


def _two_state(matrix, L, states):
    """(λ₁ (complex), rates (2,), populations (2,), |λ₂|) from the leading block at degree L (module docstring):
    ψ₁ the right eigenvector for −λ₁, the populations from its values at the two states."""
    vals, vecs = _slowest(matrix, L)
    lam1 = -vals[0]
    nb = (L + 1) ** 2
    v = np.real(vecs[:, 0])
    psi = np.concatenate([[matrix[0, 1:nb] @ v / -lam1.real], v])  # (x0, v) with 𝓛[0, 1:]·v = −λ₁ x0
    theta = np.arccos(np.clip(states[:, 2] / np.linalg.norm(states, axis=1), -1.0, 1.0))
    phi = np.arctan2(states[:, 1], states[:, 0])
    at = psi @ real_harmonics(L, theta, phi)
    # ∫ P ψ₁ = 0 with ψ₁ ≈ ψ₁(m_i) on well i: n₁ψ₁(m₁) + n₂ψ₁(m₂) = 0 (n₁ = 0 or 1 where both have one sign:
    # no two wells, refused by the caller)
    n1 = at[1] / (at[1] - at[0]) if at[0] * at[1] < 0 else float(abs(at[0]) > abs(at[1]))
    pops = np.array([n1, 1.0 - n1])
    return lam1, lam1.real * (1.0 - pops), pops, abs(vals[1])
