"""Keeping one session's plots in step with its state by writing into their Bokeh models.

The figures are built once (:mod:`dashboard.plots`); each element that shows data
registers its Bokeh models with :class:`Live` under a role ``(kind, plot, name)``.
On every change of the state, :meth:`Live.refresh` writes into each element whose
data no longer match the state (a key per element), computing each quantity once,
inside one held document update (one websocket message).  Moving mu_F or V moves
the markers and lines and recomputes only the cut and curves that depend on it; no
figure is rebuilt.  A failed computation leaves an empty plot and a message in the
page.  The numbers all come from :mod:`dimer_core` through the session's
:class:`~dashboard.state.Dashboard`.
"""
import numpy as np
import panel as pn
import param

from dimer_core.couplings.dimer import guide_levels

from .labels import decade, scaled_label
from .state import MAP_MU_F, MAP_V, RUN_V, SWEEP_V

INTERACTIONS = ("E_J", "E_D", "E_A", "E_K", "E_DMself", "kT_eff")
"""The energies of the interaction comparison (Fig. 4, bottom), keys of :func:`dimer_core.studies.sweeps.fp_sweep`."""
FITTED = ("inter", "I", "dIdV")
"""Plots whose y range follows their curves (the maps, the cuts and Omega have fixed ranges)."""
UNBOUNDED = ("kT_eff",)
"""Curves the range follows only up to twice the others' extent: k_B·T_eff diverges where the damping a_i_22
changes sign, and would otherwise squeeze the interactions it is compared with into a flat line."""


def safe(dash, build, empty, clear=True):
    """``build()``, or ``empty`` with the error shown in the page (a success clears an old error if ``clear``)."""
    try:
        out = build()
        if clear and dash.message.startswith("computation failed"):
            dash.message = ""
        return out
    except ValueError as exc:
        dash.message = f"computation failed: {exc}"
    except Exception as exc:  # keep serving: show the error in the page
        dash.message = f"computation failed ({type(exc).__name__}): {exc}"
    return empty


def scale(values):
    """The largest |value| (non-finite ignored), or 1 when there is none: a map's colour limit."""
    m = float(np.nanmax(np.abs(values))) if np.size(values) else 0.0
    return m if m > 0 else 1.0


def fit_range(y_range, arrays, pad=0.1):
    """Fit a Bokeh range to ``arrays`` (non-finite values ignored): their extent with ``pad`` of it each side.

    The range is kept while the data stay inside it and fill at least half of it: a new range re-lays out
    the plot's axes in the browser, which a slider step should not pay for at every small change.
    """
    data = np.concatenate([np.ravel(np.asarray(a, dtype=float)) for a in arrays]) if arrays else np.array([])
    data = data[np.isfinite(data)]
    if data.size == 0:
        return
    lo, hi = float(data.min()), float(data.max())
    span = hi - lo if hi > lo else max(abs(hi), 1.0)
    start, end = y_range.start, y_range.end
    if isinstance(start, (int, float)) and isinstance(end, (int, float)) and start <= lo and hi <= end \
            and hi - lo >= 0.5 * (end - start):
        return
    y_range.update(start=lo - pad * span, end=hi + pad * span)


class Live(param.Parameterized):
    """The Bokeh models of one session's plots, kept in step with its :class:`~dashboard.state.Dashboard`.

    Roles ``(kind, plot, name)``; kind is image, guides, marker, span, curve or points.
    Handles (a dict of Bokeh models) always include ``plot``, the model whose
    ``document`` tells whether the element is in the page, and, by kind: ``source``
    (image, guides, marker, curve, points), ``color_mapper`` and ``colorbar`` (image), ``glyph``
    (a ``Span`` for span; the ``Line`` for curve), ``x_range`` and ``y_range`` (image, curve: they
    follow the maps' window, or the curves of FITTED plots).
    """

    langevin = param.Parameter(default=None, doc="The Langevin result drawn over Omega: the last run, "
                                                 "if it was at the current mu_F, else None")

    def __init__(self, dash, **params):
        super().__init__(**params)
        self.dash = dash
        self._handles = {}  # role -> the Bokeh models of that element
        self._shown = {}    # role -> state key of the data it shows
        self._memo = {}     # what -> (state key, value): each quantity computed once per state
        dash.param.watch(self._changed, ["revision", "guides"])
        dash.langevin.param.watch(self._changed, "result")

    # ----- registration -----

    def register(self, role, **handles):
        """Record the models of an element and bring them up to date at once."""
        self._handles[role] = handles
        self._shown.pop(role, None)
        self._sync(role)

    def fit(self, plot):
        """Fit the y range of a FITTED plot to its current curves (after its curves are registered)."""
        curves = {role[2]: h for role, h in self._handles.items()
                  if role[0] == "curve" and role[1] == plot and self._current(role)}
        if not curves:
            return
        bounded = [h["source"].data[h["glyph"].y] for name, h in curves.items() if name not in UNBOUNDED]
        extent = np.nanmax(np.abs(np.concatenate(bounded)), initial=0.0) if bounded else 0.0
        limit = 2 * extent if extent > 0 else np.inf
        unbounded = [np.clip(h["source"].data[h["glyph"].y], -limit, limit)
                     for name, h in curves.items() if name in UNBOUNDED]
        fit_range(next(iter(curves.values()))["y_range"], bounded + unbounded)

    # ----- updates -----

    def _changed(self, *events):
        with pn.io.hold():
            self.refresh()

    def refresh(self):
        """Write the current state into every plot element now in the page that shows something else."""
        if self.dash.message.startswith("computation failed"):
            self.dash.message = ""  # set again below if a computation still fails
        result = self.dash.langevin.result
        self.langevin = result if result is not None and \
            float(result.attrs.get("param_mu_F", np.nan)) == self.dash.p.mu_F else None
        touched, columns = set(), {}
        for role, handles in list(self._handles.items()):
            if handles["plot"].document is not None and self._current(role) and self._sync(role, columns):
                touched.add(role[1])
        for source, new in columns.values():
            source.data.update(new)  # the curves of a figure share a source: one write (one redraw) each
        for plot in touched & set(FITTED):
            self.fit(plot)

    def _current(self, role):
        """False for the cut of a quantity no longer shown."""
        kind, plot, name = role
        return kind != "curve" or plot not in ("cutV", "cutmu") or name in self.dash.quantities

    def _sync(self, role, columns=None):
        """Write one element if its data are stale; True if it was written.

        A curve's new column goes into ``columns`` (id of its source → (source, {column: data})) if given.
        """
        kind, plot, name = role
        key, value = self._target(kind, plot, name)
        if self._shown.get(role) == key:
            return False
        h = self._handles[role]
        data = value()
        if kind == "image":
            z, lim = data
            h["source"].data.update(image=[z], **self.image_frame())
            h["color_mapper"].update(low=-lim, high=lim)
            n = decade(lim)  # the colour bar shows value / 10ⁿ and says so in its label
            h["colorbar"].title = scaled_label(plot, n)
            h["colorbar"].formatter.args = {"scale": 10.0 ** n}
            self.follow_window(h, "V", "mu_F")
        elif kind == "guides":
            h["source"].data.update(xs=[line[:, 0] for line in data], ys=[line[:, 1] for line in data])
        elif kind == "marker":
            h["source"].data.update(V=[data[0]], mu_F=[data[1]])
        elif kind == "span":
            h["glyph"].location = data
        elif kind == "points":
            h["source"].data = data
        else:
            new = {h["glyph"].y: data}
            if plot in ("cutV", "cutmu"):  # against the maps' window, which follows the point
                axis = "V" if plot == "cutV" else "mu_F"
                new[h["glyph"].x] = self.axis(axis)
                self.follow_window(h, axis)
            if columns is not None:
                columns.setdefault(id(h["source"]), (h["source"], {}))[1].update(new)
            else:
                h["source"].data.update(new)
        self._shown[role] = key
        return True

    def axis(self, name):
        """The maps' grid along ``name`` ("V" or "mu_F"): the window that holds the current point."""
        return self.dash.map_V if name == "V" else self.dash.map_mu_F

    def image_frame(self):
        """Where a map's image sits (x, y, dw, dh of its glyph): pixels centred on the grid points."""
        v, mu = self.axis("V"), self.axis("mu_F")
        dv, dmu = v[1] - v[0], mu[1] - mu[0]
        return dict(x=[v[0] - dv / 2], y=[mu[0] - dmu / 2], dw=[v[-1] - v[0] + dv], dh=[mu[-1] - mu[0] + dmu])

    def follow_window(self, handles, x, y=None):
        """Set a plot's x (and y) range to the maps' window along the axes named ``x`` (and ``y``)."""
        for axis, name in (("x_range", x), ("y_range", y)):
            if name is not None:
                grid = self.axis(name)
                handles[axis].update(start=grid[0], end=grid[-1])

    def _target(self, kind, plot, name):
        """(state key, function returning the data) of one element."""
        dash, p = self.dash, self.dash.p
        if kind == "marker":
            return (p.V, p.mu_F), lambda: (p.V, p.mu_F)
        if kind == "span":
            at = p.mu_F if plot == "cutmu" else p.V
            return at, lambda: at
        if kind == "image":
            return dash.map_revision, lambda: self.map_image(plot)
        if kind == "guides":
            return (dash.map_revision, dash.guides), self.guide_lines
        if kind == "points":
            return id(self.langevin), lambda: self.points(name)
        if plot in ("cutV", "cutmu"):
            key = (dash.map_revision, p.mu_F if plot == "cutV" else p.V)
            return key, lambda: self.cut(plot)[name]
        if plot in ("I", "dIdV"):
            return dash.curve_revision, lambda: self.current()[name]
        return dash.curve_revision, lambda: self.sweep()[name]

    def _memoised(self, what, key, compute):
        if self._memo.get(what, (None,))[0] != key:
            self._memo[what] = (key, compute())
        return self._memo[what][1]

    # ----- what the plots show (read from the state; the physics is in dimer_core) -----

    def map_image(self, key):
        """The map of ``key`` (rows mu_F, columns V) and its colour limit (zeros on failure)."""
        z = safe(self.dash, lambda: self.dash.dataset()[key].values, None, False)
        return (z, scale(z)) if z is not None else (np.zeros((MAP_MU_F.size, MAP_V.size)), 1.0)

    def guide_lines(self):
        """The lines |mu_L|, |mu_R| = resonance energies on the map grid, as (n, 2) arrays (V, mu_F)."""
        dash = self.dash

        def build():
            lines = []
            v, window = self.axis("V"), self.axis("mu_F")
            for level in (guide_levels(dash.p) if dash.guides else []):
                for sign in (-1.0, 1.0):
                    mu = level + sign * v / 2
                    inside = (mu >= window[0]) & (mu <= window[-1])
                    lines.append(np.column_stack([v[inside], mu[inside]]))
            return lines
        return self._memoised("guides", (dash.map_revision, dash.guides), lambda: safe(dash, build, [], False))

    def cut(self, plot):
        """The shown quantities against V at mu_F ("cutV") or against mu_F at V ("cutmu"), each scaled to its map."""
        dash, p = self.dash, self.dash.p
        along_v = plot == "cutV"
        quantities = tuple(dash.quantities)

        def build():
            scales = self._memoised("scales", dash.map_revision, lambda: dash.shared(
                "scales", lambda: {k: scale(v.values) for k, v in dash.dataset().data_vars.items()}))
            ds = dash.cut_V() if along_v else dash.cut_mu()
            return {k: (ds[k].values[0] if along_v else ds[k].values[:, 0]) / scales[k] for k in quantities}
        key = (dash.map_revision, p.mu_F if along_v else p.V, quantities)
        n = MAP_V.size if along_v else MAP_MU_F.size
        empty = {k: np.full(n, np.nan) for k in quantities}
        return self._memoised(plot, key, lambda: safe(dash, build, empty, False))

    def sweep(self):
        """Fokker–Planck Omega and the interaction energies against SWEEP_V at mu_F (NaN on failure)."""
        names = [f"Omega_{x}" for x in "xyz"] + list(INTERACTIONS)
        return self._memoised("sweep", self.dash.curve_revision, lambda: safe(
            self.dash, lambda: {k: self.dash.sweep()[k].values for k in names},
            {k: np.full(SWEEP_V.size, np.nan) for k in names}, False))

    def current(self):
        """I and dI/dV against SWEEP_V at mu_F (NaN on failure)."""
        return self._memoised("current", self.dash.curve_revision, lambda: safe(
            self.dash, lambda: {k: self.dash.current()[k].values for k in ("I", "dIdV")},
            {k: np.full(SWEEP_V.size, np.nan) for k in ("I", "dIdV")}, False))

    def points(self, component):
        """Langevin Omega_<component> ± its standard error at RUN_V, if a run at this mu_F is shown (else none)."""
        result = self.langevin
        if result is None:
            return {"x": [], "y": [], "lower": [], "upper": []}
        y, err = result[f"Omega_{component}"].values, result[f"Omega_{component}_err"].values
        return {"x": RUN_V, "y": y, "lower": y - err, "upper": y + err}

    def on_tap(self, x=None, y=None):
        """Clicking a map moves (V, mu_F) there, in one update of the page."""
        with pn.io.hold():
            self.dash.on_tap(x, y)
