"""Issue 14 on the junction engine: fitting any junction's parameters (dimer_core.studies.junction_fitting,
``dimer-core fit --model/--preset``).  The dimer as a junction gives the dimer's fit curves; synthetic data of
an STM junction give its parameters back within their intervals; what cannot be fitted is refused by name."""
import os

import numpy as np
import pandas as pd
import pytest

import dimer_core as dc
from dimer_core import cli
from dimer_core.junction import from_dimer, loads, preset
from dimer_core.spins.junction_spins import OneSpin
from dimer_core.studies import fitting
from dimer_core.studies.junction_fitting import JunctionSetup, fit_junction, junction_curve

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def dimer_setup(p):
    return JunctionSetup(from_dimer(p), free=(2,), pinned={1: p.vector("m1")}, bare=OneSpin.from_params(p))


def test_the_dimer_as_a_junction_has_the_dimers_fit_curves():
    """Weak SOC, 5 K, K_easy = 4 meV at 2, 3, 4 mV: every curve of the junction route equals the dimer's
    model_curve (measured 3e-11 at most: dI/dV from the junction's lead L, the lines, λ₁, Ω)."""
    p = dc.preset("weak-soc", T=5.0, K_easy=4.0)
    V = np.array([2.0, 3.0, 4.0])
    setup = dimer_setup(p)
    for curve in fitting.CURVES:
        ours, dimer = junction_curve(setup, curve, V), fitting.model_curve(p, curve, V)
        assert np.isfinite(dimer).all() and np.abs(dimer).max() > 0, curve
        np.testing.assert_allclose(ours, dimer, rtol=1e-8, atol=1e-10 * np.abs(dimer).max(), err_msg=curve)


def stm_data(V, rel, seed, **truth):
    junction = preset("stm").updated(mu_F=0.5)
    true = fit_truth(junction, truth)
    y = junction_curve(JunctionSetup(true, free=(1,), lead="tip"), "dIdV", V)
    sigma = rel * np.abs(y).max() * np.ones_like(y)
    return junction, {"dIdV": (V, y + sigma * np.random.default_rng(seed).normal(size=y.size), sigma)}


def fit_truth(junction, truth):
    from dimer_core.junction.named import with_values

    return with_values(junction, truth)


def test_an_stm_tip_current_gives_back_the_level_and_the_tip_hopping():
    """The tip's dI/dV of the stm preset (tip over site 1 of a three-site chain on a substrate), 1 % scatter:
    eps.1 and the tip's hopping come back within three standard errors, each known to better than 5 %; the best
    model is a model file that loads back.  The curve has narrow resonances, so χ² has many local minima (from
    eps.1 = 0 the fit stops at 0.05): the fit starts near, as a user refining a model does (docs/fitting.md)."""
    truth = {"eps.1": 1.2, "lead.tip.t": 2.5}
    V = np.linspace(-6, 6, 25)
    junction, data = stm_data(V, 0.01, 7, **truth)
    junction = fit_truth(junction, {"eps.1": 1.1, "lead.tip.t": 2.3})
    ds = fit_junction(JunctionSetup(junction, free=(1,), lead="tip"), data, ["eps.1", "lead.tip.t"],
                      bounds={"eps.1": (-3.0, 3.0), "lead.tip.t": (1.0, 4.0)})
    for name, value in truth.items():
        est, err = float(ds.estimate.sel(param=name)), float(ds.stderr.sel(param=name))
        assert abs(est - value) < 3 * err and err < 0.05 * abs(value), (name, est, err)
    assert 0.3 < ds.attrs["reduced_chi2"] < 2.5 and ds.attrs["lead"] == "tip"
    best = loads(ds.attrs["model"])
    assert best.eps[0] == pytest.approx(float(ds.estimate.sel(param="eps.1")))
    assert best.leads[0].t == (pytest.approx(float(ds.estimate.sel(param="lead.tip.t"))),)


def test_the_anisotropy_of_the_dimers_spin_comes_back_from_its_esr_line():
    """f_ESR of spin 2 (m_1 pinned) at 0.5 % scatter, K_easy = 4 meV: the bare K_easy of the junction's spin."""
    p = dc.preset("weak-soc", T=5.0, K_easy=4.0)
    V = np.array([1.0, 2.0, 3.0, 4.0])
    y = fitting.model_curve(p, "f_ESR", V)
    sigma = 0.005 * y
    measured = y + sigma * np.random.default_rng(2).normal(size=y.size)
    ds = fit_junction(dimer_setup(p.updated(K_easy=3.5)), {"f_ESR": (V, measured, sigma)}, ["K_easy"],
                      bounds={"K_easy": (3.0, 5.0)})
    lo, hi = fitting.interval(ds, "K_easy")
    assert lo < 4.0 < hi and hi - lo < 0.2, (lo, hi)
    assert "K_easy = " in ds.attrs["model"] and ds.attrs["free"] == [2]


def test_what_cannot_be_fitted_is_refused_by_name():
    V = np.linspace(-6, 6, 13)
    junction, data = stm_data(V, 0.01, 1)
    setup = JunctionSetup(junction, free=(1,), lead="tip")
    with pytest.raises(fitting.FitError, match=r"unknown parameter 'eps\.x'.*eps\.<site>.*K_easy"):
        fit_junction(setup, data, ["eps.x"])
    with pytest.raises(fitting.FitError, match="site 5 is out of range"):
        fit_junction(setup, data, ["eps.5"])
    with pytest.raises(fitting.FitError, match="that is a 3-vector"):
        fit_junction(setup, data, ["that"])
    with pytest.raises(fitting.FitError, match="V is the curves' axis"):
        fit_junction(setup, data, ["V"])
    with pytest.raises(fitting.FitError, match=r"lead\.substrate\.t: the hoppings of lead 'substrate' differ"):
        fit_junction(JunctionSetup(junction.updated(leads=(junction.leads[0], junction.leads[1].__class__(
            "substrate", 100.0, (1, 2, 3), (8.0, 6.0, 8.0), 0.0))), free=(1,), lead="tip"), data, ["lead.substrate.t"])
    with pytest.raises(fitting.FitError, match=r"bounds of eps\.1: -80.0 \.\. 1.0; allowed: -50.0 <= LO"):
        fit_junction(setup, data, ["eps.1"], bounds={"eps.1": (-80.0, 1.0)})
    with pytest.raises(fitting.FitError, match="lead = 'drain'.*allowed: tip, substrate"):
        fit_junction(JunctionSetup(junction, free=(1,), lead="drain"), data, ["eps.1"])
    with pytest.raises(fitting.FitError, match="do not constrain S"):  # the current does not see the spin length
        fit_junction(setup, data, ["S", "eps.1"])


EXAMPLE_TRUTH = {"eps.1": 1.2, "lead.tip.t": 2.5}
"""The parameters of examples/stm_tip_dIdV.csv (the stm preset at mu_F = 0.5 meV; README, docs/fitting.md)."""


def example_table():
    """examples/stm_tip_dIdV.csv: the tip's dI/dV of the stm preset at :data:`EXAMPLE_TRUTH`, 25 biases over ±6 mV,
    1 % of the largest value as scatter and standard error (seed 11)."""
    V = np.linspace(-6, 6, 25)
    _, data = stm_data(V, 0.01, 11, **EXAMPLE_TRUTH)
    return pd.DataFrame({"V": V, "dIdV": data["dIdV"][1], "dIdV_err": data["dIdV"][2]})


def test_the_example_is_the_model_with_its_stated_scatter_and_the_readme_fit_finds_it(tmp_path):
    """examples/stm_tip_dIdV.csv is made by :func:`example_table` (to 1e-9), and the README's command from
    examples/stm_fit_start.toml (eps.1 = 1.1, tip hopping 2.3 meV) finds the truth within 3 standard errors."""
    from dimer_core.junction import read_model

    here = pd.read_csv(f"{ROOT}/examples/stm_tip_dIdV.csv")
    np.testing.assert_allclose(here.values, example_table().values, rtol=1e-9)
    start = read_model(f"{ROOT}/examples/stm_fit_start.toml")
    assert start.eps[0] == 1.1 and start.leads[0].t == (2.3,) and start.mu_F == 0.5
    out = tmp_path / "stm_fit.csv"
    assert cli.main(["fit", f"{ROOT}/examples/stm_tip_dIdV.csv", "--model", f"{ROOT}/examples/stm_fit_start.toml",
                     "--lead", "tip", "--free", "eps.1,lead.tip.t", "--out", str(out)]) == 0
    table = pd.read_csv(out).set_index("param")
    for name, value in EXAMPLE_TRUTH.items():
        assert abs(table.estimate[name] - value) < 3 * table.stderr[name], (name, table.loc[name])


def test_fit_command_fits_a_junction_model_file(tmp_path, capsys):
    V = np.linspace(-6, 6, 25)
    junction, data = stm_data(V, 0.01, 3, **{"eps.1": 1.2})
    junction = fit_truth(junction, {"eps.1": 1.1})
    table = pd.DataFrame({"V": V, "dIdV": data["dIdV"][1], "dIdV_err": data["dIdV"][2]})
    csv = tmp_path / "tip.csv"
    table.to_csv(csv, index=False)
    out = tmp_path / "fit.csv"
    model = tmp_path / "stm.toml"
    from dimer_core.junction import write_model

    write_model(junction, model)  # the stm preset at mu_F = 0.5 meV with eps.1 = 1.1 meV to start from
    assert cli.main(["fit", str(csv), "--model", str(model), "--lead", "tip", "--spin", "1",
                     "--free", "eps.1", "--bounds", "eps.1=-3:3", "--out", str(out)]) == 0
    said = capsys.readouterr().out
    assert "eps.1" in said and "lead tip" in said
    row = pd.read_csv(out).set_index("param").loc["eps.1"]
    assert abs(row.estimate - 1.2) < 3 * row.stderr
    nc = tmp_path / "fit.nc"  # the NetCDF output holds data, model and the best junction as a model file
    assert cli.main(["fit", str(csv), "--model", str(model), "--lead", "tip", "--spin", "1", "--free", "eps.1",
                     "--bounds", "eps.1=-3:3", "--out", str(nc)]) == 0
    import xarray as xr

    with xr.open_dataset(nc) as ds:
        assert loads(ds.attrs["model"]).eps[0] == pytest.approx(row.estimate, rel=1e-6)
        assert ds.model_dIdV.size == V.size
    # a dimer parameter name on a junction, a missing --spin, a dimer's fit given --lead: refused, named
    assert cli.main(["fit", str(csv), "--preset", "stm", "--free", "t0", "--out", str(out)]) == 2
    assert "unknown parameter 't0'" in capsys.readouterr().err
    esr = tmp_path / "esr.csv"
    pd.DataFrame({"V": V, "f_ESR": np.full(V.size, 10.0)}).to_csv(esr, index=False)
    assert cli.main(["fit", str(esr), "--preset", "stm", "--free", "eps.1", "--out", str(out)]) == 2
    assert "--spin: give the free site whose f_ESR" in capsys.readouterr().err
    assert cli.main(["fit", str(csv), "--model", str(model), "--lead", "drain", "--free", "eps.1", "--out",
                     str(out)]) == 2
    assert "--lead: lead = 'drain': the junction has no such lead; allowed: tip, substrate" in capsys.readouterr().err
    assert cli.main(["fit", str(csv), "--lead", "tip", "--free", "t0", "--out", str(out)]) == 2
    assert "--lead is for a junction" in capsys.readouterr().err
