"""Metropolis sampling of classical unit spins, exp(−E/k_B T), for many independent chains at once (NumPy).

Shares no code with dimer_core: the energy is a plain function of the states written in the test, and the
sampler knows only E.  Single-spin moves m → (m + δ·ξ)/|m + δ·ξ| with ξ an isotropic Gaussian: the proposal
density depends only on the angle between m and the new direction, so it is symmetric with respect to the
uniform measure on the sphere and the plain Metropolis rule samples exp(−E/k_B T).
"""
import numpy as np


def metropolis(energy, n_spins, kt, n_chains=2000, n_sweeps=3000, n_burn=500, step=0.6, seed=0):
    """Chain-averaged <m_a> and <m_a·m_b> with standard errors.

    energy : callable, states (C, n, 3) → (C,) energies (meV)
    kt : k_B T (meV)

    Returns (mean, err) dicts: keys ("m", a) → (3,) arrays, ("dot", a, b) → floats (a < b, 0-based).  The error
    is the spread of the per-chain time averages over √n_chains (independent chains).
    """
    rng = np.random.default_rng(seed)
    m = rng.normal(size=(n_chains, n_spins, 3))
    m /= np.linalg.norm(m, axis=-1, keepdims=True)
    e = energy(m)
    pairs = [(a, b) for a in range(n_spins) for b in range(a + 1, n_spins)]
    sum_m = np.zeros((n_chains, n_spins, 3))
    sum_dot = np.zeros((n_chains, len(pairs)))
    for sweep in range(n_burn + n_sweeps):
        for a in range(n_spins):
            trial = m.copy()
            new = m[:, a] + step * rng.normal(size=(n_chains, 3))
            trial[:, a] = new / np.linalg.norm(new, axis=-1, keepdims=True)
            e_trial = energy(trial)
            accept = rng.random(n_chains) < np.exp(np.minimum(0.0, -(e_trial - e) / kt))
            m[accept] = trial[accept]
            e = np.where(accept, e_trial, e)
        if sweep >= n_burn:
            sum_m += m
            sum_dot += np.stack([np.einsum("ci,ci->c", m[:, a], m[:, b]) for a, b in pairs], axis=1)
    avg_m, avg_dot = sum_m / n_sweeps, sum_dot / n_sweeps
    root = np.sqrt(n_chains)
    mean = {("m", a): avg_m[:, a].mean(axis=0) for a in range(n_spins)}
    err = {("m", a): avg_m[:, a].std(axis=0, ddof=1) / root for a in range(n_spins)}
    for k, (a, b) in enumerate(pairs):
        mean[("dot", a, b)] = float(avg_dot[:, k].mean())
        err[("dot", a, b)] = float(avg_dot[:, k].std(ddof=1) / root)
    return mean, err
