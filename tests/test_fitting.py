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
