"""The dataset catalog: what each dataset is, who answers for it, and which reads it governs.

The catalog is the `datasets` table of the govcheck config (see `govcheck.config`). This module
gives that raw table meaning: it validates every key up front, because governance built on a
typo (`clasification = "confidential"` silently ignored) is worse than none, and it answers the
two questions everything else asks: "which dataset is this path?" (the linter, for many paths,
so pure string logic) and "which files are this dataset, and what do they hash to?" (the runtime
and `govcheck catalog validate|pin`).

It imports nothing heavy: the linter loads it at start-up.
"""

from __future__ import annotations

import datetime
import difflib
import hashlib
import json
import os
import posixpath
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from govcheck.config import (
    PYPROJECT_FILE_NAME,
    Config,
    describe_toml_value,
    display_path,
    glob_to_regex,
    load_config,
)
from govcheck.errors import UsageError

CLASSIFICATIONS = ("public", "internal", "confidential", "restricted")
COLUMN_TYPES = ("string", "int", "float", "bool", "date", "datetime")
MASKS = ("hash", "drop", "redact")
DEFAULT_PII_MASK = "hash"
"""Hashing keeps joins and distinct counts working, so it is the least surprising default."""

DATASET_KEYS = (
    "path", "uri", "sha256", "version", "description", "owner", "steward", "custodian",
    "classification", "license", "purposes", "retention", "columns",
)
COLUMN_KEYS = ("type", "pii", "mask", "min", "max", "nullable", "allowed")
OWNER_ROLES = ("owner", "steward", "custodian")
"""The accountability roles of DAMA's data governance: who decides, who curates, who runs it."""
CONFIG_FILE_HINT = "govcheck.toml or pyproject.toml with [tool.govcheck]"

_DATASET_NAME = re.compile(r"[A-Za-z0-9_.-]+")
_BARE_TOML_KEY = re.compile(r"[A-Za-z0-9_-]+")
_SHA256 = re.compile(r"[0-9a-fA-F]{64}")
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]+:")
"""A URI scheme. Two characters at least, so a Windows drive (`C:`) is not taken for one."""
_ISO_DURATION = re.compile(
    r"P(?=\d|T\d)(?:\d+Y)?(?:\d+M)?(?:\d+W)?(?:\d+D)?"
    r"(?:T(?=\d)(?:\d+H)?(?:\d+M)?(?:\d+(?:[.,]\d+)?S)?)?"
)
_GLOB_CHARACTERS = frozenset("*?[")
_NUMERIC_TYPES = ("int", "float")


# --------------------------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ColumnRule:
    """What a column must hold, and whether it is personal data that must be masked."""

    name: str
    type: str | None = None
    pii: bool = False
    mask: str | None = None
    """One of `MASKS`; `hash` when `pii` is true and none is given, `None` when not pii."""
    min: float | None = None
    max: float | None = None
    nullable: bool = True
    allowed: tuple[object, ...] | None = None
    """The permitted values (config key `allowed`); `None` when any value is permitted."""


@dataclass(frozen=True)
class Dataset:
    """One catalogued dataset, validated."""

    name: str
    path: str | None
    """Relative to the catalog root, as written: a file, a directory or a glob."""
    uri: str | None
    """For data that does not live under the root (`s3://bucket/key`); exclusive with `path`."""
    sha256: str | None
    """The pin, lower-case hex; see `dataset_sha256` for what it is computed over."""
    version: str | None
    description: str | None
    owner: str | None
    steward: str | None
    custodian: str | None
    classification: str | None
    license: str | None
    purposes: tuple[str, ...]
    retention: str | None
    """An ISO-8601 duration (`P7Y`, `P30D`, `PT12H`)."""
    columns: tuple[ColumnRule, ...]

    def owners(self) -> dict[str, str]:
        """The accountable people by role, leaving out the roles nobody was named for."""
        named = {role: getattr(self, role) for role in OWNER_ROLES}
        return {role: person for role, person in named.items() if person is not None}

    @property
    def pii_columns(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns if column.pii)

    @property
    def is_glob(self) -> bool:
        """Whether `path` is a glob: it contains `*`, `?` or `[`."""
        return self.path is not None and not _GLOB_CHARACTERS.isdisjoint(self.path)


# --------------------------------------------------------------------------------------------
# Path -> dataset lookup
# --------------------------------------------------------------------------------------------


def _normalise_relpath(path: str) -> str:
    """A root-relative path in one canonical POSIX spelling, so string comparison is enough.

    Backslashes count as separators because code written on Windows spells paths that way.
    """
    normal = posixpath.normpath(path.replace("\\", "/"))
    return "" if normal == "." else normal


def _glob_fixed_prefix(pattern: str) -> str:
    """The leading components of a glob that hold no wildcard: where matches can start."""
    fixed: list[str] = []
    for component in pattern.split("/"):
        if not _GLOB_CHARACTERS.isdisjoint(component):
            break
        fixed.append(component)
    return "/".join(fixed)


def _ancestors_and_self(relpath: str) -> list[str]:
    """`a/b/c` -> [`a/b/c`, `a/b`, `a`]: the most specific first."""
    candidates = [relpath]
    while "/" in relpath:
        relpath = relpath.rpartition("/")[0]
        candidates.append(relpath)
    return candidates


@dataclass(frozen=True)
class _GlobEntry:
    fixed_prefix: str
    """The wildcard-free leading directories with a trailing `/`; a cheap test before the regex."""
    regex: re.Pattern[str]
    dataset: Dataset


@dataclass(frozen=True)
class _PathIndex:
    """The catalog arranged for `Catalog.match_path`: dictionary look-ups, a few regexes.

    When several datasets cover a path the most specific wins, measured by how long the part
    without wildcards is: `data/raw/x.csv` beats `data/raw/*.csv`, which beats `data/raw` and
    `data`. Between globs with equally long fixed parts, catalog order decides.
    """

    literals: Mapping[str, Dataset]
    globs: tuple[_GlobEntry, ...]
    """Most specific first."""
    uris: tuple[tuple[str, Dataset], ...]

    @staticmethod
    def build(datasets: Mapping[str, Dataset]) -> _PathIndex:
        literals: dict[str, Dataset] = {}
        globs: list[_GlobEntry] = []
        uris: list[tuple[str, Dataset]] = []
        for dataset in datasets.values():
            if dataset.uri is not None:
                uris.append((dataset.uri, dataset))
            elif dataset.path is not None:
                relpath = _normalise_relpath(dataset.path)
                if dataset.is_glob:
                    fixed = _glob_fixed_prefix(relpath)
                    regex = re.compile(glob_to_regex(relpath))
                    globs.append(_GlobEntry(f"{fixed}/" if fixed else "", regex, dataset))
                else:
                    literals.setdefault(relpath, dataset)
        globs.sort(key=lambda entry: -len(entry.fixed_prefix))  # stable: catalog order on ties
        return _PathIndex(MappingProxyType(literals), tuple(globs), tuple(uris))

    def match_uri(self, uri: str) -> Dataset | None:
        best: Dataset | None = None
        best_length = -1
        for catalogued, dataset in self.uris:
            covers = (uri == catalogued
                      or (catalogued.endswith("/") and uri.startswith(catalogued))
                      or uri.startswith(catalogued + "/"))
            if covers and len(catalogued) > best_length:
                best, best_length = dataset, len(catalogued)
        return best

    def match_relpath(self, relpath: str) -> Dataset | None:
        candidates = _ancestors_and_self(relpath)
        literal: Dataset | None = None
        literal_length = -1
        for candidate in candidates:
            found = self.literals.get(candidate)
            if found is not None:
                literal, literal_length = found, len(candidate)
                break
        for entry in self.globs:
            if len(entry.fixed_prefix) <= literal_length:
                break
            if relpath.startswith(entry.fixed_prefix) and any(
                    entry.regex.fullmatch(candidate) for candidate in candidates):
                return entry.dataset
        return literal


# --------------------------------------------------------------------------------------------
# The catalog
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Catalog:
    """Every dataset of one config file, validated, with the lookups the rest of govcheck uses."""

    root: Path
    """Absolute; dataset paths are relative to it."""
    source: Path | None
    """The config file the catalog came from; `None` when no config file was found."""
    datasets: Mapping[str, Dataset] = field(hash=False)
    """In file order."""
    _index: _PathIndex = field(init=False, repr=False, compare=False, hash=False)
    _root_prefix: str = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "datasets", MappingProxyType(dict(self.datasets)))
        object.__setattr__(self, "_index", _PathIndex.build(self.datasets))
        object.__setattr__(self, "_root_prefix",
                           os.path.join(os.path.normpath(self.root), ""))

    def get(self, name: str) -> Dataset:
        """The dataset called `name`; a `UsageError` with close matches when there is none."""
        dataset = self.datasets.get(name)
        if dataset is not None:
            return dataset
        if self.source is None:
            raise UsageError(
                f"unknown dataset {name!r}: no catalog found (no {CONFIG_FILE_HINT} in "
                f"{self.root} or above)"
            )
        close = difflib.get_close_matches(name, list(self.datasets), n=3, cutoff=0.6)
        if close:
            hint = f" (did you mean {', '.join(repr(c) for c in close)}?)"
        elif self.datasets:
            hint = f" (catalogued: {', '.join(self.datasets)})"
        else:
            hint = " (the catalog has no datasets)"
        raise UsageError(f"{display_path(self.source)}: unknown dataset {name!r}{hint}")

    def resolve_paths(self, dataset: Dataset) -> list[Path]:
        """The local files of `dataset` as they are now, sorted by root-relative POSIX path.

        A file gives itself; a directory every file below it (hidden ones too: a reader sees
        them, so the hash must); a glob every match, and every file below a matching directory.
        Empty for `uri` datasets and when nothing exists: callers decide whether that is an
        error. Symbolic links to files are followed, links to directories are not walked.
        """
        if dataset.path is None:
            return []
        relpath = _normalise_relpath(dataset.path)
        if dataset.is_glob:
            relpaths = self._glob_matches(relpath)
        else:
            target = self.root / relpath
            if target.is_dir():
                relpaths = _files_below(target, relpath)
            elif target.is_file():
                relpaths = [relpath]
            else:
                relpaths = []
        return [Path(os.path.normpath(self.root / r)) for r in sorted(set(relpaths))]

    def _glob_matches(self, pattern: str) -> list[str]:
        regex = re.compile(glob_to_regex(pattern))
        prefix = _glob_fixed_prefix(pattern)
        base = self.root / prefix
        if not base.is_dir():
            return []
        matches: list[str] = []
        for directory, subdirectories, files in os.walk(base):
            here = _join(prefix, Path(directory).relative_to(base).as_posix())
            kept = []
            for subdirectory in sorted(subdirectories):
                relpath = _join(here, subdirectory)
                if regex.fullmatch(relpath):
                    matches.extend(_files_below(self.root / relpath, relpath))
                else:
                    kept.append(subdirectory)
            subdirectories[:] = kept
            matches.extend(r for r in (_join(here, f) for f in files) if regex.fullmatch(r))
        return matches

    def match_path(self, path: str | Path) -> Dataset | None:
        """The dataset that governs a read of `path`, or `None` when none does.

        `path` is absolute, relative to the root, or a URI. It matches a dataset's file exactly,
        anything under its directory, anything its glob matches (`*` within one component, `**`
        across components, as in the rest of the config), and a `uri` exactly, or by prefix when
        the catalogued URI names a directory (`s3://bucket/dir/`). Pure string logic, no
        filesystem access: the linter calls this for every path it sees, including paths that
        do not exist on the machine running it, so a non-glob `path` is taken to cover both a
        file and a directory of that name.
        """
        text = os.fspath(path)
        if isinstance(path, str) and _URI.match(text):
            return self._index.match_uri(text)
        if os.path.isabs(text):
            text = os.path.normpath(text)
            if text.startswith(self._root_prefix):  # the common case, without relpath's cost
                text = text[len(self._root_prefix):]
            else:
                try:
                    text = os.path.relpath(text, self.root)
                except ValueError:  # another drive on Windows: not under the root
                    return None
        relpath = _normalise_relpath(text.replace(os.sep, "/"))
        if not relpath:
            return None
        return self._index.match_relpath(relpath)


def _join(directory: str, name: str) -> str:
    if name in ("", "."):
        return directory
    if directory in ("", "."):
        return name
    return f"{directory}/{name}"


def _files_below(directory: Path, relpath: str) -> list[str]:
    files: list[str] = []
    for current, subdirectories, names in os.walk(directory):
        subdirectories.sort()
        here = _join(relpath, Path(current).relative_to(directory).as_posix())
        files.extend(_join(here, name) for name in names)
    return files


# --------------------------------------------------------------------------------------------
# Hashing
# --------------------------------------------------------------------------------------------


def file_sha256(path: str | os.PathLike[str]) -> str:
    """Hex sha256 of one file, streamed, so `sha256sum` agrees and large files stay on disk.

    The one file hash of the project: catalog pins, run-record outputs and repro manifests all
    use it, so the same file always has the same digest everywhere."""
    with open(path, "rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


def dataset_sha256(paths: Sequence[Path], root: Path) -> str:
    """The sha256 hex digest that pins a dataset's content.

    One file: the sha256 of its bytes, so `sha256sum data/customers.csv` gives the same pin and
    people can check it without govcheck. Several files (a directory or a glob): the sha256 of
    the UTF-8 text made of one line per file, in sorted order of root-relative POSIX paths,

        f"{relpath}\\0{sha256 of the file's bytes}\\n"

    so the pin changes when a file is added, removed, renamed or edited, but not with the
    order a filesystem lists files in. Reproduce it in a shell from the root with
    `find DIR -type f | LC_ALL=C sort | while read f; do printf '%s\\0%s\\n' "$f"
    "$(sha256sum < "$f" | cut -d' ' -f1)"; done | sha256sum`.

    Note that a directory holding exactly one file hashes like that file alone.
    Paths may be absolute or relative to `root`. Raises `ValueError` for no paths: an empty
    dataset has nothing to pin, and callers report that in their own terms.
    """
    by_relpath: dict[str, Path] = {}
    for path in paths:
        absolute = path if path.is_absolute() else root / path
        relpath = Path(os.path.relpath(absolute, root)).as_posix()
        by_relpath[relpath] = absolute
    if not by_relpath:
        raise ValueError("dataset_sha256 needs at least one file")
    if len(by_relpath) == 1:
        return file_sha256(next(iter(by_relpath.values())))
    digest = hashlib.sha256()
    for relpath in sorted(by_relpath):
        digest.update(f"{relpath}\0{file_sha256(by_relpath[relpath])}\n".encode())
    return digest.hexdigest()


# --------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------


def _toml_key(name: str) -> str:
    return name if _BARE_TOML_KEY.fullmatch(name) else json.dumps(name)


@dataclass(frozen=True)
class _Where:
    """A table of the catalog, to name it in error messages the way the file spells it."""

    file: str
    table: str
    """Dotted TOML path of the table, e.g. `tool.govcheck.datasets.customers`."""

    def child(self, name: str) -> _Where:
        return _Where(self.file, f"{self.table}.{_toml_key(name)}")

    def error(self, problem: str, key: str | None = None) -> UsageError:
        location = f"[{self.table}] {key}" if key is not None else f"[{self.table}]"
        return UsageError(f"{self.file}: {location}: {problem}")

    def unknown_key(self, key: str, known: Sequence[str]) -> UsageError:
        close = difflib.get_close_matches(key.replace("-", "_"), known, n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}?" if close else f"known keys: {', '.join(known)}"
        return UsageError(f"{self.file}: [{self.table}]: unknown key {key!r} ({hint})")


def _string(where: _Where, key: str, value: object) -> str:
    if not isinstance(value, str):
        raise where.error(f"expected a string, got {describe_toml_value(value)}", key)
    if not value.strip():
        raise where.error("expected a non-empty string, got an empty one", key)
    return value


def _boolean(where: _Where, key: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise where.error(f"expected true or false, got {describe_toml_value(value)}", key)
    return value


def _number(where: _Where, key: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise where.error(f"expected a number, got {describe_toml_value(value)}", key)
    return value


def _choice(where: _Where, key: str, value: object, choices: Sequence[str]) -> str:
    if not isinstance(value, str) or value not in choices:
        got = repr(value) if isinstance(value, str) else describe_toml_value(value)
        raise where.error(f"expected one of {', '.join(choices)}, got {got}", key)
    return value


def _relative_path(where: _Where, value: object) -> str:
    path = _string(where, "path", value)
    if path.startswith(("/", "\\")) or re.match(r"[A-Za-z]:[\\/]", path) or path.startswith("~"):
        raise where.error(
            f"expected a path relative to the catalog root (the config file's directory), got "
            f"{path!r}; use `uri` for data that lives elsewhere", "path")
    if not _normalise_relpath(path):
        raise where.error(f"expected a file, directory or glob below the root, got {path!r}",
                          "path")
    return path


def _uri(where: _Where, value: object) -> str:
    uri = _string(where, "uri", value)
    if not _URI.match(uri):
        raise where.error(f"expected a URI with a scheme like 's3://bucket/key', got {uri!r}",
                          "uri")
    return uri


def _purposes(where: _Where, value: object) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise where.error(f"expected a list of strings, got {describe_toml_value(value)}", "purposes")
    for item in value:
        if not isinstance(item, str) or not item.strip():
            got = "an empty string" if isinstance(item, str) else describe_toml_value(item)
            raise where.error(f"expected a list of non-empty strings, got {got} in it",
                              "purposes")
    return tuple(value)


_VALUE_CHECKS: dict[str, tuple[type | tuple[type, ...], str]] = {
    "string": (str, "strings"),
    "int": (int, "integers"),
    "float": ((int, float), "numbers"),
    "bool": (bool, "booleans"),
    "date": ((str, datetime.date), "dates"),
    "datetime": ((str, datetime.datetime), "datetimes"),
}


def _allowed(where: _Where, value: object, column_type: str | None) -> tuple[object, ...]:
    if not isinstance(value, list) or not value:
        got = "an empty array" if isinstance(value, list) else describe_toml_value(value)
        raise where.error(f"expected a non-empty list of permitted values, got {got}", "allowed")
    for item in value:
        if isinstance(item, (list, dict)):
            raise where.error(f"expected a list of plain values, got {describe_toml_value(item)} in it",
                              "allowed")
        if column_type is not None:
            expected, plural = _VALUE_CHECKS[column_type]
            is_bool = isinstance(item, bool)
            if not isinstance(item, expected) or (is_bool and column_type != "bool"):
                raise where.error(
                    f"expected {plural} for a {column_type!r} column, got {describe_toml_value(item)}",
                    "allowed")
    return tuple(value)


def _column(columns: _Where, name: str, table: object) -> ColumnRule:
    if not isinstance(table, dict):
        raise columns.error(
            f"expected a table like {{ type = \"string\", pii = true }}, got {describe_toml_value(table)}",
            _toml_key(name))
    where = columns.child(name)
    for key in table:
        if key not in COLUMN_KEYS:
            raise where.unknown_key(key, COLUMN_KEYS)
    column_type = (_choice(where, "type", table["type"], COLUMN_TYPES)
                   if "type" in table else None)
    pii = _boolean(where, "pii", table["pii"]) if "pii" in table else False
    mask = _choice(where, "mask", table["mask"], MASKS) if "mask" in table else None
    if mask is not None and not pii:
        raise where.error(f"a mask applies only to personal data; set pii = true or remove "
                          f"mask = {mask!r}", "mask")
    bounds: dict[str, float] = {}
    for key in ("min", "max"):
        if key in table:
            bounds[key] = _number(where, key, table[key])
            if column_type is not None and column_type not in _NUMERIC_TYPES:
                raise where.error(f"bounds apply to int and float columns, not to a "
                                  f"{column_type!r} column", key)
    if "min" in bounds and "max" in bounds and bounds["min"] > bounds["max"]:
        raise where.error(f"min {bounds['min']} is greater than max {bounds['max']}", "min")
    return ColumnRule(
        name=name,
        type=column_type,
        pii=pii,
        mask=mask if mask is not None else (DEFAULT_PII_MASK if pii else None),
        min=bounds.get("min"),
        max=bounds.get("max"),
        nullable=_boolean(where, "nullable", table["nullable"]) if "nullable" in table else True,
        allowed=_allowed(where, table["allowed"], column_type) if "allowed" in table else None,
    )


def _columns(where: _Where, value: object) -> tuple[ColumnRule, ...]:
    if not isinstance(value, dict):
        raise where.error(
            f"expected a table of column = {{ type = ..., pii = ... }}, got {describe_toml_value(value)}",
            "columns")
    columns_where = where.child("columns")
    return tuple(_column(columns_where, name, rule) for name, rule in value.items())


def _dataset(where: _Where, name: str, table: Mapping[str, Any]) -> Dataset:
    for key in table:
        if key not in DATASET_KEYS:
            raise where.unknown_key(key, DATASET_KEYS)
    has_path, has_uri = "path" in table, "uri" in table
    if has_path == has_uri:
        got = "both" if has_path else "neither"
        raise where.error(f"expected exactly one of path (local data) or uri (remote data), "
                          f"got {got}")

    def text(key: str) -> str | None:
        return _string(where, key, table[key]) if key in table else None

    sha256 = text("sha256")
    if sha256 is not None and not _SHA256.fullmatch(sha256):
        raise where.error(f"expected 64 hexadecimal characters (a sha256 digest; run "
                          f"`govcheck catalog pin {name}`), got {sha256!r}", "sha256")
    retention = text("retention")
    if retention is not None and not _ISO_DURATION.fullmatch(retention):
        raise where.error(f"expected an ISO-8601 duration like 'P7Y', 'P30D' or 'PT12H', got "
                          f"{retention!r}", "retention")
    return Dataset(
        name=name,
        path=_relative_path(where, table["path"]) if has_path else None,
        uri=_uri(where, table["uri"]) if has_uri else None,
        sha256=sha256.lower() if sha256 is not None else None,
        version=text("version"),
        description=text("description"),
        owner=text("owner"),
        steward=text("steward"),
        custodian=text("custodian"),
        classification=(_choice(where, "classification", table["classification"],
                                CLASSIFICATIONS) if "classification" in table else None),
        license=text("license"),
        purposes=_purposes(where, table["purposes"]) if "purposes" in table else (),
        retention=retention,
        columns=_columns(where, table["columns"]) if "columns" in table else (),
    )


def _check_no_shared_locations(where: _Where, datasets: Mapping[str, Dataset]) -> None:
    """Two datasets with one location would make "which dataset is this read?" a coin toss."""
    seen: dict[str, str] = {}
    for dataset in datasets.values():
        key, location = (("path", _normalise_relpath(dataset.path)) if dataset.path is not None
                         else ("uri", dataset.uri or ""))
        other = seen.setdefault(f"{key}:{location}", dataset.name)
        if other != dataset.name:
            raise where.child(dataset.name).error(
                f"{location!r} is already the {key} of dataset {other!r}; one location, one "
                f"dataset", key)


def catalog_from_config(config: Config) -> Catalog:
    """Validate the raw `datasets` table of `config`; any mistake is a `UsageError`."""
    if config.source is None:
        return Catalog(root=config.root, source=None, datasets={})
    file = display_path(config.source)
    in_pyproject = config.source.name == PYPROJECT_FILE_NAME
    where = _Where(file, "tool.govcheck.datasets" if in_pyproject else "datasets")
    datasets: dict[str, Dataset] = {}
    for name, table in config.datasets.items():
        if not _DATASET_NAME.fullmatch(name):
            raise UsageError(f"{file}: [{where.table}] {_toml_key(name)}: expected a dataset "
                             f"name of letters, digits, '-', '_' and '.', got {name!r}")
        if not isinstance(table, dict):
            raise UsageError(f"{file}: [{where.table}] {_toml_key(name)}: expected a table "
                             f"like {{ path = \"data/{name}.csv\" }}, got {describe_toml_value(table)}")
        datasets[name] = _dataset(where.child(name), name, table)
    _check_no_shared_locations(where, datasets)
    return Catalog(root=config.root, source=config.source, datasets=datasets)


def load_catalog(start: Path | None = None) -> Catalog:
    """The catalog of the config file that governs `start` (default: the working directory)."""
    return catalog_from_config(load_config(start if start is not None else Path.cwd()))


__all__ = [
    "CLASSIFICATIONS",
    "COLUMN_TYPES",
    "MASKS",
    "Catalog",
    "ColumnRule",
    "Dataset",
    "catalog_from_config",
    "dataset_sha256",
    "file_sha256",
    "load_catalog",
]
