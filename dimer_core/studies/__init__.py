"""Studies: bias sweeps, parameter studies on Dask, fits and the paper's figures (the last stage of the data flow,
on top of electrons → couplings → spins; docs/physics.md, docs/fitting.md, docs/junction.md).

==================  ==========================================================================================
sweeps              bias sweeps of the dimer's dynamics (FP, Langevin, modes, rates) as labelled datasets
junction_sweeps     bias sweeps of any junction's spins (FP one free spin, Langevin any)
junction_study      a junction in a study: its dotted parameters, outputs and the work of one grid point
spec                the TOML spec of a parameter study, checked entry by entry
store               the resumable, checksummed Zarr store of a study
run                 running a study on Dask (local or a scheduler), resuming it
timing              how long a sweep will take, before it runs (one bias timed and scaled; Langevin budgets)
fitting             least-squares fits of the model to measured curves
figures             the paper's figures as PNG files
==================  ==========================================================================================
"""
__all__ = ["sweeps", "junction_sweeps", "junction_study", "spec", "store", "run", "timing", "fitting", "figures"]
