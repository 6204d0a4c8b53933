"""Issue 14, linear modes (ESR/FMR): dimer_core.spins.modes against analytic spins and against Langevin spectra."""
import numpy as np
import pytest
from scipy.optimize import curve_fit
from scipy.signal import welch

import dimer_core as dc
from dimer_core.spins import modes
from dimer_core.studies import sweeps
from dimer_core.spins.langevin import SpinModel, trajectory
from dimer_core.units import HBAR, K_B

HS = HBAR * 2.5  # ħS (meV·ps)


def _w(that):
    """W with W·v = v × that."""
    t = np.asarray(that, float)
    return np.array([[0.0, t[2], -t[1]], [-t[2], 0.0, t[0]], [t[1], -t[0], 0.0]])


def single_spin(h=2.0, k_easy=0.5, alpha=None, kt=0.0, axis=(0.0, 0.0, 1.0)):
    """One spin, E = −h m·e − K (m·e)²: B = h e + 2K (m·e) e, so g = h e and X = 2K e eᵀ."""
    e = np.asarray(axis, float) / np.linalg.norm(axis)
    alpha = 0.05 * np.eye(3) if alpha is None else np.asarray(alpha, float)
    sym = 0.5 * (alpha + alpha.T)
    return SpinModel(g=(h * e)[None], X=(2 * k_easy * np.outer(e, e))[None], alpha=alpha[None],
                     noise=(2 * kt * HS * sym)[None], kt=np.array([[kt]]), hbar_s=HS)


@pytest.mark.parametrize("alpha", [0.0, 0.05, 0.4])
def test_isotropic_damping_gives_kittel_frequency_and_linewidth(alpha):
    """Easy axis along the field: ω = (h + 2K)/(ħS(1 + α²)), Γ = αω; f = ω/2π, FWHM = Γ/π (GHz)."""
    h, k = 2.0, 0.5
    spins = single_spin(h, k, alpha * np.eye(3))
    state = modes.state_at(spins, 0, [0.1, 0.0, 1.0])
    np.testing.assert_allclose(state.m, [0.0, 0.0, 1.0], atol=1e-12)
    omega = (h + 2 * k) / (HS * (1 + alpha ** 2))
    assert state.frequency[0] == pytest.approx(omega * 1e3 / (2 * np.pi), rel=1e-10)
    assert state.linewidth[0] == pytest.approx(alpha * omega * 1e3 / np.pi, rel=1e-10, abs=1e-9)
    assert state.stable == (alpha > 0)


def test_uniaxial_damping_across_the_precession_plane():
    """α = a·1 + a_an x̂x̂ with the spin along z: the linearised LLG (derived by hand, module docstring of
    docs/modes.md) has tr = −(2a + a_an)/d, det = 1/d with d = 1 + a(a + a_an), in units of ω0 = (h + 2K)/ħS."""
    h, k, a, an = 1.0, 0.3, 0.07, 0.2
    spins = single_spin(h, k, a * np.eye(3) + an * np.diag([1.0, 0.0, 0.0]))
    state = modes.state_at(spins, 0, [0.0, 0.1, 1.0])
    w0, d = (h + 2 * k) / HS, 1 + a * (a + an)
    gamma = w0 * (2 * a + an) / (2 * d)
    omega = w0 * np.sqrt(1 / d - (2 * a + an) ** 2 / (4 * d * d))
    assert state.frequency[0] == pytest.approx(omega * 1e3 / (2 * np.pi), rel=1e-10)
    assert state.linewidth[0] == pytest.approx(gamma * 1e3 / np.pi, rel=1e-10)


@pytest.mark.parametrize("w", [-0.5, 0.3])
def test_w_damping_renormalises_the_precession(w):
    """α = a·1 + w·W about t̂ = z, spin along ±z: ħS(1 + w m·t̂)ṁ = m × B − ħS a m × ṁ, an LLG with
    ħS' = ħS(1 + w c) and α' = a/(1 + w c), c = m·t̂ = ±1 (docs/physics.md, "The effective stochastic LLG": the W part)."""
    a = 0.1
    for up in (True, False):
        h = 2.0 if up else -2.0  # the field holds the spin along +z or −z
        spins = single_spin(h, 0.0, a * np.eye(3) + w * _w([0, 0, 1]))
        state = modes.state_at(spins, 0, [0.05, 0.0, 1.0 if up else -1.0])
        c = 1.0 if up else -1.0
        hs, al = HS * (1 + w * c), a / (1 + w * c)
        omega = 2.0 / (hs * (1 + al ** 2))
        assert state.frequency[0] == pytest.approx(omega * 1e3 / (2 * np.pi), rel=1e-10)
        assert state.linewidth[0] == pytest.approx(al * omega * 1e3 / np.pi, rel=1e-10)


def test_an_energy_maximum_is_an_unstable_state_and_a_driven_state_has_negative_linewidth():
    """Spin against the field: both eigenvalues have Re λ = +αω (a spiral source); a negative isotropic
    damping (energy injection, T_eff < 0) makes the ground state grow: linewidth −|α|·ω/π."""
    spins = single_spin(2.0, 0.0, 0.05 * np.eye(3))
    top = modes.state_at(spins, 0, [0.01, 0.0, -1.0])
    assert not top.stable and top.linewidth[0] < 0
    driven = modes.state_at(single_spin(2.0, 0.0, -0.05 * np.eye(3)), 0, [0.01, 0.0, 1.0])
    omega = 2.0 / (HS * (1 + 0.05 ** 2))
    assert not driven.stable and driven.linewidth[0] == pytest.approx(-0.05 * omega * 1e3 / np.pi, rel=1e-10)


def test_absorption_is_a_lorentzian_at_the_mode_and_positive_for_a_passive_spin():
    """Im χ(f) of an rf field across the spin peaks at the mode frequency with FWHM = the linewidth
    (to O(α²)), is positive for damping > 0 and changes sign for a driven spin (gain)."""
    spins = single_spin(2.0, 0.5, 0.01 * np.eye(3))
    state = modes.state_at(spins, 0, [0.0, 0.0, 1.0])
    f = np.linspace(0.8, 1.2, 4001) * state.frequency[0]
    chi = modes.susceptibility(spins, 0, state, f, axis=(1.0, 0.0, 0.0))
    assert np.all(chi.imag > 0)
    peak = f[np.argmax(chi.imag)]
    assert peak == pytest.approx(state.frequency[0], rel=1e-3)
    half = f[chi.imag > 0.5 * chi.imag.max()]
    assert half[-1] - half[0] == pytest.approx(state.linewidth[0], rel=2e-2)
    along = modes.susceptibility(spins, 0, state, f, axis=(0.0, 0.0, 1.0))
    assert np.abs(along).max() < 1e-12 * np.abs(chi).max()  # a field along m exerts no torque
    driven = single_spin(2.0, 0.5, -0.01 * np.eye(3))
    gain = modes.susceptibility(driven, 0, modes.state_at(driven, 0, [0.0, 0.0, 1.0]), f, axis=(1.0, 0.0, 0.0))
    assert np.all(gain.imag < 0)


def _lorentzian(f, amp, f0, width, floor):
    return amp / ((f - f0) ** 2 + (0.5 * width) ** 2) + floor


def test_modes_match_the_power_spectrum_of_langevin_runs_at_small_noise():
    """Full damping tensor (isotropic, uniaxial about an oblique t̂ and a W part) at k_B T = 0.02 meV
    (precession cone ~0.1 rad): the spectrum of a transverse component of m(t) from the stochastic LLG is
    a Lorentzian at the mode's frequency with its linewidth (fitted within 2 % and 10 %)."""
    that = np.array([1.0, 0.0, 1.0]) / np.sqrt(2.0)
    alpha = 0.04 * np.eye(3) + 0.03 * np.outer(that, that) + 0.2 * _w(that)
    spins = single_spin(2.0, 0.5, alpha, kt=0.02)
    state = modes.state_at(spins, 0, [0.0, 0.0, 1.0])
    dt, every = 0.02, 5
    _, m = trajectory(spins, 0, [0.0, 0.0, 1.0], dt, 1_600_000, every=every, seed=3)
    fs = 1e3 / (dt * every)  # GHz
    f, psd = welch(m[2000:, 0], fs=fs, nperseg=4096)
    f0, width = state.frequency[0], state.linewidth[0]
    near = (f > f0 - 2.5 * width) & (f < f0 + 2.5 * width)
    popt, _ = curve_fit(_lorentzian, f[near], psd[near], p0=[psd[near].max() * width ** 2 / 4, f0, width, 0.0])
    assert popt[1] == pytest.approx(f0, rel=0.02)
    assert abs(popt[2]) == pytest.approx(width, rel=0.10)


def test_mode_sweep_of_the_pinned_dimer_follows_its_states_through_the_switch():
    """Weak SOC, paper's defaults: at V = 0 the stable state is the Fokker–Planck ground state (the global
    minimum of E(m)), its modes decay; the states are continued along V, and where one turns unstable the
    sweep says so (stable False with a negative linewidth) while another is stable."""
    p = dc.preset("weak-soc")
    V = np.linspace(-6.0, 6.0, 25)
    pinned, _ = sweeps.pinned_model(p, V)
    spins = pinned.spins()
    ds = modes.mode_sweep(spins, V)
    zero = int(np.argmin(np.abs(V)))
    assert ds.stable.values.any(axis=1).all()  # some stable state at every bias
    from dimer_core.spins.pinned import local_minima
    ground = local_minima(pinned.g[zero], pinned.Q[zero])[0]
    stable_m = ds.m.values[zero][ds.stable.values[zero]]
    assert np.min(np.abs(stable_m - ground[0]).max(axis=1)) < 1e-8
    unstable = ~ds.stable.values & np.isfinite(ds.frequency.values[..., 0])
    assert np.all(ds.linewidth.values[..., 0][ds.stable.values] > 0)
    assert np.all(np.nanmin(ds.linewidth.values[unstable], axis=-1) < 0)
    events = ds.attrs["events"]
    assert "loses stability (a linewidth turns negative)" in events and "gains stability" in events
    for k in range(V.size):  # every reported state is stationary
        for s in np.flatnonzero(np.isfinite(ds.m.values[k, :, 0])):
            assert np.abs(modes.torque(spins, k, ds.m.values[k, s])).max() < 1e-9


def test_both_spins_free_have_two_modes_whose_jacobian_matches_finite_differences():
    """Both spins free (strong SOC, V = 2 mV): J of the module docstring against central differences of
    the noiseless rate ṁ = K(m)B(m) along the tangent planes."""
    p = dc.preset("strong-soc")
    spins = sweeps.dimer_model(p, [2.0]).spins()
    states = modes.stationary_states(spins, 0)
    assert states and states[0].stable and states[0].frequency.shape == (2,)
    m = states[0].m
    jac, t = modes.jacobian(spins, 0, m)

    def rate(x):
        x = x.reshape(2, 3)
        x = (x / np.linalg.norm(x, axis=1, keepdims=True)).ravel()
        return modes.mobility(spins, 0, x) @ (spins.g[0] + spins.X[0] @ x)

    eps = 1e-6
    numeric = np.column_stack([t.T @ (rate(m + eps * t[:, j]) - rate(m - eps * t[:, j])) / (2 * eps)
                               for j in range(4)])
    np.testing.assert_allclose(jac, numeric, atol=1e-7 * np.abs(jac).max())


def test_modes_command_writes_the_lines_and_refuses_bad_input(tmp_path, capsys):
    """``dimer-core modes``: a CSV of (V, state, mode) rows in GHz; NetCDF with the absorption spectrum; one-line
    errors naming the option."""
    import pandas as pd
    import xarray as xr

    from dimer_core import cli

    out = tmp_path / "new" / "lines.csv"
    assert cli.main(["modes", "--V", "-1:1:3", "--out", str(out)]) == 0
    table = pd.read_csv(out)
    assert list(table.columns) == ["V", "state", "mode", "frequency", "linewidth", "q_factor", "stable",
                                   "dimer_core_version"]
    assert (table.dimer_core_version.astype(str) == dc.__version__).all()
    assert set(table.V) == {-1.0, 0.0, 1.0} and table.frequency.gt(0).all()
    direct = sweeps.modes_sweep(dc.preset("weak-soc"), [0.0])
    row = table[(table.V == 0.0) & (table.state == 0)].iloc[0]
    assert row.frequency == pytest.approx(float(direct.frequency[0, 0, 0]), rel=1e-9)
    nc = tmp_path / "spectrum.nc"
    assert cli.main(["modes", "--V", "0:0:1", "--f", "1:400:40", "--rf_axis", "0,1,0", "--out", str(nc)]) == 0
    ds = xr.open_dataset(nc)
    assert ds.absorption.sizes["f"] == 40 and np.isfinite(ds.absorption.values[0, 0]).all()
    assert ds.attrs["dimer_core_version"] == dc.__version__
    assert (ds.absorption.values[0, 0] > 0).all()  # V = 0, the stable state: a passive line
    capsys.readouterr()
    assert cli.main(["modes", "--rf_axis", "0,0,0", "--out", str(tmp_path / "x.csv")]) == 2
    assert "--rf_axis" in capsys.readouterr().err
    assert cli.main(["modes", "--f", "0:10:3", "--out", str(tmp_path / "x.csv")]) == 2
    assert cli.main(["modes", "--spins", "three", "--out", str(tmp_path / "x.csv")]) == 2


@pytest.mark.parametrize("preset, V", [("weak-soc", -6.0), ("weak-soc", 3.0), ("strong-soc", 2.0)])
def test_relaxation_ended_by_newton_finds_the_states_of_a_full_relaxation(monkeypatch, preset, V):
    """stationary_states ends a seed's relaxation once Newton reaches a stable state near it (modes.CAPTURE);
    relaxing every seed until its torque is below 1e-8 of the field scale (CAPTURE = 0) finds the same states,
    with the same stability, both spins free."""
    spins = sweeps.dimer_model(dc.preset(preset), [V]).spins()
    quick = modes.stationary_states(spins, 0)
    monkeypatch.setattr(modes, "CAPTURE", 0.0)
    full = modes.stationary_states(spins, 0)
    assert len(quick) == len(full) >= 1
    for a, b in zip(quick, full):
        assert a.stable == b.stable
        np.testing.assert_allclose(a.m, b.m, atol=1e-9)
        np.testing.assert_allclose(a.eigenvalues, b.eigenvalues, rtol=1e-7)
