"""The machine format: a versioned, stable JSON document for scripts and dashboards.

The key order is part of the contract (`version` bumps when it changes), so programs and humans
diffing two reports see the same shape every time. Named `json_format` so it never shadows the
standard library's `json` for anyone reading or importing it.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any, TextIO

from govcheck.lint.records import Finding, LintResult

JSON_FORMAT_VERSION = 1


def write_json(result: LintResult, stream: TextIO) -> None:
    findings = sorted(result.findings, key=lambda finding: finding.sort_key)
    by_code = Counter(finding.code for finding in findings)
    document = {
        "version": JSON_FORMAT_VERSION,
        "findings": [_finding_to_json(finding) for finding in findings],
        "summary": {
            "files": result.files_checked,
            "findings": len(findings),
            "suppressed": len(result.suppressed),
            "by_code": {code: by_code[code] for code in sorted(by_code)},
        },
    }
    json.dump(document, stream, ensure_ascii=False, indent=2)
    stream.write("\n")


def _finding_to_json(finding: Finding) -> dict[str, Any]:
    record: dict[str, Any] = {"path": finding.path}
    if finding.cell is not None:
        record["cell"] = finding.cell
    record.update(
        {
            "line": finding.line,
            "column": finding.column,
            "end_line": finding.end_line,
            "end_column": finding.end_column,
            "code": finding.code,
            "name": finding.name,
            "severity": finding.severity,
            "certainty": finding.certainty,
            "message": finding.message,
            "fix": None
            if finding.fix is None
            else {"message": finding.fix.message, "replacement": finding.fix.replacement},
            "fingerprint": finding.fingerprint,
        }
    )
    return record
