"""Shared helpers: lint a small project written into a temporary folder, through the real engine."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from govcheck.config import load_config
from govcheck.lint.engine import lint
from govcheck.lint.records import LintResult
from govcheck.lint.rules import RULES

EXPECT = re.compile(r"#\s*expect:\s*(?P<codes>GOV\d{3}(?:\s*,\s*GOV\d{3})*)")


def write_project(root: Path, files: dict[str, str]) -> Path:
    for relpath, source in files.items():
        target = root / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(source).lstrip("\n"), encoding="utf-8")
    return root


def lint_project(root: Path, paths: list[Path] | None = None, *, use_cache: bool = False,
                 **overrides: object) -> LintResult:
    config = load_config(root, known_codes=tuple(RULES), **overrides)  # type: ignore[arg-type]
    return lint(paths or [root], config, use_cache=use_cache, workers=1)


def expected_marks(root: Path) -> set[tuple[str, int, str]]:
    """(path, line, code) for every `# expect: CODE` comment under `root`."""
    marks = set()
    for path in sorted(root.rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            match = EXPECT.search(line)
            if match:
                for code in re.split(r"\s*,\s*", match.group("codes")):
                    marks.add((path.relative_to(root).as_posix(), number, code))
    return marks


def found_marks(result: LintResult) -> set[tuple[str, int, str]]:
    return {(f.path, f.line, f.code) for f in result.findings}


@pytest.fixture
def project(tmp_path: Path):
    """Write files into a fresh project (with an empty govcheck.toml as its root) and lint it."""

    def run(files: dict[str, str], **overrides: object) -> LintResult:
        (tmp_path / "govcheck.toml").write_text("", encoding="utf-8")
        write_project(tmp_path, files)
        return lint_project(tmp_path, **overrides)

    return run
