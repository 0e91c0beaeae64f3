"""docs/rules/ must match the rule modules it is generated from."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_rule_pages_are_up_to_date() -> None:
    spec = importlib.util.spec_from_file_location("generate_rule_docs",
                                                  ROOT / "tools" / "generate_rule_docs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name, content in module.rule_pages().items():
        page = ROOT / "docs" / "rules" / name
        assert page.is_file(), f"missing {page}; run python tools/generate_rule_docs.py"
        assert page.read_text(encoding="utf-8") == content, (
            f"{page} is stale; run python tools/generate_rule_docs.py")
