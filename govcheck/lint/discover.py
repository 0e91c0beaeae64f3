"""Which files a run lints, given the paths on the command line and the exclusions.

The rules are ruff's, because pre-commit and editors already rely on them: directories are walked
and excluded entries are pruned before descending (a `.venv` is never read), while a file named
explicitly is linted even when excluded, unless `force_exclude` asks otherwise (pre-commit passes
every staged file by name, excluded or not). Walking uses `os.scandir`, whose entries already
know whether they are files or directories, so thousands of files cost no extra `stat` calls.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path

from govcheck.config import Config, PathPatterns
from govcheck.errors import UsageError

LINTED_SUFFIXES: tuple[str, ...] = (".py", ".ipynb")
"""File suffixes govcheck lints; a tuple so that notebooks (`.ipynb`) can join later."""


def _is_linted(name: str) -> bool:
    return name.endswith(LINTED_SUFFIXES)


def _join(relpath: str, name: str) -> str:
    return f"{relpath}/{name}" if relpath else name


def _relative_to_root(real: Path, root: Path) -> str | None:
    """The POSIX path of `real` below `root`, `""` for root itself, `None` when outside it."""
    try:
        relpath = real.relative_to(root).as_posix()
    except ValueError:
        return None
    return "" if relpath == "." else relpath


def _walk(
    top: Path, top_relpath: str, exclusions: PathPatterns, visited: set[str]
) -> Iterator[tuple[str, str]]:
    """Yield (logical path, real path) of every linted file below the resolved directory `top`.

    `visited` holds the real paths of directories already walked, so a symlink back to an
    ancestor, or two links to one directory, are walked once; the real path of a plain directory
    is its parent's plus its name, so only symlinks need resolving.
    """
    stack: list[tuple[str, str, str]] = [(str(top), str(top), top_relpath)]
    visited.add(str(top))
    while stack:
        logical_dir, real_dir, dir_relpath = stack.pop()
        try:
            with os.scandir(logical_dir) as entries:
                listing = list(entries)
        except OSError:
            continue  # unreadable or vanished while walking: nothing in it can be linted
        for entry in listing:
            relpath = _join(dir_relpath, entry.name)
            if exclusions.matches_entry(relpath):
                continue
            try:
                is_symlink = entry.is_symlink()
                is_dir = entry.is_dir()
                is_file = not is_dir and entry.is_file()
            except OSError:
                continue
            if not is_dir and not (is_file and _is_linted(entry.name)):
                continue  # other files, broken links, sockets
            logical = os.path.join(logical_dir, entry.name)
            real = os.path.realpath(logical) if is_symlink else os.path.join(real_dir, entry.name)
            if not is_dir:
                yield logical, real
            elif real not in visited:
                visited.add(real)
                stack.append((logical, real, relpath))


def discover_files(
    paths: Sequence[Path], config: Config, *, force_exclude: bool = False
) -> list[Path]:
    """The files to lint under `paths`: absolute, sorted, each real file once.

    Exclusion is judged on the POSIX path relative to `config.root`; a path given outside the
    root is judged relative to itself, since the root's layout says nothing about it.
    """
    root = config.root.resolve()
    exclusions = config.exclusions
    found: dict[str, str] = {}  # real path -> logical path, to lint each file once
    visited: set[str] = set()

    def keep(logical: str, real: str) -> None:
        if real not in found or logical < found[real]:
            found[real] = logical

    for path in paths:
        if not path.exists():
            raise UsageError(f"{path}: no such file or directory")
        is_dir = path.is_dir()
        if is_dir:
            logical_path = path.resolve()
        else:
            # Keep the name the user gave a symlinked file; only its directory is resolved.
            logical_path = path.absolute().parent.resolve() / path.name
        relpath = _relative_to_root(logical_path, root)
        if force_exclude:
            own_relpath = logical_path.name if relpath is None else relpath
            if own_relpath and exclusions.matches(own_relpath):
                continue
        if is_dir:
            if str(logical_path) in visited:
                continue
            for logical, real in _walk(logical_path, relpath or "", exclusions, visited):
                keep(logical, real)
        elif _is_linted(path.name):
            keep(str(logical_path), os.path.realpath(logical_path))

    return sorted(Path(logical) for logical in found.values())


__all__ = ["LINTED_SUFFIXES", "discover_files"]
