"""``python -m dimer_core``: the same as the ``dimer-core`` command (see :mod:`dimer_core.cli`)."""
import sys

from .cli import main

sys.exit(main(prog="python -m dimer_core"))
