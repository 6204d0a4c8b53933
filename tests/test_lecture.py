"""The lecture edition (issue 15): one standalone HTML page per preset, moved by sliders in the browser.

The arrays are read back from the page's embedded Bokeh document (the JSON BokehJS loads) and compared
with an independent call of :func:`dimer_core.maps` and :func:`~dimer_core.studies.sweeps.fp_sweep`;
the browser test opens the file from disk (file://, no server), moves the V slider with the keyboard
and reads the marker and the cuts back from ``Bokeh.documents``.
"""
import base64
import gzip
import json
import os
import re

import numpy as np
import pytest

import dimer_core as dc
from dimer_core import cli
from dimer_core.lecture import (COLOUR_PERCENTILE, GRID_MU_F, GRID_V, LECTURE_QUANTITIES, OMEGA_MU_F, lecture_data,
                                lecture_html)
from dimer_core.studies.sweeps import fp_sweep

from .ui_support import (ARTIFACTS, browser_context_args, browser_type_launch_args, wait_until,  # noqa: F401
                         watch_console)

SMALL_MU_F = np.linspace(-3.0, 3.0, 25)
SMALL_V = np.linspace(-6.0, 6.0, 31)
SMALL_OMEGA_MU_F = np.linspace(-2.0, 2.0, 3)


def embedded_models(html):
    """Every model of the page's Bokeh document: name → attributes (from the application/json script)."""
    blocks = re.findall(r'<script type="application/json" id="[^"]+">\s*(.*?)\s*</script>', html, re.S)
    assert len(blocks) == 1, "expected one embedded Bokeh document"
    docs = json.loads(blocks[0])
    found = {}

    def walk(node):
        if isinstance(node, dict):
            attrs = node.get("attributes")
            if node.get("type") == "object" and isinstance(attrs, dict) and isinstance(attrs.get("name"), str):
                found[attrs["name"]] = attrs
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(docs)
    return found


def decoded(value):
    """A Bokeh-serialised ndarray (base64 bytes, maybe gzipped, dtype, shape) as numpy; plain lists as float arrays."""
    if isinstance(value, dict) and value.get("type") == "ndarray":
        raw = value["array"]
        data = base64.b64decode(raw["data"]) if isinstance(raw, dict) else None
        if data is not None and data[:2] == b"\x1f\x8b":  # Bokeh gzips large buffers
            data = gzip.decompress(data)
        arr = np.frombuffer(data, dtype=value["dtype"]) if data is not None else np.asarray(raw, dtype=float)
        return arr.reshape(value["shape"])
    return np.asarray(value, dtype=float)


def column(attrs, name):
    """Column ``name`` of an embedded ColumnDataSource."""
    data = attrs["data"]
    entries = dict(data["entries"]) if isinstance(data, dict) and "entries" in data else data
    return entries[name]


@pytest.fixture(scope="module")
def small_page():
    """Built with Panel imported (as in a notebook or after the dashboard's tests): Bokeh's own bundling then
    added Panel's extension as a <script src> that a file opened from disk cannot load."""
    import panel  # noqa: F401
    import dashboard.app  # noqa: F401  (registers every Panel model the dashboard uses)

    p = dc.preset("weak-soc")
    return p, lecture_html(p, SMALL_MU_F, SMALL_V, SMALL_OMEGA_MU_F, label="weak-soc")


@pytest.fixture(scope="module")
def default_page(tmp_path_factory):
    """The page as the CLI writes it, on the default grid, and the file."""
    path = tmp_path_factory.mktemp("lecture") / "lecture.html"
    assert cli.main(["lecture", "--preset", "weak-soc", "--out", str(path)]) == 0
    return path, path.read_text(encoding="utf-8")


def test_embedded_maps_equal_dimer_core_maps(small_page):
    p, html = small_page
    models = embedded_models(html)
    reference = dc.maps(p, SMALL_MU_F, SMALL_V)
    for key in LECTURE_QUANTITIES:
        image = decoded(column(models[f"map_{key}"], "image")[0])
        assert image.shape == (SMALL_MU_F.size, SMALL_V.size)
        want = reference[key].values
        assert np.array_equal(np.isnan(image), np.isnan(want)), key
        finite = np.isfinite(want)
        np.testing.assert_allclose(image[finite], want[finite], rtol=2e-7, atol=0, err_msg=key)
        assert np.abs(want[finite]).max() > 0, f"{key}: an all-zero map would test nothing"


def test_colour_scales_are_centred_at_zero_and_clip_at_their_percentile(small_page):
    p, html = small_page
    models = embedded_models(html)
    for key in LECTURE_QUANTITIES:
        mapper = models[f"colours_{key}"]
        values = np.abs(decoded(column(models[f"map_{key}"], "image")[0]).astype(float))
        want = np.percentile(values[np.isfinite(values)], COLOUR_PERCENTILE.get(key, 99.0))
        assert mapper["low"] == pytest.approx(-mapper["high"]) and mapper["high"] == pytest.approx(want, rel=1e-6)


def test_embedded_omega_equals_fp_sweep_at_each_coarse_mu_F(small_page):
    p, html = small_page
    models = embedded_models(html)
    for k in ("Omega_x", "Omega_y", "Omega_z"):
        flat = decoded(column(models["omega_all"], k)).reshape(SMALL_OMEGA_MU_F.size, SMALL_V.size)
        for i, mu in enumerate(SMALL_OMEGA_MU_F):
            want = fp_sweep(p.updated(mu_F=float(mu)), SMALL_V)[k].values
            np.testing.assert_allclose(flat[i], want, rtol=1e-6, atol=1e-7, err_msg=f"{k} at mu_F = {mu}")
    first = decoded(column(models["omega_all"], "Omega_z")).reshape(SMALL_OMEGA_MU_F.size, SMALL_V.size)
    assert np.ptp(first) > 0.1, "Omega_z does not move over the grid: nothing to show"


def test_the_cuts_start_at_the_marker(small_page):
    p, html = small_page
    models = embedded_models(html)
    i_mu, i_v = int(abs(SMALL_MU_F - p.mu_F).argmin()), int(abs(SMALL_V - p.V).argmin())
    marker = models["marker"]
    assert decoded(column(marker, "V"))[0] == pytest.approx(SMALL_V[i_v])
    assert decoded(column(marker, "mu_F"))[0] == pytest.approx(SMALL_MU_F[i_mu])
    image = decoded(column(models["map_J_2"], "image")[0])
    np.testing.assert_array_equal(decoded(column(models["cut_V"], "y")), image[i_mu, :])
    np.testing.assert_array_equal(decoded(column(models["cut_mu"], "y")), image[:, i_v])


def test_page_is_offline_and_stamped(small_page):
    p, html = small_page
    assert not re.search(r"""<(script|link)\b[^>]*\b(src|href)\s*=\s*["']?(https?:)?//""", html, re.I), \
        "the page loads something from the network"
    assert not re.search(r"<script\b[^>]*\bsrc\s*=", html, re.I), "a script is loaded, not inlined"
    scripts = re.findall(r"<script>(.*?)</script>", html, re.S)
    assert max(len(s) for s in scripts) > 500_000, "BokehJS is not inlined"
    assert f"dimer_core {dc.__version__}" in html and "weak-soc" in html


def test_default_page_is_under_5_MB_and_the_CLI_says_its_size(default_page, capsys):
    path, html = default_page
    size = os.path.getsize(path)
    assert 0.3e6 < size < 5e6, size
    models = embedded_models(html)
    assert decoded(column(models["map_T_eff_2"], "image")[0]).shape == (GRID_MU_F.size, GRID_V.size)
    assert decoded(column(models["omega_all"], "Omega_x")).size == OMEGA_MU_F.size * GRID_V.size


def test_cli_prints_the_size_and_refuses_bad_grids(tmp_path, capsys):
    out = tmp_path / "a" / "strong.html"
    args = ["lecture", "--preset", "strong-soc", "--mu_F", "-1:1:5", "--V", "-2:2:5", "--omega_mu_F", "0:0:1"]
    assert cli.main([*args, "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert f"{os.path.getsize(out) / 1e6:.2f} MB" in text and "strong-soc" in text
    assert "strong-soc" in out.read_text(encoding="utf-8")
    for bad, words in (([*args[:-2], "--omega_mu_F", "3:4:2", "--out", str(tmp_path / "b.html")], "omega_mu_F"),
                       ([*args, "--out", str(tmp_path / "b.png")], ".html"),
                       (["lecture", "--V", "-2:2:1", "--out", str(tmp_path / "c.html")], "--V"),
                       (["lecture", "--mu_F", "-1:1:1000", "--out", str(tmp_path / "c.html")], "401")):
        assert cli.main(bad) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and words in err[0], err


def test_lecture_data_refuses_an_uneven_grid():
    with pytest.raises(ValueError, match="V must be evenly spaced"):
        lecture_data(dc.preset("weak-soc"), SMALL_MU_F, [0.0, 1.0, 3.0])


PAGE_STATE_JS = """() => {
  const doc = Bokeh.documents[0], get = (n) => doc.get_model_by_name(n);
  return {V: get('marker').data.V[0], mu_F: get('marker').data.mu_F[0], slider_V: get('slider_V').value,
          cut_mu: Array.from(get('cut_mu').data.y), cut_V: Array.from(get('cut_V').data.y),
          cut_V_title: get('cut_V_figure').title.text, omega_z: Array.from(get('omega').data.Omega_z),
          omega_title: get('omega_figure').title.text};
}"""


def test_the_V_slider_moves_marker_and_cut_in_a_browser_from_disk(default_page, page):
    pytest.importorskip("pytest_playwright")
    path, html = default_page
    models = embedded_models(html)
    image = decoded(column(models["map_J_2"], "image")[0])
    errors = watch_console(page)
    page.goto(path.as_uri())
    page.wait_for_function("() => window.Bokeh && Bokeh.documents.length > 0 && "
                           "Bokeh.documents[0].get_model_by_name('marker')", timeout=60_000)
    before = page.evaluate(PAGE_STATE_JS)
    i_v = int(abs(GRID_V - before["V"]).argmin())
    i_mu = int(abs(GRID_MU_F - before["mu_F"]).argmin())
    handle = page.locator(".lecture-V .noUi-handle")
    handle.focus()
    handle.press("ArrowRight")
    after = wait_until(lambda: (lambda s: s if s["V"] != before["V"] else None)(page.evaluate(PAGE_STATE_JS)),
                       timeout=20, message="the marker to move")
    assert after["V"] == pytest.approx(GRID_V[i_v + 1], abs=1e-9)
    assert after["slider_V"] == pytest.approx(GRID_V[i_v + 1], abs=1e-9)
    assert after["mu_F"] == pytest.approx(GRID_MU_F[i_mu], abs=1e-9)
    np.testing.assert_array_equal(np.float32(after["cut_mu"]), image[:, i_v + 1])  # J_2 against mu_F at the new V
    np.testing.assert_array_equal(np.float32(after["cut_V"]), image[i_mu, :])  # unchanged row at the same mu_F
    assert not np.array_equal(image[:, i_v + 1], image[:, i_v])

    # the quantity of the cuts: K_2's row through the marker, with its symbol in the title
    k2 = decoded(column(models["map_K_2"], "image")[0])
    page.locator("select").select_option(label="K₂ (1/meV)")  # Bokeh writes the label as the option value
    chosen = wait_until(lambda: (lambda s: s if s["cut_V_title"].startswith("K₂") else None)(
        page.evaluate(PAGE_STATE_JS)), timeout=20, message="the cuts of K_2")
    np.testing.assert_array_equal(np.float32(chosen["cut_V"]), k2[i_mu, :])
    np.testing.assert_array_equal(np.float32(chosen["cut_mu"]), k2[:, i_v + 1])

    # mu_F up by 6 steps of 0.1 meV: Omega switches to the coarse mu_F nearest the new mu_F
    omega_z = decoded(column(models["omega_all"], "Omega_z")).reshape(OMEGA_MU_F.size, GRID_V.size)
    mu_handle = page.locator(".lecture-mu_F .noUi-handle")
    mu_handle.focus()
    for _ in range(6):
        mu_handle.press("ArrowRight")
    target = GRID_MU_F[i_mu + 6]
    moved = wait_until(lambda: (lambda s: s if abs(s["mu_F"] - target) < 1e-9 else None)(page.evaluate(PAGE_STATE_JS)),
                       timeout=20, message="mu_F to move six steps")
    i_om = int(abs(OMEGA_MU_F - target).argmin())
    assert i_om != int(abs(OMEGA_MU_F - GRID_MU_F[i_mu]).argmin()), "the test should cross to another coarse mu_F"
    np.testing.assert_array_equal(np.float32(moved["omega_z"]), omega_z[i_om])
    assert f"μ_F = {OMEGA_MU_F[i_om]:.2f} meV" in moved["omega_title"]
    np.testing.assert_array_equal(np.float32(moved["cut_V"]), k2[i_mu + 6, :])

    os.makedirs(ARTIFACTS, exist_ok=True)
    page.screenshot(path=os.path.join(ARTIFACTS, "lecture.png"), full_page=True)
    assert not errors, errors
