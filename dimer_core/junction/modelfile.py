"""Junction model files (TOML): :func:`read_model`, :func:`write_model`, :func:`loads`, :func:`dumps`.

Schema (docs/junction.md, "Model files"; examples in ``examples/junction_*.toml``)::

    name = "chain3"            # a label
    that = [1.0, 0.0, 0.0]     # the common SOC axis (normalised)
    mu_F = 0.0                 # meV
    V = 0.0                    # mV; lead c sits at mu_F + eta_c*V
    T = 0.0                    # K
    S = 2.5                    # spin length
    Delta = 5.0                # meV (the couplings are per Delta^2)

    [[site]]                   # one table per site, in order: sites 1, 2, ...
    eps = 0.0                  # meV

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

Top-level keys other than ``name`` default as in :class:`~dimer_core.junction.model.Junction`.  Unknown
keys and bad values raise ``ValueError`` naming the entry and its allowed range.
"""
import json
import tomllib

from .model import Junction

TOP = ("name", "that", "mu_F", "V", "T", "S", "Delta")
"""Top-level keys, in the order written."""
SECTIONS = ("site", "bond", "lead")


def _float(x):
    return repr(float(x))


def _vector(v):
    return "[" + ", ".join(_float(x) for x in v) + "]"


def dumps(junction):
    """The TOML text of ``junction`` (floats written with repr: reading it back gives the same junction)."""
    lines = ["# dimer_core junction model (docs/junction.md, \"Model files\")",
             f"name = {json.dumps(junction.name, ensure_ascii=False)}",
             f"that = {_vector(junction.that)}        # common SOC axis",
             f"mu_F = {_float(junction.mu_F)}        # meV",
             f"V = {_float(junction.V)}           # mV; lead c at mu_F + eta_c*V",
             f"T = {_float(junction.T)}           # K",
             f"S = {_float(junction.S)}",
             f"Delta = {_float(junction.Delta)}       # meV"]
    for eps in junction.eps:
        lines += ["", "[[site]]", f"eps = {_float(eps)}         # meV"]
    for bond in junction.bonds:
        lines += ["", "[[bond]]", f"sites = [{bond.a}, {bond.b}]", f"t0 = {_float(bond.t0)}          # meV",
                  f"t = {_float(bond.t)}           # meV, SOC along that"]
    for lead in junction.leads:
        lines += ["", "[[lead]]", f"name = {json.dumps(lead.name, ensure_ascii=False)}",
                  f"te = {_float(lead.te)}         # meV", f"sites = [{', '.join(str(s) for s in lead.sites)}]",
                  f"t = {_vector(lead.t)}         # meV", f"eta = {_float(lead.eta)}",
                  f"p = {_float(lead.p)}", f"n = {_vector(lead.n)}"]
    return "\n".join(lines) + "\n"


def loads(text, source="model"):
    """A :class:`Junction` from TOML text; ``source`` names it in error messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{source}: not valid TOML: {exc}") from None
    unknown = [k for k in data if k not in TOP + SECTIONS]
    if unknown:
        raise ValueError(f"{source}: unknown key {unknown[0]!r}; allowed: {', '.join(TOP)} and the tables "
                         f"[[site]], [[bond]], [[lead]]")
    for section in SECTIONS:
        entries = data.get(section, [])
        if not isinstance(entries, list) or not all(isinstance(x, dict) for x in entries):
            raise ValueError(f"{source}: {section} must be written as [[{section}]] tables")
    sites = data.get("site", [])
    eps = []
    for k, site in enumerate(sites):
        extra = set(site) - {"eps"}
        if extra:
            raise ValueError(f"{source}: site {k + 1}: unknown field {sorted(extra)[0]!r}; fields: eps")
        eps.append(site.get("eps", 0.0))
    kwargs = {k: data[k] for k in TOP if k in data}
    try:
        return Junction(eps=tuple(eps), bonds=tuple(data.get("bond", [])), leads=tuple(data.get("lead", [])),
                        **kwargs)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{source}: {exc}") from None


def read_model(path):
    """A :class:`Junction` from a TOML model file (``ValueError`` naming the file and the entry if bad)."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as exc:
        raise ValueError(f"{path}: cannot read the model file: {exc.strerror or exc}") from None
    return loads(text, source=str(path))


def write_model(junction, path):
    """Write ``junction`` to ``path`` as TOML (:func:`dumps`)."""
    with open(path, "w", encoding="utf-8") as f:
        f.write(dumps(junction))


__all__ = ["TOP", "SECTIONS", "dumps", "loads", "read_model", "write_model"]
