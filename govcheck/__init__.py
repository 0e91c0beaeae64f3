"""govcheck: governance checks for ML training code.

Importing the package stays light: the linter path must not pull in torch, pandas, sigstore or
cyclonedx, because a pre-commit hook runs it on every commit. The runtime API that training
code calls (`govcheck.seed_everything`, `govcheck.data`, `govcheck.lineage`) is therefore
resolved lazily, on first attribute access, through the module `__getattr__` below.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:  # what type checkers see; nothing is imported at runtime
    from govcheck.runtime import data as data
    from govcheck.runtime import lineage as lineage
    from govcheck.runtime.seed import seed_everything as seed_everything

_LAZY_MODULES = {"data": "govcheck.runtime.data", "lineage": "govcheck.runtime.lineage"}


def __getattr__(name: str) -> Any:
    """Resolve the runtime API on first use and cache it, so `import govcheck` costs nothing."""
    if name == "seed_everything":
        from govcheck.runtime.seed import seed_everything

        value: Any = seed_everything
    elif name in _LAZY_MODULES:
        value = importlib.import_module(_LAZY_MODULES[name])
    else:
        raise AttributeError(f"module 'govcheck' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), "seed_everything", *_LAZY_MODULES})
