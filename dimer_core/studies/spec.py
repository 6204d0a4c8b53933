"""Declaring a parameter study: the TOML spec, checked entry by entry before any work.

A study is a grid over any parameters of :class:`~dimer_core.params.DimerParams`,
a method, and the quantities to keep::

    [study]
    method = "maps"              # maps | fp | langevin | modes | rates
    preset = "weak-soc"          # the starting point (default weak-soc)
    quantities = ["J_2", "D_2"]  # default: every output of the method
    task_seconds = 3.0           # aimed-at work per Dask task (default 3 s)

    [fixed]                      # other parameters, as in the CLI
    T = 2.0

    [axes]                       # the study's own axes: a list, or start/stop/num
    t = [0.05, 0.1, 0.2]
    t0 = {start = 1.5, stop = 2.5, num = 5}
    that = [[1, 0, 0], [0, 0, 1]]   # a vector axis: a list of 3-vectors

    [map]                        # method maps: the mu_F (meV) × V (mV) grid of each point
    mu_F = {start = -6, stop = 6, num = 121}
    V = {start = -12, stop = 12, num = 121}

    [sweep]                      # methods fp, langevin, modes, rates: the bias sweep (mV) of each point
    V = {start = -5, stop = 5, num = 41}

    [modes]                      # method modes: ESR lines (dimer_core.studies.line_study)
    spins = "pinned"             # or "both"
    terms = "full"               # or "paper"

    [rates]                      # method rates: switching rates of the free spin (Fokker–Planck spectrum)
    L = 32                       # spherical-harmonic degree
    terms = "full"

    [langevin]
    realizations = 16
    seed = 1                     # point i of the grid (C order) runs with seed + i
    terms = "full"               # or "paper"
    integrator = "heun"          # or "midpoint" (dimer_core.spins.integrators.INTEGRATORS)
    calculus = "boltzmann"       # or "stratonovich" (dimer_core.spins.drift.CALCULI)
    # dt, t_burn, t_average (ps): default from the relaxation time (sweeps.time_scales)

A junction instead of the dimer (:mod:`dimer_core.studies.junction_study`; docs/junction.md, "Studies of a junction")::

    [study]
    method = "maps"
    preset = "chain3"            # a junction preset, or model = "my_junction.toml" (relative to this file)
    pair = [1, 3]                # maps: the pair of sites whose named couplings are kept (default [1, 2])
    # free = [3]                 # fp, langevin, modes, rates: the free spins (required; fp, rates: one);
    #                            # pinned = {"1" = [0, 0, 1]}

    [axes]                       # dotted names (dimer_core.junction.named)
    "bond.1-2.t" = [0.1, 0.5]
    "lead.L.t" = [5.0, 10.0]

:func:`load_spec` turns such a file (or a dict of the same shape) into a
:class:`StudySpec`; every error names its entry, e.g.
``[axes] t: 30.0 is out of range; allowed: 0 <= t <= 20 meV``.
"""
import itertools
import json
import math
import os
import tomllib
from dataclasses import dataclass, replace

import numpy as np

from ..spins.drift import CALCULI
from ..spins.integrators import INTEGRATORS
from ..junction.named import is_vector, with_values
from ..junction.presets import PRESETS as JUNCTION_PRESETS
from ..params import PRESETS, VECTORS, DimerParams, check_value, preset
from .junction_study import base_junction, is_junction_preset
from .junction_study import outputs as junction_outputs

__all__ = ["METHODS", "SECTIONS", "DEFAULT_MAP", "DEFAULT_SWEEP", "DEFAULT_LANGEVIN", "MAX_GRID_AXIS", "SpecError",
           "StudySpec", "load_spec", "check_points", "outputs"]

METHODS = ("maps", "fp", "langevin", "modes", "rates")
SECTIONS = {
    "study": ("method", "preset", "quantities", "task_seconds", "model", "junction", "pair", "free", "pinned"),
    "fixed": None, "axes": None,
    "map": ("mu_F", "V"),
    "sweep": ("V",),
    "langevin": ("realizations", "seed", "terms", "integrator", "calculus", "dt", "t_burn", "t_average"),
    "modes": ("spins", "terms"),
    "rates": ("L", "terms"),
}
"""The spec's sections and their keys (None: any parameter name)."""

DEFAULT_MAP = {"mu_F": {"start": -6.0, "stop": 6.0, "num": 121}, "V": {"start": -12.0, "stop": 12.0, "num": 121}}
DEFAULT_SWEEP = {"V": {"start": -5.0, "stop": 5.0, "num": 41}}
DEFAULT_LANGEVIN = {"realizations": 16, "seed": 0, "terms": "full", "integrator": "heun", "calculus": "boltzmann"}
MAX_GRID_AXIS = 4001
"""Longest axis of a map or sweep (as the CLI's LO:HI:N)."""


class SpecError(ValueError):
    """A study spec that cannot run; the message names the entry."""


@dataclass(frozen=True)
class StudySpec:
    """A checked study: what to compute, over which grid.

    Attributes
    ----------
    method : str                one of :data:`METHODS`
    preset : str                the preset the fixed values and axes change (a dimer or a junction preset;
                                None when ``model_text`` gives the junction)
    fixed : dict                parameter → value (every point)
    axes : dict                 parameter → tuple of values (the study's own axes, in order)
    map_mu_F, map_V : tuple     the map grid (method maps), meV and mV
    sweep_V : tuple             the bias sweep (methods fp, langevin, modes, rates), mV
    quantities : tuple or None  requested outputs (None: all of the method's)
    task_seconds : float        aimed-at work per task (s)
    realizations, seed, terms   Langevin settings (terms: also of modes and rates, from their sections)
    dt, t_burn, t_average       Langevin time step and times (ps); None: from the relaxation time
    integrator, calculus        Langevin scheme and calculus (names of dimer_core.spins.integrators, drift)
    spins : str                 method modes: "pinned" (spin 2 free) or "both"
    degree : int                method rates: the spherical-harmonic degree L
    model_text : str or None    a junction study's model (TOML text, with its bare one-spin terms)
    pair : tuple or None        a junction maps study's pair of sites (a, b)
    free : tuple or None        a junction fp/langevin study's free sites
    pinned : tuple              its pinned sites: ((site, (x, y, z)), ...)
    """

    method: str
    preset: str
    fixed: dict
    axes: dict
    map_mu_F: tuple
    map_V: tuple
    sweep_V: tuple
    quantities: tuple
    task_seconds: float
    realizations: int
    seed: int
    terms: str
    dt: float = None
    t_burn: float = None
    t_average: float = None
    integrator: str = "heun"
    calculus: str = "boltzmann"
    spins: str = "pinned"
    degree: int = 32
    model_text: str = None
    pair: tuple = None
    free: tuple = None
    pinned: tuple = ()

    @property
    def is_junction(self):
        """True for a study of a junction (a junction preset or a model), False for the dimer."""
        return self.model_text is not None or is_junction_preset(self.preset)

    @property
    def shape(self):
        """Lengths of the study's own axes."""
        return tuple(len(v) for v in self.axes.values())

    @property
    def variables(self):
        """The stored quantities: those requested, or every output of the method."""
        return self.quantities or outputs(self.method, self)

    @property
    def n_points(self):
        return math.prod(self.shape)

    @property
    def inner(self):
        """The per-point dims and coordinates: {"mu_F": ..., "V": ...} for maps, {"V": ...} otherwise."""
        if self.method == "maps":
            return {"mu_F": np.array(self.map_mu_F), "V": np.array(self.map_V)}
        return {"V": np.array(self.sweep_V)}

    def params_at(self, index):
        """The :class:`DimerParams` (a junction study: the :class:`~dimer_core.junction.Junction`) of the grid
        point with multi-index ``index`` (checked)."""
        values = {name: vals[i] for (name, vals), i in zip(self.axes.items(), index)}
        if self.is_junction:
            return with_values(base_junction(self), {**self.fixed, **values}).check()
        return preset(self.preset, **self.fixed, **values).check()

    def points(self):
        """Every multi-index of the study grid, in C order."""
        return itertools.product(*(range(n) for n in self.shape))

    def to_dict(self):
        """A JSON-ready dict that :func:`load_spec` reads back to an equal spec."""
        return {
            "study": {"method": self.method, "task_seconds": self.task_seconds,
                      **({"preset": self.preset} if self.model_text is None else {"junction": self.model_text}),
                      **({"quantities": list(self.quantities)} if self.quantities else {}),
                      **({"pair": list(self.pair)} if self.pair else {}),
                      **({"free": list(self.free)} if self.free else {}),
                      **({"pinned": {str(k): list(v) for k, v in self.pinned}} if self.pinned else {})},
            "fixed": {k: _plain(v) for k, v in self.fixed.items()},
            "axes": {k: [_plain(x) for x in v] for k, v in self.axes.items()},
            "map": {"mu_F": list(self.map_mu_F), "V": list(self.map_V)},
            "sweep": {"V": list(self.sweep_V)},
            "langevin": {"realizations": self.realizations, "seed": self.seed, "terms": self.terms,
                         "integrator": self.integrator, "calculus": self.calculus,
                         **{k: getattr(self, k) for k in ("dt", "t_burn", "t_average") if getattr(self, k) is not None}},
            "modes": {"terms": self.terms, **({} if self.is_junction else {"spins": self.spins})},
            "rates": {"L": self.degree, "terms": self.terms},
        }

    def summary(self):
        """Flat attributes naming what the study computes: method; Langevin: integrator and calculus; a junction:
        its name, model (TOML text) and pair or free sites."""
        out = {"method": self.method}
        if self.method == "langevin":
            out.update(integrator=self.integrator, calculus=self.calculus)
        if self.method in ("modes", "rates"):
            out.update(terms=self.terms, **({"L": self.degree} if self.method == "rates" else
                                            {} if self.is_junction else {"spins": self.spins}))
        if self.is_junction:
            from ..junction import dumps

            junction = base_junction(self)
            out.update(junction=junction.name, model=self.model_text or dumps(junction))
            out.update({"pair": f"{self.pair[0]},{self.pair[1]}"} if self.pair else
                       {"free": ",".join(map(str, self.free))})
        return out

    def to_json(self):
        return json.dumps(self.to_dict())  # key order is axis order: never sort


def _plain(v):
    return list(v) if isinstance(v, tuple) else v


def load_spec(source, model=None, pair=None):
    """A :class:`StudySpec` from a TOML file path, TOML text or a dict; raise :class:`SpecError`.

    Checks, before anything runs: known sections and keys, known parameters and
    presets, every value within its bounds, non-empty axes, an admissible
    parameter set at every grid point (no bound state outside the lead band),
    known quantities and a valid map or sweep grid.

    ``model`` (a junction model file) and ``pair`` ((a, b)) override the spec's
    ``[study]`` junction and pair (the CLI's ``study --model FILE --pair a,b``).
    A spec's ``model`` path is relative to the spec file (to the working folder
    for TOML text or a dict).
    """
    raw = _read(source)
    for section, value in raw.items():
        if section not in SECTIONS:
            raise SpecError(f"[{section}]: unknown section; allowed: {', '.join(SECTIONS)}")
        if not isinstance(value, dict):
            raise SpecError(f"[{section}]: must be a table of key = value entries")
        allowed = SECTIONS[section]
        for key in value:
            if allowed is not None and key not in allowed:
                raise SpecError(f"[{section}] {key}: unknown entry; allowed: {', '.join(allowed)}")
    study = dict(raw.get("study", {}))
    if model is not None:
        study = {k: v for k, v in study.items() if k not in ("preset", "model", "junction")}
        study["model"] = os.path.abspath(model)
    if pair is not None:
        study["pair"] = list(pair)
    method = study.get("method", "maps")
    if method not in METHODS:
        raise SpecError(f"[study] method: {method!r} is not known; allowed: {', '.join(METHODS)}")
    name, model_text = _model(study, source)
    task_seconds = _number(study.get("task_seconds", 3.0), "[study] task_seconds", 0.001, 3600.0)
    base = None if model_text is None and not is_junction_preset(name) else _base(name, model_text)
    inner_names = ("mu_F", "V") if method == "maps" else ("V",)
    fixed = {k: _param_value(f"[fixed] {k}", k, v, inner_names, method, base) for k, v in raw.get("fixed", {}).items()}
    axes = {}
    for k, v in raw.get("axes", {}).items():
        if k in fixed:
            raise SpecError(f"[axes] {k}: also set in [fixed]; give it in one place")
        values = _axis_values(f"[axes] {k}", v, vector=_is_vector(f"[axes] {k}", k, base))
        axes[k] = tuple(_param_value(f"[axes] {k}", k, x, inner_names, method, base) for x in values)
    grid = {**DEFAULT_MAP, **raw.get("map", {})} if method == "maps" else {**DEFAULT_SWEEP, **raw.get("sweep", {})}
    section = "map" if method == "maps" else "sweep"
    coords = {k: _grid_values(f"[{section}] {k}", grid[k], k) for k in inner_names}
    lv = {**DEFAULT_LANGEVIN, **raw.get("langevin", {})}
    realizations = _integer(lv["realizations"], "[langevin] realizations", 2, 100_000)
    seed = _integer(lv["seed"], "[langevin] seed", 0, 2 ** 31 - 1)
    for key, allowed in (("terms", ("full", "paper")), ("integrator", INTEGRATORS), ("calculus", CALCULI)):
        if lv[key] not in allowed:
            raise SpecError(f"[langevin] {key}: {lv[key]!r} is not known; allowed: {', '.join(allowed)}")
    lines = _lines_settings(raw, method, lv["terms"], base)
    times = {k: _number(lv[k], f"[langevin] {k}", 0.0 if k == "t_burn" else 1e-9, 1e9)
             for k in ("dt", "t_burn", "t_average") if k in lv}
    sites = _junction_sites(study, method, base)
    spec = StudySpec(method=method, preset=name, fixed=fixed, axes=axes,
                     map_mu_F=tuple(coords.get("mu_F", ())), map_V=tuple(coords["V"]) if method == "maps" else (),
                     sweep_V=tuple(coords["V"]) if method != "maps" else (), quantities=None,
                     task_seconds=task_seconds, realizations=realizations, seed=seed,
                     integrator=lv["integrator"], calculus=lv["calculus"], model_text=model_text, **sites, **times,
                     **lines)
    quantities = study.get("quantities")
    if quantities is not None:
        if not isinstance(quantities, list) or not quantities or not all(isinstance(q, str) for q in quantities):
            raise SpecError("[study] quantities: give a non-empty list of names, e.g. [\"J_2\", \"D_2\"]")
        known = outputs(method, spec)
        unknown = [q for q in quantities if q not in known]
        if unknown:
            raise SpecError(f"[study] quantities: {unknown[0]!r} is not an output of method {method}; "
                            f"allowed: {', '.join(known)}")
        spec = replace(spec, quantities=tuple(dict.fromkeys(quantities)))
    return spec


def _lines_settings(raw, method, langevin_terms, base):
    """{"terms", "spins", "degree"} of a spec: terms from the method's own section ([modes], [rates]) or from
    [langevin]; a junction's modes and rates move its [study] free spins (no [modes] spins)."""
    if method not in ("modes", "rates"):
        return {"terms": langevin_terms}
    section = raw.get(method, {})
    if base is not None and "spins" in section:
        raise SpecError(f"[{method}] spins: a junction study's free spins are [study] free (others pinned)")
    terms, spins = section.get("terms", "full"), section.get("spins", "pinned")
    for key, value, allowed in (("terms", terms, ("full", "paper")), ("spins", spins, ("pinned", "both"))):
        if value not in allowed:
            raise SpecError(f"[{method}] {key}: {value!r} is not known; allowed: {', '.join(allowed)}")
    degree = _integer(section.get("L", 32), "[rates] L", 6, 63)
    return {"terms": terms, "spins": spins, "degree": degree}


def _model(study, source):
    """(preset name or None, model TOML text or None) of ``[study]``: preset, model (a file) or junction (text)."""
    given = [k for k in ("preset", "model", "junction") if k in study]
    if len(given) > 1:
        raise SpecError(f"[study] {given[1]}: also given [study] {given[0]}; name the dimer or junction once "
                        "(preset, model or junction)")
    if "model" in study or "junction" in study:
        text = study.get("junction")
        if "model" in study:
            path = study["model"]
            if not isinstance(path, str):
                raise SpecError(f"[study] model: {path!r} is not a file name")
            folder = os.path.dirname(os.path.abspath(str(source))) if _is_path(source) else os.getcwd()
            path = os.path.join(folder, path)
            try:
                with open(path, encoding="utf-8") as f:
                    text = f.read()
            except OSError as exc:
                raise SpecError(f"[study] model: cannot read {path!r}: {exc.strerror or exc}") from None
        if not isinstance(text, str):
            raise SpecError("[study] junction: give the model as TOML text (docs/junction.md, \"Model files\")")
        return None, text
    name = study.get("preset", "weak-soc")
    if name not in PRESETS and not is_junction_preset(name):
        raise SpecError(f"[study] preset: {name!r} is not known; allowed: {', '.join(PRESETS)} (the dimer) or "
                        f"{', '.join(JUNCTION_PRESETS)} (junctions)")
    return name, None


def _base(name, model_text):
    """The checked base junction of a junction spec (SpecError naming the model if it is not admissible)."""
    from ..junction import loads, preset as junction_preset

    entry = "[study] model" if model_text is not None else "[study] preset"
    try:
        if model_text is None:
            return junction_preset(name).check()
        return loads(model_text, source=entry).check()  # loads checks the bare terms too
    except ValueError as exc:
        raise SpecError(str(exc) if str(exc).startswith(entry) else f"{entry}: {exc}") from None


def _junction_sites(study, method, base):
    """{"pair": ...} (maps) or {"free": ..., "pinned": ...} (fp, langevin, modes, rates) of a junction spec, checked."""
    from ..spins.junction_spins import sites_of

    if base is None:
        extra = [k for k in ("pair", "free", "pinned") if k in study]
        if extra:
            raise SpecError(f"[study] {extra[0]}: only a junction study takes it (preset = a junction preset, "
                            f"or model = FILE)")
        return {}
    n = base.n_sites
    wrong = ("free", "pinned") if method == "maps" else ("pair",)
    for key in wrong:
        if key in study:
            raise SpecError(f"[study] {key}: not used by method {method}; "
                            + ("maps keeps the couplings of pair = [a, b]" if method == "maps" else
                               "fp, langevin, modes and rates move the spins free = [a, ...] (others pinned)"))
    if method == "maps":
        pair = study.get("pair", [1, 2])
        if (not isinstance(pair, list) or len(pair) != 2 or not all(isinstance(x, int) for x in pair)
                or not all(1 <= x <= n for x in pair)):
            raise SpecError(f"[study] pair: {pair!r} is not a pair of sites; allowed: sites 1 <= a, b <= {n} "
                            "(a = b: the site's own terms)")
        return {"pair": tuple(pair)}
    if "free" not in study:
        raise SpecError(f"[study] free: give the free spins of the junction, e.g. free = [2] (sites 1..{n})")
    pinned = study.get("pinned", {})
    if not isinstance(pinned, dict):
        raise SpecError('[study] pinned: give a table site → direction, e.g. pinned = {"1" = [0, 0, 1]}')
    try:
        free, directions = sites_of(study["free"], pinned, n)
    except ValueError as exc:
        raise SpecError(f"[study] {'pinned' if 'pinned' in str(exc).split(':')[0] else 'free'}: {exc}") from None
    if method in ("fp", "rates") and len(free) != 1:
        raise SpecError(f"[study] free: method {method} needs one free spin (the Fokker–Planck operator of one "
                        f"spin); free = {list(free)}" + (" (use method langevin)" if method == "fp" else ""))
    return {"free": free, "pinned": tuple((int(k), tuple(directions[int(k)])) for k in pinned)}


def _is_vector(entry, name, base):
    if base is None:
        return name in VECTORS
    try:
        return is_vector(name)
    except ValueError as exc:
        raise SpecError(f"[{entry[1:].split(']')[0]}] {exc}") from None


def check_points(spec):
    """Raise :class:`SpecError` naming the first grid point whose parameter set is not admissible."""
    for index in spec.points():
        try:
            spec.params_at(index)
        except ValueError as exc:
            where = ", ".join(f"{k} = {_plain(v[i])}" for (k, v), i in zip(spec.axes.items(), index))
            raise SpecError(f"[axes] point ({where}): {exc}") from None


def outputs(method, spec=None):
    """Names of every output of a method (the default ``quantities``); of a junction ``spec``'s, if given."""
    from ..couplings.dimer import QUANTITIES
    from .line_study import outputs as line_outputs
    from .sweeps import FP_OUTPUTS, LANGEVIN_OUTPUTS

    if spec is not None and spec.is_junction:
        return junction_outputs(spec)
    if method in ("modes", "rates"):
        return line_outputs(method)
    return {"maps": tuple(QUANTITIES), "fp": FP_OUTPUTS, "langevin": LANGEVIN_OUTPUTS}[method]


def _is_path(source):
    """True if ``source`` (a spec given to :func:`load_spec`) names a file rather than holding TOML text."""
    if isinstance(source, dict):
        return False
    text = str(source)
    return "\n" not in text and (text.endswith(".toml") or not ("=" in text or "[" in text))


def _read(source):
    if isinstance(source, dict):
        return source
    text = str(source)
    try:
        if _is_path(source):
            with open(text, "rb") as f:
                return tomllib.load(f)
        return tomllib.loads(text)
    except FileNotFoundError:
        raise SpecError(f"spec file {text!r} does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"spec is not valid TOML: {exc}") from None


def _param_value(entry, name, value, inner_names, method, base=None):
    """A checked value of parameter ``name``: of the dimer, or (``base``: the junction) a dotted junction name."""
    if name in inner_names:
        where = "[map]" if method == "maps" else "[sweep]"
        raise SpecError(f"{entry}: {name} is the {where} grid of each point for method {method}; set it there")
    if base is not None:
        if _is_vector(entry, name, base):
            if not isinstance(value, list):
                raise SpecError(f"{entry}: {value!r} is not a 3-vector, e.g. [0, 0, 1]")
            value = tuple(value)
        elif isinstance(value, bool) or not isinstance(value, (int, float)):
            raise SpecError(f"{entry}: {value!r} is not a number")
        try:
            with_values(base, {name: value})
        except ValueError as exc:
            text = str(exc)
            raise SpecError(f"{entry}: {text.removeprefix(name + ': ')}") from None
        return tuple(float(x) for x in value) if isinstance(value, tuple) else float(value)
    if isinstance(value, list) and name in VECTORS:
        value = tuple(value)
    try:
        check_value(name, value)
    except ValueError as exc:
        raise SpecError(f"{entry}: {exc}") from None
    if name in VECTORS:
        return tuple(getattr(DimerParams(**{name: value}), name))
    return float(value)


def _axis_values(entry, value, vector):
    if isinstance(value, dict):
        keys = set(value)
        if keys != {"start", "stop", "num"}:
            raise SpecError(f"{entry}: a range needs exactly start, stop and num; got {', '.join(sorted(keys))}")
        start = _number(value["start"], f"{entry} start", -math.inf, math.inf)
        stop = _number(value["stop"], f"{entry} stop", -math.inf, math.inf)
        num = _integer(value["num"], f"{entry} num", 0, 100_000)
        values = list(np.linspace(start, stop, num))
    elif isinstance(value, list):
        values = value
    else:
        raise SpecError(f"{entry}: give a list of values or {{start, stop, num}}")
    if not values:
        raise SpecError(f"{entry}: the axis is empty; give at least one value")
    if vector and not all(isinstance(v, list) for v in values):
        raise SpecError(f"{entry}: a vector axis is a list of 3-vectors, e.g. [[1, 0, 0], [0, 0, 1]]")
    keys = [json.dumps(v) for v in values]
    if len(set(keys)) != len(keys):
        raise SpecError(f"{entry}: repeated values; each value once")
    return values


def _grid_values(entry, value, name):
    values = np.asarray(_axis_values(entry, value, vector=False), dtype=float) \
        if not isinstance(value, (int, float)) else np.array([float(value)])
    bound = 50.0 if name == "mu_F" else 100.0
    unit = "meV" if name == "mu_F" else "mV"
    if values.size > MAX_GRID_AXIS:
        raise SpecError(f"{entry}: {values.size} points; allowed: at most {MAX_GRID_AXIS}")
    if not np.all(np.isfinite(values)) or np.abs(values).max() > bound:
        raise SpecError(f"{entry}: values out of range; allowed: -{bound:g} <= {name} <= {bound:g} {unit}")
    return values


def _number(value, entry, lo, hi):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise SpecError(f"{entry}: {value!r} is not a number")
    if not lo <= value <= hi:
        raise SpecError(f"{entry}: {value!r} is out of range; allowed: {lo:g} <= {entry.split()[-1]} <= {hi:g}")
    return float(value)


def _integer(value, entry, lo, hi):
    if isinstance(value, bool) or not isinstance(value, int):
        raise SpecError(f"{entry}: {value!r} is not a whole number")
    if not lo <= value <= hi:
        raise SpecError(f"{entry}: {value} is out of range; allowed: {lo} <= {entry.split()[-1]} <= {hi}")
    return value
