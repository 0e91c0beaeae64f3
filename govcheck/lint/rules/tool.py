"""GOV0xx: govcheck's own diagnostics about files it could not analyse.

A file that cannot be read or parsed is reported, never raised: the rest of the project is
still analysed, and the report says which file was skipped and why.
"""

from __future__ import annotations

from govcheck.lint.rules.base import Rule


class SyntaxErrorInFile(Rule):
    """A file that libcst's parser cannot parse. The finding points at the line and column of
    the error; the file takes no further part in the analysis."""

    code = "GOV001"
    name = "syntax-error"
    summary = "File could not be parsed"
    severity = "error"
    why = """
        A file that does not parse cannot be checked, so anything it draws or seeds is unknown.
        Reporting it keeps that gap visible instead of passing silently.
    """
    example = """
        def train(:
            pass
    """
    instead = """
        def train():
            pass
    """
    flagged = ("def train(:  # expect: GOV001\n    pass\n",)
    clean = ("def train():\n    pass\n",)


class UnreadableFile(Rule):
    """A file that is not valid UTF-8 text (PEP 3120 makes UTF-8 the source encoding), or one
    that could not be read at all."""

    code = "GOV002"
    name = "unreadable-file"
    summary = "File could not be read as UTF-8 source"
    severity = "error"
    why = """
        govcheck cannot analyse what it cannot read; the finding names the file and the byte
        where decoding failed, so the gap in the analysis is visible.
    """
    example = "# a file saved as Latin-1 with a byte such as 0xE9 in a comment"
    instead = "# the same file saved as UTF-8"


class InternalError(Rule):
    """An error inside govcheck while analysing a file. The file is skipped, the run goes on,
    and the message carries the error so it can be reported."""

    code = "GOV003"
    name = "internal-error"
    summary = "govcheck failed while analysing this file"
    severity = "error"
    why = """
        A crash must never pass for a clean result: a finding keeps the failure visible and
        the exit code non-zero.
    """
    example = "# any file that triggers a bug in govcheck"
    instead = "# report the message at https://github.com/govcheck/govcheck/issues"


class UnusedNoqa(Rule):
    """A `# noqa: GOV...` comment naming a govcheck rule that reports nothing on that line.
    Codes of other tools (`# noqa: E501`) and a bare `# noqa` are left alone, as are codes of
    rules that are switched off."""

    code = "GOV004"
    name = "unused-noqa"
    summary = "Suppression comment that suppresses nothing"
    severity = "warning"
    why = """
        A suppression outlives the problem it was written for: once the draw is seeded, the
        stale `noqa` would silently hide the next problem on that line. Removing it keeps every
        suppression meaningful, as ruff's RUF100 does for its own codes.
    """
    example = """
        import random

        random.seed(7)
        x = random.random()  # noqa: GOV101 -- was unseeded once
    """
    instead = """
        import random

        random.seed(7)
        x = random.random()
    """
    flagged = (
        """
import random

random.seed(7)
x = random.random()  # noqa: GOV101 -- stale  # expect: GOV004
""",
    )
    clean = (
        """
import random

x = random.random()  # noqa: GOV101 -- fixture data, seeded by the caller
y = 1  # noqa: E501
""",
    )


class InvalidNotebook(Rule):
    """A `.ipynb` file that is not a notebook govcheck can read: invalid JSON, an nbformat
    other than 4, or no `cells` list. The rest of the project is still analysed."""

    code = "GOV005"
    name = "invalid-notebook"
    summary = "Notebook file could not be read"
    severity = "error"
    why = """
        A notebook that cannot be read cannot be checked; the finding names the file and what
        was wrong, so the gap in the analysis is visible instead of silent.
    """
    example = '{"nbformat": 3, "worksheets": []}'
    instead = "# the notebook saved by a current Jupyter (nbformat 4)"


TOOL_RULES: tuple[type[Rule], ...] = (SyntaxErrorInFile, UnreadableFile, InternalError,
                                      UnusedNoqa, InvalidNotebook)
