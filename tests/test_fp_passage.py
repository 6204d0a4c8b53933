"""Issue 14, mean first-passage times from the Fokker–Planck operator: the finite-element generator of one spin
(dimer_core.spins.fp_passage, docs/rates.md) against the exact one-dimensional passage times of an axial spin —
isotropic damping (Brown) and with a W part, which makes the two directions differ — and its mesh.  Langevin
counting against it (any energy, damping tensor and bias): tests/test_fp_spectrum.py."""
import math

import numpy as np
import pytest

from dimer_core.spins import fp_passage, rates

from .axial_spin import mean_passage_time
from .test_fp_spectrum import HS, UP_DOWN, biaxial, one_spin, uniaxial


@pytest.mark.parametrize("level", [0, 1, 3])
def test_the_icosphere_is_a_closed_counter_clockwise_triangulation_of_the_sphere(level):
    v, f = fp_passage.icosphere(level)
    assert v.shape == (10 * 4 ** level + 2, 3) and f.shape == (20 * 4 ** level, 3)
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-14)
    edges = np.unique(np.sort(np.concatenate([f[:, [0, 1]], f[:, [1, 2]], f[:, [2, 0]]]), axis=1), axis=0)
    assert v.shape[0] - edges.shape[0] + f.shape[0] == 2  # Euler: a sphere, every edge shared by two triangles
    p = v[f]
    normal = np.cross(p[:, 1] - p[:, 0], p[:, 2] - p[:, 0])
    assert np.all(np.einsum("ti,ti->t", normal, p.mean(axis=1)) > 0)  # outward: counter-clockwise from outside


def test_the_generator_annihilates_constants_and_its_mass_is_the_spheres_area():
    v, f = fp_passage.icosphere(4)
    fe = fp_passage.fe_generator(biaxial(3.5), 0, v, f)
    assert np.abs(fe.matrix @ np.ones(v.shape[0])).max() < 1e-12 * abs(fe.matrix).max()
    assert fe.mass.sum() == pytest.approx(4 * math.pi, rel=2e-3)  # flat triangles: O(h²) short of 4π


@pytest.mark.parametrize("sigma", [3.0, 5.0, 8.0])
def test_dwells_of_a_uniaxial_spin_are_browns_exact_passage_times(sigma):
    """E = −m_z², α = 0.2, cores of 0.5 rad: both dwells equal 2τ_N∫∫ (rates.uniaxial_mean_passage_time) to 1e-3
    (measured 5.4e-4, 1.5e-4, 1.4e-4; level 6 alone 7e-4 … 6e-3)."""
    exact = rates.uniaxial_mean_passage_time(1.0, 1.0 / sigma, 0.2, HS, math.cos(0.5))
    d = fp_passage.core_dwells(uniaxial(sigma, 0.2), 0, UP_DOWN, core=0.5)
    np.testing.assert_allclose(d.dwell, exact, rtol=1e-3)
    np.testing.assert_allclose(d.rates, 1.0 / d.dwell)
    assert d.level == 6 and d.nodes == 40962 and d.change < 1e-2


@pytest.mark.parametrize("a, w", [(0.3, 0.5), (0.1, 0.3)])
def test_a_w_part_makes_the_two_directions_differ_as_the_exact_axial_diffusion_says(a, w):
    """Damping a·1 + w·W(ẑ): the mobility of m_z is a/(ħS((1 + w m_z)² + a²)), so up → down and down → up differ
    (6.5 % at a = 0.3, w = 0.5); each dwell equals the one-dimensional quadrature to 1e-3."""
    sigma = 4.0
    up_to_down = mean_passage_time(1.0, 1.0 / sigma, a, -w, HS, math.cos(0.5))
    down_to_up = mean_passage_time(1.0, 1.0 / sigma, a, w, HS, math.cos(0.5))
    d = fp_passage.core_dwells(uniaxial(sigma, a, w), 0, UP_DOWN, core=0.5)
    np.testing.assert_allclose(d.dwell, [up_to_down, down_to_up], rtol=1e-3)
    if a == 0.3:
        assert abs(up_to_down / down_to_up - 1.0) > 0.05  # the test sees the asymmetry


def test_mean_passage_times_from_every_node_match_the_exact_profile():
    """T(m_z) from each node to the core m_z >= cos 0.5 against the one-dimensional quadrature from that m_z
    (the dwell formula with the start moved): to 2e-3 of the largest time at level 6, the rim snapped."""
    sigma, a = 4.0, 0.2
    v, f = fp_passage.core_mesh(6, [[0.0, 0.0, 1.0]], 0.5)
    fe = fp_passage.fe_generator(uniaxial(sigma, a), 0, v, f)
    times = fp_passage.mean_passage_times(fe, v[:, 2] >= math.cos(0.5) - 1e-12)
    z_core = math.cos(0.5)
    picks = np.flatnonzero(v[:, 2] < 0.6)[::1997]
    whole = rates.uniaxial_mean_passage_time(1.0, 1.0 / sigma, a, HS, z_core)
    for k in picks:
        z = v[k, 2]
        # from z to z_core: the whole passage minus the part from −z_core to z (reflecting at −1 in both)
        part = (rates.uniaxial_mean_passage_time(1.0, 1.0 / sigma, a, HS, z_core) -
                _from_minus_core_to(z, sigma, a, z_core))
        assert times[k] == pytest.approx(part, abs=2e-3 * whole), (z, times[k], part)
    assert np.all(times[v[:, 2] >= z_core - 1e-12] == 0.0)


def _from_minus_core_to(z, sigma, a, z_core):
    """2τ_N ∫_{−z_core}^{z} (the first part of Brown's passage; negative where z < −z_core)."""
    from scipy import integrate

    tau_n = HS * (1.0 + a * a) / (2.0 * a / sigma)

    def inner(x):
        return integrate.quad(lambda y: math.exp(sigma * (y * y - x * x)), -1.0, x, epsabs=0, epsrel=1e-12)[0]

    return 2.0 * tau_n * integrate.quad(lambda x: inner(x) / (1.0 - x * x), -z_core, z, epsabs=0, epsrel=1e-10)[0]


def test_refusals():
    model = uniaxial(4.0, 0.2)
    with pytest.raises(ValueError, match="overlap"):
        fp_passage.core_dwells(model, 0, [[0, 0, 1.0], [0, 1.0, 0]], core=0.8)
    with pytest.raises(ValueError, match=r"level = 8: allowed: an integer 2 to 7"):
        fp_passage.core_dwells(model, 0, UP_DOWN, level=8)
    with pytest.raises(ValueError, match="core = "):
        fp_passage.core_dwells(model, 0, UP_DOWN, core=2.0)
    with pytest.raises(ValueError, match="shape"):
        fp_passage.core_dwells(model, 0, [0, 0, 1.0])
    with pytest.raises(ValueError, match="raise level"):  # a deep, narrow well on a coarse mesh
        fp_passage.core_dwells(uniaxial(30.0, 0.2), 0, UP_DOWN, level=3)
    with pytest.raises(ValueError, match="one free spin"):
        pair = one_spin(np.zeros((3, 3)), np.zeros(3), 0.2 * np.eye(3), 0.5)
        pair = type(pair)(g=np.zeros((1, 6)), X=np.zeros((1, 6, 6)), alpha=(0.2 * np.eye(6))[None],
                          noise=np.zeros((1, 6, 6)), kt=np.zeros((1, 2)), hbar_s=HS)
        fp_passage.core_dwells(pair, 0, UP_DOWN)
