"""Named couplings as views of the junction's tensors, each defined once in :data:`VIEWS`.

Spin rotations about a common ``that`` with unpolarised leads make every 3×3 tensor
M = M^(i)·1 + M^(DM)·W + M^(an)·that⊗that, W_ij = ε_ijk that_k (docs/physics.md, "Tensor form"), with

    M^(i) = ½(tr M − that·M·that),   M^(an) = that·M·that − M^(i),   M^(DM) = ½ Σ_ij W_ij M_ij.

The views below are these projections times powers of S; for the dimer (sites 1, 2, leads L, R) they are
exactly the keys of :data:`dimer_core.QUANTITIES`, whose raw responses :data:`dimer_core.couplings.dimer.NAMED_FROM_RAW`
reads from here (:func:`resolve`; J_2 is J_21, D_2 is D_21, A_2 is A_21, I is I_L: see
:data:`DIMER_ALIASES`).  With polarised leads the 1/W/that⊗that form breaks (:func:`form_residual` says
by how much): the views are still the projections, but the full tensors of the dataset are the result.

======================  =================  =========================================================  ========
key (a, b sites; c lead) tensor, part      definition                                                 unit
======================  =================  =========================================================  ========
s_a                      spin              S·(that·<s_a>)                                              1
J_ab (a ≠ b)             chi, i            S²·χ_ab^(i)(0): exchange on spin a from spin b              1/meV
D_ab (a ≠ b)             chi, DM           S²·χ_ab^(DM)(0): DM coupling, field D_ab·m_b × that on a    1/meV
A_ab (a ≠ b)             chi, an           S²·χ_ab^(an)(0): Ising-like anisotropic exchange            1/meV
K_a                      chi, an (aa)      S²·χ_aa^(an)(0): uniaxial anisotropy of spin a              1/meV
chiaa_DM                 chi, DM (aa)      χ_aa^(DM)(0), no S²: the self DMI-like torque               1/meV
a_x_ab (x = i, an, DM)   dchi, x           S·∂_E Im χ_ab^(x)|_0: damping α_ab = Δ²·(…)                 1/meV²
j_x_ab (x = i, an, DM)   noise, x          S²·C_ab^(x): noise ⟨ξ_a ξ_b⟩ = Δ²·(…)·δ(t − t')              ps
T_eff_a                  —                 j_i_aa/(2ħS·a_i_aa)/k_B (NaN beyond 1e4 K or 0/0)            K
I_c                      current           charge current of lead c                                     nA
======================  =================  =========================================================  ========
"""
import re

import numpy as np
import xarray as xr

from .temperature import effective_temperature

PARTS = ("i", "an", "DM")

VIEWS = (
    # (key pattern, tensor, part, power of S, unit, description)
    (r"s_(?P<a>\d)", "spin", None, 1, "1", "spin density of site {a} along that, S*(that.<s_{a}>)"),
    (r"J_(?P<a>\d)(?P<b>\d)", "chi", "i", 2, "1/meV", "isotropic exchange on spin {a} from spin {b}, S^2*chi_{a}{b}^(i)"),
    (r"D_(?P<a>\d)(?P<b>\d)", "chi", "DM", 2, "1/meV", "Dzyaloshinskii-Moriya coupling on spin {a} from spin {b}, "
                                                     "S^2*chi_{a}{b}^(DM)"),
    (r"A_(?P<a>\d)(?P<b>\d)", "chi", "an", 2, "1/meV", "Ising-like anisotropic exchange on spin {a} from spin {b}, "
                                                     "S^2*chi_{a}{b}^(an)"),
    (r"K_(?P<a>\d)", "chi", "an", 2, "1/meV", "uniaxial anisotropy of spin {a}, S^2*chi_{a}{a}^(an)"),
    (r"chi(?P<a>\d)(?P=a)_DM", "chi", "DM", 0, "1/meV", "self DMI-like response chi_{a}{a}^(DM), without S^2"),
    (r"a_(?P<x>i|an|DM)_(?P<a>\d)(?P<b>\d)", "dchi", None, 1, "1/meV^2",
     "damping alpha_{a}{b} part {x}, S*dE Im chi_{a}{b}^({x})"),
    (r"j_(?P<x>i|an|DM)_(?P<a>\d)(?P<b>\d)", "noise", None, 2, "ps", "noise correlation part {x}, S^2*C_{a}{b}^({x})"),
    (r"T_eff_(?P<a>\d)", None, None, 0, "K", "effective temperature of spin {a}, j_i_{a}{a}/(2 hbar S a_i_{a}{a})/k_B "
                                              "(negative: energy injection; NaN: undefined)"),
    (r"I_(?P<c>.+)", "current", None, 0, "nA", "charge current of lead {c}"),
)
"""Every named view: (key pattern, tensor, part, power of S, unit, description).  Sites are single digits 1–8."""

DIMER_ALIASES = {"J_1": "J_12", "J_2": "J_21", "D_1": "D_12", "D_2": "D_21", "A_1": "A_12", "A_2": "A_21",
                 "I": "I_L"}
"""Today's dimer names that differ from the general keys (the others, s_2, K_2, a_i_22, …, are the same)."""


def part_values(m, that):
    """(M^(i), M^(DM), M^(an)) of tensors m (…, 3, 3) about ``that`` (docs/physics.md, "Tensor form"), from one
    product of the flattened tensors (…, 9) with the (9, 3) matrix of the linear forms tr M, that·M·that and
    ½ Σ W_ij M_ij."""
    t = np.asarray(that, dtype=float)
    m = np.asarray(m)
    forms = np.stack([np.eye(3).ravel(), np.outer(t, t).ravel(), 0.5 * w_matrix(t).ravel()], axis=1)
    trace, tmt, dm = np.moveaxis(m.reshape(m.shape[:-2] + (9,)) @ forms, -1, 0)
    iso = 0.5 * (trace - tmt)
    return iso, dm, tmt - iso


def projections(m, that):
    """(M^(i), M^(DM), M^(an), residual) of tensors m (…, 3, 3) about ``that`` (docs/physics.md, "Tensor form").

    ``residual`` is M − (M^(i)·1 + M^(DM)·W + M^(an)·that⊗that), zero where the symmetry holds.
    """
    t = np.asarray(that, dtype=float)
    m = np.asarray(m)
    iso, dm, an = part_values(m, t)
    model = iso[..., None, None] * np.eye(3) + dm[..., None, None] * w_matrix(t) + an[..., None, None] * np.outer(t, t)
    return iso, dm, an, m - model


def w_matrix(that):
    """W_ij = ε_ijk that_k, so that W·v = v × that (docs/physics.md, "Tensor form")."""
    return np.einsum("ijk,k->ij", _levi_civita(), np.asarray(that, dtype=float))


def _levi_civita():
    eps = np.zeros((3, 3, 3))
    for i, j, k in ((0, 1, 2), (1, 2, 0), (2, 0, 1)):
        eps[i, j, k], eps[i, k, j] = 1.0, -1.0
    return eps


def parts(ds):
    """The (i, an, DM) projections of ``chi``, ``dchi``, ``noise`` as a Dataset with dims (…, site_a, site_b, part)
    (… = mu_F, V for a map)."""
    that = ds.attrs["that"]
    out = {}
    dims = ds["chi"].dims[:-2] + ("part",)
    for name in ("chi", "dchi", "noise"):
        iso, dm, an = part_values(ds[name].values, that)
        out[name] = (dims, np.stack([iso, an, dm], axis=-1),
                     {"units": ds[name].attrs["units"], "description": f"{name}: parts i, an, DM about that"})
    coords = {d: ds[d] for d in dims[:-1]}
    return xr.Dataset(out, coords={**coords, "part": list(PARTS)}, attrs=ds.attrs)


def form_residual(ds):
    """Largest |M − (1/W/that⊗that form)| of chi, dchi, noise, relative to each tensor's largest entry."""
    worst = 0.0
    for name in ("chi", "dchi", "noise"):
        m = ds[name].values
        *_, resid = projections(m, ds.attrs["that"])
        worst = max(worst, float(np.abs(resid).max() / max(np.abs(m).max(), 1e-300)))
    return worst


def _match(key):
    for row in VIEWS:
        hit = re.fullmatch(row[0], key)
        if hit:
            return row, hit.groupdict()
    raise KeyError(f"unknown quantity {key!r}; keys look like s_1, J_21, D_21, A_21, K_2, chi22_DM, a_i_22, "
                   f"j_an_21, T_eff_2, I_L (dimer_core.couplings.views.VIEWS)")


def _site(ds, label, key):
    k = int(label)
    held = [int(x) for x in ds.site.values]
    if k not in held:
        raise KeyError(f"{key!r}: site {k} is not in the junction (sites {held[0]}..{held[-1]})"
                       if held == list(range(1, len(held) + 1)) else
                       f"{key!r}: site {k} is not in the junction's map (held sites: {', '.join(map(str, held))})")
    return k


def _number(x):
    """A float for a point, the array itself over a map."""
    return float(x) if np.ndim(x) == 0 else np.asarray(x)


def resolve(key):
    """The view ``key`` (or a dimer alias, :data:`DIMER_ALIASES`) as (row of :data:`VIEWS`, tensor, part, power of S,
    labels): ``labels`` holds the key's site numbers ``a``, ``b`` (strings; b = a for on-site keys) and part ``x``
    or lead ``c`` where the key has them.  ``resolve("J_2")`` → (…, "chi", "i", 2, {"a": "2", "b": "1"})."""
    row, g = _match(DIMER_ALIASES.get(key, key))
    labels = {k: v for k, v in g.items() if v is not None}
    if "a" in labels:
        labels.setdefault("b", labels["a"])
    return row, row[1], row[2] or labels.get("x"), row[3], labels


def value(ds, key, memo=None):
    """The named quantity ``key`` (a view of :data:`VIEWS`, or a dimer alias) of a junction point ``ds`` (a float),
    or of a map of :func:`dimer_core.electrons.junction_maps.maps` (an array over its leading dims, e.g. (mu_F, V)).

    ``memo``: a dict kept by the caller over several keys of one ``ds``; each block (tensor, a, b) is then projected
    once (:func:`part_values`) and every view of it reads the three parts from there."""
    if key == "I":  # the dimer's current: the first lead's
        return _number(ds["current"].isel(lead=0).values)
    row, tensor, part, spow, g = resolve(key)
    key = DIMER_ALIASES.get(key, key)
    S = float(ds.attrs["S"])
    that = np.asarray(ds.attrs["that"])
    if tensor == "current":
        if g["c"] not in list(ds.lead.values):
            raise KeyError(f"{key!r}: no lead {g['c']!r}; leads: {', '.join(map(str, ds.lead.values))}")
        return _number(ds["current"].sel(lead=g["c"]).values)
    a = _site(ds, g["a"], key)
    if tensor is None:  # T_eff
        return _number(effective_temperature(value(ds, f"j_i_{a}{a}", memo), value(ds, f"a_i_{a}{a}", memo), S))
    if tensor == "spin":
        return _number(S * (ds["spin"].sel(site=a).values @ that))
    b = _site(ds, g["b"], key)
    if row[0].startswith(("J_", "D_", "A_")) and a == b:
        raise KeyError(f"{key!r}: J, D, A are between two different sites; the self terms are K_{a}, "
                       f"chi{a}{a}_DM, a_x_{a}{a}")
    memo = {} if memo is None else memo
    if (tensor, a, b) not in memo:
        memo[tensor, a, b] = dict(zip(("i", "DM", "an"), part_values(ds[tensor].sel(site_a=a, site_b=b).values, that)))
    return _number(S ** spow * memo[tensor, a, b][part])


def describe(key):
    """(unit, description) of a named quantity (a dimer alias is described as the view it is: J_2 as J_21)."""
    row, *_, g = resolve(key)
    return row[4], row[5].format(**g)


def pair_keys(ds, a, b):
    """The keys of the pair (a, b): today's dimer set with sites 1 → a, 2 → b, and every lead's current; for a = b
    the site's own (:func:`site_keys`)."""
    if a == b:
        return site_keys(ds, a)
    held = [int(x) for x in ds.site.values]
    for s in (a, b):
        if s not in held:
            raise ValueError(f"pair {a},{b}: site {s} is out of range; allowed: the sites {', '.join(map(str, held))}")
    keys = [f"s_{a}", f"s_{b}", f"J_{a}{b}", f"J_{b}{a}", f"D_{a}{b}", f"D_{b}{a}", f"A_{a}{b}", f"A_{b}{a}",
            f"K_{a}", f"K_{b}", f"chi{b}{b}_DM"]
    keys += [f"a_{x}_{b}{b}" for x in PARTS] + [f"a_{x}_{b}{a}" for x in PARTS]
    keys += [f"j_{x}_{b}{b}" for x in PARTS] + [f"j_{x}_{b}{a}" for x in ("i", "an")]
    keys += [f"T_eff_{b}"] + [f"I_{c}" for c in ds.lead.values]
    return keys


def site_keys(ds, a):
    """The on-site keys of site a (the self terms of :func:`pair_keys` with b = a) and every lead's current."""
    held = [int(x) for x in ds.site.values]
    if a not in held:
        raise ValueError(f"site {a} is out of range; allowed: the sites {', '.join(map(str, held))}")
    keys = [f"s_{a}", f"K_{a}", f"chi{a}{a}_DM"] + [f"a_{x}_{a}{a}" for x in PARTS]
    return keys + [f"j_{x}_{a}{a}" for x in PARTS] + [f"T_eff_{a}"] + [f"I_{c}" for c in ds.lead.values]


def pair_view(ds, a, b):
    """Dict key → value of :func:`pair_keys` (floats for a point, arrays for a map; units: :func:`describe`)."""
    memo = {}
    return {k: value(ds, k, memo) for k in pair_keys(ds, a, b)}


def pair_dataset(ds, a, b):
    """The views of :func:`pair_keys` (a site's own if a = b) of a map (:func:`dimer_core.electrons.junction_maps.maps`)
    as an :class:`xarray.Dataset` over its (mu_F, V), each with ``units`` and ``description``; the map's attributes
    but the model text."""
    dims = ds["current"].dims[:-1]
    data, memo = {}, {}
    for key in pair_keys(ds, a, b):
        unit, text = describe(key)
        data[key] = (dims, np.asarray(value(ds, key, memo)), {"units": unit, "description": text})
    attrs = {k: v for k, v in ds.attrs.items() if k != "model"}
    return xr.Dataset(data, coords={d: ds[d] for d in dims}, attrs={**attrs, "pair": f"{a},{b}"})


__all__ = ["PARTS", "VIEWS", "DIMER_ALIASES", "part_values", "projections", "w_matrix", "parts", "form_residual", "value", "describe",
           "resolve", "pair_keys", "site_keys", "pair_view", "pair_dataset"]
