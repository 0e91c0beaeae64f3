"""Per-file facts: what one module seeds, draws and calls, in program order.

One libcst parse per file and one pass over it produce a `ModuleFacts` record. The record is
plain data (tuples, strings, ints) so that it can be cached by content hash and sent between
worker processes; the whole-project analysis in `project.py` works on these records alone and
never sees a syntax tree.

Why not libcst's ScopeProvider and QualifiedNameProvider: they are correct, but measured at
about 9x the cost of the parse, and they still miss what matters here (star imports, names
rebound after import, methods of generator objects). This module keeps a lean binding table
per scope instead, filled in program order in the same pass that records the events:

- module scope is read in program order by module-level code; function bodies (which run
  after the module has been imported) see a module-level import, def or class in its final
  state, found by a shallow pre-pass, so a function may call one defined below it;
- a name assigned anywhere in a function is local to the whole function, as in Python;
- branches are walked from the same starting bindings and merged afterwards, keeping the
  binding that resolves when one alternative does not (`try: import torch` / `except: torch =
  None`), so a fallback never hides the real library.

Events form a small tree per function (see `Event`), so that `project.py` can tell a seed on
every path from a seed on some paths.
"""

from __future__ import annotations

import bisect
import dataclasses
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator

import libcst as cst

from govcheck.lint import knowledge as kb

# ----------------------------------------------------------------------------- records

Event = tuple
"""One of:

- `("seed", generators)`: the listed global generators are seeded from here on;
- `("use", generator, site)`: something at `sites[site]` depends on that global generator;
- `("call", qualified_name)`: a call that may enter first-party code (resolved in project.py);
- `("branch", (block, ...))`: exactly one of the alternatives runs;
- `("loop", block)`: the block runs zero or more times;
- `("stop",)`: the path ends here (return, raise);
- `("flag", site)`: a finding that holds only where an entry point reaches this code.
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
    """Sites that are findings wherever they are (no whole-project reasoning needed)."""
    exports: dict[str, str] = field(default_factory=dict)
    """Module-level name -> the qualified name it is bound to (imports, defs, re-exports)."""
    has_main_guard: bool = False
    has_script_code: bool = False
    syntax_error: Site | None = None
    noqa: dict[int, tuple[frozenset[str] | None, str]] = field(default_factory=dict)
    """Line -> (codes or None for all, reason) of each `# noqa` comment."""


# ----------------------------------------------------------------------------- values


@dataclass(slots=True)
class _GeneratorObject:
    """A generator object made in this file; a finding at `site` unless it gets seeded."""

    label: str
    site: int
    seeded: bool


@dataclass(slots=True, frozen=True)
class _Value:
    """What a name is bound to, as far as a lean resolver can tell."""

    qname: str | None = None
    generator: _GeneratorObject | None = None
    instance_of: str | None = None


_UNKNOWN = _Value()


class _Scope:
    __slots__ = ("bindings", "parent", "local_names", "is_class", "qualname", "class_qname",
                 "sorted_names", "pending_listings")

    def __init__(self, parent: _Scope | None, local_names: frozenset[str] | None,
                 is_class: bool, qualname: str, class_qname: str | None) -> None:
        self.bindings: dict[str, _Value] = {}
        self.parent = parent
        self.local_names = local_names
        self.is_class = is_class
        self.qualname = qualname
        self.class_qname = class_qname
        self.sorted_names: set[str] = set()
        self.pending_listings: list[tuple[str, int]] = []


# ----------------------------------------------------------------------------- helpers

_SKIPPED_FIELD_PREFIXES = ("whitespace", "lpar", "rpar", "leading_lines", "lines_after", "comma",
                           "semicolon", "equal", "colon", "header", "footer", "newline", "indent",
                           "dot", "operator", "lbracket", "rbracket", "lbrace", "rbrace",
                           "walrus", "arrow", "asynchronous", "trailing_whitespace", "star")
_FIELDS_CACHE: dict[type, tuple[str, ...]] = {}


def _child_fields(node_type: type) -> tuple[str, ...]:
    """The fields of a node type that can hold expressions or statements (not whitespace)."""
    names = _FIELDS_CACHE.get(node_type)
    if names is None:
        names = tuple(
            f.name for f in dataclasses.fields(node_type)
            if not f.name.startswith(_SKIPPED_FIELD_PREFIXES)
            and f.name not in ("default_indent", "default_newline", "encoding", "has_trailing_newline")
        )
        _FIELDS_CACHE[node_type] = names
    return names


def _dotted(node: cst.BaseExpression | None) -> str | None:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = _dotted(node.value)
        return None if base is None else f"{base}.{node.attr.value}"
    return None


def _is_none(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value == "None"


def _is_false(node: cst.BaseExpression) -> bool:
    if isinstance(node, cst.Name):
        return node.value in ("False", "None")
    return isinstance(node, cst.Integer) and node.value == "0"


def _is_true(node: cst.BaseExpression) -> bool:
    if isinstance(node, cst.Name):
        return node.value == "True"
    return isinstance(node, cst.Integer) and node.value != "0"


def _find_arg(call: cst.Call, position: int | None, keyword: str) -> cst.Arg | None:
    """The argument passed as `keyword=` or at `position`, None when absent (or hidden in *args)."""
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == keyword:
            return arg
    if position is None:
        return None
    index = 0
    for arg in call.args:
        if arg.keyword is not None or arg.star:
            break
        if index == position:
            return arg
        index += 1
    return None


def _has_star_args(call: cst.Call) -> bool:
    return any(arg.star for arg in call.args)


def _target_names(node: cst.CSTNode) -> Iterator[str]:
    """Names bound by an assignment target (`a`, `a, b`, `[a, *b]`)."""
    if isinstance(node, cst.Name):
        yield node.value
    elif isinstance(node, (cst.Tuple, cst.List)):
        for element in node.elements:
            yield from _target_names(element.value)
    elif isinstance(node, cst.StarredElement):
        yield from _target_names(node.value)


_NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*))?"
                   r"(?:\s*--\s*(?P<reason>.*))?", re.IGNORECASE)


# ----------------------------------------------------------------------------- extractor


class _Extractor:
    """Walks one module once, in program order, building bindings, events and sites."""

    def __init__(self, module: cst.Module, source: str, module_name: str, is_package: bool,
                 path: str, extra_seeders: Iterable[str]) -> None:
        self.module = module
        self.source = source
        self.module_name = module_name
        self.is_package = is_package
        self.path = path
        self.seeders = dict(kb.SEEDERS)
        for name in extra_seeders:
            self.seeders[name] = kb.project_seeder()
        self.line_starts = [0]
        for match in re.finditer("\n", source):
            self.line_starts.append(match.end())
        self.lines = source.splitlines()
        self.cursor = 0
        self.located: set[tuple[int, str, str]] = set()
        self.sites: list[Site] = []
        self.local_sites: list[int] = []
        self.functions: dict[str, Block] = {}
        self.classes: dict[str, tuple[str, ...]] = {}
        self.generators: list[_GeneratorObject] = []
        self.final_module_names: dict[str, _Value] = {}
        self.instance_attributes: dict[tuple[str, str], _Value] = {}
        self.anchor: cst.CSTNode | None = None
        """The statement (or compound statement's header) being walked, not yet located."""
        self.out: list[Event] = []
        self.star_modules: list[str] = []
        self.imports_torch = False
        self.imports_datasets = False
        self.has_main_guard = False
        self.has_script_code = False
        self.module_scope = _Scope(None, None, False, "", None)

    # ------------------------------------------------------------------ entry

    def run(self) -> ModuleFacts:
        text = self.source
        self.imports_torch = "torch" in text
        self.imports_datasets = "datasets" in text
        self.out = []
        self.final_module_names = self._static_module_names(self.module.body)
        self._statements(self.module.body, self.module_scope, top_level=True)
        self.functions[MODULE_BODY] = tuple(self.out)
        self._finish_listings(self.module_scope)
        for generator in self.generators:
            if not generator.seeded:
                self.local_sites.append(generator.site)
        return ModuleFacts(
            path=self.path, module=self.module_name, is_package=self.is_package,
            functions=self.functions, classes=self.classes, sites=tuple(self.sites),
            local_sites=tuple(self.local_sites), has_main_guard=self.has_main_guard,
            exports={name: value.qname for name, value in self.module_scope.bindings.items()
                     if value.qname is not None},
            has_script_code=self.has_script_code,
        )

    # ------------------------------------------------------------------ sites

    def _site(self, node: cst.CSTNode, code: str, message: str, context: str,
              fix: str | None = None) -> int:
        """Record a site for `node`, located by searching its exact text forward in the source.

        Computing positions through libcst's PositionProvider costs twice the parse; the walk
        visits nodes in source order, so a forward search from the last located node finds the
        same place at the cost of generating the code of this one node.
        """
        if self.anchor is not None:
            # Find the enclosing statement first: its whole text is far more distinctive than
            # the call's, so identical calls in earlier statements are skipped over.
            anchor_text = self.module.code_for_node(self.anchor).strip().split("\n", 1)[0]
            self.anchor = None
            if anchor_text:
                self._locate(anchor_text, "statement")
        snippet = self.module.code_for_node(node).strip()
        first_line = snippet.split("\n", 1)[0]
        start = self._locate(first_line or snippet, "node")
        line = bisect.bisect_right(self.line_starts, start)
        column = start - self.line_starts[line - 1] + 1
        span_lines = snippet.split("\n")
        end_line = line + len(span_lines) - 1
        end_column = (column + len(span_lines[0]) if len(span_lines) == 1
                      else len(span_lines[-1]) + 1)
        source_line = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        self.sites.append(Site(code, message, line, column, end_line, end_column,
                               context or MODULE_BODY, source_line, fix))
        return len(self.sites) - 1

    def _locate(self, snippet: str, kind: str) -> int:
        """The first place at or after the cursor where `snippet` stands and no earlier site of
        the same kind was found; the cursor moves there."""
        for begin in (self.cursor, 0):
            position = self.source.find(snippet, begin)
            while position != -1 and (position, kind, snippet) in self.located:
                position = self.source.find(snippet, position + 1)
            if position != -1:
                self.located.add((position, kind, snippet))
                self.cursor = position
                return position
        return self.cursor

    # ------------------------------------------------------------------ scopes

    def _lookup(self, name: str, scope: _Scope) -> _Value:
        current: _Scope | None = scope
        first = True
        in_function = False
        while current is not None:
            if current.is_class and not first:
                current = current.parent
                continue
            if in_function and current is self.module_scope:
                final = self.final_module_names.get(name)
                if final is not None:
                    return final
            if current.local_names is not None:
                in_function = True
            value = current.bindings.get(name)
            if value is not None:
                return value
            if current.local_names is not None and name in current.local_names:
                return _UNKNOWN
            first = False
            current = current.parent
        for module in self.star_modules:
            candidate = f"{module}.{name}"
            if (candidate in kb.GLOBAL_DRAWS or candidate in self.seeders
                    or candidate in kb.GENERATOR_CONSTRUCTORS or candidate in kb.NOT_SEEDS
                    or candidate in kb.SHUFFLERS or candidate in kb.SKLEARN_RANDOM_STATE
                    or candidate in kb.UNORDERED_LISTINGS):
                return _Value(qname=candidate)
        return _UNKNOWN

    def _resolve(self, node: cst.BaseExpression, scope: _Scope) -> _Value:
        """What an expression denotes: a qualified name, a generator object, an instance."""
        if isinstance(node, cst.Name):
            return self._lookup(node.value, scope)
        if isinstance(node, cst.Attribute):
            base = self._resolve(node.value, scope)
            if base.qname is not None:
                return _Value(qname=f"{base.qname}.{node.attr.value}")
            if base.instance_of is not None:
                return self.instance_attributes.get((base.instance_of, node.attr.value), _UNKNOWN)
            return _UNKNOWN
        return _UNKNOWN

    def _bind(self, name: str, value: _Value, scope: _Scope) -> None:
        scope.bindings[name] = value

    # ------------------------------------------------------------------ statements

    def _statements(self, body: Iterable[cst.CSTNode], scope: _Scope, top_level: bool = False) -> None:
        for statement in body:
            self._statement(statement, scope, top_level)

    def _suite(self, suite: cst.BaseSuite, scope: _Scope) -> None:
        if isinstance(suite, cst.IndentedBlock):
            self._statements(suite.body, scope)
        else:
            self._statements(suite.body, scope)

    def _collect(self, run: Any) -> Block:
        """Run `run()` with a fresh event list and return what it emitted."""
        saved = self.out
        self.out = []
        try:
            run()
            return tuple(self.out)
        finally:
            self.out = saved

    def _alternatives(self, scope: _Scope, runs: list[Any]) -> None:
        """Walk each alternative from the same bindings, emit a branch, merge the bindings."""
        before = dict(scope.bindings)
        blocks = []
        results = []
        for run in runs:
            scope.bindings = dict(before)
            blocks.append(self._collect(run))
            results.append(scope.bindings)
        merged: dict[str, _Value] = {}
        for bindings in results:
            for name, value in bindings.items():
                current = merged.get(name)
                if current is None or (current.qname is None and current.generator is None
                                       and current.instance_of is None):
                    merged[name] = value
        scope.bindings = merged
        if any(blocks):
            self.out.append(("branch", tuple(blocks)))

    def _statement(self, node: cst.CSTNode, scope: _Scope, top_level: bool) -> None:
        kind = type(node)
        if kind is cst.SimpleStatementLine:
            for small in node.body:
                self.anchor = small
                self._small_statement(small, scope, top_level)
        elif kind is cst.FunctionDef:
            for decorator in node.decorators:
                self._expression(decorator.decorator, scope)
            self._parameters_defaults(node.params, scope)
            qualname = f"{scope.qualname}.{node.name.value}" if scope.qualname else node.name.value
            self._bind(node.name.value, _Value(qname=f"{self.module_name}.{qualname}"), scope)
            self._function_body(node, scope, qualname,
                                scope.class_qname if scope.is_class else None)
        elif kind is cst.ClassDef:
            self._class(node, scope)
        elif kind is cst.If:
            self._if(node, scope, top_level)
        elif kind is cst.For:
            self.anchor = node.iter
            self._expression(node.iter, scope, ordered_context=True)
            self._bind_target(node.target, _UNKNOWN, scope)
            body = self._collect(lambda: self._loop_body(node, scope))
            if body:
                self.out.append(("loop", body))
            if node.orelse is not None:
                self._suite(node.orelse.body, scope)
            if top_level:
                self.has_script_code = True
        elif kind is cst.While:
            self.anchor = node.test
            self._expression(node.test, scope)
            body = self._collect(lambda: self._suite(node.body, scope))
            if body:
                self.out.append(("loop", body))
            if node.orelse is not None:
                self._suite(node.orelse.body, scope)
            if top_level:
                self.has_script_code = True
        elif kind is cst.With:
            for item in node.items:
                self.anchor = item.item
                self._expression(item.item, scope)
                if item.asname is not None:
                    self._bind_target(item.asname.name, _UNKNOWN, scope)
            self._suite(node.body, scope)
            if top_level:
                self.has_script_code = True
        elif kind is cst.Try or kind is cst.TryStar:
            self._try(node, scope)
        elif kind is cst.Match:
            self._expression(node.subject, scope)
            self._alternatives(scope, [(lambda case=case: self._suite(case.body, scope))
                                       for case in node.cases] + [lambda: None])

    def _loop_body(self, node: cst.For, scope: _Scope) -> None:
        self._suite(node.body, scope)

    def _if(self, node: cst.If, scope: _Scope, top_level: bool) -> None:
        self.anchor = node.test
        self._expression(node.test, scope)
        if top_level and self._is_main_guard(node.test):
            self.has_main_guard = True
            self._suite(node.body, scope)
            return
        if top_level and _dotted(node.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING"):
            self._suite(node.body, scope)
            return
        orelse = node.orelse
        runs = [lambda: self._suite(node.body, scope)]
        if orelse is None:
            runs.append(lambda: None)
        elif isinstance(orelse, cst.If):
            runs.append(lambda: self._if(orelse, scope, False))
        else:
            runs.append(lambda: self._suite(orelse.body, scope))
        self._alternatives(scope, runs)

    @staticmethod
    def _is_main_guard(test: cst.BaseExpression) -> bool:
        if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
            return False
        left, right = test.left, test.comparisons[0].comparator
        names = {_dotted(left), _dotted(right)}
        strings = {node.evaluated_value for node in (left, right)
                   if isinstance(node, cst.SimpleString)}
        return "__name__" in names and "__main__" in strings

    def _try(self, node: cst.Try | cst.TryStar, scope: _Scope) -> None:
        def body_and_else() -> None:
            self._suite(node.body, scope)
            if node.orelse is not None:
                self._suite(node.orelse.body, scope)

        runs = [body_and_else]
        for handler in node.handlers:
            def run_handler(handler: cst.ExceptHandler = handler) -> None:
                if handler.type is not None:
                    self._expression(handler.type, scope)
                if handler.name is not None:
                    self._bind_target(handler.name.name, _UNKNOWN, scope)
                self._suite(handler.body, scope)
            runs.append(run_handler)
        if len(runs) == 1:
            body_and_else()
        else:
            self._alternatives(scope, runs)
        if node.finalbody is not None:
            self._suite(node.finalbody.body, scope)

    def _class(self, node: cst.ClassDef, scope: _Scope) -> None:
        for decorator in node.decorators:
            self._expression(decorator.decorator, scope)
        bases = []
        for arg in node.bases:
            self._expression(arg.value, scope)
            value = self._resolve(arg.value, scope)
            if value.qname is not None:
                bases.append(value.qname)
        qualname = f"{scope.qualname}.{node.name.value}" if scope.qualname else node.name.value
        self.classes[qualname] = tuple(bases)
        class_qname = f"{self.module_name}.{qualname}"
        class_scope = _Scope(scope, None, True, qualname, class_qname)
        self._suite(node.body, class_scope)
        self._bind(node.name.value, _Value(qname=class_qname), scope)

    def _parameters_defaults(self, params: cst.Parameters, scope: _Scope) -> None:
        for param in (*params.posonly_params, *params.params, *params.kwonly_params):
            if param.default is not None:
                self._expression(param.default, scope)

    def _function_body(self, node: cst.FunctionDef, parent: _Scope, qualname: str,
                       class_qname: str | None) -> None:
        local_names = set(_local_names(node))
        scope = _Scope(parent, frozenset(local_names), False, qualname, class_qname)
        params = node.params
        all_params = [*params.posonly_params, *params.params, *params.kwonly_params]
        for param in all_params:
            scope.bindings[param.name.value] = _UNKNOWN
        for star in (params.star_arg, params.star_kwarg):
            if isinstance(star, cst.Param):
                scope.bindings[star.name.value] = _UNKNOWN
        if class_qname is not None and all_params and not _is_static(node):
            scope.bindings[all_params[0].name.value] = _Value(instance_of=class_qname)
        saved = self.out
        self.out = []
        self._suite(node.body, scope)
        self._finish_listings(scope)
        self.functions[qualname] = tuple(self.out)
        self.out = saved

    # ------------------------------------------------------------------ small statements

    def _small_statement(self, node: cst.CSTNode, scope: _Scope, top_level: bool) -> None:
        kind = type(node)
        if kind is cst.Expr:
            if top_level and isinstance(node.value, cst.Call):
                self.has_script_code = True
            self._expression(node.value, scope)
        elif kind is cst.Assign:
            self._assign(node, scope)
        elif kind is cst.AnnAssign:
            if node.value is not None:
                value = self._expression(node.value, scope)
                self._bind_target(node.target, value, scope)
        elif kind is cst.AugAssign:
            self._expression(node.value, scope)
        elif kind is cst.Import:
            self._import(node, scope)
        elif kind is cst.ImportFrom:
            self._import_from(node, scope)
        elif kind is cst.Return:
            if node.value is not None:
                self._expression(node.value, scope)
            self.out.append(("stop",))
        elif kind is cst.Raise:
            if node.exc is not None:
                self._expression(node.exc, scope)
            self.out.append(("stop",))
        elif kind is cst.Del or kind is cst.Assert:
            self._generic(node, scope)

    def _assign(self, node: cst.Assign, scope: _Scope) -> None:
        value = self._expression(node.value, scope)
        for target in node.targets:
            target_node = target.target
            if isinstance(target_node, cst.Attribute):
                self._attribute_assignment(target_node, node.value, scope)
                owner = self._expression(target_node.value, scope)
                if owner.instance_of is not None and value.generator is not None:
                    # `self.rng = np.random.default_rng()` in one method, `self.rng.seed(1)`
                    # or `self.rng.normal()` in another: the object is the same.
                    self.instance_attributes[(owner.instance_of, target_node.attr.value)] = value
            elif isinstance(target_node, cst.Subscript):
                self._expression(target_node, scope)
            self._bind_target(target_node, value, scope)
            if (isinstance(target_node, cst.Name) and value.qname is None
                    and self._is_listing_call(node.value, scope)):
                scope.pending_listings.append((target_node.value, len(self.sites) - 1))

    def _attribute_assignment(self, target: cst.Attribute, value: cst.BaseExpression,
                              scope: _Scope) -> None:
        qname = self._resolve(target, scope).qname
        if qname == kb.CUDNN_BENCHMARK and _is_true(value):
            site = self._site(target, "GOV107",
                              "`torch.backends.cudnn.benchmark = True` lets cuDNN pick kernels by "
                              "timing, so results can differ between runs",
                              scope.qualname, "set `torch.backends.cudnn.benchmark = False`")
            self.out.append(("flag", site))
        elif qname == kb.CUDNN_DETERMINISTIC and _is_false(value):
            site = self._site(target, "GOV107",
                              "`torch.backends.cudnn.deterministic = False` allows "
                              "nondeterministic cuDNN kernels",
                              scope.qualname, "set `torch.backends.cudnn.deterministic = True`")
            self.out.append(("flag", site))

    def _bind_target(self, target: cst.CSTNode, value: _Value, scope: _Scope) -> None:
        if isinstance(target, cst.Name):
            self._bind(target.value, value, scope)
        else:
            for name in _target_names(target):
                self._bind(name, _UNKNOWN, scope)

    def _import(self, node: cst.Import, scope: _Scope) -> None:
        for alias in node.names:
            dotted = _dotted(alias.name)
            if dotted is None:
                continue
            self._note_import(dotted)
            if alias.asname is not None:
                self._bind_target(alias.asname.name, _Value(qname=dotted), scope)
            else:
                top = dotted.split(".", 1)[0]
                self._bind(top, _Value(qname=top), scope)
            parts = dotted.split(".")
            for index in range(1, len(parts) + 1):
                self.out.append(("call", ".".join(parts[:index]) + "." + MODULE_BODY))

    def _import_base(self, node: cst.ImportFrom) -> str:
        """The absolute module a `from ... import` reads from, relative imports resolved."""
        module = _dotted(node.module) if node.module is not None else ""
        level = len(node.relative)
        if not level:
            return module or ""
        package_parts = self.module_name.split(".")
        if not self.is_package:
            package_parts = package_parts[:-1]
        if level > 1:
            package_parts = package_parts[: len(package_parts) - (level - 1)]
        return ".".join(part for part in (".".join(package_parts), module or "") if part)

    def _static_module_names(self, body: Iterable[cst.CSTNode]) -> dict[str, _Value]:
        """Module-level names whose final binding is an import, a def or a class.

        A shallow pass (no function bodies) in program order; a later assignment to the name
        removes it, since its value is then only known in program order.
        """
        names: dict[str, _Value] = {}
        pending = list(body)
        index = 0
        while index < len(pending):
            node = pending[index]
            index += 1
            kind = type(node)
            if kind is cst.SimpleStatementLine:
                for small in node.body:
                    small_kind = type(small)
                    if small_kind is cst.Import:
                        for alias in small.names:
                            dotted = _dotted(alias.name)
                            if dotted is None:
                                continue
                            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                                names[alias.asname.name.value] = _Value(qname=dotted)
                            elif alias.asname is None:
                                top = dotted.split(".", 1)[0]
                                names[top] = _Value(qname=top)
                    elif small_kind is cst.ImportFrom and not isinstance(small.names, cst.ImportStar):
                        base = self._import_base(small)
                        for alias in small.names:
                            name = _dotted(alias.name)
                            bound = alias.asname.name if alias.asname is not None else alias.name
                            if base and name and isinstance(bound, cst.Name):
                                names[bound.value] = _Value(qname=f"{base}.{name}")
                    elif small_kind is cst.Assign:
                        for target in small.targets:
                            for name in _target_names(target.target):
                                names.pop(name, None)
                    elif small_kind is cst.AnnAssign or small_kind is cst.AugAssign:
                        for name in _target_names(small.target):
                            names.pop(name, None)
            elif kind is cst.FunctionDef or kind is cst.ClassDef:
                names[node.name.value] = _Value(qname=f"{self.module_name}.{node.name.value}")
            elif kind is cst.If or kind is cst.For or kind is cst.While or kind is cst.With:
                pending.extend(node.body.body)
                orelse = getattr(node, "orelse", None)
                while isinstance(orelse, cst.If):
                    pending.extend(orelse.body.body)
                    orelse = orelse.orelse
                if orelse is not None:
                    pending.extend(orelse.body.body)
            elif kind is cst.Try or kind is cst.TryStar:
                pending.extend(node.body.body)
                for handler in node.handlers:
                    pending.extend(handler.body.body)
        return names

    def _import_from(self, node: cst.ImportFrom, scope: _Scope) -> None:
        base = self._import_base(node)
        if not base:
            return
        self._note_import(base)
        self.out.append(("call", f"{base}.{MODULE_BODY}"))
        if isinstance(node.names, cst.ImportStar):
            self.star_modules.append(base)
            return
        for alias in node.names:
            name = _dotted(alias.name)
            if name is None:
                continue
            qname = f"{base}.{name}"
            bound = alias.asname.name if alias.asname is not None else alias.name
            self._bind_target(bound, _Value(qname=qname), scope)
            self.out.append(("call", f"{qname}.{MODULE_BODY}"))

    def _note_import(self, dotted: str) -> None:
        top = dotted.split(".", 1)[0]
        if top == "torch":
            self.imports_torch = True
        elif top == "datasets":
            self.imports_datasets = True

    # ------------------------------------------------------------------ expressions

    def _generic(self, node: cst.CSTNode, scope: _Scope, ordered_context: bool = False) -> None:
        for name in _child_fields(type(node)):
            child = getattr(node, name)
            if isinstance(child, cst.CSTNode):
                if isinstance(child, cst.BaseExpression):
                    self._expression(child, scope, ordered_context)
                else:
                    self._generic(child, scope, ordered_context)
            elif isinstance(child, (tuple, list)):
                for item in child:
                    if isinstance(item, cst.BaseExpression):
                        self._expression(item, scope, ordered_context)
                    elif isinstance(item, cst.CSTNode):
                        self._generic(item, scope, ordered_context)

    def _expression(self, node: cst.BaseExpression, scope: _Scope,
                    ordered_context: bool = True) -> _Value:
        kind = type(node)
        if kind is cst.Name or kind is cst.SimpleString or kind is cst.Integer or kind is cst.Float:
            return self._resolve(node, scope) if kind is cst.Name else _UNKNOWN
        if kind is cst.Attribute:
            self._expression(node.value, scope)
            return self._resolve(node, scope)
        if kind is cst.Call:
            return self._call(node, scope, ordered_context)
        if kind is cst.Lambda:
            self._lambda(node, scope)
            return _UNKNOWN
        if kind is cst.NamedExpr:
            value = self._expression(node.value, scope)
            self._bind_target(node.target, value, scope)
            return value
        self._generic(node, scope, ordered_context)
        return _UNKNOWN

    def _lambda(self, node: cst.Lambda, scope: _Scope) -> None:
        """A lambda's body is analysed where it is written, with its parameters shadowing."""
        self._parameters_defaults(node.params, scope)
        params = node.params
        names = [param.name.value for param in (*params.posonly_params, *params.params,
                                                 *params.kwonly_params)]
        for star in (params.star_arg, params.star_kwarg):
            if isinstance(star, cst.Param):
                names.append(star.name.value)
        inner = _Scope(scope, frozenset(names), False, scope.qualname, scope.class_qname)
        for name in names:
            inner.bindings[name] = _UNKNOWN
        self._expression(node.body, inner)

    def _call(self, node: cst.Call, scope: _Scope, ordered_context: bool) -> _Value:
        func = node.func
        receiver: _Value = _UNKNOWN
        method: str | None = None
        if isinstance(func, cst.Attribute):
            receiver = self._expression(func.value, scope)
            method = func.attr.value
            target = (_Value(qname=f"{receiver.qname}.{method}") if receiver.qname is not None
                      else _UNKNOWN)
        elif isinstance(func, cst.Name):
            target = self._lookup(func.value, scope)
        else:
            self._expression(func, scope)
            target = _UNKNOWN
        builtin = func.value if isinstance(func, cst.Name) and target.qname is None else None
        wrapper = target.qname in kb.ORDER_INSENSITIVE_WRAPPERS or (
            builtin in kb.ORDER_INSENSITIVE_WRAPPERS)
        # `len(list(p.iterdir()))`: a plain container keeps whatever order its caller needs.
        args_ordered = ordered_context if builtin in kb.ORDER_PRESERVING_CONTAINERS else not wrapper
        for arg in node.args:
            self._expression(arg.value, scope, ordered_context=args_ordered)
            if wrapper and isinstance(arg.value, cst.Name):
                scope.sorted_names.add(arg.value.value)
        if method == "sort" and isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name):
            scope.sorted_names.add(func.value.value)
        qname = target.qname
        if qname is not None:
            return self._known_call(node, qname, scope, ordered_context)
        if method is not None:
            return self._method_call(node, method, receiver, scope, ordered_context)
        return _UNKNOWN

    def _known_call(self, node: cst.Call, qname: str, scope: _Scope, ordered_context: bool) -> _Value:
        context = scope.qualname
        draw = kb.GLOBAL_DRAWS.get(qname)
        if draw is not None:
            if draw == kb.TORCH and _find_arg(node, None, "generator") is not None:
                return _UNKNOWN
            api = qname.replace("numpy.random.mtrand.", "numpy.random.")
            self._use(node, draw, "GOV101",
                      f"`{api}()` draws from {kb.GENERATOR_LABELS[draw]}", context,
                      _seed_fix(draw))
            return _UNKNOWN
        seeder = self.seeders.get(qname)
        if seeder is not None:
            self._seeder_call(node, qname, seeder, scope)
            return _UNKNOWN
        if qname in kb.NOT_SEEDS:
            site = self._site(node, "GOV105", f"`{qname}()` {kb.NOT_SEEDS[qname]}: it is not a "
                              "seed", context, "call `torch.manual_seed(SEED)` with a fixed value")
            self.local_sites.append(site)
            return _UNKNOWN
        constructor = kb.GENERATOR_CONSTRUCTORS.get(qname)
        if constructor is not None:
            return self._generator_construction(node, qname, constructor, scope)
        shuffler = kb.SHUFFLERS.get(qname)
        if shuffler is not None:
            self._shuffler(node, shuffler, scope)
            return _Value(instance_of=qname)
        sklearn = kb.SKLEARN_RANDOM_STATE.get(qname)
        if sklearn is not None:
            self._sklearn(node, qname, sklearn, scope)
            return _Value(instance_of=qname)
        if qname in kb.UNORDERED_LISTINGS:
            if ordered_context:
                self.local_sites.append(self._listing_site(node, kb.UNORDERED_LISTINGS[qname], scope))
            return _UNKNOWN
        if qname == kb.USE_DETERMINISTIC_ALGORITHMS:
            arg = _find_arg(node, 0, "mode")
            if arg is not None and _is_false(arg.value):
                site = self._site(node, "GOV107", "`torch.use_deterministic_algorithms(False)` "
                                  "allows nondeterministic kernels", context,
                                  "call `torch.use_deterministic_algorithms(True)`")
                self.out.append(("flag", site))
            return _UNKNOWN
        self.out.append(("call", qname))
        return _Value(instance_of=qname)

    def _method_call(self, node: cst.Call, method: str, receiver: _Value, scope: _Scope,
                     ordered_context: bool) -> _Value:
        if receiver.generator is not None:
            if method in kb.GENERATOR_SEED_METHODS:
                self._seed_generator_object(node, receiver.generator, scope)
                return receiver
            return _UNKNOWN
        if method in kb.TENSOR_INPLACE_DRAWS and self.imports_torch:
            if _find_arg(node, None, "generator") is None:
                self._use(node, kb.TORCH, "GOV101",
                          f"`Tensor.{method}()` draws from {kb.GENERATOR_LABELS[kb.TORCH]}",
                          scope.qualname, _seed_fix(kb.TORCH))
            return _UNKNOWN
        if method in kb.HF_DATASETS_SHUFFLING_METHODS and self.imports_datasets:
            if _find_arg(node, None, "seed") is None and _find_arg(node, None, "generator") is None:
                self._use(node, kb.NUMPY, "GOV104",
                          f"`.{method}()` without `seed=` takes its seed from NumPy's global "
                          "generator", scope.qualname, f"pass `seed=SEED` to `.{method}()`")
            return _UNKNOWN
        if method in kb.UNORDERED_LISTING_METHODS and ordered_context and not node.args[1:]:
            self.local_sites.append(self._listing_site(node, f"Path.{method}", scope))
            return _UNKNOWN
        if receiver.instance_of is not None:
            self.out.append(("call", f"{receiver.instance_of}.{method}"))
        return _UNKNOWN

    # ------------------------------------------------------------------ specific calls

    def _use(self, node: cst.CSTNode, generator: str, code: str, message: str, context: str,
             fix: str | None) -> None:
        site = self._site(node, code, message, context, fix)
        self.out.append(("use", generator, site))

    def _seed_value_problem(self, arg: cst.Arg | None, scope: _Scope,
                            missing_is_fine: bool) -> str | None:
        """Why a seed argument is not a seed, or None when it is one."""
        if arg is None:
            return None if missing_is_fine else "is called without a seed, so it seeds from fresh entropy"
        if _is_none(arg.value):
            return "is given `None`, so it seeds from fresh entropy"
        source = self._entropy_source(arg.value, scope)
        if source is not None:
            return f"takes its seed from {source}, which differs on every run"
        return None

    def _entropy_source(self, node: cst.CSTNode, scope: _Scope) -> str | None:
        if isinstance(node, cst.Call):
            qname = self._resolve(node.func, scope).qname
            if qname in kb.ENTROPY_SOURCES:
                return kb.ENTROPY_SOURCES[qname]
            if qname is not None and qname.startswith("secrets."):
                return "`secrets`"
        for name in _child_fields(type(node)):
            child = getattr(node, name)
            children = child if isinstance(child, (tuple, list)) else (child,)
            for item in children:
                if isinstance(item, cst.CSTNode):
                    found = self._entropy_source(item, scope)
                    if found is not None:
                        return found
        return None

    def _seeder_call(self, node: cst.Call, qname: str, seeder: kb.Seeder, scope: _Scope) -> None:
        if seeder.seed_arg is None:
            self.out.append(("seed", seeder.generators))
            return
        if _has_star_args(node):
            self.out.append(("seed", seeder.generators))
            return
        position, keyword = seeder.seed_arg
        arg = _find_arg(node, position, keyword)
        problem = self._seed_value_problem(arg, scope, seeder.seeds_when_missing)
        if problem is None:
            self.out.append(("seed", seeder.generators))
            return
        site = self._site(node, "GOV105", f"`{qname}()` {problem}: it is not a seed",
                          scope.qualname, f"pass a fixed seed, e.g. `{qname}(SEED)` with SEED from "
                          "your config or command line")
        self.local_sites.append(site)

    def _generator_construction(self, node: cst.Call, qname: str,
                                constructor: kb.GeneratorConstructor, scope: _Scope) -> _Value:
        context = scope.qualname
        seeded = False
        if constructor.seed_arg is not None:
            position, keyword = constructor.seed_arg
            arg = _find_arg(node, position, keyword)
            if _has_star_args(node):
                seeded = True
            elif arg is not None and not _is_none(arg.value):
                source = self._entropy_source(arg.value, scope)
                if source is not None:
                    site = self._site(node, "GOV105", f"`{qname}()` takes its seed from {source}, "
                                      "which differs on every run: it is not a seed", context,
                                      f"pass a fixed seed to `{qname}()`")
                    self.local_sites.append(site)
                    return _Value(generator=_GeneratorObject(constructor.label, site, True))
                seeded = True
        if seeded:
            return _Value(generator=_GeneratorObject(constructor.label, -1, True))
        fix = (f"pass a seed: `{qname}(SEED)`" if constructor.seed_arg is not None
               else "seed it: `torch.Generator().manual_seed(SEED)`")
        reason = ("is never given `manual_seed`, so it runs from torch's fixed default seed, "
                  "independent of your configured seed" if constructor.seed_arg is None
                  else "is made without a seed, so it draws fresh entropy on every run")
        site = self._site(node, "GOV102", f"`{qname}()` {reason}", context, fix)
        generator = _GeneratorObject(constructor.label, site, False)
        self.generators.append(generator)
        return _Value(generator=generator)

    def _seed_generator_object(self, node: cst.Call, generator: _GeneratorObject,
                               scope: _Scope) -> None:
        arg = node.args[0] if node.args else None
        problem = self._seed_value_problem(arg, scope, missing_is_fine=False)
        if problem is None:
            generator.seeded = True
            return
        method = node.func.attr.value if isinstance(node.func, cst.Attribute) else "seed"
        site = self._site(node, "GOV105", f"`{generator.label}.{method}()` {problem}: it is not a "
                          "seed", scope.qualname, f"pass a fixed seed to `.{method}()`")
        self.local_sites.append(site)

    def _shuffler(self, node: cst.Call, shuffler: kb.Shuffler, scope: _Scope) -> None:
        if shuffler.only_when is not None:
            position, keyword = shuffler.only_when
            arg = _find_arg(node, position, keyword)
            if arg is None or _is_false(arg.value):
                return
        generator = _find_arg(node, None, "generator")
        if generator is not None and not _is_none(generator.value):
            return
        self._use(node, kb.TORCH, "GOV103",
                  f"`{shuffler.label}` without `generator=` shuffles with torch's global generator",
                  scope.qualname,
                  "pass `generator=torch.Generator().manual_seed(SEED)`")

    def _sklearn(self, node: cst.Call, qname: str, spec: tuple[int | None, bool | None],
                 scope: _Scope) -> None:
        position, shuffle_default = spec
        if _has_star_args(node):
            return
        arg = _find_arg(node, position, "random_state")
        if arg is not None and not _is_none(arg.value):
            return
        # Only the splitters use random_state for shuffling alone; data generators such as
        # make_classification(shuffle=False) still draw their noise from it.
        if shuffle_default is not None and qname.startswith("sklearn.model_selection."):
            shuffle = _find_arg(node, None, "shuffle")
            if shuffle is None and not shuffle_default:
                return
            if shuffle is not None and _is_false(shuffle.value):
                return
        name = qname.rsplit(".", 1)[-1]
        self._use(node, kb.NUMPY, "GOV104",
                  f"`{name}` without `random_state` falls back to NumPy's global generator",
                  scope.qualname, f"pass `random_state=SEED` to `{name}`")

    def _is_listing_call(self, node: cst.BaseExpression, scope: _Scope) -> bool:
        if not isinstance(node, cst.Call):
            return False
        if isinstance(node.func, cst.Attribute) and node.func.attr.value in kb.UNORDERED_LISTING_METHODS:
            return self._resolve(node.func.value, scope).qname is None or \
                self._resolve(node.func, scope).qname in kb.UNORDERED_LISTINGS
        return self._resolve(node.func, scope).qname in kb.UNORDERED_LISTINGS

    def _listing_site(self, node: cst.Call, api: str, scope: _Scope) -> int:
        return self._site(node, "GOV106",
                          f"`{api}()` returns entries in file-system order, which differs between "
                          "machines", scope.qualname, f"wrap it: `sorted({api.split('.')[-1]}(...))`"
                          if "." not in api else f"wrap it: `sorted({api}(...))`")

    def _finish_listings(self, scope: _Scope) -> None:
        """A listing bound to a name is fine when that name is later sorted in the same scope."""
        for name, site in scope.pending_listings:
            if name in scope.sorted_names and site in self.local_sites:
                self.local_sites.remove(site)


def _seed_fix(generator: str) -> str:
    return {
        kb.PYTHON: "call `random.seed(SEED)` (or govcheck.seed_everything) in every entry point first",
        kb.NUMPY: "use `rng = np.random.default_rng(SEED)` and draw from `rng`, or seed with "
                  "`np.random.seed(SEED)` first",
        kb.TORCH: "call `torch.manual_seed(SEED)` first, or pass `generator=` a seeded generator",
    }[generator]


def _is_static(node: cst.FunctionDef) -> bool:
    return any(_dotted(d.decorator) in ("staticmethod",) for d in node.decorators)


def _local_names(node: cst.FunctionDef) -> Iterator[str]:
    """Names a function binds anywhere in its own body: Python makes them local everywhere."""
    params = node.params
    for param in (*params.posonly_params, *params.params, *params.kwonly_params):
        yield param.name.value
    for star in (params.star_arg, params.star_kwarg):
        if isinstance(star, cst.Param):
            yield star.name.value
    declared_global: set[str] = set()
    stack: list[cst.CSTNode] = [node.body]
    while stack:
        current = stack.pop()
        kind = type(current)
        if kind is cst.FunctionDef or kind is cst.ClassDef:
            yield current.name.value
            continue
        if kind is cst.Lambda:
            continue
        if kind is cst.Global or kind is cst.Nonlocal:
            declared_global.update(item.name.value for item in current.names)
            continue
        if kind is cst.AssignTarget:
            for name in _target_names(current.target):
                if name not in declared_global:
                    yield name
        elif kind is cst.AnnAssign or kind is cst.AugAssign or kind is cst.For:
            for name in _target_names(current.target):
                if name not in declared_global:
                    yield name
        elif kind is cst.NamedExpr:
            yield from _target_names(current.target)
        elif kind is cst.AsName:
            yield from _target_names(current.name)
        elif kind is cst.ImportAlias:
            if current.asname is None:
                dotted = _dotted(current.name)
                if dotted:
                    yield dotted.split(".", 1)[0]
        for name in _child_fields(kind):
            child = getattr(current, name)
            if isinstance(child, cst.CSTNode):
                stack.append(child)
            elif isinstance(child, (tuple, list)):
                stack.extend(item for item in child if isinstance(item, cst.CSTNode))


# ----------------------------------------------------------------------------- api


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
    facts = _Extractor(tree, source, module, is_package, path, extra_seeders).run()
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
