"""`python -m govcheck` runs the same CLI as the `govcheck` console script."""

from __future__ import annotations

import sys

from govcheck.cli import main

if __name__ == "__main__":
    sys.exit(main())
