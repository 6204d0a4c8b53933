"""Lead self-energies and the device Green's functions (paper Sec. II, App. A).

Spin along ``that`` is conserved, so the 4×4 retarded Green's function in the
basis (1↑, 1↓, 2↑, 2↓) splits into two 2×2 site problems, the spin channels
σ = ±1 with inter-site hopping t0 + σ·t (docs/physics.md, "Electronic model"):

    G^R = G^(s)·1 + G^(t)·(that·tau),   G^(s) ± G^(t) = G_σ=±,
    G_σ = [[g1, τσ], [τσ, g2]]^-1,       g_a = e − eps_a − Σ_a(e)   (A10)–(A15)

The energy integrals are done in the band angle θ, e = −2·te·cos θ, which makes
every integrand smooth at the band edges; there the lead surface Green's
function is g = −exp(iθ)/te.

This module holds the NumPy forms used for validation and tables; the numba
kernel that evaluates the integrands on an energy grid is in
:mod:`dimer_core.integrands`.
"""
import numpy as np

PAULI = np.array([[[0, 1], [1, 0]], [[0, -1j], [1j, 0]], [[1, 0], [0, -1]]], dtype=complex)
"""Pauli matrices tau^x, tau^y, tau^z."""


def surface_g(e, te):
    """Retarded surface Green's function of a semi-infinite chain (1/meV).

    ``g(e) = (e − i·sqrt(4te² − e²)) / (2te²)`` inside the band |e| < 2te and
    ``(e − sign(e)·sqrt(e² − 4te²)) / (2te²)`` outside (docs/physics.md, "Leads").
    """
    e = np.asarray(e, dtype=float)
    inside = np.abs(e) < 2 * te
    root = np.sqrt(np.abs(4 * te ** 2 - e ** 2))
    return np.where(inside, e - 1j * root, e - np.sign(e) * root) / (2 * te ** 2)


def channel_greens(e, p):
    """Retarded G_σ(e) of both spin channels by the closed forms (A10)–(A15).

    Parameters
    ----------
    e : array_like
        Energies (meV), any shape.
    p : DimerParams

    Returns
    -------
    ndarray, shape ``e.shape + (2, 2, 2)``
        ``[..., s, a, b]``: channel s = 0 (σ = +1, hopping t0 + t) or 1 (σ = −1),
        sites a, b ∈ {0, 1} (1/meV).
    """
    e = np.asarray(e, dtype=float)
    g = surface_g(e, p.te)
    g1 = e - p.eps1 - p.tL ** 2 * g
    g2 = e - p.eps2 - p.tR ** 2 * g
    out = np.empty(e.shape + (2, 2, 2), dtype=complex)
    for s, tau in enumerate((p.t0 + p.t, p.t0 - p.t)):
        det = g1 * g2 - tau ** 2
        out[..., s, 0, 0] = g2 / det
        out[..., s, 1, 1] = g1 / det
        out[..., s, 0, 1] = out[..., s, 1, 0] = -tau / det
    return out


def singlet_triplet(e, p):
    """G^(s) and G^(t) of (A9)–(A15), each of shape ``e.shape + (2, 2)`` (1/meV)."""
    gc = channel_greens(e, p)
    return 0.5 * (gc[..., 0, :, :] + gc[..., 1, :, :]), 0.5 * (gc[..., 0, :, :] - gc[..., 1, :, :])


def device_hamiltonian(p, field=None):
    """4×4 H_D in the basis (1↑, 1↓, 2↑, 2↓) (meV), with ``H_D = [[eps1, −T], [−T†, eps2]]``.

    ``field``, optional ``(site, f_vector)``: adds ``−f·s_site = −(f/2)·tau`` on
    that site (a static exchange field, used for the finite-field check).
    """
    that = np.asarray(p.that)
    hop = p.t0 * np.eye(2) + p.t * np.einsum("i,ijk->jk", that, PAULI)
    h = np.zeros((4, 4), dtype=complex)
    h[:2, :2] = p.eps1 * np.eye(2)
    h[2:, 2:] = p.eps2 * np.eye(2)
    h[:2, 2:] = -hop
    h[2:, :2] = -hop.conj().T
    if field is not None:
        site, f = field
        blk = slice(2 * site, 2 * site + 2)
        h[blk, blk] -= 0.5 * np.einsum("i,ijk->jk", np.asarray(f, dtype=float), PAULI)
    return h


def device_greens_4x4(e, p, field=None):
    """Retarded 4×4 G^R(e) by direct inversion of ``e − H_D − Σ(e)`` (1/meV).

    Returns an array of shape ``e.shape + (4, 4)``.
    """
    e = np.atleast_1d(np.asarray(e, dtype=float))
    g = surface_g(e, p.te)
    sigma = np.zeros(e.shape + (4, 4), dtype=complex)
    sigma[..., 0, 0] = sigma[..., 1, 1] = p.tL ** 2 * g
    sigma[..., 2, 2] = sigma[..., 3, 3] = p.tR ** 2 * g
    a = e[..., None, None] * np.eye(4) - device_hamiltonian(p, field) - sigma
    return np.linalg.inv(a)
