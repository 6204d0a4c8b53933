"""Fitting the model to measured curves against V: dI/dV, ESR frequency, switching rate, mean orientation
(docs/fitting.md).

Each curve is a measured y(V) with standard errors σ(V) (or none: then the residuals set the scale).  The
model curve comes from the sweeps at the parameters' mu_F:

* ``dIdV``    — :func:`dimer_core.studies.sweeps.current_sweep` (µS);
* ``f_ESR``   — the lowest mode frequency of the lowest-energy stable state of the pinned spin
  (:func:`dimer_core.studies.sweeps.modes_sweep`, GHz);
* ``rate``    — the switching relaxation rate λ₁ = k₁ + k₂ of the pinned spin between its two stable states, from
  its Fokker–Planck spectrum (:func:`dimer_core.studies.sweeps.spectral_rates_sweep`, 1/ns): what a telegraph
  signal's two mean dwells give as 1/τ₁ + 1/τ₂, free of which state is called which (NaN, and so a large
  residual, where the model has no two stable states or the spectrum does not converge);
* ``Omega_x``, ``Omega_y``, ``Omega_z`` — the Fokker–Planck mean orientation (:func:`dimer_core.studies.sweeps.fp_sweep`).

Several curves fit jointly (their weighted residuals concatenated).  :func:`fit` runs
``scipy.optimize.least_squares`` (trust region within the parameters' bounds, each free parameter scaled by
its range) and returns the estimates with standard errors from the Jacobian at the optimum,
cov = (JᵀJ)⁻¹·s² (s² = χ²/(n − p) when σ is not given, else 1).  Where the data do not constrain a
parameter combination — a singular value of the scaled Jacobian below 1e-6 of the largest — it refuses and
names the parameters in that combination.
"""
import numpy as np
import xarray as xr
from scipy import optimize

from ..params import DimerParams, VECTORS, bounds_text, check_value

__all__ = ["CURVES", "model_curve", "fit", "interval", "FitError", "read_curves", "read_bounds", "example_table",
           "checked_curves", "least_squares_fit", "lowest_stable_frequency"]

CURVES = {"dIdV": "uS", "f_ESR": "GHz", "rate": "1/ns", "Omega_x": "1", "Omega_y": "1", "Omega_z": "1"}
"""The curves that can be fitted, with their units."""


class FitError(ValueError):
    """The data cannot determine the parameters asked for (or the input is unusable)."""


def model_curve(p, name, V):
    """The model's ``name`` curve (:data:`CURVES`) at the biases V (mV) for the parameters p."""
    from . import sweeps

    V = np.asarray(V, dtype=float)
    if name == "dIdV":
        return sweeps.current_sweep(p, V).dIdV.values
    if name.startswith("Omega_"):
        return sweeps.fp_sweep(p, V)[name].values
    if name == "rate":
        return sweeps.spectral_rates_sweep(p, V, unconverged="nan", compare=False).relaxation.values
    if name == "f_ESR":
        return lowest_stable_frequency(sweeps.modes_sweep(p, V))
    raise FitError(f"curve {name!r} is not known; allowed: {', '.join(CURVES)}")


def lowest_stable_frequency(lines):
    """Per bias the lowest mode frequency (GHz) of the first stable state of a mode sweep's Dataset (the states in
    the slots :func:`dimer_core.spins.modes.mode_sweep` keeps along V), NaN where none is stable: the ``f_ESR``
    curve."""
    out = np.full(lines.sizes["V"], np.nan)
    for k in range(out.size):
        stable = np.flatnonzero(lines.stable.values[k])
        if stable.size:
            out[k] = np.nanmin(lines.frequency.values[k, stable[0]])
    return out


def _checked_free(free):
    names = list(free)
    if not names:
        raise FitError("no free parameters: name at least one (e.g. t0)")
    for name in names:
        if name not in DimerParams.param or name == "name" or name in VECTORS:
            raise FitError(f"{name!r} cannot be fitted; allowed: the scalar parameters of the model")
    return names


def read_curves(table):
    """The curves of a measured table (a :class:`pandas.DataFrame`, e.g. read from a CSV) for :func:`fit`.

    The table has a column ``V`` (mV) and one or more of :data:`CURVES`, each with an optional ``<name>_err``
    (its standard errors); an empty cell means no value at that V (curves may sit on different biases).
    Returns {curve: (V, y, sigma or None)}.  Raises :class:`FitError` naming the problem: no V column, an
    unknown column, a cell that is not a number, V missing in a row, a value without its error.
    """
    import pandas as pd

    columns = [str(c).strip() for c in table.columns]
    table = table.set_axis(columns, axis=1)
    allowed = {"V"} | set(CURVES) | {f"{c}_err" for c in CURVES}
    if "V" not in columns:
        raise FitError(f"no column V (mV); the columns are {', '.join(columns) or 'none'}; allowed: V and any of "
                       f"{', '.join(CURVES)} (each with an optional <name>_err)")
    unknown = [c for c in columns if c not in allowed]
    if unknown:
        raise FitError(f"unknown column {', '.join(repr(c) for c in unknown)}; allowed: V and any of "
                       f"{', '.join(CURVES)} (each with an optional <name>_err)")
    curves = [c for c in CURVES if c in columns]
    if not curves:
        raise FitError(f"no curve to fit; columns allowed: {', '.join(CURVES)} (each with an optional <name>_err)")
    for c in columns:
        values = pd.to_numeric(table[c], errors="coerce")
        bad = values.isna() & table[c].notna()
        if bad.any():
            row = int(np.flatnonzero(bad.values)[0])
            raise FitError(f"column {c}, row {row + 1}: {table[c].iloc[row]!r} is not a number")
        table[c] = values
    for c in columns:
        finite = np.isfinite(table[c].values) | table[c].isna().values
        if not finite.all():
            raise FitError(f"column {c}, row {int(np.flatnonzero(~finite)[0]) + 1}: values must be finite")
    missing = table["V"].isna().values & table[curves].notna().any(axis=1).values
    if missing.any():
        raise FitError(f"row {int(np.flatnonzero(missing)[0]) + 1}: a value without its V")
    data = {}
    for c in curves:
        err = f"{c}_err"
        rows = table[table[c].notna()]
        if rows.empty:
            raise FitError(f"column {c} holds no values")
        if err in columns and rows[err].isna().any():
            raise FitError(f"column {err}, row {int(np.flatnonzero(table[c].notna() & table[err].isna())[0]) + 1}: "
                           f"a value of {c} without its error")
        data[c] = (rows.V.values, rows[c].values, rows[err].values if err in columns else None)
    return data


def read_bounds(text):
    """Bounds written as ``name=LO:HI,...`` (e.g. ``"t0=1:3, tL=5:12"``; empty: none) → {name: (lo, hi)}.

    Only the form is checked here; :func:`fit` checks the names and the values against the parameters' ranges.
    """
    bounds = {}
    for item in filter(None, (x.strip() for x in (text or "").split(","))):
        name, _, span = item.partition("=")
        try:
            lo, hi = (float(x) for x in span.split(":"))
        except ValueError:
            raise FitError(f"bounds {item!r}: write name=LO:HI, e.g. t0=1:3") from None
        bounds[name.strip()] = (lo, hi)
    return bounds


def example_table(params, V, noise=0.01, seed=1):
    """Synthetic measured dI/dV (µS) at the biases V (mV): the model's :func:`model_curve` with a relative
    Gaussian scatter ``noise`` and that standard error, as a :class:`pandas.DataFrame` (columns V, dIdV,
    dIdV_err) in the format :func:`read_curves` reads."""
    import pandas as pd

    V = np.asarray(V, dtype=float)
    y = model_curve(params, "dIdV", V)
    scatter = np.random.default_rng(seed).normal(size=V.size)
    return pd.DataFrame({"V": V, "dIdV": y * (1 + noise * scatter), "dIdV_err": noise * np.abs(y)})


def checked_curves(data, names):
    """{curve: (V, y, sigma or None)} as float arrays, checked: known curves, 1-d arrays of one length, finite,
    sigma positive, more points than the ``names`` to fit (:class:`FitError` naming the problem)."""
    curves = {}
    for curve, (V, y, sigma) in data.items():
        if curve not in CURVES:
            raise FitError(f"curve {curve!r} is not known; allowed: {', '.join(CURVES)}")
        V, y = np.asarray(V, float), np.asarray(y, float)
        s = None if sigma is None else np.asarray(sigma, float)
        if V.shape != y.shape or V.ndim != 1 or V.size == 0 or (s is not None and s.shape != y.shape):
            raise FitError(f"curve {curve}: V, y (and sigma) must be 1-d arrays of one length")
        if not (np.all(np.isfinite(V)) and np.all(np.isfinite(y))) or (s is not None and not np.all(s > 0)):
            raise FitError(f"curve {curve}: V and y must be finite and sigma positive")
        curves[curve] = (V, y, s)
    n = sum(v[0].size for v in curves.values())
    if n <= len(names):
        raise FitError(f"{n} data points cannot fit {len(names)} parameters")
    return curves


def least_squares_fit(names, start, lo, hi, curves, model_at, curve_of, max_evaluations=200, progress=None,
                      cancel=None):
    """The fit of :func:`fit` for any model: (Dataset, the best model).

    ``names`` (p,) with ``start``, ``lo``, ``hi`` (p,) their first values and bounds; ``curves`` from
    :func:`checked_curves`; ``model_at(values)`` the model at the parameter values (p,); ``curve_of(model, curve,
    V)`` its curve at the biases V.  The Dataset: ``estimate``, ``stderr`` (param), ``data``/``model``/``sigma``
    per curve on its own V dimension (``V_<curve>``), and attrs chi2, dof, success, message, evaluations.  Raises
    :class:`FitError` when a parameter combination is not constrained by the data (module docstring).
    """
    from ..progress import Cancelled, cancelled

    lo, hi = np.asarray(lo, float), np.asarray(hi, float)
    x0 = np.clip(np.asarray(start, float), lo, hi)
    span = hi - lo
    n = sum(v[0].size for v in curves.values())
    weighted = all(v[2] is not None for v in curves.values())

    def values_at(u):
        return lo + span * u

    evaluations = [0]

    def residuals(u):
        if cancelled(cancel):
            raise Cancelled(f"stopped after {evaluations[0]} evaluations of the model")
        evaluations[0] += 1
        if progress is not None:
            progress(min(evaluations[0] / (max_evaluations * (len(names) + 1)), 1.0),
                     f"evaluation {evaluations[0]}")
        model = model_at(values_at(u))
        out = []
        for curve, (V, y, s) in curves.items():
            r = curve_of(model, curve, V) - y
            out.append(r / s if s is not None else r)
        r = np.concatenate(out)
        return np.where(np.isfinite(r), r, 1e6)

    result = optimize.least_squares(residuals, (x0 - lo) / span, bounds=(0.0, 1.0), x_scale="jac",
                                    diff_step=1e-6, max_nfev=max_evaluations)
    jac = result.jac
    sv = np.linalg.svd(jac, compute_uv=False)
    if sv.size < len(names) or not sv[-1] > 1e-6 * sv[0]:
        _, _, vt = np.linalg.svd(jac)
        weak = vt[-1]
        involved = [names[i] for i in np.argsort(-np.abs(weak)) if abs(weak[i]) > 0.1]
        raise FitError(f"the data do not constrain {' and '.join(involved)}: the fitted curves hardly change "
                       f"along that direction (singular value {sv[-1]:.2g} of {sv[0]:.2g}); fix "
                       f"{'it' if len(involved) == 1 else 'one of them'} or add data that depend on it")
    chi2 = float(np.sum(result.fun ** 2))
    dof = n - len(names)
    scale = 1.0 if weighted else chi2 / dof
    cov = np.linalg.inv(jac.T @ jac) * scale
    estimate = values_at(result.x)
    stderr = span * np.sqrt(np.diag(cov))
    best = model_at(estimate)
    ds = xr.Dataset({"estimate": ("param", estimate), "stderr": ("param", stderr)}, coords={"param": list(names)})
    for curve, (V, y, s) in curves.items():
        dim = f"V_{curve}"
        ds[f"data_{curve}"] = (dim, y, {"units": CURVES[curve]})
        ds[f"model_{curve}"] = (dim, curve_of(best, curve, V), {"units": CURVES[curve]})
        if s is not None:
            ds[f"sigma_{curve}"] = (dim, s, {"units": CURVES[curve]})
        ds = ds.assign_coords({dim: (dim, V, {"units": "mV"})})
    ds.attrs.update(chi2=chi2, dof=dof, reduced_chi2=chi2 / dof, success=int(result.success),
                    message=str(result.message), evaluations=int(result.nfev),
                    weighted=int(weighted), method="scipy.optimize.least_squares (trf)")
    return ds, best


def fit(params, data, free, bounds=None, max_evaluations=200, progress=None, cancel=None):
    """Fit the parameters ``free`` (names) of ``params`` to ``data``: {curve: (V, y, sigma or None)}.

    ``bounds``: {name: (lo, hi)} within the parameter's own bounds (default: those).  Returns an
    :class:`xarray.Dataset`: ``estimate``, ``stderr`` (param), ``data``/``model``/``sigma`` per curve on its own
    V dimension (``V_<curve>``), and attrs chi2, dof, success, message and the best parameters.  Raises
    :class:`FitError` when a parameter combination is not constrained by the data.  ``progress``, ``cancel``:
    :mod:`dimer_core.progress`, per evaluation of the model (the fraction is of ``max_evaluations``, an upper
    bound).  A junction's parameters: :func:`dimer_core.studies.junction_fitting.fit_junction`.
    """
    names = _checked_free(free)
    curves = checked_curves(data, names)
    lo, hi = [], []
    for name in names:
        plo, phi = DimerParams.param[name].bounds
        blo, bhi = (bounds or {}).get(name, (plo, phi))
        for value in (blo, bhi):
            check_value(name, value)
        if not blo < bhi:
            raise FitError(f"bounds of {name}: {blo} .. {bhi} is empty; allowed: {bounds_text(name)}")
        lo.append(blo), hi.append(bhi)
    start = [float(getattr(params, name)) for name in names]
    ds, best = least_squares_fit(names, start, lo, hi, curves, lambda v: params.updated(**dict(zip(names, v))),
                                 model_curve, max_evaluations, progress, cancel)
    from ..couplings.dimer import parameter_attrs

    ds.attrs.update(parameter_attrs(best))
    return ds


def interval(ds, name, level=0.95):
    """The two-sided ``level`` interval of a fitted parameter (normal approximation)."""
    from scipy import stats

    z = stats.norm.ppf(0.5 + 0.5 * level)
    e, s = float(ds.estimate.sel(param=name)), float(ds.stderr.sel(param=name))
    return e - z * s, e + z * s

