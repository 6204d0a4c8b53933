"""Exports: file names from the parameters, NetCDF and CSV that open again."""
import io

import numpy as np
import pandas as pd
import xarray as xr

import dimer_core as dc
from dimer_core import sweeps
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
