"""Exports: file names from the parameters, NetCDF and CSV that open again."""
import io

import numpy as np
import pandas as pd
import xarray as xr

import dimer_core as dc
from dimer_core.studies import sweeps
from dimer_core.export import csv_text, file_stem, netcdf_bytes


def test_file_stem_names_the_parameters():
    p = dc.preset("strong-soc", mu_F=-1.5, V=2.0, T=10.0)
    assert file_stem(p, "maps", exclude=("mu_F", "V")) == "maps_t1_t02_tL10_tR10_T10"
    assert file_stem(p, "omega", exclude=("V",)) == "omega_t1_t02_tL10_tR10_T10_mu_Fm1.5"


def test_netcdf_and_csv_round_trip(tmp_path):
    ds = sweeps.fp_sweep(dc.preset("weak-soc", mu_F=-2.0), [0.5, 4.0])   # has a boolean variable
    path = tmp_path / "o.nc"
    path.write_bytes(netcdf_bytes(ds))
    back = xr.open_dataset(path)
    np.testing.assert_array_equal(back.Omega_z.values, ds.Omega_z.values)
    assert back.energy_injection.values.tolist() == [0, 1]
    df = pd.read_csv(io.StringIO(csv_text(ds)))
    assert list(df.columns[:4]) == ["V", "Omega_x", "Omega_y", "Omega_z"]
    maps = dc.maps(dc.preset("weak-soc"), [0.0, 1.0], [-1.0, 0.0, 1.0])
    df = pd.read_csv(io.StringIO(csv_text(maps)))
    assert list(df.columns[:3]) == ["mu_F", "V", "s_1"] and len(df) == 6


def test_every_file_says_which_version_made_it(tmp_path):
    """Datasets carry attrs['dimer_core_version'] (NetCDF keeps it), CSV ends with a version column that
    pandas.read_csv reads with its defaults, PNG figures name the version in their Software chunk."""
    import PIL.Image

    from dimer_core.export import VERSION_KEY, stamped, write
    from dimer_core.studies.figures import draw_sweep, png_bytes

    p = dc.preset("weak-soc")
    fp = sweeps.fp_sweep(p, [0.0, 1.0])
    made = {"maps": dc.maps(p, [0.0, 1.0], [-1.0, 0.0, 1.0]), "fp_sweep": fp,
            "current_sweep": sweeps.current_sweep(p, [0.0, 1.0]),
            "langevin_sweep": sweeps.langevin_sweep(p, [0.0], n_realizations=2, t_burn=1.0, t_average=2.0),
            "modes_sweep": sweeps.modes_sweep(p, [0.0])}
    for name, ds in made.items():
        assert ds.attrs[VERSION_KEY] == dc.__version__, name
    maps = made["maps"]
    write(maps, str(tmp_path / "m.nc"))
    assert xr.open_dataset(tmp_path / "m.nc").attrs[VERSION_KEY] == dc.__version__
    write(maps, str(tmp_path / "m.csv"))
    df = pd.read_csv(tmp_path / "m.csv")
    assert df.columns[-1] == VERSION_KEY and (df[VERSION_KEY].astype(str) == dc.__version__).all()
    assert df.select_dtypes("number").shape[1] == len(df.columns) - 1  # the data columns stay numbers
    # the stamp follows the dataset's own version; a table without one gets this version; never twice
    old = fp.copy()
    old.attrs[VERSION_KEY] = "0.0.1"
    assert set(pd.read_csv(io.StringIO(csv_text(old)))[VERSION_KEY].astype(str)) == {"0.0.1"}
    table = stamped(stamped(pd.DataFrame({"V": [0.0, 1.0]})))
    assert list(table.columns) == ["V", VERSION_KEY] and (table[VERSION_KEY] == dc.__version__).all()
    png = tmp_path / "f.png"
    png.write_bytes(png_bytes(draw_sweep(fp, p, "Omega")))
    assert PIL.Image.open(png).text["Software"].startswith(f"dimer_core {dc.__version__} ")
