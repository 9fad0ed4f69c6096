"""``python -m mdoc2rst``: the command line."""

import sys

from mdoc2rst.cli import main

sys.exit(main())
