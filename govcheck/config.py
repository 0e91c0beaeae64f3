"""Where govcheck's settings come from, and what they mean for one rule and one file.

Settings follow ruff closely on purpose: the same file names, the same walk up from the checked
path, the same kebab-case keys and the same selector and exclusion semantics, so a team that
already configures ruff has nothing new to learn. Every mistake in a config file is a
`UsageError` that names the file, the key and what was expected, because a linter that silently
ignores a typo in `ignore` hides findings nobody decided to hide.
"""

from __future__ import annotations

import datetime
import difflib
import hashlib
import json
import re
import tomllib
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from govcheck.errors import UsageError

CONFIG_FILE_NAME = "govcheck.toml"
PYPROJECT_FILE_NAME = "pyproject.toml"

ALL_SELECTOR = "ALL"

DEFAULT_SELECT: tuple[str, ...] = ("GOV",)

DEFAULT_EXCLUDE: tuple[str, ...] = (
    ".bzr",
    ".direnv",
    ".eggs",
    ".git",
    ".git-rewrite",
    ".hg",
    ".ipynb_checkpoints",
    ".mypy_cache",
    ".nox",
    ".pants.d",
    ".pyenv",
    ".pytest_cache",
    ".pytype",
    ".ruff_cache",
    ".svn",
    ".tox",
    ".venv",
    ".vscode",
    "__pypackages__",
    "_build",
    "buck-out",
    "build",
    "dist",
    "node_modules",
    "site-packages",
    "venv",
    ".govcheck_cache",
)
"""Ruff's defaults plus our own cache: directories that hold tools and copies, never the project."""

_SELECTOR_SHAPE = re.compile(r"ALL|[A-Z]+[0-9]*")
_QUALIFIED_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")


# --------------------------------------------------------------------------------------------
# Path patterns
# --------------------------------------------------------------------------------------------


def glob_to_regex(pattern: str) -> str:
    """Translate one glob to a regex over POSIX paths.

    `*`, `?` and `[...]` stay inside one path component and `**` spans components (`a/**/b`
    also matches `a/b`), so that `data/*.py` means files directly in `data/`, as people read it.
    """
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        char = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif char == "*":
            out.append("[^/]*")
            i += 1
        elif char == "?":
            out.append("[^/]")
            i += 1
        elif char == "[":
            body_start = i + 1
            negated = pattern.startswith("!", body_start)
            if negated:
                body_start += 1
            search_from = body_start + 1 if pattern.startswith("]", body_start) else body_start
            end = pattern.find("]", search_from)
            if end == -1:
                out.append(re.escape(char))
                i += 1
                continue
            body = pattern[body_start:end].replace("\\", "\\\\").replace("^", "\\^")
            out.append(("[^/" if negated else "[") + body + "]")
            i = end + 1
        else:
            out.append(re.escape(char))
            i += 1
    return "".join(out)


@dataclass(frozen=True)
class PathPatterns:
    """A compiled set of ruff-style path patterns, matched against POSIX paths relative to root.

    A pattern with a `/` in it is anchored: it must match the whole relative path (`data/*.py`).
    A pattern without one matches any single component, at any depth (`venv`, `*_pb2.py`).
    """

    patterns: tuple[str, ...]
    _anchored: re.Pattern[str] | None = field(repr=False, compare=False)
    _component: re.Pattern[str] | None = field(repr=False, compare=False)

    @staticmethod
    def compile(patterns: tuple[str, ...]) -> PathPatterns:
        return _compile_patterns(patterns)

    def matches_entry(self, relpath: str) -> bool:
        """Whether this path itself matches, ignoring its ancestors.

        Discovery calls this for each entry it walks into; the ancestors were already checked on
        the way down, so checking them again would only cost time.
        """
        if self._anchored is not None and self._anchored.fullmatch(relpath):
            return True
        if self._component is not None:
            return self._component.fullmatch(relpath.rpartition("/")[2]) is not None
        return False

    def matches(self, relpath: str) -> bool:
        """Whether this path or any directory above it matches; `tests` covers `tests/a/b.py`."""
        relpath = _normalise_relpath(relpath)
        if not relpath:
            return False
        end = relpath.find("/")
        while end != -1:
            if self.matches_entry(relpath[:end]):
                return True
            end = relpath.find("/", end + 1)
        return self.matches_entry(relpath)


@lru_cache(maxsize=256)
def _compile_patterns(patterns: tuple[str, ...]) -> PathPatterns:
    anchored: list[str] = []
    component: list[str] = []
    for raw in patterns:
        is_anchored = "/" in raw.rstrip("/")
        cleaned = raw.strip("/")
        while cleaned.startswith("./"):
            cleaned = cleaned[2:]
        if not cleaned:
            continue
        (anchored if is_anchored else component).append(f"(?:{glob_to_regex(cleaned)})")
    return PathPatterns(
        patterns=patterns,
        _anchored=re.compile("|".join(anchored)) if anchored else None,
        _component=re.compile("|".join(component)) if component else None,
    )


def _normalise_relpath(relpath: str) -> str:
    relpath = relpath.replace("\\", "/")
    while relpath.startswith("./"):
        relpath = relpath[2:]
    return relpath.strip("/") if relpath != "." else ""


# --------------------------------------------------------------------------------------------
# Rule selection
# --------------------------------------------------------------------------------------------


def selector_matches(selector: str, code: str) -> bool:
    """Ruff semantics: `ALL` matches every code, anything else matches the codes it prefixes."""
    return selector == ALL_SELECTOR or code.startswith(selector)


def _specificity(selectors: Sequence[str], code: str) -> int:
    """Length of the most specific selector that matches `code`; -1 when none does."""
    best = -1
    for selector in selectors:
        if selector_matches(selector, code):
            best = max(best, 0 if selector == ALL_SELECTOR else len(selector))
    return best


# --------------------------------------------------------------------------------------------
# The settings
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Config:
    """The effective settings for one run, after the config file and the command line."""

    root: Path
    """Absolute; the directory holding the config file, or the start directory for defaults."""
    source: Path | None
    """The file that supplied the settings; `None` when they are the defaults."""
    select: tuple[str, ...] = DEFAULT_SELECT
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """(glob, selectors) pairs, in file order."""
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    extend_exclude: tuple[str, ...] = ()
    entry_points: tuple[str, ...] = ()
    """Paths or globs relative to root: the scripts that start programs."""
    known_seeders: tuple[str, ...] = ()
    """Qualified names of project helpers that seed python `random`, numpy and torch together."""
    known_readers: tuple[str, ...] = ()
    known_lineage: tuple[str, ...] = ()
    datasets: Mapping[str, Any] = field(
        default_factory=lambda: MappingProxyType({}), hash=False
    )
    """The raw `datasets` table, untouched; another module gives it meaning."""

    def is_selected(self, code: str) -> bool:
        """The most specific matching selector decides; on a tie `ignore` wins, as in ruff."""
        chosen = _specificity(self.select + self.extend_select, code)
        return chosen >= 0 and chosen > _specificity(self.ignore, code)

    def ignored_codes_for(self, relpath: str) -> tuple[str, ...]:
        """The selectors (`GOV1`, `GOV101`, `ALL`) ignored for this root-relative POSIX path.

        Match them against a code with `selector_matches`.
        """
        ignored: dict[str, None] = {}
        for pattern, selectors in self.per_file_ignores:
            if PathPatterns.compile((pattern,)).matches(relpath):
                ignored.update(dict.fromkeys(selectors))
        return tuple(ignored)

    @property
    def exclusions(self) -> PathPatterns:
        """`exclude` plus `extend-exclude`, compiled once per distinct pattern set."""
        return PathPatterns.compile(self.exclude + self.extend_exclude)

    def is_excluded(self, relpath: str) -> bool:
        """Whether a root-relative POSIX path, or any directory above it, is excluded."""
        return self.exclusions.matches(relpath)

    def fingerprint(self) -> str:
        """A digest of every setting that can change lint results, for the cache key.

        `root` and `source` are left out so that moving a checkout keeps its cache; `datasets`
        is left out because the linter's per-file results do not depend on it.
        """
        settings = {
            "select": self.select,
            "ignore": self.ignore,
            "extend_select": self.extend_select,
            "per_file_ignores": self.per_file_ignores,
            "exclude": self.exclude,
            "extend_exclude": self.extend_exclude,
            "entry_points": self.entry_points,
            "known_seeders": self.known_seeders,
            "known_readers": self.known_readers,
            "known_lineage": self.known_lineage,
        }
        text = json.dumps(settings, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------------------------
# Reading config files
# --------------------------------------------------------------------------------------------

_SELECTOR_LIST_KEYS = ("select", "ignore", "extend-select")
_PATTERN_LIST_KEYS = ("exclude", "extend-exclude", "entry-points")
_QUALIFIED_NAME_KEYS = ("known-seeders", "known-readers", "known-lineage")
KNOWN_KEYS: tuple[str, ...] = (
    *_SELECTOR_LIST_KEYS,
    "per-file-ignores",
    *_PATTERN_LIST_KEYS,
    *_QUALIFIED_NAME_KEYS,
    "datasets",
)


@dataclass(frozen=True)
class _Origin:
    """Where a value came from, to name it in error messages."""

    file: str | None
    """How to show the config file; `None` for values from the command line."""
    table: str
    """`[tool.govcheck] ` for pyproject.toml, empty for govcheck.toml."""

    def key(self, key: str) -> str:
        return f"{self.table}{key}"

    def error(self, key: str, problem: str) -> UsageError:
        where = self.key(key)
        message = f"{where}: {problem}"
        return UsageError(f"{self.file}: {message}" if self.file else message)


def display_path(path: Path) -> str:
    """Show a config file relative to the working directory when it is below it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except (ValueError, OSError):
        return str(path)


def describe_toml_value(value: object) -> str:
    """Name a TOML value the way the TOML spec does, so users recognise what they wrote."""
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if isinstance(value, int):
        return f"integer {value}"
    if isinstance(value, float):
        return f"float {value}"
    if isinstance(value, str):
        return f"string {value!r}"
    if isinstance(value, datetime.datetime):
        return f"datetime {value.isoformat()}"
    if isinstance(value, datetime.date):
        return f"date {value.isoformat()} (quote it to make it a string)"
    if isinstance(value, datetime.time):
        return f"time {value.isoformat()}"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "table"
    return f"{type(value).__name__} {value!r}"


def _read_toml(path: Path) -> dict[str, Any]:
    display = display_path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UsageError(f"{display}: config file not found") from None
    except IsADirectoryError:
        raise UsageError(f"{display}: expected a TOML config file, got a directory") from None
    except OSError as exc:
        raise UsageError(f"{display}: cannot read config file: {exc.strerror}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(
            f"{display}: config file is not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset "
            f"{exc.start}); save it as UTF-8"
        ) from None
    try:
        return tomllib.loads(text.removeprefix("\ufeff"))
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{display}: invalid TOML: {exc}") from None


def _govcheck_table(path: Path, document: dict[str, Any]) -> dict[str, Any] | None:
    """The `[tool.govcheck]` table of a pyproject.toml, or `None` when it has none."""
    tool = document.get("tool")
    if not isinstance(tool, dict) or "govcheck" not in tool:
        return None
    table = tool["govcheck"]
    if not isinstance(table, dict):
        raise UsageError(
            f"{display_path(path)}: [tool.govcheck]: expected a table, got {describe_toml_value(table)}"
        )
    return table


def _find_config_file(start: Path) -> tuple[Path, dict[str, Any]] | None:
    """Walk up from `start` as ruff does; the first govcheck.toml or governed pyproject wins."""
    for directory in (start, *start.parents):
        candidate = directory / CONFIG_FILE_NAME
        if candidate.is_file():
            return candidate, _read_toml(candidate)
        candidate = directory / PYPROJECT_FILE_NAME
        if candidate.is_file():
            table = _govcheck_table(candidate, _read_toml(candidate))
            if table is not None:
                return candidate, table
    return None


def _table_of(path: Path) -> dict[str, Any]:
    """The govcheck settings in an explicitly named file: pyproject.toml by name, else top level."""
    document = _read_toml(path)
    if path.name == PYPROJECT_FILE_NAME:
        return _govcheck_table(path, document) or {}
    return document


# --------------------------------------------------------------------------------------------
# Validating values
# --------------------------------------------------------------------------------------------


def _string_list(value: object, origin: _Origin, key: str, what: str) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise origin.error(key, f"expected a list of {what}, got {describe_toml_value(value)}")
    for item in value:
        if not isinstance(item, str):
            raise origin.error(
                key, f"expected a list of {what}, got an array containing {describe_toml_value(item)}"
            )
        if not item:
            raise origin.error(key, f"expected a list of {what}, got an empty string")
    return tuple(value)


def _selectors(
    value: object, origin: _Origin, key: str, known_codes: Collection[str]
) -> tuple[str, ...]:
    selectors = _string_list(value, origin, key, "rule codes (strings)")
    for selector in selectors:
        if not _SELECTOR_SHAPE.fullmatch(selector):
            raise origin.error(
                key, f"expected rule codes or prefixes like 'GOV' or 'GOV101', got {selector!r}"
            )
        if known_codes and not any(selector_matches(selector, code) for code in known_codes):
            known = ", ".join(sorted(known_codes))
            message = f"unknown rule selector {selector!r} in {origin.key(key)} (known: {known})"
            raise UsageError(f"{origin.file}: {message}" if origin.file else message)
    return selectors


def _qualified_names(value: object, origin: _Origin, key: str) -> tuple[str, ...]:
    names = _string_list(value, origin, key, "qualified names (strings)")
    for name in names:
        if not _QUALIFIED_NAME.fullmatch(name):
            raise origin.error(
                key, f"expected qualified names like 'mypkg.utils.seed_all', got {name!r}"
            )
    return names


def _per_file_ignores(
    value: object, origin: _Origin, known_codes: Collection[str]
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    key = "per-file-ignores"
    if not isinstance(value, dict):
        raise origin.error(
            key, f"expected a table of glob = [rule codes], got {describe_toml_value(value)}"
        )
    entries: list[tuple[str, tuple[str, ...]]] = []
    for pattern, codes in value.items():
        if not pattern:
            raise origin.error(key, "expected a glob as each key, got an empty string")
        entry_key = f"{key}.{json.dumps(pattern)}"
        entries.append((pattern, _selectors(codes, origin, entry_key, known_codes)))
    return tuple(entries)


def _unknown_key_error(origin: _Origin, key: str) -> UsageError:
    close = difflib.get_close_matches(key.replace("_", "-"), KNOWN_KEYS, n=1, cutoff=0.6)
    hint = f" (did you mean '{close[0]}'?)" if close else f" (known keys: {', '.join(KNOWN_KEYS)})"
    table = f"{origin.table.strip()}: " if origin.table else ""
    return UsageError(f"{origin.file}: {table}unknown key {key!r}{hint}")


def _parse_table(
    table: Mapping[str, Any], origin: _Origin, known_codes: Collection[str]
) -> dict[str, Any]:
    """Turn a config table into `Config` keyword arguments, rejecting anything unexpected."""
    settings: dict[str, Any] = {}
    for key, value in table.items():
        attribute = key.replace("-", "_")
        if key in _SELECTOR_LIST_KEYS:
            settings[attribute] = _selectors(value, origin, key, known_codes)
        elif key in _PATTERN_LIST_KEYS:
            settings[attribute] = _string_list(value, origin, key, "paths or globs (strings)")
        elif key in _QUALIFIED_NAME_KEYS:
            settings[attribute] = _qualified_names(value, origin, key)
        elif key == "per-file-ignores":
            settings[attribute] = _per_file_ignores(value, origin, known_codes)
        elif key == "datasets":
            if not isinstance(value, dict):
                raise origin.error(key, f"expected a table, got {describe_toml_value(value)}")
            settings[attribute] = MappingProxyType(value)
        else:
            raise _unknown_key_error(origin, key)
    return settings


# --------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------


def _start_directory(start: Path) -> Path:
    absolute = start.resolve()
    return absolute if absolute.is_dir() else absolute.parent


def load_config(
    start: Path,
    *,
    config_file: Path | None = None,
    select: Sequence[str] | None = None,
    ignore: Sequence[str] | None = None,
    extend_select: Sequence[str] | None = None,
    known_codes: Collection[str] = (),
) -> Config:
    """Find and read the settings for `start`, then apply the command-line overrides.

    `config_file` skips the walk up. A given `select` replaces the file's; a given `ignore` or
    `extend_select` adds to it. With `known_codes`, every selector must name at least one rule,
    so a typo like `GOV999` is an error rather than a rule silently never run.
    """
    if config_file is not None:
        source: Path | None = config_file.resolve()
        if not source.exists():
            raise UsageError(f"{config_file}: config file not found")
        table: dict[str, Any] = _table_of(source)
        root = source.parent
    else:
        root = _start_directory(start)
        found = _find_config_file(root)
        if found is None:
            source, table = None, {}
        else:
            source, table = found
            root = source.parent

    if source is None:
        settings: dict[str, Any] = {}
    else:
        prefix = "[tool.govcheck] " if source.name == PYPROJECT_FILE_NAME else ""
        settings = _parse_table(table, _Origin(display_path(source), prefix), known_codes)

    cli = _Origin(None, "")
    if select is not None:
        settings["select"] = _selectors(list(select), cli, "--select", known_codes)
    if ignore is not None:
        extra = _selectors(list(ignore), cli, "--ignore", known_codes)
        settings["ignore"] = settings.get("ignore", ()) + extra
    if extend_select is not None:
        extra = _selectors(list(extend_select), cli, "--extend-select", known_codes)
        settings["extend_select"] = settings.get("extend_select", ()) + extra

    return Config(root=root, source=source, **settings)


__all__ = [
    "ALL_SELECTOR",
    "CONFIG_FILE_NAME",
    "DEFAULT_EXCLUDE",
    "DEFAULT_SELECT",
    "KNOWN_KEYS",
    "PYPROJECT_FILE_NAME",
    "Config",
    "PathPatterns",
    "load_config",
    "selector_matches",
]
