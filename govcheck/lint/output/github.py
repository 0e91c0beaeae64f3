"""GitHub Actions workflow commands, so findings show up as annotations on the pull request.

Escaping follows `@actions/core` (toolkit `command.ts`): without it a `:` or `,` in a message
would end a property early and a newline would end the command, silently truncating it.
"""

from __future__ import annotations

from typing import TextIO

from govcheck.lint.records import Finding, LintResult, Severity

COMMAND_BY_SEVERITY: dict[Severity, str] = {
    "error": "error",
    "warning": "warning",
    "note": "notice",
}


def write_github(result: LintResult, stream: TextIO) -> None:
    for finding in sorted(result.findings, key=lambda finding: finding.sort_key):
        stream.write(_workflow_command(finding) + "\n")


def _workflow_command(finding: Finding) -> str:
    title = f"{finding.code} ({finding.name})"
    if finding.cell is not None:
        title += f" [cell {finding.cell}]"
    message = finding.message
    if finding.certainty == "uncertain":
        message += " [uncertain]"
    properties = {
        "file": finding.path,
        "line": str(finding.line),
        "col": str(finding.column),
        "endLine": str(finding.end_line),
        "endColumn": str(finding.end_column),
        "title": title,
    }
    rendered = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
    return f"::{COMMAND_BY_SEVERITY[finding.severity]} {rendered}::{escape_data(message)}"


def escape_data(text: str) -> str:
    """Escape a command's message: `%` first, so the escapes themselves are not re-escaped."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a property value, which additionally must not contain the `:` and `,` delimiters."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")
