"""The facts cache: parse a file once per content, govcheck version and effective config.

Laid out as ruff lays out its cache, so tools that know one know the other:
`.govcheck_cache/CACHEDIR.TAG` (backup tools skip the folder), `.govcheck_cache/.gitignore`
holding `*` (git never sees it), and one file per analysis fingerprint under a folder named
after govcheck's version. The fingerprint covers the config and the analysis code itself, so a
config change or an upgrade never reuses stale facts.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any

from govcheck import __version__
from govcheck.lint.facts import ModuleFacts

CACHE_DIR_NAME = ".govcheck_cache"
_CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by govcheck.\n"
    "# For information about cache directory tags see https://bford.info/cachedir/\n"
)
_ANALYSIS_MODULES = ("extract.py", "facts.py", "facts_records.py", "knowledge.py", "knowledge_data.py",
                     "knowledge_sklearn.py", "project.py", "syntax.py")


def analysis_fingerprint(config_fingerprint: str) -> str:
    """A key that changes with the config, the version and the analysis code."""
    digest = hashlib.sha256(f"{__version__}\x1f{config_fingerprint}".encode())
    here = Path(__file__).parent
    for name in _ANALYSIS_MODULES:
        digest.update((here / name).read_bytes())
    return digest.hexdigest()[:24]


class FactsCache:
    """Maps a file's relative path to its facts, valid while its content digest matches."""

    def __init__(self, root: Path, fingerprint: str) -> None:
        self.directory = root / CACHE_DIR_NAME / __version__
        self.file = self.directory / f"{fingerprint}.pickle"
        self.entries: dict[str, tuple[str, str, ModuleFacts]] = {}
        self.project: tuple[str, list[Any]] | None = None
        self.hits = 0
        self.dirty = False
        try:
            with self.file.open("rb") as handle:
                loaded = pickle.load(handle)
            if isinstance(loaded, dict) and isinstance(loaded.get("files"), dict):
                self.entries = loaded["files"]
                self.project = loaded.get("project")
        except (OSError, pickle.PickleError, EOFError, AttributeError, ImportError, TypeError):
            self.entries = {}

    def get(self, relpath: str, digest: str, module: str) -> ModuleFacts | None:
        entry = self.entries.get(relpath)
        if entry is None or entry[0] != digest or entry[1] != module:
            return None
        self.hits += 1
        return entry[2]

    def put(self, relpath: str, digest: str, facts: ModuleFacts) -> None:
        self.entries[relpath] = (digest, facts.module, facts)
        self.dirty = True

    def project_result(self, key: str) -> list[Any] | None:
        """The whole-project findings of the last run, when not one file has changed since."""
        if self.project is not None and self.project[0] == key:
            return self.project[1]
        return None

    def put_project_result(self, key: str, findings: list[Any]) -> None:
        self.project = (key, findings)
        self.dirty = True

    def save(self) -> None:
        """Write atomically; a read-only or full disk only costs the next run its speed."""
        if not self.dirty:
            return
        try:
            self._prepare_directory()
            handle, temporary = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
            with os.fdopen(handle, "wb") as stream:
                pickle.dump({"files": self.entries, "project": self.project}, stream,
                            protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, self.file)
        except OSError:
            return

    def _prepare_directory(self) -> None:
        top = self.directory.parent
        self.directory.mkdir(parents=True, exist_ok=True)
        tag = top / "CACHEDIR.TAG"
        if not tag.exists():
            tag.write_text(_CACHEDIR_TAG)
        ignore = top / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# Created by govcheck automatically.\n*\n")
