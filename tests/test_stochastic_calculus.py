"""The Langevin equations obey statistical mechanics (docs/stochastic.md).

At V = 0 the noise obeys fluctuation–dissipation, and every Langevin mode (pinned or both
spins free, full or paper terms, any damping) must have exp(−E/k_B T) on the sphere(s) as its
stationary law.  References here share no code with the integrator: the closed-form noise-induced
drift against finite differences of the mobility, the Langevin function, the Fokker–Planck
quadrature of :mod:`dimer_core.spins.pinned` (exact at V = 0, where T_eff = T) and a plain NumPy
quadrature on two spheres.  Tolerances are 3 standard errors plus a small floor for the
O(dt) bias of the default step (measured: ≤ 2e-3 at the defaults).
"""
import numpy as np
import pytest

import dimer_core as dc
from dimer_core.studies import sweeps
from dimer_core.spins.drift import mobility, rate, workspace
from dimer_core.spins.integrators import INTEGRATORS, MIDPOINT_CORRECTIONS, heun_steps, midpoint_steps
from dimer_core.spins.langevin import PinnedSpinModel, SpinModel, ensemble, psd_sqrt, trajectory
from dimer_core.spins.rng import normals, seed_state
from dimer_core.spins.pinned import mean_orientation
from dimer_core.units import HBAR, K_B

from .axial_spin import mean_mz

HS = HBAR * 2.5


# ----- the drift itself -----

def _mobility(x, alpha, hs):
    """K(x/|x|) = (1 + Pα)⁻¹ P / ħS with P = blockdiag([m_a ×]), straight from the definition."""
    n = x.size // 3
    m = x.reshape(n, 3) / np.linalg.norm(x.reshape(n, 3), axis=1, keepdims=True)
    p = np.zeros((3 * n, 3 * n))
    for a, v in enumerate(m):
        p[3 * a:3 * a + 3, 3 * a:3 * a + 3] = [[0, -v[2], v[1]], [v[2], 0, -v[0]], [-v[1], v[0], 0]]  # [v×]
    return np.linalg.solve(np.eye(3 * n) + p @ alpha, p) / hs


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_noise_induced_drift_is_the_divergence_of_the_mobility(n):
    """c = ½ K N div Kᵀ + ½ Θ (div K − div Kᵀ) (tangent part), divergences by central differences."""
    rng = np.random.default_rng(n)
    d = 3 * n
    alpha = 0.4 * rng.normal(size=(d, d))
    noise = rng.normal(size=(d, d))
    noise = noise @ noise.T
    kt = rng.uniform(0.1, 1.0, n)
    m = rng.normal(size=d)
    m = (m.reshape(n, 3) / np.linalg.norm(m.reshape(n, 3), axis=1, keepdims=True)).ravel()
    div_k, div_kt, h = np.zeros(d), np.zeros(d), 1e-6
    for j in range(d):
        e = np.zeros(d)
        e[j] = h
        dk = (_mobility(m + e, alpha, HS) - _mobility(m - e, alpha, HS)) / (2 * h)
        div_k += dk[:, j]
        div_kt += dk[j, :]
    k = _mobility(m, alpha, HS)
    c = 0.5 * k @ noise @ div_kt + 0.5 * np.repeat(kt, 3) * (div_k - div_kt)
    for a in range(n):
        s = slice(3 * a, 3 * a + 3)
        c[s] -= m[s] * (m[s] @ c[s])
    g, x, xi = rng.normal(size=d), rng.normal(size=(d, d)), np.zeros(d)
    bare, corr, none = np.empty(d), np.empty(d), np.full(d, np.nan)
    rate(m.copy(), xi, g, x, alpha, noise, kt, 1 / HS, True, workspace(d), bare, corr)
    np.testing.assert_allclose(bare, k @ (g + x @ m), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(corr, c, rtol=1e-6, atol=1e-8 * np.abs(c).max())
    assert np.abs(c).max() > 1e-2
    rate(m.copy(), xi, g, x, alpha, noise, kt, 1 / HS, False, workspace(d), bare, none)
    np.testing.assert_array_equal(none, 0.0)
    np.testing.assert_allclose(mobility(m.copy(), alpha, 1 / HS, workspace(d)), k, rtol=1e-12, atol=1e-12 / HS)


# ----- the integrators, chosen by name (dimer_core.spins.integrators) -----

def _random_model(rng, n, kt=0.4):
    """n spins with random field, coupling and damping (W parts included), noise at fluctuation–dissipation."""
    d = 3 * n
    b = rng.normal(size=(d, d))
    alpha = 0.6 * np.eye(d) + 0.1 * b @ b.T + 0.15 * (b - b.T)
    x = rng.normal(size=(d, d))
    g = rng.normal(size=d)
    sym = 0.5 * (alpha + alpha.T)
    return SpinModel(g=g[None], X=0.5 * (x + x.T)[None], alpha=alpha[None], noise=2 * kt * HS * sym[None],
                     kt=np.full((1, n), kt), hbar_s=HS)


def test_heun_is_the_default_and_a_trajectory_is_the_ensembles_draws():
    """integrator="heun" is the default; a trajectory recorded in pieces is the one recorded at once."""
    rng = np.random.default_rng(2)
    for n in (1, 2):
        model = _random_model(rng, n)
        mean, err = ensemble(model, 4, 0.01, 20, 200, seed=7, chunks=3, integrator="heun")
        default = ensemble(model, 4, 0.01, 20, 200, seed=7, chunks=3)
        np.testing.assert_array_equal(default[0], mean)
        np.testing.assert_array_equal(default[1], err)
        whole = trajectory(model, 0, np.ones(3 * n), 0.01, 300, every=100, seed=3)[1]
        pieces = trajectory(model, 0, np.ones(3 * n), 0.01, 300, every=1, seed=3)[1]
        np.testing.assert_allclose(whole[-1], pieces[-1], rtol=0, atol=1e-12)


def _one_step(kernel, model, m, dt, seed, corrected):
    """m after one step of ``kernel`` (a function of dimer_core.spins.integrators) from the generator of ``seed``."""
    m = np.array(m, float)
    kernel(m, 1, dt, model.g[0], model.X[0], model.alpha[0], psd_sqrt(model.noise)[0], model.noise[0], model.kt[0],
           1.0 / model.hbar_s, corrected, np.zeros(1), False, seed_state(seed))
    return m


def _uncoupled_pair(one, other):
    """Two spins without coupling (X, α, N block diagonal): ``one`` (1 spin) first, ``other`` second."""
    def blocks(a, b):
        out = np.zeros((1, 6, 6))
        out[0, :3, :3], out[0, 3:, 3:] = a[0], b[0]
        return out
    return SpinModel(g=np.hstack([one.g, other.g]), X=blocks(one.X, other.X), alpha=blocks(one.alpha, other.alpha),
                     noise=blocks(one.noise, other.noise), kt=np.hstack([one.kt, other.kt]), hbar_s=HS)


def _heun_by_hand(model, m, dt, seed, corrected):
    """One Heun step of one spin written out with drift.rate, the noise z = the first 3 draws of ``seed``, the
    noise-induced drift c (if ``corrected``) evaluated at the start and used in both stages."""
    z = normals(seed, 3)
    xi = psd_sqrt(model.noise)[0] @ z / np.sqrt(dt)

    def velocity(x):
        bare, c = np.empty(3), np.empty(3)
        rate(np.array(x), xi, model.g[0], model.X[0], model.alpha[0], model.noise[0], model.kt[0], 1 / model.hbar_s,
             corrected, workspace(3), bare, c)
        return bare, c

    k1, c_m = velocity(m)
    p = m + dt * (k1 + c_m)
    p /= np.linalg.norm(p)
    k2, _ = velocity(p)
    y = m + 0.5 * dt * (k1 + k2) + dt * c_m
    return y / np.linalg.norm(y)


def _midpoint_by_hand(model, m, dt, seed, corrected):
    """One midpoint step of one spin: ω = u × v(u), m' solving (1 − ½dt[ω×]) m' = (1 + ½dt[ω×]) m by a linear
    solve, ω first at m, then at the renormalised midpoint (MIDPOINT_CORRECTIONS = 1)."""
    z = normals(seed, 3)
    xi = psd_sqrt(model.noise)[0] @ z / np.sqrt(dt)
    u, new = m, None
    for _ in range(1 + MIDPOINT_CORRECTIONS):
        v, c = np.empty(3), np.empty(3)
        rate(np.array(u), xi, model.g[0], model.X[0], model.alpha[0], model.noise[0], model.kt[0], 1 / model.hbar_s,
             corrected, workspace(3), v, c)
        w = 0.5 * dt * np.cross(u, v + c)
        cross = np.array([[0.0, -w[2], w[1]], [w[2], 0.0, -w[0]], [-w[1], w[0], 0.0]])
        new = np.linalg.solve(np.eye(3) - cross, (np.eye(3) + cross) @ m)
        u = (m + new) / np.linalg.norm(m + new)
    return new


@pytest.mark.parametrize("integrator", INTEGRATORS)
def test_one_spin_is_the_n_spin_kernel_with_the_others_apart(integrator):
    """The pinned spin is the n-spin kernel: a step of one spin equals, to rounding, the step of that spin in a
    pair whose other spin is uncoupled (X, α, N block diagonal; the same noise: the first three draws), and the
    step written out here with drift.rate (the midpoint rule's (S10) by a linear solve instead of the Cayley
    closed form; Heun's c at the start of the step, used in both stages)."""
    kernel = {"heun": heun_steps, "midpoint": midpoint_steps}[integrator]
    rng = np.random.default_rng(21)
    for trial in range(20):
        one, other = _random_model(rng, 1), _random_model(rng, 1)
        pair = _uncoupled_pair(one, other)
        m = rng.normal(size=6)
        m = (m.reshape(2, 3) / np.linalg.norm(m.reshape(2, 3), axis=1, keepdims=True)).ravel()
        for corrected in (False, True):
            for dt in (0.02, 0.005):
                alone = _one_step(kernel, one, m[:3], dt, trial, corrected)
                both = _one_step(kernel, pair, m, dt, trial, corrected)
                np.testing.assert_allclose(alone, both[:3], rtol=0, atol=1e-13)
                by_hand = (_midpoint_by_hand if integrator == "midpoint" else _heun_by_hand)(one, m[:3], dt, trial,
                                                                                            corrected)
                np.testing.assert_allclose(alone, by_hand, rtol=0, atol=1e-13)
                assert np.abs(alone - m[:3]).max() > 1e-4  # the step moved the spin


AXIAL = dict(h=2.0, kt=1.0, a=0.5, w=0.5)
"""One spin in a field along z, α = 0.5·1 + 0.5·W (W v = v × ẑ), fluctuation–dissipation noise at 1 meV:
the noise-induced drift is not zero (plain Stratonovich misses the equilibrium, as below)."""


@pytest.mark.parametrize("integrator", INTEGRATORS)
def test_weak_error_at_a_fixed_time_is_first_order(integrator):
    """E[m_z(2 ps)] from m = x against its Fokker–Planck value (tests/axial_spin.py, no dimer_core code), at
    dt = 0.4, 0.2, 0.1 ps with 6e5 trajectories: the weak error is above 4 standard errors at each dt and its
    log–log slope is 1 ± 0.4 (order 1; 0.5 or 2 would fail).  Measured (1e6 trajectories, also dt = 0.05):
    Heun 0.0275, 0.0163, 0.0087, 0.0040; midpoint 0.0119, 0.0064, 0.0032, 0.0010 (± 0.0005)."""
    t_end = 2.0
    exact = mean_mz(AXIAL["h"], AXIAL["kt"], AXIAL["a"], AXIAL["w"], HS, t_end, 0.0)
    w = np.array([[0.0, 1.0, 0.0], [-1.0, 0.0, 0.0], [0.0, 0.0, 0.0]])  # W_ij = ε_ijk ẑ_k
    model = PinnedSpinModel(g=np.array([[0.0, 0.0, AXIAL["h"]]]), Q=np.zeros((1, 3, 3)), b_dm=np.zeros(1),
                            that=np.array([0.0, 0.0, 1.0]), alpha=(AXIAL["a"] * np.eye(3) + AXIAL["w"] * w)[None],
                            noise=(2 * AXIAL["kt"] * HS * AXIAL["a"] * np.eye(3))[None], hbar_s=HS,
                            kt=np.array([AXIAL["kt"]]))
    steps = np.array([0.4, 0.2, 0.1])
    errors = []
    for dt in steps:
        n = int(round(t_end / dt))
        mean, err = ensemble(model, 600_000, dt, n - 1, 1, seed=1, m0=[1.0, 0.0, 0.0], integrator=integrator)
        assert abs(mean[0, 2] - exact) > 4 * err[0, 2], (dt, mean[0, 2], exact, err[0, 2])
        errors.append(mean[0, 2] - exact)
    slope = np.polyfit(np.log(steps), np.log(np.abs(errors)), 1)[0]
    assert np.all(np.sign(errors) == np.sign(errors[0])) and 0.6 < slope < 1.4, (errors, slope)


def test_the_axial_reference_is_the_langevin_function_at_long_times():
    """The reference of the weak-order test relaxes to coth(x) − 1/x, x = h/k_B T, for any W part, and starts
    at x0 with the slope of its drift h κ (1 − x0²) + k_B T (κ (1 − x²))' (a finite difference of κ)."""
    h, kt, a = AXIAL["h"], AXIAL["kt"], AXIAL["a"]
    for w in (0.0, 0.5, -0.5):
        assert mean_mz(h, kt, a, w, HS, 200.0, 0.3) == pytest.approx(1 / np.tanh(h / kt) - kt / h, abs=1e-10)
        kappa = lambda x: a / (HS * ((1 + w * x) ** 2 + a * a))  # noqa: E731
        x0, e = 0.3, 1e-6
        drift = h * kappa(x0) * (1 - x0 ** 2) + kt * (kappa(x0 + e) * (1 - (x0 + e) ** 2)
                                                    - kappa(x0 - e) * (1 - (x0 - e) ** 2)) / (2 * e)
        slope = (mean_mz(h, kt, a, w, HS, 1e-4, x0) - mean_mz(h, kt, a, w, HS, 0.0, x0)) / 1e-4
        assert slope == pytest.approx(drift, rel=1e-3)


# ----- one spin -----

def _spin_in_field(h, kt, alpha, that):
    alpha = np.asarray(alpha, float)[None]
    sym = 0.5 * (alpha + np.swapaxes(alpha, 1, 2))
    return PinnedSpinModel(g=np.array([[0.0, 0.0, h]]), Q=np.zeros((1, 3, 3)), b_dm=np.zeros(1),
                           that=np.asarray(that, float) / np.linalg.norm(that), alpha=alpha,
                           noise=2 * kt * HS * sym, hbar_s=HS)


DAMPINGS = {"isotropic": (0.5, 0.0, 0.0), "uniaxial": (0.5, 0.0, 0.8), "W +0.5": (0.5, 0.5, 0.0),
            "W -0.5": (0.5, -0.5, 0.0), "all three": (0.3, 0.6, -0.2)}


@pytest.mark.parametrize("name", DAMPINGS)
@pytest.mark.parametrize("that", [(0, 0, 1), (1, 0, 0), (0.6, 0, 0.8)])
def test_spin_in_a_field_follows_the_langevin_function(name, that):
    """<m·h> = coth(x) − 1/x, x = |h|/k_B T, whatever the damping (the W part included), at dt = 0.025 ps."""
    h, kt = 0.5, 0.4
    that = np.asarray(that, float) / np.linalg.norm(that)
    model = _spin_in_field(h, kt, sweeps.tensor(*DAMPINGS[name], that), that)
    mean, err = ensemble(model, 256, 0.025, 800, 40_000, seed=13)
    x = h / kt
    assert abs(mean[0, 2] - (1 / np.tanh(x) - 1 / x)) < 3 * err[0, 2] + 1.5e-3, (mean, err)
    assert np.all(np.abs(mean[0, :2]) < 3 * err[0, :2] + 1.5e-3)


def test_plain_stratonovich_misses_the_equilibrium_with_w_damping():
    """What the noise-induced drift repairs: Eq. (8) read as plain Stratonovich drifts off the Langevin
    function by many standard errors once α has a W part (the project's specification measured 0.449 / 0.292 for 0.379)."""
    that = np.array([0.0, 0.0, 1.0])
    x = 0.5 / 0.4
    for w, side in ((0.5, 1), (-0.5, -1)):
        model = _spin_in_field(0.5, 0.4, sweeps.tensor(0.5, w, 0.0, that), that)
        mean, err = ensemble(model, 128, 0.025, 800, 40_000, seed=13, calculus="stratonovich")
        assert side * (mean[0, 2] - (1 / np.tanh(x) - 1 / x)) > 10 * err[0, 2]


PINNED = {
    "weak SOC, T = 20 K": dict(name="weak-soc", T=20.0, mu_F=0.5),
    "strong SOC, T = 30 K": dict(name="strong-soc", T=30.0, mu_F=-0.8),
    "oblique that, m1; asymmetric leads": dict(name="strong-soc", T=15.0, that=(1, 1, 0), m1=(1, 0, 1), tL=7.0,
                                               tR=12.0),
    "W damping at V = 0 (asymmetric)": dict(name="strong-soc", T=5.0, tR=7.0, eps1=0.3, that=(1, 1, 1)),
}


def _preset(case):
    case = dict(case)
    return dc.preset(case.pop("name"), **case)


@pytest.mark.parametrize("case", PINNED)
def test_pinned_spin_at_zero_bias_is_boltzmann(case):
    """Full model, V = 0: Omega against the quadrature of exp(−E/k_B T) on the sphere, at dt and dt/2."""
    p = _preset(PINNED[case])
    model, c = sweeps.pinned_model(p, [0.0])
    assert abs(c["T_eff_2"][0] - p.T) < 1e-5 * p.T
    exact = mean_orientation(model.g[0], model.Q[0], K_B * p.T)
    first = sweeps.langevin_sweep(p, [0.0], n_realizations=48, seed=4)
    for dt in (None, first.attrs["dt_ps"] / 2):
        ds = first if dt is None else sweeps.langevin_sweep(p, [0.0], n_realizations=48, seed=5, dt=dt)
        for i, x in enumerate("xyz"):
            err = float(ds[f"Omega_{x}_err"][0])
            assert abs(float(ds[f"Omega_{x}"][0]) - exact[i]) < 3 * err + 2e-3, (x, dt, ds[f"Omega_{x}"].values, exact)


@pytest.mark.parametrize("integrator", INTEGRATORS)
@pytest.mark.parametrize("w", [0.5, -0.5])
def test_pinned_spin_with_a_w_part_is_boltzmann(w, integrator):
    """A W part Δ²·a_DM = ±0.5 added to the strong-SOC damping (anisotropic: a^(an) ≠ 0; noise unchanged: W has
    no noise partner), both integrators."""
    p = _preset(PINNED["strong SOC, T = 30 K"])
    model, _ = sweeps.pinned_model(p, [0.0])
    alpha = model.alpha + w * sweeps.tensor(0.0, 1.0, 0.0, model.that)[None]
    with_w = PinnedSpinModel(model.g, model.Q, model.b_dm, model.that, alpha, model.noise, model.hbar_s, kt=model.kt)
    exact = mean_orientation(model.g[0], model.Q[0], K_B * p.T)
    dt, _, _ = sweeps.time_scales(with_w, t_burn=0.0, t_average=0.0)
    for step in (dt, dt / 2):
        mean, err = ensemble(with_w, 96, step, int(40 / step), int(800 / step), seed=6, integrator=integrator)
        assert np.all(np.abs(mean[0] - exact) < 3 * err[0] + 2e-3), (step, mean, err, exact)


# ----- two spins -----

def _sphere_points(n_theta, n_phi):
    """Gauss–Legendre in cos θ times a uniform φ grid: points (k, 3) and weights (sum 4π)."""
    x, w = np.polynomial.legendre.leggauss(n_theta)
    phi = 2 * np.pi * np.arange(n_phi) / n_phi
    cos = np.repeat(x, n_phi)
    sin = np.sqrt(1 - cos ** 2)
    pts = np.column_stack([sin * np.cos(np.tile(phi, n_theta)), sin * np.sin(np.tile(phi, n_theta)), cos])
    return pts, np.repeat(w, n_phi) * 2 * np.pi / n_phi


def two_sphere_dot(spins, kt, n_theta=40, n_phi=80):
    """<m_1·m_2> under exp(−E/k_B T) on S² × S², E = −g·m − ½ m·X·m (X symmetric at V = 0)."""
    g, x = spins.g[0], spins.X[0]
    assert np.abs(x - x.T).max() < 1e-9 * np.abs(x).max(), "the field is not conservative"
    pts, w = _sphere_points(n_theta, n_phi)
    e1 = -pts @ g[:3] - 0.5 * np.einsum("ki,ij,kj->k", pts, x[:3, :3], pts)
    e2 = -pts @ g[3:] - 0.5 * np.einsum("ki,ij,kj->k", pts, x[3:, 3:], pts)
    energy = e1[:, None] + e2[None, :] - pts @ x[:3, 3:] @ pts.T
    weight = w[:, None] * w[None, :] * np.exp(-(energy - energy.min()) / kt)
    return float((weight * (pts @ pts.T)).sum() / weight.sum())


def test_two_sphere_quadrature_is_converged():
    spins = sweeps.dimer_model(dc.preset("weak-soc", T=20.0, mu_F=0.5), [0.0]).spins()
    kt = K_B * 20.0
    assert abs(two_sphere_dot(spins, kt) - two_sphere_dot(spins, kt, 60, 120)) < 1e-9


@pytest.mark.parametrize("integrator", INTEGRATORS)
def test_isotropic_pair_with_nonlocal_damping_is_boltzmann(integrator):
    """E = m_1·m_2 (J = −1 meV), local damping 0.97, nonlocal 0.62, FDT noise at k_B T = 0.4 meV:
    <m_1·m_2> = −(coth(x) − 1/x), x = 2.5 (the specification's synthetic case; plain Stratonovich: ≈ −0.595)."""
    alpha = np.kron(np.array([[0.97, 0.62], [0.62, 0.97]]), np.eye(3))
    x = np.kron(np.array([[0.0, -1.0], [-1.0, 0.0]]), np.eye(3))
    kt = 0.4
    model = SpinModel(g=np.zeros((1, 6)), X=x[None], alpha=alpha[None], noise=2 * kt * HS * alpha[None],
                      kt=np.full((1, 2), kt), hbar_s=HS)
    mean, err = ensemble(model, 128, 0.0125, 2000, 80_000, seed=1, integrator=integrator)
    exact = -(1 / np.tanh(1 / kt) - kt)
    assert abs(mean[0, 6] - exact) < 3 * err[0, 6] + 2e-3, (mean[0, 6], err[0, 6], exact)


@pytest.mark.parametrize("name, integrator", [("weak-soc", "heun"), ("strong-soc", "heun"), ("weak-soc", "midpoint")])
def test_both_spins_free_at_zero_bias_are_boltzmann(name, integrator):
    """The 6×6 problem with nonlocal damping and correlated noise, V = 0, T = 20 K, mu_F = 0.5 meV
    (weak SOC: −0.1007 exact; plain Stratonovich gave −0.064 ± 0.005, the code before the rule −0.082 ± 0.007
    at the default dt and −0.077 at dt/2).  Heun at dt and dt/2, the midpoint rule at the default dt."""
    p = dc.preset(name, T=20.0, mu_F=0.5)
    exact = two_sphere_dot(sweeps.dimer_model(p, [0.0]).spins(), K_B * p.T)
    ds = sweeps.dimer_sweep(p, [0.0], n_realizations=64, seed=3, t_average=400.0, integrator=integrator)
    for dt in (None, ds.attrs["dt_ps"] / 2)[:2 if integrator == "heun" else 1]:
        run = ds if dt is None else sweeps.dimer_sweep(p, [0.0], n_realizations=64, seed=4, t_average=400.0, dt=dt,
                                                       integrator=integrator)
        err = float(run.m1_dot_m2_err[0])
        assert abs(float(run.m1_dot_m2[0]) - exact) < 3 * err + 2e-3, (dt, float(run.m1_dot_m2[0]), err, exact)


@pytest.mark.parametrize("integrator", INTEGRATORS)
def test_stationary_bias_is_first_order(integrator):
    """Bias of <m_1·m_2> in the nonlocal-damping pair at dt = 0.4, 0.2, 0.1 ps: halves with dt (order 1;
    measured: Heun −0.0497, −0.0290, −0.0163, midpoint −0.0326, −0.0172, −0.0092, ± 0.0014)."""
    alpha = np.kron(np.array([[0.97, 0.62], [0.62, 0.97]]), np.eye(3))
    x = np.kron(np.array([[0.0, -1.0], [-1.0, 0.0]]), np.eye(3))
    kt = 0.4
    model = SpinModel(g=np.zeros((1, 6)), X=x[None], alpha=alpha[None], noise=2 * kt * HS * alpha[None],
                      kt=np.full((1, 2), kt), hbar_s=HS)
    exact = -(1 / np.tanh(1 / kt) - kt)
    bias = []
    for dt in (0.4, 0.2, 0.1):
        mean, err = ensemble(model, 384, dt, int(20 / dt), int(800 / dt), seed=12, integrator=integrator)
        assert err[0, 6] < 1.5e-3
        bias.append(mean[0, 6] - exact)
    ratios = np.array(bias[:-1]) / np.array(bias[1:])
    assert np.all(ratios > 1.4) and np.all(ratios < 2.8), (bias, ratios)   # 2 for order 1, 4 for order 2


# ----- defaults converge; the model's limits -----

def test_halving_the_default_dt_moves_no_mean_beyond_its_error():
    """Pinned (weak SOC, at and beyond the 3 mV switch) and both free (V = 2 mV), default times."""
    p = dc.preset("weak-soc", T=4.0)
    V = [2.0, 3.0, 4.0]
    a = sweeps.langevin_sweep(p, V, n_realizations=32, seed=1)
    b = sweeps.langevin_sweep(p, V, n_realizations=32, seed=2, dt=a.attrs["dt_ps"] / 2)
    for x in "xyz":
        err = np.hypot(a[f"Omega_{x}_err"], b[f"Omega_{x}_err"]).values
        assert np.all(np.abs(a[f"Omega_{x}"] - b[f"Omega_{x}"]).values < 3 * err), x
    a = sweeps.dimer_sweep(p, [2.0], n_realizations=32, seed=1, t_average=300.0)
    b = sweeps.dimer_sweep(p, [2.0], n_realizations=32, seed=2, t_average=300.0, dt=a.attrs["dt_ps"] / 2)
    for key in ("m1_dot_m2", "m2_z", "m2_y"):
        err = float(np.hypot(a[f"{key}_err"], b[f"{key}_err"])[0])
        assert abs(float(a[key][0] - b[key][0])) < 3 * err, key


def test_reversed_precession_is_flagged_and_not_integrated():
    """Strong SOC at mu_F = 2 meV, V = 0: Δ²·a_DM_22 = −1.34, so 1 + Δ²·a_DM·(m·that) < 0 on part of the
    sphere: the sweep reports NaN with the reason, a trajectory is refused; a valid bias beside it runs."""
    p = dc.preset("strong-soc", mu_F=2.0)
    w = p.Delta ** 2 * dc.point(p)["a_DM_22"]
    assert w < -1.0
    ds = sweeps.langevin_sweep(p, [0.0, 6.0], n_realizations=4, t_burn=1.0, t_average=20.0)
    assert bool(ds.outside_validity.sel(V=0.0)) and not bool(ds.outside_validity.sel(V=6.0))
    assert np.isnan(float(ds.Omega_z.sel(V=0.0))) and np.isfinite(float(ds.Omega_z.sel(V=6.0)))
    assert "reverses precession" in ds.attrs["validity"] and "V = 0 mV" in ds.attrs["validity"]
    model, _ = sweeps.pinned_model(p, [0.0])
    with pytest.raises(ValueError, match="outside the model's validity"):
        trajectory(model, 0, [1, 0, 0], 0.01, 10)
    fp = sweeps.fp_sweep(p, [0.0, 6.0])
    assert bool(fp.outside_validity.sel(V=0.0)) and not bool(fp.outside_validity.sel(V=6.0))
    dimer = sweeps.dimer_sweep(p, [0.0], n_realizations=2, t_burn=1.0, t_average=5.0)
    assert bool(dimer.outside_validity[0]) and np.isnan(float(dimer.m1_dot_m2[0]))


def test_biases_no_step_can_resolve_are_flagged_and_long_runs_refused():
    """The parameter box found dt collapsing to 7e-8 ps (T_eff = 1.6e7 K at V = −100 mV, a_i_22 ≈ 0; now T_eff_2 is
    NaN there, couplings.T_EFF_LIMIT) and Δ = 0 refused with a message naming no parameter.  Such biases are flagged
    and set no step for the others; an explicit run over sweeps.MAX_RUN_STEPS steps per trajectory is refused
    with its estimate."""
    p = dc.preset("weak-soc")
    assert np.isnan(dc.point(p.updated(V=-100.0))["T_eff_2"])
    both = sweeps.langevin_sweep(p, [-100.0, 2.0], n_realizations=2, seed=1)
    alone = sweeps.langevin_sweep(p, [2.0], n_realizations=2, seed=1)
    assert bool(both.outside_validity.sel(V=-100.0)) and "exceeds 10000 K" in both.attrs["validity"]
    assert both.attrs["dt_ps"] == alone.attrs["dt_ps"] and np.isfinite(float(both.Omega_z.sel(V=2.0)))
    flat = sweeps.langevin_sweep(dc.preset("weak-soc", Delta=0.0, T=5.0), [0.0, 1.0], n_realizations=2)
    assert flat.outside_validity.all() and "no damping" in flat.attrs["validity"]
    dimer = sweeps.dimer_sweep(dc.preset("weak-soc", Delta=0.0, T=5.0), [0.0], n_realizations=2)
    assert bool(dimer.outside_validity[0]) and np.isnan(float(dimer.m1_dot_m2[0]))
    with pytest.raises(ValueError, match=r"t_burn \+ t_average = .* steps per trajectory; allowed: at most 2e\+07"):
        sweeps.langevin_sweep(p, [2.0], n_realizations=2, t_average=1e9)
