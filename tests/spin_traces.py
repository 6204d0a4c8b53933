"""Full 3×3 response tensors from 4×4 Green's functions (no channel decomposition).

A second route to the engine's responses for the tests: the spin traces of
docs/physics.md, "Electron spin response" are taken literally, Tr[τ^i G_ab τ^j G_ba] with the 4×4 G^R, G^<,
G^> of direct inversion, on the engine's quadrature panels.
"""
import numpy as np

from dimer_core.electrons.energy_grid import breakpoints, panel_nodes
from dimer_core.electrons.hamiltonian import PAULI, retarded
from dimer_core.junction import from_dimer
from dimer_core.electrons.occupation import fermi
from dimer_core.electrons.response import chemical_potentials
from dimer_core.units import HBAR, K_B


def blocks(m):
    """Split (..., 4, 4) into site blocks [a][b] of shape (..., 2, 2)."""
    return [[m[..., 2 * a:2 * a + 2, 2 * b:2 * b + 2] for b in range(2)] for a in range(2)]


def trace(weights, x, y):
    """Σ_n weights_n · Tr[τ^i x_n τ^j y_n] for 2×2 blocks x, y of shape (n, 2, 2); a 3×3 array."""
    return np.einsum("n,ipq,nqr,jrs,nsp->ij", weights, PAULI, x, PAULI, y)


def full_tensors(p):
    """χ_ab(0), ∂_E χ_ab(0) (complex 3×3), C_ab (3×3) and <s_a> (3) at the bias point of ``p``."""
    mu_l, mu_r = chemical_potentials(p.mu_F, p.V)
    kt = K_B * p.T
    if kt == 0:
        bp = breakpoints(p, 1.0, extra=(mu_l, mu_r))
    else:
        # the resonance panels, further cut every k_BT/2 within ±36 k_BT of each Fermi level
        bp = breakpoints(p, 1.0, extra=np.concatenate([np.arange(mu - 36.0 * kt, mu + 36.25 * kt, 0.5 * kt)
                                                       for mu in (mu_l, mu_r)]))
    theta, weight, _ = panel_nodes(bp, p.te)
    e = -2 * p.te * np.cos(theta)
    dedt = 2 * p.te * np.sin(theta)
    gr = retarded(from_dimer(p), e)
    phase = np.exp(1j * theta)
    dsig = np.zeros(e.shape + (4, 4), dtype=complex)
    dsig[:, 0, 0] = dsig[:, 1, 1] = p.tL ** 2 * (-1j * phase / p.te)
    dsig[:, 2, 2] = dsig[:, 3, 3] = p.tR ** 2 * (-1j * phase / p.te)
    dgr = -gr @ (dedt[:, None, None] * np.eye(4) - dsig) @ gr          # dG^R/dθ
    gam = 2 * np.sin(theta) / p.te
    spec = []
    for c, t_c in ((0, p.tL), (1, p.tR)):
        g_c = np.zeros(e.shape + (4, 4))
        g_c[:, 2 * c, 2 * c] = g_c[:, 2 * c + 1, 2 * c + 1] = t_c ** 2 * gam
        spec.append(gr @ g_c @ np.conj(np.swapaxes(gr, -1, -2)))
    f_l, f_r = fermi(e, mu_l, kt)[0], fermi(e, mu_r, kt)[0]
    lesser = 1j * (f_l[:, None, None] * spec[0] + f_r[:, None, None] * spec[1])
    greater = -1j * ((1 - f_l)[:, None, None] * spec[0] + (1 - f_r)[:, None, None] * spec[1])
    ga = np.conj(np.swapaxes(gr, -1, -2))
    dga = np.conj(np.swapaxes(dgr, -1, -2))
    w = weight / (2 * np.pi)
    R, L, A, dR, dA, Gt = (blocks(x) for x in (gr, lesser, ga, dgr, dga, greater))
    chi, dchi, noise = {}, {}, {}
    for a in range(2):
        for b in range(2):
            chi[a, b] = 0.25j * (trace(w * dedt, R[a][b], L[b][a]) + trace(w * dedt, L[a][b], A[b][a]))
            dchi[a, b] = 0.25j * (trace(w, dR[a][b], L[b][a]) - trace(w, L[a][b], dA[b][a]))
            noise[a, b] = HBAR / 8 * (trace(w * dedt, Gt[a][b], L[b][a]) + trace(w * dedt, L[a][b], Gt[b][a]))
    spin = [(-0.5j * np.einsum("n,ipq,nqp->i", w * dedt, PAULI, L[a][a])).real for a in range(2)]
    return chi, dchi, noise, spin


def project(m, that):
    """(M^(i), M^(DM), M^(an)) and the residual M − (M^(i)·1 + M^(DM)·W + M^(an)·that⊗that)."""
    that = np.asarray(that, dtype=float)
    W = np.einsum("ijk,k->ij", levi_civita(), that)
    tt = np.outer(that, that)
    m_i = 0.5 * (np.trace(m) - that @ m @ that)
    m_an = that @ m @ that - m_i
    m_dm = 0.5 * np.sum(W * m)
    return m_i, m_dm, m_an, m - (m_i * np.eye(3) + m_dm * W + m_an * tt)


def levi_civita():
    eps = np.zeros((3, 3, 3))
    for i, j, k in ((0, 1, 2), (1, 2, 0), (2, 0, 1)):
        eps[i, j, k], eps[j, i, k] = 1.0, -1.0
    return eps
