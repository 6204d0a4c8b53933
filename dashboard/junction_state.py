"""One session's state of the junction page: the model, T, the pair, the maps shown, and where the marker is.

Every number comes from :mod:`dimer_core.junction`: the maps are
:func:`dimer_core.electrons.junction_maps.maps` over (mu_F, V) and their named views
:func:`dimer_core.junction.pair_dataset` (docs/junction.md, "Maps" and "Named views").  They are computed
when the model, T or the pair changes, in a worker thread (a model's first map builds its tables, and at
T > 0 that takes seconds), and kept in a small cache shared by the sessions, keyed by the
model's text, T and the pair; moving mu_F or V only moves the marker and reads the cuts from the map.
"""
import threading
import time
from collections import OrderedDict

import panel as pn
import param
from panel.io.state import set_curdoc

from dimer_core.junction import PRESETS, dumps, loads, pair_dataset, preset
from dimer_core.junction import maps as junction_maps

from .junction_labels import label
from .state import MAP_MU_F, MAP_V

__all__ = ["GRID_MU_F", "GRID_V", "CACHE_SIZE", "DEFAULT_PRESET", "MODEL_FILE", "pair_maps", "default_choice",
           "JunctionState"]

GRID_MU_F, GRID_V = MAP_MU_F, MAP_V
"""The maps' grid: the dimer page's (161 × 161 points, |mu_F| ≤ 6 meV, |V| ≤ 12 mV)."""
CACHE_SIZE = 8
"""Pair maps kept (≈5 MB each), the least recently used dropped first."""
DEFAULT_PRESET = "chain3"
MODEL_FILE = "model file"
"""The preset selector's entry for the last uploaded model file: the selector shows it while a file is shown, so
that choosing any preset afterwards (the one shown before the upload too) is a change, and choosing it again
shows the file again."""

_cache, _lock = OrderedDict(), threading.Lock()


def pair_maps(text, T, a, b):
    """The views of the pair (a, b) (a = b: site a's own) of the model ``text`` at T (K) over
    GRID_MU_F × GRID_V, as :func:`dimer_core.junction.pair_dataset` gives them; cached."""
    key = (text, float(T), int(a), int(b))
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    junction = loads(text).updated(T=float(T))
    chosen = {"sites": [a]} if a == b else {"pairs": [(a, b)]}
    ds = pair_dataset(junction_maps.maps(junction, GRID_MU_F, GRID_V, **chosen), a, b)
    with _lock:
        _cache[key] = ds
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return ds


def default_choice(a, b):
    """The maps shown first for a pair: exchange, DM, damping and noise of spin b; a site's own for a = b."""
    if a == b:
        return [f"s_{a}", f"K_{a}", f"a_i_{a}{a}", f"j_i_{a}{a}"]
    return [f"J_{b}{a}", f"D_{b}{a}", f"a_i_{b}{b}", f"j_i_{b}{b}"]


class JunctionState(param.Parameterized):
    """The page's state; :attr:`data` is the shown pair's maps (None while none is computed)."""

    preset = param.Selector(objects=[*PRESETS, MODEL_FILE], default=DEFAULT_PRESET,
                            doc="a preset junction, or the last uploaded model file")
    model_text = param.String(default="", doc="the model's TOML text (a preset's or an uploaded file's)")
    source = param.String(default="", doc="where the model came from")
    junction = param.Parameter(default=None, doc="the Junction of model_text")
    T = param.Number(default=0.0, bounds=(0.0, 300.0), doc="temperature of every lead (K)")
    site_a = param.Selector(objects=[1, 2], default=1)
    site_b = param.Selector(objects=[1, 2], default=2)
    quantities = param.ListSelector(default=[], objects=[], doc="the views shown as maps")
    mu_F = param.Number(default=0.0, bounds=(GRID_MU_F[0], GRID_MU_F[-1]), doc="the marker's mu_F (meV)")
    V = param.Number(default=0.0, bounds=(GRID_V[0], GRID_V[-1]), doc="the marker's V (mV)")
    data = param.Parameter(default=None, doc="pair_dataset of the shown pair over the grid")
    busy = param.Boolean(default=False)
    status = param.String(default="")
    message = param.String(default="", doc="why the last request was refused (shown in the page)")

    def __init__(self, **params):
        super().__init__(**params)
        self._request, self._loading, self._file, self._showing = 0, False, None, threading.Lock()
        self.param.watch(lambda e: None if self._loading else self.load_preset(e.new), "preset")
        self.param.watch(lambda *_: None if self._loading else self.refresh(), ["T", "site_a", "site_b"])
        self.load_preset(self.preset)

    # ----- the model -----
    def load_preset(self, name):
        """Show the preset ``name``, or for :data:`MODEL_FILE` the last model file loaded."""
        if name != MODEL_FILE:
            self.load(dumps(preset(name)), f"preset {name}")
        elif self._file is not None:
            self.load(*self._file)
        else:
            self.message = "no model file loaded yet: upload one (a TOML model file, docs/junction.md, \"Model files\")"

    def load_text(self, text, source):
        """Load a model's TOML text (an uploaded file); a bad one leaves the page as it was and says why in
        :attr:`message`.  A good one is remembered as the selector's :data:`MODEL_FILE` entry."""
        try:
            self.load(text, source, preset=MODEL_FILE)
        except ValueError as exc:
            self.message = str(exc)
            return
        self._file = (text, source)

    def load(self, text, source, preset=None):
        """Show the model ``text`` (and set the selector to ``preset`` if given, without loading that): every
        change before the maps' worker thread starts."""
        junction = loads(text, source=source)
        junction.check()
        sites = list(range(1, junction.n_sites + 1))
        self.param.site_a.objects, self.param.site_b.objects = sites, sites
        self._loading = True
        try:
            self.param.update(model_text=text, source=source, junction=junction, site_a=1, site_b=sites[-1],
                              T=junction.T, message="", **({} if preset is None else {"preset": preset}))
        finally:
            self._loading = False
        self.refresh()

    # ----- the maps -----
    def refresh(self):
        """Show the maps of the current model, T and pair: from the cache, else computed in a worker thread."""
        self._request += 1
        request, a, b, T, text = self._request, self.site_a, self.site_b, self.T, self.model_text
        self.param.update(busy=True, status=f"computing the maps of pair {a},{b} at T = {T:g} K …", message="")
        doc = pn.state.curdoc
        start = time.perf_counter()

        def post(update):
            def latest_only():  # one at a time, and only the newest request's (a worker thread runs it when no
                with self._showing:  # event loop turns, as in tests: two could interleave their updates)
                    if request == self._request:
                        update()

            with set_curdoc(doc):
                pn.state.execute(latest_only, schedule=True)

        def work():
            try:
                ds = pair_maps(text, T, a, b)
            except Exception as exc:  # noqa: BLE001 - shown in the page; the server keeps serving
                text_ = str(exc) if isinstance(exc, ValueError) else f"the maps failed: {type(exc).__name__}: {exc}"
                post(lambda: self.param.update(data=None, busy=False, status="", message=text_))
            else:
                seconds = time.perf_counter() - start
                post(lambda: self.show(ds, f"pair {a},{b} at T = {T:g} K: {ds.attrs['method']}; {seconds:.2f} s"))

        threading.Thread(target=work, daemon=True, name="junction-maps").start()

    def show(self, ds, status):
        keys = list(ds.data_vars)
        old = list(self.param.quantities.objects)
        kept = [keys[old.index(q)] for q in self.quantities if q in old] if len(old) == len(keys) else []
        a, b = (int(x) for x in ds.attrs["pair"].split(","))
        self.param.quantities.objects = {label(k): k for k in keys}  # the chooser shows symbols with units
        self.param.update(quantities=kept or [q for q in default_choice(a, b) if q in keys], data=ds, status=status)
        self.busy = False  # after the plots have followed the new maps

    def cut_index(self):
        """Grid indices (i_mu_F, i_V) nearest the marker."""
        return int(abs(GRID_MU_F - self.mu_F).argmin()), int(abs(GRID_V - self.V).argmin())
