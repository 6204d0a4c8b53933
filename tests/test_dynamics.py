"""Spin dynamics: deterministic LLG limits, Boltzmann statistics, convergence in dt,
the paper's facts 8–9, the Fig. 3 torque split, the both-free dimer, bad input."""
import numpy as np
import pytest

import dimer_core as dc
from dimer_core.studies import sweeps
from dimer_core.spins.integrators import INTEGRATORS
from dimer_core.spins.langevin import DimerSpinModel, PinnedSpinModel, ensemble, trajectory
from dimer_core.progress import Cancelled
from dimer_core.spins.pinned import mean_orientation
from dimer_core.units import HBAR

HS = HBAR * 2.5


def single_spin(h, alpha, kt=0.0, Q=None, nb=1, that=(1.0, 0.0, 0.0)):
    """A free spin in field h with isotropic damping and noise obeying fluctuation–dissipation."""
    Q = np.zeros((3, 3)) if Q is None else np.asarray(Q, float)
    return PinnedSpinModel(g=np.tile(np.asarray(h, float), (nb, 1)), Q=np.tile(Q, (nb, 1, 1)), b_dm=np.zeros(nb),
                           that=np.asarray(that, float), alpha=np.tile(alpha * np.eye(3), (nb, 1, 1)),
                           noise=np.tile(2 * kt * HS * alpha * np.eye(3), (nb, 1, 1)), hbar_s=HS)


@pytest.mark.parametrize("integrator", INTEGRATORS)
def test_precession_and_damping_are_the_analytic_llg(integrator):
    h, a, theta0 = 1.3, 0.07, 1.1
    t, m = trajectory(single_spin([0, 0, h], a), 0, [np.sin(theta0), 0, np.cos(theta0)], 1e-3, 30000, every=50,
                      integrator=integrator)
    theta = np.arccos(m[:, 2])
    rate = h / (HS * (1 + a * a))
    np.testing.assert_allclose(theta, 2 * np.arctan(np.tan(theta0 / 2) * np.exp(-a * rate * t)), atol=1e-6)
    phi = np.unwrap(np.arctan2(m[:, 1], m[:, 0]))
    np.testing.assert_allclose(phi, -rate * t, atol=1e-5)  # ħS ṁ = m × h: clockwise about +h


@pytest.mark.parametrize("integrator", INTEGRATORS)
def test_unit_length_is_kept_in_long_noisy_runs(integrator):
    """Heun renormalises each stage; the midpoint rule never does (each step a rotation): |m_a| − 1 stays at
    rounding over 10⁶ noisy steps of one spin and 2·10⁵ of a coupled pair with nonlocal damping."""
    _, m = trajectory(single_spin([0.2, 0, 1.0], 0.3, kt=0.8), 0, [1, 0, 0], 0.01, 1_000_000, every=997,
                      integrator=integrator)
    assert np.abs(np.linalg.norm(m, axis=1) - 1).max() < 1e-12
    x6 = np.zeros((1, 6, 6))
    x6[0, :3, 3:] = x6[0, 3:, :3] = np.eye(3)
    alpha = np.kron(np.array([[0.5, 0.3], [0.3, 0.5]]), np.eye(3))[None]
    pair = DimerSpinModel(g=np.array([[0, 0, 0.5, 0.2, 0, 0]]), Q0=np.diag([0.0, 0.0, -0.3]), X=x6, alpha=alpha,
                          noise=2 * 0.8 * HS * alpha, hbar_s=HS)
    _, m = trajectory(pair, 0, [1, 0, 0, 0, 1, 0], 0.01, 200_000, every=997, integrator=integrator)
    assert np.abs(np.linalg.norm(m.reshape(-1, 2, 3), axis=-1) - 1).max() < 1e-12


@pytest.mark.parametrize("x", [0.5, 2.0, 6.0])
def test_zeeman_average_is_the_langevin_function(x):
    h, kt = 1.0, 1.0 / x
    om, err = ensemble(single_spin([0, 0, h], 0.5, kt), 64, 0.01, 2000, 100_000, seed=7)
    expected = 1 / np.tanh(x) - 1 / x
    assert abs(om[0, 2] - expected) < 4 * err[0, 2] + 2e-3
    assert np.all(np.abs(om[0, :2]) < 4 * err[0, :2] + 2e-3)


def test_angle_histogram_is_boltzmann():
    h, kt, Q = 1.0, 0.6, np.diag([0.0, 0.0, -0.5])  # field plus easy axis along z
    model = single_spin([0, 0, h], 0.5, kt, Q=Q)
    t, m = trajectory(model, 0, [0, 0, 1], 0.01, 2_000_000, every=20, seed=11)
    cos = m[5000:, 2]
    edges = np.linspace(-1, 1, 21)
    counts, _ = np.histogram(cos, edges)
    energy = lambda c: -h * c - 0.5 * c * c   # noqa: E731
    c = np.linspace(-1, 1, 20001)
    weight = np.exp(-(energy(c) - energy(c).min()) / kt)  # P(cos θ) ∝ exp(−E/kT) (the sin θ is dcos θ)
    expected = np.array([np.trapezoid(weight[(c >= a) & (c <= b)], c[(c >= a) & (c <= b)]) for a, b in zip(edges[:-1], edges[1:])])
    expected *= counts.sum() / expected.sum()
    # samples are correlated: compare shapes with a tolerance well below any factor-of-2 error
    np.testing.assert_allclose(counts / counts.sum(), expected / expected.sum(), atol=0.012)


def test_langevin_equals_fokker_planck_for_a_pinned_dimer_energy():
    p = dc.preset("weak-soc", V=3.0)
    model, c = sweeps.pinned_model(p, [3.0])
    kt = dc.units.K_B * c["T_eff_2"][0]
    a = float(c["a_i_22"][0]) * p.Delta ** 2
    iso = PinnedSpinModel(model.g, model.Q, np.zeros(1), model.that, a * np.eye(3)[None],
                          2 * kt * HS * a * np.eye(3)[None], HS)
    om, err = ensemble(iso, 64, 0.005, 4000, 200_000, seed=5)
    fp = mean_orientation(model.g[0], model.Q[0], kt)
    assert np.all(np.abs(om[0] - fp) < 4 * err[0] + 3e-3)


def test_halving_dt_changes_omega_less_than_its_error():
    p = dc.preset("weak-soc")
    V = [-3.5, 2.0]
    a = sweeps.langevin_sweep(p, V, n_realizations=16, t_burn=50, t_average=800, seed=1)
    b = sweeps.langevin_sweep(p, V, n_realizations=16, t_burn=50, t_average=800, seed=2, dt=a.attrs["dt_ps"] / 2)
    for x in "xyz":
        err = np.hypot(a[f"Omega_{x}_err"], b[f"Omega_{x}_err"]).values
        assert np.all(np.abs(a[f"Omega_{x}"] - b[f"Omega_{x}"]).values < 4 * err + 2e-3)


def test_weak_error_falls_at_first_order():
    """Heun with renormalisation: the stationary bias of <m_z> is O(dt) (weak order 1)."""
    Q = np.diag([1.0, 0.0, 0.0])
    model = single_spin([0, 0.3, 2.0], 0.5, 1.0, Q=Q)
    exact = mean_orientation(model.g[0], model.Q[0], 1.0)[2]
    bias = []
    for dt in (0.2, 0.1, 0.05):
        om, err = ensemble(model, 256, dt, int(20 / dt), int(4000 / dt), seed=3)
        assert err[0, 2] < 2e-3
        bias.append(om[0, 2] - exact)
    ratios = np.array(bias[:-1]) / np.array(bias[1:])
    assert np.all(ratios > 1.4) and np.all(ratios < 2.8), (bias, ratios)  # 2 for order 1, 4 for order 2


@pytest.mark.parametrize("integrator", INTEGRATORS)
def test_reproducible_seeds(integrator):
    model = single_spin([0, 0, 1.0], 0.3, 0.5, nb=2)
    a = ensemble(model, 8, 0.01, 10, 3000, seed=42, integrator=integrator)
    b = ensemble(model, 8, 0.01, 10, 3000, seed=42, integrator=integrator)
    c = ensemble(model, 8, 0.01, 10, 3000, seed=43, integrator=integrator)
    np.testing.assert_array_equal(a[0], b[0])
    assert np.abs(a[0] - c[0]).max() > 0
    other = [i for i in INTEGRATORS if i != integrator][0]
    assert np.abs(a[0] - ensemble(model, 8, 0.01, 10, 3000, seed=42, integrator=other)[0]).max() > 0


def test_progress_and_cancellation():
    model = single_spin([0, 0, 1.0], 0.3, 0.5)
    seen = []
    ensemble(model, 4, 0.01, 100, 1000, progress=lambda f, msg: seen.append(f))
    assert seen == sorted(seen) and seen[-1] == 1.0 and len(seen) > 10
    calls = []

    def cancel():
        calls.append(1)
        return len(calls) > 3

    with pytest.raises(Cancelled):
        ensemble(model, 4, 0.01, 100, 1000, cancel=cancel)


@pytest.fixture(scope="module")
def weak_fp():
    return sweeps.fp_sweep(dc.preset("weak-soc"), np.linspace(-5, 5, 41))


@pytest.fixture(scope="module")
def strong_fp():
    return sweeps.fp_sweep(dc.preset("strong-soc"), np.linspace(-5, 5, 41))


def test_fact8_weak_soc_switching(weak_fp):
    ds = weak_fp
    low = np.abs(ds.V) < 2.6
    high = (np.abs(ds.V) > 3.4) & (np.abs(ds.V) < 4.6)
    assert np.all(ds.Omega_z[low] < -0.8)
    assert np.all(ds.Omega_z[high] > 0.7)
    iy_pos = int(np.argmax(ds.Omega_y.values))
    iy_neg = int(np.argmin(ds.Omega_y.values))
    assert 2.5 <= float(ds.V[iy_pos]) <= 3.5 and -3.5 <= float(ds.V[iy_neg]) <= -2.5
    assert float(ds.Omega_y.max()) > 0.3 and float(ds.Omega_y.min()) < -0.3
    np.testing.assert_allclose(ds.Omega_y.values, -ds.Omega_y.values[::-1], atol=1e-9)   # odd in V
    np.testing.assert_allclose(ds.Omega_z.values, ds.Omega_z.values[::-1], atol=1e-9)    # even in V


def test_fact9_strong_soc_orthogonal_no_parallel_state(strong_fp):
    ds = strong_fp
    assert float(ds.Omega_z.sel(V=0.0)) < -0.99                     # antiparallel at V = 0
    assert float(ds.Omega_z.max()) < 0.4                            # no parallel state
    side = np.abs(ds.V) >= 2.5
    assert np.all(np.abs(ds.Omega_y[side]) > 0.6)                   # orthogonal to m_1 = z ...
    assert np.all(np.sign(ds.Omega_y[side]) == np.sign(ds.V[side]))  # ... along ±y for ±V


SHORT_V = [-4.0, -3.0, -1.5, 0.0, 1.5, 3.0, 4.0]


@pytest.mark.parametrize("terms", ["paper", "full"])
def test_fact8_in_a_short_langevin_sweep(terms):
    w = sweeps.langevin_sweep(dc.preset("weak-soc"), SHORT_V, n_realizations=8, t_burn=40, t_average=400, seed=3,
                              terms=terms)
    assert np.all(w.Omega_z.sel(V=[-1.5, 0.0, 1.5]) < -0.85)
    assert np.all(w.Omega_z.sel(V=[-4.0, 4.0]) > 0.7)
    assert float(w.Omega_y.sel(V=3.0)) > 0.25 and float(w.Omega_y.sel(V=-3.0)) < -0.25


def test_fact9_in_a_short_langevin_sweep_and_the_self_dmi_result():
    """With the paper's terms the Langevin spin lies along ±y (Fig. 5) and agrees with
    Fokker–Planck; the self DMI-like torque (ΔS)²·chi22_DM·m × (m × that), kept in the
    full model, pulls it back toward m_1: a parallel component appears (docs/physics.md)."""
    s = sweeps.langevin_sweep(dc.preset("strong-soc"), SHORT_V, n_realizations=8, t_burn=40, t_average=400,
                              seed=3, terms="paper")
    assert float(s.Omega_z.sel(V=0.0)) < -0.95 and float(s.Omega_z.max()) < 0.35
    assert float(s.Omega_y.sel(V=3.0)) > 0.7 and float(s.Omega_y.sel(V=-3.0)) < -0.7
    np.testing.assert_allclose(s.Omega_y, s.FP_Omega_y, atol=0.06)
    full = sweeps.langevin_sweep(dc.preset("strong-soc"), SHORT_V, n_realizations=8, t_burn=40, t_average=400,
                                 seed=3)
    assert float(full.Omega_z.sel(V=0.0)) < -0.95
    assert np.all(full.Omega_z.sel(V=[-4.0, -3.0, 3.0, 4.0]) > 0.35)
    assert np.all(full.Omega_z.sel(V=[3.0, 4.0]) - full.FP_Omega_z.sel(V=[3.0, 4.0]) > 0.3)


def test_torques_sum_to_the_rate():
    p = dc.preset("strong-soc", V=3.0)
    ds = sweeps.reversal_path(p, noise=False, t_total=30.0)
    m = np.column_stack([ds[f"m_{x}"].values for x in "xyz"])
    mdot = np.gradient(m, ds.t.values, axis=0)
    parts = ("exchange", "anisotropy", "DMI", "field", "damping_i", "damping_an", "damping_DM")
    total = sum(np.column_stack([ds[f"{k}_{x}"].values for x in "xyz"]) for k in parts)
    inner = slice(5, -5)
    np.testing.assert_allclose(total[inner], mdot[inner], atol=2e-3 * np.abs(mdot).max())
    assert np.abs(np.column_stack([ds[f"DMI_{x}"] for x in "xyz"])).max() > 0


def test_isotropic_dimer_is_boltzmann():
    """Both spins free, E = −J' m_1·m_2 with FDT noise: <m_1·m_2> = coth(x) − 1/x, x = J'/kT."""
    jp, kt, a = 1.0, 0.5, 0.4
    x6 = np.zeros((1, 6, 6))
    x6[0, :3, 3:] = x6[0, 3:, :3] = jp * np.eye(3)
    model = DimerSpinModel(g=np.zeros((1, 6)), Q0=np.zeros((3, 3)), X=x6, alpha=a * np.eye(6)[None],
                           noise=2 * kt * HS * a * np.eye(6)[None], hbar_s=HS)
    mean, err = ensemble(model, 32, 0.01, 2000, 100_000, seed=9)
    x = jp / kt
    assert abs(mean[0, 6] - (1 / np.tanh(x) - 1 / x)) < 4 * err[0, 6] + 3e-3


def test_dimer_sweep_runs_and_is_antiparallel_at_low_bias():
    ds = sweeps.dimer_sweep(dc.preset("weak-soc"), [0.5, 4.0], n_realizations=8, t_burn=30, t_average=300, seed=2)
    assert float(ds.m1_dot_m2.sel(V=0.5)) < -0.8
    assert float(ds.m1_dot_m2.sel(V=4.0)) > float(ds.m1_dot_m2.sel(V=0.5))
    assert np.all(np.isfinite(ds.m1_dot_m2_err))


def test_fp_flags_energy_injection():
    ds = sweeps.fp_sweep(dc.preset("weak-soc", mu_F=-2.0), [4.0, 0.5])
    assert bool(ds.energy_injection.sel(V=4.0)) and float(ds.T_eff_2.sel(V=4.0)) < 0
    assert np.all(np.isfinite(ds.Omega_z))


def test_bad_input_names_the_parameter():
    model = single_spin([0, 0, 1.0], 0.3, 0.5)
    with pytest.raises(ValueError, match="dt"):
        ensemble(model, 4, 0.0, 10, 10)
    with pytest.raises(ValueError, match="n_realizations"):
        ensemble(model, 1, 0.01, 10, 10)
    with pytest.raises(ValueError, match="would not fit in memory"):
        ensemble(single_spin([0, 0, 1.0], 0.3, 0.5, nb=10_000), 100_000, 0.01, 1, 1)
    with pytest.raises(ValueError, match="would not fit in memory"):
        trajectory(model, 0, [0, 0, 1], 0.01, 10 ** 12)
    with pytest.raises(ValueError, match="m1 = .* zero length"):
        dc.preset("weak-soc", m1=(0, 0, 0))
    with pytest.raises(ValueError, match="K_easy = -1"):
        dc.preset("weak-soc", K_easy=-1)
    bad = PinnedSpinModel(model.g, model.Q, model.b_dm, model.that, model.alpha, -np.eye(3)[None], HS)
    with pytest.raises(ValueError, match="noise"):
        ensemble(bad, 4, 0.01, 10, 10)


def test_an_unknown_integrator_is_refused_by_every_entry_naming_the_allowed_ones():
    model = single_spin([0, 0, 1.0], 0.3, 0.5)
    p = dc.preset("weak-soc")
    calls = [lambda: ensemble(model, 4, 0.01, 10, 10, integrator="euler"),
             lambda: trajectory(model, 0, [0, 0, 1], 0.01, 10, integrator="euler"),
             lambda: sweeps.langevin_sweep(p, [1.0], n_realizations=2, integrator="euler"),
             lambda: sweeps.dimer_sweep(p, [1.0], n_realizations=2, integrator="euler"),
             lambda: sweeps.reversal_path(p, integrator="euler"),
             lambda: sweeps.rates_sweep(p, [1.0], integrator="euler"),
             lambda: sweeps.telegraph(p, 1.0, 10.0, integrator="euler"),
             lambda: sweeps.estimate_seconds(sweeps.dimer_sweep, p, [1.0], integrator="euler")]
    for call in calls:
        with pytest.raises(ValueError, match="integrator = 'euler' is not known; allowed: heun, midpoint"):
            call()


def test_the_sweeps_record_the_integrator_and_run_it():
    p = dc.preset("weak-soc")
    short = dict(n_realizations=2, t_burn=1.0, t_average=5.0, seed=1)
    heun = sweeps.langevin_sweep(p, [1.0], **short)
    mid = sweeps.langevin_sweep(p, [1.0], integrator="midpoint", **short)
    assert heun.attrs["integrator"] == "heun" and mid.attrs["integrator"] == "midpoint"
    assert float(abs(heun.Omega_x - mid.Omega_x).max()) > 0
    dimer = sweeps.dimer_sweep(p, [1.0], integrator="midpoint", **short)
    assert dimer.attrs["integrator"] == "midpoint" and np.isfinite(float(dimer.m1_dot_m2[0]))
    estimate = sweeps.estimate_seconds(sweeps.dimer_sweep, p, [1.0], n_realizations=2, t_burn=1.0, t_average=5.0,
                                       integrator="midpoint")
    assert 0 < estimate < 60
    path = sweeps.reversal_path(p.updated(V=1.0), t_total=5.0, integrator="midpoint")
    assert path.attrs["integrator"] == "midpoint"
    assert np.abs(np.hypot(np.hypot(path.m_x, path.m_y), path.m_z) - 1).max() < 1e-12
