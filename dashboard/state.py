"""One browser session's state: the parameters, cached results and the last message."""
import threading
from collections import OrderedDict

import numpy as np
import param

from dimer_core import PRESETS, QUANTITIES, DimerParams, maps, preset
from dimer_core.params import VECTORS, check_value
from dimer_core.studies.sweeps import (current_sweep, dimer_sweep, estimate_seconds, fp_sweep, langevin_sweep,
                                      modes_seconds, modes_sweep, rates_seconds, rates_sweep, reversal_path,
                                      spectral_rates_sweep, telegraph)

from .runs import BackgroundRun

WINDOWS = {"mu_F": (6.0, 12.5, 25.0, 50.0), "V": (12.0, 25.0, 50.0, 100.0)}
"""Half-widths of the maps' mu_F (meV) and V (mV) axes: the maps show the smallest that holds the current point,
so a point moved beyond ±6 meV or ±12 mV (the sliders reach ±50 and ±100) stays on the maps."""
MAP_POINTS = 161
MAP_MU_F = np.linspace(-WINDOWS["mu_F"][0], WINDOWS["mu_F"][0], MAP_POINTS)
MAP_V = np.linspace(-WINDOWS["V"][0], WINDOWS["V"][0], MAP_POINTS)
"""The maps' grid around zero bias, where the page opens."""
SWEEP_V = np.linspace(-6.0, 6.0, 97)
RUN_V = np.linspace(-6.0, 6.0, 25)
RATES_V = np.linspace(0.0, 6.0, 13)
"""The biases (mV) of the switching-rates tab."""
TRACE_PS = 2000.0
"""Length (ps) of the telegraph trace at the current V."""
RATES_METHODS = {"fp": "one free spin, Fokker–Planck spectrum", "langevin": "both spins free, Langevin counting"}
"""The routes of the switching-rates tab (:meth:`Dashboard.start_rates`)."""
DEFAULT_MAPS = ["J_2", "D_2", "a_i_22", "j_i_22", "A_2", "K_2", "a_an_22", "j_an_22"]
LIVE = ("mu_F", "V")
"""Parameters whose change costs no energy integral (maps are re-read, not recomputed)."""


class SharedResults:
    """Results for a parameter set, shared by every session of this server process, the most recent ``size`` kept.

    Every new page at the same parameters (the default page, a tour view, a shared link) showed maps, Fokker–Planck
    curves and current that another session had just computed (≈25 ms of a page's server CPU).  The values are
    xarray Datasets and dicts that no session modifies: the page's models are given new arrays, never written
    into these.
    """

    def __init__(self, size):
        self.size, self._items, self._lock = size, OrderedDict(), threading.Lock()

    def get(self, key, build):
        """The value under ``key``, built (outside the lock) if missing."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = build()
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value

    def clear(self):
        with self._lock:
            self._items.clear()


SHARED = SharedResults(8)
"""The results of :class:`Dashboard` sessions (a full set of maps is ≈5 MB)."""


class Dashboard(param.Parameterized):
    """The state of one browser session."""

    preset = param.Selector(default="weak-soc", objects=list(PRESETS), doc="Parameter set of the paper")
    symmetric = param.Boolean(default=True, doc="Keep tR equal to tL (symmetric leads)")
    quantities = param.ListSelector(default=DEFAULT_MAPS, objects=list(QUANTITIES), doc="Maps to show")
    guides = param.Boolean(default=True, doc="Show the lines |mu_L|, |mu_R| = resonance energies")
    message = param.String(default="", doc="Last error, shown in the page")
    revision = param.Integer(default=0, doc="Bumped when any physics parameter changes")
    map_revision = param.Integer(default=0, doc="Bumped when the maps change (not for mu_F or V)")
    curve_revision = param.Integer(default=0, doc="Bumped when curves against V change (not for V)")
    realizations = param.Integer(default=16, bounds=(2, 256), doc="Langevin trajectories per bias")
    terms = param.Selector(default="full", objects=["full", "paper"],
                           doc="full model, or the paper's terms (no self-DMI torque, no W damping)")
    seed = param.Integer(default=0, bounds=(0, 2 ** 31 - 1), doc="Random seed of Langevin runs")
    trajectory = param.Parameter(default=None, doc="The last reversal path (xarray.Dataset)")
    path_noise = param.Boolean(default=False, doc="Integrate the reversal path with the thermal noise")
    esr_spins = param.Selector(default="pinned", objects=["pinned", "both"],
                               doc="ESR lines of spin 2 with m_1 pinned, or of both spins free")
    rates_method = param.Selector(default="fp", objects=list(RATES_METHODS), doc="Route of the switching rates "
                                  "(RATES_METHODS)")
    window = param.NumericTuple(default=(WINDOWS["mu_F"][0], WINDOWS["V"][0]), length=2,
                                doc="Half-widths of the maps' mu_F (meV) and V (mV) axes (see WINDOWS)")

    def __init__(self, **params):
        super().__init__(**params)
        self.p = preset(self.preset)
        self.p.param.watch(self._physics_changed, [k for k in self.p.param if k != "name"])
        self.langevin = BackgroundRun(name="langevin")
        self.dimer = BackgroundRun(name="dimer")
        self.path = BackgroundRun(name="trajectory")
        self.esr = BackgroundRun(name="esr")
        self.rates = BackgroundRun(name="rates")
        self.telegraph = BackgroundRun(name="telegraph")
        self.path.param.watch(lambda e: setattr(self, "trajectory", e.new), "result")
        self._maps = None
        self._cache = {}
        self.window = self._window()

    @param.depends("preset", watch=True)
    def _apply_preset(self):
        try:
            self.p.param.update(**PRESETS[self.preset])
        except ValueError as exc:
            self.message = str(exc)

    def _physics_changed(self, *events):
        names = {e.name for e in events}
        if self.symmetric and "tL" in names and self.p.tR != self.p.tL:
            self.p.tR = self.p.tL
            return
        window = self._window()
        if names - set(LIVE) or window != self.window:
            self.window = window
            self._maps = None
            self.map_revision += 1
        if names - {"V"}:
            self.curve_revision += 1
        self.revision += 1

    def set_value(self, name, value):
        """Set a parameter from the page; a bad value becomes a message, not an exception.

        Numbers are rounded to 10 decimals: a slider step gives e.g. 0.20000000000000284 mV.
        """
        if isinstance(value, float):
            value = round(value, 10)
        try:
            check_value(name, value)
            old = getattr(self.p, name)
            setattr(self.p, name, value)
            try:
                self.p.check()
            except ValueError:
                setattr(self.p, name, old)  # keep the session on an admissible state
                raise
            self.message = ""
        except ValueError as exc:
            self.message = str(exc)

    def _window(self):
        """The smallest of WINDOWS that holds the current (mu_F, V)."""
        return tuple(next((w for w in WINDOWS[k] if abs(getattr(self.p, k)) <= w), WINDOWS[k][-1])
                     for k in ("mu_F", "V"))

    @property
    def map_mu_F(self):
        """The maps' mu_F grid (meV): MAP_POINTS over ±window[0]."""
        return np.linspace(-self.window[0], self.window[0], MAP_POINTS)

    @property
    def map_V(self):
        """The maps' V grid (mV): MAP_POINTS over ±window[1]."""
        return np.linspace(-self.window[1], self.window[1], MAP_POINTS)

    def dataset(self):
        """The current maps over map_mu_F × map_V (recomputed only when needed; shared between sessions)."""
        if self._maps is None:
            self._maps = self.shared("maps", lambda: maps(self.p, self.map_mu_F, self.map_V))
        return self._maps

    def shared(self, name, build):
        """``build()`` for the current parameters and maps' window, or the result another session (or this one)
        already has (:data:`SHARED`); the parameters are checked before building."""
        def checked():
            self.p.check()
            return build()
        return SHARED.get((name, self._key(True), self.window), checked)

    def _cached(self, name, depends_on_v, build):
        key = (name, self._key(depends_on_v))
        if key not in self._cache:
            if len(self._cache) > 16:
                self._cache.clear()

            def checked():
                self.p.check()
                return build()
            self._cache[key] = SHARED.get(key, checked)
        return self._cache[key]

    def _key(self, with_v):
        values = self.p.values()
        return tuple((k, tuple(v) if k in VECTORS else v) for k, v in values.items() if with_v or k != "V")

    def sweep(self):
        """Fokker–Planck Omega(V) and the interaction comparison at the current mu_F."""
        return self._cached("fp", False, lambda: fp_sweep(self.p.updated(V=0.0), SWEEP_V))

    def current(self):
        """I(V) and dI/dV at the current mu_F."""
        return self._cached("current", False, lambda: current_sweep(self.p.updated(V=0.0), SWEEP_V))

    def cut_V(self):
        return maps(self.p, [self.p.mu_F], self.map_V)

    def cut_mu(self):
        return maps(self.p, self.map_mu_F, [self.p.V])

    def _start(self, run, sweep, label):
        """Start ``sweep`` over RUN_V at the current mu_F in a worker thread of ``run``."""
        self.p.check()
        p, n, seed, terms = self.p.updated(V=0.0), self.realizations, self.seed, self.terms
        run.start(lambda progress, cancel: sweep(p, RUN_V, n_realizations=n, seed=seed, terms=terms,
                                                 progress=progress, cancel=cancel), label)

    def _seconds(self, sweep, realizations=None):
        """Estimated seconds of ``sweep`` over RUN_V as :meth:`_start` would run it (``realizations`` if given)."""
        self.p.check()
        return estimate_seconds(sweep, self.p.updated(V=0.0), RUN_V, terms=self.terms,
                                n_realizations=self.realizations if realizations is None else realizations)

    def start_langevin(self):
        self._start(self.langevin, langevin_sweep, "Langevin")

    def langevin_seconds(self, realizations=None):
        """Estimated seconds of :meth:`start_langevin`'s run (with ``realizations`` trajectories if given)."""
        return self._seconds(langevin_sweep, realizations)

    def start_dimer(self):
        self._start(self.dimer, dimer_sweep, "Both spins free")

    def dimer_seconds(self, realizations=None):
        """Estimated seconds of :meth:`start_dimer`'s run (with ``realizations`` trajectories if given)."""
        return self._seconds(dimer_sweep, realizations)

    def start_path(self):
        """Integrate the reversal path at the current V in a worker thread of ``self.path``; the result
        becomes ``trajectory``."""
        self.p.check()
        p, seed, noise = self.p.updated(), self.seed, self.path_noise
        self.path.start(lambda progress, cancel: reversal_path(p, seed=seed, noise=noise, progress=progress,
                                                               cancel=cancel), "Reversal path")

    def start_esr(self):
        """The ESR lines (linear modes of each stationary state, :func:`dimer_core.studies.sweeps.modes_sweep`) over RUN_V
        at the current mu_F, in a worker thread of ``self.esr`` (per-bias progress, Stop between biases)."""
        self.p.check()
        p, spins, terms = self.p.updated(V=0.0), self.esr_spins, self.terms
        self.esr.start(lambda progress, cancel: modes_sweep(p, RUN_V, spins=spins, terms=terms, progress=progress,
                                                            cancel=cancel), "ESR lines")

    def esr_seconds(self, realizations=None):
        """About how long :meth:`start_esr` takes (s): :func:`~dimer_core.studies.sweeps.modes_sweep` at one bias of
        RUN_V, timed and scaled (:func:`~dimer_core.studies.sweeps.modes_seconds`; ``realizations`` is ignored: the
        lines have no noise)."""
        self.p.check()
        return modes_seconds(self.p.updated(V=0.0), RUN_V, spins=self.esr_spins, terms=self.terms)

    def start_rates(self):
        """Switching rates over RATES_V at the current mu_F in a worker thread of ``self.rates``: spin 2 with m_1
        pinned from its Fokker–Planck spectrum (:func:`~dimer_core.studies.sweeps.spectral_rates_sweep`), or both
        spins free by Langevin counting (:func:`~dimer_core.studies.sweeps.rates_sweep`), as ``rates_method``."""
        self.p.check()
        p, terms, seed, method = self.p.updated(V=0.0), self.terms, self.seed, self.rates_method
        if method == "fp":
            def work(progress, cancel):
                return spectral_rates_sweep(p, RATES_V, terms=terms, progress=progress, cancel=cancel,
                                            unconverged="nan", compare=False)
        else:
            def work(progress, cancel):
                return rates_sweep(p, RATES_V, spins="both", terms=terms, seed=seed, progress=progress, cancel=cancel)
        self.rates.start(work, "Switching rates")

    def rates_seconds(self, realizations=None):
        """At most how long :meth:`start_rates` takes (s): 0 for the spectrum (it starts at once: ≈3 s a bias with
        progress and Stop, README "Switching rates"), else
        :func:`~dimer_core.studies.sweeps.rates_seconds` (``realizations`` is ignored: the run length is chosen
        from a pilot run)."""
        if self.rates_method == "fp":
            return 0.0
        self.p.check()
        return rates_seconds(self.p.updated(V=0.0), RATES_V, spins="both", terms=self.terms)

    def start_telegraph(self):
        """The basin against time over TRACE_PS at the current V (:func:`~dimer_core.studies.sweeps.telegraph`), for
        the spins of ``rates_method``, in a worker thread of ``self.telegraph``."""
        self.p.check()
        p, terms, seed = self.p.updated(), self.terms, self.seed
        spins = "pinned" if self.rates_method == "fp" else "both"
        self.telegraph.start(lambda progress, cancel: telegraph(p, p.V, TRACE_PS, spins=spins, terms=terms,
                                                                seed=seed), "Telegraph trace")

    def on_tap(self, x=None, y=None):
        """Clicking a map moves (V, mu_F) there (clamped to the bounds)."""
        if x is None or y is None:
            return
        v = float(np.clip(x, *DimerParams.param["V"].bounds))
        mu = float(np.clip(y, *DimerParams.param["mu_F"].bounds))
        self.p.param.update(V=round(v, 3), mu_F=round(mu, 3))
