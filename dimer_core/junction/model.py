"""The junction model: sites, bonds and leads of a small molecular junction (docs/junction.md, "Model").

A :class:`Junction` generalises the paper's dimer (docs/physics.md, "Electronic model"; paper Sec. II,
Fig. 1) to N sites:

* sites a = 1 … N (1 ≤ N ≤ :data:`MAX_SITES`), each a spin-degenerate level ``eps_a`` (meV);
* bonds (a, b) with the hopping block ``T_ab = t0_ab·1 + t_ab·(that·tau)`` about one common SOC
  axis ``that``; H_D holds ``−T_ab`` in block (a, b) and ``−T_ab†`` in (b, a) (the sign of
  docs/physics.md, "Electronic model": −T);
* leads c (2 ≤ M ≤ :data:`MAX_LEADS`), each a semi-infinite chain of hopping ``te`` whose surface site
  touches the sites ``sites`` with hoppings ``t`` (meV), at chemical potential ``mu_F + eta·V``,
  optionally spin-polarised: Γ_c → Γ_c·(1 + p·n·tau), and with it Σ_c → Σ_c·(1 + p·n·tau)
  (a spin-dependent contact, t_cσ² = t_c²(1 ± p) along n: Kramers–Kronig consistent);
* the bath and spin parameters ``mu_F`` (meV), ``V`` (mV), ``T`` (K), ``S``, ``Delta`` (meV), as in
  :class:`~dimer_core.params.DimerParams` and with its bounds and messages.

Every value is checked on construction; a bad one raises ``ValueError`` naming the parameter (and
its site, bond or lead) and its allowed range, phrased as :func:`dimer_core.params.check_value` does.
Sites are numbered from 1 in every user-facing place (model files, the CLI, dataset coordinates).
"""
import math
from dataclasses import dataclass, field, replace

import numpy as np

from ..cache import BoundedCache
from ..params import DimerParams, check_value, unit_vector

MAX_SITES = 8
"""Largest number of sites."""
MAX_LEADS = 8
"""Largest number of leads."""

BOUNDS = {
    "eps": (-50.0, 50.0, "meV"),
    "t0": (-20.0, 20.0, "meV"),
    "t": (-20.0, 20.0, "meV"),
    "hopping": (0.0, 50.0, "meV"),
    "te": (10.0, 1000.0, "meV"),
    "eta": (-1.0, 1.0, ""),
    "p": (0.0, 1.0, ""),
}
"""Bounds (lo, hi, unit) of the junction's own parameters; ``p`` excludes 1 (p < 1).

``eps`` and ``te`` are the dimer's bounds (``eps1``, ``te``); a bond's ``t0``, ``t`` may have
either sign (a negative ``t`` is the SOC axis reversed); a lead hopping may be 0 (no contact) up
to the dimer's 50 meV, but each lead needs one hopping ≥ :data:`MIN_CONTACT`."""

MIN_CONTACT = 0.5
"""Smallest largest-hopping of a lead (meV): the dimer's lower bound of tL, tR."""

MIN_WIDTH = 5e-7
"""Narrowest resonance half-width (meV) that :meth:`Junction.check` admits: below it the junction's energy panels
(no resonance-anchored angles, docs/junction.md, "Numerics") lose accuracy (a level on site 3 of a test model
reached by a contact c: refining the grid 3× moves ∂_E Im χ by 1e-7 at γ = 9.6e-7 meV, 4e-6 at 8.6e-8, 1e-2 at
9.6e-9)."""

BATH = ("mu_F", "V", "T", "S", "Delta")
"""Parameters shared with :class:`~dimer_core.params.DimerParams`, with its bounds."""


def _range_text(name, lo, hi, unit, open_hi=False):
    unit = f" {unit}" if unit else ""
    return f"{lo:g} <= {name} {'<' if open_hi else '<='} {hi:g}{unit}"


def _number(where, name, value, open_hi=False):
    """``value`` as a float within ``BOUNDS[name]``; ValueError naming ``where`` and the range."""
    lo, hi, unit = BOUNDS[name]
    prefix = f"{where}: " if where else ""
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{prefix}{name} = {value!r} is not a number; allowed: "
                         f"{_range_text(name, lo, hi, unit, open_hi)}") from None
    if not math.isfinite(x) or x < lo or x > hi or (open_hi and x >= hi):
        raise ValueError(f"{prefix}{name} = {value!r} is out of range; allowed: "
                         f"{_range_text(name, lo, hi, unit, open_hi)}")
    return x


def _site(where, name, value, n_sites):
    try:
        k = int(value)
        if k != value:
            raise ValueError
    except (TypeError, ValueError):
        raise ValueError(f"{where}: {name} = {value!r} is not a site number; allowed: 1 <= site <= {n_sites}") from None
    if not 1 <= k <= n_sites:
        raise ValueError(f"{where}: {name} = {value!r} is out of range; allowed: 1 <= site <= {n_sites}")
    return k


@dataclass(frozen=True)
class Bond:
    """A bond between sites ``a`` and ``b`` (1-based): block (a, b) of H_D is −(t0·1 + t·that·tau).

    Attributes
    ----------
    a, b : int
        Sites, 1-based, a ≠ b.
    t0 : float
        Spin-independent hopping (meV).
    t : float
        SOC hopping along the junction's ``that`` (meV).
    """

    a: int
    b: int
    t0: float = 0.0
    t: float = 0.0


@dataclass(frozen=True)
class Lead:
    """A semi-infinite chain lead (docs/physics.md, "Leads"; generalised, docs/junction.md).

    Attributes
    ----------
    name : str
        Label (e.g. "L", "R", "tip", "substrate").
    te : float
        Hopping inside the chain (meV); its band is |e| < 2·te.
    sites : tuple of int
        Sites (1-based) its surface site touches.
    t : tuple of float
        Hopping to each of ``sites`` (meV); Σ_c,ab = t_a·t_b·g_c(e)·(1 + p·n·tau).
    eta : float
        Share of the bias: mu_c = mu_F + eta·V (the paper's L, R: +½, −½).
    p : float
        Spin polarisation, 0 ≤ p < 1, along ``n``.
    n : tuple of float
        Unit polarisation axis.
    """

    name: str
    te: float
    sites: tuple
    t: tuple
    eta: float = 0.0
    p: float = 0.0
    n: tuple = (0.0, 0.0, 1.0)


@dataclass(frozen=True)
class Junction:
    """A small junction: sites, bonds, leads, bias, temperature and spin length (docs/junction.md).

    Build it with keyword arguments (lists are accepted for the tuples; bonds and leads may be given
    as dicts with the fields of :class:`Bond`, :class:`Lead`); every value is validated and
    normalised on construction.

    Attributes
    ----------
    eps : tuple of float
        On-site levels eps_a (meV), one per site; N = len(eps).
    bonds : tuple of Bond
    leads : tuple of Lead
    that : tuple of float
        The common SOC axis (unit vector).
    mu_F : float
        Equilibrium chemical potential (meV).
    V : float
        Bias (mV): mu_c = mu_F + eta_c·V.
    T : float
        Temperature of every lead (K).
    S : float
        Length of each localized spin.
    Delta : float
        s–d exchange (meV); the couplings are per Δ² and do not depend on it.
    name : str
        A label.
    """

    eps: tuple
    bonds: tuple = ()
    leads: tuple = ()
    that: tuple = (1.0, 0.0, 0.0)
    mu_F: float = 0.0
    V: float = 0.0
    T: float = 0.0
    S: float = 2.5
    Delta: float = 5.0
    name: str = "junction"
    _checked: bool = field(default=False, repr=False, compare=False)

    def __post_init__(self):
        eps = self.eps
        if isinstance(eps, (int, float)) or not hasattr(eps, "__len__"):
            raise ValueError(f"eps = {eps!r} is not a list of site levels; give one number per site "
                             f"(1 <= N <= {MAX_SITES} sites)")
        n = len(eps)
        if not 1 <= n <= MAX_SITES:
            raise ValueError(f"eps has {n} entries: the number of sites is out of range; "
                             f"allowed: 1 <= N <= {MAX_SITES}")
        object.__setattr__(self, "eps", tuple(_number(f"site {a + 1}", "eps", x) for a, x in enumerate(eps)))
        object.__setattr__(self, "that", unit_vector("that", self.that))
        for name in BATH:
            try:
                check_value(name, getattr(self, name))
            except ValueError as exc:
                raise ValueError(str(exc)) from None
            object.__setattr__(self, name, float(getattr(self, name)))
        object.__setattr__(self, "name", str(self.name))
        object.__setattr__(self, "bonds", tuple(self._bond(k, b) for k, b in enumerate(self.bonds)))
        pairs = [tuple(sorted((b.a, b.b))) for b in self.bonds]
        for k, pair in enumerate(pairs):
            if pair in pairs[:k]:
                raise ValueError(f"bond {k + 1}: sites {pair[0]}, {pair[1]} are already bonded (bond "
                                 f"{pairs.index(pair) + 1}); allowed: one bond per pair of sites")
        leads = tuple(self._lead(k, c) for k, c in enumerate(self.leads))
        if not 2 <= len(leads) <= MAX_LEADS:
            raise ValueError(f"the junction has {len(leads)} leads; allowed: 2 <= leads <= {MAX_LEADS}")
        names = [c.name for c in leads]
        for k, name in enumerate(names):
            if name in names[:k]:
                raise ValueError(f"lead {k + 1}: name {name!r} is already used; allowed: distinct lead names")
        object.__setattr__(self, "leads", leads)
        object.__setattr__(self, "_checked", True)

    # --- validation of the parts ---
    def _bond(self, k, bond):
        where = f"bond {k + 1}"
        if isinstance(bond, dict):
            unknown = set(bond) - {"a", "b", "t0", "t", "sites"}
            if unknown:
                raise ValueError(f"{where}: unknown field {sorted(unknown)[0]!r}; fields: sites (or a, b), t0, t")
            if "sites" in bond:
                sites = bond["sites"]
                if not hasattr(sites, "__len__") or len(sites) != 2:
                    raise ValueError(f"{where}: sites = {sites!r} must be two site numbers, e.g. [1, 2]")
                bond = Bond(sites[0], sites[1], bond.get("t0", 0.0), bond.get("t", 0.0))
            else:
                bond = Bond(**bond)
        elif not isinstance(bond, Bond):
            raise ValueError(f"{where}: {bond!r} is not a bond; give Bond(a, b, t0, t) or a dict")
        a = _site(where, "a", bond.a, len(self.eps))
        b = _site(where, "b", bond.b, len(self.eps))
        if a == b:
            raise ValueError(f"{where}: a = b = {a}; a bond joins two different sites (on-site levels are eps)")
        return Bond(a, b, _number(where, "t0", bond.t0), _number(where, "t", bond.t))

    def _lead(self, k, lead):
        where = f"lead {k + 1}"
        if isinstance(lead, dict):
            unknown = set(lead) - {"name", "te", "sites", "t", "eta", "p", "n"}
            if unknown:
                raise ValueError(f"{where}: unknown field {sorted(unknown)[0]!r}; fields: name, te, sites, t, eta, p, n")
            missing = {"te", "sites", "t"} - set(lead)
            if missing:
                raise ValueError(f"{where}: missing field {sorted(missing)[0]!r}; a lead needs te, sites and t")
            lead = Lead(**{"name": lead.get("name", f"lead{k + 1}"), **{f: v for f, v in lead.items() if f != "name"}})
        elif not isinstance(lead, Lead):
            raise ValueError(f"{where}: {lead!r} is not a lead; give Lead(name, te, sites, t, ...) or a dict")
        where = f"lead {lead.name!r}"
        te = _number(where, "te", lead.te)
        sites, hops = lead.sites, lead.t
        if isinstance(sites, (int, float)):
            sites = (sites,)
        if isinstance(hops, (int, float)):
            hops = (hops,)
        sites = tuple(_site(where, "sites", s, len(self.eps)) for s in sites)
        if not sites or len(set(sites)) != len(sites):
            raise ValueError(f"{where}: sites = {lead.sites!r} must list distinct sites, at least one")
        if len(hops) != len(sites):
            raise ValueError(f"{where}: t has {len(hops)} entries for {len(sites)} sites; give one hopping per site")
        hops = tuple(_number(where, "hopping", x) for x in hops)
        if max(hops) < MIN_CONTACT:
            raise ValueError(f"{where}: t = {hops!r}: no contact; allowed: its largest hopping >= {MIN_CONTACT:g} meV")
        eta = _number(where, "eta", lead.eta)
        p = _number(where, "p", lead.p, open_hi=True)
        n = unit_vector("n", lead.n, where)
        return Lead(str(lead.name), te, sites, hops, eta, p, n)

    # --- derived quantities ---
    @property
    def n_sites(self):
        """Number of sites N."""
        return len(self.eps)

    @property
    def chemical_potentials(self):
        """mu_c = mu_F + eta_c·V of every lead (meV), as an array."""
        return np.array([self.mu_F + c.eta * self.V for c in self.leads])

    @property
    def common_axis(self):
        """True when the 1/W/that⊗that form holds (docs/physics.md, "Tensor form"): all leads unpolarised (p = 0)."""
        return all(c.p == 0.0 for c in self.leads)

    def updated(self, **changes):
        """A copy with some fields changed (validated again)."""
        return replace(self, **changes, _checked=False)

    def isolated_levels(self, tol=1e-10):
        """Energies (meV) of the states that touch no lead among the sites linked to a lead (docs/junction.md,
        "Model").

        A state v with H_D v = e v and W v = 0, W = Σ_c (v_c v_cᵀ) ⊗ (1 + p_c n_c·τ) the contacts (every
        lead's self-energy is a multiple of its term), is a real pole of G^R that no lead fills or empties;
        where it shares sites with states the leads do fill, the responses there are undefined.  Sites with
        no path to any lead (bonds and contacts of zero hopping) are left out: their Green's function is a
        block of its own and every response involving them is exactly 0.  Degenerate levels count once per
        state hidden among them: the smallest eigenvalue of W in each eigenspace (levels closer than
        ``tol``·(1 + |e|) are one) is compared with ``tol`` × the largest contact².
        """
        scale = max(max(c.t) ** 2 for c in self.leads)
        found = []
        for energy, weights, _ in self._eigenspaces(tol):
            found += [energy] * int(np.sum(weights < tol * scale))
        return np.array(found)

    def narrowest_level(self, tol=1e-10):
        """(energy, half-width) in meV of the narrowest resonance of the sites linked to a lead, to first order in
        the contacts: in each eigenspace of H_D the smallest eigenvalue of q†(Γ(e)/2)q, Γ(e)/2 = Σ_c −Im g_c(e)·
        (v_c v_cᵀ) ⊗ (1 + p_c n_c·τ) (exact as the width goes to 0, the regime it guards; docs/junction.md,
        "Numerics").  ``(nan, inf)`` when no site is linked to a lead."""
        best = (float("nan"), float("inf"))
        for energy, _, widths in self._eigenspaces(tol):
            if widths.size and widths[0] < best[1]:
                best = (energy, float(widths[0]))
        return best

    def _eigenspaces(self, tol):
        """Per eigenspace of H_D on the sites linked to a lead (levels closer than tol·(1 + |e|) are one): its
        energy, the eigenvalues of q†Wq (W the contacts) and of q†(Γ(e)/2)q, ascending."""
        from ..electrons.hamiltonian import coupling_matrix, device_hamiltonian, surface_g

        group = list(range(self.n_sites))  # union–find over the sites linked by nonzero bonds

        def root(a):
            while group[a] != a:
                a = group[a]
            return a
        for bond in self.bonds:
            if bond.t0 != 0.0 or bond.t != 0.0:
                group[root(bond.a - 1)] = root(bond.b - 1)
        linked = {root(site - 1) for c in self.leads for site, t in zip(c.sites, c.t) if t > 0.0}
        index = [2 * a + s for a in range(self.n_sites) if root(a) in linked for s in (0, 1)]
        part = np.ix_(index, index)
        energies, vectors = np.linalg.eigh(device_hamiltonian(self)[part])
        couplings = [coupling_matrix(self, k)[part] for k in range(len(self.leads))]
        contacts = sum(couplings)
        start = 0
        while start < energies.size:
            stop = start + 1
            while stop < energies.size and energies[stop] - energies[start] <= tol * (1.0 + abs(energies[start])):
                stop += 1
            q = vectors[:, start:stop]
            energy = float(energies[start])
            half_gamma = sum(-surface_g(np.array([energy]), c.te)[0][0].imag * m for c, m in zip(self.leads, couplings))
            yield (energy, np.linalg.eigvalsh(q.conj().T @ contacts @ q),
                   np.linalg.eigvalsh(q.conj().T @ half_gamma @ q))
            start = stop

    def check(self):
        """Raise ``ValueError`` if the junction as a whole is not admissible; return it otherwise.

        Refused: a state of the sites that touches no lead (:meth:`isolated_levels`): its occupation is not
        set by the leads and G^R has a real pole there, so no response at it is defined; and a resonance
        narrower than :data:`MIN_WIDTH` (:meth:`narrowest_level`), which the energy panels do not resolve.

        The joint condition (as :meth:`DimerParams.check`): no electronic bound state outside the union
        of the lead bands, |e| < 2·max te, which the steady state would leave empty
        (:func:`dimer_core.electrons.hamiltonian.bound_state_edge`).
        """
        refusal = _refusals.get_or_build((self.eps, self.bonds, self.leads, self.that), self._refusal)
        if refusal:
            raise ValueError(refusal)
        return self

    def _refusal(self):
        """Why :meth:`check` refuses the junction ("" if it does not): a matter of its sites, bonds, leads and axis."""
        from ..electrons.hamiltonian import bound_state_edge

        dark = self.isolated_levels()
        if dark.size:
            return (
                f"the sites hold a state at e = {dark[0]:.6g} meV that touches no lead (an eigenstate of H_D with no "
                f"weight on any contacted site, e.g. |2> - |4> of a ring of equal bonds with leads on 1 and 3): the "
                f"leads do not set its occupation and the responses at it are undefined; allowed: junctions whose "
                f"every state on sites linked to a lead reaches a lead (contact the sites it lives on, or change a "
                f"level or a bond that makes it symmetric)")
        if bound_state_edge(self) is not None:
            band = 2.0 * max(c.te for c in self.leads)
            return (
                f"te = {band / 2:g} (the widest lead) is too small for the levels, bonds and contacts: they "
                f"put a bound state outside the lead bands |e| < {band:g} meV; allowed: max |level| + "
                f"contact²/te < 2·te (raise te or lower the others)")
        energy, width = self.narrowest_level()
        if width < MIN_WIDTH:
            return (
                f"the sites hold a state at e = {energy:.6g} meV whose resonance is only {width:.2g} meV wide (a level "
                f"reached from the leads by a very weak contact or bond): the energy integrals do not resolve it; "
                f"allowed: every resonance at least {MIN_WIDTH:g} meV wide (raise the weak hopping, e.g. a contact "
                f"of 0.01 meV to a lead of te = 100 meV gives 1e-6 meV)")
        return ""


_refusals = BoundedCache(max_items=1024)
"""Per (eps, bonds, leads, that): :meth:`Junction.check`'s refusal ("" for none): its eigenproblems are solved once a
model, not at every map, point or sweep step."""


def from_dimer(p, name=None):
    """The :class:`Junction` equal to a :class:`~dimer_core.params.DimerParams` ``p``.

    Two sites (eps1, eps2), one bond (1, 2) with (t0, t), lead "L" (te, site 1, tL, eta = +½) and
    lead "R" (te, site 2, tR, eta = −½), with p's that, mu_F, V, T, S, Delta.
    """
    if not isinstance(p, DimerParams):
        raise TypeError(f"expected DimerParams, got {type(p).__name__}")
    return Junction(eps=(p.eps1, p.eps2), bonds=(Bond(1, 2, p.t0, p.t),),
                    leads=(Lead("L", p.te, (1,), (p.tL,), 0.5), Lead("R", p.te, (2,), (p.tR,), -0.5)),
                    that=p.that, mu_F=p.mu_F, V=p.V, T=p.T, S=p.S, Delta=p.Delta,
                    name=name or "dimer")


__all__ = ["MAX_SITES", "MAX_LEADS", "BOUNDS", "MIN_CONTACT", "MIN_WIDTH", "BATH", "Bond", "Lead", "Junction", "from_dimer"]
