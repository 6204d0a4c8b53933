"""The command line and the Python API: outputs and clear errors for bad input."""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import dimer_core as dc

KEYS = ("s_1 s_2 J_1 J_2 D_1 D_2 A_1 A_2 K_1 K_2 chi22_DM a_i_22 a_an_22 a_DM_22 a_i_21 a_an_21 a_DM_21 "
        "j_i_22 j_an_22 j_DM_22 j_i_21 j_an_21 T_eff_2 I").split()


DIMER_CORE = os.path.join(os.path.dirname(sys.executable), "dimer-core")
"""The installed console script, next to the interpreter running the tests."""


def run(*args):
    """``dimer-core ARGS`` from a folder outside the checkout."""
    return subprocess.run([DIMER_CORE, *args], capture_output=True, text=True, timeout=300, cwd=tempfile.gettempdir())


def test_point_json_has_exactly_the_keys_and_matches_the_api():
    out = run("point", "--preset", "strong-soc", "--V", "-3", "--mu_F", "0.5", "--that", "1,1,0", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert list(data) == KEYS
    expected = dc.point(dc.preset("strong-soc", V=-3.0, mu_F=0.5, that=(1.0, 1.0, 0.0)))
    for k in KEYS:
        assert data[k] == pytest.approx(expected[k], rel=1e-12, abs=1e-300)


def test_point_table_is_readable():
    out = run("point", "--mu_F", "0", "--V", "8")   # energy injection at mu_L = 4, mu_R = -4? check text
    assert out.returncode == 0
    assert "J_2" in out.stdout and "1/meV" in out.stdout and "nA" in out.stdout


def test_point_table_says_energy_injection():
    out = run("point", "--mu_F", "-2", "--V", "4")   # mu_L = 0, mu_R = -4: a_i_22 < 0
    assert out.returncode == 0
    line = next(l for l in out.stdout.splitlines() if l.startswith("T_eff_2"))
    assert "energy injection" in line


def test_undefined_t_eff_is_said_in_the_table_and_the_maps_note(tmp_path):
    """With the whole band (te = 25) inside the bias window (V = 100 mV) a_i_22 is 0: T_eff was printed as -1.3e18 K."""
    out = run("point", "--te", "25", "--V", "100")
    assert out.returncode == 0, out.stderr
    line = next(l for l in out.stdout.splitlines() if l.startswith("T_eff_2"))
    assert "undefined (|T_eff| > 10000 K or 0/0" in line and "e+" not in line.split("effective")[0]
    assert json.loads(run("point", "--te", "25", "--V", "100", "--json").stdout)["T_eff_2"] is None
    out = run("maps", "--te", "25", "--mu_F", "-1:1:3", "--V", "98:100:2", "--out", str(tmp_path / "m.nc"))
    assert out.returncode == 0, out.stderr
    assert "note: T_eff_2 undefined (NaN) at " in out.stdout
    assert "note" not in run("maps", "--mu_F", "-1:1:3", "--V", "-2:2:5", "--out", str(tmp_path / "n.nc")).stdout


@pytest.mark.parametrize("suffix", [".nc", ".csv"])
def test_maps_files(tmp_path, suffix):
    path = tmp_path / f"m{suffix}"
    out = run("maps", "--preset", "weak-soc", "--mu_F", "-1:1:3", "--V", "-2:2:5", "--out", str(path))
    assert out.returncode == 0, out.stderr
    expected = dc.maps(dc.preset("weak-soc"), np.linspace(-1, 1, 3), np.linspace(-2, 2, 5))
    if suffix == ".nc":
        ds = xr.open_dataset(path)
        np.testing.assert_allclose(ds.D_2.values, expected.D_2.values, rtol=1e-12)
        assert ds.attrs["dimer_core_version"] == dc.__version__
    else:
        df = pd.read_csv(path)
        assert list(df.columns[:2]) == ["mu_F", "V"] and list(df.columns[2:]) == KEYS + ["dimer_core_version"]
        assert (df.dimer_core_version.astype(str) == dc.__version__).all()
        assert len(df) == 15
        np.testing.assert_allclose(df.J_2.values, expected.J_2.values.ravel(), rtol=1e-12)


BAD = [
    (["point", "--t", "30"], "t = 30"),
    (["point", "--T", "-1"], "0 <= T <= 300 K"),
    (["point", "--tL", "abc"], "tL"),
    (["point", "--foo", "1"], "point: unknown option --foo; its options are --preset, --t, "),
    (["point", "--that", "0,0,0"], "that"),
    (["point", "--that", "1,2"], "that"),
    (["point", "--te", "10", "--t0", "20"], "te = 10"),
    (["point", "--preset", "nope"], "preset"),
    (["maps", "--V", "1:2", "--out", "x.nc"], "--V range '1:2' is malformed"),
    (["maps", "--mu_F", "-80:0:3", "--out", "x.nc"], "--mu_F range '-80:0:3' is out of range; allowed: -50 <= LO"),
    (["maps", "--V", "0:1:0", "--out", "x.nc"], "--V"),
    (["maps", "--out", "x.txt"], ".nc"),
]


@pytest.mark.parametrize("args,expected", BAD)
def test_bad_input_exits_2_with_one_line(args, expected):
    out = run(*args)
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], out.stderr
    assert "Traceback" not in out.stderr


def test_api_raises_the_same_messages():
    with pytest.raises(ValueError, match=r"t = 30 is out of range; allowed: 0 <= t <= 20 meV"):
        dc.DimerParams(t=30)
    with pytest.raises(ValueError, match="unknown parameter 'foo'"):
        dc.DimerParams(foo=1)
    with pytest.raises(ValueError, match="te = 10 is too small"):
        dc.point(dc.DimerParams(te=10, t0=20))
    with pytest.raises(ValueError, match="V grid reaches 200"):
        dc.maps(dc.DimerParams(), [0.0], [200.0])
    with pytest.raises(ValueError, match="unknown preset"):
        dc.preset("nope")


def test_sweep_fp_csv_header(tmp_path):
    path = tmp_path / "s.csv"
    out = run("sweep", "--V", "-4:4:9", "--out", str(path))
    assert out.returncode == 0, out.stderr
    df = pd.read_csv(path)
    assert list(df.columns[:4]) == ["V", "Omega_x", "Omega_y", "Omega_z"] and len(df) == 9
    assert df.columns[-1] == "dimer_core_version" and (df.dimer_core_version.astype(str) == dc.__version__).all()
    assert df.Omega_z.iloc[4] < -0.99  # V = 0: antiparallel


def test_sweep_langevin_csv_header_and_progress(tmp_path):
    path = tmp_path / "l.csv"
    out = run("sweep", "--method", "langevin", "--V", "-3:3:3", "--realizations", "4", "--seed", "5",
              "--progress", "--out", str(path))
    assert out.returncode == 0, out.stderr
    assert "100.0%" in out.stderr
    df = pd.read_csv(path)
    assert list(df.columns[:7]) == ["V", "Omega_x", "Omega_y", "Omega_z", "Omega_x_err", "Omega_y_err",
                                    "Omega_z_err"]
    assert df.columns[-1] == "dimer_core_version" and (df.dimer_core_version.astype(str) == dc.__version__).all()
    again = tmp_path / "l2.csv"
    run("sweep", "--method", "langevin", "--V", "-3:3:3", "--realizations", "4", "--seed", "5", "--out", str(again))
    pd.testing.assert_frame_equal(df, pd.read_csv(again))  # the seed fixes the run
    mid = tmp_path / "m.csv"
    out = run("sweep", "--method", "langevin", "--V", "-3:3:3", "--realizations", "4", "--seed", "5",
              "--integrator", "midpoint", "--out", str(mid))
    assert out.returncode == 0 and "(midpoint integrator)" in out.stdout, out.stderr
    other = pd.read_csv(mid)
    assert list(other.columns) == list(df.columns) and not np.allclose(other.Omega_z, df.Omega_z)


def test_sweep_of_a_junction_model_fp_equals_the_dimer_sweep(tmp_path):
    """The dimer written as a model file, spin 2 free under m_1 = z, the dimer's bare terms as options: the
    junction sweep is the dimer's Fokker–Planck sweep (T = 4 K; both routes to 1e-9, tests/test_junction_spins.py)."""
    from dimer_core import junction as J
    from dimer_core.studies.sweeps import fp_sweep

    p = dc.preset("weak-soc", T=4.0)
    model = tmp_path / "dimer.toml"
    J.write_model(J.from_dimer(p), model)
    path = tmp_path / "j.csv"
    out = run("sweep", "--model", str(model), "--free", "2", "--pinned", "1:0,0,1", "--h", "0,0,0.05", "--K_easy",
              "0.2", "--e_easy", "0,0,1", "--K_hard", "0.1", "--n_hard", "1,0,0", "--V", "-4:4:5", "--out", str(path))
    assert out.returncode == 0, out.stderr
    df = pd.read_csv(path)
    ref = fp_sweep(p, np.linspace(-4, 4, 5))
    assert df.columns[0] == "V" and df.columns[-1] == "dimer_core_version"
    for x in "xyz":
        np.testing.assert_allclose(df[f"Omega_{x}"], ref[f"Omega_{x}"].values, atol=1e-8)
    assert {"T_eff_2", "kT_eff", "b_nc_x", "I_L", "I_R", "outside_validity"} <= set(df.columns)


def test_sweep_reads_the_bare_terms_of_the_model_file(tmp_path):
    """The dimer's model file with its bare terms as [spins] gives the sweep of the options; both at once is refused."""
    from dimer_core import junction as J

    p = dc.preset("weak-soc", T=4.0)
    model = tmp_path / "dimer.toml"
    J.write_model(J.from_dimer(p), model, J.OneSpin.from_params(p))
    by_file, by_option = tmp_path / "f.csv", tmp_path / "o.csv"
    common = ["sweep", "--free", "2", "--pinned", "1:0,0,1", "--V", "-4:4:3"]
    assert run(*common, "--model", str(model), "--out", str(by_file)).returncode == 0
    assert run(*common, "--preset", "weak-soc", "--T", "4", "--out", str(by_option)).returncode == 0
    a, b = pd.read_csv(by_file), pd.read_csv(by_option)
    np.testing.assert_allclose(a.Omega_z, b.Omega_z, atol=1e-12)
    out = run(*common, "--model", str(model), "--K_easy", "0.3", "--out", str(tmp_path / "x.csv"))
    assert out.returncode == 2 and "not both" in out.stderr


def test_sweep_of_a_junction_langevin_to_netcdf(tmp_path):
    path = tmp_path / "c.nc"
    out = run("sweep", "--preset", "chain3", "--T", "10", "--free", "1,2,3", "--method", "langevin",
              "--realizations", "2", "--V", "0:1:2", "--integrator", "midpoint", "--out", str(path))
    assert out.returncode == 0, out.stderr
    with xr.open_dataset(path) as ds:
        assert ds.attrs["integrator"] == "midpoint"  # --integrator reaches a junction's sweep
        assert ds.V.attrs["units"] == "mV" and ds.m1_dot_m2.attrs["units"] == "1"
        assert {"m1_x", "m3_z_err", "m1_dot_m3", "m2_dot_m3_err", "T_eff_1", "I_L"} <= set(ds.data_vars)
        assert np.all(np.abs(ds.m1_dot_m2.values) <= 1) and list(ds.attrs["free"]) == [1, 2, 3]


@pytest.mark.parametrize("args,expected", [
    (["sweep", "--preset", "chain3", "--out", "x.csv"], "--free"),
    (["sweep", "--preset", "chain3", "--free", "1,4", "--out", "x.csv"], "--free"),
    (["sweep", "--preset", "chain3", "--free", "1,2", "--out", "x.csv"], "one free site"),
    (["sweep", "--preset", "chain3", "--free", "2", "--pinned", "1:0,0", "--out", "x.csv"], "--pinned"),
    (["sweep", "--preset", "chain3", "--free", "2", "--pinned", "2:0,0,1", "--out", "x.csv"], "pinned site"),
    (["sweep", "--preset", "chain3", "--free", "2", "--t0", "1", "--out", "x.csv"], "--t0"),
    (["sweep", "--preset", "chain3", "--free", "2", "--out", "x.txt"], ".nc"),
])
def test_junction_sweep_bad_input(args, expected):
    out = run(*args)
    assert out.returncode == 2 and expected in out.stderr and "Traceback" not in out.stderr, out.stderr


@pytest.mark.parametrize("args,expected", [
    (["sweep", "--realizations", "1", "--method", "langevin", "--out", "x.csv"], "--realizations"),
    (["sweep", "--out", "x.nc"], ".csv"),
    (["sweep", "--K_easy", "-2", "--out", "x.csv"], "K_easy"),
    (["sweep", "--h", "1,2", "--out", "x.csv"], "h = "),
    (["sweep", "--method", "langevin", "--integrator", "euler", "--out", "x.csv"], "--integrator"),
])
def test_sweep_bad_input(args, expected):
    out = run(*args)
    assert out.returncode == 2 and expected in out.stderr and "Traceback" not in out.stderr


def test_figures_are_images(tmp_path):
    from dimer_core.studies import figures

    path = figures.map_figure("fig6", str(tmp_path), mu_F=np.linspace(-3, 3, 31), V=np.linspace(-6, 6, 31))
    path2 = figures.sweep_figure("fig5", str(tmp_path), V=np.linspace(-4, 4, 5), n_realizations=4)
    import matplotlib.image as mpimg

    for p in (path, path2):
        img = mpimg.imread(p)
        assert img.ndim == 3 and img.shape[0] > 300 and img.std() > 0.05  # a picture, not a blank page


# ----- issue 12: the commands listed, one spelling per option, --out into missing folders -----

COMMANDS = ("point", "maps", "sweep", "study", "figures")


def test_no_command_lists_the_commands(capsys):
    from dimer_core import cli

    assert cli.main([]) == 0
    out = capsys.readouterr().out
    assert all(f"    {c} " in out for c in COMMANDS), out
    assert "dimer-core COMMAND --help" in out


def test_maps_grid_options_are_spelt_as_the_parameters(tmp_path, capsys):
    from dimer_core import cli

    grid = ["--V", "-2:2:5", "--preset", "weak-soc"]
    assert cli.main(["maps", "--mu_F", "-1:1:3", *grid, "--out", str(tmp_path / "a.csv")]) == 0
    assert cli.main(["maps", "--mu-F", "-1:1:3", *grid, "--out", str(tmp_path / "b.csv")]) == 0  # hidden alias
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "a.csv"), pd.read_csv(tmp_path / "b.csv"))
    assert len(pd.read_csv(tmp_path / "a.csv")) == 15
    capsys.readouterr()
    with pytest.raises(SystemExit):
        cli.main(["maps", "--help"])
    text = capsys.readouterr().out
    assert "--mu_F LO:HI:N" in text and "--mu-F" not in text
    assert cli.main(["point", "--mu-F", "0.7", "--V", "3.1", "--json"]) == 0
    assert cli.main(["point", "--mu_F", "0.7", "--V", "3.1", "--json"]) == 0
    first, second = capsys.readouterr().out.splitlines()
    assert json.loads(first) == json.loads(second)


def test_unknown_option_names_the_command_and_its_own_options(capsys):
    from dimer_core import cli

    assert cli.main(["maps", "--mu", "1", "--out", "x.nc"]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: maps: unknown option --mu; its options are --preset")
    assert "--mu_F" in lines[0] and "--json" not in lines[0]


def test_out_creates_missing_folders(tmp_path):
    from dimer_core import cli

    assert cli.main(["maps", "--V", "-1:1:3", "--out", str(tmp_path / "a" / "b" / "m.nc")]) == 0
    assert xr.open_dataset(tmp_path / "a" / "b" / "m.nc").J_2.shape == (201, 3)
    assert cli.main(["sweep", "--V", "-1:1:3", "--out", str(tmp_path / "c" / "d" / "s.csv")]) == 0
    assert len(pd.read_csv(tmp_path / "c" / "d" / "s.csv")) == 3


@pytest.mark.parametrize("args", [
    ["maps", "--V", "-1:1:3", "--out", "{file}/m.nc"],
    ["sweep", "--V", "-1:1:3", "--out", "{file}/sub/s.csv"],
    ["sweep", "--V", "-1:1:3", "--out", "{folder}"],
    ["figures", "--out", "{file}"],
    ["study", "{spec}", "--out", "{file}/s", "--workers", "1"],
])
def test_out_that_cannot_be_written_is_refused_in_one_line(tmp_path, capsys, args):
    from dimer_core import cli

    (tmp_path / "plain").write_text("not a folder")
    (tmp_path / "dir.csv").mkdir()
    (tmp_path / "s.toml").write_text('[study]\nmethod = "fp"\nquantities = ["Omega_z"]\n[axes]\nt = [0.1, 0.2]\n'
                                     '[sweep]\nV = {start = -1, stop = 1, num = 3}\n')
    args = [a.format(file=tmp_path / "plain", folder=tmp_path / "dir.csv", spec=tmp_path / "s.toml") for a in args]
    assert cli.main(args) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: --out "), lines


def test_version_and_an_option_without_a_command(capsys):
    from dimer_core import cli

    with pytest.raises(SystemExit) as info:
        cli.main(["--version"])
    assert info.value.code == 0 and capsys.readouterr().out.strip() == f"dimer_core {dc.__version__}"
    assert cli.main(["--mu_F=1"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: unknown option --mu_F; give a command first, one of point, maps")
