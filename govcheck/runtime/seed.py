"""`seed_everything`: one call that seeds every generator a training script is likely to draw from.

Why import numpy and torch here (when installed) instead of seeding only what is already
imported: a script that seeds first and imports torch afterwards would otherwise draw from an
unseeded generator. The cost is paid once, by code that is about to use them anyway.

What it cannot reach: generators the program creates itself (`np.random.default_rng()`,
`torch.Generator()`, `random.Random()`) must be given a seed explicitly; `PYTHONHASHSEED` is set
in `os.environ` only so it is recorded and inherited by child processes -- string hashing in
the running interpreter was fixed at its start.
"""

from __future__ import annotations

import operator
import os
import random
from typing import Any

from govcheck.runtime.record import current_run

MAX_SEED = 2**32 - 1  # numpy's legacy seeding accepts 0..2**32-1; torch accepts more


def _validate(seed: object) -> int:
    if isinstance(seed, bool):
        raise ValueError(f"seed must be an int in 0..{MAX_SEED}, got {seed!r}")
    try:
        value = operator.index(seed)  # type: ignore[arg-type]  # int, numpy integers
    except TypeError:
        raise ValueError(f"seed must be an int in 0..{MAX_SEED}, got {seed!r} "
                         f"({type(seed).__name__})") from None
    if not 0 <= value <= MAX_SEED:
        raise ValueError(f"seed must be an int in 0..{MAX_SEED}, got {value}")
    return value


def _seed_numpy(seed: int, settings: dict[str, Any]) -> None:
    try:
        import numpy as np
    except ImportError:
        settings["numpy"] = False
        return
    np.random.seed(seed)
    settings["numpy"] = True


def _seed_torch(seed: int, deterministic: bool, settings: dict[str, Any]) -> None:
    try:
        import torch
    except ImportError:
        settings["torch"] = False
        return
    torch.manual_seed(seed)  # seeds every CUDA device too (lazily, if CUDA initialises later)
    cuda = bool(torch.cuda.is_available())
    if cuda:
        torch.cuda.manual_seed_all(seed)
    if deterministic:
        torch.use_deterministic_algorithms(True, warn_only=False)
        torch.backends.cudnn.deterministic = True
        torch.backends.cudnn.benchmark = False
    settings.update({
        "torch": True,
        "torch_cuda": cuda,
        "use_deterministic_algorithms": torch.are_deterministic_algorithms_enabled(),
        "deterministic_warn_only": torch.is_deterministic_algorithms_warn_only_enabled(),
        "cudnn_deterministic": bool(torch.backends.cudnn.deterministic),
        "cudnn_benchmark": bool(torch.backends.cudnn.benchmark),
    })


def seed_everything(seed: int, deterministic: bool = True) -> int:
    """Seed `random`, NumPy's global generator and torch (CPU and CUDA); record it; return it.

    With `deterministic` (the default) torch is made to use deterministic algorithms and to raise
    where none exists, cuDNN autotuning is turned off and `CUBLAS_WORKSPACE_CONFIG` is set (unless
    already set) -- before torch is imported here, since cuBLAS reads it when it starts. With
    `deterministic=False` torch's determinism settings are left as they are, and recorded as found.
    """
    value = _validate(seed)
    settings: dict[str, Any] = {"deterministic": bool(deterministic), "python_random": True}
    if deterministic:
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    os.environ["PYTHONHASHSEED"] = str(value)  # a record for child processes, see module doc
    random.seed(value)
    _seed_numpy(value, settings)
    _seed_torch(value, bool(deterministic), settings)
    settings["PYTHONHASHSEED"] = os.environ["PYTHONHASHSEED"]
    settings["CUBLAS_WORKSPACE_CONFIG"] = os.environ.get("CUBLAS_WORKSPACE_CONFIG")
    current_run().set_seed(value, settings)
    return value
