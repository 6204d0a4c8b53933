"""Issue 14, switching rates by an independent route: the Fokker–Planck operator of one spin in spherical
harmonics (dimer_core.spins.fp_spectrum, docs/rates.md) against Brown's one-dimensional equation, Boltzmann
statistics by quadrature at V = 0, and Langevin counting (dimer_core.spins.rates) with anisotropic damping and at
V ≠ 0."""
import math

import numpy as np
import pytest

from dimer_core.spins import fp_spectrum
from dimer_core.spins.fp_passage import core_dwells

from dimer_core.spins import rates
from dimer_core.spins.langevin import SpinModel
from dimer_core.spins.modes import stationary_states
from dimer_core.units import HBAR

from .axial_spin import slowest_rate

HS = HBAR * 2.5
T_HAT = np.array([1.0, 0.0, 0.0])


def w_matrix(t):
    """W with W v = v × t."""
    return np.array([[0.0, t[2], -t[1]], [-t[2], 0.0, t[0]], [t[1], -t[0], 0.0]])


def one_spin(Q, h, alpha, kt, torque=0.0, hot=1.0):
    """E = −h·m + m·Q·m (meV) plus the non-conservative field torque·(m × x̂); damping ``alpha`` (3 × 3);
    noise 2·hot·k_BT ħS αˢ and the antisymmetric temperature hot·k_BT (hot = 1, torque = 0: V = 0)."""
    x = -2.0 * np.asarray(Q, float) - torque * np.array([[0.0, 0.0, 0.0], [0.0, 0.0, -1.0], [0.0, 1.0, 0.0]])
    alpha = np.asarray(alpha, float)
    noise = hot * kt * HS * (alpha + alpha.T)
    return SpinModel(g=np.asarray(h, float)[None], X=x[None], alpha=alpha[None], noise=noise[None],
                     kt=np.array([[hot * kt]]), hbar_s=HS)


def uniaxial(sigma, a, w=0.0):
    """E = −m_z² (K = 1 meV), k_BT = 1/σ, damping a·1 + w·W about z."""
    return one_spin(np.diag([0.0, 0.0, -1.0]), np.zeros(3), a * np.eye(3) + w * w_matrix([0.0, 0.0, 1.0]),
                    1.0 / sigma)


def biaxial(sigma, tt=0.6, w=0.15, **kw):
    """E = −m_z² + 0.3 m_x² − 0.1 m_z, damping 0.2 + tt·x̂⊗x̂ + w·W(x̂), k_BT = 1/σ."""
    alpha = 0.2 * np.eye(3) + tt * np.outer(T_HAT, T_HAT) + w * w_matrix(T_HAT)
    return one_spin(np.diag([0.3, 0.0, -1.0]), [0.0, 0.0, 0.1], alpha, 1.0 / sigma, **kw)


UP_DOWN = [[0.0, 0.0, 1.0], [0.0, 0.0, -1.0]]


def test_real_harmonics_are_orthonormal_and_their_gradients_are_the_derivatives():
    grid = fp_spectrum.sphere_grid(14, 27)
    theta = np.arccos(grid.points[:, 2])
    phi = np.arctan2(grid.points[:, 1], grid.points[:, 0])
    s, grad = fp_spectrum.real_harmonics(6, theta, phi, gradient=True)
    assert np.abs((s * grid.weights) @ s.T - np.eye(49)).max() < 1e-13
    # the gradient along a tangent direction u: d/dε S((m + εu)/|m + εu|)
    rng = np.random.default_rng(1)
    u = np.cross(grid.points, rng.normal(size=grid.points.shape))
    eps = 1e-6
    moved = [(grid.points + e * u) / np.linalg.norm(grid.points + e * u, axis=1)[:, None] for e in (eps, -eps)]
    vals = [fp_spectrum.real_harmonics(6, np.arccos(p[:, 2]), np.arctan2(p[:, 1], p[:, 0])) for p in moved]
    assert np.abs((vals[0] - vals[1]) / (2 * eps) - np.einsum("ibp,pi->bp", grad, u)).max() < 1e-6
    assert np.abs(np.einsum("ibp,pi->bp", grad, grid.points)).max() < 1e-12  # tangent


@pytest.mark.parametrize("sigma, a, w", [(3.0, 0.2, 0.0), (5.0, 0.2, 0.0), (8.0, 0.2, 0.0), (4.0, 0.3, 0.5)])
def test_uniaxial_relaxation_is_browns_one_dimensional_eigenvalue(sigma, a, w):
    """E = −K m_z²: λ₁ on the whole sphere equals the slowest rate of Brown's equation for m_z (Legendre,
    tests/axial_spin.py) to 1e-8, with isotropic damping and with a W part about z (noise-induced drift
    c ≠ 0); converged in L (the change from L − 4, the estimate, bounds the error at L = 16); and λ₁/2 relates to the exact mean
    first-passage time core to core T (rates.py) as λ₁T/2 = 0.857, 0.872, 0.936 at σ = 3, 5, 8 → 1."""
    exact = slowest_rate(1.0, 1.0 / sigma, a, w, HS)
    fine = fp_spectrum.spectral_rates(uniaxial(sigma, a, w), 0, UP_DOWN, L=24)
    assert fine.relaxation == pytest.approx(exact, rel=1e-8)
    assert fine.change < 1e-6 and fine.rates.sum() == pytest.approx(exact, rel=1e-8)
    # equal wells: k₁ = k₂ = λ₁/2; with a W part the mobility differs between the hemispheres (1 + w m_z), ψ₁
    # is not odd in m_z and the split leaves 1/2 (k_up/k_down = 1.088; counting: 1.064 ± 0.037)
    if w == 0.0:
        assert fine.rates == pytest.approx([exact / 2] * 2, rel=1e-8)
    else:
        assert 1.06 < fine.rates[0] / fine.rates[1] < 1.12
    coarse = fp_spectrum.spectral_rates(uniaxial(sigma, a, w), 0, UP_DOWN, L=16, tolerance=0.5)
    assert abs(coarse.relaxation / exact - 1.0) <= coarse.change + 1e-10  # the estimate bounds the error
    if w == 0.0:
        ratio = fine.relaxation / 2 * rates.uniaxial_mean_passage_time(1.0, 1.0 / sigma, a, HS, 0.5)
        assert ratio == pytest.approx({3.0: 0.8565, 5.0: 0.8724, 8.0: 0.9361}[sigma], abs=2e-4)


def boltzmann_coefficients(model, energy, kt, L):
    """∫ S_b exp(−E/k_BT) dΩ / Z by a product quadrature finer than the operator's."""
    grid = fp_spectrum.sphere_grid(120, 241)
    s = fp_spectrum.real_harmonics(L, np.arccos(grid.points[:, 2]), np.arctan2(grid.points[:, 1],
                                                                              grid.points[:, 0]))
    e = energy(grid.points)
    p = np.exp(-(e - e.min()) / kt) * grid.weights
    return s @ p / p.sum()


def test_the_stationary_density_at_zero_bias_is_boltzmann_for_anisotropic_damping():
    """Biaxial energy with an oblique field, damping 0.2 + 0.6 t̂⊗t̂ + 0.3 W (t̂ oblique), k_BT = 0.5 meV:
    the null vector of 𝓛ᵀ is exp(−E/k_BT) to 1e-10; plain Stratonovich (no noise-induced drift) is not."""
    t = np.array([1.0, 0.5, 0.3]) / np.linalg.norm([1.0, 0.5, 0.3])
    Q = np.array([[0.3, 0.1, 0.0], [0.1, 0.0, 0.05], [0.0, 0.05, -1.0]])
    h = np.array([0.2, -0.1, 0.15])
    alpha = 0.2 * np.eye(3) + 0.6 * np.outer(t, t) + 0.3 * w_matrix(t)
    kt = 0.5
    model = one_spin(Q, h, alpha, kt)
    L = 20
    exact = boltzmann_coefficients(model, lambda m: -m @ h + np.einsum("pi,ij,pj->p", m, Q, m), kt, L)
    matrix, _ = fp_spectrum.generator_matrix(model, 0, L)
    assert np.abs(matrix.T @ exact).max() < 1e-10 * np.abs(matrix).max()
    assert np.abs(fp_spectrum.stationary_coefficients(matrix) - exact).max() < 1e-10
    plain, _ = fp_spectrum.generator_matrix(model, 0, L, calculus="stratonovich")
    assert np.abs(fp_spectrum.stationary_coefficients(plain) - exact).max() > 1e-3


def test_the_closed_form_noise_induced_drift_is_the_finite_difference_divergence():
    """No field and Θ = 0: the drift F is the noise-induced part ½ K N div Kᵀ of drift.rate (the closed
    form S7 of docs/stochastic.md), and the operator's first-order coefficient F − ½ K N q, q by central
    differences of K(x/|x|), vanishes to 1e-9 of |F| — for anisotropic damping with a W part and anisotropic
    noise (where c ≠ 0)."""
    t = np.array([0.3, -0.5, 0.8]) / np.linalg.norm([0.3, -0.5, 0.8])
    alpha = 0.25 * np.eye(3) + 0.7 * np.outer(t, t) + 0.4 * w_matrix(t)
    noise = np.array([[1.0, 0.2, 0.0], [0.2, 0.5, 0.1], [0.0, 0.1, 0.8]])
    model = SpinModel(g=np.zeros((1, 3)), X=np.zeros((1, 3, 3)), alpha=alpha[None], noise=noise[None],
                      kt=np.zeros((1, 1)), hbar_s=HS)
    points = fp_spectrum.sphere_grid(12, 25).points
    first, _ = fp_spectrum.generator_coefficients(model, 0, points)
    plain, _ = fp_spectrum.generator_coefficients(model, 0, points, calculus="stratonovich")  # F = 0 there
    full = first - plain  # F − ½ K N q  −  (0 − ½ K N q) = F
    assert np.abs(full).max() > 1e-3  # c is not small here
    assert np.abs(first).max() < 1e-9 * np.abs(full).max()


def counting(model, t_total):
    """(Langevin counted rates (2,) 1/ps with 95 % intervals (2, 2) and dwell counts, the spectrum's rates, the
    finite-element core-to-core dwells): cores of 60°, steps of 0.0025 ps, every step labelled."""
    states = [s.m for s in stationary_states(model, 0) if s.stable]
    assert len(states) == 2
    fp = fp_spectrum.spectral_rates(model, 0, states, L=24)
    dwells = core_dwells(model, 0, states, core=math.acos(0.5))
    ds = rates.switching_rates(model, [0.0], [states], dt=0.0025, t_total=t_total, n_trajectories=2,
                               core=math.acos(0.5), every=1)
    counted = 1.0 / ds.dwell.values[0]
    interval = np.stack([1.0 / ds.dwell_high.values[0], 1.0 / ds.dwell_low.values[0]])
    return counted, interval, ds.n_dwells.values[0], fp, dwells


def check_counting(counted, interval, n, fp, dwells, least=250, step=0.03):
    """Counting converges to the core-to-core rates 1/τ_i of the finite-element generator: each within its 95 %
    interval (± ``step`` for the time step's bias: at 0.01 ps counting read 5.5 % low against 0.0025 ps, measured
    on the biaxial spin); the spectrum's populations are the fractions of time τ_i/(τ_1 + τ_2) each basin holds
    (the two-state reduction, to O(λ₁/λ₂): 1e-3 here).  The escape rates k_i of the spectrum are not 1/τ_i at a
    finite barrier (k_i τ_i = 0.83, 0.80 for the biaxial spins, 1.02 for the junction's: docs/rates.md)."""
    assert n.min() > least
    for i in range(2):
        assert interval[0, i] * (1 - step) <= dwells.rates[i] <= interval[1, i] * (1 + step), (counted, dwells.rates)
    np.testing.assert_allclose(fp.populations, dwells.dwell / dwells.dwell.sum(), atol=3e-3)
    # the ratio of the two rates: within 3 standard errors of the counted ratio
    ratio, spread = counted[1] / counted[0], counted[1] / counted[0] * math.sqrt(1.0 / n[0] + 1.0 / n[1])
    assert abs(dwells.rates[1] / dwells.rates[0] - ratio) < 3.0 * spread, (counted, dwells.rates)


def test_anisotropic_damping_rates_agree_with_langevin_counting():
    """Biaxial energy with a field along z at σ = 3.5 (barriers 3.9 and 3.2 k_BT), damping 0.2 + 0.6 x̂⊗x̂ +
    0.15 W(x̂): FP rates 9.31 and 16.5 /ns (isotropic 0.2 alone: half as fast) against counting, 2 × 40 ns."""
    counted, interval, n, fp, dwells = counting(biaxial(3.5), 2e4)
    check_counting(counted, interval, n, fp, dwells)
    isotropic = fp_spectrum.spectral_rates(biaxial(3.5, tt=0.0, w=0.0), 0, UP_DOWN, L=24)
    assert fp.relaxation > 1.7 * isotropic.relaxation  # the damping's anisotropy matters: the test sees it


def test_out_of_equilibrium_rates_agree_with_langevin_counting():
    """The same spin with a non-conservative field 0.15 meV·(m × x̂) and noise 1.3 × hotter than the damping's
    fluctuation–dissipation partner (k_BT = 1/4.5 meV, T_eff = 1.3 T): the stable states tilt off z; FP rates
    against counting, 2 × 40 ns."""
    model = biaxial(4.5, torque=0.15, hot=1.3)
    counted, interval, n, fp, dwells = counting(model, 2e4)
    check_counting(counted, interval, n, fp, dwells)
    without = fp_spectrum.spectral_rates(biaxial(4.5, hot=1.3), 0, UP_DOWN, L=24)
    assert abs(fp.relaxation / without.relaxation - 1.0) > 0.05  # the torque moves the rates


def test_the_pinned_spin_of_the_junction_at_3_mv_agrees_with_langevin_counting():
    """The model's own spin 2 (weak SOC, m_1 pinned, K_easy = 4 meV, 5 K) at 3 mV: couplings out of
    equilibrium (T_eff, the self-DMI torque, W damping); FP rates 6.6 and 8.4 /ns against counting (2 × 30 ns
    at the default step, the same stable states)."""
    from dimer_core import preset
    from dimer_core.studies import sweeps

    p = preset("weak-soc", T=5.0, K_easy=4.0)
    fp = sweeps.spectral_rates_sweep(p, [3.0], L=24)
    ds = sweeps.rates_sweep(p, [3.0], spins="pinned", t_total=3e4, n_trajectories=2)
    assert np.allclose(fp.m.values, ds.m.values[:, :2])
    model, _ = sweeps.pinned_model(p, [3.0])
    dwells = core_dwells(model.spins(), 0, fp.m.values[0], core=0.5)  # the cores rates_sweep counts with
    result = fp_spectrum.SpectralRates(relaxation=float(fp.relaxation[0]), rates=1e-3 * fp.rate.values[0],
                                       populations=fp.population.values[0], next_rate=math.nan,
                                       change=float(fp.convergence[0]), L=24, pad=12)
    counted = ds.rate.values[0, :2]
    interval = np.stack([1e3 / ds.dwell_high.values[0, :2], 1e3 / ds.dwell_low.values[0, :2]])
    check_counting(1e-3 * counted, 1e-3 * interval, ds.n_dwells.values[0, :2], result, dwells, least=200)


def test_refusals():
    with pytest.raises(ValueError, match="too small"):
        fp_spectrum.spectral_rates(uniaxial(8.0, 0.2), 0, UP_DOWN, L=10)
    with pytest.raises(ValueError, match="isolated"):  # one well: a strong field along z
        fp_spectrum.spectral_rates(one_spin(np.zeros((3, 3)), [0.0, 0.0, 1.0], 0.2 * np.eye(3), 0.5), 0, UP_DOWN,
                                   L=12)
    with pytest.raises(ValueError, match="GiB"):
        fp_spectrum.spectral_rates(uniaxial(3.0, 0.2), 0, UP_DOWN, L=80)
    pair = SpinModel(g=np.zeros((1, 6)), X=np.zeros((1, 6, 6)), alpha=(0.2 * np.eye(6))[None],
                     noise=np.zeros((1, 6, 6)), kt=np.zeros((1, 2)), hbar_s=HS)
    with pytest.raises(ValueError, match="one free spin"):
        fp_spectrum.spectral_rates(pair, 0, UP_DOWN, L=12)
    with pytest.raises(ValueError, match="L = "):
        fp_spectrum.spectral_rates(uniaxial(3.0, 0.2), 0, UP_DOWN, L=2.5)
    with pytest.raises(ValueError, match="validity"):  # |ω| >= 1: the W part reverses precession
        fp_spectrum.spectral_rates(uniaxial(3.0, 0.2, w=1.2), 0, UP_DOWN, L=12)


def test_rates_command_fp_method_writes_rates_and_refuses_two_spins(tmp_path, capsys):
    """Spin 2 of weak SOC with m_1 pinned, K_easy = 4 meV, 5 K: bistable at 3 mV (rates ~ 7 /ns each, whose
    stationary balance n₁k₁ = n₂k₂ holds); the default method for --spins pinned is fp; both spins are refused."""
    import pandas as pd

    from dimer_core import cli

    out = tmp_path / "fp.csv"
    assert cli.main(["rates", "--T", "5", "--K_easy", "4", "--V", "3:3:1", "--spins", "pinned", "--L", "24",
                     "--out", str(out)]) == 0
    table = pd.read_csv(out)
    assert list(table.columns) == ["V", "basin", "rate", "dwell", "population", "relaxation", "convergence",
                                   "rate_counting", "rate_conservative", "rate_langer", "barrier",
                                   "dimer_core_version"]
    # the core-to-core rates are close to the escape rates at this barrier (k_i τ_i = 1.02) but not equal
    assert np.allclose(table.rate_counting, table.rate, rtol=0.1) and not np.allclose(table.rate_counting, table.rate)
    assert (table.barrier > 0).all() and (table.rate_langer > 0).all()
    assert len(table) == 2 and (table.rate > 1.0).all() and (table.rate < 100.0).all()
    assert np.allclose(table.rate.sum(), table.relaxation) and np.allclose(table.dwell, 1e3 / table.rate)
    assert table.population.sum() == pytest.approx(1.0)
    assert table.population[0] * table.rate[0] == pytest.approx(table.population[1] * table.rate[1])
    assert (table.convergence < 1e-3).all()
    capsys.readouterr()
    assert cli.main(["rates", "--method", "fp", "--spins", "both", "--out", str(tmp_path / "x.csv")]) == 2
    assert "--spins pinned" in capsys.readouterr().err
