"""Junction model files (TOML): :func:`read_model`, :func:`write_model`, :func:`loads`, :func:`dumps`, and the
optional bare one-spin terms of the spins: :func:`read_spins`, :func:`loads_spins`.

Schema (docs/junction.md, "Model files"; examples in ``examples/junction_*.toml``)::

    name = "chain3"            # a label
    that = [1.0, 0.0, 0.0]     # the common SOC axis (normalised)
    mu_F = 0.0                 # meV
    V = 0.0                    # mV; lead c sits at mu_F + eta_c*V
    T = 0.0                    # K
    S = 2.5                    # spin length
    Delta = 5.0                # meV (the couplings are per Delta^2)

    [spins]                    # optional: bare terms of every spin, E_0 = -h.m - K_easy (m.e_easy)^2
    h = [0.0, 0.0, 0.05]       #   + K_hard (m.n_hard)^2 (meV; docs/junction.md, "Spins of a junction in motion")
    K_easy = 0.2
    e_easy = [0.0, 0.0, 1.0]
    K_hard = 0.1
    n_hard = [1.0, 0.0, 0.0]

    [[site]]                   # one table per site, in order: sites 1, 2, ...
    eps = 0.0                  # meV
    K_easy = 0.5               # optional: any field of [spins], for this site only

    [[bond]]                   # block (a, b) of H_D is -(t0 + t*that.tau)
    sites = [1, 2]
    t0 = 2.0                   # meV
    t = 0.1                    # meV

    [[lead]]                   # a semi-infinite chain
    name = "L"
    te = 100.0                 # meV, band |e| < 2 te
    sites = [1]                # the sites it touches ...
    t = [10.0]                 # ... with these hoppings (meV)
    eta = 0.5                  # share of the bias
    p = 0.0                    # spin polarisation, 0 <= p < 1 (optional)
    n = [0.0, 0.0, 1.0]        # its axis (optional)

Top-level keys other than ``name`` default as in :class:`~dimer_core.junction.model.Junction`.  The bare
terms (:class:`~dimer_core.spins.junction_spins.OneSpin`) are not part of the junction (its electrons): they are read
by :func:`loads_spins` and default to none.  Unknown keys and bad values raise ``ValueError`` naming the entry
and its allowed range.
"""
import json
import tomllib

from .model import Junction
from ..spins.junction_spins import OneSpin

TOP = ("name", "that", "mu_F", "V", "T", "S", "Delta")
"""Top-level keys, in the order written."""
SECTIONS = ("site", "bond", "lead")
SPIN_FIELDS = ("h", "K_easy", "e_easy", "K_hard", "n_hard")
"""Fields of the ``[spins]`` table and optional fields of a ``[[site]]`` (the bare one-spin terms)."""


def _float(x):
    return repr(float(x))


def _vector(v):
    return "[" + ", ".join(_float(x) for x in v) + "]"


def _spin_lines(one, fields=SPIN_FIELDS):
    return [f"{k} = {_vector(getattr(one, k)) if k in ('h', 'e_easy', 'n_hard') else _float(getattr(one, k))}"
            for k in fields]


def dumps(junction, bare=None):
    """The TOML text of ``junction`` (floats written with repr: reading it back gives the same junction), with
    the bare one-spin terms ``bare`` if given: one :class:`OneSpin` as ``[spins]``, one per site in each
    ``[[site]]`` (:func:`loads_spins` gives them back)."""
    lines = ["# dimer_core junction model (docs/junction.md, \"Model files\")",
             f"name = {json.dumps(junction.name, ensure_ascii=False)}",
             f"that = {_vector(junction.that)}        # common SOC axis",
             f"mu_F = {_float(junction.mu_F)}        # meV",
             f"V = {_float(junction.V)}           # mV; lead c at mu_F + eta_c*V",
             f"T = {_float(junction.T)}           # K",
             f"S = {_float(junction.S)}",
             f"Delta = {_float(junction.Delta)}       # meV"]
    per_site = bare is not None and not isinstance(bare, OneSpin)
    if per_site and len(bare) != junction.n_sites:
        raise ValueError(f"bare: {len(bare)} entries for {junction.n_sites} sites; give one per site or one OneSpin")
    if isinstance(bare, OneSpin):
        lines += ["", "[spins]                       # bare one-spin terms of every site (meV)"] + _spin_lines(bare)
    for k, eps in enumerate(junction.eps):
        lines += ["", "[[site]]", f"eps = {_float(eps)}         # meV"] + (_spin_lines(bare[k]) if per_site else [])
    for bond in junction.bonds:
        lines += ["", "[[bond]]", f"sites = [{bond.a}, {bond.b}]", f"t0 = {_float(bond.t0)}          # meV",
                  f"t = {_float(bond.t)}           # meV, SOC along that"]
    for lead in junction.leads:
        lines += ["", "[[lead]]", f"name = {json.dumps(lead.name, ensure_ascii=False)}",
                  f"te = {_float(lead.te)}         # meV", f"sites = [{', '.join(str(s) for s in lead.sites)}]",
                  f"t = {_vector(lead.t)}         # meV", f"eta = {_float(lead.eta)}",
                  f"p = {_float(lead.p)}", f"n = {_vector(lead.n)}"]
    return "\n".join(lines) + "\n"


def _parse(text, source):
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{source}: not valid TOML: {exc}") from None


def _read(path):
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except OSError as exc:
        raise ValueError(f"{path}: cannot read the model file: {exc.strerror or exc}") from None


def loads(text, source="model"):
    """A :class:`Junction` from TOML text; ``source`` names it in error messages."""
    data = _parse(text, source)
    loads_spins(text, source)  # the bare terms are checked here too, though not part of the junction
    unknown = [k for k in data if k not in TOP + SECTIONS + ("spins",)]
    if unknown:
        raise ValueError(f"{source}: unknown key {unknown[0]!r}; allowed: {', '.join(TOP)} and the tables "
                         f"[[site]], [[bond]], [[lead]], [spins]")
    for section in SECTIONS:
        entries = data.get(section, [])
        if not isinstance(entries, list) or not all(isinstance(x, dict) for x in entries):
            raise ValueError(f"{source}: {section} must be written as [[{section}]] tables")
    sites = data.get("site", [])
    eps = []
    for k, site in enumerate(sites):
        extra = set(site) - {"eps"} - set(SPIN_FIELDS)
        if extra:
            raise ValueError(f"{source}: site {k + 1}: unknown field {sorted(extra)[0]!r}; fields: eps and the "
                             f"bare terms {', '.join(SPIN_FIELDS)}")
        eps.append(site.get("eps", 0.0))
    kwargs = {k: data[k] for k in TOP if k in data}
    try:
        return Junction(eps=tuple(eps), bonds=tuple(data.get("bond", [])), leads=tuple(data.get("lead", [])),
                        **kwargs)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{source}: {exc}") from None


def loads_spins(text, source="model"):
    """The bare one-spin terms of a model's TOML text: None if it gives none, else one
    :class:`~dimer_core.spins.junction_spins.OneSpin` per site (``[spins]`` for all, a site's own fields over it)."""
    data = _parse(text, source)
    common = data.get("spins", {})
    if not isinstance(common, dict):
        raise ValueError(f"{source}: spins must be a table [spins] with fields {', '.join(SPIN_FIELDS)}")
    unknown = set(common) - set(SPIN_FIELDS)
    if unknown:
        raise ValueError(f"{source}: [spins]: unknown field {sorted(unknown)[0]!r}; fields: {', '.join(SPIN_FIELDS)}")
    sites = [{k: v for k, v in site.items() if k in SPIN_FIELDS} for site in data.get("site", [])]
    if not common and not any(sites):
        return None
    out = []
    for k, own in enumerate(sites):
        try:
            out.append(OneSpin(**{**common, **own}))
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{source}: site {k + 1}: bare terms: {exc}") from None
    return out


def read_spins(path):
    """:func:`loads_spins` of a model file (``ValueError`` naming the file and the entry if bad)."""
    return loads_spins(_read(path), source=str(path))


def read_model(path):
    """A :class:`Junction` from a TOML model file (``ValueError`` naming the file and the entry if bad)."""
    return loads(_read(path), source=str(path))


def write_model(junction, path, bare=None):
    """Write ``junction`` (and the bare terms ``bare``, if given) to ``path`` as TOML (:func:`dumps`)."""
    with open(path, "w", encoding="utf-8") as f:
        f.write(dumps(junction, bare))


__all__ = ["TOP", "SECTIONS", "SPIN_FIELDS", "dumps", "loads", "loads_spins", "read_model", "read_spins",
           "write_model"]
