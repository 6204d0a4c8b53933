"""The junction page (dashboard/junction_page.py, served at /junction) without a browser: built in a Bokeh
document as a server would, every map, cut and marker it holds is what dimer_core.junction computes; its ESR lines
and switching rates (dashboard/junction_runs.py) are what dimer_core.studies.junction_lines computes for the same
inputs, a refusal is a message, and a long run asks first (the browser side: tests/test_ui_junction_runs.py)."""
import io
import time

import holoviews as hv
import numpy as np
import pandas as pd
import panel as pn
import pytest
from bokeh.document import Document

from dashboard import junction_labels, junction_runs, labels
from dashboard.junction_page import CLIP_FACTOR, CLIP_PERCENTILE, colour_range, junction_app, largest
from dashboard.junction_state import GRID_MU_F, GRID_V, pair_maps
from dashboard.rates_view import rates_results, rates_table
from dashboard.views import lines_table, lines_view
from dimer_core import junction as J
from dimer_core.couplings import views
from dimer_core.junction import OneSpin
from dimer_core.junction import maps as JM
from dimer_core.studies.junction_lines import junction_modes, junction_rates

from .ui_support import wait_until


def settle(state, timeout=120.0):
    """Wait for the worker thread's maps (the test has no event loop: its update runs in the thread)."""
    deadline = time.monotonic() + timeout
    time.sleep(0.05)
    while state.busy:
        assert time.monotonic() < deadline, "the maps did not arrive"
        time.sleep(0.05)


@pytest.fixture(scope="module")
def page():
    template = junction_app()
    doc = Document()
    doc.add_root(pn.Column(*template.main.objects, *template.sidebar.objects).get_root(doc))
    settle(template.state)
    return template


def engine_views(junction, a, b):
    """The views of the pair straight from the engine's map (value(), not pair_dataset)."""
    ds = JM.maps(junction, GRID_MU_F, GRID_V, **({"sites": [a]} if a == b else {"pairs": [(a, b)]}))
    keys = views.site_keys(ds, a) if a == b else J.pair_keys(ds, a, b)
    return {k: J.value(ds, k) for k in keys}


def assert_page_shows(template, junction, a, b):
    state, plots = template.state, template.plots
    assert state.message == "" and state.data is not None
    want = engine_views(junction, a, b)
    assert list(state.data.data_vars) == list(want)
    assert plots.images and set(plots.images) == set(state.quantities)
    for key, shown in plots.images.items():
        image = shown["source"].data["image"][0]
        np.testing.assert_array_equal(image, want[key])  # rows mu_F, columns V
        size = np.nanmax(np.abs(want[key]))
        bulk = np.nanpercentile(np.abs(want[key]), CLIP_PERCENTILE)
        if size > CLIP_FACTOR * bulk:  # a narrow feature: the scale is the bulk's, and the plot says so
            size = bulk
            assert shown["clipped"] and "clipped" in " ".join(t.text for t in shown["figure"].above)
        assert shown["mapper"].high == pytest.approx(size, rel=1e-12) and shown["mapper"].low == -shown["mapper"].high
        assert shown["figure"].title.text == junction_labels.symbol(key)
    i_mu, i_v = state.cut_index()
    for key in plots.images:
        size = largest(want[key])
        np.testing.assert_array_equal(plots.cut_sources["V"].data[key], want[key][i_mu, :] / size)
        np.testing.assert_array_equal(plots.cut_sources["mu_F"].data[key], want[key][:, i_v] / size)
    assert plots.marker.data == {"V": [state.V], "mu_F": [state.mu_F]}
    assert (plots.spans["V"].location, plots.spans["mu_F"].location) == (state.V, state.mu_F)


def test_the_first_page_shows_chain3_pair_1_3(page):
    s = page.state
    assert s.preset == "chain3" and (s.site_a, s.site_b) == (1, 3)
    assert s.quantities == ["J_31", "D_31", "a_i_33", "j_i_33"]
    assert s.param.quantities.names["α⁽ⁱ⁾₃₃ (1/meV²)"] == "a_i_33"  # the chooser's symbols with units
    assert_page_shows(page, J.preset("chain3"), 1, 3)


def test_a_map_point_is_the_junction_at_that_point(page):
    """The page's map (T = 0 tables) at one grid point against the Green's functions at that point."""
    s = page.state
    i, k = 100, 40
    one = J.pair_view(J.point(J.preset("chain3").updated(mu_F=float(GRID_MU_F[i]), V=float(GRID_V[k]))), 1, 3)
    for key in ("J_31", "D_31", "a_i_33", "j_i_33", "I_L"):
        got = s.data[key].values
        assert got[i, k] == pytest.approx(one[key], rel=1e-6, abs=1e-6 * np.abs(got).max()), key


def test_the_marker_moves_without_recomputing(page, monkeypatch):
    s = page.state
    monkeypatch.setattr(JM, "maps", lambda *a, **k: pytest.fail("moving the marker recomputed a map"))
    data = s.data
    s.param.update(mu_F=1.2, V=-3.3)
    assert s.data is data and not s.busy
    monkeypatch.undo()
    i_mu, i_v = s.cut_index()
    assert abs(GRID_MU_F[i_mu] - 1.2) <= 0.5 * (GRID_MU_F[1] - GRID_MU_F[0])
    assert abs(GRID_V[i_v] + 3.3) <= 0.5 * (GRID_V[1] - GRID_V[0])
    assert_page_shows(page, J.preset("chain3"), 1, 3)
    page.plots.tap(2.0, -0.5)
    assert (s.V, s.mu_F) == (2.0, -0.5)


def test_a_preset_a_pair_and_a_site_of_its_own(page):
    s = page.state
    s.preset = "ring4"
    settle(s)
    assert s.param.site_a.objects == [1, 2, 3, 4] and (s.site_a, s.site_b) == (1, 4)
    fig = page.main.objects[1].objects[0].object  # the molecule
    assert fig.title.text.endswith("ring4")
    texts = [t for r in fig.renderers if hasattr(r.glyph, "text") for t in np.atleast_1d(r.data_source.data.get(
        r.glyph.text if isinstance(r.glyph.text, str) else "text", []))]
    assert {"1", "2", "3", "4"} <= set(texts) and any("t₀ = 1.5" in t for t in texts)
    s.site_b = 3
    settle(s)
    assert s.quantities == ["J_31", "D_31", "a_i_33", "j_i_33"]
    assert_page_shows(page, J.preset("ring4"), 1, 3)
    s.quantities = ["A_13", "K_3", "T_eff_3", "I_R"]
    assert_page_shows(page, J.preset("ring4"), 1, 3)
    s.site_b = 1
    settle(s)
    assert s.quantities == ["s_1", "K_1", "a_i_11", "j_i_11"]
    assert_page_shows(page, J.preset("ring4"), 1, 1)


def test_an_uploaded_model_and_a_bad_one(page):
    s = page.state
    model = J.preset("stm").updated(eps=(0.5, -1.0, 0.0), name="my-stm")
    upload = next(w for w in page.sidebar.objects if isinstance(w, pn.widgets.FileInput))
    upload.param.update(filename="my.toml", value=J.dumps(model).encode())
    settle(s)
    assert s.junction == J.loads(J.dumps(model)) and s.source == "my.toml" and (s.site_a, s.site_b) == (1, 3)
    assert_page_shows(page, model, 1, 3)
    before = s.data
    upload.param.update(filename="bad.toml", value=J.dumps(model).replace("te = 100.0", "te = 5.0").encode())
    assert "te" in s.message and "allowed" in s.message and "Traceback" not in s.message
    assert s.data is before and s.junction.name == "my-stm"  # the page keeps what it showed
    upload.param.update(filename="worse.toml", value=b"eps = [1")
    assert "worse.toml" in s.message and "TOML" in s.message


def test_the_same_file_chosen_again_after_a_preset_is_shown_again(page):
    """A defect: the file chooser kept the file's bytes, so choosing the same file after a preset changed nothing;
    and the selector still showed the preset of before the upload, so choosing that preset changed nothing."""
    s = page.state
    s.preset = "ring4"
    settle(s)
    model = J.preset("stm").updated(eps=(0.5, -1.0, 0.0), name="again")
    upload = next(w for w in page.sidebar.objects if isinstance(w, pn.widgets.FileInput))
    upload.param.update(filename="again.toml", value=J.dumps(model).encode())
    settle(s)
    assert s.source == "again.toml" and s.junction.name == "again" and s.preset == "model file"
    s.preset = "ring4"  # the preset shown before the file
    settle(s)
    assert s.source == "preset ring4" and s.junction == J.preset("ring4")
    upload.param.update(filename="again.toml", value=J.dumps(model).encode())
    settle(s)
    assert s.source == "again.toml" and s.junction.name == "again"
    want = engine_views(J.loads(J.dumps(model)), 1, 3)
    assert list(s.data.data_vars) == list(want)
    for key in ("J_31", "D_31", "a_i_33"):
        np.testing.assert_array_equal(s.data[key].values, want[key])
    s.preset = "chain3"
    settle(s)
    s.preset = "model file"  # the selector's entry for the last file
    settle(s)
    assert s.source == "again.toml" and s.junction.name == "again" and s.message == ""


def test_t_above_zero_with_leads_of_different_te_is_drawn_in_the_page(page):
    """Two band intervals at T > 0: the page draws the engine's T > 0 tables' maps (once refused)."""
    s = page.state
    model = J.preset("chain3")
    leads = (model.leads[0], J.Lead("R", 150.0, (3,), (10.0,), -0.5))
    s.load_text(J.dumps(model.updated(leads=leads, name="two-bands")), "two-bands.toml")
    settle(s)
    assert s.message == "" and s.data is not None  # T = 0: tables
    s.T = 10.0
    settle(s)
    assert "T > 0 tables" in s.status
    assert_page_shows(page, J.loads(s.model_text).updated(T=10.0), 1, 3)


def test_pair_maps_are_cached_by_the_model_text_t_and_pair():
    text = J.dumps(J.preset("dimer-weak-soc"))
    first = pair_maps(text, 0.0, 2, 1)
    assert pair_maps(text, 0.0, 2, 1) is first
    assert pair_maps(text, 0.0, 1, 2) is not first


@pytest.mark.parametrize("key", ["s_1", "K_2", "chi22_DM", "a_i_22", "a_DM_21", "j_an_21", "j_i_22"])
def test_junction_symbols_are_the_dimer_pages(key):
    assert junction_labels.symbol(key) == labels.symbol(key)
    assert junction_labels.unit(key) == labels.unit(key)


def test_maps_are_computed_off_the_caller_and_a_stale_result_is_dropped(monkeypatch):
    """refresh() returns at once (the event loop keeps serving); a result that arrives after a newer request
    is not shown."""
    import threading

    from dashboard import junction_state

    template = junction_app()
    s = template.state
    settle(s)
    release, real = threading.Event(), junction_state.pair_maps

    def held(text, T, a, b):
        if (a, b) == (1, 2):  # the first request waits
            assert release.wait(60)
        return real(text, T, a, b)

    monkeypatch.setattr(junction_state, "pair_maps", held)
    start = time.perf_counter()
    s.site_b = 2
    assert time.perf_counter() - start < 0.5 and s.busy
    s.site_b = 1  # a newer request, answered first
    wait_deadline = time.monotonic() + 60
    while s.data is None or s.data.attrs["pair"] != "1,1":
        assert time.monotonic() < wait_deadline
        time.sleep(0.05)
    release.set()
    time.sleep(0.5)
    assert s.data.attrs["pair"] == "1,1" and (s.site_a, s.site_b) == (1, 1) and not s.busy


def test_a_narrow_tip_resonance_does_not_set_the_colour_scale(page):
    """stm-polarised, pair 1,3: J_31 and a_i_33 peak at a narrow tip resonance (max|J_31| ≈ 44× its 99th
    percentile); the scale is set by the bulk of the map, centred at zero, and the true values stay in the image
    (the hover's)."""
    s = page.state
    s.preset = "stm-polarised"
    settle(s)
    s.param.update(site_a=1, site_b=3)
    settle(s)
    s.quantities = ["J_31", "a_i_33", "D_31"]
    for key in ("J_31", "a_i_33"):
        shown, values = page.plots.images[key], s.data[key].values
        high = shown["mapper"].high
        assert shown["mapper"].low == -high and shown["clipped"]
        top = np.nanmax(np.abs(values))
        assert high < top / 10, f"{key}: the scale {high:g} should be far below the resonance's {top:g}"
        # the bulk: most of the map lies within the scale, and a visible part of it uses the scale's upper half
        inside = np.abs(values) <= high
        assert 0.97 <= inside.mean() < 1.0
        assert (np.abs(values) > high / 2).mean() > 0.01, "the scale should fit the bulk, not be far above it"
        np.testing.assert_array_equal(shown["source"].data["image"][0], values)  # hover: the values as computed
        assert any(f"{top:.3g}" in t.text for t in shown["figure"].above)
    smooth = page.plots.images["D_31"]  # D_31 has no narrow feature: ±max, no note
    assert not smooth["clipped"] and smooth["mapper"].high == pytest.approx(largest(s.data["D_31"].values))
    assert colour_range(np.array([np.nan, 0.0])) == (1.0, False)


# ----- the junction's spins in motion: ESR lines and switching rates (dashboard/junction_runs.py) -----

def _controls(template, run):
    """The Run button and the offer of ``run`` (its name) in the page's spins section."""
    section = template.main.objects[-1]
    go = next(b for b in section.select(pn.widgets.Button) if f"run-{run}" in b.css_classes)
    offer = next(c for c in section.select(pn.Column) if f"offer-{run}" in c.css_classes)
    start = next(b for b in section.select(pn.widgets.Button) if f"offer-{run}-start" in b.css_classes)
    return go, offer, start


def test_the_runs_free_one_site_by_default_and_follow_the_model():
    template = junction_app()
    state, runs = template.state, template.runs
    settle(state)
    assert runs.free == [3] and runs.param.free.objects == [1, 2, 3] and runs.method == "fp"
    assert "Fokker–Planck" in runs.summary() and "none (K_easy = 0)" in runs.summary()
    runs.free = [1, 3]
    assert runs.method == "langevin" and "Langevin counting" in runs.summary()
    state.preset = "ring4"
    settle(state)
    assert runs.free == [4] and runs.param.free.objects == [1, 2, 3, 4]
    runs.K_easy = 2.0
    assert runs.bare() == OneSpin(K_easy=2.0) and "K_easy = 2 meV" in runs.summary()
    text = J.dumps(J.preset("chain3")) + "\n[spins]\nK_easy = 1.5\n"
    state.load_text(text, "with-spins.toml")
    settle(state)
    assert state.message == "" and runs.bare() == [OneSpin(K_easy=1.5)] * 3
    assert "the model file's" in runs.summary()


def test_the_pages_lines_and_rates_are_the_librarys_for_the_same_inputs():
    """dimer-weak-soc at T = 5 K with site 2 free and K_easy = 4 meV (bistable, as the dimer page's example), two
    biases: the runs' results, the plotted points and the CSV tables are junction_modes' and junction_rates'."""
    hv.extension("bokeh")  # as the app does
    template = junction_app()
    state, runs = template.state, template.runs
    settle(state)
    state.preset = "dimer-weak-soc"
    settle(state)
    state.param.update(T=5.0, mu_F=0.3)
    settle(state)
    runs.param.update(K_easy=4.0, V_from=2.0, V_to=3.0, biases=2)
    assert runs.free == [2]
    junction = J.preset("dimer-weak-soc").updated(T=5.0, mu_F=0.3)
    inputs = dict(free=(2,), bare=OneSpin(K_easy=4.0))

    runs.start_esr()
    wait_until(lambda: not runs.esr.running, timeout=300)
    assert runs.esr.status == "ESR lines: done", runs.esr.status
    want = junction_modes(junction, [2.0, 3.0], **inputs)
    got = runs.esr.result
    for key in ("frequency", "linewidth"):
        np.testing.assert_array_equal(got[key].values, want[key].values)
    plots = lines_view(runs.esr, "")().objects[0].objects  # (frequency, linewidth)
    frequencies = want.frequency.values[np.isfinite(want.frequency.values)]
    shown = np.concatenate([e.dimension_values(1) for e in plots[0].object if isinstance(e, hv.Scatter)])
    np.testing.assert_array_equal(np.sort(shown), np.sort(frequencies))
    table = lines_table(got)
    assert len(table) == frequencies.size and set(table["V (mV)"]) == {2.0, 3.0}
    back = pd.read_csv(io.StringIO(table.to_csv(index=False)))
    np.testing.assert_allclose(np.sort(back["f (GHz)"]), np.sort(frequencies), rtol=1e-15)

    runs.start_rates()
    wait_until(lambda: not runs.rates.running, timeout=300)
    assert runs.rates.status == "Switching rates: done", runs.rates.status
    want = junction_rates(junction, [2.0, 3.0], **inputs, unconverged="nan", compare=False)
    np.testing.assert_array_equal(runs.rates.result.rate.values, want.rate.values)
    assert np.isfinite(want.rate.values).all()  # two stable states at both biases: four rates
    table = rates_table(runs.rates.result)
    assert len(table) == 4 and set(table.state) == {"m₂ ≈ +z", "m₂ ≈ −z"}
    plot = rates_results(runs.rates, "")().objects[0]
    shown = np.concatenate([e.dimension_values(1) for e in plot.object if isinstance(e, hv.Scatter)])
    np.testing.assert_array_equal(np.sort(shown), np.sort(want.rate.values.ravel()))


def test_a_refusal_is_shown_as_text_and_a_long_run_asks_first(monkeypatch):
    """A bad V range and free sites the library refuses are messages in the page; a run estimated over LONG_RUN
    shows its estimate (pinned here: "about 40 s" for the spectrum, "up to about" for Langevin counting's bound)
    and starts only when asked."""
    template = junction_app()
    state, runs = template.state, template.runs
    settle(state)
    go, offer, start = _controls(template, "junction-rates")
    runs.param.update(V_from=3.0, V_to=1.0)
    go.clicks += 1
    wait_until(lambda: runs.message, timeout=60)
    assert runs.message == "V from = 3 mV, to = 1 mV: allowed: from < to (-100 to 100 mV)"
    assert not runs.rates.running and not go.disabled
    runs.param.update(V_to=6.0, message="", free=[])
    assert runs.summary() == "Choose at least one free site."
    go.clicks += 1
    wait_until(lambda: runs.message, timeout=60)  # the library's refusal, as text
    assert runs.message == "free = (): give distinct sites, at least one; allowed: 1 <= a <= 3", runs.message
    runs.param.update(free=[3], message="")
    asked = []

    def pinned(junction, V, free, bare, terms, method):
        asked.append((junction.name, V.size, free, method))
        return 40.0

    monkeypatch.setattr(junction_runs, "junction_rates_seconds", pinned)
    runs.message = ""
    go.clicks += 1
    wait_until(lambda: offer.visible, timeout=60)
    assert asked == [("chain3", 13, (3,), "fp")] and not runs.rates.running
    note = offer.objects[0].object
    assert "takes about 40 s" in note and start.label == "Start (about 40 s)", (note, start.label)
    state.mu_F = 1.0  # the page's μ_F moved: the estimate was for the old one
    assert not offer.visible
    go.clicks += 1
    wait_until(lambda: offer.visible, timeout=60)
    runs.free = [1, 3]  # two free sites: Langevin counting, whose estimate is its whole budget
    assert not offer.visible  # another setting: the estimate was for the old one
    go.clicks += 1
    wait_until(lambda: offer.visible, timeout=60)
    assert asked[-1] == ("chain3", 13, (1, 3), "langevin") and start.label == "Start (up to about 40 s)"
    runs.param.update(free=[3], biases=3)
    assert not offer.visible
    go.clicks += 1
    wait_until(lambda: offer.visible, timeout=60)
    start.clicks += 1
    wait_until(lambda: not runs.rates.running and runs.rates.result is not None, timeout=300)
    assert runs.rates.status == "Switching rates: done" and runs.rates.result.V.size == 3
