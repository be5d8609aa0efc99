"""`python -m cleaner.cli`: the `cleaner` command without its console script."""
import sys

from . import main

sys.exit(main())
