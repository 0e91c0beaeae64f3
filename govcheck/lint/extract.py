"""The one pass over a module that turns its syntax tree into `ModuleFacts`.

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
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import libcst as cst

from govcheck.lint import knowledge as kb
from govcheck.lint import knowledge_data as kd
from govcheck.lint.facts_records import (
    MODULE_BODY,
    Block,
    ColumnAccess,
    DataRead,
    Event,
    ModuleFacts,
    Site,
)
from govcheck.lint.syntax import (
    child_fields,
    dotted,
    find_arg,
    has_star_args,
    is_false,
    is_none,
    is_static,
    is_true,
    local_names,
    target_names,
)

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
    literal: str | None = None
    """A string constant (or a path built from constants), for resolving data paths."""
    read: int | None = None
    """The data read (index into `reads`) whose result this is, for pii column access."""


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





class Extractor:
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
        self.reads: list[DataRead] = []
        self.column_accesses: list[ColumnAccess] = []
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
            local_sites=tuple(self.local_sites), reads=tuple(self.reads),
            column_accesses=tuple(self.column_accesses),
            has_main_guard=self.has_main_guard,
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
        """An indented block or a one-line suite (`if x: y()`); both hold `body`."""
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
        elif kind is cst.For or kind is cst.While:
            self._loop(node, scope, top_level)
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

    def _loop(self, node: cst.For | cst.While, scope: _Scope, top_level: bool) -> None:
        """The header runs once; the body zero or more times; `else` after the loop."""
        header = node.iter if isinstance(node, cst.For) else node.test
        self.anchor = header
        self._expression(header, scope, ordered_context=True)
        if isinstance(node, cst.For):
            self._bind_target(node.target, _UNKNOWN, scope)
        body = self._collect(lambda: self._suite(node.body, scope))
        if body:
            self.out.append(("loop", body))
        if node.orelse is not None:
            self._suite(node.orelse.body, scope)
        if top_level:
            self.has_script_code = True

    def _if(self, node: cst.If, scope: _Scope, top_level: bool) -> None:
        self.anchor = node.test
        self._expression(node.test, scope)
        if top_level and self._is_main_guard(node.test):
            self.has_main_guard = True
            self._suite(node.body, scope)
            return
        if top_level and dotted(node.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING"):
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
        names = {dotted(left), dotted(right)}
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
        scope = _Scope(parent, frozenset(local_names(node)), False, qualname, class_qname)
        params = node.params
        all_params = [*params.posonly_params, *params.params, *params.kwonly_params]
        for param in all_params:
            scope.bindings[param.name.value] = _UNKNOWN
        for star in (params.star_arg, params.star_kwarg):
            if isinstance(star, cst.Param):
                scope.bindings[star.name.value] = _UNKNOWN
        if class_qname is not None and all_params and not is_static(node):
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
        local_before = len(self.local_sites)
        value = self._expression(node.value, scope)
        if value.literal is None and isinstance(node.value, (cst.Call, cst.BinaryOperation)):
            literal = self._static_path(node.value, scope)
            if literal is not None:
                value = _Value(value.qname, value.generator, value.instance_of, literal)
        listing = next((index for index in reversed(self.local_sites[local_before:])
                        if self.sites[index].code == "GOV106"), None)
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
            if (listing is not None and isinstance(target_node, cst.Name)
                    and self._is_listing_call(node.value, scope)):
                scope.pending_listings.append((target_node.value, listing))

    def _attribute_assignment(self, target: cst.Attribute, value: cst.BaseExpression,
                              scope: _Scope) -> None:
        qname = self._resolve(target, scope).qname
        switch = kb.NONDETERMINISTIC_ASSIGNMENTS.get(qname) if qname is not None else None
        if switch is None:
            return
        bad_value, why, fix = switch
        if (is_true(value) if bad_value else is_false(value)):
            literal = "True" if bad_value else "False"
            site = self._site(target, "GOV107", f"`{qname} = {literal}` {why}", scope.qualname, fix)
            self.out.append(("flag", site))

    def _bind_target(self, target: cst.CSTNode, value: _Value, scope: _Scope) -> None:
        if isinstance(target, cst.Name):
            self._bind(target.value, value, scope)
        else:
            for name in target_names(target):
                self._bind(name, _UNKNOWN, scope)

    def _import(self, node: cst.Import, scope: _Scope) -> None:
        for alias in node.names:
            imported = dotted(alias.name)
            if imported is None:
                continue
            self._note_import(imported)
            if alias.asname is not None:
                self._bind_target(alias.asname.name, _Value(qname=imported), scope)
            else:
                top = imported.split(".", 1)[0]
                self._bind(top, _Value(qname=top), scope)
            parts = imported.split(".")
            for index in range(1, len(parts) + 1):
                self.out.append(("call", ".".join(parts[:index]) + "." + MODULE_BODY))

    def _import_base(self, node: cst.ImportFrom) -> str:
        """The absolute module a `from ... import` reads from, relative imports resolved."""
        module = dotted(node.module) if node.module is not None else ""
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
                            imported = dotted(alias.name)
                            if imported is None:
                                continue
                            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                                names[alias.asname.name.value] = _Value(qname=imported)
                            elif alias.asname is None:
                                top = imported.split(".", 1)[0]
                                names[top] = _Value(qname=top)
                    elif small_kind is cst.ImportFrom and not isinstance(small.names, cst.ImportStar):
                        base = self._import_base(small)
                        for alias in small.names:
                            name = dotted(alias.name)
                            bound = alias.asname.name if alias.asname is not None else alias.name
                            if base and name and isinstance(bound, cst.Name):
                                names[bound.value] = _Value(qname=f"{base}.{name}")
                    elif small_kind is cst.Assign:
                        for target in small.targets:
                            for name in target_names(target.target):
                                names.pop(name, None)
                    elif small_kind is cst.AnnAssign or small_kind is cst.AugAssign:
                        for name in target_names(small.target):
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
            name = dotted(alias.name)
            if name is None:
                continue
            qname = f"{base}.{name}"
            bound = alias.asname.name if alias.asname is not None else alias.name
            self._bind_target(bound, _Value(qname=qname), scope)
            self.out.append(("call", f"{qname}.{MODULE_BODY}"))

    def _note_import(self, imported: str) -> None:
        top = imported.split(".", 1)[0]
        if top == "torch":
            self.imports_torch = True
        elif top == "datasets":
            self.imports_datasets = True

    # ------------------------------------------------------------------ expressions

    def _generic(self, node: cst.CSTNode, scope: _Scope, ordered_context: bool = False) -> None:
        for name in child_fields(type(node)):
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
        if kind is cst.Name:
            return self._resolve(node, scope)
        if kind is cst.SimpleString or kind is cst.ConcatenatedString:
            text = node.evaluated_value
            return _Value(literal=text) if isinstance(text, str) else _UNKNOWN
        if kind is cst.Integer or kind is cst.Float:
            return _UNKNOWN
        if kind is cst.Attribute:
            base = self._expression(node.value, scope)
            if base.read is not None:
                self._column_access(node, base.read, node.attr.value, scope)
            return self._resolve(node, scope)
        if kind is cst.Subscript:
            base = self._expression(node.value, scope)
            for element in node.slice:
                if isinstance(element.slice, cst.Index):
                    self._expression(element.slice.value, scope)
                    if base.read is not None:
                        for column in _string_constants(element.slice.value):
                            self._column_access(node, base.read, column, scope)
                else:
                    self._generic(element.slice, scope)
            return _UNKNOWN
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
            if func.value == "open" and target.qname is None and target is _UNKNOWN:
                self._open_call(node, scope)
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
            if draw == kb.TORCH and find_arg(node, None, "generator") is not None:
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
            arg = find_arg(node, 0, "mode")
            if arg is not None and is_false(arg.value):
                site = self._site(node, "GOV107", "`torch.use_deterministic_algorithms(False)` "
                                  "allows nondeterministic kernels", context,
                                  "call `torch.use_deterministic_algorithms(True)`")
                self.out.append(("flag", site))
            return _UNKNOWN
        handled, read = self._data_call(node, qname, scope)
        if handled:
            return _Value(read=read) if read is not None else _UNKNOWN
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
            if find_arg(node, None, "generator") is None:
                self._use(node, kb.TORCH, "GOV101",
                          f"`Tensor.{method}()` draws from {kb.GENERATOR_LABELS[kb.TORCH]}",
                          scope.qualname, _seed_fix(kb.TORCH))
            return _UNKNOWN
        if method in kb.HF_DATASETS_SHUFFLING_METHODS and self.imports_datasets:
            if find_arg(node, None, "seed") is None and find_arg(node, None, "generator") is None:
                self._use(node, kb.NUMPY, "GOV104",
                          f"`.{method}()` without `seed=` takes its seed from NumPy's global "
                          "generator", scope.qualname, f"pass `seed=SEED` to `.{method}()`")
            return _UNKNOWN
        if method in kb.UNORDERED_LISTING_METHODS and ordered_context and not node.args[1:]:
            self.local_sites.append(self._listing_site(node, f"Path.{method}", scope))
            return _UNKNOWN
        if method in kd.MODEL_WRITER_METHODS:
            self._write(node, f".{method}()", scope)
            return _UNKNOWN
        lineage = kd.LINEAGE_METHODS.get(method)
        if lineage is not None and lineage[0] in self.source:
            self.out.append(("lineage", lineage[1]))
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
        if is_none(arg.value):
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
        for name in child_fields(type(node)):
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
        if has_star_args(node):
            self.out.append(("seed", seeder.generators))
            return
        position, keyword = seeder.seed_arg
        arg = find_arg(node, position, keyword)
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
            arg = find_arg(node, position, keyword)
            if has_star_args(node):
                seeded = True
            elif arg is not None and not is_none(arg.value):
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
            arg = find_arg(node, position, keyword)
            if arg is None or is_false(arg.value):
                return
        generator = find_arg(node, None, "generator")
        if generator is not None and not is_none(generator.value):
            return
        self._use(node, kb.TORCH, "GOV103",
                  f"`{shuffler.label}` without `generator=` shuffles with torch's global generator",
                  scope.qualname,
                  "pass `generator=torch.Generator().manual_seed(SEED)`")

    def _sklearn(self, node: cst.Call, qname: str, spec: tuple[int | None, bool | None],
                 scope: _Scope) -> None:
        position, shuffle_default = spec
        if has_star_args(node):
            return
        arg = find_arg(node, position, "random_state")
        if arg is not None and not is_none(arg.value):
            return
        # Only the splitters use random_state for shuffling alone; data generators such as
        # make_classification(shuffle=False) still draw their noise from it.
        if shuffle_default is not None and qname.startswith("sklearn.model_selection."):
            shuffle = find_arg(node, None, "shuffle")
            if shuffle is None and not shuffle_default:
                return
            if shuffle is not None and is_false(shuffle.value):
                return
        name = qname.rsplit(".", 1)[-1]
        self._use(node, kb.NUMPY, "GOV104",
                  f"`{name}` without `random_state` falls back to NumPy's global generator",
                  scope.qualname, f"pass `random_state=SEED` to `{name}`")

    # ------------------------------------------------------------------ data and lineage

    def _data_call(self, node: cst.Call, qname: str, scope: _Scope) -> tuple[bool, int | None]:
        """Reads, model writes and lineage calls: whether `qname` was one, and the read."""
        reader = kd.DATA_READERS.get(qname)
        if reader is not None:
            arg = None
            for keyword in reader.keywords:
                arg = arg or find_arg(node, None, keyword)
            arg = arg or find_arg(node, reader.position, "")
            read = self._read(node, reader.label, arg.value if arg is not None else None, scope)
            usecols = find_arg(node, None, "usecols") or find_arg(node, None, "columns")
            if usecols is not None:
                for column in _string_constants(usecols.value):
                    self._column_access(usecols, read, column, scope)
            return True, read
        writer = kd.MODEL_WRITERS.get(qname)
        if writer is not None:
            self._write(node, f"{writer}()", scope)
            return True, None
        lineage = kd.LINEAGE_CALLS.get(qname)
        if lineage is not None:
            self.out.append(("lineage", lineage))
            return True, None
        return False, None

    def _column_access(self, node: cst.CSTNode, read: int, column: str, scope: _Scope) -> None:
        """Recorded for every column named; the project pass keeps those the catalog marks pii."""
        site = self._site(node, "GOV204", f"`{column}`", scope.qualname)
        self.column_accesses.append(ColumnAccess(read, column, site))

    def _open_call(self, node: cst.Call, scope: _Scope) -> None:
        """The builtin `open()` is a data read only for data suffixes, never for config files."""
        arg = find_arg(node, 0, "file")
        path = self._static_path(arg.value, scope) if arg is not None else None
        if path is not None and path.lower().endswith(kd.OPEN_DATA_SUFFIXES):
            self._read(node, "open", arg.value if arg is not None else None, scope)

    def _read(self, node: cst.Call, reader: str, path_node: cst.BaseExpression | None,
              scope: _Scope) -> int:
        path = self._static_path(path_node, scope) if path_node is not None else None
        seen = self.module.code_for_node(path_node).strip() if path_node is not None else ""
        site = self._site(node, "GOV201", f"`{reader}()` reads data", scope.qualname)
        self.reads.append(DataRead(site, reader, path, seen))
        self.out.append(("read", len(self.reads) - 1))
        return len(self.reads) - 1

    def _write(self, node: cst.Call, label: str, scope: _Scope) -> None:
        site = self._site(node, "GOV302", f"`{label}` writes a model artifact", scope.qualname,
                          "record it: `govcheck.lineage.log_output(path, kind=\"model\")` "
                          "(or MLflow / W&B artifact logging)")
        self.out.append(("write", site))

    def _static_path(self, node: cst.BaseExpression, scope: _Scope) -> str | None:
        """A path built only from constants: literals, constant names, `Path(...) / "x"`,
        `os.path.join(...)`, f-strings without fields."""
        if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
            value = node.evaluated_value
            return value if isinstance(value, str) else None
        if isinstance(node, cst.FormattedString):
            parts = [part.value for part in node.parts if isinstance(part, cst.FormattedStringText)]
            return "".join(parts) if len(parts) == len(node.parts) else None
        if isinstance(node, cst.Name):
            return self._lookup(node.value, scope).literal
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Divide):
            left = self._static_path(node.left, scope)
            right = self._static_path(node.right, scope)
            return f"{left.rstrip('/')}/{right}" if left is not None and right is not None else None
        if isinstance(node, cst.Call):
            qname = self._resolve(node.func, scope).qname
            if qname in ("pathlib.Path", "pathlib.PurePath", "pathlib.PurePosixPath",
                         "os.path.join", "posixpath.join"):
                parts = [self._static_path(arg.value, scope) for arg in node.args if not arg.star]
                if parts and all(part is not None for part in parts):
                    return "/".join(part.rstrip("/") for part in parts)  # type: ignore[union-attr]
        return None

    def _is_listing_call(self, node: cst.BaseExpression, scope: _Scope) -> bool:
        """Whether `node` itself (not something inside it) lists a directory."""
        if not isinstance(node, cst.Call):
            return False
        if self._resolve(node.func, scope).qname in kb.UNORDERED_LISTINGS:
            return True
        return (isinstance(node.func, cst.Attribute)
                and node.func.attr.value in kb.UNORDERED_LISTING_METHODS
                and self._resolve(node.func.value, scope).qname is None)

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



def _string_constants(node: cst.BaseExpression) -> list[str]:
    """`"email"` -> ["email"]; `["email", "age"]` -> both; anything else -> []."""
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return [value] if isinstance(value, str) else []
    if isinstance(node, (cst.List, cst.Tuple, cst.Set)):
        return [text for element in node.elements for text in _string_constants(element.value)]
    return []


def _seed_fix(generator: str) -> str:
    return {
        kb.PYTHON: "call `random.seed(SEED)` (or govcheck.seed_everything) in every entry point first",
        kb.NUMPY: "use `rng = np.random.default_rng(SEED)` and draw from `rng`, or seed with "
                  "`np.random.seed(SEED)` first",
        kb.TORCH: "call `torch.manual_seed(SEED)` first, or pass `generator=` a seeded generator",
    }[generator]
