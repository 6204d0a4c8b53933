"""Docstrings and comments cite documents that are in the repository, by sections that exist.

A citation reads ``docs/<file>.md, "<section>"`` (it may wrap across lines, and a wrapped
comment's ``#`` is skipped).  The section must be the text of a heading of that file (``#`` …
``####``, its numbering such as "2." ignored) or of a bold run-in title (``**Title.**`` at the
start of a paragraph), matched as a substring, case and spacing as written.  No file of the
package or the dashboard may cite the external specification (PHYSICS.md), which is not in the
repository.
"""
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCANNED = ("dimer_core", "dashboard")
CITATION = re.compile(r'docs/([\w.-]+\.md),\s+"([^"]+)"')


def _sources():
    files = [f for d in SCANNED for f in sorted((ROOT / d).rglob("*.py")) if "__pycache__" not in f.parts]
    if not files:
        pytest.skip("the checkout's sources are not beside the tests")
    return files


def _citations():
    found = []
    for f in _sources():
        text = f.read_text(encoding="utf-8")
        for m in CITATION.finditer(text):
            section = re.sub(r"\s*\n\s*#?\s*", " ", m.group(2)).strip()  # a wrapped docstring or comment
            line = text.count("\n", 0, m.start()) + 1
            found.append((f"{f.relative_to(ROOT)}:{line}", m.group(1), section))
    return found


def _titles(doc):
    text = doc.read_text(encoding="utf-8")
    headings = [re.sub(r"^\d+(\.\d+)*\.?\s+", "", m.group(1).strip())
                for m in re.finditer(r"^#{1,4}\s+(.+)$", text, flags=re.M)]
    run_in = [m.group(1).strip() for m in re.finditer(r"^\s*\*\*([^*]+?)\.?\*\*", text, flags=re.M)]
    return headings + run_in


def test_there_are_citations_to_check():
    cited = {(doc, section) for _, doc, section in _citations()}
    # the sections issue 15 asked for, cited from the code
    for section in ("Units", "Electronic model", "Leads", "Electron spin response",
                    "The effective stochastic LLG", "One spin pinned", "Named couplings"):
        assert ("physics.md", section) in cited, section


def test_every_cited_section_exists():
    missing = []
    for where, doc, section in _citations():
        path = ROOT / "docs" / doc
        if not path.is_file():
            missing.append(f"{where}: docs/{doc} does not exist")
        elif not any(section in title for title in _titles(path)):
            missing.append(f'{where}: docs/{doc} has no section "{section}"')
    assert not missing, "\n".join(missing)


def test_no_source_cites_the_external_specification():
    offenders = [f"{f.relative_to(ROOT)}:{n}" for f in _sources()
                 for n, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1) if "PHYSICS.md" in line]
    assert not offenders, offenders


def test_the_physics_notes_give_the_paper_equations_they_implement():
    text = (ROOT / "docs" / "physics.md").read_text(encoding="utf-8")
    for needle in ("A4–A8", "(A10)–(A15)", "Eq. (7)", "Eqs. 3–8", "W_ij = ε_ijk t̂_k",
                   "M^(i) = ½(tr M − t̂·M·t̂)", "k_B T_eff,a = j^(i)_aa / (2ħS·a^(i)_aa)"):
        assert needle in text, needle
