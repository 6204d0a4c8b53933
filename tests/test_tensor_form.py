"""Rotation symmetry about that: every tensor is M^(i)·1 + M^(DM)·W + M^(an)·that⊗that,
and the engine's channel-resolved parts equal the literal 4×4 spin traces."""
import numpy as np
import pytest

import dimer_core as dc
from .spin_traces import full_tensors, project

CASES = [
    ("weak-soc", dict(mu_F=0.7, V=3.1)),
    ("strong-soc", dict(mu_F=-1.3, V=-4.2, T=10.0)),
    ("strong-soc", dict(mu_F=0.4, V=2.5, tL=10.0, tR=6.0, eps1=0.3, eps2=-0.2, that=(1.0, 1.0, 1.0))),
    ("weak-soc", dict(mu_F=-0.5, V=1.0, t=0.8, that=(0.3, -0.4, 0.87), T=3.0)),
]


@pytest.fixture(scope="module", params=CASES, ids=lambda c: f"{c[0]}-{'-'.join(c[1])}")
def case(request):
    name, changes = request.param
    p = dc.preset(name, **changes)
    return p, full_tensors(p), dc.raw_point(p)


def test_tensors_have_the_symmetric_form(case):
    p, (chi, dchi, noise, spin), _ = case
    for tensors in (chi, dchi, noise):
        for m in tensors.values():
            for part in (m.real, m.imag):
                *_, resid = project(part, p.that)
                assert np.abs(resid).max() <= 1e-10 * max(np.abs(m).max(), 1e-300)
    for s in spin:  # <s_a> is along that
        assert np.linalg.norm(np.cross(s, p.that)) <= 1e-10 * max(np.linalg.norm(s), 1e-300)


def test_static_response_and_noise_are_real(case):
    _, (chi, _, noise, _), _ = case
    for m in list(chi.values()) + list(noise.values()):
        assert np.abs(m.imag).max() <= 1e-10 * np.abs(m).max()
    for m in noise.values():  # symmetrized noise is a real symmetric tensor: no DM part
        np.testing.assert_allclose(m.real, m.real.T, atol=1e-12 * np.abs(m).max())


def test_channel_parts_equal_spin_traces(case):
    p, (chi, dchi, noise, spin), raw = case
    names = ("11", "12", "21", "22")
    for (a, b), m in chi.items():
        m_i, m_dm, m_an, _ = project(m.real, p.that)
        ab = names[2 * a + b]
        for name, val in (("i", m_i), ("DM", m_dm), ("an", m_an)):
            assert raw[f"chi_{ab}_{name}"] == pytest.approx(val, rel=1e-9, abs=1e-12)
    for (a, b), m in dchi.items():
        m_i, m_dm, m_an, _ = project(m.imag, p.that)  # ∂_E Im χ, componentwise
        ab = names[2 * a + b]
        for name, val in (("i", m_i), ("DM", m_dm), ("an", m_an)):
            assert raw[f"dchi_{ab}_{name}"] == pytest.approx(val, rel=1e-9, abs=1e-12)
    for (a, b), m in noise.items():
        m_i, m_dm, m_an, _ = project(m.real, p.that)
        ab = names[2 * a + b]
        for name, val in (("i", m_i), ("DM", m_dm), ("an", m_an)):
            assert raw[f"noise_{ab}_{name}"] == pytest.approx(val, rel=1e-9, abs=1e-12)
    for a in range(2):
        assert raw[f"spin_{a + 1}"] == pytest.approx(float(np.dot(spin[a], p.that)), rel=1e-9, abs=1e-14)
