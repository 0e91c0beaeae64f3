"""The records of per-file facts: plain data, cached by content hash and sent between processes."""

from __future__ import annotations

from dataclasses import dataclass, field

Event = tuple
"""One of:

- `("seed", generators)`: the listed global generators are seeded from here on;
- `("use", generator, site)`: something at `sites[site]` depends on that global generator;
- `("call", qualified_name)`: a call that may enter first-party code (resolved in project.py);
- `("branch", (block, ...))`: exactly one of the alternatives runs;
- `("loop", block)`: the block runs zero or more times;
- `("stop",)`: the path ends here (return, raise);
- `("flag", site)`: a finding that holds only where an entry point reaches this code;
- `("read", index)`: the data read `reads[index]` happens here (GOV2xx, GOV301);
- `("write", site)`: a model artifact is written here (GOV302);
- `("lineage", kinds)`: lineage of inputs and/or outputs is recorded here.
"""

Block = tuple  # tuple[Event, ...]
MODULE_BODY = "<module>"


@dataclass(frozen=True, slots=True)
class Site:
    """Where a finding would be, and what it would say."""

    code: str
    message: str
    line: int
    column: int
    end_line: int
    end_column: int
    context: str
    source_line: str
    fix: str | None = None


@dataclass(frozen=True, slots=True)
class DataRead:
    """A call that reads data: where, with which reader, and its path when known statically."""

    site: int
    reader: str
    path: str | None
    """The path as written, when it is a literal or built from literals; None otherwise."""
    seen: str
    """The path argument's source text, to say what could not be resolved."""


@dataclass(frozen=True, slots=True)
class ColumnAccess:
    """A column named on the result of a data read (`df["email"]`, `df.email`, `usecols=`)."""

    read: int
    column: str
    site: int


@dataclass(frozen=True, slots=True)
class ModuleFacts:
    """Everything the project analysis needs to know about one file."""

    path: str
    module: str
    is_package: bool
    functions: dict[str, Block] = field(default_factory=dict)
    """Qualified name within the module (`train`, `Trainer.fit`, `<module>`) -> its events."""
    classes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Class qualified name within the module -> qualified names of its bases."""
    sites: tuple[Site, ...] = ()
    local_sites: tuple[int, ...] = ()
    reads: tuple[DataRead, ...] = ()
    column_accesses: tuple[ColumnAccess, ...] = ()
    """Sites that are findings wherever they are (no whole-project reasoning needed)."""
    exports: dict[str, str] = field(default_factory=dict)
    """Module-level name -> the qualified name it is bound to (imports, defs, re-exports)."""
    has_main_guard: bool = False
    has_script_code: bool = False
    syntax_error: Site | None = None
    noqa: dict[int, tuple[frozenset[str] | None, str]] = field(default_factory=dict)
    """Line -> (codes or None for all, reason) of each `# noqa` comment."""
