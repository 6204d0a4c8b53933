"""The Kramers–Langer high-barrier rates of one free spin with the full damping tensor (docs/rates.md, "The
high-barrier limit (Kramers–Langer)").

For the conservative part of the spin's dynamics, the energy E(m) = −g·m + m·Q·m with Q = −½·sym X
(:func:`dimer_core.spins.junction_spins.one_spin_energy`), the rate out of a minimum i over the saddles s it shares
with the other minimum is (Langer 1969; for spins Braun 1994, Coffey et al. 2001, the intermediate-to-high damping
limit)

    k_i = Σ_s (κ_s/2π)·√(det H_i / |det H_s|)·exp(−(E_s − E_i)/k_BT),

H the Hessians of E on the tangent planes (orthonormal coordinates, meV) and κ_s (1/ps) the growth rate of the
unstable mode of the noiseless LLG, linearised at the saddle with the whole damping tensor
(:func:`dimer_core.spins.modes.jacobian` of the conservative model).  A saddle counts for the pair when its
unstable direction leads, by descent of E on both sides, to the two minima.  k_BT is the model's k_B·T_eff.
It is the asymptote (errors O(k_BT/ΔE)) that the Fokker–Planck spectrum (:mod:`dimer_core.spins.fp_spectrum`)
must approach at high barriers; it fails at very low damping (energy-controlled diffusion) and where a saddle is
degenerate (a uniaxial spin: a circle of saddles).
"""
import math

import numpy as np

from .junction_spins import one_spin_energy
from .langevin import SpinModel
from .modes import jacobian
from .pinned import descend, stationary_points, tangent_hessian

__all__ = ["conservative_model", "langer_rates"]


def conservative_model(spins):
    """The one-spin :class:`~dimer_core.spins.langevin.SpinModel` with X replaced by its symmetric part: the same
    energy, damping and noise, without the nonconservative field m × b_nc."""
    return SpinModel(g=spins.g, X=0.5 * (spins.X + np.swapaxes(spins.X, 1, 2)), alpha=spins.alpha,
                     noise=spins.noise, kt=spins.kt, hbar_s=spins.hbar_s)


def langer_rates(spins, index, states):
    """(rates (2,) in 1/ps, barriers (2,) in meV) out of the minima of E nearest the two ``states`` (2, 3) of a
    one-spin model at bias ``index`` (module docstring); NaN where k_BT ≤ 0 or no saddle joins the two minima.
    Raises ValueError if the model has more than one spin or the states are one minimum."""
    if spins.nspins != 1:
        raise ValueError(f"the Kramers–Langer rates are for one free spin; the model has {spins.nspins}")
    q, _ = one_spin_energy(spins.g[index], spins.X[index])
    g = spins.g[index]

    def energy(m):
        return float(-g @ m + m @ q @ m)

    points = stationary_points(g, q)
    hessians = [tangent_hessian(q, m, lam) for m, lam in points]
    minima = [(m, h) for (m, _), h in zip(points, hessians) if h[0] > 0]
    saddles = [(m, h) for (m, _), h in zip(points, hessians) if h[0] < 0 < h[1]]
    chosen = [min(minima, key=lambda mh: np.linalg.norm(mh[0] - s)) for s in np.asarray(states, dtype=float)]
    if np.linalg.norm(chosen[0][0] - chosen[1][0]) < 1e-9:
        raise ValueError("the two states relax to one minimum of the energy: no barrier between them")
    kt = float(spins.kt[index, 0])
    rates, barriers = np.zeros(2), np.full(2, np.inf)
    quiet = conservative_model(spins)
    for m_s, h_s in saddles:
        jac, t = jacobian(quiet, index, m_s)
        vals, vecs = np.linalg.eig(jac)
        k = int(np.argmax(vals.real))
        direction = t @ np.real(vecs[:, k])
        ends = [descend(g, q, m_s + sign * 1e-3 * direction / np.linalg.norm(direction)) for sign in (1.0, -1.0)]
        which = [int(np.argmin([np.linalg.norm(end - c[0]) for c in chosen])) for end in ends]
        if sorted(which) != [0, 1] or max(np.linalg.norm(e - chosen[w][0]) for e, w in zip(ends, which)) > 1e-4:
            continue
        kappa = float(vals.real[k])
        for i, (m_i, h_i) in enumerate(chosen):
            barrier = energy(m_s) - energy(m_i)
            barriers[i] = min(barriers[i], barrier)
            if kt > 0:
                rates[i] += kappa / (2 * math.pi) * math.sqrt(h_i[0] * h_i[1] / abs(h_s[0] * h_s[1])) * \
                    math.exp(-barrier / kt)
    rates[~np.isfinite(barriers) | (kt <= 0)] = np.nan
    return rates, np.where(np.isfinite(barriers), barriers, np.nan)
