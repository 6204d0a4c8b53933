"""Estimates before a run (dimer_core.studies.timing and the estimators on it): their bookkeeping is checked exactly
with a pinned clock — the work advances a fake clock by known amounts — never by timing this machine (their
accuracy against measured runs is benchmarks/bench_estimate.py's)."""
import types

import numpy as np
import pytest

import dimer_core as dc
from dimer_core import junction as J
from dimer_core.junction import OneSpin
from dimer_core.spins.junction_spins import spin_model
from dimer_core.spins.langevin import MAX_RUN_STEPS
from dimer_core.spins.switching import spectral_work
from dimer_core.studies import junction_lines, sweeps, timing


@pytest.fixture
def clock(monkeypatch):
    """timing's clock, pinned: it moves only when a test's work moves it (``clock.now += s``)."""
    fake = types.SimpleNamespace(now=0.0)
    fake.perf_counter = lambda: fake.now
    monkeypatch.setattr(timing, "time", fake)
    return fake


def test_a_few_biases_are_timed_and_scaled_to_every_bias(clock):
    asked = []

    def run(v):
        asked.append(float(v[0]))
        clock.now += 1.0 + v[0]  # a bias costs 1 s + V/mV

    assert timing.sampled_seconds(run, np.linspace(0.0, 6.0, 7)) == 4.0 * 7
    assert asked == [3.0]  # the middle bias, once
    assert timing.sampled_seconds(run, [1.0, 2.0]) == 2.0 * 2 and asked[-1] == 1.0
    asked.clear()
    assert timing.sampled_seconds(run, np.linspace(0.0, 6.0, 7), probes=3, warm=True) == 4.0 * 7  # (2 + 4 + 6)/3
    assert asked == [1.0, 1.0, 3.0, 5.0]  # the middles of three parts; the first once more, untimed, before: it
    # loads the compiled kernels
    assert timing.probe_indices(range(2), probes=3) == [0, 1]
    assert timing.timed(lambda: "result") == ("result", 0.0)


def test_the_dimers_esr_estimate_times_modes_sweep_at_five_biases(clock, monkeypatch):
    """Both spins free: modes_seconds is modes_sweep at the middles of five parts of the 25 biases (after the first
    once more, untimed), their mean times 25."""
    calls = []

    def sweep(params, V, spins, terms):
        calls.append((float(V[0]), spins, terms))
        clock.now += 0.64 if spins == "both" else 0.02

    monkeypatch.setattr(sweeps, "modes_sweep", sweep)
    V = np.linspace(-6.0, 6.0, 25)
    assert sweeps.modes_seconds(dc.preset("weak-soc"), V, spins="both") == pytest.approx(16.0, rel=1e-12)
    assert sweeps.modes_seconds(dc.preset("weak-soc"), V, terms="paper") == pytest.approx(0.5, rel=1e-12)
    probed = (-5.0, -5.0, -2.5, 0.0, 2.5, 5.0)
    assert calls == [(v, "both", "full") for v in probed] + [(v, "pinned", "paper") for v in probed]


def test_a_junctions_lines_estimate_is_junction_modes_at_a_few_biases(clock, monkeypatch):
    calls = []

    def modes(junction, V, free, pinned, bare, terms):
        calls.append((junction.name, list(V), free, terms))
        clock.now += 0.3

    monkeypatch.setattr(junction_lines, "junction_modes", modes)
    seconds = junction_lines.junction_modes_seconds(J.preset("chain3"), [0.0, 1.0, 2.0, 3.0], (3,), terms="paper")
    assert seconds == pytest.approx(1.2, rel=1e-12)
    assert calls == [("chain3", [v], (3,), "paper") for v in (0.0, 0.0, 1.0, 2.0, 3.0)]


def test_the_fokker_planck_rates_estimate_is_one_bias_spectrum_as_if_bistable(clock, monkeypatch):
    """fp: the tensors at one bias (the clock does not move: only the spectrum's work is charged here) and the
    spectrum's work there, 3 s, times the biases; the work is done for one stable state too (at most)."""
    probed = []

    def work(spins, index, L, tolerance):
        probed.append((spins.nspins, index, L))
        clock.now += 3.0

    monkeypatch.setattr(junction_lines, "spectral_work", work)
    junction = J.preset("dimer-weak-soc").updated(T=5.0)
    seconds = junction_lines.junction_rates_seconds(junction, np.linspace(0.0, 6.0, 13), (2,),
                                                    bare=OneSpin(K_easy=4.0), L=24)
    assert seconds == pytest.approx(3.0 * 13, rel=1e-12) and probed == [(1, 0, 24)]
    with pytest.raises(ValueError, match=r"method = 'fp' needs one free site; free = \[1, 2\]"):
        junction_lines.junction_rates_seconds(junction, [1.0, 2.0], (1, 2))


def test_the_langevin_rates_estimate_is_the_whole_budget_of_every_valid_bias(clock, monkeypatch):
    """langevin: every bias's pilot and step budget at the probe's time per step (1 µs here), for the spins of
    two free sites of chain3."""
    def stepping(model, index, m0, dt, n_steps, **_):
        assert model.nspins == 2 and dt > 0
        clock.now += 1e-6 * n_steps

    monkeypatch.setattr(timing, "trajectory", stepping)
    seconds = junction_lines.junction_rates_seconds(J.preset("chain3", T=5.0), [1.0, 2.0], (1, 3),
                                                    method="langevin")
    assert seconds == pytest.approx(1e-6 * (MAX_RUN_STEPS + MAX_RUN_STEPS // 20) * 2, rel=1e-12)


def test_the_spectrums_work_runs_at_one_or_two_stable_states():
    """spectral_work finds the stable states and computes the spectrum either way, without raising where there
    is no barrier or the spectrum does not converge (what the estimate times)."""
    junction = J.preset("dimer-weak-soc").updated(T=5.0)
    spins = spin_model(junction, [3.0, 0.0], (2,), bare=OneSpin(K_easy=4.0))
    assert spectral_work(spins, 0, L=12) == 2  # bistable at 3 mV
    assert spectral_work(spin_model(junction, [3.0], (2,)), 0, L=12) == 1  # no bare anisotropy: one state
