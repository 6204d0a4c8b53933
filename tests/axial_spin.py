"""<m_z>(t) of one spin in a field along z with damping α = a·1 + w·W (W v = v × ẑ) and noise obeying
fluctuation–dissipation, from its Fokker–Planck equation: a reference at a fixed time for the weak order
of the Langevin integrators (docs/stochastic.md, "The midpoint integrator").  Imports nothing from dimer_core.

Everything is symmetric about z, so x = m_z is a diffusion of its own on [−1, 1].  The W part only rescales
ħS by 1 + w·x (ħS·m × (ṁ × ẑ) = ħS·x·ṁ), so the symmetric part of the mobility is κ(x)·Π with

    κ(x) = a / (ħS·((1 + w x)² + a²))        (1/(meV·ps)),

and the diffusion coefficient of x is σ²(x) = 2 k_B T·κ(x)·(1 − x²) (D = 2 k_B T Kˢ, docs/stochastic.md,
"The equation solved for ṁ").  A one-dimensional diffusion on [−1, 1] whose coefficient vanishes at the
ends carries no stationary current, so with the stationary law exp(h x/k_B T) (uniform in x on the sphere)
its generator is fixed:

    L f = (1/2p)(σ² p f')' = [k_B T κ (1 − x²) f']' + h κ (1 − x²) f',    p = exp(h x/k_B T).

E[m_z(t) | m_z(0) = x0] = (e^{tL} x)(x0) (or, for E = −K m_z², the slowest relaxation rate), by Galerkin projection on Legendre polynomials (Gauss–Legendre
quadrature for the matrix, integrated by parts) and a matrix exponential.  The mean first-passage time from
the core x ≤ −z_c to x = z_c follows from the same form by two quadratures: with L T = −1, T(z_c) = 0 and no
flux at −1, k_BT κ (1 − x²) p T' = −∫_{−1}^{x} p, so T = ∫_{−z_c}^{z_c} dx ∫_{−1}^{x} p(y) dy / (k_BT κ(x)(1 − x²) p(x)).  For w = 0 the drift
h κ (1 − x²) − 2 k_B T κ x is the textbook one of the isotropic LLG.
"""
import math

import numpy as np
from numpy.polynomial import legendre
from scipy import integrate
from scipy.linalg import expm


def generator(force, kt, a, w, hbar_s, degree=60, nodes=200):
    """(matrix, basis, nodes): the generator L f = [k_BT κ (1 − x²) f']' + F(x) κ (1 − x²) f' in Legendre
    polynomials up to ``degree`` (columns: L P_l as coefficients of P_k), for the axial force
    F(x) = −dE/dx (meV, a function of x = m_z) — the energy E(m_z) uniform in φ; kt, a, w, hbar_s as in
    :func:`mean_mz`."""
    x, weights = legendre.leggauss(nodes)
    kappa = a / (hbar_s * ((1.0 + w * x) ** 2 + a * a))
    basis = [legendre.Legendre.basis(k) for k in range(degree + 1)]
    p = np.array([b(x) for b in basis])
    dp = np.array([b.deriv()(x) for b in basis])
    s = kappa * (1.0 - x * x) * weights
    # <P_k, L P_l> / <P_k, P_k>: −∫ kT κ (1 − x²) P_k' P_l' + ∫ F κ (1 − x²) P_k P_l'
    matrix = (-kt * (dp * s) @ dp.T + (p * (s * force(x))) @ dp.T) * ((2 * np.arange(degree + 1) + 1) / 2.0)[:, None]
    return matrix, basis


def mean_mz(h, kt, a, w, hbar_s, t, x0, degree=60, nodes=200):
    """E[m_z(t)] (dimensionless) from m_z(0) = x0; h (meV) the field along z, kt = k_B T (meV), a and w
    the isotropic and W parts of the damping, hbar_s = ħS (meV·ps), t (ps)."""
    matrix, basis = generator(lambda x: h + 0.0 * x, kt, a, w, hbar_s, degree, nodes)
    coefficients = expm(t * matrix)[:, 1]  # e^{tL} applied to P_1 = x
    return float(coefficients @ np.array([b(x0) for b in basis]))


def slowest_rate(k_easy, kt, a, w, hbar_s, degree=80, nodes=240):
    """The smallest non-zero relaxation rate (1/ps) of m_z for E = −K m_z² (Brown's uniaxial spin), with the
    damping a·1 + w·W: the eigenvalue of the Legendre generator nearest 0 after the constant's."""
    matrix, _ = generator(lambda x: 2.0 * k_easy * x, kt, a, w, hbar_s, degree, nodes)
    rates = np.sort(-np.linalg.eigvals(matrix[1:, 1:]).real)
    return float(rates[0])


def mean_passage_time(k_easy, kt, a, w, hbar_s, z_core):
    """Mean time (ps) from entering the core m_z ≤ −z_core to reaching m_z = +z_core, for E = −K m_z² and the
    damping a·1 + w·W about z (module docstring; w = 0 is Brown's isotropic case)."""
    def kappa(x):
        return a / (hbar_s * ((1.0 + w * x) ** 2 + a * a))

    def inner(x):  # ∫_{−1}^{x} p(y) dy / p(x), p = exp(K y²/k_BT)
        return integrate.quad(lambda y: math.exp(k_easy * (y * y - x * x) / kt), -1.0, x, epsabs=0, epsrel=1e-12,
                              limit=200)[0]

    return integrate.quad(lambda x: inner(x) / (kt * kappa(x) * (1.0 - x * x)), -z_core, z_core, epsabs=0,
                          epsrel=1e-10, limit=200)[0]
