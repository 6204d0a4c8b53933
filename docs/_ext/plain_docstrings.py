"""Sphinx extension: show each docstring as reST where it is valid reST, else as the plain text it is.

The package's docstrings are written to be read as plain text (Unicode math such as |μ_L|, ⟨m₁·m₂⟩, aligned
columns, NumPy-style section underlines), not as reStructuredText: parsed as reST they gave about 170 warnings
(``|x|`` read as substitutions, section titles inside docstrings, malformed tables), from about 55 of the
360 docstrings of the modules and of their public classes and functions (2026-12-03).  So that
``sphinx-build -W`` holds without rewriting them, this extension parses every docstring on its own with
docutils first; a docstring that parses cleanly is passed on as reST (its ``:func:`` and ``:mod:`` roles
become links), any other is shown verbatim as a literal block, exactly as ``help()`` shows it.

A cross-reference from a docstring to a name outside the public API (a name starting with ``_``, or one a
module does not list in ``__all__``, so that the reference has no page) is rendered as code instead of being
reported as missing (:func:`keep_unresolved_as_code`); references in the site's own pages are still checked.
"""
import io
import re

from docutils import nodes
from docutils.core import publish_doctree

__all__ = ["is_clean_rest", "literal_lines", "process_docstring", "keep_unresolved_as_code", "setup"]

ROLE = re.compile(r":(?:py:)?(?:func|mod|data|class|meth|attr|obj|exc|math|ref|doc|term):`")


def is_clean_rest(text):
    """True if ``text`` parses as reST with no message of level warning or above (roles read as plain text)."""
    probe = ROLE.sub("`", text)
    doctree = publish_doctree(probe, settings_overrides={
        "report_level": 2, "halt_level": 5, "warning_stream": io.StringIO(), "file_insertion_enabled": False,
        "raw_enabled": False})
    return not any(True for _ in doctree.findall(lambda n: isinstance(n, (nodes.system_message, nodes.problematic))))


def literal_lines(lines):
    """``lines`` as one reST literal block."""
    return ["::", ""] + [("    " + line) if line.strip() else "" for line in lines] + [""]


def process_docstring(app, what, name, obj, options, lines):
    """autodoc-process-docstring: keep clean reST, else replace the lines by a literal block (in place)."""
    if lines and not is_clean_rest("\n".join(lines)):
        lines[:] = literal_lines(lines)


def keep_unresolved_as_code(app, env, node, contnode):
    """missing-reference: a docstring's reference to a name without a page of this site becomes code.

    Only for references in the API reference (docstrings of ``dimer_core``, the pages autosummary generates
    from them, docs/generated/, and the docstrings' first lines in autosummary's tables); the text written in
    the pages under docs/ keeps the nitpicky check."""
    source = node.source or ""
    from_docstrings = ("docstring of dimer_core" in source or "/generated/dimer_core" in source
                       or source.endswith("<autosummary>"))
    if node.get("refdomain") != "py" or not from_docstrings:
        return None
    return nodes.literal(node.rawsource, node.astext())


def setup(app):
    app.connect("autodoc-process-docstring", process_docstring, priority=600)
    app.connect("missing-reference", keep_unresolved_as_code, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
