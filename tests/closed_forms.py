"""The dimer's device Green's functions in closed form (paper App. A, (A10)–(A15)).

Spin along ``that`` is conserved, so the 4×4 retarded Green's function in the
basis (1↑, 1↓, 2↑, 2↓) splits into two 2×2 site problems, the spin channels
σ = ±1 with inter-site hopping t0 + σ·t (docs/physics.md, "Electronic model"):

    G^R = G^(s)·1 + G^(t)·(that·tau),   G^(s) ± G^(t) = G_σ=±,
    G_σ = [[g1, τσ], [τσ, g2]]^-1,       g_a = e − eps_a − Σ_a(e)   (A10)–(A15)

The energy integrals are done in the band angle θ, e = −2·te·cos θ, which makes
every integrand smooth at the band edges; there the lead surface Green's
function is g = −exp(iθ)/te.

The tests' copy of the closed forms, in NumPy: an independent route to G^R (tests/test_greens.py holds it
against direct inversion of the junction's H_D, ``dimer_core.electrons.hamiltonian.retarded``), and the
reference of tests that integrate G by quadrature.  The engine's own closed forms are the numba integrands of
:mod:`dimer_core.electrons.integrands`.
"""
import numpy as np

from dimer_core.electrons.hamiltonian import surface_g


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
    g = surface_g(e, p.te)[0]
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

