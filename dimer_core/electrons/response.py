"""Responses of the Δ = 0 steady state at (mu_L, mu_R): χ(0), ∂_E Im χ, C, <s>, I.

The result of both routes below is a "raw" vector (:data:`RAW`) per bias
point: for every site pair ab ∈ {11, 12, 21, 22} the (i, an, DM) parts of

* ``chi``  — χ_ab(0) (1/meV), docs/physics.md, "Electron spin response";
* ``dchi`` — ∂_E Im χ_ab(E) at E = 0 (1/meV²), taken componentwise;
* ``noise``— C_ab, the symmetrized zero-frequency noise (ps);

and ``spin_a`` = that·<s_a> (dimensionless), ``current`` = I (nA).

Routes
------
:func:`direct` (used by ``point``): quadrature of each integrand times its
occupation factor (f_c, or (1 − f_c) f_c' for the noise), on panels that have
the Fermi steps as break points (T = 0); at T > 0 Φ(μ) and Φ'(μ) of
:func:`dimer_core.electrons.tables.fermi_weighted_sums` (that integral plus a k_B·T/2 grid around μ).

:data:`RAW_SPEC` (used by ``maps`` and by the T > 0 point): the same sums
written through the one-dimensional functions Φ(μ) of :mod:`dimer_core.electrons.tables`
and assembled by :mod:`dimer_core.electrons.assemble`, so that a map costs O(1) per point.
At T = 0 the direct route's noise weight (1 − f_L) f_R + (1 − f_R) f_L is a window
between the Fermi steps; the tables write it as coth(Δ/2k_BT)·(Φ(mu_L) − Φ(mu_R)),
so the two routes check each other.
"""
import numpy as np

from .energy_grid import anchored_angles, anchored_nodes, breakpoints, resonances
from .assemble import CURRENT, DAMP, LEAD, NOISE, OutputSpec, chemical_potentials, combine_vectors
from .occupation import fermi
from .integrands import TRANS, chi_index, evaluate, noise_index, spin_index, surface_index
from .tables import fermi_weighted_sums
from ..units import E_OVER_H, K_B

PAIR_NAMES = ("11", "12", "21", "22")
PARTS = ("i", "an", "DM")
SURFACE_PARTS = ("i", "an")
"""Parts of ∂_E Im χ computed as a Fermi-surface term plus a bias-window term (no Fermi-sea integral);
the DM part keeps the Fermi-sea form (docs/physics.md, "Damping as a Fermi-surface term")."""

RAW = tuple([f"{kind}_{ab}_{part}" for ab in PAIR_NAMES for kind in ("chi", "dchi", "noise") for part in PARTS]
            + ["spin_1", "spin_2", "current"])
"""Names of the raw response components, in order."""
RAW_INDEX = {name: k for k, name in enumerate(RAW)}


def _raw_rows():
    rows = {}
    for pair, ab in enumerate(PAIR_NAMES):
        for k, part in enumerate(PARTS):
            rows[f"chi_{ab}_{part}"] = (LEAD, chi_index(0, pair, k), chi_index(1, pair, k), -1, 1.0)
            if part in SURFACE_PARTS:  # Fermi-surface + bias-window form (docs/physics.md)
                rows[f"dchi_{ab}_{part}"] = (DAMP, chi_index(0, pair, 3 + k), chi_index(1, pair, 3 + k),
                                             surface_index(pair, k), 1.0)
            else:
                rows[f"dchi_{ab}_{part}"] = (LEAD, chi_index(0, pair, 3 + k), chi_index(1, pair, 3 + k), -1, 1.0)
            rows[f"noise_{ab}_{part}"] = (NOISE, noise_index(0, pair, k), noise_index(1, pair, k),
                                          noise_index(2, pair, k), 1.0)
    for site in range(2):
        rows[f"spin_{site + 1}"] = (LEAD, spin_index(0, site), spin_index(1, site), -1, 1.0)
    rows["current"] = (CURRENT, -1, -1, TRANS, E_OVER_H)
    return OutputSpec.from_rows([(name, *rows[name]) for name in RAW])


RAW_SPEC = _raw_rows()
"""How each raw response is assembled from the integrand components (see :mod:`dimer_core.electrons.assemble`)."""


def _raw_slot(kind, pair, part):
    return RAW_INDEX[f"{kind}_{PAIR_NAMES[pair]}_{PARTS[part]}"]


def _lead_maps():
    """Index arrays mapping integrand components of one lead into raw slots."""
    lead_slots = []
    for lead in range(2):
        src, dst = [], []
        for pair in range(4):
            for k in range(6):
                src.append(chi_index(lead, pair, k))
                dst.append(_raw_slot("chi" if k < 3 else "dchi", pair, k % 3))
        for site in range(2):
            src.append(spin_index(lead, site))
            dst.append(RAW_INDEX[f"spin_{site + 1}"])
        lead_slots.append((np.array(src), np.array(dst)))
    noise = []
    for lead_pair in range(3):
        src, dst = [], []
        for pair in range(4):
            for k in range(3):
                src.append(noise_index(lead_pair, pair, k))
                dst.append(_raw_slot("noise", pair, k))
        noise.append((np.array(src), np.array(dst)))
    return lead_slots, noise


_LEAD, _NOISE = _lead_maps()


def direct(p, refine=1.0):
    """Raw responses at the bias point of ``p`` by direct quadrature (vector of len(RAW))."""
    mu_l, mu_r = chemical_potentials(p.mu_F, p.V)
    kt = K_B * p.T
    if kt == 0.0:
        bp = breakpoints(p, refine, extra=(mu_l, mu_r))
        poles = resonances(p).real
        anchor, offset, weight = anchored_nodes(bp, p.te, poles)
        # the Fermi-surface function of the damping at mu_L, mu_R themselves, in the same kernel call
        mus = np.clip(np.array([mu_l, mu_r]), -2.0 * p.te, 2.0 * p.te)
        anchor_mu, offset_mu = anchored_angles(mus, p.te, poles)
        f = evaluate(np.concatenate([anchor, anchor_mu]), p, np.concatenate([offset, offset_mu]))
        at_mu, f = f[-2:], f[:-2] * weight[:, None]
        energy = -2.0 * p.te * np.cos(anchor + offset)
        occ = {c: fermi(energy, mu, 0.0)[0] for c, mu in ((0, mu_l), (1, mu_r))}
        sums = {c: occ[c] @ f for c in (0, 1)}
        noise_w = ((1 - occ[0]) * occ[0], (1 - occ[1]) * occ[1],
                   (1 - occ[0]) * occ[1] + (1 - occ[1]) * occ[0])
        noise = [w @ f for w in noise_w]
        out = _assemble(sums[0], sums[1], noise, E_OVER_H * ((occ[0] - occ[1]) @ f[:, TRANS]))
        _surface_damping(out, f, occ[0] - occ[1], at_mu, 2.0 * p.te * np.sin(anchor_mu + offset_mu))
        return out
    # T > 0: Φ and Φ' at exactly mu_L and mu_R (T = 0 integral plus the Fermi window around each)
    phi, dphi = fermi_weighted_sums(p, kt, np.array([mu_l, mu_r]), refine)
    spec = RAW_SPEC
    return combine_vectors(spec.kind, spec.comp_l, spec.comp_r, spec.comp_n, spec.scale,
                           phi[0], phi[1], dphi[0], dphi[1], mu_l - mu_r, kt)


def _surface_damping(out, f, window, at_mu, dedt):
    """Overwrite the parts i, an of ∂_E Im χ (T = 0) by ½[F(mu_L) + F(mu_R)] + ½∫(f_L − f_R)(Y_L − Y_R).

    ``f``: the integrands times the quadrature weights, ``window`` = f_L − f_R at the nodes; ``at_mu``: the
    integrands (per dθ) at mu_L, mu_R themselves (resonance-anchored angles) and ``dedt`` = dε/dθ there, so
    that F (per meV) = at_mu[:, SURF]/dedt (0 at or beyond the band edges).
    """
    for pair in range(4):
        for k, part in enumerate(PARTS):
            if part not in SURFACE_PARTS:
                continue
            surface = sum(at_mu[c, surface_index(pair, k)] / dedt[c] for c in range(2) if dedt[c] > 0.0)
            bias = window @ (f[:, chi_index(0, pair, 3 + k)] - f[:, chi_index(1, pair, 3 + k)])
            out[_raw_slot("dchi", pair, k)] = 0.5 * (surface + bias)


def _assemble(phi_l, phi_r, noise, current):
    out = np.zeros(phi_l.shape[:-1] + (len(RAW),))
    for (src, dst), phi in zip(_LEAD, (phi_l, phi_r)):
        out[..., dst] += phi[..., src]
    for (src, dst), n in zip(_NOISE, noise):
        out[..., dst] += n[..., src]
    out[..., RAW_INDEX["current"]] = current
    return out

__all__ = ["PAIR_NAMES", "PARTS", "SURFACE_PARTS", "RAW", "RAW_INDEX", "RAW_SPEC", "direct"]
