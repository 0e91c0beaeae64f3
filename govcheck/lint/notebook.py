"""Jupyter notebooks as Python programs: their code cells, in order, as one module.

A notebook's program order is its cell order, so its code cells are joined into one virtual
module, analysed like a script (an entry point), and every line of that module remembers the
cell and line it came from. IPython syntax is neutralised without shifting lines, as ruff does:
a line magic, a shell escape or a help request becomes a line of the same number that Python
accepts; a cell whose magic runs Python (`%%time`, `%%timeit`, `%%capture`) loses only its magic
line; any other cell magic (`%%bash`, `%%writefile`, `%%html`), markdown and raw cells are left
out. Only code cell sources are read, so large embedded outputs cost nothing beyond the JSON
decode, and new outputs or execution counts do not change the virtual module (nor the cache key
built from it).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

NOTEBOOK_SUFFIX = ".ipynb"

PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "debug"})
"""Cell magics whose body is ordinary Python, run in the notebook's namespace."""

_LINE_MAGIC = re.compile(r"^(?P<indent>[ \t]*)(?:%|!)")
_ASSIGNED_ESCAPE = re.compile(r"^(?P<head>[ \t]*[A-Za-z_][\w.]*(?:\s*,\s*[A-Za-z_]\w*)*\s*=\s*)[!%]")
_HELP = re.compile(r"^(?P<indent>[ \t]*)(?:\?\??[\w.]+|[\w.]+\?\??)\s*$")


class NotebookError(Exception):
    """The file is not a notebook govcheck can read; the message says what was wrong."""


@dataclass(frozen=True, slots=True)
class CellProblem:
    """A code cell that does not parse: reported as GOV001 at its cell and line."""

    cell: int
    line: int
    column: int
    message: str
    source_line: str


@dataclass(frozen=True, slots=True)
class NotebookSource:
    """The virtual module of a notebook and where each of its lines came from."""

    code: str
    line_origins: tuple[tuple[int, int], ...]
    """Virtual line (index + 1) -> (1-based cell number among all cells, line in that cell)."""
    problems: tuple[CellProblem, ...]

    def origin(self, line: int) -> tuple[int, int]:
        if 0 < line <= len(self.line_origins):
            return self.line_origins[line - 1]
        return (self.line_origins[-1][0], 1) if self.line_origins else (1, 1)


def _cell_text(cell: dict, number: int) -> str:
    source = cell.get("source", "")
    if isinstance(source, list) and all(isinstance(part, str) for part in source):
        return "".join(source)
    if isinstance(source, str):
        return source
    raise NotebookError(f"cell {number}: 'source' must be a string or a list of strings")


def neutralise(text: str) -> str | None:
    """The cell's code with IPython syntax made inert, line for line; None to skip the cell."""
    lines = text.split("\n")
    first = lines[0].strip() if lines else ""
    if first.startswith("%%"):
        magic = first[2:].split(None, 1)[0] if first[2:].strip() else ""
        if magic not in PYTHON_CELL_MAGICS:
            return None
        lines[0] = ""
    result = []
    for line in lines:
        assigned = _ASSIGNED_ESCAPE.match(line)
        if assigned:
            result.append(f"{assigned.group('head')}None")
            continue
        magic = _LINE_MAGIC.match(line)
        if magic:
            result.append(f"{magic.group('indent')}pass")
            continue
        help_request = _HELP.match(line)
        if help_request and "?" in line:
            result.append(f"{help_request.group('indent')}pass")
            continue
        result.append(line)
    return "\n".join(result)


def read_notebook(data: bytes) -> NotebookSource:
    """Decode an nbformat 4 notebook into its virtual module.

    Raises `NotebookError` for invalid JSON, another nbformat or a missing `cells` list.
    """
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise NotebookError(f"not valid UTF-8 at byte {error.start}") from None
    except json.JSONDecodeError as error:
        raise NotebookError(f"not valid JSON (line {error.lineno}, column {error.colno}: "
                            f"{error.msg})") from None
    if not isinstance(document, dict):
        raise NotebookError("expected a JSON object with 'nbformat' and 'cells'")
    version = document.get("nbformat")
    if version != 4:
        raise NotebookError(f"nbformat {version!r} is not supported (expected nbformat 4; "
                            "convert with `jupyter nbconvert --to notebook`)")
    cells = document.get("cells")
    if not isinstance(cells, list):
        raise NotebookError("missing 'cells' list")
    chunks: list[str] = []
    origins: list[tuple[int, int]] = []
    problems: list[CellProblem] = []
    for number, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict):
            raise NotebookError(f"cell {number}: expected a JSON object")
        if cell.get("cell_type") != "code":
            continue
        code = neutralise(_cell_text(cell, number))
        if code is None or not code.strip():
            continue
        problem = _syntax_problem(code, number)
        if problem is not None:
            problems.append(problem)
            continue
        cell_lines = code.split("\n")
        if cell_lines and cell_lines[-1] == "":
            cell_lines.pop()
        chunks.extend(cell_lines)
        origins.extend((number, line) for line in range(1, len(cell_lines) + 1))
    code = "\n".join(chunks) + ("\n" if chunks else "")
    return NotebookSource(code, tuple(origins), tuple(problems))


def _syntax_problem(code: str, cell: int) -> CellProblem | None:
    """Each cell must parse on its own; CPython's compiler answers fast and precisely."""
    try:
        compile(code, f"<cell {cell}>", "exec", flags=0x400, dont_inherit=True)  # PyCF_ONLY_AST
    except SyntaxError as error:
        line = error.lineno or 1
        lines = code.split("\n")
        text = lines[line - 1] if 0 < line <= len(lines) else ""
        return CellProblem(cell, line, max(1, error.offset or 1), error.msg, text)
    except (ValueError, RecursionError, MemoryError) as error:
        return CellProblem(cell, 1, 1, str(error), "")
    return None
