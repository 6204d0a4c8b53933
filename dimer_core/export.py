"""Writing results: NetCDF and CSV (long format), as files or bytes, named after the parameters.

Every file says which dimer_core made it.  Datasets carry ``attrs["dimer_core_version"]``
(:func:`dimer_core.couplings.dimer.parameter_attrs`), which NetCDF keeps.  A CSV has no place for
attributes that ``pandas.read_csv`` and spreadsheets read without options, so it gets a last
column ``dimer_core_version`` holding the version on every row (:func:`stamped`): the file stays
one plain table, and rows concatenated from files of different versions keep their origin.
"""
import io
import os
import tempfile

from . import __version__

FILE_PARAMS = ("t", "t0", "tL", "tR", "T", "mu_F", "V")
VERSION_KEY = "dimer_core_version"
"""Name of the version stamp: a dataset attribute and a CSV column."""


def file_stem(params, kind, exclude=()):
    """A file name stem like ``maps_t0.1_t02_tL10_tR10_T0`` from the key parameters."""
    parts = [kind]
    for name in FILE_PARAMS:
        if name not in exclude:
            parts.append(f"{name}{getattr(params, name):g}")
    return "_".join(parts).replace("-", "m")


def netcdf_bytes(ds):
    """The dataset as NetCDF-4 bytes (readable by ``xarray.open_dataset`` and any netCDF reader)."""
    clean = ds.copy()
    for name in clean.data_vars:
        if clean[name].dtype == bool:
            clean[name] = clean[name].astype("int8")
    fd, path = tempfile.mkstemp(suffix=".nc")
    os.close(fd)
    try:
        clean.to_netcdf(path, engine="netcdf4")
        with open(path, "rb") as f:
            return f.read()
    finally:
        os.remove(path)


def version_of(ds=None):
    """The version that computed ``ds`` (its ``dimer_core_version`` attribute), else this one."""
    return str(getattr(ds, "attrs", {}).get(VERSION_KEY, __version__))


def stamped(df, ds=None):
    """A copy of the DataFrame ``df`` with the last column ``dimer_core_version`` (:func:`version_of` ``ds``)."""
    df = df.drop(columns=[VERSION_KEY], errors="ignore")
    return df.assign(**{VERSION_KEY: version_of(ds)})


def csv_text(ds):
    """The dataset in long format: one column per coordinate, then one per variable, then the version."""
    buf = io.StringIO()
    stamped(ds.to_dataframe().reset_index(), ds).to_csv(buf, index=False)
    return buf.getvalue()


def write(ds, path):
    """Write ``ds`` to ``path`` by its ending (.nc or .csv); raise ValueError otherwise."""
    if path.endswith(".nc"):
        with open(path, "wb") as f:
            f.write(netcdf_bytes(ds))
    elif path.endswith(".csv"):
        with open(path, "w") as f:
            f.write(csv_text(ds))
    else:
        raise ValueError(f"--out {path!r}: the file name must end in .nc (NetCDF) or .csv")

__all__ = ["FILE_PARAMS", "VERSION_KEY", "file_stem", "netcdf_bytes", "version_of", "stamped", "csv_text", "write"]
