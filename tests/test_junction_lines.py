"""ESR lines, switching rates and the telegraph read-out of any junction (issue 14 on the junction engine of issue 13):
the dimer as a junction gives the dimer's numbers; the current's response to the spins against a closed form."""
import numpy as np
import pandas as pd
import pytest
from scipy import integrate

import dimer_core as dc
from dimer_core import cli
from dimer_core import junction as J
from dimer_core.electrons.current_response import current_change, current_response
from dimer_core.junction import Junction, Lead, from_dimer
from dimer_core.spins.junction_spins import OneSpin
from dimer_core.studies import sweeps
from dimer_core.studies.junction_lines import junction_modes, junction_rates, junction_telegraph
from dimer_core.units import E_OVER_H


def _dimer_as_junction(p):
    return from_dimer(p), dict(free=(2,), pinned={1: p.vector("m1")}, bare=OneSpin.from_params(p))


def test_the_dimer_as_a_junction_has_the_dimers_lines_and_rates():
    """Weak SOC at T = 5 K with K_easy = 4 meV (two wells): the junction route's modes and Fokker–Planck rates equal
    the dimer's modes_sweep and spectral_rates_sweep (the spin models agree to ~1e-11)."""
    p = dc.preset("weak-soc", T=5.0, K_easy=4.0)
    V = np.array([2.0, 3.0])
    junction, spins = _dimer_as_junction(p)
    lines, ref = junction_modes(junction, V, **spins), sweeps.modes_sweep(p, V)
    assert list(lines.component.values) == ["m2_x", "m2_y", "m2_z"]
    for key in ("frequency", "linewidth"):
        np.testing.assert_allclose(lines[key].values, ref[key].values, rtol=1e-7, err_msg=key)
    np.testing.assert_array_equal(lines.stable.values, ref.stable.values)
    rates, ref = junction_rates(junction, V, method="fp", L=24, **spins), sweeps.spectral_rates_sweep(p, V, L=24)
    assert np.isfinite(ref.rate.values).all()
    np.testing.assert_allclose(rates.rate.values, ref.rate.values, rtol=1e-6)
    np.testing.assert_allclose(rates.population.values, ref.population.values, rtol=1e-6)
    assert rates.attrs["free"] == [2] and "[[lead]]" in rates.attrs["model"]


def _spin_valve(p, eps=0.5, v_tip=2.0, v_sub=3.0, te=100.0):
    """One level under a tip polarised along z (eta = 1) over a substrate (eta = 0)."""
    return Junction(eps=(eps,), leads=(Lead("tip", te, (1,), (v_tip,), 1.0, p, (0.0, 0.0, 1.0)),
                                        Lead("substrate", te, (1,), (v_sub,), 0.0)), V=1.0, name="valve").check()


def _valve_current(h, p, eps=0.5, v_tip=2.0, v_sub=3.0, te=100.0, mu_tip=1.0, mu_sub=0.0):
    """Closed form at T = 0 with a field h along z (H = eps − (h/2)·tau_z): the spin channels along z decouple,
    I = (e/h) Σ_σ ∫_{mu_sub}^{mu_tip} Γ_tip,σ Γ_sub |G_σ|² de (nA)."""
    def g(e):  # surface Green's function of a chain of hopping te, |e| < 2te (physics.md, "Leads")
        return (e - 1j * np.sqrt(4 * te ** 2 - e ** 2)) / (2 * te ** 2)

    def transmission(e, s):
        tip, sub = v_tip ** 2 * (1 + s * p) * g(e), v_sub ** 2 * g(e)
        green = 1.0 / (e - (eps - s * h / 2) - tip - sub)
        return 4 * tip.imag * sub.imag * abs(green) ** 2

    return E_OVER_H * sum(integrate.quad(transmission, mu_sub, mu_tip, args=(s,), points=[eps], epsabs=1e-13,
                                         epsrel=1e-12, limit=200)[0] for s in (1, -1))


@pytest.mark.parametrize("p", [0.0, 0.5, 0.9])
def test_current_response_of_a_single_level_spin_valve_is_the_closed_forms(p):
    """∂I_tip/∂h_z against the closed form's central difference; transverse fields change nothing to first order
    (rotations about z); unpolarised leads: no response at all; the substrate's current is −I_tip."""
    junction = _spin_valve(p)
    response = current_response(junction)
    step = 1e-3
    expected = (_valve_current(step, p) - _valve_current(-step, p)) / (2 * step)
    assert response.shape == (2, 1, 3)
    scale = abs(J.point(junction).current.values[0])
    assert scale == pytest.approx(_valve_current(0.0, p), rel=1e-6)
    if p == 0.0:
        np.testing.assert_allclose(response, 0.0, atol=1e-9 * scale)
        return
    assert response[0, 0, 2] == pytest.approx(expected, rel=1e-5)
    np.testing.assert_allclose(response[0, 0, :2], 0.0, atol=1e-9 * abs(expected))
    np.testing.assert_allclose(response[1], -response[0], atol=1e-9 * abs(expected))
    assert current_change(response, [[0.0, 0.0, 1.0]], 12.5)[0] == pytest.approx(12.5 * response[0, 0, 2])


def test_no_current_follows_the_spins_at_equilibrium():
    """V = 0: no current for any field, so G = 0 (the dimer, strong SOC)."""
    junction = from_dimer(dc.preset("strong-soc", V=0.0))
    np.testing.assert_allclose(current_response(junction), 0.0, atol=1e-10)


@pytest.fixture(scope="module")
def stm_trace():
    junction = J.preset("stm-polarised", T=10.0)
    return junction, junction_telegraph(junction, 0.5, 1500.0, free=(1,), bare=OneSpin(K_easy=2.0), seed=1)


def test_the_telegraph_current_is_the_first_order_change_along_the_trace(stm_trace):
    """The tip's current along the trace is I⁰ + ΔS·Σ_a G_a·m_a with the free site's m(t) and the pinned sites'
    directions (+z by default); at the two stable states (up and down under the tip) it differs."""
    junction, ds = stm_trace
    at = junction.updated(V=0.5)
    base = J.point(at).current.values
    response = current_response(at)
    m = np.zeros((ds.sizes["time"], 3, 3))
    m[:, 0] = ds.m.values
    m[:, 1:] = [0.0, 0.0, 1.0]
    expected = base + current_change(response, m, junction.Delta * junction.S)
    np.testing.assert_allclose(ds.I_tip.values, expected[:, 0], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ds.I_substrate.values, expected[:, 1], rtol=1e-10, atol=1e-12)
    states = np.asarray(ds.attrs["states"]).reshape(-1, 3)
    assert ds.sizes["state"] == len(states) == 2 and abs(states[0, 2] * states[1, 2]) > 0.9
    assert abs(ds.I_tip_state.values[0] - ds.I_tip_state.values[1]) > 0.1 * abs(base[0])
    assert "first order in Δ" in ds.attrs["current_note"]
    labels = ds.basin.values
    assert set(labels[labels >= 0]) == {0, 1}  # it switches within 1.5 ns


def test_junction_modes_and_rates_from_the_command_line(tmp_path, capsys):
    """``modes``/``rates`` with a junction preset and ``--free``: lines, Fokker–Planck rates, and a telegraph trace
    with each lead's current; one-line errors naming the option."""
    out = tmp_path / "lines.csv"
    assert cli.main(["modes", "--preset", "chain3", "--free", "2", "--V", "0:2:3", "--out", str(out)]) == 0
    assert "free spin 2 of chain3" in capsys.readouterr().out
    table = pd.read_csv(out)
    assert set(table.V) == {0.0, 1.0, 2.0} and table.frequency.gt(0).all()
    rates, trace = tmp_path / "rates.csv", tmp_path / "trace.csv"
    assert cli.main(["rates", "--preset", "stm-polarised", "--free", "1", "--K_easy", "2", "--T", "10", "--V",
                     "0.5:0.5:1", "--out", str(rates), "--trace", str(trace), "--trace_ps", "300"]) == 0
    said = capsys.readouterr().out
    assert "each lead's current (nA)" in said and "first order in Δ" in said
    assert pd.read_csv(rates).rate.gt(0).all()
    assert {"time", "basin", "I_tip", "I_substrate", "dimer_core_version"} <= set(pd.read_csv(trace).columns)
    assert cli.main(["rates", "--preset", "chain3", "--free", "1,2", "--method", "fp", "--out", str(rates)]) == 2
    assert "--method fp" in capsys.readouterr().err
    assert cli.main(["modes", "--preset", "chain3", "--free", "2", "--mu_F", "-1:1:2", "--out", str(out)]) == 2
    assert "--mu_F LO:HI:N" in capsys.readouterr().err
    assert cli.main(["modes", "--preset", "chain3", "--free", "9", "--out", str(out)]) == 2
    assert "--free" in capsys.readouterr().err


def test_a_pair_of_one_site_is_its_own_terms_everywhere(tmp_path, capsys):
    """``--pair a,a`` (and a study's pair = [a, a]): the site's own terms K_a, chi_aa_DM, a_x_aa, j_x_aa, T_eff_a,
    the same numbers as the pair (b, a) gives for them; a one-site junction defaults to --pair 1,1."""
    import json

    from dimer_core.junction import pair_dataset, pair_view, point
    from dimer_core.junction import maps as junction_maps
    from dimer_core.studies.junction_study import point_values
    from dimer_core.studies.spec import load_spec

    chain = J.preset("chain3", V=2.0)
    assert cli.main(["point", "--preset", "chain3", "--V", "2", "--pair", "2,2", "--json"]) == 0
    own = json.loads(capsys.readouterr().out)
    pair = pair_view(point(chain), 1, 2)
    assert set(own) == {"s_2", "K_2", "chi22_DM", "a_i_22", "a_an_22", "a_DM_22", "j_i_22", "j_an_22", "j_DM_22",
                        "T_eff_2", "I_L", "I_R"}
    for key in ("K_2", "chi22_DM", "a_i_22", "a_DM_22", "j_i_22", "T_eff_2"):
        assert own[key] == pytest.approx(float(pair[key]), rel=1e-12), key
    spec = load_spec({"study": {"method": "maps", "preset": "chain3", "pair": [2, 2]},
                      "map": {"mu_F": [-1.0, 0.5], "V": [0.0, 2.0]}})
    values = point_values(spec, ())
    ref = pair_dataset(junction_maps.maps(J.preset("chain3"), [-1.0, 0.5], [0.0, 2.0], sites=[2]), 2, 2)
    assert set(values) == set(ref.data_vars)
    np.testing.assert_allclose(values["K_2"], ref.K_2.values, rtol=1e-12)
    valve = tmp_path / "valve.csv"
    assert cli.main(["maps", "--model", str(_write(tmp_path, _spin_valve(0.5))), "--mu_F", "-1:1:3", "--V", "0:1:2",
                     "--out", str(valve)]) == 0
    assert {"K_1", "a_i_11", "I_tip"} <= set(pd.read_csv(valve).columns)


def _write(folder, junction):
    path = folder / "model.toml"
    J.write_model(junction, str(path))
    return path

