"""The rule registry: every rule by code, in a plain dict (no discovery magic)."""

from __future__ import annotations

from govcheck.lint.records import RuleInfo
from govcheck.lint.rules.base import Rule
from govcheck.lint.rules.data import DATA_RULES
from govcheck.lint.rules.lineage import LINEAGE_RULES
from govcheck.lint.rules.randomness import RANDOMNESS_RULES
from govcheck.lint.rules.tool import TOOL_RULES

RULES: dict[str, type[Rule]] = {
    rule.code: rule for rule in (*TOOL_RULES, *RANDOMNESS_RULES, *DATA_RULES, *LINEAGE_RULES)
}


def rule_info(code: str) -> RuleInfo:
    return RULES[code].info()


def find_rule(code_or_name: str) -> type[Rule] | None:
    """A rule by its code (`GOV101`, any case) or its kebab-case name (`unseeded-global-draw`)."""
    wanted = code_or_name.strip()
    rule = RULES.get(wanted.upper())
    if rule is not None:
        return rule
    return next((rule for rule in RULES.values() if rule.name == wanted.lower()), None)
