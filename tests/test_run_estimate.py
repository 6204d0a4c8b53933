"""Long runs announce themselves: the estimate of a sweep's wall time before it runs, and a reversal path that
reports progress and stops like the sweeps (issue 12)."""
import time

import numpy as np
import pytest

from dimer_core import preset
from dimer_core.progress import Cancelled
from dimer_core.studies.sweeps import dimer_sweep, estimate_seconds, langevin_sweep, reversal_path


@pytest.mark.parametrize("sweep, times", [(langevin_sweep, dict(t_burn=50.0, t_average=500.0)),
                                          (dimer_sweep, dict(t_burn=1.0, t_average=10.0))])
def test_the_estimate_is_within_a_factor_3_of_the_measured_run(sweep, times):
    p = preset("weak-soc")
    V = np.linspace(-6, 6, 9)
    sweep(p, V[:1], n_realizations=2, t_burn=0.1, t_average=0.1)  # numba's cache loaded: a warm run is measured
    estimate = estimate_seconds(sweep, p, V, n_realizations=8, **times)
    start = time.perf_counter()
    sweep(p, V, n_realizations=8, **times)
    measured = time.perf_counter() - start
    assert 0.5 < measured < 20, "a run long enough to measure, short enough for a test"
    print(f"{sweep.__name__}: estimated {estimate:.2f} s, measured {measured:.2f} s")
    assert estimate / 3 < measured < 3 * estimate, f"estimated {estimate:.2f} s, measured {measured:.2f} s"


def test_the_estimate_grows_with_the_trajectories_and_names_what_it_cannot_estimate():
    p, V = preset("weak-soc"), np.linspace(-6, 6, 25)
    one, four = (estimate_seconds(langevin_sweep, p, V, n_realizations=n) for n in (4, 16))
    assert 2 < four / one < 8
    # the dashboard's defaults: the same 400 000 steps per trajectory, a step of both spins about ten times one
    assert 4 < estimate_seconds(dimer_sweep, p, V, n_realizations=16) / four < 25
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
