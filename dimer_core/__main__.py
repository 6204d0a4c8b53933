"""``python -m dimer_core``: see :mod:`dimer_core.cli`."""
import sys

from .cli import main

sys.exit(main())
