"""Named couplings at a bias point (:func:`point`) and over mu_F × V maps (:func:`maps`).

Definitions (docs/physics.md, "The effective stochastic LLG"; paper Eqs. 4–6, A24),
for site 2 (site 1 by 1 ↔ 2):

=========  ==========================================  ========
key        definition                                  unit
=========  ==========================================  ========
s_a        S·(that·<s_a>)                              1
J_2        S²·χ_21^(i)(0)                              1/meV
D_2        S²·χ_21^(DM)(0)                             1/meV
A_2        S²·χ_21^(an)(0)                             1/meV
K_2        S²·χ_22^(an)(0)                             1/meV
chi22_DM   χ_22^(DM)(0)  (no S² factor)                1/meV
a_x_ab     S·∂_E Im χ_ab^(x)(E)|_0, x = i, an, DM      1/meV²
j_x_ab     S²·C_ab^(x)                                 ps
T_eff_2    j_i_22 / (2ħS·a_i_22) / k_B (NaN beyond 1e4 K)  K
I          (e/h)∫dε T(ε)(f_L − f_R)                    nA
=========  ==========================================  ========

Couplings enter the LLG multiplied by Δ² (α_ab = Δ²·(a^(i)·1 + a^(an)·that⊗that +
a^(DM)·W)), so they are independent of Δ.  T_eff_2 < 0 where a_i_22 < 0: the
electrons inject energy into the spin ("energy injection"); it is a physical
regime, reported as such, not an error.  Where the isotropic damping vanishes
T_eff_2 is undefined and NaN (:data:`T_EFF_LIMIT`).
"""
import numpy as np
import xarray as xr

from ..cache import BoundedCache
from ..params import DimerParams, checked_axis
from ..electrons.assemble import map_outputs, map_outputs_zero_temperature, zero_temperature_sides
from ..electrons.response import RAW_INDEX, RAW_SPEC, direct
from ..electrons.tables import build_node_table, build_thermal_table
from ..units import K_B
from .temperature import T_EFF_LIMIT, effective_temperature
from .views import resolve, value

QUANTITIES = {
    "s_1": ("1", "spin density of site 1 along that, S·(that·<s_1>)"),
    "s_2": ("1", "spin density of site 2 along that, S·(that·<s_2>)"),
    "J_1": ("1/meV", "isotropic exchange on spin 1, S²·χ_12^(i)"),
    "J_2": ("1/meV", "isotropic exchange on spin 2, S²·χ_21^(i) (J < 0: antiferromagnetic)"),
    "D_1": ("1/meV", "Dzyaloshinskii–Moriya coupling on spin 1, S²·χ_12^(DM)"),
    "D_2": ("1/meV", "Dzyaloshinskii–Moriya coupling on spin 2, S²·χ_21^(DM)"),
    "A_1": ("1/meV", "Ising-like anisotropic exchange on spin 1, S²·χ_12^(an)"),
    "A_2": ("1/meV", "Ising-like anisotropic exchange on spin 2, S²·χ_21^(an)"),
    "K_1": ("1/meV", "uniaxial anisotropy of spin 1, S²·χ_11^(an)"),
    "K_2": ("1/meV", "uniaxial anisotropy of spin 2, S²·χ_22^(an)"),
    "chi22_DM": ("1/meV", "self DMI-like response χ_22^(DM) (torque m2 × (m2 × that)), without S²"),
    "a_i_22": ("1/meV²", "isotropic Gilbert damping of spin 2, S·∂_E Im χ_22^(i)"),
    "a_an_22": ("1/meV²", "anisotropic damping of spin 2, S·∂_E Im χ_22^(an)"),
    "a_DM_22": ("1/meV²", "antisymmetric (W) damping of spin 2, S·∂_E Im χ_22^(DM)"),
    "a_i_21": ("1/meV²", "nonlocal isotropic damping α_21, S·∂_E Im χ_21^(i)"),
    "a_an_21": ("1/meV²", "nonlocal anisotropic damping α_21, S·∂_E Im χ_21^(an)"),
    "a_DM_21": ("1/meV²", "nonlocal antisymmetric damping α_21, S·∂_E Im χ_21^(DM)"),
    "j_i_22": ("ps", "isotropic noise correlation of spin 2, S²·C_22^(i)"),
    "j_an_22": ("ps", "anisotropic noise correlation of spin 2, S²·C_22^(an)"),
    "j_DM_22": ("ps", "antisymmetric noise correlation of spin 2, S²·C_22^(DM) (zero by symmetry)"),
    "j_i_21": ("ps", "nonlocal isotropic noise correlation, S²·C_21^(i)"),
    "j_an_21": ("ps", "nonlocal anisotropic noise correlation, S²·C_21^(an)"),
    "T_eff_2": ("K", "effective temperature of spin 2, j_i_22/(2ħS a_i_22)/k_B (negative: energy injection; "
                "NaN: undefined, |T_eff| > 1e4 K or 0/0, the damping does not balance the noise)"),
    "I": ("nA", "charge current, both spins summed"),
}
"""Every named quantity: key → (unit, description). The keys of :func:`point`."""

_node_tables = BoundedCache(max_items=16, max_bytes=256 * 2 ** 20)
_thermal_tables = BoundedCache(max_items=16, max_bytes=256 * 2 ** 20)
_zero_temperature_sides = BoundedCache(max_items=16, max_bytes=128 * 2 ** 20)
_CACHES = (_node_tables, _thermal_tables, _zero_temperature_sides)


def raw_of(key):
    """(raw response of the dimer's evaluator, power of S) of a view: "J_2" → ("chi_21_i", 2), "s_1" → ("spin_1", 1),
    "I" → ("current", 0) (names of :data:`dimer_core.electrons.response.RAW`; T_eff has none)."""
    _, tensor, part, spow, g = resolve(key)
    if tensor is None:
        raise KeyError(f"{key!r} is derived from other views, not read from a raw response")
    if tensor == "current":
        return "current", spow
    if tensor == "spin":
        return f"spin_{g['a']}", spow
    return f"{tensor}_{g['a']}{g['b']}_{part}", spow


NAMED_FROM_RAW = {key: raw_of(key) for key in QUANTITIES if key != "T_eff_2"}
"""Named quantity → (raw response, power of S it carries), each read off its view in
:data:`dimer_core.couplings.views.VIEWS` (:func:`raw_of`; J_2 is the view J_21: ("chi_21_i", 2)); T_eff_2 is derived."""

_NAMED_KEYS = tuple(NAMED_FROM_RAW)
_NAMED_ROWS = np.array([RAW_INDEX[NAMED_FROM_RAW[k][0]] for k in _NAMED_KEYS])
_NAMED_POWERS = np.array([NAMED_FROM_RAW[k][1] for k in _NAMED_KEYS])


def named(raw, S):
    """Named quantities (dict of arrays) from raw responses (…, len(RAW)) for spin length S."""
    return _with_teff({k: raw[..., RAW_INDEX[NAMED_FROM_RAW[k][0]]] * S ** NAMED_FROM_RAW[k][1]
                       for k in _NAMED_KEYS}, S)


def _with_teff(values, S):
    values["T_eff_2"] = effective_temperature(values["j_i_22"], values["a_i_22"], S)
    return {k: values[k] for k in QUANTITIES}


def t_eff_note(t_eff):
    """The reason T_eff_2 is NaN at some of the given values, for ``attrs["validity"]`` ('' if none is)."""
    undefined = int(np.count_nonzero(np.isnan(np.asarray(t_eff, dtype=float))))
    if not undefined:
        return ""
    return (f"T_eff_2 undefined (NaN) at {undefined} of {np.size(t_eff)} points: |T_eff| > {T_EFF_LIMIT:g} K "
            "or 0/0, the isotropic damping a_i_22 (~0) does not balance the noise j_i_22; outside the slow-spin model")


def _checked(params):
    if not isinstance(params, DimerParams):
        raise TypeError(f"expected DimerParams, got {type(params).__name__}")
    return params.check()


def point(params, refine=1.0):
    """All named couplings at the bias point of ``params`` (dict of floats; see :data:`QUANTITIES`).

    Evaluated by direct quadrature with the Fermi steps as break points (the
    accurate route); ``refine`` > 1 divides every panel width.
    """
    p = _checked(params)
    return {k: float(v) for k, v in named(direct(p, refine), p.S).items()}


def raw_point(params, refine=1.0):
    """Raw responses (see :data:`dimer_core.electrons.response.RAW`) at the bias point of ``params``."""
    p = _checked(params)
    return dict(zip(RAW_INDEX, direct(p, refine)))


def node_table(p, refine=1.0):
    """The cached T = 0 table of cumulative integrals for the electronic parameters of ``p``."""
    return _node_tables.get_or_build((p.electronic_key(), refine), lambda: build_node_table(p, refine))


def thermal_table(p, lo, hi, refine=1.0):
    """A cached T > 0 table covering μ ∈ [lo, hi] (rebuilt over a wider range if needed)."""
    key = (p.electronic_key(), float(p.T), refine)
    table = _thermal_tables.get(key)
    if table is None or not table.covers(lo, hi):
        if table is not None:
            lo, hi = min(lo, table.mu[0]), max(hi, table.mu[-1])
        pad = max(5.0, 0.1 * (hi - lo), 4 * K_B * p.T)
        table = build_thermal_table(p, K_B * p.T, lo - pad, hi + pad, refine, node_table(p, refine))
        _thermal_tables.put(key, table)
    return table


def zero_temperature_sides_of(p, spec, refine=1.0):
    """The cached :class:`~dimer_core.electrons.assemble.ZeroTemperatureSides` of ``spec`` for the parameters ``p``."""
    key = (p.electronic_key(), refine, spec.names, spec.scale.tobytes())
    return _zero_temperature_sides.get_or_build(key, lambda: zero_temperature_sides(node_table(p, refine), spec))


def _map(p, mu_F, V, spec, refine):
    """Outputs of ``spec`` over mu_F × V from the cached tables; shape (len(mu_F), len(V), n)."""
    kt = K_B * p.T
    if kt == 0.0:
        sides = zero_temperature_sides_of(p, spec, refine)
        return map_outputs_zero_temperature(sides.theta, sides.left, sides.right, sides.odd, sides.target, p.te,
                                            mu_F, V)
    half = 0.5 * np.abs(V).max()
    table = thermal_table(p, mu_F.min() - half, mu_F.max() + half, refine)
    return map_outputs(table.mu, table.phi, table.dphi, table.d2phi, table.d3phi, mu_F, V, kt,
                       spec.kind, spec.comp_l, spec.comp_r, spec.comp_n, spec.scale)


def raw_map(params, mu_F, V, refine=1.0):
    """Raw responses (:data:`dimer_core.electrons.response.RAW`) over mu_F × V; shape (len(mu_F), len(V), len(RAW))."""
    p = _checked(params)
    return _map(p, checked_axis("mu_F", mu_F), checked_axis("V", V), RAW_SPEC, refine)


def named_map(params, mu_F, V, refine=1.0):
    """Named quantities over mu_F × V as a dict of 2-D arrays (the data of :func:`maps`)."""
    return _named_map(_checked(params), checked_axis("mu_F", mu_F), checked_axis("V", V), refine)


def _named_map(p, mu_F, V, refine):
    """:func:`named_map` for a checked parameter set and checked grids."""
    spec = RAW_SPEC.subset(_NAMED_ROWS).scaled(p.S ** _NAMED_POWERS)
    out = _map(p, mu_F, V, spec, refine)
    return _with_teff({k: out[..., i] for i, k in enumerate(_NAMED_KEYS)}, p.S)


def maps(params, mu_F, V, refine=1.0):
    """Every named quantity over mu_F × V as an :class:`xarray.Dataset`.

    Parameters
    ----------
    params : DimerParams
        Everything but mu_F and V (which the grid replaces).
    mu_F : array_like
        Equilibrium chemical potentials (meV).
    V : array_like
        Bias voltages (mV).

    Returns
    -------
    xarray.Dataset
        Dims ``(mu_F, V)``; one variable per key of :data:`QUANTITIES`, with
        ``units`` and ``description`` attributes; the parameters in ``attrs``.

    Notes
    -----
    Energy integrals are tabulated once per electronic parameter set (and
    temperature) in a bounded cache; a new mu_F or V range only re-reads them.
    ``attrs["validity"]`` says where T_eff_2 is undefined (NaN, :data:`T_EFF_LIMIT`), '' if nowhere.
    """
    p = _checked(params)
    mu_F, V = checked_axis("mu_F", mu_F), checked_axis("V", V)
    quantities = _named_map(p, mu_F, V, refine)
    ds = xr.Dataset(
        {k: (("mu_F", "V"), v, {"units": QUANTITIES[k][0], "description": QUANTITIES[k][1]})
         for k, v in quantities.items()},
        coords={"mu_F": ("mu_F", mu_F, {"units": "meV", "long_name": "equilibrium chemical potential"}),
                "V": ("V", V, {"units": "mV", "long_name": "bias voltage"})},
    )
    ds.attrs.update(parameter_attrs(p, exclude=("mu_F", "V")))
    ds.attrs["validity"] = t_eff_note(quantities["T_eff_2"])
    ds.attrs["title"] = "Bias-dependent couplings of the spin dimer (Leiva, Díaz & Núñez, PRB 107, 094401)"
    return ds


def guide_levels(params):
    """Energies (meV) of the device resonances, sorted: the lines |mu_L|, |mu_R| = level of the maps.

    For the paper's symmetric device these are ±(t0 ± t) shifted by Re Σ (< 0.1 meV).
    """
    from ..electrons.energy_grid import resonances

    return np.sort(resonances(_checked(params)).real)


def parameter_attrs(p, exclude=()):
    """Parameters as NetCDF-safe attributes ``param_<name>`` (vectors as lists), and ``dimer_core_version``.

    Every dataset of maps and sweeps takes its attributes from here, so every file written from
    one (NetCDF, and CSV through :mod:`dimer_core.export`) says which version computed it.
    """
    from .. import __version__

    attrs = {f"param_{k}": (list(v) if isinstance(v, tuple) else v)
             for k, v in p.values().items() if k not in exclude}
    attrs["dimer_core_version"] = __version__
    return attrs


def clear_caches():
    """Empty the shared energy-table caches (and the cached poles of the energy panels)."""
    from ..electrons.energy_grid import clear_cache

    for cache in _CACHES:
        cache.clear()
    clear_cache()


def cache_nbytes():
    """Bytes held by the shared energy-table caches."""
    return sum(cache.nbytes for cache in _CACHES)


def dimer_view(ds):
    """The keys of :data:`dimer_core.QUANTITIES` (the dimer's ``point``) from the pair (1, 2) of ``ds``.

    I is the current of the first lead (L of :func:`~dimer_core.junction.model.from_dimer`).
    """
    memo = {}
    return {key: value(ds, key, memo) for key in QUANTITIES}


__all__ = ["QUANTITIES", "NAMED_FROM_RAW", "raw_of", "point", "raw_point", "maps", "raw_map", "named_map", "named", "dimer_view",
           "t_eff_note", "guide_levels", "clear_caches", "cache_nbytes"]
