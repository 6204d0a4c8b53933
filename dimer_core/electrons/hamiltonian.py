"""The device Hamiltonian H_D (2N×2N) and the lead self-energies Σ_c(e) of a junction.

Basis (1↑, 1↓, 2↑, 2↓, …, N↑, N↓), spin quantised along z; index 2(a − 1) + s for site a, spin s.

* ``H_D``: eps_a·1 on the diagonal blocks, −T_ab = −(t0_ab·1 + t_ab·that·tau) in block (a, b) and −T_ab†
  in (b, a) of each bond (docs/physics.md, "Electronic model": the −T convention).
* Lead c, a semi-infinite chain of hopping te_c touching sites a with hoppings v_ca:
  ``Σ_c(e) = g_c(e)·(v_c v_cᵀ) ⊗ P_c``, ``P_c = 1 + p_c·n_c·tau``, with the surface Green's function
  g(e) of docs/physics.md, "Leads", and ``Γ_c = i(Σ_c − Σ_c†) = −2·Im g_c·(v_c v_cᵀ) ⊗ P_c``.  For p_c = 0
  this is the dimer's Σ_1 = t_L²·g (one site, spin identity).
"""
import numpy as np


PAULI = np.array([[[0, 1], [1, 0]], [[0, -1j], [1j, 0]], [[1, 0], [0, -1]]], dtype=complex)
"""Pauli matrices tau^x, tau^y, tau^z."""

SIGMA0 = np.concatenate([np.eye(2, dtype=complex)[None], PAULI])
"""The Pauli basis σ^0 = 1, σ^1..3 = tau^x, tau^y, tau^z, shape (4, 2, 2)."""


def spin_matrix(vector):
    """``vector·tau`` (2×2) for a 3-vector."""
    return np.einsum("i,ijk->jk", np.asarray(vector, dtype=float), PAULI)


def device_hamiltonian(junction, field=None):
    """2N×2N H_D of a :class:`~dimer_core.junction.model.Junction` (meV).

    Parameters
    ----------
    junction : Junction
    field : tuple (site, h), optional
        A static exchange field h (3-vector, meV) on ``site`` (1-based): adds −h·s_site = −(h/2)·tau there
        (the finite-field check of χ, docs/junction.md).
    """
    n = junction.n_sites
    h = np.zeros((2 * n, 2 * n), dtype=complex)
    for a, e in enumerate(junction.eps):
        h[2 * a:2 * a + 2, 2 * a:2 * a + 2] = e * np.eye(2)
    axis = spin_matrix(junction.that)
    for bond in junction.bonds:
        a, b = bond.a - 1, bond.b - 1
        hop = bond.t0 * np.eye(2) + bond.t * axis
        h[2 * a:2 * a + 2, 2 * b:2 * b + 2] -= hop
        h[2 * b:2 * b + 2, 2 * a:2 * a + 2] -= hop.conj().T
    if field is not None:
        site, vec = field
        a = int(site) - 1
        h[2 * a:2 * a + 2, 2 * a:2 * a + 2] -= 0.5 * spin_matrix(vec)
    return h


def spin_channels(junction, field=None):
    """H_D (with the optional static ``field`` of :func:`device_hamiltonian`) in its two spin channels along ``that``, shape (2, N, N) (meV): ``h[0]`` for σ = +, ``h[1]`` for σ = −.

    Each 2×2 block H_ab = x0_ab·1 + x_ab·tau gives h_σ[a, b] = x0_ab + σ·that·x_ab.  These blocks are all of H_D,
    H_D = Σ_σ h_σ ⊗ P_σ with P_σ = (1 + σ·that·tau)/2, since every bond's SOC is about the common axis (docs/physics.md,
    "The key simplification: two spin channels"); the dimer's closed-form evaluator
    (:mod:`dimer_core.electrons.integrands`) reads its channel hoppings −(t0 ± t) and levels from here.  A field
    not along ``that`` mixes the channels: the blocks are then not all of H_D (the tests rebuild H_D from them).
    """
    n = junction.n_sites
    blocks = device_hamiltonian(junction, field).reshape(n, 2, n, 2).transpose(0, 2, 1, 3)  # (a, b, s, s')
    x0 = 0.5 * (blocks[:, :, 0, 0] + blocks[:, :, 1, 1])
    along = 0.5 * np.einsum("k,kji,abij->ab", np.asarray(junction.that, dtype=float), PAULI, blocks, optimize=False)
    return np.stack([x0 + along, x0 - along])


def coupling_matrix(junction, k):
    """(v_c v_cᵀ) ⊗ P_c of lead ``k`` (0-based), 2N×2N: Σ_c = g_c·this, Γ_c = −2 Im g_c·this."""
    lead = junction.leads[k]
    v = np.zeros(junction.n_sites)
    for site, t in zip(lead.sites, lead.t):
        v[site - 1] = t
    pol = np.eye(2) + lead.p * spin_matrix(lead.n)
    return np.kron(np.outer(v, v), pol)


def surface_g(e, te):
    """Retarded surface Green's function g(e) (1/meV) and its slope dg/de (1/meV²) of a chain of hopping te.

    ``g = (e − i·sqrt(4te² − e²))/(2te²)`` for |e| < 2te and ``(e − sign(e)·sqrt(e² − 4te²))/(2te²)``
    outside (docs/physics.md, "Leads"); ``dg/de = (1 + i·e/r)/(2te²)`` inside and ``(1 − sign(e)·e/r)/(2te²)``
    outside, r the square root (it diverges as 1/r at the band edges, where the energy grid places a break
    point and the integrals run in an angle that makes dε/dθ ∝ r).
    """
    e = np.asarray(e, dtype=float)
    inside = np.abs(e) < 2.0 * te
    r = np.sqrt(np.abs((2.0 * te - e) * (2.0 * te + e)))
    safe = np.where(r > 0.0, r, np.inf)
    s = np.sign(e)
    g = np.where(inside, e - 1j * r, e - s * r) / (2.0 * te ** 2)
    dg = np.where(inside, 1.0 + 1j * e / safe, 1.0 - s * e / safe) / (2.0 * te ** 2)
    return g, dg


def self_energy(junction, k, e):
    """Σ_c(e) of lead ``k`` (0-based) at energies ``e`` (meV), shape (len(e), 2N, 2N) (meV)."""
    g, _ = surface_g(np.atleast_1d(e), junction.leads[k].te)
    return g[:, None, None] * coupling_matrix(junction, k)[None]


def retarded(junction, e, field=None):
    """G^R(e) = [e − H_D − Σ_c Σ_c(e)]⁻¹ by direct inversion, shape (len(e), 2N, 2N) (1/meV)."""
    e = np.atleast_1d(np.asarray(e, dtype=float))
    m = e[:, None, None] * np.eye(2 * junction.n_sites) - device_hamiltonian(junction, field)
    for k in range(len(junction.leads)):
        m = m - self_energy(junction, k, e)
    return np.linalg.inv(m)


def bound_state_edge(junction):
    """±E (meV) if H_D + Σ(±E) has an eigenvalue beyond ±E, E = 2·max te: a bound state outside the union of the
    lead bands, which the steady state would leave empty (docs/physics.md, "Electronic model"); else None.

    Outside every band Σ(e) is real and H_D + Σ(e) − e decreases with e, so a bound state above E exists exactly
    when the largest eigenvalue of H_D + Σ(E) exceeds E (likewise below −E).  The one criterion of
    :meth:`dimer_core.junction.model.Junction.check` and :meth:`dimer_core.params.DimerParams.check`."""
    band = 2.0 * max(c.te for c in junction.leads)
    h = device_hamiltonian(junction)
    for sign in (1.0, -1.0):
        m = h + sum(self_energy(junction, k, np.array([sign * band]))[0] for k in range(len(junction.leads)))
        ev = np.linalg.eigvalsh(0.5 * (m + m.conj().T))
        if sign * ev[-1 if sign > 0 else 0] >= band:
            return sign * band
    return None


__all__ = ["PAULI", "SIGMA0", "spin_matrix", "device_hamiltonian", "spin_channels", "coupling_matrix", "surface_g", "self_energy",
           "retarded", "bound_state_edge"]
