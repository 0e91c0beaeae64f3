"""Baselines: adopt govcheck on an existing project by reporting only new findings.

A baseline is simply an earlier JSON report (`govcheck check --output-format json -o FILE`).
Findings are matched by fingerprint (rule, path, enclosing definition, normalised source line),
never by line number, so code moving around does not turn old findings into new ones. The
fingerprints are counted, so a second identical problem in the same function is still new.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from govcheck.errors import UsageError
from govcheck.lint.records import Finding


def load_baseline(path: Path) -> Counter[str]:
    """Fingerprint -> how many findings with it the baseline holds."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{path}: baseline file does not exist (write one with "
                         f"`govcheck check --output-format json -o {path}`)") from None
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"{path}: cannot read baseline: {error}") from None
    except json.JSONDecodeError as error:
        raise UsageError(f"{path}:{error.lineno}: baseline is not valid JSON: {error.msg}") from None
    if not isinstance(document, dict) or document.get("version") != 1:
        raise UsageError(f"{path}: expected a govcheck JSON report with \"version\": 1")
    findings = document.get("findings")
    if not isinstance(findings, list) or not all(
            isinstance(item, dict) and isinstance(item.get("fingerprint"), str) for item in findings):
        raise UsageError(f"{path}: key 'findings': expected a list of findings, each with a "
                         "'fingerprint' string")
    return Counter(item["fingerprint"] for item in findings)


def new_findings(findings: tuple[Finding, ...], baseline: Counter[str]) -> tuple[Finding, ...]:
    """The findings that the baseline does not account for, in their original order."""
    remaining = Counter(baseline)
    fresh = []
    for finding in findings:
        if remaining[finding.fingerprint] > 0:
            remaining[finding.fingerprint] -= 1
        else:
            fresh.append(finding)
    return tuple(fresh)
