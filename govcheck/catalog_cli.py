"""`govcheck catalog validate|list|pin`: hold the catalog to the files it describes.

A pin that nobody checks drifts silently, so `validate` is made for CI and pre-commit (exit 1 when
data is missing or changed), and `pin` rewrites only the `sha256` values, keeping the file as
people wrote it: a config file is reviewed in diffs, and a tool that reformats it on every pin
buries the one line that matters.
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

from govcheck.catalog import (
    CONFIG_FILE_HINT,
    Catalog,
    Dataset,
    catalog_from_config,
    dataset_sha256,
    display_path,
)
from govcheck.config import PYPROJECT_FILE_NAME, load_config
from govcheck.errors import EXIT_CLEAN, EXIT_FINDINGS, UsageError

LIST_FORMATS = ("text", "json")
_UTF8_BOM = "\ufeff"


def load(config_file: Path | None) -> tuple[Catalog, Path]:
    """The catalog named by `--config`, or the one governing the working directory, and its file.

    Unlike the linter, which runs happily without a catalog, these commands exist to act on one,
    so finding none is a usage error rather than an empty success.
    """
    config = load_config(Path.cwd(), config_file=config_file)
    if config.source is None:
        raise UsageError(f"no catalog found: no {CONFIG_FILE_HINT} in {Path.cwd()} or above "
                         f"(pass --config FILE)")
    return catalog_from_config(config), config.source


# --------------------------------------------------------------------------------------------
# validate
# --------------------------------------------------------------------------------------------


def _missing(catalog: Catalog, dataset: Dataset) -> str:
    """Why a local dataset resolved to no files, in the terms of its kind."""
    if dataset.is_glob:
        return f"missing: no files match {dataset.path}"
    if (catalog.root / (dataset.path or "")).is_dir():
        return f"missing: directory {dataset.path} has no files"
    return f"missing: {dataset.path} does not exist"


class _DataProblem(Exception):
    """The files of a dataset are not what the catalog says: exit 1, unlike a usage error."""


def _current_sha256(catalog: Catalog, dataset: Dataset) -> str:
    """The digest of the dataset's files as they are now; `_DataProblem` when there are none."""
    paths = catalog.resolve_paths(dataset)
    if not paths:
        raise _DataProblem(_missing(catalog, dataset))
    try:
        return dataset_sha256(paths, catalog.root)
    except OSError as error:
        raise _DataProblem(f"cannot read {error.filename}: {error.strerror}") from None


def dataset_status(catalog: Catalog, dataset: Dataset) -> tuple[bool, str]:
    """(whether it is fine, what to say about it) for one dataset against the files."""
    if dataset.uri is not None:
        return True, f"ok (uri {dataset.uri}, not checked locally)"
    try:
        digest = _current_sha256(catalog, dataset)
    except _DataProblem as problem:
        return False, str(problem)
    if dataset.sha256 is None:
        return True, "ok (not pinned)"
    if digest != dataset.sha256:
        return False, f"sha256 mismatch: catalog pins {dataset.sha256}, files hash to {digest}"
    return True, "ok"


def validate(config_file: Path | None, out: TextIO | None = None) -> int:
    """One line per dataset; exit 1 when any is missing or does not match its pin."""
    out = out or sys.stdout
    catalog, source = load(config_file)
    if not catalog.datasets:
        print(f"{display_path(source)}: no datasets catalogued", file=out)
        return EXIT_CLEAN
    all_ok = True
    for dataset in catalog.datasets.values():
        ok, message = dataset_status(catalog, dataset)
        all_ok = all_ok and ok
        print(f"{dataset.name}: {message}", file=out)
    return EXIT_CLEAN if all_ok else EXIT_FINDINGS


# --------------------------------------------------------------------------------------------
# list
# --------------------------------------------------------------------------------------------


def _summary(dataset: Dataset) -> dict[str, Any]:
    return {
        "name": dataset.name,
        "classification": dataset.classification,
        "owner": dataset.owner,
        "steward": dataset.steward,
        "custodian": dataset.custodian,
        "version": dataset.version,
        "path": dataset.path,
        "uri": dataset.uri,
        "sha256": dataset.sha256,
        "pinned": dataset.sha256 is not None,
        "description": dataset.description,
        "license": dataset.license,
        "purposes": list(dataset.purposes),
        "retention": dataset.retention,
        "pii_columns": list(dataset.pii_columns),
    }


def list_datasets(config_file: Path | None, output_format: str = "text",
                  out: TextIO | None = None) -> int:
    """Show what is catalogued: a table for people, or JSON for scripts."""
    if output_format not in LIST_FORMATS:
        raise UsageError(f"unknown format {output_format!r} (known: {', '.join(LIST_FORMATS)})")
    out = out or sys.stdout
    catalog, source = load(config_file)
    datasets = list(catalog.datasets.values())
    if output_format == "json":
        report = {
            "version": 1,
            "catalog": display_path(source),
            "datasets": [_summary(dataset) for dataset in datasets],
        }
        json.dump(report, out, indent=2)
        out.write("\n")
        return EXIT_CLEAN
    rows = [(d.name, d.classification or "-", d.version or "-",
             "pinned" if d.sha256 else "unpinned", d.path or d.uri or "-") for d in datasets]
    widths = [max((len(row[i]) for row in rows), default=0) for i in range(4)]
    for dataset, row in zip(datasets, rows):
        cells = [cell.ljust(width) for cell, width in zip(row, widths)]
        print("  ".join([*cells, row[4]]), file=out)
        for role, person in dataset.owners().items():
            print(f"    {role:<9}  {person}", file=out)
    return EXIT_CLEAN


# --------------------------------------------------------------------------------------------
# pin
# --------------------------------------------------------------------------------------------


def pin(names: Sequence[str], pin_all: bool, config_file: Path | None,
        out: TextIO | None = None) -> int:
    """Hash the named datasets (or all local ones) and write the pins into the catalog file.

    Every hash is computed before anything is written, so a missing dataset leaves the file
    exactly as it was rather than half pinned.
    """
    if pin_all == bool(names):
        raise UsageError("catalog pin: name the datasets to pin, or pass --all (not both)")
    out = out or sys.stdout
    catalog, source = load(config_file)
    shown = display_path(source)
    if pin_all:
        targets = list(catalog.datasets.values())
    else:
        targets = [catalog.get(name) for name in dict.fromkeys(names)]

    digests: dict[str, str] = {}
    skipped: set[str] = set()
    problems: list[str] = []
    for dataset in targets:
        if dataset.uri is not None:
            if not pin_all:
                raise UsageError(f"{shown}: dataset {dataset.name!r} is a uri ({dataset.uri}); "
                                 f"govcheck cannot read it to hash it, set its sha256 by hand")
            skipped.add(dataset.name)
            continue
        try:
            digests[dataset.name] = _current_sha256(catalog, dataset)
        except _DataProblem as problem:
            problems.append(f"{dataset.name}: {problem}")
    if problems:
        for problem in problems:
            print(f"govcheck: {problem}", file=sys.stderr)
        print(f"govcheck: nothing written to {shown}", file=sys.stderr)
        return EXIT_FINDINGS

    changed = {name: digest for name, digest in digests.items()
               if catalog.datasets[name].sha256 != digest}
    if changed:
        write_pins(source, changed)
    for dataset in targets:
        if dataset.name in skipped:
            print(f"{dataset.name}: skipped (uri {dataset.uri}, not readable locally)", file=out)
        else:
            state = "pinned" if dataset.name in changed else "already pinned"
            print(f"{dataset.name}: {state} sha256 {digests[dataset.name]}", file=out)
    return EXIT_CLEAN


def _datasets_path(source: Path) -> tuple[str, ...]:
    """Where the datasets table sits in the file, as `govcheck.config` reads it."""
    if source.name == PYPROJECT_FILE_NAME:
        return ("tool", "govcheck", "datasets")
    return ("datasets",)


def _set_sha256(table: Any, digest: str) -> None:
    """Set `sha256` in one dataset's table, touching nothing else.

    A new key goes right after `path` (or `uri`), where a reader looks for it, spelled like
    that key (`path = ` or `path=`, same indentation): tomlkit's plain assignment appends at the
    end of the table, which in a `[...]` table is after the comments and blank lines that
    introduce the next table. Positional insertion is not public tomlkit API, so any failure
    falls back to plain assignment; `_check_only_pins_changed` guards both.
    """
    import tomlkit
    from tomlkit.items import InlineTable, SingleKey, Table

    if "sha256" in table:
        table["sha256"] = digest
        return
    anchor = "path" if "path" in table else "uri"
    container = getattr(table, "value", None)
    insert_after = getattr(container, "_insert_after", None)
    if isinstance(table, (Table, InlineTable)) and insert_after is not None:
        try:
            anchor_key = next(key for key, _ in container.body  # type: ignore[union-attr]
                              if key is not None and key.key == anchor)
            spelled = anchor_key.as_string()
            key = SingleKey("sha256", sep=anchor_key.sep,
                            original="sha256" + spelled[len(spelled.rstrip()):])
            item = tomlkit.item(digest)
            if isinstance(table, InlineTable):
                spaced = re.search(r"[{,][ \t]", table.as_string()) is not None
                item.trivia.indent = " " if spaced else ""
            else:
                item.trivia.indent = container.item(anchor).trivia.indent  # type: ignore[union-attr]
            insert_after(anchor, key, item)
            return
        except (AttributeError, KeyError, StopIteration, TypeError, ValueError):
            pass
    table["sha256"] = digest


def _match_line_endings(original: str, updated: str) -> str:
    """tomlkit writes new lines with `\\n`; keep a CRLF file CRLF throughout."""
    if "\r\n" in original and re.search(r"(?<!\r)\n", original) is None:
        return re.sub(r"(?<!\r)\n", "\r\n", updated)
    return updated


def _check_only_pins_changed(shown: str, original: str, updated: str,
                             where: tuple[str, ...], digests: Mapping[str, str]) -> None:
    """Refuse to write unless the new text means exactly the old one plus the pins."""
    expected = tomllib.loads(original)
    datasets = expected
    for key in where:
        datasets = datasets[key]
    for name, digest in digests.items():
        datasets[name]["sha256"] = digest
    try:
        actual = tomllib.loads(updated)
    except tomllib.TOMLDecodeError:
        actual = None
    if actual != expected:
        pins = "; ".join(f"{name}: sha256 = \"{digest}\"" for name, digest in digests.items())
        raise UsageError(f"{shown}: could not update the file without changing more than the "
                         f"pins, so nothing was written; set them by hand: {pins}")


def write_pins(source: Path, digests: Mapping[str, str]) -> None:
    """Write `sha256 = "<digest>"` for each named dataset into `source`, in place.

    Comments, key order, quoting and blank lines stay byte for byte; only the pin lines change.
    The file is replaced atomically, so a crash never leaves a half-written config.
    """
    import tomlkit

    shown = display_path(source)
    raw = source.read_bytes().decode("utf-8")
    bom = _UTF8_BOM if raw.startswith(_UTF8_BOM) else ""
    original = raw.removeprefix(_UTF8_BOM)
    document = tomlkit.parse(original)
    if document.as_string() != original:
        raise UsageError(f"{shown}: tomlkit cannot reproduce this file exactly, so govcheck will "
                         f"not rewrite it; set the pins by hand")
    where = _datasets_path(source)
    datasets: Any = document
    for key in where:
        datasets = datasets[key]
    for name, digest in digests.items():
        _set_sha256(datasets[name], digest)
    updated = _match_line_endings(original, document.as_string())
    _check_only_pins_changed(shown, original, updated, where, digests)
    # Through a symbolic link to the real file, so the link stays a link.
    _replace_atomically(source.resolve(), (bom + updated).encode("utf-8"))


def _replace_atomically(target: Path, data: bytes) -> None:
    """Write beside the target and rename over it, keeping the file's permissions."""
    mode = target.stat().st_mode & 0o7777
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.",
                                         suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


__all__ = ["LIST_FORMATS", "dataset_status", "list_datasets", "load", "pin", "validate",
           "write_pins"]
