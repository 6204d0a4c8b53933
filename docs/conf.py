"""Sphinx configuration of the documentation site (README, "Documentation").

Build from the checkout's folder, after ``bash .ci/setup``:

    .venv/bin/sphinx-build -W --keep-going -n -b html docs build/docs

The site documents the *installed* package (``sphinx-build`` does not put the checkout on ``sys.path``):
autodoc reads its docstrings and the gallery scripts (``docs/gallery/*.py``) run against it, with
matplotlib's Agg backend, and their figures are written into the pages (``docs/auto_gallery/``, generated).
The notebook ``examples/notebooks/quickstart.ipynb`` is copied into ``docs/notebooks/`` (generated) and
executed by myst-nb while the site builds.
"""
import shutil
import sys
from pathlib import Path

import dimer_core

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE / "_ext"))  # the site's own extensions (not the package)

project = "dimer_core"
author = "the dimer_core contributors"
copyright = "the dimer_core contributors (MIT licence)"
release = version = dimer_core.__version__

extensions = [
    "myst_nb",                       # Markdown pages (MyST) and notebooks
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx_gallery.gen_gallery",
    "plain_docstrings",              # docs/_ext: docstrings that are not valid reST are shown verbatim
]

# .rst first: autosummary writes its generated pages (docs/generated/) with the first suffix, in reST
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
exclude_patterns = ["_build", "build", "_ext", "**.ipynb_checkpoints", "gallery", "auto_gallery/*.ipynb",
                    "auto_gallery/*.py", "auto_gallery/*.zip"]
root_doc = "index"

# The physics notes are read on GitHub too: headings are anchors there, so cross-file "#section" links work.
myst_heading_anchors = 4
myst_enable_extensions = ["dollarmath", "colon_fence"]
suppress_warnings = [
    "myst.header",                   # the notes start at "#" and some skip a level (they are cited by heading)
    "mystnb.unknown_mime_type",      # Panel's and Bokeh's JavaScript outputs of the notebook
]

# -- API reference ---------------------------------------------------------------------------------
autosummary_generate = True
autosummary_imported_members = False
autosummary_ignore_module_all = False   # the tables list a module's __all__, as autodoc documents it
autodoc_default_options = {"members": True, "show-inheritance": False}
autodoc_member_order = "bysource"
autodoc_typehints = "none"
# Classes of other libraries (bases, attribute types): no intersphinx, as the build runs offline.
nitpick_ignore_regex = [(r"py:.*", r"(xarray|param|numpy|pandas|scipy|numba|panel|bokeh|dask|distributed|zarr)\..*")]
# -- Notebooks (myst-nb) ----------------------------------------------------------------------------
nb_execution_mode = "force"
nb_execution_timeout = 600
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_kernel_rgx_aliases = {".*": "python3"}

NOTEBOOKS = ["quickstart.ipynb"]
(HERE / "notebooks").mkdir(exist_ok=True)
for name in NOTEBOOKS:
    shutil.copyfile(ROOT / "examples" / "notebooks" / name, HERE / "notebooks" / name)

# -- Gallery (sphinx-gallery) -----------------------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": "gallery",
    "gallery_dirs": "auto_gallery",
    "filename_pattern": r"/plot_",   # every plot_*.py is executed
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
    "image_scrapers": ("matplotlib",),
    "matplotlib_animations": False,
    "abort_on_example_error": True,
    "show_memory": False,
    "plot_gallery": "True",
}

# -- HTML -------------------------------------------------------------------------------------------
html_theme = "furo"
html_title = f"dimer_core {release}"
html_static_path = []
html_show_sourcelink = False
