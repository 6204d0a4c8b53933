"""Fitting a junction's parameters to measured curves against V (docs/fitting.md, "Fitting a junction").

The curves of :data:`~dimer_core.studies.fitting.CURVES` from the junction engine, so that they hold for the dimer
and for any molecule a user loads:

* ``dIdV``   — dI_c/dV of the lead c of :attr:`JunctionSetup.lead` (the first lead by default), the central
  difference of its current over ±dV from :func:`dimer_core.electrons.junction_maps.maps` (µS = nA/mV; the current
  is that of the lead, the sign as :func:`dimer_core.junction.point` gives it);
* ``f_ESR``  — the lowest line of the first stable state of the free spin (:func:`~dimer_core.studies.junction_lines.
  junction_modes`, GHz);
* ``rate``   — λ₁ = k₁ + k₂ of the free spin from its Fokker–Planck spectrum (:func:`~dimer_core.studies.
  junction_lines.junction_rates`, 1/ns);
* ``Omega_x``, ``Omega_y``, ``Omega_z`` — the Fokker–Planck mean orientation of the free spin
  (:func:`~dimer_core.studies.junction_sweeps.junction_sweep`).

The parameters are the junction's scalar dotted names (:mod:`dimer_core.junction.named`: ``eps.2``,
``bond.1-2.t0``, ``lead.tip.p``, ``T`` …) and the free spin's bare ``K_easy``, ``K_hard``; their bounds are the
junction's.  The fit itself is :func:`dimer_core.studies.fitting.least_squares_fit`, the dimer's.
"""
from dataclasses import dataclass, field, replace

import numpy as np

from ..junction import named
from ..junction.modelfile import dumps
from ..params import DimerParams
from ..spins.junction_spins import OneSpin
from .fitting import CURVES, FitError, checked_curves, least_squares_fit, lowest_stable_frequency

__all__ = ["JunctionSetup", "BARE_NAMES", "junction_curve", "fit_junction"]

BARE_NAMES = ("K_easy", "K_hard")
"""Bare one-spin terms that can be fitted (meV, the bounds of the dimer's parameters of the same names)."""

D_V = 1e-3
"""Half-step (mV) of the central difference of the current for dI/dV (the dimer's ``current_sweep``)."""


@dataclass(frozen=True)
class JunctionSetup:
    """A junction with the spin whose curves are fitted: ``free`` (one site, 1-based), ``pinned`` {site: direction}
    (default +z), ``bare`` (:class:`~dimer_core.spins.junction_spins.OneSpin`, default none), ``terms`` ("full" or
    "paper"), ``lead`` (the name of the lead whose dI/dV is measured; default the first)."""

    junction: object
    free: tuple = (2,)
    pinned: dict = field(default=None)
    bare: OneSpin = field(default=None)
    terms: str = "full"
    lead: str = None

    def lead_name(self):
        names = [c.name for c in self.junction.leads]
        name = names[0] if self.lead is None else self.lead
        if name not in names:
            raise FitError(f"lead = {name!r}: the junction has no such lead; allowed: {', '.join(names)}")
        return name

    def spins(self):
        """The keyword arguments of the junction's sweeps: free, pinned, bare, terms."""
        return dict(free=self.free, pinned=self.pinned, bare=self.bare, terms=self.terms)


def junction_curve(setup, name, V):
    """The ``name`` curve (:data:`~dimer_core.studies.fitting.CURVES`) of a :class:`JunctionSetup` at the biases V (mV)."""
    from ..electrons.junction_maps import maps
    from .junction_lines import junction_modes, junction_rates
    from .junction_sweeps import junction_sweep

    V = np.asarray(V, dtype=float)
    j = setup.junction
    if name == "dIdV":
        lead = setup.lead_name()
        grid = np.clip(np.concatenate([V - D_V, V + D_V]), -100.0, 100.0)
        current = maps(j, [j.mu_F], grid, pairs=[(1, 1)]).current.sel(lead=lead).values[0]
        return (current[V.size:] - current[:V.size]) / (2 * D_V)
    if name == "f_ESR":
        return lowest_stable_frequency(junction_modes(j, V, **setup.spins()))
    if name == "rate":
        return junction_rates(j, V, method="fp", unconverged="nan", compare=False, **setup.spins()).relaxation.values
    if name.startswith("Omega_"):
        return junction_sweep(j, V, method="fp", **setup.spins())[name].values
    raise FitError(f"curve {name!r} is not known; allowed: {', '.join(CURVES)}")


def _value(setup, name):
    if name in BARE_NAMES:
        return getattr(setup.bare or OneSpin(), name)
    return named.value_of(setup.junction, name)


def _bounds(name):
    if name in BARE_NAMES:
        return DimerParams.param[name].bounds
    return named.bounds_of(name)


def _checked_names(setup, free):
    names = list(free)
    if not names:
        raise FitError("no free parameters: name at least one (e.g. eps.1)")
    for name in names:
        if name == "V":
            raise FitError("V is the curves' axis, not a parameter to fit")
        try:
            _bounds(name)
            _value(setup, name)
        except ValueError as exc:
            raise FitError(f"{exc} (or the bare terms {', '.join(BARE_NAMES)})") from None
    return names


def _setup_at(setup, names, values):
    """``setup`` with the parameters ``names`` at ``values``: dotted names through
    :func:`dimer_core.junction.named.with_values` (checked by the junction), the bare terms through OneSpin."""
    dotted = {n: float(v) for n, v in zip(names, values) if n not in BARE_NAMES}
    bare = {n: float(v) for n, v in zip(names, values) if n in BARE_NAMES}
    try:
        junction = named.with_values(setup.junction, dotted).check() if dotted else setup.junction
    except ValueError as exc:
        raise FitError(f"the junction at {', '.join(f'{n} = {v:.6g}' for n, v in zip(names, values))} is refused: "
                       f"{exc}; narrow the bounds") from None
    return replace(setup, junction=junction, bare=replace(setup.bare or OneSpin(), **bare) if bare else setup.bare)


def fit_junction(setup, data, free, bounds=None, max_evaluations=200, progress=None, cancel=None):
    """Fit the parameters ``free`` (dotted names of the junction, or ``K_easy``/``K_hard`` of the free spin) of a
    :class:`JunctionSetup` to ``data``: {curve: (V, y, sigma or None)}.

    ``bounds``: {name: (lo, hi)} within the parameter's own bounds (default: those).  Returns the Dataset of
    :func:`dimer_core.studies.fitting.fit` with ``attrs["model"]`` the best junction and its bare terms as TOML
    (:func:`~dimer_core.junction.modelfile.dumps`), the free and pinned sites, the lead and terms.  Raises
    :class:`~dimer_core.studies.fitting.FitError` naming an unknown parameter, a bound outside the parameter's range,
    a junction the fit's values make invalid, or a parameter combination the data do not constrain.
    """
    names = _checked_names(setup, free)
    curves = checked_curves(data, names)
    lo, hi = [], []
    for name in names:
        plo, phi = _bounds(name)
        blo, bhi = (bounds or {}).get(name, (plo, phi))
        if not plo <= blo < bhi <= phi:
            raise FitError(f"bounds of {name}: {blo} .. {bhi}; allowed: {plo} <= LO < HI <= {phi}")
        lo.append(blo), hi.append(bhi)
    if "dIdV" in curves:
        setup.lead_name()
    start = [float(_value(setup, name)) for name in names]
    ds, best = least_squares_fit(names, start, lo, hi, curves, lambda v: _setup_at(setup, names, v),
                                 junction_curve, max_evaluations, progress, cancel)
    ds.attrs.update(model=dumps(best.junction, best.bare), free=list(best.free), lead=best.lead_name(),
                    terms=best.terms, pinned=str(best.pinned or {}))
    return ds
