"""The documentation site builds without a warning, and what it promises is in it.

The site is built as the README says (``sphinx-build -W --keep-going -n -b html docs OUT``) from a copy of
``docs/``, ``assets/`` and ``examples/`` in a temporary folder, so that the generated pages (the gallery's,
autosummary's, the copied notebook) never touch the checkout.  It takes about a minute on 2 cores: the
gallery's scripts and the notebook run.  External links are not checked here (CI has no internet; see
docs/getting-started.md, "This documentation"); every relative link and image of every page is.
"""
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

pytest.importorskip("sphinx")
pytest.importorskip("sphinx_gallery")

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
COMMAND = ".venv/bin/sphinx-build -W --keep-going -n -b html docs build/docs"
"""The build command the README prints (README, "Documentation"); the fixture runs it with these flags."""
GENERATED = ("auto_gallery", "generated", "notebooks", "sg_execution_times.rst", "__pycache__")


class _Links(HTMLParser):
    """href and src of a page, and its element ids."""

    def __init__(self):
        super().__init__()
        self.links, self.ids = [], set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        for name in ("href", "src"):
            if attrs.get(name):
                self.links.append(attrs[name])


def _parse(page):
    parser = _Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    if not (DOCS / "conf.py").is_file():
        pytest.skip("the checkout's docs/ is not beside the tests")
    work = tmp_path_factory.mktemp("site")
    shutil.copytree(DOCS, work / "docs", ignore=shutil.ignore_patterns(*GENERATED))
    for folder in ("assets", "examples"):
        shutil.copytree(ROOT / folder, work / folder)
    out = work / "html"
    env = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    flags = COMMAND.split()[1:-2]  # -W --keep-going -n -b html
    run = subprocess.run([sys.executable, "-m", "sphinx", *flags, "-q", str(work / "docs"), str(out)], cwd=work,
                         env=env, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, f"sphinx-build failed:\n{run.stderr[-6000:]}"
    return out


def test_the_readme_prints_the_command_this_test_runs():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"bash .ci/setup && {COMMAND}" in readme
    assert (ROOT / "docs" / "getting-started.md").read_text(encoding="utf-8").count(COMMAND) == 1


def test_api_reference_documents_point_and_every_module(site):
    page = site / "generated" / "dimer_core.html"
    assert "dimer_core.point" in _parse(page).ids
    assert "dimer_core.junction.Junction" in _parse(site / "generated" / "dimer_core.junction.html").ids
    modules = sorted(".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
                     for p in (ROOT / "dimer_core").rglob("*.py")
                     if "__pycache__" not in p.parts and p.name != "__main__.py")
    missing = [m for m in modules if not (site / "generated" / f"{m}.html").is_file()]
    assert not missing, f"modules without an API page (add them to docs/api.md): {missing}"


def test_every_gallery_script_has_its_executed_page_and_figure(site):
    scripts = sorted((DOCS / "gallery").glob("plot_*.py"))
    assert len(scripts) >= 8
    for script in scripts:
        page = site / "auto_gallery" / f"{script.stem}.html"
        assert page.is_file(), page
        images = [link for link in _parse(page).links if f"sphx_glr_{script.stem}_0" in link]
        assert images, f"{page.name} shows no figure"
        for link in images:
            png = (page.parent / unquote(urlsplit(link).path)).resolve()
            assert png.is_file() and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", png
    fig4 = (site / "auto_gallery" / "plot_02_fig4_orientation.html").read_text(encoding="utf-8")
    assert re.search(r"V = 0 mV: Omega = \(0\.00, 0\.00, -1\.00\)", fig4), "Fig. 4's printed values are missing"


def test_the_notebook_page_is_executed(site):
    page = site / "notebooks" / "quickstart.html"
    text = page.read_text(encoding="utf-8")
    assert "J_2      = -0.1196 1/meV" in text
    assert any(link.endswith(".png") for link in _parse(page).links)


def test_the_dashboard_guide_shows_the_screenshots(site):
    links = _parse(site / "dashboard.html").links
    for name in ("dashboard.png", "dashboard_dynamics.png", "junction_page.png"):
        assert any(link.endswith(name) for link in links), name


def test_every_relative_link_resolves(site):
    broken = []
    pages = sorted(site.rglob("*.html"))
    ids = {}
    for page in pages:
        parsed = _parse(page)
        for link in parsed.links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or link.startswith(("mailto:", "javascript:", "data:")):
                continue
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                broken.append(f"{page.relative_to(site)}: {link}")
            elif parts.fragment and target.suffix == ".html":
                if target not in ids:
                    ids[target] = _parse(target).ids
                if unquote(parts.fragment) not in ids[target]:
                    broken.append(f"{page.relative_to(site)}: {link} (no such anchor)")
    assert len(pages) > 60
    assert not broken, "\n".join(broken[:40])
