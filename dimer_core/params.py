"""Model parameters of the spin dimer and the paper's presets.

:class:`DimerParams` declares every parameter of the model once, with its unit,
bounds and meaning; the CLI (``--name value``) and the dashboard widgets are
generated from it.  :data:`PRESETS` holds the parameter sets of the paper's
figures (Leiva, Díaz & Núñez, PRB 107, 094401 (2023), Sec. III and Figs. 2–7).

Every check that a value is admissible lives here (:func:`check_value`,
:meth:`DimerParams.check`), so that the Python API and the CLI report the same
one-line message naming the parameter and its allowed range.
"""
import math

import numpy as np
import param

from .cache import BoundedCache

ELECTRONIC = ("t", "t0", "tL", "tR", "te", "eps1", "eps2", "that")
VECTORS = ("that", "m1", "h", "e_easy", "n_hard")
"""Parameters that fix the device Green's functions (the energy tables)."""


_outside_band = BoundedCache(max_items=4096)
"""Per electronic key: whether the dimer has a bound state outside the lead band (:meth:`DimerParams.check`, called
at every slider move and sweep point, builds the dimer as a junction and solves two eigenproblems only once a key)."""


class UnitVector(param.NumericTuple):
    """A 3-vector parameter stored normalised to unit length."""

    def __init__(self, default=(1.0, 0.0, 0.0), **params):
        super().__init__(default=unit_vector("vector", default), length=3, **params)

    def __set__(self, obj, val):
        super().__set__(obj, unit_vector(self.name or "vector", val))


class Vector3(param.NumericTuple):
    """A 3-vector parameter (any length), each component within ``bounds``."""

    __slots__ = ["vbounds"]

    def __init__(self, default=(0.0, 0.0, 0.0), bounds=(-10.0, 10.0), **params):
        self.vbounds = bounds
        super().__init__(default=tuple(float(x) for x in default), length=3, **params)

    def __set__(self, obj, val):
        super().__set__(obj, _vector(self.name or "vector", val, self.vbounds))


def _vector(name, val, bounds):
    try:
        v = np.asarray(val, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        raise ValueError(f"{name} = {val!r} is not a 3-vector: give three numbers, e.g. 0,0,0.05") from None
    lo, hi = bounds
    if v.shape != (3,) or not np.all(np.isfinite(v)) or v.min() < lo or v.max() > hi:
        raise ValueError(f"{name} = {val!r} is out of range; allowed: three numbers, each {lo:g} <= x <= {hi:g} meV")
    return tuple(float(x) for x in v)


def unit_vector(name, value, where=""):
    """``value`` normalised to a unit 3-tuple; a ValueError naming ``name`` (after ``where:``, if given) otherwise.

    A vector already of unit length (to rounding) is returned as it is: normalising it again could move its last
    bit, and a model or URL written and read back would then differ from the one written."""
    prefix = f"{where}: " if where else ""
    try:
        v = np.asarray(value, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        raise ValueError(f"{prefix}{name} = {value!r} is not a 3-vector: give three numbers, e.g. 1,0,0") from None
    if v.shape != (3,) or not np.all(np.isfinite(v)):
        raise ValueError(f"{prefix}{name} = {value!r} is not a 3-vector: give three finite numbers, e.g. 1,0,0")
    norm = float(np.linalg.norm(v))
    if norm < 1e-12:
        raise ValueError(f"{prefix}{name} = {tuple(float(x) for x in v)} has zero length: "
                         f"give a nonzero direction, e.g. 1,0,0")
    if abs(norm - 1.0) <= 4.0 * np.finfo(float).eps:
        return tuple(float(x) for x in v)
    return tuple(float(x) / norm for x in v)


def _number(default, bounds, unit, doc, label):
    return param.Number(default, bounds=bounds, doc=f"{doc} [{unit}]", label=label,
                        precedence=1.0)


class DimerParams(param.Parameterized):
    """All parameters of the dimer model (docs/physics.md, "Electronic model"; paper Sec. II–IV).

    Energies in meV, bias in mV, temperature in K.  Values outside the bounds
    raise ``ValueError`` naming the parameter and its allowed range.
    """

    # --- electronic device (paper Eq. 1, Fig. 1) ---
    t = _number(0.1, (0.0, 20.0), "meV", "Spin-orbit (spin-dependent) hopping between the sites", "t (SOC hopping)")
    t0 = _number(2.0, (0.0, 20.0), "meV", "Spin-independent hopping between the sites", "t0 (hopping)")
    tL = _number(10.0, (0.5, 50.0), "meV", "Hopping between the left lead and site 1", "tL (left contact)")
    tR = _number(10.0, (0.5, 50.0), "meV", "Hopping between the right lead and site 2", "tR (right contact)")
    te = _number(100.0, (10.0, 1000.0), "meV", "Hopping inside the leads (band from -2te to 2te)", "te (lead hopping)")
    eps1 = _number(0.0, (-50.0, 50.0), "meV", "On-site energy of site 1", "eps1 (site 1 level)")
    eps2 = _number(0.0, (-50.0, 50.0), "meV", "On-site energy of site 2", "eps2 (site 2 level)")
    that = UnitVector((1.0, 0.0, 0.0), doc="Direction of the spin-orbit vector t-hat (normalised) [unit vector]",
                      label="t-hat (SOC direction)")
    # --- bias and bath ---
    mu_F = _number(0.0, (-50.0, 50.0), "meV", "Equilibrium chemical potential (mu_L,R = mu_F +- eV/2)", "mu_F")
    V = _number(0.0, (-100.0, 100.0), "mV", "Bias voltage (mu_L - mu_R = eV)", "V (bias)")
    T = _number(0.0, (0.0, 300.0), "K", "Temperature of both leads", "T (temperature)")
    # --- localized spins ---
    S = _number(2.5, (0.5, 20.0), "dimensionless", "Length of each localized spin", "S (spin)")
    Delta = _number(5.0, (0.0, 50.0), "meV", "s-d exchange between localized and electron spins", "Delta (s-d)")
    # --- bare energy E_0(m) of a spin and the pinned spin (paper Sec. IV) ---
    m1 = UnitVector((0.0, 0.0, 1.0), doc="Direction of the pinned spin m_1 (normalised) [unit vector]",
                    label="m1 (pinned spin)")
    h = Vector3((0.0, 0.0, 0.05), bounds=(-10.0, 10.0),
                doc="Zeeman field on each spin, E_0 = -h.m (0.1158 meV per tesla for g = 2) [meV]",
                label="h (Zeeman)")
    K_easy = _number(0.2, (0.0, 10.0), "meV", "Easy-axis anisotropy, E_0 -= K_easy (m.e_easy)^2", "K_easy")
    e_easy = UnitVector((0.0, 0.0, 1.0), doc="Easy axis e_easy (normalised) [unit vector]", label="e_easy (easy axis)")
    K_hard = _number(0.1, (0.0, 10.0), "meV", "Hard-axis (easy-plane) anisotropy, E_0 += K_hard (m.n_hard)^2",
                     "K_hard")
    n_hard = UnitVector((1.0, 0.0, 0.0), doc="Hard axis n_hard (normalised) [unit vector]", label="n_hard (hard axis)")

    def __init__(self, **params):
        for name, value in params.items():
            check_value(name, value)
        super().__init__(**params)

    def check(self):
        """Raise ``ValueError`` if the parameter set as a whole is not admissible.

        The one joint condition: no electronic bound state may sit outside the
        lead band, because the steady state (docs/physics.md, "Electronic model") fills only states fed
        by the leads: :func:`dimer_core.electrons.hamiltonian.bound_state_edge` of the dimer as a junction
        (the largest eigenvalue of H_D + Σ(2·te) against 2·te, Σ(2te) = t_L,R²/te the largest self-energy outside
        the band, and likewise below −2·te).
        """
        from .electrons.hamiltonian import bound_state_edge
        from .junction.model import from_dimer

        for name in self.param:
            if name != "name":
                check_value(name, getattr(self, name))
        if _outside_band.get_or_build(self.electronic_key(), lambda: bound_state_edge(from_dimer(self)) is not None):
            raise ValueError(
                "te = %g is too small for t0, t, tL, tR, eps1, eps2: they put a bound state "
                "outside the lead band |e| < 2 te = %g meV; allowed: max |level| + max(tL, tR)^2/te "
                "< 2 te (raise te or lower the others)" % (self.te, 2.0 * self.te))
        return self

    def values(self):
        """Dict of every parameter value (``that`` as a tuple)."""
        return {k: getattr(self, k) for k in self.param if k != "name"}

    def vector(self, name):
        """A vector parameter as a NumPy array."""
        return np.asarray(getattr(self, name), dtype=float)

    def electronic_key(self):
        """Hashable key of the parameters that fix the energy tables."""
        return tuple(tuple(getattr(self, k)) if k == "that" else float(getattr(self, k))
                     for k in ELECTRONIC)

    def updated(self, **changes):
        """A copy with some values changed (validated)."""
        return DimerParams(**{**self.values(), **changes})


def bounds_text(name):
    """Human-readable allowed range of a parameter, e.g. ``0 <= t <= 20 meV``."""
    p = DimerParams.param[name]
    if isinstance(p, UnitVector):
        return f"{name} is any nonzero 3-vector (normalised)"
    if isinstance(p, Vector3):
        return f"{name} is a 3-vector with components in [{p.vbounds[0]:g}, {p.vbounds[1]:g}] meV"
    lo, hi = p.bounds
    unit = p.doc.rsplit("[", 1)[-1].rstrip("]")
    unit = "" if unit == "dimensionless" else " " + unit
    return f"{lo:g} <= {name} <= {hi:g}{unit}"


def checked_axis(name, values):
    """``values`` of the parameter ``name`` (mu_F in meV or V in mV) as a 1-D float array for a grid; a
    ValueError names ``name`` and its bounds (those of :class:`DimerParams`) when a value is out of them or not
    finite, or when the axis is empty."""
    arr = np.asarray(values, dtype=float).reshape(-1)
    if arr.size == 0 or not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} grid must be a non-empty list of finite numbers")
    lo, hi = DimerParams.param[name].bounds
    if arr.min() < lo or arr.max() > hi:
        raise ValueError(f"{name} grid reaches {np.abs(arr).max():g}; allowed: {bounds_text(name)}")
    return arr


def check_value(name, value):
    """Validate one parameter value; raise ``ValueError`` naming the allowed range."""
    if name not in DimerParams.param or name == "name":
        known = ", ".join(k for k in DimerParams.param if k != "name")
        raise ValueError(f"unknown parameter {name!r}; known parameters: {known}")
    p = DimerParams.param[name]
    if isinstance(p, UnitVector):
        unit_vector(name, value)
        return
    if isinstance(p, Vector3):
        _vector(name, value, p.vbounds)
        return
    if isinstance(p, param.Number):
        try:
            x = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"{name} = {value!r} is not a number; allowed: {bounds_text(name)}") from None
        lo, hi = p.bounds
        if not math.isfinite(x) or x < lo or x > hi:
            raise ValueError(f"{name} = {value!r} is out of range; allowed: {bounds_text(name)}")


PAPER_DEFAULTS = dict(t0=2.0, tL=10.0, tR=10.0, te=100.0, eps1=0.0, eps2=0.0,
                      that=(1.0, 0.0, 0.0), mu_F=0.0, V=0.0, T=0.0, S=2.5)
"""Electronic defaults of the paper, Sec. III (t_e = 100, t0 = 2, t_L = t_R = 10 meV)."""

SPIN_DEFAULTS = dict(Delta=5.0, m1=(0.0, 0.0, 1.0), h=(0.0, 0.0, 0.05), K_easy=0.2, e_easy=(0.0, 0.0, 1.0),
                     K_hard=0.1, n_hard=(1.0, 0.0, 0.0))
"""Our choice for the spin part (the paper takes it from its Ref. [5] without printing it).

Δ = 5 meV makes Δ²|J_2| ≈ 4.4 meV at low bias, well above k_B·T_eff (< 0.4 meV
for |V| < 4 mV), as the sharp Omega_z = ∓1 plateaus of Fig. 4 require; T_eff does
not depend on Δ, the energies scale as Δ².  A weak easy axis along m_1 = z
(0.2 meV) and a weaker hard axis along that = x (0.1 meV) keep the free spin in
the y–z plane, where the DMI field D_2·m_1 × that = D_2·y steers the reversal; a
0.05 meV Zeeman field (0.43 T for g = 2) along z.  See docs/physics.md.
"""

PRESETS = {
    "weak-soc": dict(PAPER_DEFAULTS, **SPIN_DEFAULTS, t=0.1),
    "strong-soc": dict(PAPER_DEFAULTS, **SPIN_DEFAULTS, t=1.0),
}
"""The paper's cases: weak SOC t = 5 % of t0 (Figs. 2, 4, 6) and strong SOC t = t0/2 (Figs. 5, 7)."""


def preset(name, **changes):
    """A :class:`DimerParams` for a named preset, with optional changes."""
    if name not in PRESETS:
        raise ValueError(f"unknown preset {name!r}; known presets: {', '.join(PRESETS)}")
    return DimerParams(**{**PRESETS[name], **changes})

__all__ = ["checked_axis", "ELECTRONIC", "VECTORS", "UnitVector", "Vector3", "unit_vector", "DimerParams", "bounds_text",
           "check_value", "PAPER_DEFAULTS", "SPIN_DEFAULTS", "PRESETS", "preset"]
