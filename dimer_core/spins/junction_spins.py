"""The spins of a junction in motion: its tensors as the blocks of the stochastic LLG.

docs/junction.md, "Spins of a junction in motion".

Any junction, any set of free sites, the others pinned (docs/physics.md, "The effective stochastic LLG";
paper Eqs. 3–8), from the full 3×3 tensors of :func:`dimer_core.electrons.junction_response.tensors` at each bias —
no 1/W/t̂⊗t̂ form is assumed, so polarised leads are kept whole.  For free sites a, b and pinned sites c
(unit vectors m_c):

    g_a   = h_a + ΔS·⟨s_a⟩ + (ΔS)² Σ_c χ_ac(0)·m_c                  (meV; pinned spins enter here)
    X_ab  = (ΔS)²·χ_ab(0) − δ_ab [(ΔS)² χ_aa^(i)·1 + 2 Q0_a]          (meV; B = g + X·m)
    α_ab  = Δ²S·∂_E Im χ_ab(E)|₀                                      (dimensionless)
    N_ab  = (ΔS)²·C_ab, symmetrised as a 3n×3n matrix                  (meV²·ps)
    k_B T_a = k_B·T_eff,a = j^(i)_aa / (2ħS·a^(i)_aa)                  (meV; NaN where undefined)

with (h_a, Q0_a) the bare one-spin terms E_0 = −h·m − K_easy (m·e_easy)² + K_hard (m·n_hard)²
(:class:`OneSpin`, :func:`dimer_core.spins.pinned.one_spin_terms`).  χ_aa^(i)·1 (the projection about t̂) exerts no
torque and is left out, as for the dimer's pinned spin.  The temperature of spin a is
:func:`dimer_core.couplings.temperature.effective_temperature` of the isotropic projections about t̂ (the junction's view
``T_eff_a``); with polarised leads that projection is a convention (equal to T at V = 0, where fluctuation–
dissipation holds for the whole matrix).  ``terms = "paper"`` drops, as for the dimer, the W projections about
t̂ of every self block χ_aa and of every damping block.

Bare terms: one :class:`OneSpin` common to every site, or one per site (a model file's ``[spins]`` table and
site fields: :func:`~dimer_core.junction.modelfile.read_spins`); none given is zero (the junction itself
describes electrons only).  Pinned sites default to +z (the dimer's m_1).
"""
from dataclasses import dataclass

import numpy as np

from ..couplings.temperature import effective_temperature
from .langevin import SpinModel
from ..params import check_value, unit_vector
from .pinned import mean_orientations, one_spin_terms
from ..units import HBAR, K_B
from ..electrons.junction_response import tensors
from ..couplings.views import projections, w_matrix

TERMS = ("full", "paper")
"""``full``: every term of docs/physics.md, "The effective stochastic LLG"; ``paper``: without the self
DMI-like responses χ_aa^(DM) and the W damping (the paper's Eqs. 3–6)."""

DEFAULT_PINNED = (0.0, 0.0, 1.0)
"""Direction of a pinned site that is not given one (the dimer's m_1)."""


def check_terms(terms):
    """True for ``"full"``, False for ``"paper"``; ValueError naming the allowed values otherwise."""
    if terms not in TERMS:
        raise ValueError(f"terms = {terms!r} is not known; allowed: {', '.join(TERMS)}")
    return terms == "full"


@dataclass(frozen=True)
class OneSpin:
    """Bare terms of one spin, E_0(m) = −h·m − K_easy (m·e_easy)² + K_hard (m·n_hard)² (meV).

    Bounds and messages of the dimer's parameters of the same names (:func:`dimer_core.params.check_value`);
    the axes are normalised.  The default is no bare term at all.
    """

    h: tuple = (0.0, 0.0, 0.0)
    K_easy: float = 0.0
    e_easy: tuple = (0.0, 0.0, 1.0)
    K_hard: float = 0.0
    n_hard: tuple = (1.0, 0.0, 0.0)

    def __post_init__(self):
        for name in ("h", "K_easy", "K_hard"):
            check_value(name, getattr(self, name))
        object.__setattr__(self, "h", tuple(float(x) for x in self.h))
        object.__setattr__(self, "K_easy", float(self.K_easy))
        object.__setattr__(self, "K_hard", float(self.K_hard))
        object.__setattr__(self, "e_easy", unit_vector("e_easy", self.e_easy))
        object.__setattr__(self, "n_hard", unit_vector("n_hard", self.n_hard))

    @classmethod
    def from_params(cls, p):
        """The bare terms of a :class:`~dimer_core.params.DimerParams` (h, K_easy, e_easy, K_hard, n_hard)."""
        return cls(p.vector("h"), p.K_easy, p.vector("e_easy"), p.K_hard, p.vector("n_hard"))

    def terms(self):
        """(h (3,), Q0 (3, 3)) in meV: :func:`dimer_core.spins.pinned.one_spin_terms`."""
        return one_spin_terms(self.h, self.K_easy, self.e_easy, self.K_hard, self.n_hard)


def bare_per_site(bare, n_sites):
    """(h (N, 3), Q0 (N, 3, 3)) from None, one :class:`OneSpin` (common) or a sequence of N (per site)."""
    if bare is None:
        bare = OneSpin()
    if isinstance(bare, OneSpin):
        bare = [bare] * n_sites
    bare = list(bare)
    if len(bare) != n_sites or not all(isinstance(b, OneSpin) for b in bare):
        raise ValueError(f"bare: give one OneSpin for every site or one common to all; got {len(bare)} entries "
                         f"for {n_sites} sites")
    h, q0 = zip(*(b.terms() for b in bare))
    return np.array(h), np.array(q0)


def sites_of(free, pinned, n_sites):
    """Checked (free sites tuple, pinned {site: unit vector} of every other site), sites 1-based.

    ``pinned`` may leave sites out: they point along :data:`DEFAULT_PINNED`.
    """
    try:
        free = tuple(int(a) for a in np.atleast_1d(free))
    except (TypeError, ValueError):
        raise ValueError(f"free = {free!r} is not a list of sites; allowed: sites 1 <= a <= {n_sites}") from None
    if not free or len(set(free)) != len(free) or not all(1 <= a <= n_sites for a in free):
        raise ValueError(f"free = {free!r}: give distinct sites, at least one; allowed: 1 <= a <= {n_sites}")
    try:
        pinned = {int(site): m for site, m in dict(pinned or {}).items()}
    except (TypeError, ValueError):
        raise ValueError(f"pinned = {pinned!r}: give a dict site → direction, sites 1 <= c <= {n_sites}") from None
    for site in pinned:
        if site in free or not 1 <= site <= n_sites:
            raise ValueError(f"pinned site {site!r} is free or not in the junction; allowed: the sites 1..{n_sites} "
                             f"that are not free ({', '.join(map(str, free))})")
    directions = {c: unit_vector(f"pinned direction of site {c}", pinned.get(c, DEFAULT_PINNED))
                  for c in range(1, n_sites + 1) if c not in free}
    return free, directions


def without_w_terms(chi, dchi, that):
    """(chi, dchi) without the W projections about t̂ of every self block χ_aa and every damping block (the
    ``"paper"`` terms); tensors (…, N, N, 3, 3)."""
    w = w_matrix(that)
    chi, dchi = np.array(chi, float), np.array(dchi, float)
    dm = projections(chi, that)[1]
    n = chi.shape[-3]
    for a in range(n):
        chi[..., a, a, :, :] -= dm[..., a, a, None, None] * w
    dchi -= projections(dchi, that)[1][..., None, None] * w
    return chi, dchi


def llg_blocks(chi, dchi, noise, spin, free, pinned, h, q0, Delta, S, that, terms="full"):
    """The :class:`~dimer_core.spins.langevin.SpinModel` of the free sites from response tensors: its blocks g, X, alpha,
    noise, kt are the module docstring's formulas.

    Parameters
    ----------
    chi, dchi, noise : arrays (nb, N, N, 3, 3)
        χ_ab(0) (1/meV), ∂_E Im χ_ab|₀ (1/meV²), C_ab (ps) at nb biases (:func:`junction_tensors`).
    spin : array (nb, N, 3)
        ⟨s_a⟩.
    free : sequence of int
        Free sites (1-based), in the order of the state m = (m_a for a in free).
    pinned : dict site → unit vector
        Directions of the pinned sites that act on the free ones (others may be left out: no field).
    h, q0 : arrays (N, 3), (N, 3, 3)
        Bare linear and quadratic terms per site (meV), :func:`bare_per_site`.
    Delta, S : float
        s–d exchange (meV) and spin length.
    that : 3-vector
        The common SOC axis (the projections of ``terms`` and of the isotropic self term).
    terms : "full" or "paper" (:data:`TERMS`)
    """
    if not check_terms(terms):
        chi, dchi = without_w_terms(chi, dchi, that)
    chi, dchi, noise, spin = (np.asarray(x, dtype=float) for x in (chi, dchi, noise, spin))
    nb, n = chi.shape[0], len(free)
    ds, ds2 = Delta * S, (Delta * S) ** 2
    iso_chi = projections(chi, that)[0]
    g = np.zeros((nb, 3 * n))
    x = np.zeros((nb, 3 * n, 3 * n))
    alpha = np.zeros_like(x)
    nn = np.zeros_like(x)
    for k, a in enumerate(free):
        rows = slice(3 * k, 3 * k + 3)
        g[:, rows] = h[a - 1] + ds * spin[:, a - 1]
        for c, m in pinned.items():
            g[:, rows] += ds2 * chi[:, a - 1, c - 1] @ np.asarray(m, float)
        for l, b in enumerate(free):
            cols = slice(3 * l, 3 * l + 3)
            x[:, rows, cols] = ds2 * chi[:, a - 1, b - 1]
            alpha[:, rows, cols] = Delta ** 2 * S * dchi[:, a - 1, b - 1]
            nn[:, rows, cols] = ds2 * noise[:, a - 1, b - 1]
        x[:, rows, rows] -= ds2 * iso_chi[:, a - 1, a - 1, None, None] * np.eye(3) + 2.0 * q0[a - 1]
    nn = 0.5 * (nn + np.swapaxes(nn, -1, -2))  # C_ab = C_baᵀ exactly; remove rounding
    idx = np.array(free) - 1
    self_noise = projections(noise[:, idx, idx], that)[0]
    self_damping = projections(dchi[:, idx, idx], that)[0]
    kt = K_B * effective_temperature(S ** 2 * self_noise, S * self_damping, S)
    return SpinModel(g=g, X=x, alpha=alpha, noise=nn, kt=np.asarray(kt, float).reshape(nb, n), hbar_s=HBAR * S)


def bias_grid(V):
    """``V`` (mV) as a checked 1-D float array: finite, |V| ≤ 100 mV (the junction's bound)."""
    arr = np.asarray(V, dtype=float).reshape(-1)
    if arr.size == 0 or not np.all(np.isfinite(arr)) or np.abs(arr).max() > 100.0:
        raise ValueError(f"V = {V!r}: give a non-empty list of finite biases; allowed: -100 <= V <= 100 mV")
    return arr


def junction_tensors(junction, V, refine=1.0):
    """chi, dchi, noise (nb, N, N, 3, 3), spin (nb, N, 3) and current (nb, M) of ``junction`` at each bias of
    ``V`` (mV), from :func:`dimer_core.electrons.junction_response.tensors` (the junction is checked once)."""
    V = bias_grid(V)
    junction.check()
    out = [tensors(junction.updated(V=v), refine) for v in V]
    return {k: np.stack([o[k] for o in out]) for k in ("chi", "dchi", "noise", "spin", "current")}


def spins_and_tensors(junction, V, free, pinned=None, bare=None, terms="full", refine=1.0):
    """(:class:`~dimer_core.spins.langevin.SpinModel` of :func:`llg_blocks`, the tensors of :func:`junction_tensors`) of
    ``junction`` over ``V`` (mV).

    ``free``: sites (1-based) that move; every other site is pinned along ``pinned[site]`` (a 3-vector,
    normalised; default :data:`DEFAULT_PINNED`).  ``bare``: :class:`OneSpin` (common) or one per site.
    ``terms``: :data:`TERMS`.  Δ and S are the junction's.
    """
    free, pinned = sites_of(free, pinned, junction.n_sites)
    check_terms(terms)
    h, q0 = bare_per_site(bare, junction.n_sites)
    t = junction_tensors(junction, V, refine)
    spins = llg_blocks(t["chi"], t["dchi"], t["noise"], t["spin"], free, pinned, h, q0, junction.Delta,
                       junction.S, junction.that, terms)
    return spins, t


def spin_model(junction, V, free, pinned=None, bare=None, terms="full", refine=1.0):
    """The :class:`~dimer_core.spins.langevin.SpinModel` of the free spins of ``junction`` at each bias of ``V`` (mV).

    Arguments as :func:`spins_and_tensors`; formulas in the module docstring (docs/junction.md, "Spins of a
    junction in motion").
    For :func:`~dimer_core.junction.model.from_dimer` ``(p)`` with free = (2,), pinned = {1: m_1} and
    ``OneSpin.from_params(p)`` it is the dimer's ``sweeps.pinned_model(p, V)[0].spins()``; with free = (1, 2)
    its ``sweeps.dimer_model(p, V).spins()`` (tests/test_junction_spins.py).
    """
    return spins_and_tensors(junction, V, free, pinned, bare, terms, refine)[0]


def one_spin_energy(g, x):
    """(Q (nb, 3, 3), b_nc (nb, 3)) of one spin with the field B = g + X·m (g (nb, 3), x (nb, 3, 3) in meV):
    E(m) = −g·m + m·Q·m with Q = −½·sym(X), and the nonconservative field b_nc with X·m = −2Q·m + m × b_nc
    (meV; for the dimer's pinned spin b_nc = (ΔS)²·chi22_DM·t̂)."""
    x = np.asarray(x, float)
    if np.shape(g)[-1] != 3 or x.shape[-2:] != (3, 3):
        raise ValueError(f"one_spin_energy needs one spin: g (nb, 3), X (nb, 3, 3); got {np.shape(g)}, {x.shape}")
    anti = 0.5 * (x - np.swapaxes(x, -1, -2))
    # anti·m = a × m with a = (anti_21, anti_02, anti_10); m × b_nc = −b_nc × m, so b_nc = −a
    b_nc = -np.stack([anti[..., 2, 1], anti[..., 0, 2], anti[..., 1, 0]], axis=-1)
    return -0.25 * (x + np.swapaxes(x, -1, -2)), b_nc


def fp_orientation(spins):
    """Fokker–Planck Ω = ⟨m⟩ (nb, 3) of one free spin: P(m) ∝ exp(−E(m)/k_B T_eff) with E of
    :func:`one_spin_energy` (docs/physics.md, "One spin pinned"; the field b_nc is left out, as the dimer's
    self DMI-like field); NaN where T_eff is undefined.  Returns (Ω, b_nc (nb, 3) meV, k_B T_eff (nb,) meV).

    ``spins``: a :class:`~dimer_core.spins.langevin.SpinModel` with one free spin.
    """
    if spins.nspins != 1:
        raise ValueError(f"the Fokker–Planck estimate needs one free spin; the model has {spins.nspins}")
    g = np.asarray(spins.g, float)
    q, b_nc = one_spin_energy(g, spins.X)
    kt = np.asarray(spins.kt, float)[:, 0]
    omega = np.full(g.shape, np.nan)
    defined = np.isfinite(kt)
    if defined.any():
        omega[defined] = mean_orientations(g[defined], q[defined], kt[defined])
    return omega, b_nc, kt


__all__ = ["TERMS", "DEFAULT_PINNED", "check_terms", "OneSpin", "bare_per_site", "sites_of", "without_w_terms",
           "llg_blocks", "bias_grid", "junction_tensors", "spins_and_tensors", "spin_model", "one_spin_energy",
           "fp_orientation"]
