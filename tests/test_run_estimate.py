"""Long runs announce themselves: the estimate of a sweep's wall time before it runs, and a reversal path that
reports progress and stops like the sweeps (issue 12)."""
import numpy as np
import pytest

from dimer_core import preset
from dimer_core.progress import Cancelled
from dimer_core.spins import langevin
from dimer_core.studies.sweeps import dimer_sweep, estimate_seconds, langevin_sweep, reversal_path


class StepClock:
    """A clock that advances ``seconds_per_step`` for every step of every trajectory of every valid bias an
    ensemble is asked for (it stands in for ``langevin.ensemble``): the estimate's bookkeeping is then checked
    exactly, without timing a loaded machine (the estimate against measured runs: benchmarks/bench_estimate.py)."""

    def __init__(self, seconds_per_step):
        self.now, self.seconds_per_step, self.probes = 0.0, seconds_per_step, []

    def perf_counter(self):
        return self.now

    def ensemble(self, spins, n_realizations, dt, n_burn, n_average, **_):
        n_valid = int(np.count_nonzero(spins.validity()[0]))
        self.probes.append(n_burn + n_average)
        self.now += self.seconds_per_step * n_valid * n_realizations * (n_burn + n_average)


@pytest.mark.parametrize("sweep", [langevin_sweep, dimer_sweep])
def test_the_estimate_is_every_step_of_every_trajectory_of_every_bias_at_the_probed_speed(sweep, monkeypatch):
    clock = StepClock(1e-6)
    monkeypatch.setattr(langevin, "ensemble", clock.ensemble)
    monkeypatch.setattr(langevin, "time", clock)
    p, V = preset("weak-soc"), np.array([0.5, 1.0, 1.5])  # all three inside the model's validity
    for n, t_average in ((4, 5.0), (16, 5.0), (16, 500.0)):
        steps = 100 + int(round(t_average / 0.01))  # t_burn = 1 ps, dt = 0.01 ps
        estimate = estimate_seconds(sweep, p, V, n_realizations=n, dt=0.01, t_burn=1.0, t_average=t_average)
        assert estimate == pytest.approx(1e-6 * 3 * n * steps, rel=1e-12), (n, t_average)
    # the long run was probed over a few steps (about 0.05 s at STEPS_PER_SECOND), not run
    assert clock.probes[-1] < 50_100 / 2, clock.probes


def test_the_estimate_names_what_it_cannot_estimate():
    p, V = preset("weak-soc"), np.linspace(-6, 6, 25)
    with pytest.raises(ValueError, match="reversal_path.*allowed: langevin_sweep, dimer_sweep"):
        estimate_seconds(reversal_path, p, V)


def test_a_reversal_path_reports_progress_stops_and_does_not_depend_on_its_pieces():
    p = preset("weak-soc", V=1.5)
    reports = []
    ds = reversal_path(p, seed=3, progress=lambda f, m: reports.append((f, m)))
    assert len(reports) >= 10 and reports[-1][0] == 1.0 and reports[-1][1].endswith(" steps")
    fractions = [f for f, _ in reports]
    assert fractions == sorted(fractions)
    with pytest.raises(Cancelled, match=r"stopped after \d+ of \d+ steps"):
        reversal_path(p, seed=3, cancel=lambda: len(reports) > 12, progress=lambda f, m: reports.append(f))
    from dimer_core.spins.langevin import trajectory
    from dimer_core.studies.sweeps import pinned_model

    model, _ = pinned_model(p, [p.V])
    one = trajectory(model, 0, [0, 0, 1], 0.01, 5000, every=7, seed=5, chunks=1)[1]
    many = trajectory(model, 0, [0, 0, 1], 0.01, 5000, every=7, seed=5, chunks=37)[1]
    np.testing.assert_array_equal(one, many)
    assert ds.t.size > 100
