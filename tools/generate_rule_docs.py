"""Write docs/rules/<CODE>.md and docs/rules/README.md from the rule classes.

The rule modules are the single source: `govcheck rule CODE`, these pages and SARIF metadata all
come from the same text. `tests/test_rule_docs.py` fails when the pages are out of date; run
`python tools/generate_rule_docs.py` to refresh them.
"""

from __future__ import annotations

import sys
from pathlib import Path

from govcheck.lint.rules import RULES

DOCS_DIR = Path(__file__).resolve().parents[1] / "docs" / "rules"


def rule_pages() -> dict[str, str]:
    """File name -> content for every page under docs/rules/."""
    pages = {f"{code}.md": rule.docs() for code, rule in sorted(RULES.items())}
    rows = "\n".join(f"| [{code}]({code}.md) | `{rule.name}` | {rule.severity} | {rule.summary} |"
                     for code, rule in sorted(RULES.items()))
    pages["README.md"] = (
        "# Rules\n\n"
        "Generated from the rule modules in `govcheck/lint/rules/` by "
        "`tools/generate_rule_docs.py`; `govcheck rule CODE` prints the same text.\n\n"
        "| code | name | severity | what it finds |\n|---|---|---|---|\n" + rows + "\n\n"
        "## Notebooks\n\n"
        "Every rule applies to Jupyter notebooks (`*.ipynb`). A notebook's code cells, in cell "
        "order, are one program analysed as an entry point: a seed in cell 4 covers a draw in "
        "cell 5 but not one in cell 3, and reaches the project modules the notebook calls. "
        "IPython syntax (line magics, shell escapes, help) is neutralised line for line; cells "
        "under `%%time`, `%%timeit` or `%%capture` are analysed without the magic line, and other "
        "cell magics, markdown and raw cells are skipped. Findings carry the 1-based `cell` among "
        "all cells (markdown included) and the line and column within that cell; `# noqa` works "
        "inside a cell.\n"
    )
    return pages


def main() -> int:
    DOCS_DIR.mkdir(parents=True, exist_ok=True)
    for name, content in rule_pages().items():
        (DOCS_DIR / name).write_text(content, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
