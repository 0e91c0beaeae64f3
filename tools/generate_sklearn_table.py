"""Generate `govcheck/lint/knowledge_sklearn.py` by introspecting the installed scikit-learn.

Why generated rather than hand-written: scikit-learn has well over a hundred public callables that
take `random_state`, spread over twenty-odd modules and re-exported under several paths. A
hand-kept list goes stale silently on every scikit-learn release; introspecting a pinned version
and checking the committed table against it in the test suite turns staleness into a test failure.

Why the output is pure data: the linter imports the table at start-up, on every pre-commit run.
Importing scikit-learn there would cost seconds, so the generated module holds literals only.

What is recorded, for every public class (its `__init__`), public function and public
classmethod/staticmethod of a public class whose signature has a `random_state` parameter:

* every public qualified name users import it under (`sklearn.<public module>.<name>`), one entry
  per path, because a linter resolving imports sees whichever path the user wrote;
* the positional index of `random_state` when it can be passed positionally (else None), so the
  linter recognises `f(a, b, 0)` as seeded;
* the default of a `shuffle` parameter (None when there is none), so `KFold()` -- which only uses
  `random_state` when `shuffle=True` -- is not reported unless shuffling is switched on.

What is deliberately left out, and why:

* private paths (any `_`-prefixed component), `tests`, `conftest` and the vendored `externals`:
  nobody imports a documented API from there, and `externals` re-exports numpy/torch shims;
* callables whose `random_state` default is not None (e.g. `fetch_20newsgroups(random_state=42)`,
  a deprecated parameter's `"deprecated"` sentinel, or a required parameter): omitting the
  argument there does NOT fall back to NumPy's global generator, so a finding would be wrong;
* deprecated classes and functions (scikit-learn's `@deprecated` decorator): advising users to
  seed an API they are about to lose is noise;
* abstract classes: they cannot be instantiated, so no call to them can be a finding.

Usage: `python tools/generate_sklearn_table.py [--output PATH] [--check]`.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import pkgutil
import sys
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

PINNED_SKLEARN_VERSION = "1.9.1"
"""The scikit-learn release the committed table describes; bump it deliberately, then regenerate."""

REPOSITORY_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT_PATH = REPOSITORY_ROOT / "govcheck" / "lint" / "knowledge_sklearn.py"

EXCLUDED_MODULE_COMPONENTS = frozenset({"tests", "conftest", "externals"})
"""Module path components that are public by spelling but are not scikit-learn's user API."""

TableEntry = tuple[int | None, bool | None]
"""(positional index of random_state or None, shuffle default or None when there is no shuffle)."""


def _is_public_module_component(component: str) -> bool:
    return not component.startswith("_") and component not in EXCLUDED_MODULE_COMPONENTS


def iter_public_modules(root_package: ModuleType) -> Iterator[ModuleType]:
    """Yield the root package and every public submodule, recursively, in a stable order.

    Why not `pkgutil.walk_packages`: it imports every package it meets to find its children,
    including `tests` packages and the vendored `externals`, whose array-API shims import torch.
    Descending only into public packages keeps the walk cheap and free of such side effects.
    """
    yield root_package
    package_path = getattr(root_package, "__path__", None)
    if package_path is None:
        return
    for module_info in sorted(pkgutil.iter_modules(package_path), key=lambda info: info.name):
        if not _is_public_module_component(module_info.name):
            continue
        submodule = importlib.import_module(f"{root_package.__name__}.{module_info.name}")
        if module_info.ispkg:
            yield from iter_public_modules(submodule)
        else:
            yield submodule


def public_names_of(module: ModuleType) -> list[str]:
    """Names a user is meant to import from `module`.

    `__all__` when the module declares one. Several public scikit-learn modules (e.g.
    `sklearn.kernel_approximation`, `sklearn.utils.extmath`) declare none; there we take the
    public names *defined* in the module or in its private implementation submodules, so helpers
    it merely imported from elsewhere (`check_random_state` in `extmath`) are not recorded twice
    under paths nobody documents.
    """
    declared = getattr(module, "__all__", None)
    if declared is not None:
        return sorted(set(declared))
    module_name = module.__name__
    defined_here: list[str] = []
    for attribute_name, value in vars(module).items():
        if attribute_name.startswith("_"):
            continue
        defining_module = getattr(value, "__module__", None) or ""
        if defining_module == module_name or defining_module.startswith(f"{module_name}._"):
            defined_here.append(attribute_name)
    return sorted(defined_here)


def _closure_mentions_deprecation(function: object) -> bool:
    """Whether `function` is a wrapper made by scikit-learn's `@deprecated` decorator.

    The decorator keeps its warning message ("... is deprecated") in the wrapper's closure; there
    is no public attribute marking deprecation, and this is the check scikit-learn's own test
    suite uses.
    """
    closure = getattr(function, "__closure__", None) or ()
    return any(
        isinstance(cell.cell_contents, str) and "deprecated" in cell.cell_contents
        for cell in closure
    )


def is_deprecated(candidate: object) -> bool:
    """Whether a class or function is marked deprecated by scikit-learn's `@deprecated`."""
    if inspect.isclass(candidate):
        # vars(), not getattr(): a subclass of a deprecated class inherits the wrapped __new__
        # without being deprecated itself.
        return _closure_mentions_deprecation(vars(candidate).get("__new__"))
    return _closure_mentions_deprecation(candidate)


def _signature_without_receiver(callable_object: Callable[..., Any], drop_first: bool) -> inspect.Signature | None:
    try:
        signature = inspect.signature(callable_object)
    except (TypeError, ValueError):
        # Some compiled callables expose no signature; they cannot be checked by keyword anyway.
        return None
    if drop_first:
        parameters = list(signature.parameters.values())[1:]
        signature = signature.replace(parameters=parameters)
    return signature


def table_entry_for(signature: inspect.Signature, qualified_name: str) -> TableEntry | None:
    """The table entry for one signature, or None when a missing `random_state` is not a finding."""
    random_state = signature.parameters.get("random_state")
    if random_state is None or random_state.kind is inspect.Parameter.VAR_KEYWORD:
        return None
    if random_state.default is not None:
        # Required, a fixed seed, or a deprecation sentinel: omitting it never reaches NumPy's
        # global generator.
        return None

    positional_index: int | None = None
    positional_kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    if random_state.kind in positional_kinds:
        positional_index = [
            parameter.name
            for parameter in signature.parameters.values()
            if parameter.kind in positional_kinds
        ].index("random_state")

    shuffle = signature.parameters.get("shuffle")
    shuffle_default: bool | None = None
    if shuffle is not None:
        if not isinstance(shuffle.default, bool):
            # A required or sentinel-valued shuffle has no meaning the linter knows; fail loudly so
            # whoever bumps the scikit-learn pin decides, instead of recording a wrong default.
            raise ValueError(
                f"{qualified_name}: shuffle default {shuffle.default!r} is not a bool; "
                "decide how the linter should treat it before regenerating"
            )
        shuffle_default = shuffle.default
    return positional_index, shuffle_default


def _entries_for_public_object(qualified_name: str, candidate: object) -> Iterator[tuple[str, TableEntry]]:
    """Entries for a public class (its `__init__` and public alternate constructors) or function."""
    if inspect.isclass(candidate):
        if inspect.isabstract(candidate) or is_deprecated(candidate):
            return
        init_signature = _signature_without_receiver(candidate.__init__, drop_first=True)
        if init_signature is not None:
            entry = table_entry_for(init_signature, qualified_name)
            if entry is not None:
                yield qualified_name, entry
        # `LearningCurveDisplay.from_estimator(..., random_state=...)`-style constructors are the
        # idiomatic entry points of display classes; users never call their `__init__`.
        for attribute_name, raw_attribute in sorted(vars(candidate).items()):
            if attribute_name.startswith("_"):
                continue
            if not isinstance(raw_attribute, (classmethod, staticmethod)):
                continue
            method_signature = _signature_without_receiver(getattr(candidate, attribute_name), drop_first=False)
            if method_signature is None:
                continue
            method_name = f"{qualified_name}.{attribute_name}"
            entry = table_entry_for(method_signature, method_name)
            if entry is not None:
                yield method_name, entry
    elif inspect.isroutine(candidate):
        # isroutine, not isfunction: `sklearn.utils.random.sample_without_replacement` is Cython.
        if is_deprecated(candidate):
            return
        function_signature = _signature_without_receiver(candidate, drop_first=False)  # type: ignore[arg-type]
        if function_signature is not None:
            entry = table_entry_for(function_signature, qualified_name)
            if entry is not None:
                yield qualified_name, entry


def _is_sklearn_object(candidate: object) -> bool:
    defining_module = getattr(candidate, "__module__", None) or ""
    return defining_module == "sklearn" or defining_module.startswith("sklearn.")


def _public_paths_by_object(public_modules: list[ModuleType]) -> dict[int, list[str]]:
    paths_by_object_id: dict[int, list[str]] = {}
    for module in public_modules:
        for public_name in public_names_of(module):
            candidate = getattr(module, public_name, None)
            if candidate is None or not _is_sklearn_object(candidate):
                continue
            paths_by_object_id.setdefault(id(candidate), []).append(f"{module.__name__}.{public_name}")
    return paths_by_object_id


def _public_path_from_defining_module(estimator_class: type) -> str | None:
    """Best public path for an estimator `all_estimators()` found but no public `__all__` lists.

    Strips private components from the defining module (`sklearn.ensemble._forest` ->
    `sklearn.ensemble`) and accepts the result only if that module really exposes the class.
    """
    public_components: list[str] = []
    for component in estimator_class.__module__.split("."):
        if not _is_public_module_component(component):
            break
        public_components.append(component)
    module_name = ".".join(public_components)
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return None
    if getattr(module, estimator_class.__name__, None) is estimator_class:
        return f"{module_name}.{estimator_class.__name__}"
    return None


def collect_random_state_callables() -> dict[str, TableEntry]:
    """Introspect the installed scikit-learn and return the table, sorted by qualified name.

    Every public module is imported before any name is collected: importing
    `sklearn.experimental.enable_*` adds names (e.g. `HalvingGridSearchCV`) to other public
    modules, and the result must not depend on import order or on what the caller imported first.
    """
    import sklearn
    from sklearn.utils.discovery import all_estimators

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        public_modules = list(iter_public_modules(sklearn))
        paths_by_object_id = _public_paths_by_object(public_modules)
        objects_by_id: dict[int, object] = {}
        for module in public_modules:
            for public_name in public_names_of(module):
                candidate = getattr(module, public_name, None)
                if candidate is not None:
                    objects_by_id.setdefault(id(candidate), candidate)

        for _estimator_name, estimator_class in all_estimators():
            if id(estimator_class) in paths_by_object_id:
                continue
            fallback_path = _public_path_from_defining_module(estimator_class)
            if fallback_path is not None:
                paths_by_object_id[id(estimator_class)] = [fallback_path]
                objects_by_id[id(estimator_class)] = estimator_class

        table: dict[str, TableEntry] = {}
        for object_id, public_paths in paths_by_object_id.items():
            candidate = objects_by_id[object_id]
            for public_path in public_paths:
                for qualified_name, entry in _entries_for_public_object(public_path, candidate):
                    table[qualified_name] = entry
    return dict(sorted(table.items()))


def render_module(table: dict[str, TableEntry], sklearn_version: str) -> str:
    """The source of the generated module: literals only, one entry per line, sorted by key."""
    lines = [
        f"# Generated by tools/generate_sklearn_table.py from scikit-learn {sklearn_version}; do not edit.",
        '"""scikit-learn callables that fall back to NumPy\'s global generator without `random_state`.',
        "",
        "Each key is a public qualified name (`sklearn.ensemble.RandomForestClassifier`); each value",
        "is (positional index of `random_state`, or None when it is keyword-only; default of the",
        "`shuffle` parameter, or None when there is none -- a False default means the call is only",
        "random once `shuffle=True` is passed). Pure data so the linter can import it at start-up",
        "without importing scikit-learn; tests/test_knowledge_sklearn.py checks it against a fresh",
        "introspection whenever the pinned scikit-learn is installed.",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        f'SKLEARN_VERSION = "{sklearn_version}"',
        "",
        "RANDOM_STATE_CALLABLES: dict[str, tuple[int | None, bool | None]] = {",
    ]
    for qualified_name, (positional_index, shuffle_default) in sorted(table.items()):
        lines.append(f'    "{qualified_name}": ({positional_index!r}, {shuffle_default!r}),')
    lines.append("}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT_PATH, help="module to write")
    parser.add_argument(
        "--check",
        action="store_true",
        help="do not write; exit 1 if the committed module differs from a fresh generation",
    )
    arguments = parser.parse_args(argv)

    import sklearn

    if sklearn.__version__ != PINNED_SKLEARN_VERSION:
        print(
            f"installed scikit-learn is {sklearn.__version__}, the table is pinned to "
            f"{PINNED_SKLEARN_VERSION}; install the pinned version, or bump PINNED_SKLEARN_VERSION "
            "deliberately",
            file=sys.stderr,
        )
        return 2

    table = collect_random_state_callables()
    source = render_module(table, sklearn.__version__)
    output_path: Path = arguments.output
    if arguments.check:
        current = output_path.read_text(encoding="utf-8") if output_path.exists() else ""
        if current != source:
            print(f"{output_path} is stale; rerun tools/generate_sklearn_table.py", file=sys.stderr)
            return 1
        return 0
    output_path.write_text(source, encoding="utf-8")
    print(f"wrote {output_path} ({len(table)} entries)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
