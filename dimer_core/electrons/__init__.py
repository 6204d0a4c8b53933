"""Electrons: the device Hamiltonian, the leads, the energy integrals and the responses at the leads' chemical
potentials (the first stage of the data flow; docs/physics.md, docs/junction.md).

The paper's dimer (a two-channel route, fast):

==================  ==========================================================================================
energy_grid         energy panels that resolve the resonances; band angles; Gauss–Legendre nodes
integrands          numba kernel: every integrand of the engine at a band angle (G by (A10)–(A15))
tables              Fermi-weighted cumulative integrals, tabulated for maps (T = 0 and T > 0)
assemble            outputs at (mu_L, mu_R) from the tabulated one-dimensional functions, O(1) a point
response            the raw responses χ(0), ∂_E Im χ, C, ⟨s⟩, I at one bias point, by direct quadrature
==================  ==========================================================================================

Any junction (N sites, any leads; docs/junction.md):

==================  ==========================================================================================
hamiltonian         H_D (2N×2N) and the lead self-energies Σ_c(e)
junction_grid       energy panels over the union of the lead bands
junction_response   full 3×3 tensors of every pair at one bias point (``point``)
junction_tables     the junction's cumulative integrals for maps (T = 0 and T > 0)
junction_maps       every response over a (mu_F, V) grid, O(1) a point
==================  ==========================================================================================
"""
__all__ = ["greens", "energy_grid", "integrands", "tables", "assemble", "response", "hamiltonian", "junction_grid",
           "junction_response", "junction_tables", "junction_maps"]
