"""A release people can cite: licence, citation file, changelog, and the version in one place."""
import datetime
import re
import tomllib
from pathlib import Path

import pytest

import dimer_core as dc

ROOT = Path(__file__).resolve().parent.parent

CFF_KEYS = {"abstract", "authors", "cff-version", "commit", "contact", "date-released", "doi", "identifiers",
            "keywords", "license", "license-url", "message", "preferred-citation", "references", "repository",
            "repository-artifact", "repository-code", "title", "type", "url", "version"}
"""The keys CFF 1.2.0 allows at the top level (its schema has additionalProperties: false)."""
DOI = re.compile(r"^10\.\d{4,9}(\.\d+)?/[A-Za-z0-9:/_;\-.()\[\]\\]+$")


def _file(name):
    path = ROOT / name
    if not path.is_file():
        pytest.skip(f"{name} is not beside the tests (not a checkout)")
    return path


def _cff():
    yaml = pytest.importorskip("yaml")
    return yaml.safe_load(_file("CITATION.cff").read_text(encoding="utf-8"))


def _date(value):
    text = value.isoformat() if isinstance(value, datetime.date) else str(value)
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", text), text
    return text


def test_citation_file_is_cff_1_2_0_and_cites_the_software_and_the_paper():
    cff = _cff()
    assert cff["cff-version"] == "1.2.0"
    assert set(cff) <= CFF_KEYS, set(cff) - CFF_KEYS
    for key in ("authors", "cff-version", "message", "title"):  # required by CFF 1.2.0
        assert cff[key], key
    assert cff["type"] == "software" and cff["license"] == "MIT"
    assert _date(cff["date-released"]) == "2026-12-02"
    assert all("name" in a or "family-names" in a for a in cff["authors"])
    paper = cff["preferred-citation"]
    for key in ("authors", "title", "type"):  # required of a reference
        assert paper[key], key
    assert paper["type"] == "article" and DOI.match(paper["doi"])
    assert paper["doi"] == "10.1103/PhysRevB.107.094401"
    assert paper["title"] == "Origin of the magnetoelectric couplings in the spin dynamics of molecular magnets"
    assert [a["family-names"] for a in paper["authors"]] == ["Leiva M.", "Díaz", "Núñez"]
    assert (paper["journal"], paper["volume"], paper["year"]) == ("Physical Review B", 107, 2023)
    assert "094401" in paper["notes"]  # the article number (CFF's start is an integer page)
    for key in ("volume", "year", "month", "issue", "start"):  # integers in CFF 1.2.0
        assert key not in paper or isinstance(paper[key], int), key


def test_the_version_is_in_one_place():
    assert str(_cff()["version"]) == dc.__version__
    project = tomllib.loads(_file("pyproject.toml").read_text(encoding="utf-8"))
    assert "version" in project["project"]["dynamic"] and "version" not in project["project"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "dimer_core.__version__"}
    # nothing else writes the number down: the sources and the project's text files name it only here
    allowed = {"dimer_core/__init__.py", "CITATION.cff", "CHANGELOG.md",
               "requirements.txt"}  # pins of other packages, which may share the number
    pattern = re.compile(r"(?<![\d.])" + re.escape(dc.__version__) + r"(?![\d.])")
    found = []
    for path in [*ROOT.glob("*.*"), *(ROOT / "dimer_core").rglob("*.py"), *(ROOT / "dashboard").rglob("*.py"),
                 *(ROOT / "docs").glob("*.md"), *(ROOT / "tests").glob("*.py"), *(ROOT / "benchmarks").glob("*.py")]:
        rel = path.relative_to(ROOT).as_posix()
        if path.is_file() and rel not in allowed and pattern.search(path.read_text(encoding="utf-8", errors="ignore")):
            found.append(rel)
    assert not found, found


def test_changelog_has_this_version_and_an_unreleased_section():
    text = _file("CHANGELOG.md").read_text(encoding="utf-8")
    assert "## [Unreleased]" in text
    assert re.search(rf"^## \[{re.escape(dc.__version__)}\] - \d{{4}}-\d{{2}}-\d{{2}}$", text, flags=re.M)


def test_licence_and_contributing_note():
    licence = _file("LICENSE").read_text(encoding="utf-8")
    assert licence.startswith("MIT License") and "Copyright (c) 2026 the dimer_core authors" in licence
    note = _file("CONTRIBUTING.md").read_text(encoding="utf-8")
    assert "bash .ci/setup && .venv/bin/pytest -ra tests" in note and "benchmarks/bench_maps.py" in note
    readme = _file("README.md").read_text(encoding="utf-8")
    assert "bash .ci/setup && .venv/bin/pytest -ra tests" in readme  # the same command as the README's
    for name in ("LICENSE", "CITATION.cff", "CHANGELOG.md", "CONTRIBUTING.md"):
        assert name in readme, name
