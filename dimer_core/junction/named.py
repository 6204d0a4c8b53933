"""A junction's parameters by dotted name, as a study's axes name them (docs/junction.md, "Studies of a junction").

==========================  =====================================================  ======
name                        what it sets                                           unit
==========================  =====================================================  ======
``mu_F``, ``V``, ``T``,     the bath and spin parameters of :class:`Junction`       meV, mV, K,
``S``, ``Delta``                                                                   1, meV
``that``                    the common SOC axis (a 3-vector, normalised)           1
``eps.<a>``                 the level of site a (1-based)                          meV
``bond.<a>-<b>.t0``         the spin-independent hopping of the bond a–b           meV
``bond.<a>-<b>.t``          its SOC hopping along ``that``                         meV
``lead.<c>.te``             the chain hopping of lead c (its name, e.g. ``tip``)   meV
``lead.<c>.t``              every hopping of lead c to its sites (one value)       meV
``lead.<c>.t.<a>``          its hopping to site a alone                            meV
``lead.<c>.eta``            its share of the bias, mu_c = mu_F + eta·V             1
``lead.<c>.p``              its spin polarisation, 0 ≤ p < 1                       1
``lead.<c>.n``              its polarisation axis (a 3-vector, normalised)         1
==========================  =====================================================  ======

:func:`with_values` applies several at once through :meth:`Junction.updated`, so every value is checked with
the junction's own bounds and messages; a name that does not fit the junction (no such site, bond or lead)
raises ``ValueError`` naming it and what the junction has.
"""
import re
from dataclasses import replace


VECTOR_FIELDS = ("that", "n")
"""Fields whose value is a 3-vector."""

UNITS = {"mu_F": "meV", "V": "mV", "T": "K", "S": "1", "Delta": "meV", "that": "1", "eps": "meV", "t0": "meV",
         "t": "meV", "te": "meV", "eta": "1", "p": "1", "n": "1"}
"""Unit of each field."""

PATTERN = re.compile(r"(?P<bath>mu_F|V|T|S|Delta|that)"
                     r"|eps\.(?P<site>\d+)"
                     r"|bond\.(?P<a>\d+)-(?P<b>\d+)\.(?P<bond_field>t0|t)"
                     r"|lead\.(?P<lead>[^.]+)\.(?P<lead_field>te|t|eta|p|n)(?:\.(?P<lead_site>\d+))?")

HELP = ("mu_F, V, T, S, Delta, that, eps.<site>, bond.<a>-<b>.t0, bond.<a>-<b>.t, lead.<name>.te, lead.<name>.t, "
        "lead.<name>.t.<site>, lead.<name>.eta, lead.<name>.p, lead.<name>.n")
"""The names, for error messages."""


def field_of(name):
    """The field a dotted name sets (``"t0"`` for ``bond.1-2.t0``, ``"T"`` for ``T``); ValueError if unknown."""
    hit = PATTERN.fullmatch(name)
    if hit is None or (hit["lead_site"] is not None and hit["lead_field"] != "t"):
        raise ValueError(f"{name}: unknown parameter {name!r}; allowed: {HELP}")
    return next(hit[k] for k in ("bath", "bond_field", "lead_field") if hit[k] is not None) \
        if hit["site"] is None else "eps"


def is_vector(name):
    """True for the 3-vector parameters (``that``, ``lead.<c>.n``)."""
    return field_of(name) in VECTOR_FIELDS


def unit(name):
    """The unit of a dotted name (meV, mV, K or 1)."""
    return UNITS[field_of(name)]


def _lead_index(junction, name, label):
    names = [c.name for c in junction.leads]
    if label not in names:
        raise ValueError(f"{name}: the junction has no lead {label!r}; allowed: leads {', '.join(names)}")
    return names.index(label)


def _bond_index(junction, name, a, b):
    pairs = [tuple(sorted((x.a, x.b))) for x in junction.bonds]
    key = tuple(sorted((a, b)))
    if key not in pairs:
        have = ", ".join(f"{x}-{y}" for x, y in pairs) or "none"
        raise ValueError(f"{name}: sites {a}, {b} are not bonded; allowed: the bonds {have}")
    return pairs.index(key)


def with_values(junction, values):
    """``junction`` with the dotted names of ``values`` (name → number or 3-vector) set, validated again.

    Raises ``ValueError`` naming the parameter and its allowed range (the junction's own message), or naming
    a site, bond or lead the junction does not have.
    """
    top, eps = {}, list(junction.eps)
    bonds, leads = list(junction.bonds), list(junction.leads)
    for name, value in values.items():
        field = field_of(name)
        hit = PATTERN.fullmatch(name)
        if hit["bath"] is not None:
            top[field] = value
        elif hit["site"] is not None:
            site = int(hit["site"])
            if not 1 <= site <= junction.n_sites:
                raise ValueError(f"{name}: site {site} is out of range; allowed: 1 <= site <= {junction.n_sites}")
            eps[site - 1] = value
        elif hit["bond_field"] is not None:
            k = _bond_index(junction, name, int(hit["a"]), int(hit["b"]))
            bonds[k] = replace(bonds[k], **{field: value})
        else:
            k = _lead_index(junction, name, hit["lead"])
            lead = leads[k]
            if field == "t" and hit["lead_site"] is not None:
                site = int(hit["lead_site"])
                if site not in lead.sites:
                    raise ValueError(f"{name}: lead {lead.name!r} does not touch site {site}; allowed: its sites "
                                     f"{', '.join(map(str, lead.sites))}")
                value = tuple(value if s == site else x for s, x in zip(lead.sites, lead.t))
            elif field == "t":
                value = (value,) * len(lead.sites)
            leads[k] = replace(lead, **{field: value})
    try:
        return junction.updated(eps=tuple(eps), bonds=tuple(bonds), leads=tuple(leads), **top)
    except (TypeError, ValueError) as exc:
        where = ", ".join(values)
        raise ValueError(str(exc) if len(values) == 1 else f"{where}: {exc}") from None


def value_of(junction, name):
    """The value of a dotted name in ``junction`` (a number, or a 3-tuple for ``that`` and ``lead.<c>.n``).  Raises
    ``ValueError`` as :func:`with_values` does, and for ``lead.<c>.t`` of a lead whose hoppings differ (it sets them
    all: name one, ``lead.<c>.t.<site>``)."""
    field = field_of(name)
    hit = PATTERN.fullmatch(name)
    if hit["bath"] is not None:
        return getattr(junction, field)
    if hit["site"] is not None:
        site = int(hit["site"])
        if not 1 <= site <= junction.n_sites:
            raise ValueError(f"{name}: site {site} is out of range; allowed: 1 <= site <= {junction.n_sites}")
        return junction.eps[site - 1]
    if hit["bond_field"] is not None:
        return getattr(junction.bonds[_bond_index(junction, name, int(hit["a"]), int(hit["b"]))], field)
    lead = junction.leads[_lead_index(junction, name, hit["lead"])]
    if field == "t" and hit["lead_site"] is not None:
        site = int(hit["lead_site"])
        if site not in lead.sites:
            raise ValueError(f"{name}: lead {lead.name!r} does not touch site {site}; allowed: its sites "
                             f"{', '.join(map(str, lead.sites))}")
        return lead.t[lead.sites.index(site)]
    if field == "t":
        if len(set(lead.t)) > 1:
            raise ValueError(f"{name}: the hoppings of lead {lead.name!r} differ ({', '.join(f'{x:g}' for x in lead.t)} "
                             f"meV to sites {', '.join(map(str, lead.sites))}); allowed: one of them, "
                             f"{', '.join(f'{name}.{a}' for a in lead.sites)}")
        return lead.t[0]
    return getattr(lead, field)


def bounds_of(name):
    """(lo, hi) of a scalar dotted name: the junction's :data:`~dimer_core.junction.model.BOUNDS` (a lead's ``t``:
    its hopping bounds; ``p`` below 1) or, for mu_F, V, T, S, Delta, those of
    :class:`~dimer_core.params.DimerParams`.  Raises ``ValueError`` for the vector parameters."""
    from ..params import DimerParams
    from .model import BOUNDS

    field = field_of(name)
    if field in VECTOR_FIELDS:
        raise ValueError(f"{name} is a 3-vector; allowed here: the scalar parameters ({HELP})")
    hit = PATTERN.fullmatch(name)
    if hit["bath"] is not None:
        return DimerParams.param[field].bounds
    lo, hi, _ = BOUNDS["hopping" if hit["lead_field"] == "t" else field]
    return lo, hi


__all__ = ["VECTOR_FIELDS", "UNITS", "PATTERN", "HELP", "field_of", "is_vector", "unit", "with_values", "value_of",
           "bounds_of"]
