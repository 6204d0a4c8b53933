"""Fitting the model to measured curves against V: dI/dV, ESR frequency, mean orientation (docs/fitting.md).

Each curve is a measured y(V) with standard errors σ(V) (or none: then the residuals set the scale).  The
model curve comes from the sweeps at the parameters' mu_F:

* ``dIdV``    — :func:`dimer_core.studies.sweeps.current_sweep` (µS);
* ``f_ESR``   — the lowest mode frequency of the lowest-energy stable state of the pinned spin
  (:func:`dimer_core.studies.sweeps.modes_sweep`, GHz);
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

__all__ = ["CURVES", "model_curve", "fit", "interval", "FitError"]

CURVES = {"dIdV": "uS", "f_ESR": "GHz", "Omega_x": "1", "Omega_y": "1", "Omega_z": "1"}
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
    if name == "f_ESR":
        ds = sweeps.modes_sweep(p, V)
        out = np.full(V.size, np.nan)
        for k in range(V.size):
            stable = np.flatnonzero(ds.stable.values[k])
            if stable.size:
                out[k] = np.nanmin(ds.frequency.values[k, stable[0]])
        return out
    raise FitError(f"curve {name!r} is not known; allowed: {', '.join(CURVES)}")


def _checked_free(free):
    names = list(free)
    if not names:
        raise FitError("no free parameters: name at least one (e.g. t0)")
    for name in names:
        if name not in DimerParams.param or name == "name" or name in VECTORS:
            raise FitError(f"{name!r} cannot be fitted; allowed: the scalar parameters of the model")
    return names


def fit(params, data, free, bounds=None, max_evaluations=200):
    """Fit the parameters ``free`` (names) of ``params`` to ``data``: {curve: (V, y, sigma or None)}.

    ``bounds``: {name: (lo, hi)} within the parameter's own bounds (default: those).  Returns an
    :class:`xarray.Dataset`: ``estimate``, ``stderr`` (param), ``data``/``model``/``sigma`` per curve on its own
    V dimension (``V_<curve>``), and attrs chi2, dof, success, message.  Raises :class:`FitError` when a
    parameter combination is not constrained by the data.
    """
    names = _checked_free(free)
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
    lo, hi, x0 = [], [], []
    for name in names:
        plo, phi = DimerParams.param[name].bounds
        blo, bhi = (bounds or {}).get(name, (plo, phi))
        for value in (blo, bhi):
            check_value(name, value)
        if not blo < bhi:
            raise FitError(f"bounds of {name}: {blo} .. {bhi} is empty; allowed: {bounds_text(name)}")
        start = float(getattr(params, name))
        lo.append(blo), hi.append(bhi), x0.append(min(max(start, blo), bhi))
    lo, hi, x0 = np.array(lo), np.array(hi), np.array(x0)
    span = hi - lo
    weighted = all(v[2] is not None for v in curves.values())

    def params_at(u):
        return params.updated(**dict(zip(names, lo + span * u)))

    def residuals(u):
        p = params_at(u)
        out = []
        for curve, (V, y, s) in curves.items():
            r = model_curve(p, curve, V) - y
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
    estimate = lo + span * result.x
    stderr = span * np.sqrt(np.diag(cov))
    best = params_at(result.x)
    ds = xr.Dataset({"estimate": ("param", estimate), "stderr": ("param", stderr)}, coords={"param": names})
    for curve, (V, y, s) in curves.items():
        dim = f"V_{curve}"
        ds[f"data_{curve}"] = (dim, y, {"units": CURVES[curve]})
        ds[f"model_{curve}"] = (dim, model_curve(best, curve, V), {"units": CURVES[curve]})
        if s is not None:
            ds[f"sigma_{curve}"] = (dim, s, {"units": CURVES[curve]})
        ds = ds.assign_coords({dim: (dim, V, {"units": "mV"})})
    from ..couplings.dimer import parameter_attrs

    ds.attrs.update(parameter_attrs(best))
    ds.attrs.update(chi2=chi2, dof=dof, reduced_chi2=chi2 / dof, success=int(result.success),
                    message=str(result.message), evaluations=int(result.nfev),
                    weighted=int(weighted), method="scipy.optimize.least_squares (trf)")
    return ds


def interval(ds, name, level=0.95):
    """The two-sided ``level`` interval of a fitted parameter (normal approximation)."""
    from scipy import stats

    z = stats.norm.ppf(0.5 + 0.5 * level)
    e, s = float(ds.estimate.sel(param=name)), float(ds.stderr.sel(param=name))
    return e - z * s, e + z * s

