"""Couplings: the named quantities (J, D, anisotropies, damping, noise, T_eff) read from the electrons'
responses (the second stage of the data flow; docs/physics.md, docs/junction.md, "Named views").

==================  ==========================================================================================
dimer               the dimer's named couplings at a point (``point``) and over mu_F × V maps (``maps``), cached
views               any junction's named couplings as views of its tensors, each defined once (``VIEWS``); the
                    dimer's keys are read from there
temperature         the effective temperature T_eff = j^(i)/(2ħS·a^(i))/k_B and its bound
==================  ==========================================================================================
"""
__all__ = ["dimer", "views", "temperature"]
