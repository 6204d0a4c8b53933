"""Command line: ``dimer-core point | maps | sweep | modes | rates | levels | fit | study | figures | lecture``
(also ``python -m dimer_core``).

``point`` and ``maps`` also take a junction (docs/junction.md): ``--model FILE`` (TOML) or a junction
``--preset`` (chain3, ring4, stm, …), with ``--pair a,b`` choosing the pair of sites whose couplings ``point``
prints and ``maps`` writes (its tensors to .nc, its named couplings to .csv); a dimer preset with ``--pair`` is
the dimer as a junction.  ``study`` reads its junction from the spec (``[study] preset``, ``model``, ``pair``;
docs/junction.md, "Studies of a junction"); ``study SPEC --model FILE --pair a,b`` overrides them.

Every parameter of :class:`~dimer_core.params.DimerParams` is an option
``--name value`` spelt as the parameter (``--mu_F 0.7``, ``--that 1,1,1`` for
vectors); in ``maps`` and ``sweep`` the grid options ``--mu_F`` and ``--V`` take
``LO:HI:N`` instead.  Hyphens are accepted for underscores (``--mu-F``).  Bad input
exits with status 2 and one line naming the option and its allowed range.  ``--out``
creates missing folders.  Without a command, the commands are listed.
"""
import argparse
import json
import math
import os
import re
import sys

import numpy as np

from .params import PRESETS, VECTORS, DimerParams, bounds_text, check_value, preset, unit_vector

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class UsageError(Exception):
    """Bad command-line input; the message is printed as one line."""


class _Parser(argparse.ArgumentParser):
    """Errors as :class:`UsageError`; no abbreviations (``--mu`` is not ``--mu_F``): one spelling per option."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, allow_abbrev=False, **kwargs)

    def error(self, message):
        raise UsageError(message)


def _param_names(exclude=()):
    return [k for k in DimerParams.param if k != "name" and k not in exclude]


def _add_integrator(parser):
    """The Langevin scheme option, ``--integrator`` (:data:`dimer_core.spins.integrators.INTEGRATORS`)."""
    from .spins.integrators import INTEGRATORS

    parser.add_argument("--integrator", choices=INTEGRATORS, default=INTEGRATORS[0],
                        help="Langevin scheme: heun (predictor-corrector, renormalised) or midpoint (rotations, "
                             "|m| = 1 exactly); both weak order 1, docs/stochastic.md (default heun)")


def _add_junction_spins(parser):
    """``--model``, ``--free`` and ``--pinned``: the spins of a junction (``sweep``, ``modes``, ``rates``)."""
    parser.add_argument("--model", metavar="FILE", help="a junction model file (TOML; docs/junction.md)")
    parser.add_argument("--free", metavar="a,b,...", help="free sites of a junction (fp: one; default for the "
                                                          "dimer: 2)")
    parser.add_argument("--pinned", metavar="SITE:X,Y,Z", action="append",
                        help="direction of a pinned site (repeatable; default +z, the dimer's m1); the bare terms "
                             "of a junction's spins are its model file's [spins] or --h, --K_easy, --e_easy, --K_hard, "
                             "--n_hard (default none)")


def _add_params(parser, exclude=(), junctions=False):
    if junctions:
        from .junction import PRESETS as JUNCTIONS

        parser.add_argument("--preset", choices=sorted(PRESETS) + sorted(JUNCTIONS), default="weak-soc",
                            help="start from a preset of the paper (default weak-soc), or a junction preset "
                                 f"({', '.join(JUNCTIONS)}; docs/junction.md)")
    else:
        parser.add_argument("--preset", choices=sorted(PRESETS), default="weak-soc",
                            help="start from a preset of the paper (default weak-soc)")
    for name in _param_names(exclude):
        doc = DimerParams.param[name].doc
        parser.add_argument(f"--{name}", dest=f"param_{name}", metavar="VALUE",
                            help=f"{doc}; {bounds_text(name)}")


def _params_from(args, exclude=()):
    values = {}
    for name in _param_names(exclude):
        raw = getattr(args, f"param_{name}")
        if raw is None:
            continue
        if name in VECTORS:
            try:
                value = tuple(float(x) for x in raw.split(","))
            except ValueError:
                raise UsageError(f"{name} = {raw!r} is not a 3-vector; give three numbers, e.g. --{name} 1,0,0")
        else:
            try:
                value = float(raw)
            except ValueError:
                raise UsageError(f"{name} = {raw!r} is not a number; allowed: {bounds_text(name)}")
        values[name] = value
    try:
        for name, value in values.items():
            check_value(name, value)
        return preset(args.preset, **values).check()
    except ValueError as exc:
        raise UsageError(str(exc))


def _params_and_biases(args):
    """The parameters of a command that sweeps V, and its ``--V LO:HI:N`` grid (mV)."""
    return _params_from(args, exclude=("V",)), parse_range(args.V_range, "--V", -100.0, 100.0, "mV")


def parse_range(text, name, lo, hi, unit):
    """``LO:HI:N`` → ``numpy.linspace(LO, HI, N)``, checked against [lo, hi]."""
    parts = text.split(":")
    try:
        if len(parts) != 3:
            raise ValueError
        a, b, n = float(parts[0]), float(parts[1]), int(parts[2])
    except ValueError:
        raise UsageError(f"{name} range {text!r} is malformed; expected LO:HI:N, e.g. {name} -6:6:201")
    if not (math.isfinite(a) and math.isfinite(b)) or n < 1 or n > 4001:
        raise UsageError(f"{name} range {text!r}: need finite LO, HI and 1 <= N <= 4001")
    if min(a, b) < lo or max(a, b) > hi:
        raise UsageError(f"{name} range {text!r} is out of range; allowed: {lo:g} <= LO, HI <= {hi:g} {unit}")
    return np.linspace(a, b, n)


def _prepare_out(path, endings, what):
    """Check ``--out``'s ending and create its folder if missing; a clear UsageError otherwise."""
    if not path.endswith(endings):
        raise UsageError(f"--out {path!r}: the file name must end in {what}")
    if os.path.isdir(path):
        raise UsageError(f"--out {path!r} is a folder; give a file name ending in {what}")
    folder = os.path.dirname(path)
    if folder and os.path.exists(folder) and not os.path.isdir(folder):
        raise UsageError(f"--out {path!r}: {folder!r} is a file, not a folder")
    if folder and not os.path.isdir(folder):
        try:
            os.makedirs(folder)
        except OSError as exc:
            raise UsageError(f"--out {path!r}: cannot create the folder {folder!r}: {exc.strerror or exc}")


def _write_error(path, exc):
    return UsageError(f"--out {path!r}: cannot write: {exc.strerror or exc}")


def _fmt(key, value):
    from .couplings.dimer import QUANTITIES
    from .couplings.temperature import T_EFF_LIMIT

    unit = QUANTITIES[key][0]
    if key == "T_eff_2":
        if not math.isfinite(value):
            return f"undefined (|T_eff| > {T_EFF_LIMIT:g} K or 0/0: a_i_22 ~ 0 does not balance the noise)"
        if value < 0:
            return f"{value:.6g} {unit}  (negative: a_i_22 < 0, energy injection)"
    return f"{value:.6g} {unit}"


JUNCTION_OVERRIDES = ("mu_F", "V", "T", "S", "Delta")
"""Options that change a junction (a model file or a junction preset); the others are the dimer's."""


def _junction_from(args, exclude=(), extra=()):
    """The junction of ``point``/``maps``/``sweep --model FILE``, a junction ``--preset``, or a dimer preset with
    ``--pair``.

    ``exclude``: parameters the command has no option for (e.g. maps' grid mu_F, V); ``extra``: options a
    junction also accepts, which the command reads itself (``sweep``: the bare one-spin terms)."""
    from .junction import PRESETS as JUNCTIONS
    from .junction import from_dimer, preset as junction_preset, read_model

    if args.model is None and args.preset not in JUNCTIONS:
        return from_dimer(_params_from(args, exclude), name=args.preset)
    given = [name for name in _param_names(exclude) if getattr(args, f"param_{name}") is not None]
    dimer_only = [name for name in given if name not in JUNCTION_OVERRIDES + tuple(extra)]
    if dimer_only:
        allowed = [k for k in JUNCTION_OVERRIDES + tuple(extra) if k not in exclude]
        raise UsageError(f"--{dimer_only[0]} is a parameter of the dimer presets; a junction takes only "
                         f"{', '.join('--' + k for k in allowed)} (edit its model file for the rest)")
    changes = {}
    for name in (k for k in given if k in JUNCTION_OVERRIDES):
        raw = getattr(args, f"param_{name}")
        try:
            changes[name] = float(raw)
        except ValueError:
            raise UsageError(f"{name} = {raw!r} is not a number; allowed: {bounds_text(name)}")
    try:
        if args.model is not None:
            if args.preset_given:
                raise UsageError("give --model FILE or --preset NAME, not both")
            junction = read_model(args.model)
            return junction.updated(**changes).check() if changes else junction.check()
        return junction_preset(args.preset, **changes).check()
    except ValueError as exc:
        raise UsageError(str(exc))


def _default_pair(junction):
    """``--pair``'s default: 1,2, or 1,1 (the site's own terms) for a junction of one site."""
    return "1,2" if junction.n_sites > 1 else "1,1"


def _pair(text, junction):
    try:
        a, b = (int(x) for x in text.split(","))
    except ValueError:
        raise UsageError(f"--pair {text!r} is malformed; expected two site numbers a,b, e.g. --pair 1,2")
    n = junction.n_sites
    if not (1 <= a <= n and 1 <= b <= n):
        raise UsageError(f"--pair {text!r} is out of range; allowed: sites 1 <= a, b <= {n} (a = b: the site's own "
                         "terms)")
    return a, b


def _junction_point(args):
    from .couplings.temperature import T_EFF_LIMIT
    from .junction import describe, pair_view, point

    junction = _junction_from(args)
    a, b = _pair(args.pair or _default_pair(junction), junction)
    result = pair_view(point(junction), a, b)
    if args.json:
        print(json.dumps({k: (v if math.isfinite(v) else None) for k, v in result.items()}))
        return 0
    leads = ", ".join(f"{c.name} (mu = {mu:g} meV{f', p = {c.p:g}' if c.p else ''})"
                      for c, mu in zip(junction.leads, junction.chemical_potentials))
    print(f"# {junction.name}: {junction.n_sites} sites, leads {leads}; mu_F = {junction.mu_F:g} meV, "
          f"V = {junction.V:g} mV, T = {junction.T:g} K; pair {a},{b}")
    if not junction.common_axis:
        print("# polarised leads: the 1/W/that x that form does not hold; these are projections about that "
              "(full tensors: dimer_core.junction.point)")
    width = max(len(k) for k in result)
    for key, value in result.items():
        unit, text = describe(key)
        if key.startswith("T_eff") and not math.isfinite(value):
            shown = f"undefined (|T_eff| > {T_EFF_LIMIT:g} K or 0/0)"
        elif key.startswith("T_eff") and value < 0:
            shown = f"{value:.6g} {unit}  (negative: energy injection)"
        else:
            shown = f"{value:.6g} {unit}"
        print(f"{key:<{width}}  {shown:<40s} {text}")
    return 0


def cmd_point(args):
    from .couplings.dimer import QUANTITIES, point
    from .junction import PRESETS as JUNCTIONS

    if args.model is not None or args.pair is not None or args.preset in JUNCTIONS:
        return _junction_point(args)
    p = _params_from(args)
    result = point(p)
    if args.json:
        clean = {k: (v if math.isfinite(v) else None) for k, v in result.items()}
        print(json.dumps(clean))
        return 0
    print(f"# {args.preset} with mu_F = {p.mu_F:g} meV, V = {p.V:g} mV, T = {p.T:g} K, t = {p.t:g} meV")
    width = max(len(k) for k in result)
    for key, value in result.items():
        print(f"{key:<{width}}  {_fmt(key, value):<40s} {QUANTITIES[key][1]}")
    return 0


def _junction_maps(args, mu_f, v):
    """``maps --model FILE`` / a junction ``--preset`` / ``--pair``: the junction's tensors over the grid to NetCDF
    (over the sites of ``--pair`` if given, else all), or the named views of the pair (default 1,2) to CSV."""
    from .export import write
    from .junction import maps as junction_maps
    from .junction import pair_dataset

    junction = _junction_from(args, exclude=("mu_F", "V"))
    a, b = _pair(args.pair or _default_pair(junction), junction)
    pairs = [(a, b)] if args.pair or args.out.endswith(".csv") else None
    try:
        ds = junction_maps.maps(junction, mu_f, v, pairs=pairs)
    except ValueError as exc:
        raise UsageError(str(exc))
    out = pair_dataset(ds, a, b) if args.out.endswith(".csv") else ds
    try:
        write(out, args.out)
    except OSError as exc:
        raise _write_error(args.out, exc)
    what = (f"the named couplings of pair {a},{b}" if args.out.endswith(".csv") else
            f"chi, dchi, noise over sites {', '.join(map(str, ds.site.values))}, spin, current")
    print(f"wrote {what} of {junction.name} on {mu_f.size} x {v.size} (mu_F x V) to {args.out}")
    return 0


def cmd_maps(args):
    from .couplings.dimer import maps
    from .export import write
    from .junction import PRESETS as JUNCTIONS

    mu_f = parse_range(args.mu_F_range, "--mu_F", -50.0, 50.0, "meV")
    v = parse_range(args.V_range, "--V", -100.0, 100.0, "mV")
    _prepare_out(args.out, (".nc", ".csv"), ".nc (NetCDF) or .csv")
    if args.model is not None or args.pair is not None or args.preset in JUNCTIONS:
        return _junction_maps(args, mu_f, v)
    p = _params_from(args, exclude=("mu_F", "V"))
    ds = maps(p, mu_f, v)
    try:
        write(ds, args.out)
    except OSError as exc:
        raise _write_error(args.out, exc)
    print(f"wrote {len(ds.data_vars)} quantities on {mu_f.size} x {v.size} (mu_F x V) to {args.out}")
    if ds.attrs["validity"]:
        print(f"note: {ds.attrs['validity']}")
    return 0


LECTURE_MAX_POINTS = 401
"""Most points per axis of ``lecture``'s grids: the page embeds every map (4 bytes a point each)."""


def cmd_lecture(args):
    from .lecture import LECTURE_QUANTITIES, lecture_html

    grids = {}
    for option, attr, lo, hi, unit in (("--mu_F", "mu_F_range", -50.0, 50.0, "meV"), ("--V", "V_range", -100.0, 100.0,
                                        "mV"), ("--omega_mu_F", "omega_mu_F_range", -50.0, 50.0, "meV")):
        grids[option] = parse_range(getattr(args, attr), option, lo, hi, unit)
        fewest = 1 if option == "--omega_mu_F" else 2
        if not fewest <= grids[option].size <= LECTURE_MAX_POINTS:
            raise UsageError(f"{option} {getattr(args, attr)!r}: need {fewest} <= N <= {LECTURE_MAX_POINTS} "
                             f"(the page embeds every point)")
    _prepare_out(args.out, (".html",), ".html")
    p = _params_from(args, exclude=("mu_F", "V"))
    try:
        html = lecture_html(p, grids["--mu_F"], grids["--V"], grids["--omega_mu_F"], label=args.preset)
    except ValueError as exc:
        raise UsageError(str(exc))
    try:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(html)
    except OSError as exc:
        raise _write_error(args.out, exc)
    size = os.path.getsize(args.out)
    print(f"wrote the lecture page of {args.preset} ({len(LECTURE_QUANTITIES)} maps on {grids['--mu_F'].size} x "
          f"{grids['--V'].size} (mu_F x V), Omega at {grids['--omega_mu_F'].size} mu_F) to {args.out}: "
          f"{size / 1e6:.2f} MB, opens offline")
    return 0


def _sites(text, junction, option):
    try:
        sites = [int(x) for x in text.split(",")]
    except ValueError:
        raise UsageError(f"{option} {text!r} is malformed; expected site numbers a,b,..., e.g. {option} 1,3")
    if not sites or not all(1 <= a <= junction.n_sites for a in sites) or len(set(sites)) != len(sites):
        raise UsageError(f"{option} {text!r} is out of range; allowed: distinct sites 1 <= a <= {junction.n_sites}")
    return sites


def _pinned(texts, junction):
    """``--pinned SITE:X,Y,Z`` (repeatable) → {site: direction}."""
    out = {}
    for text in texts or ():
        site, _, vector = text.partition(":")
        try:
            out[_sites(site, junction, "--pinned")[0]] = unit_vector(f"--pinned {text}", vector.split(","))
        except (ValueError, IndexError) as exc:
            raise UsageError(str(exc) if ":" in text else
                             f"--pinned {text!r} is malformed; expected SITE:X,Y,Z, e.g. --pinned 1:0,0,1")
    return out


def _is_junction_run(args):
    """True if ``sweep``/``modes``/``rates`` runs a junction: ``--model``, a junction ``--preset``, ``--free`` or
    ``--pinned``."""
    from .junction import PRESETS as JUNCTIONS

    return args.model is not None or args.preset in JUNCTIONS or args.free is not None or bool(args.pinned)


def _junction_spins(args, endings=(".csv", ".nc")):
    """(junction, V grid, free, pinned, bare) of ``sweep``/``modes``/``rates`` for a junction (``--model``, a junction
    ``--preset``, or the dimer with ``--free``/``--pinned``); the bare terms of its spins come from the model file or
    from the options of the same names (docs/junction.md, "Spins of a junction in motion")."""
    from .junction import PRESETS as JUNCTIONS
    from .junction.modelfile import SPIN_FIELDS

    junction = _junction_from(args, exclude=("V",), extra=SPIN_FIELDS)
    v = parse_range(args.V_range, "--V", -100.0, 100.0, "mV")
    _prepare_out(args.out, endings, " or ".join(endings))
    dimer = args.model is None and args.preset not in JUNCTIONS
    if args.free is None and not dimer:
        raise UsageError(f"--free: give the free sites of the junction, e.g. --free 2 (sites 1..{junction.n_sites})")
    free = _sites(args.free or "2", junction, "--free")
    pinned, bare = _pinned_and_bare(args, junction, free, dimer)
    return junction, v, free, pinned, bare


def _pinned_and_bare(args, junction, free, dimer):
    """({site: direction} of ``--pinned``, the bare one-spin terms) of a junction's spins: for the dimer its own
    (and m_1 pinned unless free), else the model file's [spins] or the options of the same names."""
    from .junction import read_spins
    from .junction.modelfile import SPIN_FIELDS
    from .spins.junction_spins import OneSpin

    pinned = _pinned(args.pinned, junction)
    try:
        if dimer:
            p = _params_from(args, exclude=("V",))
            bare = OneSpin.from_params(p)
            if 1 not in free:
                pinned.setdefault(1, p.vector("m1"))
        else:
            given = {k: getattr(args, f"param_{k}") for k in SPIN_FIELDS if getattr(args, f"param_{k}") is not None}
            values = {k: (tuple(float(x) for x in raw.split(",")) if k in VECTORS else float(raw))
                      for k, raw in given.items()}
            bare = read_spins(args.model) if args.model is not None else None
            if values and bare is not None:
                raise UsageError(f"--{next(iter(values))}: the model file {args.model} has bare terms ([spins] or "
                                 "site fields); give them in the file or as options, not both")
            bare = OneSpin(**values) if values else bare
    except ValueError as exc:
        raise UsageError(str(exc))
    return pinned, bare


def _junction_sweep(args):
    """``sweep`` for a junction (:func:`_junction_spins`)."""
    from .studies.junction_sweeps import junction_sweep
    from .progress import TerminalBar

    junction, v, free, pinned, bare = _junction_spins(args)
    try:
        bar = TerminalBar("langevin") if args.method == "langevin" and (sys.stderr.isatty() or args.progress) else None
        ds = junction_sweep(junction, v, free, pinned, bare, method=args.method, n_realizations=args.realizations,
                            seed=args.seed, terms=args.terms, calculus=args.calculus, progress=bar,
                            integrator=args.integrator)
    except ValueError as exc:
        raise UsageError(str(exc))
    _write_nc_or_table(ds, args.out, ds, "V")
    print(f"wrote {args.method} sweep of {junction.name} (free {','.join(map(str, free))}) over {v.size} biases "
          f"to {args.out}")
    if ds.attrs.get("validity"):
        print(f"note: outside the model's validity (outside_validity = 1): {ds.attrs['validity']}")
    return 0


def cmd_sweep(args):
    from .export import stamped
    from .progress import TerminalBar
    from .studies.sweeps import fp_sweep, langevin_sweep

    if _is_junction_run(args):
        return _junction_sweep(args)
    p, v = _params_and_biases(args)
    if args.realizations < 2:
        raise UsageError(f"--realizations {args.realizations}: allowed: at least 2")
    _prepare_out(args.out, (".csv",), ".csv")
    if args.method == "fp":
        ds = fp_sweep(p, v)
        first = ["V", "Omega_x", "Omega_y", "Omega_z"]
    else:
        bar = TerminalBar("langevin") if sys.stderr.isatty() or args.progress else None
        try:
            ds = langevin_sweep(p, v, n_realizations=args.realizations, seed=args.seed, progress=bar,
                                terms=args.terms, calculus=args.calculus, integrator=args.integrator)
        except ValueError as exc:
            raise UsageError(str(exc))
        first = ["V", "Omega_x", "Omega_y", "Omega_z", "Omega_x_err", "Omega_y_err", "Omega_z_err"]
    df = ds.to_dataframe().reset_index()
    try:
        stamped(df[first + [c for c in df.columns if c not in first]], ds).to_csv(args.out, index=False)
    except OSError as exc:
        raise _write_error(args.out, exc)
    scheme = f" ({args.integrator} integrator)" if args.method == "langevin" else ""
    print(f"wrote {args.method} sweep of {v.size} biases to {args.out}{scheme}")
    if ds.attrs.get("validity"):
        print(f"note: outside the model's validity (outside_validity = 1; Langevin not integrated): "
              f"{ds.attrs['validity']}")
    return 0


def _modes_map(args, mu_f):
    """``modes`` with ``--mu_F LO:HI:N``: the lines over (mu_F, V) (:func:`dimer_core.studies.mode_maps.modes_map`)."""
    from .progress import TerminalBar
    from .studies.mode_maps import line_summary, modes_map

    if args.f_range is not None:
        raise UsageError("--f (the absorption spectrum) is for one mu_F; give --mu_F a single value with it")
    p = _params_from(args, exclude=("V", "mu_F"))
    v = parse_range(args.V_range, "--V", -100.0, 100.0, "mV")
    _prepare_out(args.out, (".nc", ".csv"), ".nc (NetCDF) or .csv")
    try:
        bar = TerminalBar("modes") if sys.stderr.isatty() or args.progress else None
        ds = modes_map(p, mu_f, v, spins=args.spins, terms=args.terms, progress=bar)
    except ValueError as exc:
        raise UsageError(str(exc))
    summary = list(line_summary(ds).data_vars)
    _write_nc_or_table(ds, args.out, ds[summary], "n_stable")
    stable = int((ds.n_stable > 0).sum())
    print(f"wrote the modes of {args.spins} spins on {mu_f.size} x {v.size} (mu_F x V) to {args.out} "
          f"(a stable state at {stable} of {mu_f.size * v.size} points; frequency and linewidth in GHz)")
    return 0


def _write_nc_or_table(ds, path, table, present):
    """``ds`` as NetCDF for a .nc path, else the dataset ``table`` in long format (rows where ``present`` is
    set), stamped with the version (:func:`dimer_core.export.stamped`)."""
    from .export import stamped

    try:
        if path.endswith(".nc"):
            ds.to_netcdf(path)
        else:
            rows = table.to_dataframe().reset_index().dropna(subset=[present])
            stamped(rows, ds).to_csv(path, index=False)
    except OSError as exc:
        raise _write_error(path, exc)


def cmd_modes(args):
    from .studies.junction_lines import junction_modes
    from .studies.sweeps import modes_sweep

    raw_mu = args.mu_F_value
    if raw_mu is not None and ":" in raw_mu:
        if _is_junction_run(args):
            raise UsageError("--mu_F LO:HI:N (a map of the lines) is for the paper's dimer; give a junction one --mu_F")
        return _modes_map(args, parse_range(raw_mu, "--mu_F", -50.0, 50.0, "meV"))
    args.param_mu_F = raw_mu
    f = None if args.f_range is None else parse_range(args.f_range, "--f", 0.0, 1e5, "GHz")
    try:
        axis = unit_vector("--rf_axis", args.rf_axis.split(","))
    except ValueError as exc:
        raise UsageError(str(exc))
    endings = (".nc",) if f is not None else (".nc", ".csv")
    if _is_junction_run(args):
        junction, v, free, pinned, bare = _junction_spins(args, endings)
        try:
            ds = junction_modes(junction, v, free, pinned, bare, terms=args.terms, f_ghz=f, rf_axis=axis)
        except ValueError as exc:
            raise UsageError(str(exc))
        who = f"the free spin{'s' if len(free) > 1 else ''} {','.join(map(str, free))} of {junction.name}"
    else:
        p, v = _params_and_biases(args)
        _prepare_out(args.out, endings, ".nc (NetCDF)" if f is not None else ".nc (NetCDF) or .csv")
        ds = modes_sweep(p, v, spins=args.spins, terms=args.terms, f_ghz=f, rf_axis=axis)
        who = f"{args.spins} spins"
    _write_nc_or_table(ds, args.out, ds[["frequency", "linewidth", "q_factor", "stable"]], "frequency")
    stable = int(ds.stable.any("state").sum())
    print(f"wrote the modes of {who} at {v.size} biases to {args.out} "
          f"(a stable state at {stable} of them; frequency and linewidth in GHz)")
    driven = ds.V.values[(~ds.stable.values & np.isfinite(ds.frequency.values[..., 0])).any(axis=1)]
    if driven.size:
        print(f"note: unstable states (linewidth < 0 where the bias drives a mode, or saddles) at "
              f"{driven.size} biases, e.g. V = {driven[0]:g} mV")
    if ds.attrs["events"]:
        print(f"along V: {ds.attrs['events']}")
    if ds.attrs["validity"]:
        print(f"note: outside the model's validity (NaN): {ds.attrs['validity']}")
    return 0


def cmd_rates(args):
    from .export import stamped
    from .progress import TerminalBar
    from .studies.junction_lines import junction_rates, junction_telegraph
    from .studies.sweeps import rates_sweep, spectral_rates_sweep, telegraph

    if args.t_total is not None and not args.t_total > 0:
        raise UsageError(f"--t_total {args.t_total}: allowed: a positive time in ps")
    if _is_junction_run(args):
        junction, v, free, pinned, bare = _junction_spins(args)
        method = args.method or ("fp" if len(free) == 1 else "langevin")
        if method == "fp" and len(free) != 1:
            raise UsageError(f"--method fp: the Fokker–Planck spectrum is for one free spin; --free "
                             f"{','.join(map(str, free))} has {len(free)} (use --method langevin)")

        def compute(bar):
            return junction_rates(junction, v, free, pinned, bare, args.terms, method, L=args.L, t_total=args.t_total,
                                  seed=args.seed, progress=bar, integrator=args.integrator)

        def trace():
            return junction_telegraph(junction, float(v[0]), args.trace_ps, free, pinned, bare, args.terms,
                                      seed=args.seed, integrator=args.integrator)
    else:
        p, v = _params_and_biases(args)
        _prepare_out(args.out, (".csv", ".nc"), ".csv or .nc (NetCDF)")
        method = args.method or ("fp" if args.spins == "pinned" else "langevin")
        if method == "fp" and args.spins != "pinned":
            raise UsageError("--method fp: the Fokker–Planck spectrum is for one free spin; allowed with "
                             "--spins pinned (both spins free: --method langevin)")

        def compute(bar):
            if method == "fp":
                return spectral_rates_sweep(p, v, terms=args.terms, L=args.L)
            return rates_sweep(p, v, spins=args.spins, terms=args.terms, t_total=args.t_total, seed=args.seed,
                               progress=bar, integrator=args.integrator)

        def trace():
            return telegraph(p, float(v[0]), args.trace_ps, spins=args.spins, terms=args.terms, seed=args.seed,
                             integrator=args.integrator)
    if method == "fp" and not 6 <= args.L <= 63:
        raise UsageError(f"--L {args.L}: allowed: 6 to 63")
    bar = TerminalBar("langevin") if method == "langevin" and (sys.stderr.isatty() or args.progress) else None
    try:
        ds = compute(bar)
    except ValueError as exc:
        raise UsageError(str(exc))
    if method == "fp":
        _write_nc_or_table(ds, args.out, ds[["rate", "dwell", "population", "relaxation", "convergence",
                                             "rate_counting", "rate_conservative", "rate_langer", "barrier"]], "rate")
        print(f"wrote switching rates at {v.size} biases to {args.out} (Fokker–Planck spectrum, harmonics to "
              f"degree {args.L}; rate in 1/ns, dwell = 1/rate in ps; rate_counting the core-to-core rate "
              f"Langevin counting measures; rate_conservative without the "
              f"nonconservative field, rate_langer its Kramers–Langer limit, barrier in meV)")
        off = np.abs(ds.rate.values / ds.rate_conservative.values - 1)
        if np.isfinite(off).any():
            print(f"note: the nonconservative field (self-DMI torque) changes the rates by up to "
                  f"{100 * np.nanmax(off):.3g} % against the energy's dynamics")
        if ds.attrs["no_switching"]:
            print(f"note: no switching rate (NaN): {ds.attrs['no_switching']}")
    else:
        _write_nc_or_table(ds, args.out, ds[["n_dwells", "dwell", "dwell_low", "dwell_high", "rate"]], "dwell")
        print(f"wrote switching rates at {v.size} biases to {args.out} ({ds.attrs['t_total_ps']:.4g} ps x "
              f"{ds.attrs['n_trajectories']} trajectories per bias; dwell in ps with 95 % intervals, rate in 1/ns)")
    if args.trace:
        _prepare_out(args.trace, (".csv",), ".csv")
        try:
            path = trace()
        except ValueError as exc:
            raise UsageError(f"--trace: {exc}")
        columns = ["basin"] + [k for k in path.data_vars if k.startswith("I_") and path[k].dims == ("time",)]
        table = path[columns].to_dataframe().reset_index()
        try:
            stamped(table, path).to_csv(args.trace, index=False)
        except OSError as exc:
            raise _write_error(args.trace, exc)
        currents = " and each lead's current (nA)" if len(columns) > 1 else ""
        print(f"wrote the basin{currents} against time at V = {v[0]:g} mV ({args.trace_ps:g} ps) to {args.trace}")
        if "current_note" in path.attrs:
            print(f"note: {path.attrs['current_note']}")
    if "enough" in ds and not ds.enough.values.all():
        print(f"note: fewer than 20 dwells in some basin at V = "
              f"{', '.join(f'{x:g}' for x in v[~ds.enough.values])} mV (wide intervals, or one stable state)")
    return 0


def cmd_levels(args):
    from .spins.levels import levels

    p, v = _params_and_biases(args)
    if not 2 <= args.n_levels <= 36:
        raise UsageError(f"--n_levels {args.n_levels}: allowed: 2 … 36")
    _prepare_out(args.out, (".csv", ".nc"), ".csv or .nc (NetCDF)")
    ds = levels(p, v, n_levels=args.n_levels, terms=args.terms)
    weights = {f"weight_site{site}": ds.step_weight.sel(site=site, drop=True) for site in (1, 2)}
    _write_nc_or_table(ds, args.out, ds[["excitation"]].assign(weights), "excitation")
    print(f"wrote the {args.n_levels} lowest two-spin levels at {v.size} biases to {args.out} (E_n - E_0 in meV: "
          "steps in dI/dV at eV = +-(E_n - E_0); a heuristic bridge, docs/levels.md)")
    worst = float(ds.nonconservative.max())
    if worst > 1e-6:
        print(f"note: the nonconservative part of the couplings (up to {worst:.2g} of them) has no Hamiltonian "
              "and is left out")
    return 0


def cmd_fit(args):
    import pandas as pd

    from .junction import PRESETS as JUNCTIONS
    from .studies.fitting import FitError, fit, interval, read_bounds, read_curves
    from .studies.junction_fitting import fit_junction

    p = None if args.model is not None or args.preset in JUNCTIONS else _params_from(args)
    try:
        table = pd.read_csv(args.data)
    except (OSError, ValueError) as exc:
        raise UsageError(f"data {args.data!r}: cannot read it as CSV: {exc}")
    try:
        data = read_curves(table)
    except FitError as exc:
        raise UsageError(f"data {args.data!r}: {exc}") from None
    try:
        bounds = read_bounds(args.bounds)
    except FitError as exc:
        raise UsageError(f"--{exc}") from None
    curves = list(data)
    _prepare_out(args.out, (".nc", ".csv"), ".nc (NetCDF) or .csv")
    names = [x for x in args.free.split(",") if x]
    setup = _fit_junction_setup(args, curves)
    try:
        ds = fit(p, data, names, bounds) if setup is None else fit_junction(setup, data, names, bounds)
    except ValueError as exc:  # FitError and out-of-range bounds
        raise UsageError(str(exc)) from None
    _write_nc_or_table(ds, args.out, ds[["estimate", "stderr"]], "estimate")
    if args.plot:
        try:
            _plot_fit(ds, curves, args.plot)
        except OSError as exc:
            raise _write_error(args.plot, exc)
    where = "" if setup is None else f"; the junction {setup.junction.name or args.model}, lead {ds.attrs['lead']}"
    print(f"fitted {', '.join(ds.param.values)} to {', '.join(curves)} ({sum(v[0].size for v in data.values())} "
          f"points, reduced chi2 {ds.attrs['reduced_chi2']:.3g}{where}):")
    for name in ds.param.values:
        lo, hi = interval(ds, name)
        print(f"  {name} = {float(ds.estimate.sel(param=name)):.6g} +- {float(ds.stderr.sel(param=name)):.2g}"
              f"  (95 %: {lo:.6g} .. {hi:.6g})")
    print(f"wrote {args.out}" + (f" and {args.plot}" if args.plot else ""))
    return 0


def _fit_junction_setup(args, curves):
    """The :class:`~dimer_core.studies.junction_fitting.JunctionSetup` of ``fit --model FILE`` or a junction
    ``--preset`` (None for the dimer): ``--spin`` the free site (needed by every curve but dIdV), ``--pinned``,
    the bare terms as for ``sweep``, ``--lead`` the lead of dIdV."""
    from .junction import PRESETS as JUNCTIONS
    from .junction.modelfile import SPIN_FIELDS
    from .studies.junction_fitting import JunctionSetup

    if args.model is None and args.preset not in JUNCTIONS:
        for option, value in (("--spin", args.spin), ("--lead", args.lead), ("--pinned", args.pinned)):
            if value:
                raise UsageError(f"{option} is for a junction (--model FILE or a junction --preset); the dimer's "
                                 "fit uses spin 2 with m_1 pinned")
        return None
    junction = _junction_from(args, extra=SPIN_FIELDS)
    spin_curves = [c for c in curves if c != "dIdV"]
    if args.spin is None and spin_curves:
        raise UsageError(f"--spin: give the free site whose {', '.join(spin_curves)} the data are, e.g. --spin 1 "
                         f"(sites 1..{junction.n_sites})")
    free = _sites(args.spin or "1", junction, "--spin")
    if len(free) != 1:
        raise UsageError(f"--spin {args.spin!r}: one site; the fitted curves are those of one free spin")
    pinned, bare = _pinned_and_bare(args, junction, free, dimer=False)
    setup = JunctionSetup(junction, free=tuple(free), pinned=pinned, bare=bare, lead=args.lead)
    try:
        setup.lead_name()
    except ValueError as exc:
        raise UsageError(f"--lead: {exc}") from None
    return setup


def _plot_fit(ds, curves, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    _prepare_out(path, (".png",), ".png")
    fig, axes = plt.subplots(1, len(curves), figsize=(4.5 * len(curves), 3.4), squeeze=False)
    for ax, c in zip(axes[0], curves):
        v = ds[f"V_{c}"].values
        err = ds[f"sigma_{c}"].values if f"sigma_{c}" in ds else None
        ax.errorbar(v, ds[f"data_{c}"].values, yerr=err, fmt="o", ms=3, color="0.3", label="data")
        ax.plot(v, ds[f"model_{c}"].values, color="#0072B2", label="fit")
        ax.set_xlabel("V (mV)")
        ax.set_ylabel(f"{c} ({ds[f'data_{c}'].attrs['units']})")
        ax.legend(frameon=False)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def cmd_figures(args):
    from .studies.figures import all_figures
    from .progress import TerminalBar

    if os.path.exists(args.out) and not os.path.isdir(args.out):
        raise UsageError(f"--out {args.out!r} is a file; give a folder (created if missing)")
    try:
        paths = all_figures(args.out, progress=TerminalBar("langevin") if sys.stderr.isatty() else None)
    except OSError as exc:
        raise UsageError(f"--out {args.out!r}: cannot write the figures there: {exc.strerror or exc}")
    for path in paths:
        print(path)
    return 0


def cmd_study(args):
    from .progress import TerminalBar

    try:
        from .studies.run import resume_study, run_study
        from .studies.spec import SpecError, load_spec
    except ImportError as exc:
        raise UsageError(f"study needs {exc.name}, which is not installed; "
                         f"install the studies extra: pip install 'dimer-core[studies]'")

    if (args.spec is None) == (args.resume is None):
        raise UsageError("give a spec file (study SPEC.toml --out DIR) or --resume DIR, not both")
    if args.spec is not None and args.out is None:
        raise UsageError("--out DIR is required with a spec file")
    if args.resume is not None and (args.model is not None or args.pair is not None):
        raise UsageError("--model and --pair change a new study's spec; --resume finishes a study as it was started")
    pair = None
    if args.pair is not None:
        try:
            pair = tuple(int(x) for x in args.pair.split(","))
        except ValueError:
            raise UsageError(f"--pair {args.pair!r} is malformed; expected two site numbers a,b, e.g. --pair 1,3")
    bar = TerminalBar("study") if sys.stderr.isatty() or args.progress else None
    folder = args.out if args.resume is None else args.resume
    try:
        if args.resume is None:
            spec = load_spec(args.spec, model=args.model, pair=pair)
            ds = run_study(spec, args.out, scheduler=args.scheduler, workers=args.workers, progress=bar)
        else:
            ds, report = resume_study(args.resume, scheduler=args.scheduler, workers=args.workers, progress=bar)
            for block, why in report["damaged"].items():
                print(f"block {block}: {why}; recomputed")
            print(f"kept {report['kept']} stored blocks, computed {report['computed']}")
            if report["version_note"]:
                print(f"note: {report['version_note']}")
    except (SpecError, FileNotFoundError) as exc:
        raise UsageError(str(exc))
    except (PermissionError, NotADirectoryError, IsADirectoryError, FileExistsError) as exc:
        raise UsageError(f"{'--out' if args.resume is None else '--resume'} {folder!r}: cannot create or write "
                         f"{exc.filename or folder!r}: {exc.strerror}")
    except KeyboardInterrupt:
        print(f"\ninterrupted: the finished blocks are stored; continue with "
              f"{args.prog} study --resume {folder}", file=sys.stderr)
        return EXIT_INTERRUPTED
    sizes = " x ".join(f"{d} {n}" for d, n in ds.sizes.items())
    print(f"study in {folder}: {ds.attrs['blocks_done']}/{ds.attrs['blocks_total']} blocks, "
          f"{len(ds.data_vars)} quantities over {sizes}")
    return 0


def build_parser(prog="dimer-core"):
    parser = _Parser(prog=prog,
                     description="Bias-controlled couplings and spin dynamics of a molecular-magnet dimer "
                                 "(Leiva, Díaz & Núñez, PRB 107, 094401).",
                     epilog=f"'{prog} COMMAND --help' lists a command's options, with units and bounds.")
    parser.set_defaults(prog=prog)
    from . import __version__

    parser.add_argument("--version", action="version", version=f"dimer_core {__version__}")
    sub = parser.add_subparsers(dest="command", title="commands", metavar="COMMAND", parser_class=_Parser)
    p_point = sub.add_parser("point", help="every coupling at one bias point")
    _add_params(p_point, junctions=True)
    p_point.add_argument("--model", metavar="FILE", help="a junction model file (TOML; docs/junction.md)")
    p_point.add_argument("--pair", metavar="a,b", help="the pair of sites of a junction to print (default 1,2)")
    p_point.add_argument("--json", action="store_true", help="print one JSON object")
    p_point.set_defaults(run=cmd_point)
    p_maps = sub.add_parser("maps", help="every coupling over a mu_F x V grid, to NetCDF or CSV")
    _add_params(p_maps, exclude=("mu_F", "V"), junctions=True)
    p_maps.add_argument("--model", metavar="FILE", help="a junction model file (TOML; docs/junction.md): its "
                                                        "tensors to .nc, its pair's named couplings to .csv")
    p_maps.add_argument("--pair", metavar="a,b", help="a junction's pair of sites (default 1,2 for .csv; "
                                                      ".nc holds every pair without it)")
    p_maps.add_argument("--mu_F", dest="mu_F_range", default="-6:6:201", metavar="LO:HI:N",
                        help="mu_F grid in meV (default -6:6:201)")
    p_maps.add_argument("--V", dest="V_range", default="-12:12:201", metavar="LO:HI:N",
                        help="bias grid in mV (default -12:12:201)")
    p_maps.add_argument("--out", required=True, help="output file, .nc or .csv (missing folders are created)")
    p_maps.set_defaults(run=cmd_maps)
    p_sweep = sub.add_parser("sweep", help="mean orientation Omega(V) of the free spin, to CSV; or the free spins of "
                                           "a junction, to CSV or NetCDF")
    _add_params(p_sweep, exclude=("V",), junctions=True)
    _add_junction_spins(p_sweep)
    p_sweep.add_argument("--method", choices=("fp", "langevin"), default="fp",
                         help="Fokker-Planck (instant) or Langevin ensembles (default fp)")
    p_sweep.add_argument("--V", dest="V_range", default="-5:5:41", metavar="LO:HI:N",
                         help="bias grid in mV (default -5:5:41)")
    p_sweep.add_argument("--seed", type=int, default=0, help="random seed of the Langevin run (default 0)")
    p_sweep.add_argument("--realizations", type=int, default=32, help="Langevin trajectories per bias (default 32)")
    p_sweep.add_argument("--terms", choices=("full", "paper"), default="full",
                         help="full model, or the paper's terms only (no self-DMI torque, no W damping)")
    p_sweep.add_argument("--calculus", choices=("boltzmann", "stratonovich"), default="boltzmann",
                         help="Langevin drift: boltzmann (exp(-E/kT) stationary at V = 0; docs/stochastic.md) "
                              "or plain Stratonovich, for comparison (default boltzmann)")
    _add_integrator(p_sweep)
    p_sweep.add_argument("--progress", action="store_true", help="show the progress bar even when not a terminal")
    p_sweep.add_argument("--out", required=True, help="output CSV file (a junction: .csv or .nc; missing folders "
                                                      "are created)")
    p_sweep.set_defaults(run=cmd_sweep)
    p_modes = sub.add_parser("modes", help="ESR/FMR lines: mode frequencies and linewidths against V, to CSV "
                                           "or NetCDF")
    _add_params(p_modes, exclude=("V", "mu_F"), junctions=True)
    _add_junction_spins(p_modes)
    p_modes.add_argument("--mu_F", dest="mu_F_value", metavar="VALUE|LO:HI:N",
                         help=f"Fermi level in meV ({bounds_text('mu_F')}), or a grid LO:HI:N for a map over "
                              "(mu_F, V): NetCDF, or CSV of the lowest stable line per point")
    p_modes.add_argument("--V", dest="V_range", default="-5:5:41", metavar="LO:HI:N",
                         help="bias grid in mV (default -5:5:41)")
    p_modes.add_argument("--spins", choices=("pinned", "both"), default="pinned",
                         help="the dimer: spin 2 free with m_1 pinned, or both spins free (default pinned); a "
                              "junction's free spins are --free")
    p_modes.add_argument("--terms", choices=("full", "paper"), default="full",
                         help="full model, or the paper's terms only (no self-DMI torque, no W damping)")
    p_modes.add_argument("--f", dest="f_range", metavar="LO:HI:N",
                         help="also the rf absorption Im chi(f) on this grid in GHz (NetCDF output)")
    p_modes.add_argument("--rf_axis", default="1,0,0", metavar="X,Y,Z",
                         help="direction of the rf field (default 1,0,0); the static field is --h")
    p_modes.add_argument("--progress", action="store_true", help="show the progress bar even when not a terminal")
    p_modes.add_argument("--out", required=True, help="output file, .csv (modes) or .nc (everything)")
    p_modes.set_defaults(run=cmd_modes)
    p_rates = sub.add_parser("rates", help="switching rates between stable states against V (Langevin "
                                             "counting, or the Fokker–Planck spectrum of one free spin)")
    _add_params(p_rates, exclude=("V",), junctions=True)
    _add_junction_spins(p_rates)
    p_rates.add_argument("--V", dest="V_range", default="0:4:5", metavar="LO:HI:N",
                         help="bias grid in mV (default 0:4:5)")
    p_rates.add_argument("--spins", choices=("pinned", "both"), default="both",
                         help="the dimer: both spins free, or spin 2 with m_1 pinned (default both); a junction's "
                              "free spins are --free")
    p_rates.add_argument("--terms", choices=("full", "paper"), default="full",
                         help="full model, or the paper's terms only (no self-DMI torque, no W damping)")
    p_rates.add_argument("--t_total", type=float, metavar="PS",
                         help="run length per trajectory in ps (default: chosen from a pilot run)")
    p_rates.add_argument("--method", choices=("fp", "langevin"),
                         help="fp: the spectrum of the Fokker–Planck operator (one free spin: --spins pinned; "
                              "exact, the default there); langevin: counting dwells in Langevin runs (the default "
                              "for --spins both)")
    p_rates.add_argument("--L", type=int, default=32, help="--method fp: spherical-harmonic degree (default 32)")
    p_rates.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    _add_integrator(p_rates)
    p_rates.add_argument("--progress", action="store_true", help="show the progress bar even when not a terminal")
    p_rates.add_argument("--trace", metavar="CSV", help="also the basin against time (a telegraph trace) at the "
                                                       "first bias of --V")
    p_rates.add_argument("--trace_ps", type=float, default=2000.0, metavar="PS",
                         help="length of the trace in ps (default 2000)")
    p_rates.add_argument("--out", required=True, help="output file, .csv or .nc")
    p_rates.set_defaults(run=cmd_rates)
    p_levels = sub.add_parser("levels", help="two-spin quantum levels from the couplings: where spin-flip steps "
                                             "would sit in dI/dV (heuristic)")
    _add_params(p_levels, exclude=("V",))
    p_levels.add_argument("--V", dest="V_range", default="0:4:5", metavar="LO:HI:N",
                          help="bias grid in mV (default 0:4:5)")
    p_levels.add_argument("--n_levels", type=int, default=8, help="levels per bias (default 8, at most 36)")
    p_levels.add_argument("--terms", choices=("full", "paper"), default="full",
                          help="full model, or the paper's terms only")
    p_levels.add_argument("--out", required=True, help="output file, .csv or .nc")
    p_levels.set_defaults(run=cmd_levels)
    p_fit = sub.add_parser("fit", help="fit model parameters to measured curves (dI/dV, f_ESR, rate, Omega) from a "
                                       "CSV")
    p_fit.add_argument("data", help="CSV with a column V (mV) and any of dIdV (uS), f_ESR (GHz), rate (1/ns), "
                                    "Omega_x/y/z, each with an optional <name>_err")
    _add_params(p_fit, junctions=True)
    p_fit.add_argument("--free", required=True, metavar="NAMES",
                       help="parameters to fit, comma-separated (e.g. t0,tL; a junction's: dotted names such as "
                            "eps.1,lead.tip.t,bond.1-2.t0 and K_easy, K_hard of its spin; docs/fitting.md)")
    p_fit.add_argument("--model", metavar="FILE", help="fit a junction model file (TOML; docs/junction.md)")
    p_fit.add_argument("--spin", metavar="SITE", help="a junction's free site whose f_ESR, rate or Omega the data are")
    p_fit.add_argument("--pinned", metavar="SITE:X,Y,Z", action="append",
                       help="a junction's pinned site (repeatable; default +z)")
    p_fit.add_argument("--lead", metavar="NAME", help="a junction's lead whose dI/dV the data are (default the first)")
    p_fit.add_argument("--bounds", metavar="NAME=LO:HI,...", help="bounds of the free parameters (default: theirs)")
    p_fit.add_argument("--out", required=True, help="output file: .csv (estimates) or .nc (with data and model)")
    p_fit.add_argument("--plot", metavar="PNG", help="also a PNG of data against the fit")
    p_fit.set_defaults(run=cmd_fit)
    p_study = sub.add_parser("study", help="a parameter study on Dask (maps or sweeps over a parameter grid)")
    p_study.add_argument("spec", nargs="?", help="study spec (TOML; see examples/)")
    p_study.add_argument("--out", help="study folder to create (with missing parent folders)")
    p_study.add_argument("--resume", metavar="DIR", help="finish the study in DIR (re-checks what is stored)")
    p_study.add_argument("--model", metavar="FILE", help="a junction model file (TOML; docs/junction.md) instead of "
                                                         "the spec's preset or model")
    p_study.add_argument("--pair", metavar="a,b", help="a junction maps study's pair of sites (overrides the spec's)")
    p_study.add_argument("--scheduler", metavar="ADDRESS",
                         help="a running Dask scheduler, e.g. tcp://10.0.0.5:8786 (default: a local cluster)")
    p_study.add_argument("--workers", type=int, help="local worker processes (default: one per core)")
    p_study.add_argument("--progress", action="store_true", help="show the progress bar even when not a terminal")
    p_study.set_defaults(run=cmd_study)
    p_lec = sub.add_parser("lecture", help="one self-contained HTML page (offline): maps, cuts and Omega moved by "
                                           "sliders in the browser")
    _add_params(p_lec, exclude=("mu_F", "V"))
    p_lec.add_argument("--mu_F", dest="mu_F_range", default="-6:6:121", metavar="LO:HI:N",
                       help="mu_F grid of the maps in meV (default -6:6:121)")
    p_lec.add_argument("--V", dest="V_range", default="-12:12:121", metavar="LO:HI:N",
                       help="bias grid of the maps and Omega curves in mV (default -12:12:121)")
    p_lec.add_argument("--omega_mu_F", dest="omega_mu_F_range", default="-6:6:13", metavar="LO:HI:N",
                       help="coarse mu_F grid of the Fokker-Planck Omega(V) curves in meV, within --mu_F "
                            "(default -6:6:13; e.g. 0:0:1 for one mu_F)")
    p_lec.add_argument("--out", required=True, help="output file, .html (missing folders are created)")
    p_lec.set_defaults(run=cmd_lecture)
    p_fig = sub.add_parser("figures", help="the paper's Figs. 2, 4, 5, 6, 7 as PNG files")
    p_fig.add_argument("--out", required=True, help="output folder (created if missing)")
    p_fig.set_defaults(run=cmd_figures)
    return parser


def _join_negative_values(argv):
    """``--V -3:3:7`` → ``--V=-3:3:7``: argparse would take "-3:3:7" for an option."""
    out = []
    for token in argv:
        if out and out[-1].startswith("--") and "=" not in out[-1] and re.match(r"^-[\d.]", token):
            out[-1] = f"{out[-1]}={token}"
        else:
            out.append(token)
    return out


def _underscores(argv):
    """``--mu-F`` → ``--mu_F``: every option is spelt with underscores, as the parameters are."""
    out = []
    for token in argv:
        if token.startswith("--") and len(token) > 2:
            name, eq, value = token[2:].partition("=")
            token = "--" + name.replace("-", "_") + eq + value
        out.append(token)
    return out


def _options(parser):
    return [o for a in parser._actions if a.help != argparse.SUPPRESS for o in a.option_strings
            if o.startswith("--") and o != "--help"]


def main(argv=None, prog="dimer-core"):
    parser = build_parser(prog)
    argv = _join_negative_values(_underscores(sys.argv[1:] if argv is None else list(argv)))
    try:
        args, unknown = parser.parse_known_args(argv)
        if args.command is None:
            if unknown:
                raise UsageError(f"unknown option {unknown[0].split('=')[0]}; give a command first, one of "
                                 f"{', '.join(parser._subparsers._group_actions[0].choices)} (see {prog} --help)")
            parser.print_help()  # no command: list them
            return 0
        if unknown:
            command = parser._subparsers._group_actions[0].choices[args.command]
            token = unknown[0]
            if not token.startswith("-"):
                raise UsageError(f"{args.command}: unexpected argument {token!r}; see {prog} {args.command} --help")
            name = token.split("=")[0]
            raise UsageError(f"{args.command}: unknown option {name}; its options are "
                             f"{', '.join(_options(command))}")
        args.preset_given = any(t == "--preset" or t.startswith("--preset=") for t in argv)
        return args.run(args)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # e.g. piped into head
        sys.stderr.close()
        return 0

__all__ = ["EXIT_USAGE", "EXIT_INTERRUPTED", "UsageError", "parse_range", "JUNCTION_OVERRIDES", "cmd_point",
           "cmd_maps", "cmd_sweep", "cmd_modes", "cmd_rates", "cmd_levels", "cmd_fit", "cmd_figures", "cmd_study",
           "LECTURE_MAX_POINTS", "cmd_lecture",
           "build_parser", "main"]
