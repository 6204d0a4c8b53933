"""ESR lines over (mu_F, V) maps (issue 14, "Linear modes ... over (mu_F, V) maps")."""
import numpy as np
import pandas as pd
import pytest
import xarray as xr

import dimer_core as dc
from dimer_core import cli
from dimer_core.studies import sweeps
from dimer_core.studies.mode_maps import MAX_MAP_POINTS, line_summary, modes_map

MU_F = np.array([-1.5, 0.7])
V = np.array([-2.0, 0.0, 3.0, 4.5])


@pytest.fixture(scope="module")
def weak_map():
    return modes_map(dc.preset("weak-soc", mu_F=5.0), MU_F, V)


def test_each_row_is_the_sweep_at_its_fermi_level(weak_map):
    """Row i is modes_sweep at mu_F = MU_F[i] (not at the parameters' own mu_F = 5 meV), and the rows differ."""
    assert weak_map.frequency.dims == ("mu_F", "V", "state", "mode")
    for i, mu in enumerate(MU_F):
        row = sweeps.modes_sweep(dc.preset("weak-soc", mu_F=mu), V)
        for key in ("frequency", "linewidth", "stable", "m"):
            np.testing.assert_array_equal(weak_map[key].values[i], row[key].values)
    assert not np.allclose(weak_map.frequency.values[0, :, 0, 0], weak_map.frequency.values[1, :, 0, 0],
                           equal_nan=True)
    assert weak_map.mu_F.attrs["units"] == "meV" and weak_map.frequency.attrs["units"] == "GHz"
    assert "param_mu_F" not in weak_map.attrs and weak_map.attrs["dimer_core_version"] == dc.__version__


def test_the_summary_is_the_lowest_line_of_the_stable_states(weak_map):
    """n_stable, n_unstable and the lowest stable line against a loop over the states of every point."""
    for i in range(MU_F.size):
        for k in range(V.size):
            exists = np.isfinite(weak_map.frequency.values[i, k, :, 0])
            stable = weak_map.stable.values[i, k] & exists
            assert weak_map.n_stable.values[i, k] == stable.sum()
            assert weak_map.n_unstable.values[i, k] == (exists & ~stable).sum()
            lines = [(f, w) for s in np.flatnonzero(stable) for f, w in
                     zip(weak_map.frequency.values[i, k, s], weak_map.linewidth.values[i, k, s])]
            if not lines:
                assert np.isnan(weak_map.frequency_low.values[i, k])
                continue
            f, w = min(lines)
            assert weak_map.frequency_low.values[i, k] == f and weak_map.linewidth_low.values[i, k] == w
            assert w > 0  # a stable state's line decays
            assert weak_map.q_low.values[i, k] == pytest.approx(f / w, rel=1e-12)  # Q = f/FWHM = ω/2Γ
    assert (weak_map.n_stable.values >= 1).all()


def test_summary_of_a_sweep_with_two_spins_counts_both_modes():
    """Both spins free (strong SOC): two modes per state; the lowest line is the lower of the two."""
    ds = sweeps.modes_sweep(dc.preset("strong-soc"), [2.0], spins="both")
    summary = line_summary(ds)
    stable = ds.stable.values[0] & np.isfinite(ds.frequency.values[0, :, 0])
    assert summary.n_stable.values[0] == stable.sum() >= 1
    assert summary.frequency_low.values[0] == np.nanmin(ds.frequency.values[0][stable])


def test_maps_refuse_too_many_points_and_bad_axes():
    p = dc.preset("weak-soc")
    with pytest.raises(ValueError, match=f"at most {MAX_MAP_POINTS}"):
        modes_map(p, np.linspace(-1, 1, 202), np.linspace(-1, 1, 201))
    with pytest.raises(ValueError, match="mu_F"):
        modes_map(p, [np.nan], V)


def test_modes_command_writes_a_map_and_keeps_the_single_fermi_level(tmp_path, capsys):
    """``modes --mu_F LO:HI:N``: a CSV of the per-point summary, a NetCDF of everything; ``--mu_F VALUE`` is the
    sweep at that Fermi level; ``--f`` with a map is refused naming the options."""
    out = tmp_path / "map.csv"
    assert cli.main(["modes", "--mu_F", "-1.5:0.7:2", "--V", "0:3:2", "--out", str(out)]) == 0
    assert "on 2 x 2 (mu_F x V)" in capsys.readouterr().out
    table = pd.read_csv(out)
    assert list(table.columns) == ["mu_F", "V", "n_stable", "n_unstable", "frequency_low", "linewidth_low",
                                   "q_low", "dimer_core_version"]
    direct = sweeps.modes_sweep(dc.preset("weak-soc", mu_F=0.7), [3.0])
    row = table[(table.mu_F == 0.7) & (table.V == 3.0)].iloc[0]
    assert row.frequency_low == pytest.approx(float(line_summary(direct).frequency_low[0]), rel=1e-9)
    nc = tmp_path / "map.nc"
    assert cli.main(["modes", "--mu_F", "-1.5:0.7:2", "--V", "0:3:2", "--out", str(nc)]) == 0
    assert xr.open_dataset(nc).frequency.dims == ("mu_F", "V", "state", "mode")
    single = tmp_path / "one.csv"
    assert cli.main(["modes", "--mu_F", "0.7", "--V", "3:3:1", "--out", str(single)]) == 0
    one = pd.read_csv(single)
    assert one.frequency[(one.state == 0)].iloc[0] == pytest.approx(float(direct.frequency[0, 0, 0]), rel=1e-9)
    capsys.readouterr()
    assert cli.main(["modes", "--mu_F", "-1:1:2", "--f", "1:10:3", "--out", str(tmp_path / "x.nc")]) == 2
    assert "--f" in capsys.readouterr().err
    assert cli.main(["modes", "--mu_F", "-99:1:2", "--out", str(tmp_path / "x.nc")]) == 2
    assert "--mu_F" in capsys.readouterr().err
    assert cli.main(["modes", "--mu_F", "99", "--out", str(tmp_path / "x.nc")]) == 2
    assert "mu_F" in capsys.readouterr().err
