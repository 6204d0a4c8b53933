"""The tests, a package so that they import their helpers relatively (``from .reference import ...``).

pytest runs them with ``--import-mode=importlib`` (pyproject.toml), which puts neither the
project folder nor this one on sys.path: ``dimer_core`` and ``dashboard`` come from the
installed package (``test_package.py`` checks it).  Run them with ``.venv/bin/pytest``, not
``python -m pytest``, which would put the current folder (the checkout) first on sys.path.
"""
