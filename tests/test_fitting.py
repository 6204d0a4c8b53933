"""Issue 14, fitting: the model fitted to synthetic measurements recovers the parameters within its
intervals, and refuses what the data cannot determine (dimer_core.studies.fitting, dimer-core fit)."""
import numpy as np
import pandas as pd
import pytest

import dimer_core as dc
from dimer_core import cli
from dimer_core.studies import fitting

TRUTH = dict(t0=2.3, tL=9.0, mu_F=0.4)


def synthetic(curve, V, rel, seed):
    y = fitting.model_curve(dc.preset("weak-soc", **TRUTH), curve, V)
    sigma = rel * np.abs(y).max() * np.ones_like(y)
    return y + sigma * np.random.default_rng(seed).normal(size=y.size), sigma


def test_a_dIdV_fit_recovers_the_hoppings_within_three_standard_errors():
    V = np.linspace(-8, 8, 33)
    for seed in (1, 2):
        y, s = synthetic("dIdV", V, 0.01, seed)
        ds = fitting.fit(dc.preset("weak-soc", mu_F=0.4), {"dIdV": (V, y, s)}, ["t0", "tL"])
        for name in ("t0", "tL"):
            est, err = float(ds.estimate.sel(param=name)), float(ds.stderr.sel(param=name))
            assert abs(est - TRUTH[name]) < 3 * err and err < 0.05 * TRUTH[name], (name, est, err)
        assert 0.3 < ds.attrs["reduced_chi2"] < 2.5


def test_a_joint_fit_of_dIdV_and_the_esr_line():
    V = np.linspace(-4, 4, 9)
    data = {c: (V, *synthetic(c, V, 0.005, 3)) for c in ("dIdV", "f_ESR")}
    ds = fitting.fit(dc.preset("weak-soc", mu_F=0.4, t0=2.0, tL=10.0), data, ["t0", "tL"], bounds={"t0": (1.5, 3.0)})
    for name in ("t0", "tL"):
        assert abs(float(ds.estimate.sel(param=name)) - TRUTH[name]) < 3 * float(ds.stderr.sel(param=name))
    assert set(ds.data_vars) >= {"data_dIdV", "model_f_ESR", "sigma_f_ESR"}


def test_a_switching_rate_fit_recovers_the_anisotropy():
    """The rate curve is λ₁ = k₁ + k₂ of the pinned spin's Fokker–Planck spectrum (1/τ₁ + 1/τ₂ of a telegraph
    signal); synthetic rates at 3 % scatter (weak SOC, 5 K, K_easy = 4 meV) give K_easy back within its interval."""
    from dimer_core.studies import sweeps

    truth = dc.preset("weak-soc", T=5.0, K_easy=4.0)
    V = np.array([2.0, 3.0, 3.5])
    y = fitting.model_curve(truth, "rate", V)
    np.testing.assert_allclose(y, sweeps.spectral_rates_sweep(truth, V, compare=False).rate.sum("basin").values,
                               rtol=1e-10)
    sigma = 0.03 * y
    measured = y + sigma * np.random.default_rng(5).normal(size=y.size)
    ds = fitting.fit(truth.updated(K_easy=3.8), {"rate": (V, measured, sigma)}, ["K_easy"],
                     bounds={"K_easy": (3.0, 5.0)})
    est, err = float(ds.estimate.sel(param="K_easy")), float(ds.stderr.sel(param="K_easy"))
    lo, hi = fitting.interval(ds, "K_easy")
    assert lo < 4.0 < hi and err < 0.05 and abs(est - 4.0) < 3 * err
    assert ds.model_rate.attrs["units"] == "1/ns"


def test_parameters_the_data_cannot_see_are_refused_by_name():
    """The current does not depend on Δ (it is the Δ = 0 steady state): fitting Δ to dI/dV is refused."""
    V = np.linspace(-8, 8, 17)
    y, s = synthetic("dIdV", V, 0.01, 4)
    with pytest.raises(fitting.FitError, match="do not constrain Delta"):
        fitting.fit(dc.preset("weak-soc", mu_F=0.4), {"dIdV": (V, y, s)}, ["t0", "Delta"])
    with pytest.raises(fitting.FitError, match="curve 'G'"):
        fitting.fit(dc.preset("weak-soc"), {"G": (V, y, s)}, ["t0"])
    with pytest.raises(fitting.FitError, match="cannot fit 2 parameters"):
        fitting.fit(dc.preset("weak-soc"), {"dIdV": (V[:2], y[:2], s[:2])}, ["t0", "tL"])


def test_fit_command_reads_a_csv_and_writes_estimates_and_a_plot(tmp_path, capsys):
    V = np.linspace(-8, 8, 33)
    y, s = synthetic("dIdV", V, 0.01, 5)
    data = tmp_path / "measured.csv"
    pd.DataFrame({"V": V, "dIdV": y, "dIdV_err": s}).to_csv(data, index=False)
    out, png = tmp_path / "fit.csv", tmp_path / "fit.png"
    assert cli.main(["fit", str(data), "--mu_F", "0.4", "--free", "t0,tL", "--out", str(out), "--plot", str(png)]) == 0
    table = pd.read_csv(out)
    assert list(table.param) == ["t0", "tL"] and png.stat().st_size > 1000
    assert (table.dimer_core_version == dc.__version__).all()
    assert "95 %" in capsys.readouterr().out
    assert cli.main(["fit", str(data), "--free", "Delta", "--out", str(out)]) == 2
    assert "do not constrain Delta" in capsys.readouterr().err
    assert cli.main(["fit", str(data), "--free", "t0", "--bounds", "t0=5", "--out", str(out)]) == 2


def test_a_table_of_curves_is_read_and_its_problems_are_named():
    """read_curves: curves on different biases (empty cells), errors optional; every problem named in the
    message: no V, an unknown column, a cell that is not a number, a value without its V or its error."""
    table = pd.DataFrame({"V": [-1.0, 0.0, 1.0], "dIdV": [1.0, 2.0, np.nan], "Omega_z": [np.nan, 0.5, 0.4],
                          "Omega_z_err": [np.nan, 0.1, 0.1]})
    data = fitting.read_curves(table)
    assert list(data) == ["dIdV", "Omega_z"] and data["dIdV"][2] is None
    np.testing.assert_array_equal(data["dIdV"][0], [-1.0, 0.0])
    np.testing.assert_array_equal(data["Omega_z"][2], [0.1, 0.1])
    bad = {"no column V": pd.DataFrame({"bias": [1.0], "dIdV": [1.0]}),
           "unknown column 'dIdv'": pd.DataFrame({"V": [1.0], "dIdv": [1.0]}),
           "column dIdV, row 2: 'x' is not a number": pd.DataFrame({"V": [1.0, 2.0], "dIdV": ["1", "x"]}),
           "row 1: a value without its V": pd.DataFrame({"V": [np.nan, 2.0], "dIdV": [1.0, 2.0]}),
           "column dIdV_err, row 2": pd.DataFrame({"V": [1.0, 2.0], "dIdV": [1.0, 2.0], "dIdV_err": [0.1, np.nan]}),
           "no curve to fit": pd.DataFrame({"V": [1.0]}),
           "values must be finite": pd.DataFrame({"V": [1.0, np.inf], "dIdV": [1.0, 2.0]})}
    for message, frame in bad.items():
        with pytest.raises(fitting.FitError, match=message.replace("(", r"\(")):
            fitting.read_curves(frame)
    assert fitting.read_bounds(" t0=1:3, tL=5:12 ") == {"t0": (1.0, 3.0), "tL": (5.0, 12.0)}
    with pytest.raises(fitting.FitError, match="write name=LO:HI"):
        fitting.read_bounds("t0=1")


def test_the_example_table_is_the_model_with_its_stated_scatter_and_fits_back():
    V = np.linspace(-8, 8, 33)
    p = dc.preset("weak-soc", **TRUTH)
    table = fitting.example_table(p, V, noise=0.01, seed=1)
    clean = fitting.model_curve(p, "dIdV", V)
    np.testing.assert_allclose(table.dIdV_err, 0.01 * np.abs(clean))
    z = (table.dIdV - clean) / table.dIdV_err
    assert 0.5 < float(np.std(z)) < 1.5 and float(np.abs(z).max()) < 4.5
    steps, stop = [], []

    def progress(fraction, message):
        steps.append(fraction)

    ds = fitting.fit(dc.preset("weak-soc", mu_F=0.4), fitting.read_curves(table), ["t0", "tL"], progress=progress)
    for name in ("t0", "tL"):
        lo, hi = fitting.interval(ds, name)
        assert lo < TRUTH[name] < hi, (name, lo, hi)
    assert len(steps) >= ds.attrs["evaluations"] and all(0 < f <= 1 for f in steps) and steps == sorted(steps)
    from dimer_core.progress import Cancelled
    with pytest.raises(Cancelled, match="stopped after 0 evaluations"):
        fitting.fit(dc.preset("weak-soc", mu_F=0.4), fitting.read_curves(table), ["t0"], cancel=lambda: True)
