"""The spins of the junction page's model in motion: its ESR lines and switching rates against V, run off the
event loop (:class:`dashboard.runs.BackgroundRun`), with their estimates before they start.

Every number comes from :mod:`dimer_core.studies.junction_lines` (docs/junction.md, "Lines, rates and read-out of
a junction"): :func:`~dimer_core.studies.junction_lines.junction_modes` and
:func:`~dimer_core.studies.junction_lines.junction_rates` of the page's junction at its T and μ_F (the marker's),
for the chosen free sites, the others pinned along +z (the library's default), over a V range.  The spins' bare
terms are the model file's (``[spins]`` or site fields); a model without them (every preset) gets an easy axis
K_easy along z on every spin from the page (none by default).
"""
import numpy as np
import param

from dimer_core.junction import OneSpin, loads, loads_spins
from dimer_core.spins.junction_spins import TERMS
from dimer_core.studies.junction_lines import (junction_modes, junction_modes_seconds, junction_rates,
                                               junction_rates_seconds)

from .runs import BackgroundRun

__all__ = ["MAX_BIASES", "JunctionRuns"]

MAX_BIASES = 49
"""The most biases of a run from the page."""


class JunctionRuns(param.Parameterized):
    """The lines and rates of one junction page: what to run (free sites, V range, terms, K_easy) and the two
    runs; ``state`` is the page's :class:`dashboard.junction_state.JunctionState` (model, T, μ_F)."""

    free = param.ListSelector(default=[], objects=[], doc="the free sites; the others are pinned along +z")
    V_from = param.Number(default=0.0, bounds=(-100.0, 100.0), doc="first bias of the runs (mV)")
    V_to = param.Number(default=6.0, bounds=(-100.0, 100.0), doc="last bias of the runs (mV)")
    biases = param.Integer(default=13, bounds=(2, MAX_BIASES), doc="number of biases from V_from to V_to")
    terms = param.Selector(default="full", objects=list(TERMS), doc="full model, or the paper's terms (no self-DMI "
                           "torque, no W damping)")
    K_easy = param.Number(default=0.0, bounds=(0.0, 10.0), doc="easy axis along z of every spin (meV), for a model "
                          "without bare terms")
    message = param.String(default="", doc="why the last request was refused (shown in the page)")
    page_revision = param.Integer(default=0, doc="bumped when the page's model, T or μ_F change (the runs' inputs)")

    def __init__(self, state, **params):
        super().__init__(**params)
        self.state = state
        self.esr = BackgroundRun(name="junction-esr")
        self.rates = BackgroundRun(name="junction-rates")
        state.param.watch(lambda *_: self._model_changed(), "junction")
        state.param.watch(lambda *_: setattr(self, "page_revision", self.page_revision + 1),
                          ["model_text", "T", "mu_F"])
        self._model_changed()

    def _model_changed(self):
        """A new model: its sites to choose from, and one free (the last: the dimer's spin 2)."""
        sites = list(range(1, self.state.junction.n_sites + 1))
        self.param.free.objects = sites
        self.param.update(free=[sites[-1]], message="")

    @property
    def method(self):
        """``fp`` (the Fokker–Planck spectrum) for one free site, else ``langevin`` (counting switches)."""
        return "fp" if len(self.free) == 1 else "langevin"

    @property
    def V(self):
        """The biases of the runs (mV)."""
        if not self.V_from < self.V_to:
            raise ValueError(f"V from = {self.V_from:g} mV, to = {self.V_to:g} mV: allowed: from < to "
                             "(-100 to 100 mV)")
        return np.linspace(self.V_from, self.V_to, self.biases)

    def bare(self):
        """The spins' bare terms: the model file's, else an easy axis K_easy along z (None: no bare terms)."""
        own = loads_spins(self.state.model_text, source=self.state.source)
        if own is not None:
            return own
        return OneSpin(K_easy=self.K_easy) if self.K_easy > 0 else None

    def summary(self):
        """One line: the route of the rates and the spins' bare terms, for these settings."""
        if not self.free:
            return "Choose at least one free site."
        rates = "Fokker–Planck spectrum (one free site)" if self.method == "fp" else "Langevin counting (several " \
                                                                                    "free sites)"
        try:
            own = loads_spins(self.state.model_text, source=self.state.source) is not None
        except ValueError as exc:
            return f"The model's bare terms are refused: {exc}"
        bare = "the model file's" if own else (f"an easy axis K_easy = {self.K_easy:g} meV along z" if self.K_easy > 0
                                               else "none (K_easy = 0)")
        return f"Rates by the {rates}; the spins' bare terms: {bare}; pinned sites along +z."

    def inputs(self):
        """(junction at the page's T and μ_F, V, free sites, bare terms); a bad V range is refused here, bad free
        sites by the library (ValueError naming the problem)."""
        junction = loads(self.state.model_text, source=self.state.source).updated(T=float(self.state.T),
                                                                                  mu_F=float(self.state.mu_F))
        return junction, self.V, tuple(self.free), self.bare()

    def start_esr(self):
        """:func:`~dimer_core.studies.junction_lines.junction_modes` in a worker thread of ``self.esr``."""
        junction, V, free, bare = self.inputs()
        terms = self.terms
        self.esr.start(lambda progress, cancel: junction_modes(junction, V, free, bare=bare, terms=terms,
                                                               progress=progress, cancel=cancel), "ESR lines")

    def esr_seconds(self, realizations=None):
        """About how long :meth:`start_esr` takes (s; ``realizations`` is ignored: the lines have no noise)."""
        junction, V, free, bare = self.inputs()
        return junction_modes_seconds(junction, V, free, bare=bare, terms=self.terms)

    def start_rates(self):
        """:func:`~dimer_core.studies.junction_lines.junction_rates` by :attr:`method` in a worker thread of
        ``self.rates`` (a spectrum that does not converge leaves its bias without a rate and says why)."""
        junction, V, free, bare = self.inputs()
        terms, method = self.terms, self.method
        self.rates.start(lambda progress, cancel: junction_rates(
            junction, V, free, bare=bare, terms=terms, method=method, unconverged="nan", compare=False,
            progress=progress, cancel=cancel), "Switching rates")

    def rates_seconds(self, realizations=None):
        """How long :meth:`start_rates` takes (s): about (the spectrum), at most (Langevin counting)
        (:func:`~dimer_core.studies.junction_lines.junction_rates_seconds`; ``realizations`` is ignored)."""
        junction, V, free, bare = self.inputs()
        return junction_rates_seconds(junction, V, free, bare=bare, terms=self.terms, method=self.method)
