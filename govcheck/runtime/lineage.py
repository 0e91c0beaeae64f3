"""Lineage calls for training code: the files a run produced and the parameters it ran with.

Outputs are identified by content (sha256), not by path: a path is reused by the next run, a hash
says which bytes a model card or BOM is talking about.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from govcheck.catalog import file_sha256
from govcheck.runtime.record import OUTPUT_KINDS, current_run


def log_output(path: str | os.PathLike[str], kind: str = "model") -> str:
    """Hash the file at `path` (after `torch.save` & co), record it as an output, return the hex.

    `kind` is one of model, checkpoint, metrics, data, other. Logging the same path again (a
    checkpoint rewritten each epoch) replaces the earlier entry.
    """
    if kind not in OUTPUT_KINDS:
        raise ValueError(f"log_output: kind must be one of {', '.join(OUTPUT_KINDS)}; got {kind!r}")
    name = os.fspath(path)
    if os.path.isdir(name):
        raise IsADirectoryError(f"log_output: {name!r} is a directory; log each file in it")
    if not os.path.isfile(name):
        raise FileNotFoundError(f"log_output: no such file: {name!r} (call it after the file is "
                                "written)")
    digest = file_sha256(name)
    current_run().add_output(name, sha256=digest, kind=kind)
    return digest


def log_params(mapping: Mapping[str, object] | None = None, /, **params: object) -> None:
    """Record hyper-parameters, as `log_params(lr=0.1)` or `log_params(config_dict)` (or both).

    Values must be JSON-serialisable; a key logged again takes the new value.
    """
    merged: dict[str, object] = dict(mapping or {})
    merged.update(params)
    current_run().set_params(merged)
