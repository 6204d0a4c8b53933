"""Fermi-weighted cumulative integrals of the integrands, tabulated for fast maps.

Every response of docs/physics.md, "Electron spin response" at (mu_L, mu_R) is a sum of one-dimensional
functions of a single chemical potential (docs/physics.md, "Numerics"):

    Φ_k(μ) = ∫ dε f_T(ε − μ) F_k(ε),     Φ'_k(μ) = dΦ_k/dμ = ∫ dε (−∂_ε f_T) F_k(ε)

for the integrands F_k of :mod:`dimer_core.electrons.integrands`.  Two tables hold them:

* :class:`NodeTable` (T = 0): Φ_k(μ) is the cumulative integral.  It is stored at
  the Gauss–Legendre nodes and panel edges of the resonance-resolving panels in
  the band angle θ (values by the panel's spectral integration matrix, slopes
  dΦ/dθ = F exactly) and read by cubic Hermite interpolation in θ
  (:func:`dimer_core.electrons.assemble.map_outputs_zero_temperature`).  It depends
  only on the electronic parameters, never on mu_F or V.
* :class:`ThermalTable` (T > 0): Φ_k, Φ'_k, Φ''_k, Φ'''_k on non-uniform μ points (panels of
  ≤ k_B·T near the resonances and band edges, geometric away from them), computed from the T = 0
  panels by a Fermi-window product integration, or by the Sommerfeld expansion on the interpolant where
  k_B·T ≪ the panel (:func:`fermi_window_sums`), and read by quintic Hermite interpolation.  Its size
  and cost are bounded for every T > 0: nothing scales like (band width)/(k_B·T).

:func:`fermi_weighted_sums` (the direct route of ``point``) adds to the T = 0 integral with a Fermi
step at μ the integral of [f − step]·F over ±36 k_B·T around μ, on panels ≤ k_B·T/2 wide whose nodes
are placed by their exact offset from μ's band angle.

In both, the Fermi factors take u = (ε − μ)/k_B·T from the offset η of a node from μ's band angle
(:func:`_shift_energy`): a node's angle is rounded to ~1e-16 rad, i.e. its energy to ~2e-13 meV at
te = 1000, 3e-3 k_B·T at 1e-9 K and more than k_B·T below 3e-12 K; u computed this way is exact to
rounding at every T > 0.
"""
import math
from dataclasses import dataclass

import numpy as np
from numba import njit, prange, vectorize

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
    anchor: np.ndarray
    """Per panel, the band angle of the resonance its nodes are anchored at (θ = anchor + offset,
    :func:`dimer_core.electrons.energy_grid.anchored_nodes`)."""

    @property
    def nbytes(self):
        return self.theta.nbytes + self.phi.nbytes + self.dphi.nbytes + self.anchor.nbytes


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
    return NodeTable(theta=pts, phi=phi, dphi=f, te=p.te, anchor=anchor[::GL_ORDER].copy())


def fermi_weighted_sums(p, kt, mus, refine=1.0):
    """Φ_k(μ) and Φ'_k(μ) by direct quadrature at each μ in ``mus`` (meV), T > 0 (the route of ``point``).

    Φ(μ) = Φ_0(μ) + ∫dε [f(ε − μ) − Θ(μ − ε)]F(ε) and Φ'(μ) = ∫dε (−∂f)F: the two window integrals on the nodes
    of :func:`thermal_window` (integrands evaluated there), whose step sits at μ's exact band angle
    (:func:`reference_frame`); Φ_0 on the T = 0 panels up to the break point b nearest μ (μ itself, rounded to
    ~1e-16 rad, ~2e-13 meV at te = 1000), plus F(μ)·(θ_μ − θ_b) from there to that exact angle.  Without that
    last term the two steps sat apart by the rounding, and within γ of a resonance 2.5e-4 meV wide (integrands
    ~2e8/meV) Φ moved by 4e-5: 2e-5 of K's map size at 100 K.  Returns two arrays of shape (len(mus), NCOMP).
    """
    mus = np.atleast_1d(np.asarray(mus, dtype=float))
    poles = resonances(p).real
    bp = breakpoints(p, refine, extra=mus)
    anchor, offset, weight = energy_grid.anchored_nodes(bp, p.te, poles)
    weighted = evaluate(anchor, p, offset) * weight[:, None]
    below_edge = np.concatenate([np.zeros((1, NCOMP)),
                                 np.cumsum(weighted.reshape(-1, GL_ORDER, NCOMP).sum(axis=1), axis=0)])
    frames = [reference_frame(mu, p.te, poles, kt) for mu in mus]
    at_mu = evaluate(np.array([f[0] for f in frames]), p, np.array([f[1] for f in frames]))
    edge = np.clip(np.searchsorted(bp, mus), 1, bp.size - 1)
    edge -= np.abs(bp[edge - 1] - mus) < np.abs(bp[edge] - mus)
    beyond = (energy_grid.theta_of(bp[edge], p.te) - [f[0] for f in frames]) - [f[1] for f in frames]
    phi = below_edge[edge] - at_mu * beyond[:, None]
    dphi = np.empty_like(phi)
    for j, mu in enumerate(mus):
        a, o, step, slope = thermal_window(p, kt, mu, poles, bp, refine, frames[j])
        values = evaluate(a, p, o)
        phi[j] += step @ values
        dphi[j] = slope @ values
    return phi, dphi


def thermal_window(p, kt, mu, poles, bp, refine=1.0, frame=None):
    """Nodes and weights of the Fermi window of μ (meV) at k_B·T = ``kt``, for :func:`fermi_weighted_sums`.

    The window ±``FERMI_CUTOFF``·k_B·T (clipped to the band) is cut into panels ≤ ``THERMAL_PANEL``·k_B·T
    wide, split further at the T = 0 break points ``bp`` inside it.  Its nodes are band angles
    θ_μ + η with θ_μ = anchor + offset the angle of μ itself (:func:`reference_frame`), and each node's
    u = (ε − μ)/k_B·T is computed from η alone (:func:`_shift_energy`): the Fermi factors are exact to
    rounding for every k_B·T > 0, however small next to the rounding of θ or of the energies.
    Returns ``(anchor, offset, step, slope)``: θ = anchor + offset of each node (anchor: the resonance
    nearest to its panel, as in :func:`dimer_core.electrons.energy_grid.anchored_nodes`), and the weights (per dθ)
    of [f(u) − Θ(−u)] and of −∂f/∂ε = f(1 − f)/k_B·T.
    """
    te = p.te
    a_ref, d_ref, u_ref = frame if frame is not None else reference_frame(mu, te, poles, kt)
    theta_ref = a_ref + d_ref
    step = THERMAL_PANEL / refine
    grid = np.union1d(np.arange(-FERMI_CUTOFF, FERMI_CUTOFF + 0.5 * step, step), [0.0])
    band_eta = np.array([-a_ref - d_ref, (math.pi - a_ref) - d_ref])
    band_u = u_ref + _shift_energies(theta_ref, band_eta, te) / kt
    lo, hi = max(-FERMI_CUTOFF, band_u[0]), min(FERMI_CUTOFF, band_u[1])
    bp_eta = (energy_grid.theta_of(bp, te) - a_ref) - d_ref
    bp_u = u_ref + _shift_energies(theta_ref, bp_eta, te) / kt
    inner = np.concatenate([_solve_shifts(theta_ref, (grid[(grid > lo) & (grid < hi)] - u_ref) * kt, te),
                            bp_eta[(bp_u > lo) & (bp_u < hi)]])
    ends = [band_eta[0] if lo == band_u[0] else _solve_shifts(theta_ref, (lo - u_ref) * kt, te),
            band_eta[1] if hi == band_u[1] else _solve_shifts(theta_ref, (hi - u_ref) * kt, te)]
    edges = np.unique(np.concatenate([ends, inner]))
    edges = edges[(edges >= ends[0]) & (edges <= ends[1])]
    half, mid = 0.5 * np.diff(edges), 0.5 * (edges[1:] + edges[:-1])
    # each panel anchored at the resonance nearest to it, as on the T = 0 panels; c = its anchor − θ_μ
    centres = energy_grid.theta_of(poles, te)
    mid_energy = -2.0 * te * np.cos(theta_ref + mid)
    anchor = centres[np.argmin(np.abs(mid_energy[:, None] - poles[None, :]), axis=1)]
    c = (anchor - a_ref) - d_ref
    # nodes placed in the frame they are nearer to (anchor or μ), so that both their offset from the anchor
    # (the integrand's precision) and their η (the Fermi factor's) are exact to rounding relative to themselves
    # (a panel's edges in its anchor's frame, edges − c, are the same numbers for its neighbours of that anchor)
    lo_a, hi_a = edges[:-1] - c, edges[1:] - c
    half_a, mid_a = 0.5 * (hi_a - lo_a), 0.5 * (hi_a + lo_a)
    near_anchor = (np.abs(mid_a) < np.abs(mid))[:, None]
    x = GL_NODES[None, :]
    from_mu = mid[:, None] + half[:, None] * x
    offset = np.where(near_anchor, mid_a[:, None] + half_a[:, None] * x, from_mu - c[:, None])
    eta = np.where(near_anchor, c[:, None] + offset, from_mu).ravel()
    half = np.where(near_anchor[:, 0], half_a, half)
    weight = (half[:, None] * GL_WEIGHTS[None, :]).ravel()
    u = u_ref + _shift_energies(theta_ref, eta, te) / kt
    z = np.exp(-np.abs(u))
    occupation = np.sign(u) * z / (1.0 + z)  # f(u) − Θ(−u)
    bell = z / (1.0 + z) ** 2  # f(1 − f)
    return np.repeat(anchor, GL_ORDER), offset.ravel(), weight * occupation, weight * bell / kt


def reference_frame(mu, te, poles, kt):
    """Where μ (meV) sits in band angle, as (anchor, offset, u_ref).

    anchor: the band angle of the resonance (``poles``, meV) nearest to μ clipped to the band; offset: the
    exact angle from it to that clipped μ (:func:`dimer_core.electrons.energy_grid.anchored_angles`, whose energy
    e_a + (e − e_a) is the kernel's); u_ref = (clipped μ − μ)/k_B·T, nonzero only for μ beyond a band edge.
    """
    band = 2.0 * te
    clipped = min(max(mu, -band), band)
    anchor, offset = energy_grid.anchored_angles(np.array([clipped]), te, poles)
    return float(anchor[0]), float(offset[0]), (clipped - mu) / kt


@dataclass(frozen=True)
class ThermalTable:
    """Φ_k(μ) and its μ-derivatives at T > 0 on non-uniform μ points covering ``[mu[0], mu[-1]]``.

    The map kernel reads Φ by quintic Hermite interpolation of (Φ, Φ', Φ'') and Φ' by that of
    (Φ', Φ'', Φ'''), both O(h⁶) (:func:`dimer_core.electrons.assemble.map_outputs`).
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

THERMAL_GROWTH = 1.0
"""Beyond ``THERMAL_REACH`` the μ-panels are this fraction of the distance d to the nearest feature, divided by
``TABLE_DENSITY``·refine (d/2 at refine 1; 11 points each).  Φ_T is Φ_0's smooth tail there plus e^-16 of Fermi
smoothing; the quintic Hermite reading errs on spacings d/22 by ≲ (1/22)⁶ of the local value, itself ≲ γ/d of
the peak.  Measured (maps against point through and beside each resonance, 1 mK … 10 K, paper's set and narrow
corner): ≤ 2.1e-10 of each map's size, as with the d/8 panels used before (which cost 1.75× the μ points at
1 mK); d/1 gave 4.4e-9."""

OWN_NODES = 2.0
"""Window panels no wider than this many k_B·T take the Fermi kernels at their own Gauss–Legendre nodes
(:func:`_window_weights`): 10 nodes integrate K·F with K analytic within πk_B·T of the real axis to ~ρ^-20,
ρ = (π + √(π² + h²))/h for the half-width h = 1 (k_B·T): 6.44^-20 ≈ 7e-17.  Wider panels are cut into
sub-panels ``SUB_OFFSETS`` and read through their interpolant (~ρ^-11 for the degree-9 basis times K)."""

OWN_NODES_TAIL, OWN_NODES_GAP = 4.0, 8.0
"""So are panels no wider than ``OWN_NODES_TAIL`` k_B·T whose nearest point is ``OWN_NODES_GAP`` k_B·T or more
from μ: ρ = 3.43 for h = 2, 3.43^-20 ≈ 2e-11, times the kernels' e^-8 there.  With the rule of one k_B·T before,
product integration (10 Lagrange divisions a sub-node) took ~70 % of the window weights at 1 mK."""


def table_abscissae(p, kt, lo, hi, refine=1.0):
    """:func:`abscissae` of the dimer ``p``: its resonances, its smallest width (:func:`min_width`) and te."""
    return abscissae(resonances(p), min_width(p), p.te, kt, lo, hi, refine)


def abscissae(poles, gamma_min, te, kt, lo, hi, refine=1.0, band_edges=None):
    """Non-uniform μ points (meV) of a :class:`ThermalTable` on [lo, hi]: edges and equally spaced points
    of panels in energy (:func:`panel_points`), for a band |e| < 2·te with the resonances ``poles`` (meV,
    x − iγ), γ bounded below by ``gamma_min``.  ``band_edges`` (meV): the band edges, ±2·te by default (a
    junction with leads of several te has one pair per te, 2·te the largest).

    Φ_T(μ) = ∫dε f(ε − μ)F(ε) is Φ_0 smoothed over k_B·T, so its features sit at the resonances
    x − iγ and at the band edges ±2·te (γ = 0), with widths max(γ, k_B·T) and exponential Fermi tails
    of scale k_B·T.  Panel width per feature at distance d: max(γ/2, ``THERMAL_TABLE_PANEL``·k_B·T)
    within ``THERMAL_REACH``·k_B·T of it, max(γ/2, ``THERMAL_GROWTH``·d) beyond, at most 0.05·(2·te), the
    non-thermal widths divided by ``TABLE_DENSITY``.  Their number does not grow as k_B·T → 0 nor with
    (band width)/(k_B·T): per feature 2·``THERMAL_REACH`` panels within the reach and 5.7 per decade of d on
    each side beyond it (width d/2: a ratio 1.5 a panel), e.g. 3477 μ points (316 panels) at 1 mK in the narrow
    corner over 24 meV, 309 at 10 K.
    """
    band = 2.0 * te
    edges = np.array([-band, band] if band_edges is None else band_edges, dtype=float)
    xs = np.concatenate([poles.real, edges])
    scale = TABLE_DENSITY * refine
    floor = np.concatenate([np.maximum(np.abs(poles.imag), gamma_min), np.zeros(edges.size)]) * 0.5 / scale
    near = np.maximum(floor, THERMAL_TABLE_PANEL * kt / refine)
    reach = THERMAL_REACH * kt
    hmax = 0.05 * band / scale

    def width(e):
        d = np.abs(e - xs)
        w = np.where(d < reach, near, np.maximum(floor, THERMAL_GROWTH * d / scale))
        return min(hmax, float(w.min()))

    return panel_points(walk_panels(lo, hi, width))


def walk_panels(lo, hi, width):
    """Panel edges from lo to hi (meV), each panel no wider than ``width`` at either of its ends (and at least
    64 units in the last place of the edge, which a width below the resolution of μ would not advance)."""
    pts = [lo]
    while pts[-1] < hi:
        e = pts[-1]
        h = width(e)
        h = max(min(h, width(min(e + h, hi))), 64.0 * np.spacing(abs(e)))
        pts.append(min(e + h, hi))
    return np.array(pts)


def panel_points(edges):
    """Edges and ``GL_ORDER`` equally spaced interior points of the panels with these edges, increasing.

    Equal spacing, not Gauss–Legendre nodes: the quintic Hermite interpolation between consecutive points errs
    by ∝ h⁶, and the widest gap of 10 Gauss–Legendre nodes (0.149 of the panel, at its centre) is 1.64 times
    that of equal spacing (1/11): 20 times the error (1.3e-8 of J's map size at the narrow corner at 100 K)."""
    lo, hi = edges[:-1], edges[1:]
    inner = np.arange(1, GL_ORDER + 1) / (GL_ORDER + 1.0)
    nodes = lo[:, None] + (hi - lo)[:, None] * inner[None, :]
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

BLOCK_FILL = 1.1
BLOCK_SLACK = 4
"""A block of μ points in :func:`fermi_window_sums` ends before its weight matrices (rows × the panels any of
its windows spans) exceed ``BLOCK_FILL`` × the panels its windows cover plus ``BLOCK_SLACK`` panels a row
(:func:`_block_end`).  The rule it replaced (span ≤ 2 × the widest window + 16) multiplied 2.7–3.4 times the
useful entries at 1–10 mK in the narrow corner; this one 1.2 times, in 70–90 blocks."""


def _barycentric_weights():
    diff = GL_NODES[:, None] - GL_NODES[None, :]
    np.fill_diagonal(diff, 1.0)
    return 1.0 / diff.prod(axis=1)


_BARY = _barycentric_weights()

_MONOMIAL = np.linalg.inv(np.vander(GL_NODES, increasing=True))
"""Monomial coefficients of the Lagrange basis through the Gauss–Legendre nodes: ℓ_i(x) = Σ_k M[k, i]·x^k
(entries ≤ 161, condition number of the Vandermonde matrix 1.7e3)."""

SOMMERFELD_BELOW = 1e-3
"""k_B·T below this fraction of min(width of the T = 0 panel holding μ, distance of μ to a band edge) takes the
Sommerfeld form of Φ and its derivatives (:func:`_sommerfeld_weights`).  F is analytic within ≥ 4 panel widths
of μ (the panels are ≤ 1/4 of the distance to the nearest pole, ≤ γ/4 at it) and within the distance to the
band edge, so the first omitted term, (7π⁴/360)(k_BT)⁴·F^(n+4), is ≲ 1.9·(n+4)!/n!·(SOMMERFELD_BELOW/4)⁴
≲ 3e-12 of F^(n) (n ≤ 2)."""

SOMMERFELD_C2 = math.pi ** 2 / 6.0
"""∫du (−∂f/∂u)·u²/2 = π²/6: Φ'(μ) = F(μ) + (π²/6)(k_BT)²F''(μ) + O((k_BT)⁴)."""

MERGE_BELOW = 0.25
"""Runs of consecutive T = 0 panels (same anchor) together narrower than this many k_B·T are merged, for the
thermal sums, into one panel of 10 nodes (:func:`merged_panels`): every Fermi kernel is analytic within πk_B·T of
the real axis, so on a run of half-width h = 0.125 k_B·T its degree-9 interpolant errs by ~ρ^-10 with
ρ ≈ 2πk_B·T/h = 50, i.e. 1e-17 of its largest value.  Where resonances are far narrower than k_B·T (the narrow
corner, or any refined table) a window then costs ~72/0.25 merged panels instead of every node in it."""


def fermi_window_sums(table, kt, mus):
    """Φ_k(μ) and its first three μ-derivatives at T > 0 for each μ in ``mus`` (meV), from a T = 0
    :class:`NodeTable`.

    Φ(μ) = ∫dε f(ε − μ)F(ε), Φ' = ∫(−∂f)F, Φ'' = ∫∂²f F, Φ''' = ∫(−∂³f)F, with F on each quadrature panel its
    degree-9 Lagrange interpolant in θ (exact for the panel's own Gauss–Legendre sums).  By the ratio of k_B·T
    to the T = 0 panel holding μ (:func:`_window_plan`):

    * k_B·T below ``SOMMERFELD_BELOW`` of the panel's width (and of the distance to a band edge): the
      Sommerfeld expansion on that panel, Φ^(n) = F^(n−1)(μ) + (π²/6)(k_BT)²F^(n+1)(μ), from the derivatives
      of the interpolant in ε (:func:`_sommerfeld_weights`): no kernel ~1/(k_BT)^n cancels against a smooth F;
    * otherwise panels no wider than k_B·T use their own nodes, and wider ones are split into sub-panels
      ``SUB_OFFSETS``·k_B·T around μ, on which F is read from the interpolant (product integration).

    Every Fermi factor takes u = (ε − μ)/k_B·T from the band-angle offset η of its node from μ's own angle
    (:func:`_shift_energy`), never from rounded energies or angles.  Panels far narrower than k_B·T enter merged
    (:func:`merged_panels`).  The node weights form four matrices,
    applied to F by a matrix product over the band of nodes that a block of μ touches (blocks of at most
    ``WINDOW_BYTES``): work and memory per μ are bounded for every k_B·T > 0.
    Returns four arrays of shape (len(mus), NCOMP) (NCOMP: the table's columns, any number of them).
    """
    edges, anchors, fvals, start = merged_panels(table, MERGE_BELOW * kt)
    lo, hi = edges[:-1] - anchors, edges[1:] - anchors  # the offsets of energy_grid.anchored_nodes
    half, mid = 0.5 * (hi - lo), 0.5 * (hi + lo)
    e_edges = -2.0 * table.te * np.cos(edges)
    mus = np.ascontiguousarray(mus, dtype=float)
    first, last, frame = _window_plan(e_edges, anchors, mus, kt, table.te, FERMI_CUTOFF, SOMMERFELD_BELOW)
    e_anchor, e_node = _node_energies(edges, anchors, table.te, GL_NODES)
    out = np.empty((4, mus.size, table.phi.shape[1]))
    sommerfeld = frame[:, 3] > 0.0
    out[:, sommerfeld] = _sommerfeld_sums(frame[sommerfeld], anchors, mid, half, kt, table.te, _MONOMIAL, fvals, start)
    rest = np.flatnonzero(~sommerfeld)
    first, last, mus, frame = first[rest], last[rest], mus[rest], frame[rest]
    lo = 0
    while lo < rest.size:
        hi = _block_end(first, last, lo, WINDOW_BYTES)
        c0, c1 = GL_ORDER * first[lo:hi].min(), GL_ORDER * max(last[lo:hi].max(), first[lo:hi].min())
        w = _window_weights(edges, e_edges, anchors, mid, half, e_anchor, e_node, mus[lo:hi], frame[lo:hi],
                            first[lo:hi], last[lo:hi], c0, c1, kt, table.te, SUB_OFFSETS, GL_NODES, GL_WEIGHTS,
                            _BARY)
        for k in range(4):
            out[k, rest[lo:hi]] = w[k] @ fvals[c0:c1]
        out[0, rest[lo:hi]] += start[first[lo:hi]]
        lo = hi
    return tuple(out)


def merged_panels(table, width):
    """The T = 0 panels of ``table`` with every run of consecutive panels (same anchor) together narrower than
    ``width`` (meV) merged into one: ``(edges, anchors, values, start)`` as the table's panel edges (θ), anchors,
    per-dθ integrand values at the Gauss–Legendre nodes (n_panels·GL_ORDER, NCOMP) and cumulative Φ_0 at the
    edges.  A merged panel's values g̃_j = Σ_i w_i ℓ_j(x_i) g_i / w̃_j (its nodes' weights w̃_j, the run's nodes x_i,
    weights w_i, values g_i) make Σ_j w̃_j K(x_j) g̃_j = Σ_i w_i K(x_i) g_i for every K of degree ≤ 9 on the run."""
    stride = GL_ORDER + 1
    npan = (table.theta.size - 1) // stride
    edges = table.theta[::stride]
    ncomp = table.phi.shape[1]
    values = np.ascontiguousarray(table.dphi[:-1].reshape(npan, stride, ncomp)[:, 1:, :].reshape(-1, ncomp))
    start = table.phi[::stride]
    runs = _runs(-2.0 * table.te * np.cos(edges), table.anchor, width)
    if runs.size == npan + 1:
        return edges, table.anchor, values, start
    merged = _merge(runs, edges, table.anchor, values, GL_NODES, GL_WEIGHTS, _BARY)
    return edges[runs], table.anchor[runs[:-1]], merged, start[runs]


@njit(cache=True)
def _runs(e_edges, anchors, width):
    """First panel of each run (and one past the last) of consecutive panels with one anchor within ``width``."""
    npan = anchors.shape[0]
    starts = np.empty(npan + 1, np.int64)
    count, p = 0, 0
    while p < npan:
        starts[count] = p
        count += 1
        q = p + 1
        while q < npan and e_edges[q + 1] - e_edges[p] <= width and anchors[q] == anchors[p]:
            q += 1
        p = q
    starts[count] = npan
    return starts[:count + 1].copy()


@njit(cache=True)
def _merge(runs, edges, anchors, values, glx, glw, bary):
    """The node values of each run of panels projected on the run's own Gauss–Legendre nodes (see
    :func:`merged_panels`); offsets from the run's anchor as :func:`dimer_core.electrons.energy_grid.anchored_nodes` forms
    them."""
    n = glx.shape[0]
    out = np.zeros(((runs.shape[0] - 1) * n, values.shape[1]))
    ell = np.empty(n)
    for r in range(runs.shape[0] - 1):
        p0, p1 = runs[r], runs[r + 1]
        a = anchors[p0]
        if p1 == p0 + 1:
            out[r * n:(r + 1) * n] = values[p0 * n:(p0 + 1) * n]
            continue
        lo, hi = edges[p0] - a, edges[p1] - a
        mid, half = 0.5 * (hi + lo), 0.5 * (hi - lo)
        for p in range(p0, p1):
            lo_p, hi_p = edges[p] - a, edges[p + 1] - a
            mid_p, half_p = 0.5 * (hi_p + lo_p), 0.5 * (hi_p - lo_p)
            for i in range(n):
                _lagrange((mid_p + half_p * glx[i] - mid) / half, glx, bary, ell)
                w = half_p * glw[i]
                for j in range(n):
                    out[r * n + j] += (w * ell[j]) * values[p * n + i]
        for j in range(n):
            out[r * n + j] /= half * glw[j]
    return out


@njit(cache=True)
def _block_end(first, last, lo, window_bytes):
    """End of the block of μ points from ``lo`` whose weight matrices fit in ``window_bytes`` and hold few
    zeros: the block's matrices span c1 − c0 panels for each of its rows, while a μ's window covers only
    last − first of them; the block ends before its area exceeds ``BLOCK_FILL`` times the windows' total plus
    ``BLOCK_SLACK`` panels a row (narrow windows in a wide block would multiply mostly zeros, and the block
    after a wide one need not carry its span)."""
    hi = lo + 1
    c0, c1 = first[lo], last[lo]
    useful = last[lo] - first[lo]
    while hi < first.shape[0]:
        c0, c1 = min(c0, first[hi]), max(c1, last[hi])
        useful += last[hi] - first[hi]
        rows = hi + 1 - lo
        area = rows * max(c1 - c0, 1)
        if area > BLOCK_FILL * useful + BLOCK_SLACK * rows or 4 * 8 * GL_ORDER * area > window_bytes:
            break
        hi += 1
    return hi


@njit(cache=True)
def _shift_energy(theta, eta, te):
    """ε(θ + η) − ε(θ) (meV) for ε = −2te·cos θ, as 4te·sin(θ + η/2)·sin(η/2): to full relative precision
    in η however small (the difference of the two energies would lose all of it)."""
    return 4.0 * te * math.sin(theta + 0.5 * eta) * math.sin(0.5 * eta)


@njit(cache=True)
def _solve_shift(theta, target, te, newton=3):
    """The offset η ∈ [−θ, π − θ] with :func:`_shift_energy` (θ, η) = target (meV): acos (≈1e-16 rad absolute),
    then ``newton`` Newton steps on the precise form for full relative precision (targets beyond the band give
    its edge)."""
    lo, hi = -theta, math.pi - theta
    eta = min(max(math.acos(min(max(math.cos(theta) - target / (2.0 * te), -1.0), 1.0)) - theta, lo), hi)
    for _ in range(newton):
        slope = 2.0 * te * math.sin(theta + eta)
        if slope <= 0.0:
            break
        eta = min(max(eta - (_shift_energy(theta, eta, te) - target) / slope, lo), hi)
    return eta


@vectorize(["float64(float64, float64, float64)"], cache=True)
def _shift_energies(theta, eta, te):
    """:func:`_shift_energy` elementwise (NumPy ufunc)."""
    return _shift_energy(theta, eta, te)


@vectorize(["float64(float64, float64, float64)"], cache=True)
def _solve_shifts(theta, target, te):
    """:func:`_solve_shift` elementwise (NumPy ufunc)."""
    return _solve_shift(theta, target, te)


@njit(cache=True)
def _window_plan(e_edges, anchors, mus, kt, te, cutoff, sommerfeld):
    """For each μ: the first panel of its Fermi window ±cutoff·k_BT (Φ_0 below it is the table's cumulative
    value), one past its last, and its frame row (panel q holding μ clipped to the band; offset d of that
    clipped μ from q's anchor, exact in the kernel's energies e_a + (e − e_a); u_ref = (clipped μ − μ)/k_BT;
    1.0 for the Sommerfeld form, which uses the panel q alone, else 0.0)."""
    npan = e_edges.shape[0] - 1
    band = 2.0 * te
    m = mus.shape[0]
    first = np.empty(m, np.int64)
    last = np.empty(m, np.int64)
    frame = np.zeros((m, 4))
    for j in range(m):
        mu = mus[j]
        clipped = min(max(mu, -band), band)
        q = min(max(np.searchsorted(e_edges, clipped, side="right") - 1, 0), npan - 1)
        a = anchors[q]
        if clipped >= band:
            d = math.pi - a
        elif clipped <= -band:
            d = -a
        else:
            d = _solve_shift(a, clipped + 2.0 * te * math.cos(a), te)
        frame[j, 0] = q
        frame[j, 1] = d
        frame[j, 2] = (clipped - mu) / kt
        if kt < sommerfeld * min(e_edges[q + 1] - e_edges[q], band - abs(mu)):
            frame[j, 3] = 1.0
            first[j] = q
            last[j] = q + 1
        else:
            first[j] = min(max(np.searchsorted(e_edges, mu - cutoff * kt, side="right") - 1, 0), npan)
            last[j] = max(min(np.searchsorted(e_edges, mu + cutoff * kt), npan), first[j])
    return first, last, frame


@njit(cache=True)
def _node_energies(edges, anchors, te, glx):
    """Per panel its anchor's energy −2te·cos(anchor), formed as the integrand kernel forms it, and per node its
    energy above that, 4te·sin(anchor + o/2)·sin(o/2) for its offset o (:func:`_shift_energy`)."""
    npan, n = anchors.shape[0], glx.shape[0]
    e_anchor = np.empty(npan)
    e_node = np.empty(npan * n)
    for p in range(npan):
        a = anchors[p]
        e_anchor[p] = -2.0 * te * math.cos(a)
        lo, hi = edges[p] - a, edges[p + 1] - a
        for i in range(n):
            e_node[p * n + i] = _shift_energy(a, 0.5 * (hi + lo) + 0.5 * (hi - lo) * glx[i], te)
    return e_anchor, e_node


@njit(cache=True)
def _sommerfeld_sums(frame, anchors, mid, half, kt, te, mono, fvals, start):
    """Φ and its first three μ-derivatives, (4, len(frame), NCOMP), at the μ whose :func:`_window_plan` rows
    ``frame`` take the Sommerfeld form: :func:`_sommerfeld_weights` on the panel q holding μ, applied to its
    node values.  One thread: a μ costs about a microsecond, less than waking a second thread."""
    m, n, ncomp = frame.shape[0], mono.shape[0], fvals.shape[1]
    out = np.zeros((4, m, ncomp))
    w = np.empty((4, n))
    scratch = np.empty(n + 20)
    for j in range(m):
        q = int(frame[j, 0])
        _sommerfeld_weights((frame[j, 1] - mid[q]) / half[q], half[q], anchors[q], frame[j, 1], kt, te, mono, w,
                            scratch)
        for k in range(4):
            for i in range(n):
                out[k, j] += w[k, i] * fvals[q * n + i]
        out[0, j] += start[q]
    return out


@njit(cache=True, parallel=True)
def _window_weights(edges, e_edges, anchors, mid, half, e_anchor, e_node, mus, frame, first, last, c0, c1, kt, te,
                    offsets, glx, glw, bary):
    """Weights of the quadrature nodes c0 ≤ i < c1 for Φ and its first three μ-derivatives at each μ in ``mus``,
    an array (4, len(mus), c1 − c0); the window of μ_j spans the panels first[j] ≤ p < last[j] and
    ``frame[j]`` is its row of :func:`_window_plan` (not the Sommerfeld form: :func:`_sommerfeld_sums`).

    A panel no wider than ``OWN_NODES`` k_BT (``OWN_NODES_TAIL`` k_BT in the tails) takes
    u = ((e_anchor − μ) + e_node)/k_BT at its own nodes (:func:`_node_energies`): such a panel lies within ~8 of its
    widths of its anchor resonance, or is one of the widest panels (0.025·(2te)) with k_BT above a quarter of that
    width, so both terms are ≲ 80 k_BT and u errs by ≲ 1e-14.  A wider panel is integrated on
    sub-panels in offsets η from μ's angle θ_μ = anchors[q] + d: its edges are (edges[p] − anchors[q]) − d (the
    same number for both panels sharing an edge) and its Lagrange basis is centred at
    (anchors[p] − anchors[q]) + (mid[p] − d) (mid, half: the panel in offsets from its own anchor)."""
    n = glx.shape[0]
    m = frame.shape[0]
    w = np.zeros((4, m, c1 - c0))
    for j in prange(m):
        q = int(frame[j, 0])
        a_ref, d_ref, u_ref = anchors[q], frame[j, 1], frame[j, 2]
        theta = a_ref + d_ref
        ell = np.empty(n)
        for p in range(first[j], last[j]):
            k = p * n - c0
            width = e_edges[p + 1] - e_edges[p]
            gap = max(e_edges[p] - mus[j], mus[j] - e_edges[p + 1], 0.0)
            if width <= OWN_NODES * kt or (width <= OWN_NODES_TAIL * kt and gap >= OWN_NODES_GAP * kt):
                below = e_anchor[p] - mus[j]
                for i in range(n):
                    f0, f1, f2, f3 = _fermi_kernels((below + e_node[p * n + i]) / kt, kt)
                    ws = half[p] * glw[i]
                    w[0, j, k + i] = ws * f0
                    w[1, j, k + i] = ws * f1
                    w[2, j, k + i] = ws * f2
                    w[3, j, k + i] = ws * f3
            else:
                centre = (anchors[p] - a_ref) + (mid[p] - d_ref)
                _product_weights((edges[p] - a_ref) - d_ref, (edges[p + 1] - a_ref) - d_ref, centre, half[p], theta,
                                 u_ref, kt, te, offsets, glx, glw, bary, ell, w[:, j, k:k + n])
    return w


@njit(cache=True)
def _fermi_kernels(u, kt):
    """f, −∂f/∂ε, ∂²f/∂ε², −∂³f/∂ε³ at u = (ε − μ)/k_B·T, k_B·T = kt > 0 (meV): the kernels of Φ, Φ', Φ'', Φ'''."""
    z = math.exp(-abs(u))
    r = 1.0 / (1.0 + z)
    occ = r if u < 0 else z * r
    bell = z * r * r  # f(1 − f)
    odd = (1.0 - z) * r if u > 0 else (z - 1.0) * r  # 1 − 2f = tanh(u/2)
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
def _product_weights(eta0, eta1, centre, half, theta, u_ref, kt, te, offsets, glx, glw, bary, ell, w):
    """∫ over the panel [eta0, eta1] (offsets from μ's angle θ) of each kernel of :func:`_fermi_kernels` times
    the Lagrange basis ℓ_i of the panel (centre and half-width ``half`` in the same offsets), into the rows of
    w (4, n).

    Below u = ``offsets[0]`` f = 1 (one Gauss–Legendre sub-panel, exact for ℓ_i); inside the window the
    sub-panel edges are u ≈ ``offsets`` (η by acos, :func:`_solve_shift` without Newton steps: where exactly
    does not matter, since each node's u is computed from its own η); above it f = 0.  ``ell`` is scratch of
    length n.
    """
    w[:, :] = 0.0
    u1 = u_ref + _shift_energy(theta, eta1, te) / kt
    a, ua = eta0, u_ref + _shift_energy(theta, eta0, te) / kt
    for q in range(offsets.shape[0]):
        s = offsets[q]
        if s <= ua:
            continue
        b = eta1 if s >= u1 else min(max(_solve_shift(theta, (s - u_ref) * kt, te, 0), a), eta1)
        _accumulate(a, b, centre, half, theta, u_ref, kt, te, q > 0, glx, glw, bary, ell, w)
        if s >= u1:
            break
        a, ua = b, s


@njit(cache=True)
def _accumulate(ea, eb, centre, half, theta, u_ref, kt, te, thermal, glx, glw, bary, ell, w):
    """Add one sub-panel [ea, eb] (offsets from θ) of the product integration; f = 1 there unless ``thermal``."""
    n = glx.shape[0]
    sh = 0.5 * (eb - ea)
    sm = 0.5 * (eb + ea)
    for s in range(n):
        eta = sm + sh * glx[s]
        _lagrange((eta - centre) / half, glx, bary, ell)
        ws = sh * glw[s]
        if thermal:
            f0, f1, f2, f3 = _fermi_kernels(u_ref + _shift_energy(theta, eta, te) / kt, kt)
        else:
            f0, f1, f2, f3 = 1.0, 0.0, 0.0, 0.0
        for i in range(n):
            w[0, i] += ws * f0 * ell[i]
            w[1, i] += ws * f1 * ell[i]
            w[2, i] += ws * f2 * ell[i]
            w[3, i] += ws * f3 * ell[i]


@njit(cache=True)
def _sommerfeld_weights(x, half, anchor, offset, kt, te, mono, w, scratch):
    """Weights (4, n) of the panel's nodes for Φ, Φ', Φ'', Φ''' at μ, the panel's local coordinate x, when
    k_B·T ≪ the panel:

        Φ = Φ_0(μ) + c·(k_BT)²·F'(μ),  Φ^(n) = F^(n−1)(μ) + c·(k_BT)²·F^(n+1)(μ)  (c = π²/6),

    F = g/(dε/dθ) with g the per-dθ integrand's Lagrange interpolant, and Φ_0(μ) minus its value at the panel's
    lower edge = half·∫_{−1}^{x} g dx.  The ε-derivatives of F come from Taylor series in η = θ − θ_μ
    (θ_μ = anchor + offset): g's from the monomial coefficients ``mono`` shifted to x, divided by the series of
    dε/dθ = 2te·sin θ, then d/dε = (dε/dθ)⁻¹·d/dθ four times.  ``scratch``: n + 20 floats.
    """
    n = mono.shape[0]
    order = 5
    sa, ca = math.sin(anchor), math.cos(anchor)
    so, co = math.sin(offset), math.cos(offset)
    s0, c0 = sa * co + ca * so, ca * co - sa * so  # sin θ_μ, cos θ_μ
    b, jac = scratch[:n], scratch[n:n + order]
    series, work, deriv = scratch[n + order:n + 2 * order], scratch[n + 2 * order:n + 3 * order], scratch[n + 3 * order:]
    for k, factor in enumerate((s0, c0, -0.5 * s0, -c0 / 6.0, s0 / 24.0)):
        jac[k] = 2.0 * te * factor
    c2 = SOMMERFELD_C2 * kt * kt
    for i in range(n):
        cum = 0.0
        for k in range(n):
            b[k] = mono[k, i]
            cum += mono[k, i] * (x ** (k + 1) - (-1.0) ** (k + 1)) / (k + 1)
        scale = 1.0
        for j in range(order):  # Taylor shift of the basis polynomial to x, per unit η
            for k in range(n - 2, j - 1, -1):
                b[k] += x * b[k + 1]
            series[j] = b[j] * scale
            scale /= half
        length = order
        _series_divide(series, jac, length, work)
        deriv[0] = work[0]
        for order_m in range(1, order):
            length -= 1
            for k in range(length):
                series[k] = (k + 1) * work[k + 1]
            _series_divide(series, jac, length, work)
            deriv[order_m] = work[0]
        w[0, i] = half * cum + c2 * deriv[1]
        w[1, i] = deriv[0] + c2 * deriv[2]
        w[2, i] = deriv[1] + c2 * deriv[3]
        w[3, i] = deriv[2] + c2 * deriv[4]


@njit(cache=True)
def _series_divide(num, den, length, out):
    """First ``length`` Taylor coefficients of num/den into out."""
    for k in range(length):
        acc = num[k]
        for j in range(1, k + 1):
            acc -= den[j] * out[k - j]
        out[k] = acc / den[0]

__all__ = ["FERMI_CUTOFF", "THERMAL_PANEL", "TABLE_DENSITY", "NodeTable", "build_node_table", "fermi_weighted_sums",
           "thermal_window", "reference_frame", "ThermalTable", "THERMAL_TABLE_PANEL", "THERMAL_REACH",
           "THERMAL_GROWTH", "OWN_NODES", "OWN_NODES_TAIL", "OWN_NODES_GAP", "table_abscissae", "abscissae",
           "walk_panels", "panel_points", "build_thermal_table", "SUB_OFFSETS", "WINDOW_BYTES", "BLOCK_FILL",
           "BLOCK_SLACK", "SOMMERFELD_BELOW", "SOMMERFELD_C2", "MERGE_BELOW", "fermi_window_sums", "merged_panels"]
