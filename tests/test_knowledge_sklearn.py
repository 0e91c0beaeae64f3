"""The committed scikit-learn random_state table must match a fresh introspection.

Why: the table is generated from a pinned scikit-learn. If someone edits it by hand, or changes the
generator without regenerating, the linter would silently miss (or invent) findings. Regenerating
in memory and comparing catches both; the concrete entries below make sure the comparison is not
vacuous (an empty generator output equal to an empty table would otherwise pass).
"""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from govcheck.lint import knowledge_sklearn
from govcheck.lint.knowledge_sklearn import RANDOM_STATE_CALLABLES, SKLEARN_VERSION

REPOSITORY_ROOT = Path(__file__).resolve().parent.parent
GENERATOR_PATH = REPOSITORY_ROOT / "tools" / "generate_sklearn_table.py"


def _load_generator() -> ModuleType:
    """Import tools/generate_sklearn_table.py by path: tools/ is a script folder, not a package."""
    spec = importlib.util.spec_from_file_location("generate_sklearn_table", GENERATOR_PATH)
    assert spec is not None and spec.loader is not None
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    return generator


@pytest.fixture(scope="module")
def regenerated_table() -> dict[str, tuple[int | None, bool | None]]:
    sklearn = pytest.importorskip("sklearn")
    if sklearn.__version__ != SKLEARN_VERSION:
        pytest.skip(
            f"installed scikit-learn {sklearn.__version__} is not the pinned {SKLEARN_VERSION} "
            "the table was generated from; regenerating would compare different releases"
        )
    table: dict[str, tuple[int | None, bool | None]] = _load_generator().collect_random_state_callables()
    return table


def test_committed_table_equals_fresh_introspection(
    regenerated_table: dict[str, tuple[int | None, bool | None]],
) -> None:
    missing = sorted(set(regenerated_table) - set(RANDOM_STATE_CALLABLES))
    extra = sorted(set(RANDOM_STATE_CALLABLES) - set(regenerated_table))
    changed = sorted(
        name
        for name in set(regenerated_table) & set(RANDOM_STATE_CALLABLES)
        if regenerated_table[name] != RANDOM_STATE_CALLABLES[name]
    )
    assert (missing, extra, changed) == ([], [], []), "rerun tools/generate_sklearn_table.py"


def test_committed_module_is_byte_identical_to_generator_output(
    regenerated_table: dict[str, tuple[int | None, bool | None]],
) -> None:
    """Guards the header, ordering and one-entry-per-line layout, not just the dict's value."""
    rendered = _load_generator().render_module(regenerated_table, SKLEARN_VERSION)
    committed = Path(knowledge_sklearn.__file__).read_text(encoding="utf-8")
    assert committed == rendered


@pytest.mark.parametrize(
    ("qualified_name", "expected_entry"),
    [
        ("sklearn.ensemble.RandomForestClassifier", (None, None)),
        # shuffle defaults to True: the call is random unless shuffle=False or a seed is given.
        ("sklearn.model_selection.train_test_split", (None, True)),
        # shuffle defaults to False: KFold() is deterministic, KFold(shuffle=True) is not.
        ("sklearn.model_selection.KFold", (None, False)),
        ("sklearn.model_selection.StratifiedKFold", (None, False)),
        ("sklearn.model_selection.ShuffleSplit", (None, None)),
        ("sklearn.datasets.make_classification", (None, True)),
        # random_state passable positionally: the linter must count positional arguments.
        ("sklearn.utils.random.sample_without_replacement", (3, None)),
        # The same function exported by two public modules gets one entry per path.
        ("sklearn.decomposition.randomized_svd", (None, None)),
        ("sklearn.utils.extmath.randomized_svd", (None, None)),
    ],
)
def test_concrete_entries(qualified_name: str, expected_entry: tuple[int | None, bool | None]) -> None:
    assert RANDOM_STATE_CALLABLES[qualified_name] == expected_entry


@pytest.mark.parametrize(
    "qualified_name",
    [
        # Default random_state=42: omitting it is already deterministic.
        "sklearn.datasets.fetch_20newsgroups",
        # Private implementation paths are never how users import.
        "sklearn.ensemble._forest.RandomForestClassifier",
        # No random_state at all.
        "sklearn.linear_model.LinearRegression",
    ],
)
def test_names_that_must_not_be_flagged_are_absent(qualified_name: str) -> None:
    assert qualified_name not in RANDOM_STATE_CALLABLES


def test_table_is_sorted_and_uses_only_public_paths() -> None:
    names = list(RANDOM_STATE_CALLABLES)
    assert names == sorted(names)
    for name in names:
        assert name.startswith("sklearn.")
        assert not any(component.startswith("_") for component in name.split("."))


def test_generated_module_imports_nothing_but_future_annotations() -> None:
    """The linter imports the table at start-up; importing scikit-learn there would cost seconds."""
    tree = ast.parse(Path(knowledge_sklearn.__file__).read_text(encoding="utf-8"))
    imported_modules = [
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, (ast.Import, ast.ImportFrom))
        for alias in node.names
    ]
    assert imported_modules == ["__future__"]
