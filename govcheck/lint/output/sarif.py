"""SARIF 2.1.0, the format GitHub code scanning and other security dashboards ingest.

Suppressed findings are reported too (with an in-source suppression), so a dashboard can show
that a problem was seen and consciously accepted rather than never found. `partialFingerprints`
carries the line-independent fingerprint so code scanning keeps tracking an alert across edits.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import quote

import govcheck
from govcheck.lint.records import Finding, LintResult, RuleInfo

SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
TOOL_NAME = "govcheck"
TOOL_INFORMATION_URI = "https://github.com/govcheck/govcheck"
SOURCE_ROOT_ID = "%SRCROOT%"
FINGERPRINT_KEY = "govcheck/v1"


def write_sarif(result: LintResult, stream: TextIO, *, root: Path | None = None) -> None:
    """Write one SARIF log with one run.

    Finding paths are relative to the project root; `root` says where that is. Without it the
    log leaves `%SRCROOT%` unresolved, which is what code scanning expects when it checks the
    repository out itself.
    """
    rule_index = {rule.code: index for index, rule in enumerate(result.rules)}
    findings = sorted((*result.findings, *result.suppressed), key=lambda finding: finding.sort_key)
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": TOOL_NAME,
                "semanticVersion": govcheck.__version__,
                "informationUri": TOOL_INFORMATION_URI,
                "rules": [_rule_descriptor(rule) for rule in result.rules],
            }
        },
        "invocations": [{"executionSuccessful": True}],
    }
    if root is not None:
        run["originalUriBaseIds"] = {SOURCE_ROOT_ID: {"uri": _directory_uri(root)}}
    run["columnKind"] = "unicodeCodePoints"
    run["results"] = [_result(finding, rule_index) for finding in findings]
    log = {"$schema": SARIF_SCHEMA_URI, "version": SARIF_VERSION, "runs": [run]}
    json.dump(log, stream, ensure_ascii=False, indent=2)
    stream.write("\n")


def _rule_descriptor(rule: RuleInfo) -> dict[str, Any]:
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.summary},
        "help": {"text": rule.docs, "markdown": rule.docs},
        "helpUri": rule.help_uri,
        "defaultConfiguration": {"level": rule.default_severity},
    }


def _result(finding: Finding, rule_index: dict[str, int]) -> dict[str, Any]:
    result: dict[str, Any] = {"ruleId": finding.code}
    if finding.code in rule_index:
        result["ruleIndex"] = rule_index[finding.code]
    result["level"] = finding.severity
    result["message"] = {"text": finding.message}
    result["locations"] = [{"physicalLocation": _physical_location(finding)}]
    result["partialFingerprints"] = {FINGERPRINT_KEY: finding.fingerprint}
    if finding.suppression is not None:
        suppression: dict[str, Any] = {"kind": "inSource"}
        if finding.suppression:
            suppression["justification"] = finding.suppression
        result["suppressions"] = [suppression]
    result["properties"] = _properties(finding)
    return result


def _physical_location(finding: Finding) -> dict[str, Any]:
    region: dict[str, Any] = {
        "startLine": finding.line,
        "startColumn": finding.column,
        "endLine": finding.end_line,
        "endColumn": finding.end_column,
    }
    source = finding.source_line.rstrip("\r\n")
    if source:
        region["snippet"] = {"text": source}
    return {
        "artifactLocation": {"uri": quote(finding.path), "uriBaseId": SOURCE_ROOT_ID},
        "region": region,
    }


def _properties(finding: Finding) -> dict[str, Any]:
    """Facts SARIF has no field for. `fixes` is not used: it needs an exact replaced region, and a
    `Fix` does not say which span its replacement covers."""
    properties: dict[str, Any] = {"certainty": finding.certainty}
    if finding.cell is not None:
        properties["cell"] = finding.cell
    if finding.fix is not None:
        properties["fix"] = finding.fix.message
    return properties


def _directory_uri(root: Path) -> str:
    """SARIF requires a base URI that names a directory to end with `/`."""
    uri = root.absolute().as_uri()
    return uri if uri.endswith("/") else uri + "/"
