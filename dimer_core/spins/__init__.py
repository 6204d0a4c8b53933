"""Spins: the energy and fields of the localized spins, their stochastic LLG and what follows from it (the third
stage of the data flow; docs/physics.md, docs/stochastic.md, docs/modes.md, docs/rates.md, docs/levels.md).

==================  ==========================================================================================
pinned              one free spin with m_1 pinned: energy, torques, the Fokker–Planck mean orientation
drift               the LLG drift for n free spins, noise-induced part included (numba)
rng                 counter-based normal numbers for numba kernels
integrators         step kernels chosen by name (heun, midpoint) and their registry
langevin            spin models (pinned, dimer, any), trajectories and ensembles with progress and cancel
junction_spins      any junction's tensors as the blocks of the LLG (``spin_model``)
modes               linear modes (ESR lines) around stationary states, rf absorption
rates               switching: dwell times by Langevin counting, the uniaxial exact MFPT
fp_spectrum         switching rates of one free spin from the Fokker–Planck operator in spherical harmonics
levels              two-spin quantum levels from the couplings (a heuristic bridge)
==================  ==========================================================================================
"""
__all__ = ["pinned", "drift", "rng", "integrators", "langevin", "junction_spins", "modes", "rates", "fp_spectrum", "levels"]
