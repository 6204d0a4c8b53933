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
* :class:`ThermalTable` (T > 0): Φ_k, Φ'_k, Φ''_k, Φ'''_k on non-uniform μ points (panels of
  ≤ k_B·T near the resonances and band edges, geometric away from them), computed from the T = 0
  panels by a Fermi-window product integration (:func:`fermi_window_sums`) and read by quintic Hermite
  interpolation.  Its size and cost are bounded for every T > 0: nothing scales like
  (band width)/(k_B·T).

:func:`fermi_weighted_sums` (the direct route of ``point``) integrates on the resonance panels
refined to ≤ k_B·T/2 inside ±36 k_B·T windows around the requested chemical potentials only.
"""
import math
from dataclasses import dataclass

import numpy as np
from numba import njit, prange

from . import energy_grid
from .energy_grid import GL_NODES, GL_ORDER, GL_WEIGHTS, breakpoints, min_width, resonance_anchored_nodes, resonances
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
    edges = energy_grid.theta_of(bp, p.te)
    npan = edges.size - 1
    anchor, offset, weight = resonance_anchored_nodes(p, bp)
    f_nodes = evaluate(anchor, p, offset).reshape(npan, GL_ORDER, NCOMP)
    pts = np.concatenate([np.column_stack([edges[:-1], (anchor + offset).reshape(npan, GL_ORDER)]).ravel(),
                          edges[-1:]])
    f_edges = evaluate(edges, p)
    f = np.concatenate([np.concatenate([f_edges[:-1, None, :], f_nodes], axis=1).reshape(-1, NCOMP), f_edges[-1:]])
    w_nodes = weight.reshape(npan, GL_ORDER)
    start = np.concatenate([[np.zeros(NCOMP)], np.cumsum(np.einsum("pn,pnc->pc", w_nodes, f_nodes), axis=0)])
    half = w_nodes[:, 0] / GL_WEIGHTS[0]
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


def thermal_breakpoints(p, kt, mus, refine=1.0):
    """Resonance panels, further split to widths ≤ k_B·T/2 inside ±36 k_B·T of each chemical potential
    in ``mus`` (meV): at most 144 extra panels per μ, for any k_B·T > 0."""
    band = 2.0 * p.te
    step = THERMAL_PANEL * kt / refine
    extra = [np.arange(max(mu - FERMI_CUTOFF * kt, -band), min(mu + FERMI_CUTOFF * kt, band) + step, step)
             for mu in np.atleast_1d(mus)]
    return breakpoints(p, refine, extra=np.concatenate(extra))


def fermi_weighted_sums(p, kt, mus, refine=1.0):
    """Φ_k(μ) and Φ'_k(μ) by direct quadrature at each μ in ``mus`` (meV), T > 0 (the route of ``point``).

    Returns two arrays of shape (len(mus), NCOMP).
    """
    mus = np.ascontiguousarray(mus, dtype=float)
    anchor, offset, weight = resonance_anchored_nodes(p, thermal_breakpoints(p, kt, mus, refine))
    weighted = evaluate(anchor, p, offset) * weight[:, None]
    prefix = np.concatenate([np.zeros((1, NCOMP)), np.cumsum(weighted, axis=0)])
    energy = -2.0 * p.te * np.cos(anchor + offset)
    return _thermal_sums(energy, weighted, prefix, mus, kt, FERMI_CUTOFF)


@dataclass(frozen=True)
class ThermalTable:
    """Φ_k(μ) and its μ-derivatives at T > 0 on non-uniform μ points covering ``[mu[0], mu[-1]]``.

    The map kernel reads Φ by quintic Hermite interpolation of (Φ, Φ', Φ'') and Φ' by that of
    (Φ', Φ'', Φ'''), both O(h⁶) (:func:`dimer_core.assemble.map_outputs`).
    """

    mu: np.ndarray
    """Abscissae (meV), increasing."""
    phi: np.ndarray
    """Φ_k at the abscissae, shape (n, NCOMP); likewise dphi = Φ', d2phi = Φ'', d3phi = Φ'''."""
    dphi: np.ndarray
    d2phi: np.ndarray
    d3phi: np.ndarray

    def covers(self, lo, hi):
        return self.mu[0] <= lo and hi <= self.mu[-1]

    @property
    def nbytes(self):
        return self.mu.nbytes + self.phi.nbytes + self.dphi.nbytes + self.d2phi.nbytes + self.d3phi.nbytes


THERMAL_TABLE_PANEL = 1.0
"""Width of the μ-panels of a :class:`ThermalTable` near a resonance or band edge, in units of k_B·T."""

THERMAL_REACH = 16.0
"""Distance (in k_B·T) from a resonance or band edge out to which those panels stay k_B·T-sized; beyond it
Φ's Fermi-smoothed part has decayed below e^-16 and the panels grow geometrically."""


def table_abscissae(p, kt, lo, hi, refine=1.0):
    """Non-uniform μ points (meV) of a :class:`ThermalTable` on [lo, hi]: edges and Gauss–Legendre nodes
    of panels in energy.

    Φ_T(μ) = ∫dε f(ε − μ)F(ε) is Φ_0 smoothed over k_B·T, so its features sit at the resonances
    x − iγ and at the band edges ±2·te (γ = 0), with widths max(γ, k_B·T) and exponential Fermi tails
    of scale k_B·T.  Panel width per feature at distance d: max(γ/2, ``THERMAL_TABLE_PANEL``·k_B·T)
    within ``THERMAL_REACH``·k_B·T of it, max(γ/2, d/4) beyond (as the T = 0 panels), at most
    0.05·(2·te), the non-thermal widths divided by ``TABLE_DENSITY``.  Their number does not grow as
    k_B·T → 0 nor with (band width)/(k_B·T): about 70 panels per feature for k_B·T > γ, and tending to
    the T = 0 table's as k_B·T → 0.
    """
    poles = resonances(p)
    band = 2.0 * p.te
    xs = np.concatenate([poles.real, [-band, band]])
    scale = TABLE_DENSITY * refine
    floor = np.concatenate([np.maximum(np.abs(poles.imag), min_width(p)), [0.0, 0.0]]) * 0.5 / scale
    near = np.maximum(floor, THERMAL_TABLE_PANEL * kt / refine)
    reach = THERMAL_REACH * kt
    hmax = 0.05 * band / scale

    def width(e):
        d = np.abs(e - xs)
        w = np.where(d < reach, near, np.maximum(floor, 0.25 * d / scale))
        return min(hmax, float(w.min()))

    return panel_points(walk_panels(lo, hi, width))


def walk_panels(lo, hi, width):
    """Panel edges from lo to hi (meV), each panel no wider than ``width`` at either of its ends."""
    pts = [lo]
    while pts[-1] < hi:
        e = pts[-1]
        h = width(e)
        h = min(h, width(min(e + h, hi)))
        pts.append(min(e + h, hi))
    return np.array(pts)


def panel_points(edges):
    """Edges and Gauss–Legendre nodes of the panels with these edges, increasing."""
    lo, hi = edges[:-1], edges[1:]
    nodes = 0.5 * (hi + lo)[:, None] + 0.5 * (hi - lo)[:, None] * GL_NODES[None, :]
    return np.concatenate([np.column_stack([lo, nodes]).ravel(), edges[-1:]])


def build_thermal_table(p, kt, lo, hi, refine=1.0, node_table=None):
    """Tabulate Φ_k and its μ-derivatives at T > 0 (k_B·T = ``kt`` meV) for μ in [lo, hi] (meV).

    The values come from :func:`fermi_window_sums` on the T = 0 panels (``node_table``, built if not
    given): no integrand is evaluated beyond those of the T = 0 table, and the cost is bounded for
    every k_B·T > 0.
    """
    table = node_table if node_table is not None else build_node_table(p, refine)
    mus = table_abscissae(p, kt, lo, hi, refine)
    return ThermalTable(mus, *fermi_window_sums(table, kt, mus))


SUB_OFFSETS = np.array([-36.0, -30.0, -24.0, -18.0, -14.0, -12.0, -10.0, *np.arange(-8.0, 8.5, 1.0),
                        10.0, 12.0, 14.0, 18.0, 24.0, 30.0, 36.0])
"""Sub-panel edges around μ, in units of k_B·T, inside a quadrature panel wider than k_B·T.  The poles of
f sit πk_B·T off the real axis, so 10 Gauss–Legendre nodes integrate f·ℓ_n over a sub-panel of width w·k_B·T
to ~ρ^-11 relative, ρ = π/w + √(π²/w² + 1): 1e-12 for w = 1 (|x| < 8k_B·T), and the wider tail
sub-panels err by ρ^-11·e^(−|x|/k_B·T) < 1e-12 of the window's integral."""

WINDOW_BYTES = 32 * 2 ** 20
"""Memory budget of one block of the weight matrices in :func:`fermi_window_sums` (bytes)."""


def _barycentric_weights():
    diff = GL_NODES[:, None] - GL_NODES[None, :]
    np.fill_diagonal(diff, 1.0)
    return 1.0 / diff.prod(axis=1)


_BARY = _barycentric_weights()


def fermi_window_sums(table, kt, mus):
    """Φ_k(μ) and its first three μ-derivatives at T > 0 for each μ in ``mus`` (meV), from a T = 0
    :class:`NodeTable`.

    Φ(μ) = ∫dε f(ε − μ)F(ε) = Φ_0(a) + ∫_a dε f F with a = μ − 36k_B·T; Φ' = ∫(−∂f)F, Φ'' = ∫∂²f F,
    Φ''' = ∫(−∂³f)F.  On each quadrature panel F is its degree-9 Lagrange interpolant in θ (exact for
    the panel's own Gauss–Legendre sums).  Panels no wider than k_B·T use their own nodes; wider ones
    are split into sub-panels ``SUB_OFFSETS``·k_B·T around μ, on which F is read from the interpolant
    (product integration).  The node weights form four matrices, applied to F by a matrix product over
    the band of nodes that a block of μ touches (blocks of at most ``WINDOW_BYTES``): work and memory
    per μ are bounded for every k_B·T > 0.
    Returns four arrays of shape (len(mus), NCOMP).
    """
    stride = GL_ORDER + 1
    npan = (table.theta.size - 1) // stride
    edges = table.theta[::stride]
    body = table.theta[:-1].reshape(npan, stride)[:, 1:]
    fvals = np.ascontiguousarray(table.dphi[:-1].reshape(npan, stride, NCOMP)[:, 1:, :].reshape(-1, NCOMP))
    start = table.phi[::stride]
    weights = (0.5 * (edges[1:] - edges[:-1]))[:, None] * GL_WEIGHTS[None, :]
    e_edges = -2.0 * table.te * np.cos(edges)
    e_nodes = -2.0 * table.te * np.cos(body)
    mus = np.ascontiguousarray(mus, dtype=float)
    first, last = _window_panels(e_edges, mus, kt, FERMI_CUTOFF)
    out = np.empty((4, mus.size, NCOMP))
    lo = 0
    while lo < mus.size:
        hi = _block_end(first, last, lo)
        c0, c1 = GL_ORDER * first[lo:hi].min(), GL_ORDER * max(last[lo:hi].max(), first[lo:hi].min())
        w = _window_weights(edges, e_edges, e_nodes, weights, mus[lo:hi], first[lo:hi], last[lo:hi], c0, c1, kt,
                            table.te, SUB_OFFSETS, GL_NODES, GL_WEIGHTS, _BARY)
        for k in range(4):
            out[k, lo:hi] = w[k] @ fvals[c0:c1]
        out[0, lo:hi] += start[first[lo:hi]]
        lo = hi
    return tuple(out)


def _block_end(first, last, lo):
    """End of the block of μ points from ``lo`` whose weight matrices fit in ``WINDOW_BYTES``."""
    hi = lo + 1
    c0, c1 = first[lo], last[lo]
    while hi < first.size:
        c0, c1 = min(c0, first[hi]), max(c1, last[hi])
        if 4 * 8 * (hi + 1 - lo) * GL_ORDER * max(c1 - c0, 1) > WINDOW_BYTES:
            break
        hi += 1
    return hi


@njit(cache=True)
def _window_panels(e_edges, mus, kt, cutoff):
    """First panel of each μ's Fermi window ±cutoff·k_BT (Φ_0 below it is the table's cumulative
    value) and one past its last."""
    npan = e_edges.shape[0] - 1
    first = np.empty(mus.shape[0], np.int64)
    last = np.empty(mus.shape[0], np.int64)
    for j in range(mus.shape[0]):
        first[j] = min(max(np.searchsorted(e_edges, mus[j] - cutoff * kt, side="right") - 1, 0), npan)
        last[j] = max(min(np.searchsorted(e_edges, mus[j] + cutoff * kt), npan), first[j])
    return first, last


@njit(cache=True, parallel=True)
def _window_weights(edges, e_edges, e_nodes, weights, mus, first, last, c0, c1, kt, te, offsets, glx, glw, bary):
    """Weights of the quadrature nodes c0 ≤ i < c1 for Φ and its first three μ-derivatives at each μ,
    an array (4, len(mus), c1 − c0); the window of mus[j] spans the panels first[j] ≤ p < last[j]."""
    n = e_nodes.shape[1]
    m = mus.shape[0]
    w = np.zeros((4, m, c1 - c0))
    for j in prange(m):
        mu = mus[j]
        ell = np.empty(n)
        for p in range(first[j], last[j]):
            k = p * n - c0
            if e_edges[p + 1] - e_edges[p] <= kt:
                for i in range(n):
                    f0, f1, f2, f3 = _fermi_kernels(e_nodes[p, i] - mu, kt)
                    w[0, j, k + i] = weights[p, i] * f0
                    w[1, j, k + i] = weights[p, i] * f1
                    w[2, j, k + i] = weights[p, i] * f2
                    w[3, j, k + i] = weights[p, i] * f3
            else:
                _product_weights(edges[p], edges[p + 1], e_edges[p], e_edges[p + 1], mu, kt, te, offsets, glx,
                                 glw, bary, ell, w[:, j, k:k + n])
    return w


@njit(cache=True)
def _fermi_kernels(x, kt):
    """f(x), −∂f/∂x, ∂²f/∂x² and −∂³f/∂x³ at x (meV), k_B·T = kt > 0: the kernels of Φ, Φ', Φ'', Φ'''."""
    y = x / kt
    z = math.exp(-abs(y))
    r = 1.0 / (1.0 + z)
    occ = r if y < 0 else z * r
    bell = z * r * r  # f(1 − f)
    odd = (1.0 - z) * r if y > 0 else (z - 1.0) * r  # 1 − 2f = tanh(y/2)
    return occ, bell / kt, bell * odd / (kt * kt), bell * (odd * odd - 2.0 * bell) / (kt * kt * kt)


@njit(cache=True)
def _lagrange(x, glx, bary, out):
    """Values of the Lagrange basis polynomials through the nodes ``glx`` at x (barycentric form)."""
    n = glx.shape[0]
    for i in range(n):
        if x == glx[i]:
            out[:] = 0.0
            out[i] = 1.0
            return
    total = 0.0
    for i in range(n):
        out[i] = bary[i] / (x - glx[i])
        total += out[i]
    for i in range(n):
        out[i] /= total


@njit(cache=True)
def _product_weights(t0, t1, e0, e1, mu, kt, te, offsets, glx, glw, bary, ell, w):
    """∫ over the panel [t0, t1] (θ; energies e0 < e1) of each kernel of :func:`_fermi_kernels` times the
    Lagrange basis ℓ_i, into the rows of w (4, n).

    Below μ − 36k_B·T f = 1 (one Gauss–Legendre sub-panel, exact for ℓ_i); inside the window the
    sub-panel edges are μ + ``offsets``·k_B·T; above it f = 0.  ``ell`` is scratch of length n.
    """
    w[:, :] = 0.0
    mid = 0.5 * (t1 + t0)
    half = 0.5 * (t1 - t0)
    lo = min(max(mu + offsets[0] * kt, e0), e1)
    if lo > e0:
        _accumulate(t0, _theta(lo, te, t0, t1, e0, e1), mid, half, mu, kt, te, False, glx, glw, bary, ell, w)
    prev = lo
    for q in range(1, offsets.shape[0]):
        nxt = min(max(mu + offsets[q] * kt, e0), e1)
        if nxt > prev:
            _accumulate(_theta(prev, te, t0, t1, e0, e1), _theta(nxt, te, t0, t1, e0, e1), mid, half, mu, kt, te,
                        True, glx, glw, bary, ell, w)
        prev = nxt


@njit(cache=True)
def _theta(e, te, t0, t1, e0, e1):
    """Band angle of energy e inside the panel (its own edges returned exactly)."""
    if e == e0:
        return t0
    if e == e1:
        return t1
    return math.acos(min(max(-e / (2.0 * te), -1.0), 1.0))


@njit(cache=True)
def _accumulate(ta, tb, mid, half, mu, kt, te, thermal, glx, glw, bary, ell, w):
    """Add one sub-panel [ta, tb] (θ) of the product integration; f = 1 there unless ``thermal``."""
    n = glx.shape[0]
    sh = 0.5 * (tb - ta)
    sm = 0.5 * (tb + ta)
    for s in range(n):
        theta = sm + sh * glx[s]
        _lagrange((theta - mid) / half, glx, bary, ell)
        ws = sh * glw[s]
        if thermal:
            f0, f1, f2, f3 = _fermi_kernels(-2.0 * te * math.cos(theta) - mu, kt)
        else:
            f0, f1, f2, f3 = 1.0, 0.0, 0.0, 0.0
        for i in range(n):
            w[0, i] += ws * f0 * ell[i]
            w[1, i] += ws * f1 * ell[i]
            w[2, i] += ws * f2 * ell[i]
            w[3, i] += ws * f3 * ell[i]
