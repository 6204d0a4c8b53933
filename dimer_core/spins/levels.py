"""Quantum levels of the two spins from the computed couplings: where inelastic (spin-flip) steps would sit
in dI/dV — a heuristic bridge, not a result of the model (docs/levels.md).

The model treats the spins classically (S = 5/2, m_a unit vectors).  Experiments on molecular magnets read
spin excitations as steps in dI/dV at eV = ±(E_n − E_0).  Quantising the classical energy of both spins
at one bias, m_a → S_a/S (spin-S operators):

    H = Σ_a [−g_a·S_a/S + (S_a/S)·Q0·(S_a/S)] − ½ Σ_ab (S_a/S)·X^sym_ab·(S_b/S),

with g_a, Q0 and X = (ΔS)²χ(0) (without the self terms χ_aa^(i)·1, constant here) of
:func:`dimer_core.studies.sweeps.dimer_model` (the fields B_a = g_a − 2Q0 m_a + Σ_b X_ab m_b are −∂E/∂m_a for the
symmetric part X^sym = ½(X + Xᵀ) of the 6 × 6 matrix).  Out of equilibrium the antisymmetric part of X is a
nonconservative torque that no Hamiltonian holds: it is left out, and its size is reported
(``nonconservative``).  The step heights follow the spin-flip rule of tunnelling spectroscopy,
Σ_i |⟨n|S_a^i|0⟩|² for an electron exchanging spin with site a (for a = 1, 2).
"""
import numpy as np
import xarray as xr

__all__ = ["spin_matrices", "two_spin_hamiltonian", "levels"]


def spin_matrices(s):
    """(S_x, S_y, S_z) of spin s, (2s+1) × (2s+1), basis m = s, s−1, …, −s."""
    m = np.arange(s, -s - 1, -1)
    plus = np.diag(np.sqrt(s * (s + 1) - m[1:] * (m[1:] + 1)), 1)
    return 0.5 * (plus + plus.T), -0.5j * (plus - plus.T), np.diag(m).astype(complex)


def two_spin_hamiltonian(g, q0, x, s):
    """H (meV) of the module docstring on the (2s+1)² states, and the spin operators of both sites
    (2, 3, dim, dim), for g (6,), q0 (3, 3), x (6, 6)."""
    single = np.array(spin_matrices(s)) / s
    eye = np.eye(single.shape[-1])
    ops = np.array([[np.kron(o, eye) for o in single], [np.kron(eye, o) for o in single]])
    xs = 0.5 * (x + x.T)
    h = np.zeros(ops.shape[-2:], dtype=complex)
    for a in range(2):
        h -= np.einsum("i,ijk->jk", g[3 * a:3 * a + 3], ops[a])
        h += np.einsum("ij,ikl,jlm->km", q0, ops[a], ops[a])
        for b in range(2):
            h -= 0.5 * np.einsum("ij,ikl,jlm->km", xs[3 * a:3 * a + 3, 3 * b:3 * b + 3], ops[a], ops[b])
    return 0.5 * (h + h.conj().T), ops * s


def levels(params, V, n_levels=8, terms="full"):
    """The lowest ``n_levels`` excitation energies E_n − E_0 (meV: step positions eV = ±(E_n − E_0) in mV)
    and spin-flip step weights per site, at each bias of V (mV), as an :class:`xarray.Dataset` on (V, level).

    ``nonconservative`` (V,): the largest entry of X's antisymmetric part over that of X (left out of H).
    """
    from ..couplings.dimer import parameter_attrs
    from ..studies.sweeps import dimer_model

    model = dimer_model(params, V, terms)  # checks the parameters and the grid
    V = np.atleast_1d(np.asarray(V, dtype=float))
    s = float(params.S)
    if abs(2 * s - round(2 * s)) > 1e-12:
        raise ValueError(f"S = {s!r}: the quantum levels need a half-integer or integer spin")
    q0 = np.asarray(model.Q0, float)
    energy = np.full((V.size, n_levels), np.nan)
    weight = np.full((V.size, 2, n_levels), np.nan)
    ratio = np.zeros(V.size)
    for k in range(V.size):
        x = np.asarray(model.X[k], float)
        ratio[k] = np.abs(x - x.T).max() / 2.0 / max(np.abs(x).max(), 1e-300)
        h, ops = two_spin_hamiltonian(np.asarray(model.g[k], float), q0, x, s)
        e, vec = np.linalg.eigh(h)
        count = min(n_levels, e.size)
        energy[k, :count] = e[:count] - e[0]
        ground = vec[:, 0]
        for a in range(2):
            amp = np.einsum("ijk,k->ij", ops[a], ground) @ vec[:, :count].conj()
            weight[k, a, :count] = (np.abs(amp) ** 2).sum(axis=0)
    return xr.Dataset(
        {"excitation": (("V", "level"), energy, {"units": "meV", "description": "E_n − E_0: a step at eV = ±this"}),
         "step_weight": (("V", "site", "level"), weight,
                         {"units": "1", "description": "Σ_i |<n|S_a^i|0>|² (spin-flip step height, site a)"}),
         "nonconservative": ("V", ratio, {"units": "1", "description": "antisymmetric part of X left out, "
                                                                       "relative to X"})},
        coords={"V": ("V", V, {"units": "mV", "long_name": "bias voltage"}), "level": np.arange(n_levels),
                "site": [1, 2]},
        attrs={**parameter_attrs(params, exclude=("V",)), "method": "quantised classical energy (heuristic)",
               "terms": terms})
