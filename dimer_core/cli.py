"""Command line: ``python -m dimer_core point | maps | sweep | study | figures``.

Every parameter of :class:`~dimer_core.params.DimerParams` is an option
``--name value`` (``--that 1,1,1`` for vectors).  Bad input exits with status 2
and one line naming the parameter and its allowed range.
"""
import argparse
import json
import math
import re
import sys

import numpy as np

from .params import PRESETS, VECTORS, DimerParams, bounds_text, check_value, preset

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class UsageError(Exception):
    """Bad command-line input; the message is printed as one line."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(message)


def _param_names(exclude=()):
    return [k for k in DimerParams.param if k != "name" and k not in exclude]


def _add_params(parser, exclude=()):
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


def _fmt(key, value):
    from .couplings import QUANTITIES

    unit = QUANTITIES[key][0]
    if key == "T_eff_2":
        if not math.isfinite(value):
            return "undefined (a_i_22 = 0)"
        if value < 0:
            return f"{value:.6g} {unit}  (negative: a_i_22 < 0, energy injection)"
    return f"{value:.6g} {unit}"


def cmd_point(args):
    from .couplings import QUANTITIES, point

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


def cmd_maps(args):
    from .couplings import maps
    from .export import write

    p = _params_from(args, exclude=("mu_F", "V"))
    mu_f = parse_range(args.mu_F_range, "--mu-F", -50.0, 50.0, "meV")
    v = parse_range(args.V_range, "--V", -100.0, 100.0, "mV")
    if not (args.out.endswith(".nc") or args.out.endswith(".csv")):
        raise UsageError(f"--out {args.out!r}: the file name must end in .nc (NetCDF) or .csv")
    ds = maps(p, mu_f, v)
    write(ds, args.out)
    print(f"wrote {len(ds.data_vars)} quantities on {mu_f.size} x {v.size} (mu_F x V) to {args.out}")
    return 0


def cmd_sweep(args):
    from .progress import TerminalBar
    from .sweeps import fp_sweep, langevin_sweep

    p = _params_from(args, exclude=("V",))
    v = parse_range(args.V_range, "--V", -100.0, 100.0, "mV")
    if not args.out.endswith(".csv"):
        raise UsageError(f"--out {args.out!r}: the file name must end in .csv")
    if args.realizations < 2:
        raise UsageError(f"--realizations {args.realizations}: allowed: at least 2")
    if args.method == "fp":
        ds = fp_sweep(p, v)
        first = ["V", "Omega_x", "Omega_y", "Omega_z"]
    else:
        bar = TerminalBar("langevin") if sys.stderr.isatty() or args.progress else None
        try:
            ds = langevin_sweep(p, v, n_realizations=args.realizations, seed=args.seed, progress=bar,
                                terms=args.terms, calculus=args.calculus)
        except ValueError as exc:
            raise UsageError(str(exc))
        first = ["V", "Omega_x", "Omega_y", "Omega_z", "Omega_x_err", "Omega_y_err", "Omega_z_err"]
    df = ds.to_dataframe().reset_index()
    df[first + [c for c in df.columns if c not in first]].to_csv(args.out, index=False)
    print(f"wrote {args.method} sweep of {v.size} biases to {args.out}")
    if ds.attrs.get("validity"):
        print(f"note: outside the model's validity (outside_validity = 1; Langevin not integrated): "
              f"{ds.attrs['validity']}")
    return 0


def cmd_figures(args):
    from .figures import all_figures
    from .progress import TerminalBar

    paths = all_figures(args.out, progress=TerminalBar("langevin") if sys.stderr.isatty() else None)
    for path in paths:
        print(path)
    return 0


def cmd_study(args):
    from .progress import TerminalBar
    from .study import resume_study, run_study
    from .study_spec import SpecError

    if (args.spec is None) == (args.resume is None):
        raise UsageError("give a spec file (study SPEC.toml --out DIR) or --resume DIR, not both")
    if args.spec is not None and args.out is None:
        raise UsageError("--out DIR is required with a spec file")
    bar = TerminalBar("study") if sys.stderr.isatty() or args.progress else None
    folder = args.out if args.resume is None else args.resume
    try:
        if args.resume is None:
            ds = run_study(args.spec, args.out, scheduler=args.scheduler, workers=args.workers, progress=bar)
        else:
            ds, report = resume_study(args.resume, scheduler=args.scheduler, workers=args.workers, progress=bar)
            for block, why in report["damaged"].items():
                print(f"block {block}: {why}; recomputed")
            print(f"kept {report['kept']} stored blocks, computed {report['computed']}")
            if report["version_note"]:
                print(f"note: {report['version_note']}")
    except (SpecError, FileNotFoundError) as exc:
        raise UsageError(str(exc))
    except KeyboardInterrupt:
        print(f"\ninterrupted: the finished blocks are stored; continue with "
              f"python -m dimer_core study --resume {folder}", file=sys.stderr)
        return EXIT_INTERRUPTED
    sizes = " x ".join(f"{d} {n}" for d, n in ds.sizes.items())
    print(f"study in {folder}: {ds.attrs['blocks_done']}/{ds.attrs['blocks_total']} blocks, "
          f"{len(ds.data_vars)} quantities over {sizes}")
    return 0


def build_parser():
    parser = _Parser(prog="python -m dimer_core",
                     description="Bias-controlled couplings and spin dynamics of a molecular-magnet dimer "
                                 "(Leiva, Díaz & Núñez, PRB 107, 094401).")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    p_point = sub.add_parser("point", help="every coupling at one bias point")
    _add_params(p_point)
    p_point.add_argument("--json", action="store_true", help="print one JSON object")
    p_point.set_defaults(run=cmd_point)
    p_maps = sub.add_parser("maps", help="every coupling over a mu_F x V grid, to NetCDF or CSV")
    _add_params(p_maps, exclude=("mu_F", "V"))
    p_maps.add_argument("--mu-F", dest="mu_F_range", default="-6:6:201", metavar="LO:HI:N",
                        help="mu_F grid in meV (default -6:6:201)")
    p_maps.add_argument("--V", dest="V_range", default="-12:12:201", metavar="LO:HI:N",
                        help="bias grid in mV (default -12:12:201)")
    p_maps.add_argument("--out", required=True, help="output file, .nc or .csv")
    p_maps.set_defaults(run=cmd_maps)
    p_sweep = sub.add_parser("sweep", help="mean orientation Omega(V) of the free spin, to CSV")
    _add_params(p_sweep, exclude=("V",))
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
    p_sweep.add_argument("--progress", action="store_true", help="show the progress bar even when not a terminal")
    p_sweep.add_argument("--out", required=True, help="output CSV file")
    p_sweep.set_defaults(run=cmd_sweep)
    p_study = sub.add_parser("study", help="a parameter study on Dask (maps or sweeps over a parameter grid)")
    p_study.add_argument("spec", nargs="?", help="study spec (TOML; see examples/)")
    p_study.add_argument("--out", help="study folder to create")
    p_study.add_argument("--resume", metavar="DIR", help="finish the study in DIR (re-checks what is stored)")
    p_study.add_argument("--scheduler", metavar="ADDRESS",
                         help="a running Dask scheduler, e.g. tcp://10.0.0.5:8786 (default: a local cluster)")
    p_study.add_argument("--workers", type=int, help="local worker processes (default: one per core)")
    p_study.add_argument("--progress", action="store_true", help="show the progress bar even when not a terminal")
    p_study.set_defaults(run=cmd_study)
    p_fig = sub.add_parser("figures", help="the paper's Figs. 2, 4, 5, 6, 7 as PNG files")
    p_fig.add_argument("--out", required=True, help="output folder")
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


def main(argv=None):
    parser = build_parser()
    argv = _join_negative_values(sys.argv[1:] if argv is None else list(argv))
    try:
        args, unknown = parser.parse_known_args(argv)
        if unknown:
            name = unknown[0].lstrip("-").split("=")[0]
            known = ", ".join(_param_names())
            raise UsageError(f"unknown parameter {name!r}; known parameters: {known}")
        return args.run(args)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # e.g. piped into head
        sys.stderr.close()
        return 0
