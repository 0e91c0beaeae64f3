"""Turn a `LintResult` into what a person, a program, code scanning or a CI log reads.

Each format lives in its own module and only reads the records; this module is the one place that
maps a `--output-format` name to its writer, so the CLI never imports a writer directly.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from govcheck.errors import UsageError
from govcheck.lint.output.github import write_github
from govcheck.lint.output.json_format import write_json
from govcheck.lint.output.sarif import write_sarif
from govcheck.lint.output.text import write_text
from govcheck.lint.records import LintResult

Writer = Callable[[LintResult, TextIO], None]
"""Writes one whole report for one run; formats never share state between runs."""

FORMATS: tuple[str, ...] = ("text", "json", "sarif", "github")

WRITERS: dict[str, Writer] = {
    "text": write_text,
    "json": write_json,
    "sarif": write_sarif,
    "github": write_github,
}

__all__ = ["FORMATS", "WRITERS", "Writer", "write_report", "write_statistics"]


def write_report(
    result: LintResult, fmt: str, stream: TextIO, *, root: Path | None = None
) -> None:
    """Write `result` in format `fmt`.

    `root` is the project root the finding paths are relative to. Only SARIF can say that
    (`originalUriBaseIds`), so the other formats ignore it rather than each accepting a keyword
    they have no use for.
    """
    writer = WRITERS.get(fmt)
    if writer is None:
        raise UsageError(f"unknown output format {fmt!r}; expected one of: {', '.join(FORMATS)}")
    if fmt == "sarif":
        write_sarif(result, stream, root=root)
    else:
        writer(result, stream)


def write_statistics(result: LintResult, stream: TextIO) -> None:
    """One line per rule with how often it fired, most frequent first (ruff's `--statistics`).

    This answers "what should we fix first" for a codebase adopting govcheck; suppressed findings
    are left out because they are already decided. Ties are ordered by code so the output is
    stable between runs.
    """
    counts = Counter(finding.code for finding in result.findings)
    names = {finding.code: finding.name for finding in result.findings}
    if not counts:
        return
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    count_width = max(4, len(str(rows[0][1])))
    code_width = max(len(code) for code in counts)
    for code, count in rows:
        stream.write(f"{count:>{count_width}}  {code:<{code_width}}  {names[code]}\n")
