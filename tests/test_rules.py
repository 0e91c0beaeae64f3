"""Every rule's own cases, run through the real engine, and every rule's documentation.

A rule module is its contract: the flagged cases must produce exactly the marked findings and
the clean cases none, so the documentation can never drift from what the linter does.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import expected_marks, found_marks, lint_project, write_project
from govcheck.lint.rules import RULES, find_rule

CASES = [(code, kind, index, source)
         for code, rule in sorted(RULES.items())
         for kind, sources in (("flagged", rule.flagged), ("clean", rule.clean))
         for index, source in enumerate(sources)]


@pytest.mark.parametrize(("code", "kind", "index", "source"), CASES,
                         ids=[f"{c}-{k}-{i}" for c, k, i, _ in CASES])
def test_rule_case(tmp_path: Path, code: str, kind: str, index: int, source: str) -> None:
    (tmp_path / "govcheck.toml").write_text(RULES[code].catalog, encoding="utf-8")
    write_project(tmp_path, {"case.py": source})
    result = lint_project(tmp_path)
    own = {mark for mark in found_marks(result) if mark[2] == code}
    if kind == "flagged":
        expected = {mark for mark in expected_marks(tmp_path) if mark[2] == code}
        assert expected, "a flagged case must mark at least one line"
        assert own == expected
    else:
        assert own == set()


@pytest.mark.parametrize("code", sorted(RULES))
def test_rule_is_documented(code: str) -> None:
    rule = RULES[code]
    docs = rule.docs()
    for heading in ("## What it finds", "## Why it matters", "## Example", "## Use instead"):
        assert heading in docs
        section = docs.split(heading, 1)[1].split("\n## ", 1)[0]
        assert section.strip(), f"{code}: empty section {heading}"
    assert rule.name == rule.name.lower() and " " not in rule.name
    if not code.startswith("GOV00") or code == "GOV001":
        assert rule.flagged and rule.clean, f"{code} needs a flagged and a clean case"


def test_rules_are_found_by_code_and_name() -> None:
    assert find_rule("gov101") is RULES["GOV101"]
    assert find_rule("unseeded-global-draw") is RULES["GOV101"]
    assert find_rule("GOV999") is None
