"""The on-disk store of a parameter study: Zarr results written chunk by chunk, with a manifest.

Layout of a study folder::

    study.json          the checked spec, the plan (task block shape), variables and units,
                        the dimer_core version, the creation time
    results.zarr/       an xarray-readable Zarr store: dims (study axes..., mu_F, V) or
                        (study axes..., V); one variable per quantity; one Zarr chunk per task
    chunks/<id>.json    one marker per stored task block: its region and the SHA-256 of its values
    log.jsonl           one line per block written (an audit trail: nothing is written twice)

A block counts as stored only once its marker exists; the marker is written
(atomically, by rename) after the block's values.  :func:`verified_blocks`
re-reads every marked block and compares its checksum, so a partial write (no
marker), a corrupted or missing Zarr chunk file (unreadable, or a checksum that
differs) is found and its block recomputed.
"""
import datetime
import hashlib
import json
import os
from dataclasses import dataclass

import numpy as np
import xarray as xr
import zarr

RESULTS = "results.zarr"


@dataclass(frozen=True)
class Plan:
    """How a study is cut into tasks.

    Attributes
    ----------
    dims : tuple of str      every dim of the results (study axes, then mu_F, V or V)
    sizes : tuple of int     their lengths
    chunks : tuple of int    the task block's length along each dim (= the Zarr chunks)
    variables : tuple        the stored quantities
    """

    dims: tuple
    sizes: tuple
    chunks: tuple
    variables: tuple

    @property
    def grid(self):
        """Number of blocks along each dim."""
        return tuple(-(-n // c) for n, c in zip(self.sizes, self.chunks))

    def blocks(self):
        """Every block id (a tuple of block indices), in C order."""
        return [tuple(int(i) for i in idx) for idx in np.ndindex(*self.grid)]

    def region(self, block):
        """The slices of a block."""
        return tuple(slice(i * c, min((i + 1) * c, n)) for i, c, n in zip(block, self.chunks, self.sizes))

    def to_dict(self):
        return {"dims": list(self.dims), "sizes": list(self.sizes), "chunks": list(self.chunks),
                "variables": list(self.variables)}

    @classmethod
    def from_dict(cls, d):
        return cls(tuple(d["dims"]), tuple(d["sizes"]), tuple(d["chunks"]), tuple(d["variables"]))


def block_id(block):
    return ".".join(str(i) for i in block)


def checksum(values, variables):
    """SHA-256 of the block's values (float64, C order), variables in ``variables`` order."""
    h = hashlib.sha256()
    for name in variables:
        h.update(np.ascontiguousarray(values[name], dtype=np.float64).tobytes())
    return h.hexdigest()


def create(folder, spec, plan, coords, attrs, version):
    """Lay out a new study folder: study.json and an empty (NaN) results store."""
    os.makedirs(os.path.join(folder, "chunks"), exist_ok=False)
    import dask.array as da

    data = {name: (plan.dims, da.full(plan.sizes, np.nan, chunks=plan.chunks), attrs.get(name, {}))
            for name in plan.variables}
    ds = xr.Dataset(data, coords=coords)
    meta = {"spec": spec.to_dict(), "plan": plan.to_dict(), "dimer_core_version": version,
            "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")}
    ds.attrs.update(study_spec=spec.to_json(), dimer_core_version=version, created=meta["created"], **spec.summary())
    encoding = {name: {"chunks": plan.chunks, "compressors": None} for name in plan.variables}
    ds.to_zarr(os.path.join(folder, RESULTS), mode="w-", compute=False, encoding=encoding, consolidated=False)
    _atomic_write(os.path.join(folder, "study.json"), json.dumps(meta, indent=1))


def read_meta(folder):
    """The study.json of a study folder; ``FileNotFoundError`` if it is not one."""
    path = os.path.join(folder, "study.json")
    if not os.path.exists(path):
        raise FileNotFoundError(f"{folder!r} is not a study folder (no study.json)")
    with open(path) as f:
        return json.load(f)


def write_block(folder, plan, block, values, seconds=None, worker=None):
    """Store one task block: its values into the Zarr store, then its marker and a log line."""
    group = zarr.open_group(os.path.join(folder, RESULTS), mode="r+")
    region = plan.region(block)
    for name in plan.variables:
        group[name][region] = values[name]
    marker = {"block": list(block), "region": [[s.start, s.stop] for s in region],
              "sha256": checksum(values, plan.variables), "seconds": seconds, "worker": worker}
    _atomic_write(_marker_path(folder, block), json.dumps(marker))
    with open(os.path.join(folder, "log.jsonl"), "a") as f:
        f.write(json.dumps({"block": block_id(block), "seconds": seconds, "worker": worker,
                            "at": datetime.datetime.now(datetime.timezone.utc).isoformat()}) + "\n")


def read_block(folder, plan, block):
    """The stored values of one block (dict of arrays)."""
    group = zarr.open_group(os.path.join(folder, RESULTS), mode="r")
    region = plan.region(block)
    return {name: np.asarray(group[name][region]) for name in plan.variables}


def verified_blocks(folder, plan):
    """(blocks whose marker and values agree, {block: reason} for marked blocks that do not)."""
    good, bad = set(), {}
    for block in plan.blocks():
        path = _marker_path(folder, block)
        if not os.path.exists(path):
            continue
        try:
            with open(path) as f:
                marker = json.load(f)
            same = marker["sha256"] == checksum(read_block(folder, plan, block), plan.variables)
            reason = None if same else "values differ from their checksum"
        except Exception as exc:  # an unreadable marker or Zarr chunk: recompute the block
            reason = f"unreadable ({type(exc).__name__}: {exc})"
        if reason is None:
            good.add(block)
        else:
            bad[block] = reason
            os.remove(path)
    return good, bad


def writes_per_block(folder):
    """How many times each block was written, from log.jsonl (audit)."""
    counts = {}
    path = os.path.join(folder, "log.jsonl")
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                b = json.loads(line)["block"]
                counts[b] = counts.get(b, 0) + 1
    return counts


def open_results(folder):
    """The study's results as a lazy :class:`xarray.Dataset` (unfinished blocks read as NaN)."""
    read_meta(folder)
    return xr.open_zarr(os.path.join(folder, RESULTS), consolidated=False)


def is_stored(folder, block):
    """Whether a block has its marker (it is stored, unless damaged since: see :func:`verified_blocks`)."""
    return os.path.exists(_marker_path(folder, block))


def _marker_path(folder, block):
    return os.path.join(folder, "chunks", block_id(block) + ".json")


def _atomic_write(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)

__all__ = ["RESULTS", "Plan", "block_id", "checksum", "create", "read_meta", "write_block", "read_block",
           "verified_blocks", "writes_per_block", "open_results", "is_stored"]
