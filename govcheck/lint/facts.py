"""Per-file facts: what one module seeds, draws and calls, in program order.

One libcst parse per file and one pass over it produce a `ModuleFacts` record. The record is
plain data (tuples, strings, ints) so that it can be cached by content hash and sent between
worker processes; the whole-project analysis in `project.py` works on these records alone and
never sees a syntax tree.

The pass itself lives in `extract.py`; libcst helpers in `syntax.py`.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable

import libcst as cst

from govcheck.lint.extract import Extractor
from govcheck.lint.facts_records import MODULE_BODY, Block, Event, ModuleFacts, Site

__all__ = ["MODULE_BODY", "Block", "Event", "ModuleFacts", "Site", "extract_facts",
           "noqa_directives"]

_NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*))?"
                   r"(?:\s*--\s*(?P<reason>.*))?", re.IGNORECASE)


def extract_facts(source: str, *, path: str, module: str, is_package: bool,
                  extra_seeders: Iterable[str] = ()) -> ModuleFacts:
    """Parse `source` with libcst's native parser and extract its facts.

    A file that does not parse yields facts with `syntax_error` set, never an exception: the
    run goes on, and the engine reports GOV001 at the error's line.
    """
    try:
        tree = cst.parse_module(source)
    except cst.ParserSyntaxError as error:
        line, column, message = _syntax_error_location(source, error)
        lines = source.splitlines()
        text = lines[line - 1] if 0 < line <= len(lines) else ""
        site = Site("GOV001", f"syntax error: {message}", line, column, line, column + 1,
                    MODULE_BODY, text)
        return ModuleFacts(path=path, module=module, is_package=is_package, syntax_error=site,
                           noqa=noqa_directives(source))
    facts = Extractor(tree, source, module, is_package, path, extra_seeders).run()
    return dataclasses.replace(facts, noqa=noqa_directives(source))


def _syntax_error_location(source: str, error: cst.ParserSyntaxError) -> tuple[int, int, str]:
    """Line, column and message of a syntax error, as Python itself reports them.

    libcst's native parser reports the token where it gave up, often the line after the
    mistake; CPython's compiler points at the mistake, so it is asked (only for files that
    failed) and libcst's position is the fallback for syntax CPython accepts.
    """
    try:
        compile(source, "<govcheck>", "exec", flags=0x400, dont_inherit=True)  # PyCF_ONLY_AST
    except SyntaxError as python_error:
        if python_error.lineno:
            return python_error.lineno, max(1, python_error.offset or 1), python_error.msg
    except (ValueError, RecursionError, MemoryError):
        pass
    message = str(error.message).removeprefix("parser error: ").strip() or "invalid syntax"
    return max(1, error.raw_line), error.raw_column + 1, message


def noqa_directives(source: str) -> dict[int, tuple[frozenset[str] | None, str]]:
    """Line -> (codes, reason) for each `# noqa` comment; codes None means every code."""
    directives: dict[int, tuple[frozenset[str] | None, str]] = {}
    if "noqa" not in source and "NOQA" not in source:
        return directives
    for number, line in enumerate(source.splitlines(), start=1):
        if "#" not in line:
            continue
        match = _NOQA.search(line)
        if match is None:
            continue
        codes = match.group("codes")
        parsed = (frozenset(code.upper() for code in re.split(r"[\s,]+", codes) if code)
                  if codes else None)
        directives[number] = (parsed, (match.group("reason") or "").strip())
    return directives
