"""The junction model: validation messages, presets, from_dimer, TOML model files, and the CLI's junction point."""
import json
import os
import re
import subprocess
import sys

import numpy as np
import pytest

import dimer_core as dc
from dimer_core import junction as J
from dimer_core.cli import main

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = [os.path.join(ROOT, "examples", f) for f in ("junction_chain3.toml", "junction_ring4.toml",
                                                        "junction_stm.toml")]


def _leads():
    return (J.Lead("L", 100.0, (1,), (10.0,), 0.5), J.Lead("R", 100.0, (2,), (10.0,), -0.5))


@pytest.mark.parametrize("kwargs,message", [
    (dict(eps=()), "eps has 0 entries: the number of sites is out of range; allowed: 1 <= N <= 8"),
    (dict(eps=(0.0,) * 9), "allowed: 1 <= N <= 8"),
    (dict(eps=(0.0, 60.0)), "site 2: eps = 60.0 is out of range; allowed: -50 <= eps <= 50 meV"),
    (dict(bonds=(J.Bond(1, 2, 25.0, 0.0),)), "bond 1: t0 = 25.0 is out of range; allowed: -20 <= t0 <= 20 meV"),
    (dict(bonds=(J.Bond(1, 3, 1.0, 0.0),)), "bond 1: b = 3 is out of range; allowed: 1 <= site <= 2"),
    (dict(bonds=(J.Bond(1, 1, 1.0, 0.0),)), "bond 1: a = b = 1"),
    (dict(bonds=(J.Bond(1, 2), J.Bond(2, 1))), "bond 2: sites 1, 2 are already bonded"),
    (dict(leads=_leads()[:1]), "the junction has 1 leads; allowed: 2 <= leads <= 8"),
    (dict(leads=(J.Lead("L", 5.0, (1,), (10.0,)), _leads()[1])),
     "lead 'L': te = 5.0 is out of range; allowed: 10 <= te <= 1000 meV"),
    (dict(leads=(J.Lead("L", 100.0, (1,), (10.0,), p=1.0), _leads()[1])),
     "lead 'L': p = 1.0 is out of range; allowed: 0 <= p < 1"),
    (dict(leads=(J.Lead("L", 100.0, (1,), (10.0,), eta=2.0), _leads()[1])),
     "lead 'L': eta = 2.0 is out of range; allowed: -1 <= eta <= 1"),
    (dict(leads=(J.Lead("L", 100.0, (1,), (0.1,)), _leads()[1])),
     "lead 'L': t = (0.1,): no contact; allowed: its largest hopping >= 0.5 meV"),
    (dict(leads=(J.Lead("L", 100.0, (1,), (60.0,)), _leads()[1])),
     "lead 'L': hopping = 60.0 is out of range; allowed: 0 <= hopping <= 50 meV"),
    (dict(leads=(J.Lead("L", 100.0, (1,), (1.0,), n=(0, 0, 0)), _leads()[1])), "lead 'L': n = (0.0, 0.0, 0.0) has zero length"),
    (dict(leads=(_leads()[0], _leads()[0])), "lead 2: name 'L' is already used"),
    (dict(V=200.0), "V = 200.0 is out of range; allowed: -100 <= V <= 100 mV"),
    (dict(T=-1.0), "T = -1.0 is out of range; allowed: 0 <= T <= 300 K"),
    (dict(that=(0, 0, 0)), "that = (0.0, 0.0, 0.0) has zero length"),
])
def test_validation_names_the_parameter_and_its_range(kwargs, message):
    base = dict(eps=(0.0, 0.0), bonds=(J.Bond(1, 2, 2.0, 0.1),), leads=_leads())
    with pytest.raises(ValueError) as err:
        J.Junction(**{**base, **kwargs})
    assert message in str(err.value)


def test_bound_state_outside_the_bands_is_refused():
    j = J.Junction(eps=(45.0, 0.0), bonds=(J.Bond(1, 2, 20.0, 0.0),),
                   leads=(J.Lead("L", 10.0, (1,), (20.0,), 0.5), J.Lead("R", 10.0, (2,), (1.0,), -0.5)))
    with pytest.raises(ValueError, match="bound state outside the lead bands"):
        J.point(j)


def test_check_answers_from_its_cache_as_it_did_first():
    """check() remembers its answer per (eps, bonds, leads, that): asked again, also with other mu_F, V, T, S, the
    same refusal or the same admissible junction; a change of the SOC axis against a polarised lead is a new model."""
    bad = J.Junction(eps=(45.0, 0.0), bonds=(J.Bond(1, 2, 20.0, 0.0),),
                     leads=(J.Lead("L", 10.0, (1,), (20.0,), 0.5), J.Lead("R", 10.0, (2,), (1.0,), -0.5)))
    for j in (bad, bad, bad.updated(mu_F=1.0, V=-2.0, T=3.0, S=1.0)):
        with pytest.raises(ValueError, match="bound state outside the lead bands"):
            j.check()
    good = J.preset("stm-polarised")
    for j in (good, good, good.updated(mu_F=-1.0, V=3.0, T=5.0), good.updated(that=(0.0, 0.0, 1.0))):
        assert j.check() is j


def test_from_dimer_and_presets():
    p = dc.preset("weak-soc", mu_F=0.3, V=-1.0, T=4.0, tR=7.0, eps2=0.2)
    j = J.from_dimer(p)
    assert j.eps == (0.0, 0.2) and j.bonds == (J.Bond(1, 2, 2.0, 0.1),)
    assert [(c.name, c.sites, c.t, c.eta) for c in j.leads] == [("L", (1,), (10.0,), 0.5), ("R", (2,), (7.0,), -0.5)]
    np.testing.assert_allclose(j.chemical_potentials, [p.mu_F + p.V / 2, p.mu_F - p.V / 2])
    assert (j.T, j.S, j.Delta, j.that) == (4.0, p.S, p.Delta, p.that)
    for name in J.PRESETS:
        assert J.preset(name).check().name == name
    assert J.preset("dimer-strong-soc").bonds[0].t == 1.0
    assert J.preset("ring4", V=2.0).V == 2.0
    with pytest.raises(ValueError, match="unknown junction preset 'nope'; known: dimer-weak-soc"):
        J.preset("nope")


@pytest.mark.parametrize("name", list(J.PRESETS))
def test_toml_round_trip(tmp_path, name):
    j = J.preset(name, mu_F=0.123456789012345, V=-1.5, T=7.25)
    path = tmp_path / "m.toml"
    J.write_model(j, path)
    assert J.read_model(path) == j
    assert J.loads(J.dumps(j)) == j


def test_bare_spin_terms_round_trip_common_and_per_site(tmp_path):
    """[spins] for every site, a site's own fields over it; none given reads back as None."""
    j = J.preset("chain3")
    common = J.OneSpin(h=(0.0, 0.1, 0.05), K_easy=0.2, e_easy=(0.0, 0.0, 1.0), K_hard=0.1, n_hard=(1.0, 0.0, 0.0))
    assert J.loads_spins(J.dumps(j)) is None
    assert J.loads_spins(J.dumps(j, common)) == [common] * 3 and J.loads(J.dumps(j, common)) == j
    per_site = [common, J.OneSpin(K_easy=0.7, e_easy=(0.0, 1.0, 0.0)), J.OneSpin()]
    path = tmp_path / "m.toml"
    J.write_model(j, path, per_site)
    assert J.read_spins(path) == per_site and J.read_model(path) == j
    text = J.dumps(j, common).replace("[[site]]\neps = 0.0         # meV", "[[site]]\neps = 0.0\nK_hard = 0.4", 1)
    got = J.loads_spins(text)
    assert got[0].K_hard == 0.4 and got[0].K_easy == 0.2 and got[1] == common


@pytest.mark.parametrize("text,message", [
    ("[spins]\nK_easy = -1\n[[site]]\neps = 0.0", "site 1: bare terms: K_easy = -1 is out of range"),
    ("[spins]\nD = 1\n[[site]]\neps = 0.0", "[spins]: unknown field 'D'"),
    ("[[site]]\neps = 0.0\nn_hard = [0, 0, 0]", "site 1: bare terms: n_hard"),
])
def test_bad_bare_terms_name_the_entry(text, message):
    for read in (J.loads_spins, J.loads):
        with pytest.raises(ValueError) as err:
            read(text, source="m.toml")
        assert str(err.value).startswith("m.toml: ") and message in str(err.value), str(err.value)


@pytest.mark.parametrize("path", EXAMPLES)
def test_example_files_load(path):
    j = J.read_model(path)
    assert j.check().n_sites >= 3


@pytest.mark.parametrize("text,message", [
    ("name = 1 2", "not valid TOML"),
    ("foo = 1\n[[site]]\neps = 0.0", "unknown key 'foo'"),
    ("[[site]]\neps = 0.0\nlevel = 1", "site 1: unknown field 'level'"),
    ("[[site]]\neps = 0.0\n[[site]]\neps = 0.0\n[[lead]]\nname = 'a'\nte = 100\nsites = [1]\nt = [3.0]\n"
     "[[lead]]\nname = 'b'\nte = 100\nsites = [3]\nt = [3.0]", "lead 'b': sites = 3 is out of range; allowed: 1 <= site <= 2"),
    ("[[site]]\neps = 0.0\n[[site]]\neps = 0.0\n[[lead]]\nte = 100\nsites = [1]\n", "lead 1: missing field 't'"),
])
def test_bad_model_text_names_the_entry(text, message):
    with pytest.raises(ValueError) as err:
        J.loads(text, source="m.toml")
    assert str(err.value).startswith("m.toml: ") and message in str(err.value)


def test_views_table_defines_the_dimer_names():
    ds = J.point(J.preset("chain3", mu_F=0.5, V=2.0, T=3.0))
    S = ds.attrs["S"]
    parts = J.parts(ds)
    assert J.value(ds, "J_21") == pytest.approx(S ** 2 * float(parts.chi.sel(site_a=2, site_b=1, part="i")))
    assert J.value(ds, "D_2") == J.value(ds, "D_21") and J.value(ds, "J_1") == J.value(ds, "J_12")
    assert J.value(ds, "I") == float(ds.current.values[0]) == J.value(ds, "I_L")
    assert J.value(ds, "a_an_33") == pytest.approx(S * float(parts.dchi.sel(site_a=3, site_b=3, part="an")))
    assert J.describe("J_23")[0] == "1/meV" and J.describe("j_i_11")[0] == "ps" and J.describe("J_2") == J.describe("J_21")
    with pytest.raises(KeyError, match="site 5 is not in the junction"):
        J.value(ds, "J_15")
    with pytest.raises(KeyError, match="unknown quantity"):
        J.value(ds, "Q_12")
    keys = J.pair_keys(ds, 1, 2)
    assert keys[:4] == ["s_1", "s_2", "J_12", "J_21"] and keys[-2:] == ["I_L", "I_R"]



def test_the_dimers_keys_are_read_off_the_views():
    """The dimer's named keys are defined once, in VIEWS: each reads the raw response its view names."""
    from dimer_core.couplings.dimer import NAMED_FROM_RAW
    from dimer_core.couplings.dimer import raw_of
    from dimer_core.electrons.response import RAW
    assert raw_of("J_2") == ("chi_21_i", 2) and raw_of("D_1") == ("chi_12_DM", 2) and raw_of("K_2") == ("chi_22_an", 2)
    assert raw_of("a_DM_21") == ("dchi_21_DM", 1) and raw_of("j_i_22") == ("noise_22_i", 2)
    assert raw_of("s_1") == ("spin_1", 1) and raw_of("I") == ("current", 0) and raw_of("chi22_DM") == ("chi_22_DM", 0)
    assert set(NAMED_FROM_RAW) == set(dc.QUANTITIES) - {"T_eff_2"}
    assert all(raw in RAW for raw, _ in NAMED_FROM_RAW.values())
    with pytest.raises(KeyError, match="derived"):
        raw_of("T_eff_2")

def _cli(*argv, cwd=None):
    exe = os.path.join(os.path.dirname(sys.executable), "dimer-core")
    return subprocess.run([exe, *argv], cwd=cwd or ROOT, capture_output=True, text=True, timeout=300)


def test_cli_point_with_a_model_file_and_a_pair(capsys):
    assert main(["point", "--model", EXAMPLES[0], "--pair", "2,3", "--V", "2", "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    ds = J.point(J.read_model(EXAMPLES[0]).updated(V=2.0))
    assert got == pytest.approx(J.pair_view(ds, 2, 3), rel=1e-12)
    assert main(["point", "--preset", "stm-polarised", "--V", "1.5"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# stm-polarised: 3 sites, leads tip (mu = 1.5 meV, p = 0.5), substrate (mu = 0 meV)")
    assert "J_12" in out and "1/meV" in out and "polarised leads" in out
    assert main(["point", "--preset", "weak-soc", "--mu_F", "0.7", "--V", "3.1", "--pair", "1,2", "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert got["J_21"] == pytest.approx(dc.point(dc.preset("weak-soc", mu_F=0.7, V=3.1))["J_2"], rel=1e-9)


@pytest.mark.parametrize("argv,message", [
    (["point", "--preset", "chain3", "--tL", "3"], "error: --tL is a parameter of the dimer presets"),
    (["point", "--preset", "chain3", "--pair", "1,4"], "error: --pair '1,4' is out of range; allowed: sites 1 <= a, b <= 3"),
    (["point", "--preset", "chain3", "--pair", "x"], "error: --pair 'x' is malformed"),
    (["point", "--model", "nowhere.toml"], "error: nowhere.toml: cannot read the model file"),
    (["point", "--preset", "chain3", "--V", "500"], "error: V = 500.0 is out of range; allowed: -100 <= V <= 100 mV"),
])
def test_cli_junction_errors(capsys, argv, message):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith(message) and len(err.strip().splitlines()) == 1


def test_cli_dimer_point_is_unchanged(capsys):
    assert main(["point", "--preset", "strong-soc", "--V", "-3", "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert list(got) == list(dc.QUANTITIES)


def test_a_state_that_touches_no_lead_is_refused_and_an_isolated_site_is_not():
    """A four-site ring of equal bonds with leads on 1 and 3 hides |2> − |4> (spin up and down) from both leads:
    a real pole of G^R whose occupation no lead sets (point() gave a singular matrix at mu_F = 0 and moved by
    8 % / 70 % under refine = 2 above it).  check() names it; the ring4 preset has a weaker bond 4–1 and no such
    state, and its point at mu_F = 0 is finite; a site with no bond and no lead stays allowed."""
    bonds = [J.Bond(a, a % 4 + 1, 2.0, 0.2) for a in range(1, 5)]
    leads = [J.Lead("L", 100.0, (1,), (10.0,), 0.5), J.Lead("R", 100.0, (3,), (10.0,), -0.5)]
    equal = J.Junction(eps=(0.0,) * 4, bonds=bonds, leads=leads)
    np.testing.assert_allclose(equal.isolated_levels(), [0.0, 0.0], atol=1e-12)
    with pytest.raises(ValueError, match=r"state at e = .* meV that touches no lead.*allowed: junctions whose"):
        equal.check()
    ring = J.preset("ring4")
    assert ring.isolated_levels().size == 0
    ds = J.point(ring)
    assert all(np.isfinite(ds[k].values).all() for k in ("chi", "dchi", "noise", "spin"))
    lone = J.Junction(eps=(0.0, 0.0, 0.0), bonds=[J.Bond(1, 2, 2.0, 0.1)],
                      leads=[J.Lead("L", 100.0, (1,), (10.0,), 0.5), J.Lead("R", 100.0, (2,), (10.0,), -0.5)])
    assert lone.isolated_levels().size == 0 and lone.check() is lone


def _weakly_reached(contact):
    """Sites 1–2 between leads L (on 1) and R (on 2); site 3 reached only by L's ``contact`` (meV)."""
    return J.Junction(eps=(0.5, -0.3, 1.0), bonds=[J.Bond(1, 2, 2.0, 0.2)],
                      leads=[J.Lead("L", 100.0, (1, 3), (5.0, contact), 0.5), J.Lead("R", 100.0, (2,), (5.0,), -0.5)])


def test_a_resonance_too_narrow_to_resolve_is_refused():
    """A level reached by a contact of 3e-3 meV has a resonance 8.6e-8 meV wide: refining the energy grid 3×
    moved ∂_E Im χ there by 4e-6, at 1e-3 meV (9.6e-9 meV wide) by 1e-2, at 1e-4 meV by 4× (point() returned
    such numbers); check() refuses it, naming the state and the allowed width.  The first-order width it uses
    equals the pole of G^R (junction_grid.resonances, the fixed point on H_D + Σ) to 5 % (2.4 % here)."""
    from dimer_core.electrons.junction_grid import resonances

    admitted = _weakly_reached(0.01)
    energy, width = admitted.narrowest_level()
    poles = resonances(admitted)
    pole = poles[np.argmin(np.abs(poles.imag))]
    assert energy == pytest.approx(1.0, abs=1e-6) and width == pytest.approx(abs(pole.imag), rel=5e-2)
    assert width > J.model.MIN_WIDTH and admitted.check() is admitted
    for contact in (3e-3, 1e-4):
        with pytest.raises(ValueError, match=r"state at e = 1 meV whose resonance is only .* meV wide.*allowed: every "
                                             r"resonance at least 5e-07 meV wide"):
            _weakly_reached(contact).check()
    assert all(J.preset(name).narrowest_level()[1] > 1e-3 for name in J.PRESETS)


def test_oblique_directions_survive_a_model_file_round_trip_exactly():
    """unit_vector returns a unit vector as it is (normalising again moved the last bit of some oblique ones, so a
    model written and read back differed from the one written)."""
    from dimer_core.params import unit_vector

    rng = np.random.default_rng(4)
    for v in rng.normal(size=(200, 3)):
        u = unit_vector("that", v)
        assert unit_vector("that", u) == u
    junction = J.preset("chain3", that=(1.0, 2.0, 3.0))
    assert J.loads(J.dumps(junction)) == junction


def test_dotted_names_set_the_fields_they_name():
    """junction.named (the axes of a junction study): each dotted name changes exactly its field."""
    from dimer_core.junction import Bond, Lead, preset
    from dimer_core.junction.named import is_vector, unit, with_values

    stm = preset("stm-polarised")
    got = with_values(stm, {"eps.2": 0.5, "bond.2-1.t0": 1.5, "bond.2-3.t": -0.3, "lead.tip.te": 90.0,
                            "lead.substrate.t": 6.0, "lead.substrate.t.3": 2.0, "lead.tip.p": 0.2,
                            "lead.tip.n": (0.0, 3.0, 4.0), "lead.substrate.eta": -0.1, "that": (0, 0, 2),
                            "T": 7.0, "mu_F": 1.0})
    want = stm.updated(eps=(0.0, 0.5, 0.0), bonds=(Bond(1, 2, 1.5, 0.1), Bond(2, 3, 2.0, -0.3)),
                       leads=(Lead("tip", 90.0, (1,), (2.0,), 1.0, 0.2, (0.0, 0.6, 0.8)),
                              Lead("substrate", 100.0, (1, 2, 3), (6.0, 6.0, 2.0), -0.1)),
                       that=(0.0, 0.0, 1.0), T=7.0, mu_F=1.0)
    assert got == want
    assert with_values(stm, {}) == stm
    assert is_vector("lead.tip.n") and is_vector("that") and not is_vector("lead.tip.t.1")
    assert (unit("bond.1-2.t0"), unit("lead.L.p"), unit("T"), unit("V")) == ("meV", "1", "K", "mV")
    for name, value, message in [("lead.tip.t.2", 1.0, "lead 'tip' does not touch site 2; allowed: its sites 1"),
                                 ("bond.1-3.t", 0.1, "sites 1, 3 are not bonded; allowed: the bonds 1-2, 2-3"),
                                 ("lead.tip.eta", 2.0, "eta = 2.0 is out of range; allowed: -1 <= eta <= 1"),
                                 ("lead.tip.p.1", 0.1, "unknown parameter 'lead.tip.p.1'")]:
        with pytest.raises(ValueError, match=re.escape(message)):
            with_values(stm, {name: value})
