"""The Fokker–Planck fast path (one parallel numba kernel over all biases) against
independent, plain routes written here: a dense (cos θ, φ) grid with log-sum-exp
weights, the energy E(m) built from the couplings by the formula of docs/physics.md, "One spin pinned", exact
results for a Zeeman field, and brute-force minima for T_eff → 0."""
import numpy as np
import pytest

import dimer_core as dc
from dimer_core.couplings.dimer import named_map
from dimer_core.spins.pinned import fp_sweep_values, mean_orientation, mean_orientations
from dimer_core.units import K_B


def dense_sphere(n=2_000_000):
    """n equal-area points on the unit sphere (a Fibonacci lattice), spacing ≈ 0.0025 rad: (n, 3)."""
    k = np.arange(n) + 0.5
    u = 1 - 2 * k / n
    phi = np.pi * (1 + 5 ** 0.5) * k
    r = np.sqrt(1 - u * u)
    return np.column_stack([r * np.cos(phi), r * np.sin(phi), u])


SPHERE = dense_sphere()


def dense_mean(energy, kt):
    """<m> for P ∝ exp(−E/kt) on the dense grid; the exponent is shifted by its maximum (log-sum-exp)."""
    x = -energy(SPHERE) / kt
    w = np.exp(x - x.max())
    return w @ SPHERE / w.sum()


def paper_energy(p, c):
    """E(m) in meV of the free spin (docs/physics.md, "One spin pinned"), written out term by term."""
    that, m1 = p.vector("that"), p.vector("m1")
    e, n, h = p.vector("e_easy"), p.vector("n_hard"), p.vector("h")
    d2 = p.Delta ** 2

    def energy(m):
        mt = m @ that
        bare = -m @ h - p.K_easy * (m @ e) ** 2 + p.K_hard * (m @ n) ** 2
        return (bare - p.Delta * c["s_2"] * mt
                - d2 * (c["J_2"] * (m @ m1) + c["D_2"] * (np.cross(m, m1) @ that)
                        + c["A_2"] * mt * (m1 @ that) + 0.5 * c["K_2"] * mt ** 2))
    return energy


@pytest.mark.parametrize("name, mu_F", [("weak-soc", 0.0), ("strong-soc", 0.0), ("weak-soc", -2.0)])
def test_sweep_equals_a_dense_grid_with_the_energy_written_out(name, mu_F):
    p = dc.preset(name, mu_F=mu_F)
    V = np.linspace(-5, 5, 21)
    c = {k: v[0] for k, v in named_map(p, [p.mu_F], V).items()}
    omega, kts = fp_sweep_values(p, c)
    np.testing.assert_array_equal(kts, K_B * c["T_eff_2"])
    checked = 0
    for k in range(V.size):
        if abs(kts[k]) < 0.05:  # the dense grid resolves distributions wider than ≈ 0.05 rad
            continue
        ref = dense_mean(paper_energy(p, {key: float(val[k]) for key, val in c.items()}), kts[k])
        np.testing.assert_allclose(omega[k], ref, atol=1e-6, err_msg=f"V = {V[k]}")
        checked += 1
    assert checked >= 8
    if mu_F == -2.0:
        assert np.any(kts < -0.05)  # energy injection (T_eff < 0) is among the checked biases


def random_forms(n, seed):
    rng = np.random.default_rng(seed)
    g = rng.normal(size=(n, 3)) * rng.choice([0.0, 0.3, 1.0, 3.0], size=(n, 1))
    a = rng.normal(size=(n, 3, 3)) * rng.choice([0.3, 1.0, 3.0], size=(n, 1, 1))
    return g, (a + np.swapaxes(a, 1, 2)) / 2


def test_random_forms_and_temperatures_equal_a_dense_grid():
    g, q = random_forms(24, seed=4)
    kt = np.resize([0.3, 1.0, -0.4, 5.0, -2.0, 0.6], 24)
    omega = mean_orientations(g, q, kt)
    for k in range(24):
        ref = dense_mean(lambda m: -m @ g[k] + np.einsum("ni,ij,nj->n", m, q[k], m), kt[k])
        np.testing.assert_allclose(omega[k], ref, atol=1e-6, err_msg=f"case {k}")
    assert np.abs(omega).max() > 0.5  # the cases are far from isotropic


@pytest.mark.parametrize("x", [1e-3, 0.5, 2.0, 50.0, 1e6, 1e12])
def test_zeeman_field_gives_the_langevin_function_without_overflow(x):
    """E = −h m_z: <m_z> = coth(x) − 1/x, x = h/kt, even where exp(x) overflows."""
    h = 2.0
    n = np.array([1.0, 2.0, -2.0]) / 3.0  # field along an oblique direction
    om = mean_orientation(h * n, np.zeros((3, 3)), h / x)
    along = 1 / np.tanh(x) - 1 / x if x > 1e-2 else x / 3 - x ** 3 / 45
    np.testing.assert_allclose(om, along * n, atol=1e-10)
    om = mean_orientation(h * n, np.zeros((3, 3)), -h / x)  # T_eff < 0: peaked at the energy maximum
    np.testing.assert_allclose(om, -along * n, atol=1e-10)


def test_zero_temperature_is_the_global_minimum_and_negative_is_the_maximum():
    g, q = random_forms(30, seed=8)
    g = g + 0.1  # no exact degeneracy E(m) = E(−m) (that case is the last check)
    energies = -SPHERE @ g.T + np.einsum("ni,kij,nj->nk", SPHERE, q, SPHERE)   # (points, cases)
    ground = mean_orientations(g, q, np.zeros(30))
    top = mean_orientations(g, q, np.full(30, -1e-300))
    for k in range(30):
        e = lambda m: -m @ g[k] + m @ q[k] @ m   # noqa: E731
        np.testing.assert_allclose(np.linalg.norm(ground[k]), 1, atol=1e-12)
        assert e(ground[k]) <= energies[:, k].min() + 1e-12   # at least as low as any grid point
        assert np.linalg.norm(ground[k] - SPHERE[np.argmin(energies[:, k])]) < 0.02
        assert e(top[k]) >= energies[:, k].max() - 1e-12
    # degenerate minima (E = m_z² − ... symmetric about the xy plane): their mean
    np.testing.assert_allclose(mean_orientation(np.zeros(3), np.diag([0.5, 0.5, -1.0]), 0.0), 0, atol=1e-12)


def test_vectorised_path_is_the_single_point_path():
    g, q = random_forms(12, seed=5)
    kt = np.resize([0.0, 0.3, -0.2, 1e-3], 12)
    many = mean_orientations(g, q, kt)
    one = np.array([mean_orientation(g[k], q[k], kt[k]) for k in range(12)])
    np.testing.assert_array_equal(many, one)


def test_bad_shapes_and_temperatures_are_refused():
    with pytest.raises(ValueError, match="kt"):
        mean_orientations(np.zeros((2, 3)), np.zeros((2, 3, 3)), [0.1, np.nan])
    with pytest.raises(ValueError, match="expected g"):
        mean_orientations(np.zeros((2, 3)), np.zeros((3, 3, 3)), [0.1, 0.2])


def test_degenerate_forms_and_fields_along_eigenvectors():
    """The "hard case" of the minima search: repeated eigenvalues of Q, g along an eigenvector or zero."""
    rng = np.random.default_rng(11)
    for k in range(12):
        rot, _ = np.linalg.qr(rng.normal(size=(3, 3)))
        d = [-1.0, -1.0, 0.5] if k % 2 else [-1.0, 0.3, 0.3]
        q = rot @ np.diag(d) @ rot.T
        g = rot[:, k % 3] * (0.4 if k % 4 else 0.0)
        ref = dense_mean(lambda m: -m @ g + np.einsum("ni,ij,nj->n", m, q, m), 0.5)
        np.testing.assert_allclose(mean_orientation(g, q, 0.5), ref, atol=1e-6, err_msg=f"case {k}")
        ground = mean_orientation(g, q, 0.0)
        e = -SPHERE @ g + np.einsum("ni,ij,nj->n", SPHERE, q, SPHERE)
        if np.linalg.norm(ground) > 0.5:  # a single minimum (else the mean of ± pairs or of a circle's points)
            assert -ground @ g + ground @ q @ ground <= e.min() + 1e-12
