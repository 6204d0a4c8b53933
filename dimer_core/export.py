"""Writing results: NetCDF and CSV (long format), as files or bytes, named after the parameters."""
import io
import os
import tempfile

FILE_PARAMS = ("t", "t0", "tL", "tR", "T", "mu_F", "V")


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


def csv_text(ds):
    """The dataset in long format: one column per coordinate, then one per variable."""
    buf = io.StringIO()
    ds.to_dataframe().reset_index().to_csv(buf, index=False)
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
