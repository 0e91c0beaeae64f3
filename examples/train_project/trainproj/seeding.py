"""One place that seeds every generator the project draws from.

Entry points call `seed_all` before anything else, so a run is decided by its `--seed` alone:
Python's `random`, NumPy's legacy global generator and torch's default generator are all set.
"""

from __future__ import annotations

import govcheck


def seed_all(seed: int) -> None:
    """Seed `random`, `numpy.random` and torch (CPU and, when present, every CUDA device), switch
    torch to deterministic algorithms, and write the seed into the run record."""
    govcheck.seed_everything(seed)
