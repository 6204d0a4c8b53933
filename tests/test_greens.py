"""Closed forms (A10)–(A15) against direct 4×4 inversion (H_D and Σ of the dimer as a junction); the spin channels
of the one H_D that the closed-form kernel inverts; lead self-energy limits."""
import numpy as np
import pytest

import dimer_core as dc
from .closed_forms import singlet_triplet
from dimer_core.electrons.hamiltonian import PAULI, device_hamiltonian, retarded, spin_channels, surface_g
from dimer_core.electrons.integrands import TRANS, channel_model, integrand_table, spin_index
from dimer_core.junction import from_dimer, preset as junction_preset

CASES = [
    dict(),
    dict(t=1.0),
    dict(t=0.7, tL=10.0, tR=4.0, eps1=0.3, eps2=-0.4, that=(1.0, 1.0, 1.0)),
    dict(t=3.0, t0=0.5, that=(0.2, -0.5, 0.8), te=40.0),
]


@pytest.mark.parametrize("case", CASES)
def test_closed_forms_equal_direct_inversion(case):
    p = dc.preset("weak-soc", **case)
    e = np.concatenate([np.linspace(-2 * p.te * 1.3, 2 * p.te * 1.3, 301), [-2.1, -1.9, 0.0, 1.9, 2.1]])
    g4 = retarded(from_dimer(p), e)
    gs, gt = singlet_triplet(e, p)
    tdot = np.einsum("i,ijk->jk", np.asarray(p.that), PAULI)
    rebuilt = np.einsum("...ab,st->...asbt", gs, np.eye(2)) + np.einsum("...ab,st->...asbt", gt, tdot)
    rebuilt = rebuilt.reshape(e.shape + (4, 4))
    scale = np.abs(g4).max(axis=(-2, -1), keepdims=True)
    assert np.all(np.abs(rebuilt - g4) <= 1e-12 * scale)


def test_closed_forms_are_the_papers_A10_to_A15():
    p = dc.preset("strong-soc", tR=6.0, eps1=0.2)
    e = np.linspace(-5, 5, 41)
    g = surface_g(e, p.te)[0]
    g1, g2 = e - p.eps1 - p.tL ** 2 * g, e - p.eps2 - p.tR ** 2 * g
    dp, dm = g1 * g2 - (p.t0 + p.t) ** 2, g1 * g2 - (p.t0 - p.t) ** 2
    gs, gt = singlet_triplet(e, p)
    np.testing.assert_allclose(gs[:, 0, 0], g2 / 2 * (1 / dp + 1 / dm), rtol=1e-13)          # (A10)
    np.testing.assert_allclose(gs[:, 0, 1], -0.5 * ((p.t0 + p.t) / dp + (p.t0 - p.t) / dm), rtol=1e-13)  # (A11)
    np.testing.assert_allclose(gs[:, 1, 1], g1 / 2 * (1 / dp + 1 / dm), rtol=1e-13)          # (A12)
    np.testing.assert_allclose(gt[:, 0, 0], g2 / 2 * (1 / dp - 1 / dm), rtol=1e-12)          # (A13)
    np.testing.assert_allclose(gt[:, 0, 1], -0.5 * ((p.t0 + p.t) / dp - (p.t0 - p.t) / dm), rtol=1e-12)  # (A14)
    np.testing.assert_allclose(gt[:, 1, 1], g1 / 2 * (1 / dp - 1 / dm), rtol=1e-12)          # (A15)


def test_surface_green_function():
    te = 100.0
    e = np.linspace(-300, 300, 601)
    g, dg = surface_g(e, te)
    # Dyson equation of a semi-infinite chain: g = 1/(e − te² g), on and off the band
    np.testing.assert_allclose(g, 1 / (e - te ** 2 * g), rtol=1e-12, atol=1e-15)
    inside = np.abs(e) < 2 * te
    assert np.all(g.imag[inside] < 0)          # retarded
    assert np.all(g.imag[~inside] == 0)
    assert np.all(np.abs(g[~inside]) <= 1 / te + 1e-15)  # the decaying root outside the band
    # its slope against central differences, away from the band edges
    h = 1e-4
    away = np.abs(np.abs(e) - 2 * te) > 1.0
    slope = (surface_g(e + h, te)[0] - surface_g(e - h, te)[0]) / (2 * h)
    np.testing.assert_allclose(dg[away], slope[away], rtol=1e-6, atol=1e-12)


def _rebuilt(h, that):
    """Σ_σ h_σ ⊗ P_σ, P_σ = (1 + σ·that·tau)/2 (2N × 2N)."""
    tdot = np.einsum("i,ijk->jk", np.asarray(that, dtype=float), PAULI)
    n = h.shape[-1]
    out = sum(np.einsum("ab,st->asbt", h[k], 0.5 * (np.eye(2) + sign * tdot)) for k, sign in enumerate((1, -1)))
    return out.reshape(2 * n, 2 * n)


@pytest.mark.parametrize("name", ["dimer-strong-soc", "chain3", "ring4", "stm"])
def test_spin_channels_are_all_of_H_D(name):
    rng = np.random.default_rng(11)
    axis = rng.normal(size=3)
    junction = junction_preset(name).updated(that=tuple(axis / np.linalg.norm(axis)))
    h = spin_channels(junction)
    hd = device_hamiltonian(junction)
    assert np.abs(_rebuilt(h, junction.that) - hd).max() <= 1e-14 * np.abs(hd).max()
    assert np.abs(h - np.conj(np.swapaxes(h, -1, -2))).max() == 0.0        # each channel Hermitian
    # a field across that mixes the channels: the blocks are then not all of H_D (the check above can fail)
    across = np.cross(junction.that, (1.0, 0.0, 0.0) if abs(junction.that[0]) < 0.9 else (0.0, 1.0, 0.0))
    mixed = device_hamiltonian(junction, field=(1, across))
    assert np.abs(_rebuilt(spin_channels(junction, field=(1, across)), junction.that) - mixed).max() > 0.1


def test_the_dimers_channels_are_its_paper_form():
    p = dc.preset("strong-soc", t=0.37, t0=1.3, eps1=0.2, eps2=-0.45)
    h, v2, te = channel_model(p)
    for k, sign in enumerate((1, -1)):
        np.testing.assert_array_equal(h[k], [[p.eps1, -(p.t0 + sign * p.t)], [-(p.t0 + sign * p.t), p.eps2]])
    np.testing.assert_array_equal(v2, [p.tL ** 2, p.tR ** 2])
    assert te == p.te


def test_the_dimer_kernel_inverts_whatever_channels_H_D_has():
    """The closed-form kernel takes its channels from the one H_D: with a static field along that on site 1 (the
    channels' levels then differ) its transmission and spin-density integrands equal direct 4×4 inversion."""
    p = dc.preset("strong-soc", tR=6.0, eps1=0.2, that=(0.6, 0.0, 0.8))
    junction = from_dimer(p)
    field = (1, 1.7 * np.asarray(p.that))
    h = spin_channels(junction, field)
    assert abs(h[0, 0, 0] - h[1, 0, 0]) > 1.0                                  # the field split site 1's level
    theta = np.linspace(0.02, np.pi - 0.02, 97)
    e = -2.0 * p.te * np.cos(theta)
    table = integrand_table(theta, np.zeros_like(theta), np.ascontiguousarray(h.real), np.array([p.tL ** 2, p.tR ** 2]),
                            p.te)
    dedt = 2.0 * p.te * np.sin(theta)
    g = retarded(junction, e, field=field)
    gam = [-2.0 * surface_g(e, p.te)[0].imag * t ** 2 for t in (p.tL, p.tR)]
    g12 = g[:, 0:2, 2:4]
    transmission = gam[0] * gam[1] * np.einsum("nij,nij->n", g12, g12.conj()).real
    np.testing.assert_allclose(table[:, TRANS], dedt * transmission, rtol=1e-10, atol=1e-14 * transmission.max())
    tdot = np.einsum("i,ijk->jk", np.asarray(p.that), PAULI)
    for c, site in ((0, 0), (1, 1)):
        col = g[:, :, 2 * c:2 * c + 2]                                           # G Γ_c G† = γ_c (G P_c)(G P_c)†
        spec = gam[c][:, None, None] * np.einsum("nis,njs->nij", col, col.conj())
        density = np.einsum("st,nts->n", tdot, spec[:, 2 * site:2 * site + 2, 2 * site:2 * site + 2]).real
        np.testing.assert_allclose(table[:, spin_index(c, site)], dedt * density / (4.0 * np.pi), rtol=1e-9,
                                   atol=1e-12 * np.abs(density).max())
