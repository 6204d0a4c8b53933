"""Issue 14, switching: dwell times and rates from Langevin counting against the exact mean first-passage
time of a uniaxial spin and Brown's high-barrier rate (dimer_core.spins.rates, docs/rates.md)."""
import math
import types

import numpy as np
import pytest

import dimer_core as dc
from dimer_core.spins import rates
from dimer_core.studies import sweeps, timing
from dimer_core.spins.langevin import MAX_RUN_STEPS, SpinModel
from dimer_core.units import HBAR
from dimer_core.progress import Cancelled

HS = HBAR * 2.5


def uniaxial(k_easy, kt, alpha):
    """E = −K m_z², isotropic damping α, noise 2k_BT ħS α (fluctuation–dissipation)."""
    return SpinModel(g=np.zeros((1, 3)), X=np.diag([0.0, 0.0, 2.0 * k_easy])[None], alpha=(alpha * np.eye(3))[None],
                     noise=(2.0 * kt * HS * alpha * np.eye(3))[None], kt=np.array([[kt]]), hbar_s=HS)


def test_labels_keep_the_last_core_and_censored_dwells_are_dropped():
    up, down = np.array([0.0, 0.0, 1.0]), np.array([0.0, 0.0, -1.0])
    tilt = np.array([1.0, 0.0, 0.0])  # between the cores
    path = np.array([tilt, up, tilt, up, down, tilt, tilt, up, up, down, tilt])
    labels = rates.basin_labels(path, np.array([up, down]), core=0.5)
    assert labels.tolist() == [-1, 0, 0, 0, 1, 1, 1, 0, 0, 1, 1]
    dwells = rates.dwell_times(np.arange(path.size) * 2.0, labels, 2)
    # complete dwells: in 1 from t = 8 to 14, in 0 from 14 to 18; the first (0 from 2) and last are cut
    assert dwells[1].tolist() == [6.0] and dwells[0].tolist() == [4.0]


def test_the_chi_square_interval_covers_the_mean_of_exponential_dwells():
    rng = np.random.default_rng(0)
    covered = 0
    for _ in range(2000):
        mean, lo, hi = rates.mean_dwell(rng.exponential(3.0, size=20))
        covered += lo <= 3.0 <= hi
    assert 0.935 < covered / 2000 < 0.965
    assert all(math.isnan(x) for x in rates.mean_dwell([]))


def test_exact_passage_time_tends_to_browns_rate_at_high_barriers():
    """T·k_Brown = 1 + O(1/σ): 1.083 at σ = 10, 1.053 at 20, 1.026 at 40 (a factor 2 in either fails)."""
    ratios = [rates.uniaxial_mean_passage_time(1.0, 1.0 / s, 0.2, HS, 0.5) * rates.brown_rate(1.0, 1.0 / s, 0.2, HS)
              for s in (10.0, 20.0, 40.0)]
    assert 1.0 < ratios[2] < ratios[1] < ratios[0] < 1.1
    assert ratios[2] == pytest.approx(1.0, abs=0.03)


@pytest.mark.parametrize("sigma", [3.0, 4.0])
def test_langevin_dwell_times_match_the_exact_mean_first_passage_time(sigma):
    """Uniaxial spin, K = 1 meV, α = 0.2, cores z ≥ 0.5 / z ≤ −0.5: the pooled mean dwell of both basins within
    3 standard errors (+2 % for the step) of 2τ_N∫∫ (Brown's diffusion in z; exact)."""
    kt = 1.0 / sigma
    spins = uniaxial(1.0, kt, 0.2)
    states = [[np.array([0.0, 0.0, 1.0]), np.array([0.0, 0.0, -1.0])]]
    ds = rates.switching_rates(spins, [0.0], states, dt=0.01, t_total=4e4, n_trajectories=2, core=math.acos(0.5),
                               every=5)
    n = ds.n_dwells.values[0]
    assert n.min() > 100 and bool(ds.enough.values[0])
    pooled = float((ds.dwell.values[0] * n).sum() / n.sum())
    exact = rates.uniaxial_mean_passage_time(1.0, kt, 0.2, HS, 0.5)
    assert abs(pooled - exact) < 3.0 * pooled / math.sqrt(n.sum()) + 0.02 * exact, (pooled, exact)
    for b in range(2):  # each basin's interval holds the exact value (95 % each; the symmetric pair)
        assert ds.dwell_low.values[0, b] * 0.97 <= exact <= ds.dwell_high.values[0, b] * 1.03


def test_rates_sweep_counts_switches_between_the_dimers_states():
    """Both spins free, weak SOC at 40 K: two or more stable states at V = 0 and 3 mV, switching in both,
    the run length chosen from a pilot so that every basin has ≥ 20 dwells."""
    p = dc.preset("weak-soc", T=40.0)
    ds = sweeps.rates_sweep(p, [0.0, 3.0], n_trajectories=2)
    assert ds.enough.values.all()
    assert (np.isfinite(ds.rate.values).sum(axis=1) >= 2).all()
    assert np.nanmin(ds.rate.values) > 0
    assert (ds.n_dwells.values[np.isfinite(ds.rate.values)] >= 20).all()
    with pytest.raises(ValueError, match="spins = 'three'"):
        sweeps.rates_sweep(p, [0.0], spins="three")


def test_rates_command_writes_a_table_and_refuses_bad_input(tmp_path, capsys):
    import pandas as pd

    from dimer_core import cli

    out = tmp_path / "r" / "rates.csv"
    assert cli.main(["rates", "--T", "40", "--V", "3:3:1", "--t_total", "300", "--out", str(out)]) == 0
    table = pd.read_csv(out)
    assert list(table.columns) == ["V", "basin", "n_dwells", "dwell", "dwell_low", "dwell_high", "rate",
                                   "dimer_core_version"]
    assert (table.dwell_low <= table.dwell).all() and (table.dwell <= table.dwell_high).all()
    assert np.allclose(table.rate, 1e3 / table.dwell)
    capsys.readouterr()
    assert cli.main(["rates", "--t_total", "-1", "--out", str(tmp_path / "x.csv")]) == 2
    assert "--t_total" in capsys.readouterr().err


def test_a_telegraph_trace_switches_between_the_basins_rates_counts(tmp_path):
    """Both spins free at 40 K, 3 mV: the trace visits both stable states; its dwells are the ones the rates
    count (same labels); a bias with one stable state is refused."""
    p = dc.preset("weak-soc", T=40.0)
    trace = sweeps.telegraph(p, 3.0, 400.0)
    labels = trace.basin.values
    assert set(labels[labels >= 0]) == {0, 1}
    dwells = rates.dwell_times(trace.time.values, labels, 2)
    assert sum(len(d) for d in dwells) >= 5
    with pytest.raises(ValueError, match="stable state"):
        sweeps.telegraph(dc.preset("weak-soc"), 3.0, 100.0, spins="pinned")
    from dimer_core import cli
    out = tmp_path / "trace.csv"
    assert cli.main(["rates", "--T", "40", "--V", "3:3:1", "--t_total", "200", "--trace", str(out), "--trace_ps",
                     "300", "--out", str(tmp_path / "r.csv")]) == 0
    import pandas as pd
    table = pd.read_csv(out)
    assert list(table.columns) == ["time", "basin", "dimer_core_version"] and table.time.iloc[-1] >= 299.0


def test_the_spectral_sweep_keeps_converged_biases_reports_per_bias_and_stops_on_request():
    """Spin 2 with K_easy = 4 meV at 5 K (bistable): a bias whose spectrum has not converged at L = 32 (0 mV)
    refuses the sweep, or with unconverged="nan" is NaN with its reason while the others equal the sweep of
    that bias alone; progress comes per bias and Stop acts between biases."""
    p = dc.preset("weak-soc", T=5.0, K_easy=4.0)
    with pytest.raises(ValueError, match="V = 0 mV: L = 32"):
        sweeps.spectral_rates_sweep(p, [0.0, 3.0])
    steps = []
    ds = sweeps.spectral_rates_sweep(p, [0.0, 3.0], unconverged="nan", progress=lambda f, m: steps.append((f, m)))
    assert np.isnan(ds.rate.values[0]).all() and "V = 0 mV: L = 32" in ds.attrs["no_switching"]
    alone = sweeps.spectral_rates_sweep(p, [3.0])
    np.testing.assert_array_equal(ds.rate.values[1], alone.rate.values[0])
    assert np.isfinite(alone.rate.values).all()
    assert [f for f, _ in steps] == [0.0, 0.5] and "V = 3 mV (2 of 2)" in steps[1][1]
    with pytest.raises(Cancelled, match="stopped after 0 of 2 biases"):
        sweeps.spectral_rates_sweep(p, [0.0, 3.0], cancel=lambda: True)
    with pytest.raises(ValueError, match="unconverged = 'skip'"):
        sweeps.spectral_rates_sweep(p, [3.0], unconverged="skip")


def test_the_rates_estimate_is_the_whole_budget_of_every_valid_bias_at_the_probed_speed(monkeypatch):
    """rates_seconds at the bistable 3 mV of spin 2 (K_easy = 4 meV, 5 K): the pilot and the step budget of each
    bias at the time per step of a probe trajectory.  The clock is pinned (1 µs a step) so the bookkeeping is
    checked exactly; the bound against measured runs is benchmarks/bench_estimate.py's."""
    p = dc.preset("weak-soc", T=5.0, K_easy=4.0)
    clock = types.SimpleNamespace(now=0.0)
    clock.perf_counter = lambda: clock.now

    def stepping(model, index, m0, dt, n_steps, **_):
        clock.now += 1e-6 * n_steps

    monkeypatch.setattr(timing, "time", clock)
    monkeypatch.setattr(timing, "trajectory", stepping)
    for V in ([3.0], [2.5, 3.0]):
        bound = sweeps.rates_seconds(p, V, spins="pinned")
        assert bound == pytest.approx(1e-6 * (MAX_RUN_STEPS + MAX_RUN_STEPS // 20) * len(V), rel=1e-12), V
    monkeypatch.undo()
    ds = sweeps.rates_sweep(p, [3.0], spins="pinned")
    assert np.isfinite(ds.rate.values).all()
    steps = []  # progress over the whole sweep: from 0 to 1 once across biases and trajectories
    sweeps.rates_sweep(p, [2.5, 3.0], spins="pinned", t_total=40.0, progress=lambda f, m: steps.append((f, m)))
    fractions = [f for f, _ in steps]
    assert fractions == sorted(fractions) and 0.9 <= fractions[-1] <= 1.0 and fractions[0] < 0.3, fractions
    assert any("V = 3 mV, trajectory 2 of 2" in m for _, m in steps)
    trace = sweeps.telegraph(p, 3.0, 50.0, spins="pinned")  # the free spin is spin 2, as in the spectral sweep
    assert list(ds.component.values) == list(trace.component.values) == ["m2_x", "m2_y", "m2_z"]
    with pytest.raises(ValueError, match="spins = 'three'"):
        sweeps.rates_seconds(p, [3.0], spins="three")
