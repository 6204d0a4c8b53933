"""Fermi-weighted cumulative integrals of the integrands, tabulated for fast maps.

Every response of PHYSICS.md at (mu_L, mu_R) is a sum of one-dimensional
functions of a single chemical potential (Engineering notes):

    Φ_k(μ) = ∫ dε f_T(ε − μ) F_k(ε),     Φ'_k(μ) = dΦ_k/dμ = ∫ dε (−∂_ε f_T) F_k(ε)

for the integrands F_k of :mod:`dimer_core.integrands`.  Two tables hold them:

* :class:`NodeTable` (T = 0): Φ_k(μ) is the cumulative integral.  It is stored at
  the Gauss–Legendre nodes and panel edges of the resonance-resolving panels in
  the band angle θ (values by the panel's spectral integration matrix, slopes
  dΦ/dθ = F exactly) and read by cubic Hermite interpolation in θ
  (:func:`dimer_core.assemble.map_outputs_zero_temperature`).  It depends
  only on the electronic parameters, never on mu_F or V.
* :class:`ThermalTable` (T > 0): Φ_k and Φ'_k on a uniform μ-grid whose spacing
  resolves both the resonances and k_B·T, each computed by direct quadrature on
  panels no wider than k_B·T/2 near μ; read by cubic Hermite interpolation.
"""
from dataclasses import dataclass

import numpy as np
from numba import njit, prange

from . import energy_grid
from .energy_grid import GL_ORDER, breakpoints, min_width, panel_nodes
from .integrands import NCOMP, evaluate

FERMI_CUTOFF = 36.0
"""Half-width of the thermal window in units of k_B·T (f = e^-36 ≈ 2e-16 beyond it)."""

THERMAL_PANEL = 0.5
"""Largest panel width inside the thermal window, in units of k_B·T."""

TABLE_DENSITY = 2.0
"""The T = 0 table uses panels this many times finer than plain quadrature, so
that its cubic Hermite interpolation errs by ~1e-7 of each quantity's size."""


@njit(cache=True)
def fermi(x, kt):
    """Fermi function f(x) = 1/(exp(x/kT) + 1); a step at kT = 0 (f(0) = 1/2)."""
    if kt == 0.0:
        return 1.0 if x < 0.0 else (0.0 if x > 0.0 else 0.5)
    y = x / kt
    if y > 0:
        z = np.exp(-y)
        return z / (1.0 + z)
    return 1.0 / (1.0 + np.exp(y))


@njit(cache=True)
def minus_dfermi(x, kt):
    """−∂f/∂x = 1/(4kT cosh²(x/2kT)) (1/meV)."""
    y = abs(x) / kt
    z = np.exp(-y)
    return z / (kt * (1.0 + z) ** 2)


@dataclass(frozen=True)
class NodeTable:
    """Cumulative integrals Φ_k(μ) at T = 0 on the resonance-resolving panels."""

    theta: np.ndarray
    """Table points in θ (panel edges and Gauss–Legendre nodes), increasing."""
    phi: np.ndarray
    """Φ_k at the points, shape (n, NCOMP)."""
    dphi: np.ndarray
    """dΦ_k/dθ = F_k·de/dθ at the points, shape (n, NCOMP)."""
    te: float

    @property
    def nbytes(self):
        return self.theta.nbytes + self.phi.nbytes + self.dphi.nbytes


def build_node_table(p, refine=1.0):
    """Tabulate Φ_k at T = 0 for the electronic parameters of ``p`` (see :class:`NodeTable`)."""
    bp = breakpoints(p, TABLE_DENSITY * refine)
    theta, weight, edges = panel_nodes(bp, p.te)
    npan = edges.size - 1
    pts = np.concatenate([np.column_stack([edges[:-1], theta.reshape(npan, GL_ORDER)]).ravel(), edges[-1:]])
    f = evaluate(pts, p)
    stride = GL_ORDER + 1
    f_nodes = np.stack([f[k * stride + 1:(k + 1) * stride] for k in range(npan)])  # (P, n, C)
    w_nodes = weight.reshape(npan, GL_ORDER)
    start = np.concatenate([[np.zeros(NCOMP)], np.cumsum(np.einsum("pn,pnc->pc", w_nodes, f_nodes), axis=0)])
    half = 0.5 * (edges[1:] - edges[:-1])
    inner = start[:-1, None, :] + half[:, None, None] * np.einsum("jk,pkc->pjc",
                                                                   energy_grid.spectral_integration_matrix(), f_nodes)
    phi = np.concatenate([np.concatenate([start[:-1, None, :], inner], axis=1).reshape(-1, NCOMP), start[-1:]])
    return NodeTable(theta=pts, phi=phi, dphi=f, te=p.te)


@njit(cache=True, parallel=True)
def _thermal_sums(energy, weighted, prefix, mus, kt, cutoff):
    m = mus.shape[0]
    c = weighted.shape[1]
    phi = np.empty((m, c))
    dphi = np.empty((m, c))
    for j in prange(m):
        mu = mus[j]
        lo = np.searchsorted(energy, mu - cutoff * kt)
        hi = np.searchsorted(energy, mu + cutoff * kt)
        for k in range(c):
            phi[j, k] = prefix[lo, k]
            dphi[j, k] = 0.0
        for i in range(lo, hi):
            x = energy[i] - mu
            f = fermi(x, kt)
            w = minus_dfermi(x, kt)
            for k in range(c):
                phi[j, k] += f * weighted[i, k]
                dphi[j, k] += w * weighted[i, k]
    return phi, dphi


def thermal_breakpoints(p, kt, lo, hi, refine=1.0):
    """Resonance panels, further split to widths ≤ k_B·T/2 over [lo − 36kT, hi + 36kT] (meV)."""
    band = 2.0 * p.te
    a = max(lo - FERMI_CUTOFF * kt, -band)
    b = min(hi + FERMI_CUTOFF * kt, band)
    step = THERMAL_PANEL * kt / refine
    extra = np.arange(a, b + step, step) if b > a else np.empty(0)
    return breakpoints(p, refine, extra=extra)


def fermi_weighted_sums(p, kt, mus, refine=1.0, window=None):
    """Φ_k(μ) and Φ'_k(μ) by direct quadrature at each μ in ``mus`` (meV), T > 0.

    ``window`` = (lo, hi): the μ-range whose thermal window is refined (default:
    the range of ``mus``).  Returns two arrays of shape (len(mus), NCOMP).
    """
    mus = np.ascontiguousarray(mus, dtype=float)
    lo, hi = window if window is not None else (mus.min(), mus.max())
    bp = thermal_breakpoints(p, kt, lo, hi, refine)
    theta, weight, _ = panel_nodes(bp, p.te)
    weighted = evaluate(theta, p) * weight[:, None]
    prefix = np.concatenate([np.zeros((1, NCOMP)), np.cumsum(weighted, axis=0)])
    energy = -2.0 * p.te * np.cos(theta)
    return _thermal_sums(energy, weighted, prefix, mus, kt, FERMI_CUTOFF)


@dataclass(frozen=True)
class ThermalTable:
    """Φ_k(μ) and Φ'_k(μ) at T > 0 on a uniform μ-grid covering ``[mu[0], mu[-1]]``."""

    mu: np.ndarray
    phi: np.ndarray
    dphi: np.ndarray

    def covers(self, lo, hi):
        return self.mu[0] <= lo and hi <= self.mu[-1]

    @property
    def nbytes(self):
        return self.mu.nbytes + self.phi.nbytes + self.dphi.nbytes


def thermal_spacing(p, kt):
    """μ-grid spacing of a :class:`ThermalTable`: 1/40 of the narrowest feature (meV)."""
    return 0.025 * max(min_width(p), np.pi * kt)


def build_thermal_table(p, kt, lo, hi, refine=1.0):
    """Tabulate Φ_k, Φ'_k at T > 0 (k_B·T = ``kt`` meV) for μ in [lo, hi] (meV)."""
    h = thermal_spacing(p, kt) / refine
    n = int(np.ceil((hi - lo) / h)) + 1
    mus = lo + h * np.arange(max(n, 2))
    phi, dphi = fermi_weighted_sums(p, kt, mus, refine, window=(mus[0], mus[-1]))
    return ThermalTable(mu=mus, phi=phi, dphi=dphi)
