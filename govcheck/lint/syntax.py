"""Small questions about libcst nodes, asked without metadata providers.

What a dotted name spells, which argument a call passes as `seed`, which names a function binds:
the extractor asks these of every call and function, so they read node fields directly.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import libcst as cst

SKIPPED_FIELD_PREFIXES = ("whitespace", "lpar", "rpar", "leading_lines", "lines_after", "comma",
                           "semicolon", "equal", "colon", "header", "footer", "newline", "indent",
                           "dot", "operator", "lbracket", "rbracket", "lbrace", "rbrace",
                           "walrus", "arrow", "asynchronous", "trailing_whitespace", "star")
FIELDS_CACHE: dict[type, tuple[str, ...]] = {}


def child_fields(node_type: type) -> tuple[str, ...]:
    """The fields of a node type that can hold expressions or statements (not whitespace)."""
    names = FIELDS_CACHE.get(node_type)
    if names is None:
        names = tuple(
            f.name for f in dataclasses.fields(node_type)
            if not f.name.startswith(SKIPPED_FIELD_PREFIXES)
            and f.name not in ("default_indent", "default_newline", "encoding", "has_trailing_newline")
        )
        FIELDS_CACHE[node_type] = names
    return names


def dotted(node: cst.BaseExpression | None) -> str | None:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = dotted(node.value)
        return None if base is None else f"{base}.{node.attr.value}"
    return None


def is_none(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value == "None"


def is_false(node: cst.BaseExpression) -> bool:
    if isinstance(node, cst.Name):
        return node.value in ("False", "None")
    return isinstance(node, cst.Integer) and node.value == "0"


def is_true(node: cst.BaseExpression) -> bool:
    if isinstance(node, cst.Name):
        return node.value == "True"
    return isinstance(node, cst.Integer) and node.value != "0"


def find_arg(call: cst.Call, position: int | None, keyword: str) -> cst.Arg | None:
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


def has_star_args(call: cst.Call) -> bool:
    return any(arg.star for arg in call.args)


def target_names(node: cst.CSTNode) -> Iterator[str]:
    """Names bound by an assignment target (`a`, `a, b`, `[a, *b]`)."""
    if isinstance(node, cst.Name):
        yield node.value
    elif isinstance(node, (cst.Tuple, cst.List)):
        for element in node.elements:
            yield from target_names(element.value)
    elif isinstance(node, cst.StarredElement):
        yield from target_names(node.value)



def is_static(node: cst.FunctionDef) -> bool:
    return any(dotted(d.decorator) in ("staticmethod",) for d in node.decorators)


def local_names(node: cst.FunctionDef) -> Iterator[str]:
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
            for name in target_names(current.target):
                if name not in declared_global:
                    yield name
        elif kind is cst.AnnAssign or kind is cst.AugAssign or kind is cst.For:
            for name in target_names(current.target):
                if name not in declared_global:
                    yield name
        elif kind is cst.NamedExpr:
            yield from target_names(current.target)
        elif kind is cst.AsName:
            yield from target_names(current.name)
        elif kind is cst.ImportAlias:
            if current.asname is None:
                name = dotted(current.name)
                if name:
                    yield name.split(".", 1)[0]
        for name in child_fields(kind):
            child = getattr(current, name)
            if isinstance(child, cst.CSTNode):
                stack.append(child)
            elif isinstance(child, (tuple, list)):
                stack.extend(item for item in child if isinstance(item, cst.CSTNode))
