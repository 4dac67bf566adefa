"""`python -m redlines` runs the CLI, as the `redlines` console script does."""

import sys

from .console import main

sys.exit(main())
