"""Every record the linter passes between its parts: findings, rule descriptions, run results.

Records are frozen so that writers (text, json, sarif, github) can only read them, and so that the
per-file facts can be cached and shipped between worker processes unchanged.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["error", "warning", "note"]
"""How loudly a finding speaks; maps one to one onto SARIF levels."""

Certainty = Literal["certain", "uncertain"]
"""`certain` when the problem holds on every path govcheck sees, `uncertain` when only on some."""


@dataclass(frozen=True, slots=True)
class Fix:
    """What to write instead. `replacement` is set only when the edit is provably safe."""

    message: str
    replacement: str | None = None


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem at one place. Lines and columns are 1-based; `path` is POSIX and relative to
    the project root, so the same finding has the same identity on every machine."""

    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    code: str
    name: str
    message: str
    severity: Severity
    certainty: Certainty
    fix: Fix | None = None
    source_line: str = ""
    context: str = ""
    """The enclosing function or class (`Trainer.fit`, `<module>`), part of the fingerprint."""
    suppression: str | None = None
    """`None` when active; the reason text (possibly empty) when a `# noqa` suppressed it."""
    cell: int | None = None
    """1-based notebook cell, for findings in `.ipynb` files; `None` for `.py` files."""

    @property
    def fingerprint(self) -> str:
        """A stable identity that survives edits elsewhere in the file.

        It is built from the rule, the path, the enclosing definition and the normalised source
        line, never the line number, so code scanning keeps tracking a finding across commits.
        """
        snippet = " ".join(self.source_line.split())
        text = "\x1f".join((self.code, self.path, self.context, snippet))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]

    @property
    def sort_key(self) -> tuple[str, int, int, int, str]:
        return (self.path, self.cell or 0, self.line, self.column, self.code)


@dataclass(frozen=True, slots=True)
class RuleInfo:
    """What a rule is, as users read it: `govcheck rule CODE`, docs/rules/ and SARIF metadata."""

    code: str
    name: str
    summary: str
    """One sentence: what the rule finds."""
    default_severity: Severity
    docs: str
    """The full Markdown documentation: What it finds / Why it matters / Example / Use instead."""

    @property
    def help_uri(self) -> str:
        return f"https://github.com/govcheck/govcheck/blob/main/docs/rules/{self.code}.md"


@dataclass(frozen=True, slots=True)
class LintResult:
    """What one `govcheck check` produced: active and suppressed findings and what was looked at."""

    findings: tuple[Finding, ...]
    suppressed: tuple[Finding, ...] = ()
    files_checked: int = 0
    files_from_cache: int = 0
    rules: tuple[RuleInfo, ...] = field(default_factory=tuple)
    """The rules that were selected, for writers that describe them (SARIF)."""
