"""The shape every rule has: a code, a name, its documentation and its cases.

The analysis itself is shared (`facts.py`, `project.py`): one pass per file feeds every rule.
A rule class is therefore mostly its contract, written for the people who read it: what it
finds, why it matters, an example, what to write instead, and the cases that prove it. The
cases are runnable: `tests/test_rules.py` lints each one and checks that exactly the lines
marked `# expect: CODE` are flagged, and `govcheck rule CODE` prints the same text.
"""

from __future__ import annotations

import inspect
import textwrap
from typing import ClassVar

from govcheck.lint.records import RuleInfo, Severity

EXPECT_MARKER = "# expect: "


class Rule:
    """Base class: subclasses fill in the class attributes; the docstring is "What it finds"."""

    code: ClassVar[str]
    name: ClassVar[str]
    summary: ClassVar[str]
    severity: ClassVar[Severity]
    why: ClassVar[str]
    example: ClassVar[str]
    instead: ClassVar[str]
    notes: ClassVar[str] = ""
    flagged: ClassVar[tuple[str, ...]] = ()
    """Entry-point scripts in which each line marked `# expect: CODE` must be flagged."""
    clean: ClassVar[tuple[str, ...]] = ()
    """Entry-point scripts that must produce no finding of this rule."""
    catalog: ClassVar[str] = ""
    """govcheck.toml text (a dataset catalog) that the cases are checked against."""

    @classmethod
    def docs(cls) -> str:
        """The rule's Markdown documentation, with ruff's fixed sections."""
        sections = [
            f"# {cls.code} `{cls.name}`",
            f"**Severity:** {cls.severity} (one level lower when the finding is uncertain)",
            "## What it finds\n\n" + inspect.cleandoc(cls.__doc__ or ""),
            "## Why it matters\n\n" + textwrap.dedent(cls.why).strip(),
            "## Example\n\n```python\n" + _strip_markers(textwrap.dedent(cls.example).strip())
            + "\n```",
            "## Use instead\n\n```python\n" + textwrap.dedent(cls.instead).strip() + "\n```",
        ]
        if cls.notes:
            sections.append("## Notes\n\n" + textwrap.dedent(cls.notes).strip())
        sections.append(f"## Suppressing\n\n`# noqa: {cls.code} -- reason` on the reported line.")
        return "\n\n".join(sections) + "\n"

    @classmethod
    def info(cls) -> RuleInfo:
        return RuleInfo(cls.code, cls.name, cls.summary, cls.severity, cls.docs())


def _strip_markers(source: str) -> str:
    return "\n".join(line.split(EXPECT_MARKER)[0].rstrip() for line in source.splitlines())
