"""Numba kernel: every energy integrand of the engine at a band angle θ.

For each energy the kernel builds the channel Green's functions G_σ (σ = ±,
closed forms (A10)–(A15): the inverse of a 2×2 channel) of the channel Hamiltonians h_σ
that :func:`dimer_core.electrons.hamiltonian.spin_channels` reads off the one H_D of the
junction :func:`~dimer_core.junction.model.from_dimer` (:func:`channel_model`: levels
eps_a, hoppings −(t0 ± t)), their energy derivative and the lead spectral parts
``A^c_σ = G_σ Γ^c G_σ†`` (c = L, R), and from them the integrands whose
Fermi-weighted integrals give all responses of docs/physics.md, "Electron spin response".  Rotation symmetry
about ``that`` reduces the spin traces to channel sums
(``Tr[τ^i P_σ τ^j P_σ']`` = that⊗that for σ = σ', 1 − that⊗that − iσW otherwise),
so each 3×3 tensor is returned directly as its three parts (i, an, DM):

    M^(i) = X+- + X-+,   M^(an) = X++ + X-- − M^(i),   M^(DM) = −i (X+- − X-+)

where X_σσ' is the channel-resolved bubble.  Components (each already
multiplied by de/dθ, so that ∫ dθ gives ∫ de):

* ``CHI``: per lead c and site pair ab, the static bubble (i, an, DM)
  ``−(1/8π)[G^R_σ,ab A^c_σ',ba + A^c_σ,ab G^A_σ',ba]`` (its f_c-weighted integral
  is χ_ab(0), 1/meV), then the energy derivative of the bubble
  ``−(1/8π)[∂G^R_σ,ab A^c_σ',ba − A^c_σ,ab ∂G^A_σ',ba]`` (imaginary part taken, so its
  integral is ∂_E Im χ_ab, 1/meV²).  Derivative route: shifting ε → ε − E in
  the G^<(ε+E) term leaves only ∂G^R and ∂G^A, no derivative of f.
* ``SPIN``: ``(1/4π) Σ_σ σ A^c_σ,aa`` — its f_c-weighted integral is that·<s_a>.
* ``TRANS``: transmission ``Σ_σ Γ1 Γ2 |G_σ,12|²`` (dimensionless).
* ``NOISE``: per lead pair cc' ∈ {LL, RR, LR} and site pair, (ħ/16π)·[A^c_σ,ab
  A^c'_σ',ba + A^c'_σ,ab A^c_σ',ba] (parts i, an, DM), to be weighted with
  (1 − f_c) f_c' + (c ↔ c'), giving C_ab (ps).
* ``SURF``: per site pair and part (i, an), the Fermi-surface function of the damping
  ``F_ab = (1/16π) Re Tr[τ A_ab τ A_ba]`` (A = A^L + A^R, the full spectral function), written
  as ``(½ NOISE_LL + ½ NOISE_RR + NOISE_LR)/ħ`` of the same energy.  For the parts i, an (even
  under σ ↔ σ') the sum of the two leads' derivative bubbles is a total derivative,
  ``Σ_c CHI_c[3 + k] = ∂F/∂ε`` (docs/physics.md, "Damping as a Fermi-surface term"), so
  ``∂_E Im χ = ½Σ_c∫(−∂f_c)F + ½∫(f_L − f_R)(Y_L − Y_R)``: no Fermi-sea integral.
"""
import math

import numpy as np
from numba import njit, prange

from ..cache import BoundedCache
from ..units import HBAR
from .hamiltonian import coupling_matrix, spin_channels

PAIRS = ((0, 0), (0, 1), (1, 0), (1, 1))
"""Site pairs ab in the order 11, 12, 21, 22 (0-based)."""
PAIR_NAMES = ("11", "12", "21", "22")
LEAD_PAIRS = ((0, 0), (1, 1), (0, 1))
"""Lead pairs cc' for the noise: LL, RR, LR."""

N_CHI = 2 * 4 * 6
SPIN0 = N_CHI
TRANS = SPIN0 + 4
NOISE0 = TRANS + 1
SURF0 = NOISE0 + 3 * 4 * 3
NCOMP = SURF0 + 4 * 2


def chi_index(lead, pair, k):
    """Component of the static (k = 0, 1, 2: i, an, DM) or derivative (k = 3, 4, 5) bubble."""
    return (lead * 4 + pair) * 6 + k


def spin_index(lead, site):
    return SPIN0 + lead * 2 + site


def noise_index(lead_pair, pair, k):
    return NOISE0 + (lead_pair * 4 + pair) * 3 + k


def surface_index(pair, k):
    """Component of the Fermi-surface function F of the damping (k = 0, 1: parts i, an)."""
    return SURF0 + pair * 2 + k


@njit(cache=True)
def _angle(anchor, offset):
    """cos and sin of θ = anchor + offset, and the exact increments e^{iθ} − e^{i·anchor} (complex)."""
    ca, sa = math.cos(anchor), math.sin(anchor)
    co, so = math.cos(offset), math.sin(offset)
    versine = 2.0 * math.sin(0.5 * offset) ** 2  # 1 − cos(offset), without cancellation
    cos_t = ca * co - sa * so
    sin_t = sa * co + ca * so
    step = complex(ca, sa) * complex(-versine, so)
    return ca, sa, cos_t, sin_t, step


@njit(cache=True, fastmath=False)
def _integrand(anchor, offset, h, v2, te, out):
    """All components at θ = anchor + offset (see the module docstring), for the channel Hamiltonians ``h``
    (2, 2, 2) [σ, a, b] (meV), lead L on site 1 and R on site 2 with squared hoppings ``v2`` (meV²), band te.

    The determinant of each channel, small near its resonance, is computed as its value at the
    anchor plus increments proportional to the offset, so that nodes within a resonance far narrower
    than the rounding of θ (≈1e-16 rad ≈ 1e-9 of a width 2.5e-4 meV when te = 1000) keep their
    relative positions exactly: the cancellations of the anisotropic parts then cost no digits.
    """
    ca, sa, cos_t, sin_t, step = _angle(anchor, offset)
    e = -2.0 * te * cos_t
    dedt = 2.0 * te * sin_t
    phase = complex(cos_t, sin_t)
    g = -phase / te
    g_a = -complex(ca, sa) / te
    dg_step = -step / te  # g − g_a
    de_step = -2.0 * te * step.real  # e − e_a
    e_a = -2.0 * te * ca
    d1 = de_step - v2[0] * dg_step
    d2 = de_step - v2[1] * dg_step
    dg = -1j * phase / te
    gam = (2.0 * v2[0] * sin_t / te, 2.0 * v2[1] * sin_t / te)
    m = (dedt - v2[0] * dg, dedt - v2[1] * dg)
    gr = np.empty((2, 2, 2), dtype=np.complex128)
    dgr = np.empty((2, 2, 2), dtype=np.complex128)
    spec = np.empty((2, 2, 2, 2), dtype=np.complex128)  # [lead, channel, a, b]
    for s in range(2):
        # G_σ = [e − h_σ − Σ]⁻¹ of the 2×2 channel, Σ = diag(v_L², v_R²)·g: (A10)–(A15)
        g1_a = e_a - h[s, 0, 0] - v2[0] * g_a
        g2_a = e_a - h[s, 1, 1] - v2[1] * g_a
        det = (g1_a * g2_a - h[s, 0, 1] * h[s, 1, 0]) + (d1 * g2_a + g1_a * d2 + d1 * d2)
        gr[s, 0, 0] = (g2_a + d2) / det
        gr[s, 1, 1] = (g1_a + d1) / det
        gr[s, 0, 1] = h[s, 0, 1] / det
        gr[s, 1, 0] = h[s, 1, 0] / det
        for a in range(2):
            for b in range(2):
                acc = 0j
                for c in range(2):
                    acc += gr[s, a, c] * m[c] * gr[s, c, b]
                dgr[s, a, b] = -acc
        for c in range(2):
            for a in range(2):
                for b in range(2):
                    spec[c, s, a, b] = gr[s, a, c] * gam[c] * gr[s, b, c].conjugate()
    k_chi = -1.0 / (8.0 * math.pi)
    for c in range(2):
        for p in range(4):
            a = p // 2
            b = p % 2
            x = np.empty((2, 2), dtype=np.complex128)
            y = np.empty((2, 2), dtype=np.complex128)
            for s in range(2):
                for s2 in range(2):
                    x[s, s2] = k_chi * dedt * (gr[s, a, b] * spec[c, s2, b, a]
                                               + spec[c, s, a, b] * gr[s2, a, b].conjugate())
                    y[s, s2] = k_chi * (dgr[s, a, b] * spec[c, s2, b, a]
                                        - spec[c, s, a, b] * dgr[s2, a, b].conjugate())
            base = (c * 4 + p) * 6
            iso = x[0, 1] + x[1, 0]
            out[base + 0] = iso.real
            out[base + 1] = (x[0, 0] + x[1, 1] - iso).real
            out[base + 2] = (x[0, 1] - x[1, 0]).imag
            iso = y[0, 1] + y[1, 0]
            out[base + 3] = iso.imag
            out[base + 4] = (y[0, 0] + y[1, 1] - iso).imag
            out[base + 5] = -(y[0, 1] - y[1, 0]).real
    for c in range(2):
        for a in range(2):
            out[SPIN0 + c * 2 + a] = dedt * (spec[c, 0, a, a] - spec[c, 1, a, a]).real / (4.0 * math.pi)
    tr = 0.0
    for s in range(2):
        tr += abs(gr[s, 0, 1]) ** 2
    out[TRANS] = dedt * gam[0] * gam[1] * tr
    k_noise = HBAR / (16.0 * math.pi) * dedt
    for q in range(3):
        c = 1 if q == 1 else 0  # LL, RR, LR
        c2 = 0 if q == 0 else 1
        for p in range(4):
            a = p // 2
            b = p % 2
            n = np.empty((2, 2), dtype=np.complex128)
            for s in range(2):
                for s2 in range(2):
                    n[s, s2] = k_noise * (spec[c, s, a, b] * spec[c2, s2, b, a]
                                          + spec[c2, s, a, b] * spec[c, s2, b, a])
            base = NOISE0 + (q * 4 + p) * 3
            iso = n[0, 1] + n[1, 0]
            out[base + 0] = iso.real
            out[base + 1] = (n[0, 0] + n[1, 1] - iso).real
            out[base + 2] = (n[0, 1] - n[1, 0]).imag
    for p in range(4):
        for k in range(2):
            ll = out[NOISE0 + p * 3 + k]
            rr = out[NOISE0 + (4 + p) * 3 + k]
            lr = out[NOISE0 + (8 + p) * 3 + k]
            out[SURF0 + p * 2 + k] = (0.5 * ll + 0.5 * rr + lr) / HBAR


@njit(cache=True, parallel=True)
def integrand_table(anchors, offsets, h, v2, te):
    """All ``NCOMP`` integrands (per dθ) at the band angles θ = anchors + offsets, for the channel model
    (``h``, ``v2``, ``te``) of :func:`channel_model`.

    Returns an array of shape ``(len(anchors), NCOMP)``.
    """
    n = anchors.shape[0]
    out = np.empty((n, NCOMP))
    for k in prange(n):
        _integrand(anchors[k], offsets[k], h, v2, te, out[k])
    return out


_channel_models = BoundedCache(max_items=256)


def channel_model(p):
    """The dimer ``p`` as this kernel reads it, from the junction's H_D and Σ (:mod:`dimer_core.electrons.hamiltonian`
    applied to :func:`~dimer_core.junction.model.from_dimer`): the channel Hamiltonians h_σ (2, 2, 2) (meV, real:
    levels eps_a on the diagonal, hoppings −(t0 ± t) off it), the squared hoppings (t_L², t_R²) of lead L on
    site 1 and lead R on site 2 (meV²), and the leads' te (meV).  Cached per electronic parameter set."""
    return _channel_models.get_or_build(p.electronic_key(), lambda: _channel_model(p))


def _channel_model(p):
    from ..junction.model import from_dimer

    junction = from_dimer(p)
    h = spin_channels(junction)
    if np.abs(h.imag).max() > 0.0:
        raise ValueError("the dimer's channel Hamiltonians must be real (real t0, t)")
    v2 = np.array([coupling_matrix(junction, c)[2 * c, 2 * c].real for c in range(2)])
    return np.ascontiguousarray(h.real), v2, float(junction.leads[0].te)


def evaluate(thetas, p, offsets=None):
    """Integrand table for a :class:`~dimer_core.params.DimerParams` (see :func:`integrand_table`).

    With ``offsets`` the angles are ``thetas + offsets`` (anchors and exact offsets,
    :func:`dimer_core.electrons.energy_grid.anchored_nodes`); without, ``thetas`` themselves.
    """
    anchors = np.ascontiguousarray(thetas, dtype=np.float64)
    offsets = np.zeros_like(anchors) if offsets is None else np.ascontiguousarray(offsets, dtype=np.float64)
    return integrand_table(anchors, offsets, *channel_model(p))

__all__ = ["PAIRS", "PAIR_NAMES", "LEAD_PAIRS", "N_CHI", "SPIN0", "TRANS", "NOISE0", "SURF0", "NCOMP", "chi_index",
           "spin_index", "noise_index", "surface_index", "integrand_table", "channel_model", "evaluate"]
