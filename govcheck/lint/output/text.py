"""The human format: each finding with the offending line and a caret under it, then a summary.

Modelled on ruff's full output, because that is what people already scan in their terminal.
"""

from __future__ import annotations

from typing import TextIO

from govcheck.lint.records import Finding, LintResult

SOURCE_INDENT = "    "


def write_text(result: LintResult, stream: TextIO) -> None:
    findings = sorted(result.findings, key=lambda finding: finding.sort_key)
    for finding in findings:
        stream.write(_headline(finding) + "\n")
        for line in _source_excerpt(finding):
            stream.write(line + "\n")
        stream.write("\n")
    stream.write(_summary(len(findings), len(result.suppressed)) + "\n")


def _headline(finding: Finding) -> str:
    location = f"{finding.path}:"
    if finding.cell is not None:
        location += f"cell {finding.cell}:"
    location += f"{finding.line}:{finding.column}:"
    headline = f"{location} {finding.code} {finding.message}"
    if finding.certainty == "uncertain":
        headline += " [uncertain]"
    return headline


def _source_excerpt(finding: Finding) -> list[str]:
    """The source line and a caret line under the reported span; nothing when there is no source.

    Columns are 1-based and `end_column` is exclusive (as in SARIF). A span that continues onto
    later lines is underlined to the end of its first line. The padding copies tabs from the
    source so the carets line up however the terminal renders tabs.
    """
    source = finding.source_line.rstrip("\r\n")
    if not source.strip():
        return []
    start = max(finding.column - 1, 0)
    if finding.end_line == finding.line:
        end = finding.end_column - 1
    else:
        end = len(source.rstrip())
    width = max(end - start, 1)
    padding = "".join("\t" if char == "\t" else " " for char in source[:start])
    return [SOURCE_INDENT + source, SOURCE_INDENT + padding + "^" * width]


def _summary(active: int, suppressed: int) -> str:
    if active == 0:
        return "All checks passed!"
    noun = "finding" if active == 1 else "findings"
    return f"Found {active} {noun} ({suppressed} suppressed)."
