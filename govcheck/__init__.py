"""govcheck: governance checks for ML training code.

Importing the package stays light: the linter path must not pull in torch, pandas, sigstore or
cyclonedx, because a pre-commit hook runs it on every commit.
"""

from __future__ import annotations

__version__ = "0.1.0"
