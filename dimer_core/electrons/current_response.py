"""How the current of each lead follows the localized spins: ∂I_c/∂h_a, the response of I_c to a static exchange
field h on site a (docs/junction.md, "Current read-out of the spins").

The s–d exchange H_sd = −Δ·S·Σ_a m_a·s_a (docs/physics.md, "Electron spin response") is a field h_a = ΔS·m_a on the
electrons of site a.  The engine's current is that of the Δ = 0 steady state; to first order in Δ the spins change
it by

    δI_c = ΔS·Σ_a G_ca·m_a,     G_ca = ∂I_c/∂h_a   (nA/meV),

the read-out of a telegraph signal (a spin-valve with polarised leads; with unpolarised leads G can be nonzero
only out of equilibrium, through the SOC).  G is the central difference of the engine's current
(:func:`dimer_core.electrons.junction_response.tensors` with ``field``) at ±``step`` along x, y, z.
"""
import numpy as np

from .junction_response import tensors

__all__ = ["FIELD_STEP", "current_response", "current_change"]

FIELD_STEP = 1e-4
"""The field step of the central difference (meV): the truncation error is O(step²) of the current's curvature,
the rounding ~1e-16/step of its size."""


def current_response(junction, sites=None, step=FIELD_STEP, refine=1.0):
    """G (n_leads, len(sites), 3) in nA/meV: ∂I_c/∂h_a for each lead c and each site a of ``sites`` (1-based,
    default all), at the junction's bias point."""
    sites = tuple(range(1, junction.n_sites + 1)) if sites is None else tuple(int(a) for a in sites)
    out = np.zeros((len(junction.leads), len(sites), 3))
    for k, a in enumerate(sites):
        for i in range(3):
            h = np.zeros(3)
            h[i] = step
            up = tensors(junction, refine, field=(a, h))["current"]
            down = tensors(junction, refine, field=(a, -h))["current"]
            out[:, k, i] = (up - down) / (2.0 * step)
    return out


def current_change(response, m, delta_s):
    """δI_c = ΔS·Σ_a G_ca·m_a (nA) for orientations m (..., len(sites), 3) of the sites of ``response`` (from
    :func:`current_response`) and ΔS = ``delta_s`` (meV); shape (..., n_leads)."""
    return delta_s * np.einsum("cai,...ai->...c", response, np.asarray(m, dtype=float))
