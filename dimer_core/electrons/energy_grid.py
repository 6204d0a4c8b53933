"""Energy panels that resolve the device resonances.

Every energy integral of the engine runs over the lead band |e| < 2·te in the
band angle θ (e = −2·te·cos θ), on composite Gauss–Legendre panels.  Panel
break points are placed in energy: near each resonance (a pole x − iγ of a
channel Green's function) the panels are γ/2 wide and they grow geometrically
(a quarter of the distance) away from it.  ``refine`` divides every width, which
is how the tests show that results do not move when the grid is refined.
"""
import numpy as np

from ..cache import BoundedCache

GL_ORDER = 10
"""Gauss–Legendre nodes per panel."""

GL_NODES, GL_WEIGHTS = np.polynomial.legendre.leggauss(GL_ORDER)
"""Gauss–Legendre nodes and weights on [−1, 1]."""


_poles = BoundedCache(max_items=64, max_bytes=2 ** 20)


def resonances(p):
    """Complex poles x − iγ of G^R (meV) of the dimer ``p``: those of the dimer as a junction
    (:func:`dimer_core.electrons.junction_grid.resonances`, from its H_D and Σ: every distinct pole, 4 for t ≠ 0,
    2 for t = 0), cached per electronic parameter set."""
    from ..junction.model import from_dimer
    from .junction_grid import resonances as junction_resonances

    return _poles.get_or_build(p.electronic_key(), lambda: junction_resonances(from_dimer(p))).copy()


def clear_cache():
    """Empty the cache of poles."""
    _poles.clear()


def min_width(p):
    """Smallest resonance half-width γ (meV), bounded below by the contact scale."""
    poles = resonances(p)
    gam = np.abs(poles.imag)
    contact = min(p.tL, p.tR) ** 2 / p.te
    return float(max(min(gam.min(), contact), 1e-3 * contact))


def breakpoints(p, refine=1.0, extra=()):
    """Sorted panel break points in energy on [−2te, 2te] (meV).

    ``extra`` adds break points (e.g. the Fermi steps of the leads at T = 0).
    """
    band = 2.0 * p.te
    poles = resonances(p)
    xs = np.clip(poles.real, -band, band)
    gs = np.maximum(np.abs(poles.imag), min_width(p))
    hmax = 0.05 * band

    def width(e):
        local = np.maximum(0.5 * gs, 0.25 * np.abs(e - xs))
        return min(hmax, float(local.min())) / refine

    pts = [-band]
    while pts[-1] < band:
        e = pts[-1]
        h = width(e)
        h = min(h, width(min(e + h, band)))  # do not step over a resonance
        pts.append(min(e + h, band))
    pts = np.array(pts)
    extra = np.asarray([x for x in extra if -band < x < band], dtype=float)
    if extra.size:
        pts = np.unique(np.concatenate([pts, extra]))
        gaps = np.diff(pts)
        pts = np.delete(pts, np.nonzero(gaps < 1e-12 * band)[0] + 1)
    return pts


def theta_of(e, te):
    """Band angle θ ∈ [0, π] of energy e (clipped to the band)."""
    return np.arccos(np.clip(-np.asarray(e, dtype=float) / (2.0 * te), -1.0, 1.0))


def panel_nodes(bp_energy, te):
    """Gauss–Legendre nodes and weights in θ for panels with energy break points.

    Returns ``(theta, weight, edges)``: nodes (P·n), weights (P·n) and the panel
    edges in θ (P + 1).
    """
    edges = theta_of(bp_energy, te)
    lo, hi = edges[:-1], edges[1:]
    half = 0.5 * (hi - lo)
    mid = 0.5 * (hi + lo)
    theta = (mid[:, None] + half[:, None] * GL_NODES[None, :]).ravel()
    weight = (half[:, None] * GL_WEIGHTS[None, :]).ravel()
    return theta, weight, edges


def anchored_nodes(bp_energy, te, centres):
    """Gauss–Legendre nodes of the panels with energy break points ``bp_energy``, as anchor + offset in θ.

    Each panel's anchor is the band angle of the nearest of ``centres`` (meV, the resonances); the
    offsets of its edges are differences from that anchor, and its nodes' offsets are formed from
    them, so that nodes within a resonance keep their relative positions to full relative precision
    (θ itself near π/2 is rounded to ≈1e-16, which is 1e-9 of a width of 2.5e-4 meV at te = 1000).
    Returns ``(anchor, offset, weight)``, each of length P·n; θ = anchor + offset.
    """
    edges = theta_of(bp_energy, te)
    centres = theta_of(np.asarray(centres, dtype=float), te)
    mid_e = 0.5 * (bp_energy[1:] + bp_energy[:-1])
    nearest = np.argmin(np.abs(mid_e[:, None] + 2.0 * te * np.cos(centres)[None, :]), axis=1)
    anchor = centres[nearest]
    lo, hi = edges[:-1] - anchor, edges[1:] - anchor
    half = 0.5 * (hi - lo)
    mid = 0.5 * (hi + lo)
    offset = (mid[:, None] + half[:, None] * GL_NODES[None, :]).ravel()
    weight = (half[:, None] * GL_WEIGHTS[None, :]).ravel()
    return np.repeat(anchor, GL_ORDER), offset, weight


def anchored_angles(energies, te, centres):
    """Band angles of ``energies`` (meV, inside the band) as anchor + offset, to full relative precision.

    The anchor is the rounded θ of the nearest of ``centres``; the offset δ solves
    cos(θ_a + δ) − cos θ_a = −(e − e_a)/2te with e_a = −2te·cos θ_a (the anchor's energy as the kernel
    computes it), i.e. δ = 2·asin((e − e_a)/(4te·sin(θ_a + δ/2))), so that the kernel's energy
    e_a + (e − e_a) is e itself: rounding θ (≈1e-16 rad) would move e by ≈2e-13 meV at te = 1000,
    1e-9 of the narrowest resonance.
    """
    e = np.asarray(energies, dtype=float)
    centres = theta_of(np.asarray(centres, dtype=float), te)
    nearest = np.argmin(np.abs(e[:, None] + 2.0 * te * np.cos(centres)[None, :]), axis=1)
    anchor = centres[nearest]
    shift = e + 2.0 * te * np.cos(anchor)  # e − e_a
    offset = theta_of(e, te) - anchor
    for _ in range(3):
        offset = 2.0 * np.arcsin(np.clip(shift / (4.0 * te * np.sin(anchor + 0.5 * offset)), -1.0, 1.0))
    return anchor, offset


def resonance_anchored_nodes(p, bp_energy):
    """:func:`anchored_nodes` of the panels ``bp_energy`` anchored at the resonances of ``p``."""
    return anchored_nodes(bp_energy, p.te, resonances(p).real)


def spectral_integration_matrix():
    """Matrix Q with ``Q[j, k] = ∫_{-1}^{x_j} ℓ_k(x) dx`` for the Gauss–Legendre nodes x_j.

    ℓ_k is the Lagrange polynomial through the nodes; Q maps integrand values on a
    panel to the cumulative integral at its nodes (per unit half-width).
    """
    L = np.polynomial.legendre
    vander = L.legvander(GL_NODES, GL_ORDER - 1)
    coef = np.linalg.inv(vander)
    q = np.empty((GL_ORDER, GL_ORDER))
    for k in range(GL_ORDER):
        q[:, k] = L.legval(GL_NODES, L.legint(coef[:, k], lbnd=-1))
    return q

__all__ = ["GL_ORDER", "GL_NODES", "GL_WEIGHTS", "resonances", "clear_cache", "min_width", "breakpoints", "theta_of", "panel_nodes",
           "anchored_nodes", "anchored_angles", "resonance_anchored_nodes", "spectral_integration_matrix"]
