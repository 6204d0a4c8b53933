"""Energy panels for a junction: the union of the lead bands, resolved at the resonances and the Fermi steps.

The idea of :mod:`dimer_core.electrons.energy_grid`, for N sites and leads of different te (docs/junction.md,
"Numerics"):

* The union of the bands [−2·max te, 2·max te] is cut at every lead's band edges ±2te_c into intervals
  [A, B]; in each, e = (A + B)/2 − (B − A)/2·cos θ, θ ∈ [0, π].  Every lead's square root
  sqrt(|4te_c² − e²|) vanishes only at interval ends, where dε/dθ ∝ sqrt((e − A)(B − e)) makes the
  integrands smooth in θ (for one te this is the dimer's band angle e = −2te·cos θ).
* Break points in energy: γ/2 wide at each resonance x − iγ (the poles of G^R, found by a fixed-point
  iteration on H_D + Σ(Re z)), growing as a quarter of the distance away from it, at most 0.1·max te;
  plus each lead's chemical potential (the Fermi step at T = 0) and, at T > 0, a grid of step k_B·T over
  mu_c ± :data:`FERMI_CUTOFF`·k_B·T.
* Composite Gauss–Legendre panels (:data:`dimer_core.electrons.energy_grid.GL_NODES`, 10 nodes) in θ between
  the break points' angles.  ``refine`` divides every width (the convergence tests).
"""
import numpy as np

from .energy_grid import GL_NODES, GL_ORDER, GL_WEIGHTS
from .hamiltonian import device_hamiltonian, self_energy

FERMI_CUTOFF = 36.0
"""Half-width of the Fermi window in units of k_B·T (f = e^-36 ≈ 2e-16 beyond it)."""
THERMAL_STEP = 1.0
"""Panel width inside the Fermi window, in units of k_B·T (the poles of f lie π·k_B·T off the axis)."""


def band_edges(junction):
    """Sorted distinct band edges ±2te_c of all leads (meV)."""
    edges = sorted({s * 2.0 * c.te for c in junction.leads for s in (-1.0, 1.0)})
    return np.array(edges)


def resonances(junction, iterations=80):
    """Complex poles x − iγ of G^R (meV): every distinct pole found from the 2N levels of H_D by two rules.

    Fixed-point iteration z ← an eigenvalue of H_D + Σ(Re z), Σ evaluated at Re z clipped to the inside of the
    widest band (a pole's real part is inside it unless a bound state exists, which :meth:`Junction.check`
    refuses), started at each eigenpair of H_D, with the next eigenvalue chosen (a) nearest to z, (b) by its
    state: the eigenvector with the largest overlap with the previous one.  Neither rule alone finds every pole:
    (a) lets starts fall onto the narrowest pole nearby (the four poles of a dimer with contacts of 25 and 49 meV
    came out as one), (b) lets the states of close levels drift to the broad pole (ring4's level at 0 holds poles
    of widths 0.92 and 0.075 meV; (b) finds only the first).  The union (poles closer than 1e-9·(1 + |z|) are
    one) is what the energy panels need: every narrow pole and every broad one.
    """
    h = device_hamiltonian(junction)
    band = 2.0 * max(c.te for c in junction.leads)
    leads = range(len(junction.leads))

    def iterate(x):
        x = float(np.clip(x, -band * (1 - 1e-12), band * (1 - 1e-12)))
        return np.linalg.eig(h + sum(self_energy(junction, k, np.array([x]))[0] for k in leads))

    energies, vectors = np.linalg.eigh(h)
    found = []
    for by_state in (False, True):
        for z, v in zip(energies.astype(complex), vectors.T.astype(complex)):
            for _ in range(iterations):
                ev, states = iterate(z.real)
                j = int(np.argmax(np.abs(states.conj().T @ v))) if by_state else int(np.argmin(np.abs(ev - z)))
                z_new, v = ev[j], states[:, j]
                done = abs(z_new - z) < 1e-13 * (1.0 + abs(z))
                z = z_new
                if done:
                    break
            if all(abs(z - w) > 1e-9 * (1.0 + abs(z)) for w in found):
                found.append(z)
    return np.array(found)


def min_width(junction, poles=None):
    """Smallest panel width scale γ (meV) at a resonance, bounded below by 1e-3 of the weakest contact's t²/te.

    The weakest contact is the smallest nonzero hopping t_ca of any lead to any site (with that lead's te): a
    level coupled by t_ca alone has γ ≈ t_ca²/te·(its weight), far below the lead's largest contact.  A site
    with no path to a lead keeps a pole on the real axis (its states stay empty: every response of it is 0);
    the bound keeps the panels there finite.
    """
    poles = resonances(junction) if poles is None else poles
    contact = min(t ** 2 / c.te for c in junction.leads for t in c.t if t != 0.0)
    gam = np.abs(poles.imag)
    return float(max(min(gam.min(), contact), 1e-3 * contact))


def breakpoints(junction, kt, refine=1.0, poles=None, mus=None):
    """Sorted energy break points (meV) on the union of the bands, including the band edges.

    ``mus``: the chemical potentials (meV) whose Fermi steps are break points, the junction's own by default;
    ``()`` for a grid that does not depend on mu_F, V (the tables of :mod:`dimer_core.electrons.junction_maps`).
    """
    poles = resonances(junction) if poles is None else poles
    edges = band_edges(junction)
    lo, hi = edges[0], edges[-1]
    xs = np.clip(poles.real, lo, hi)
    gs = np.maximum(np.abs(poles.imag), min_width(junction, poles))
    hmax = 0.05 * (hi - lo)

    def width(e):
        return min(hmax, float(np.maximum(0.5 * gs, 0.25 * np.abs(e - xs)).min())) / refine

    pts = [lo]
    while pts[-1] < hi:
        e = pts[-1]
        step = width(e)
        step = min(step, width(min(e + step, hi)))  # do not step over a resonance
        pts.append(min(e + step, hi))
    extra = list(edges)
    for mu in (junction.chemical_potentials if mus is None else mus):
        extra.append(mu)
        if kt > 0.0:
            extra.extend(mu + kt * np.arange(-FERMI_CUTOFF, FERMI_CUTOFF + 1e-9, THERMAL_STEP / refine))
    extra = np.asarray(extra, dtype=float)
    pts = np.unique(np.concatenate([pts, extra[(extra > lo) & (extra < hi)]]))
    keep = np.concatenate([[True], np.diff(pts) > 1e-12 * (hi - lo)])
    keep[-1] = True
    pts = pts[keep]
    if pts.size > 2 and pts[-1] - pts[-2] <= 1e-12 * (hi - lo):
        pts = np.delete(pts, -2)
    return pts


def panels(junction, kt, refine=1.0, poles=None, mus=None):
    """The panels of :func:`breakpoints` per band interval: a list of ``(centre, half, theta)``.

    Interval [A, B] between consecutive band edges has e = centre − half·cos θ (centre = (A + B)/2,
    half = (B − A)/2, meV); ``theta`` holds its panel edges in θ, from 0 to π.
    """
    pts = breakpoints(junction, kt, refine, poles, mus)
    edges = band_edges(junction)
    out = []
    for a, b in zip(edges[:-1], edges[1:]):
        inner = pts[(pts >= a) & (pts <= b)]
        inner = np.unique(np.concatenate([[a], inner, [b]]))
        c, h = 0.5 * (a + b), 0.5 * (b - a)
        theta = np.arccos(np.clip((c - inner) / h, -1.0, 1.0))
        theta[0], theta[-1] = 0.0, np.pi
        out.append((c, h, theta))
    return out


def panel_nodes(theta):
    """Gauss–Legendre nodes (panels × :data:`GL_ORDER`) in θ of the panels with edges ``theta``, and their
    half-widths (one per panel)."""
    half = 0.5 * np.diff(theta)
    mid = 0.5 * (theta[1:] + theta[:-1])
    return mid[:, None] + half[:, None] * GL_NODES[None, :], half


def nodes(junction, kt, refine=1.0, poles=None, mus=None):
    """Quadrature nodes (meV) and weights (meV, dε/dθ included) of the panels of :func:`breakpoints`.

    Returns ``(e, w)``: ∫ F(e) de ≈ Σ w·F(e) over the union of the bands, for F smooth on each panel in the
    angle of its interval (module docstring).
    """
    es, ws = [], []
    for c, h, theta in panels(junction, kt, refine, poles, mus):
        t, half = panel_nodes(theta)
        es.append((c - h * np.cos(t)).ravel())
        ws.append((half[:, None] * GL_WEIGHTS[None, :] * h * np.sin(t)).ravel())
    return np.concatenate(es), np.concatenate(ws)


__all__ = ["FERMI_CUTOFF", "THERMAL_STEP", "band_edges", "resonances", "min_width", "breakpoints", "panels",
           "panel_nodes", "nodes"]
