"""Config files are found, read and checked the way ruff users expect, and mistakes name their
file and key instead of being silently ignored."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from govcheck.config import DEFAULT_EXCLUDE, Config, load_config, selector_matches
from govcheck.errors import UsageError

KNOWN_CODES = ("GOV001", "GOV101", "GOV102", "GOV201")


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def config_with(tmp_path: Path, body: str, *, known_codes: tuple[str, ...] = ()) -> Config:
    write(tmp_path / "govcheck.toml", body)
    return load_config(tmp_path, known_codes=known_codes)


def load_error(tmp_path: Path, file_name: str, body: str, **kwargs: object) -> str:
    write(tmp_path / file_name, body)
    with pytest.raises(UsageError) as caught:
        load_config(tmp_path, **kwargs)  # type: ignore[arg-type]
    return str(caught.value)


# --- finding the config file ----------------------------------------------------------------


def test_defaults_when_no_config_anywhere_use_the_start_directory(tmp_path: Path) -> None:
    start = tmp_path / "project" / "src"
    start.mkdir(parents=True)

    config = load_config(start)

    assert config.source is None
    assert config.root == start.resolve()
    assert config.select == ("GOV",)
    assert config.exclude == DEFAULT_EXCLUDE
    assert dict(config.datasets) == {}


def test_a_file_as_start_uses_its_directory(tmp_path: Path) -> None:
    script = write(tmp_path / "pkg" / "train.py", "print()\n")

    assert load_config(script).root == script.parent.resolve()


def test_walk_up_finds_pyproject_with_govcheck_table(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.govcheck]\nselect = ["GOV1"]\n')
    nested = tmp_path / "src" / "pkg" / "deep"
    nested.mkdir(parents=True)

    config = load_config(nested)

    assert config.source == (tmp_path / "pyproject.toml").resolve()
    assert config.root == tmp_path.resolve()
    assert config.select == ("GOV1",)


def test_pyproject_without_govcheck_table_is_skipped(tmp_path: Path) -> None:
    write(tmp_path / "govcheck.toml", 'select = ["GOV2"]\n')
    write(tmp_path / "sub" / "pyproject.toml", '[tool.ruff]\nline-length = 100\n')

    config = load_config(tmp_path / "sub")

    assert config.source == (tmp_path / "govcheck.toml").resolve()
    assert config.select == ("GOV2",)


def test_govcheck_toml_wins_over_pyproject_in_the_same_directory(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.govcheck]\nselect = ["GOV1"]\n')
    write(tmp_path / "govcheck.toml", 'select = ["GOV2"]\n')

    config = load_config(tmp_path)

    assert config.source == (tmp_path / "govcheck.toml").resolve()
    assert config.select == ("GOV2",)


def test_the_nearest_config_wins_and_the_walk_stops_there(tmp_path: Path) -> None:
    write(tmp_path / "govcheck.toml", 'select = ["GOV2"]\n')
    write(tmp_path / "inner" / "pyproject.toml", '[tool.govcheck]\nignore = ["GOV101"]\n')
    (tmp_path / "inner" / "pkg").mkdir()

    config = load_config(tmp_path / "inner" / "pkg")

    assert config.root == (tmp_path / "inner").resolve()
    assert config.select == ("GOV",), "the outer govcheck.toml must not be merged in"
    assert config.ignore == ("GOV101",)


def test_explicit_config_file_skips_the_walk(tmp_path: Path) -> None:
    write(tmp_path / "govcheck.toml", 'select = ["GOV2"]\n')
    explicit = write(tmp_path / "ci" / "strict.toml", 'select = ["ALL"]\n')

    config = load_config(tmp_path, config_file=explicit)

    assert config.source == explicit.resolve()
    assert config.root == explicit.parent.resolve()
    assert config.select == ("ALL",)


def test_explicit_pyproject_reads_its_tool_table(tmp_path: Path) -> None:
    explicit = write(tmp_path / "other" / "pyproject.toml", '[tool.govcheck]\nignore = ["GOV2"]\n')

    assert load_config(tmp_path, config_file=explicit).ignore == ("GOV2",)


def test_missing_explicit_config_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"nope\.toml: config file not found"):
        load_config(tmp_path, config_file=tmp_path / "nope.toml")


# --- every key --------------------------------------------------------------------------------


def test_every_key_is_parsed(tmp_path: Path) -> None:
    write(
        tmp_path / "pyproject.toml",
        """
        [project]
        name = "demo"

        [tool.govcheck]
        select = ["GOV1", "GOV2"]
        ignore = ["GOV102"]
        extend-select = ["GOV001"]
        exclude = ["generated"]
        extend-exclude = ["legacy/*.py"]
        entry-points = ["train.py", "scripts/*.py"]
        known-seeders = ["mypkg.utils.seed_all"]
        known-readers = ["mypkg.io.read_table"]
        known-lineage = ["mypkg.lineage.record"]

        [tool.govcheck.per-file-ignores]
        "tests/*" = ["GOV1"]
        "__init__.py" = ["GOV201", "GOV102"]

        [tool.govcheck.datasets.imagenet]
        path = "data/imagenet"
        license = "custom"
        """,
    )

    config = load_config(tmp_path, known_codes=KNOWN_CODES)

    assert config.select == ("GOV1", "GOV2")
    assert config.ignore == ("GOV102",)
    assert config.extend_select == ("GOV001",)
    assert config.exclude == ("generated",)
    assert config.extend_exclude == ("legacy/*.py",)
    assert config.entry_points == ("train.py", "scripts/*.py")
    assert config.known_seeders == ("mypkg.utils.seed_all",)
    assert config.known_readers == ("mypkg.io.read_table",)
    assert config.known_lineage == ("mypkg.lineage.record",)
    assert config.per_file_ignores == (
        ("tests/*", ("GOV1",)),
        ("__init__.py", ("GOV201", "GOV102")),
    )
    assert dict(config.datasets) == {"imagenet": {"path": "data/imagenet", "license": "custom"}}


def test_config_is_hashable_even_with_datasets(tmp_path: Path) -> None:
    config = config_with(tmp_path, '[datasets.a]\npath = "x"\n')

    assert hash(config) == hash(config)


# --- mistakes -----------------------------------------------------------------------------------


def test_unknown_key_suggests_the_close_one(tmp_path: Path) -> None:
    message = load_error(tmp_path, "pyproject.toml", '[tool.govcheck]\nselct = ["GOV"]\n')

    assert "pyproject.toml" in message
    assert "'selct'" in message
    assert "did you mean 'select'?" in message


def test_snake_case_key_suggests_the_kebab_case_one(tmp_path: Path) -> None:
    message = load_error(tmp_path, "govcheck.toml", 'extend_exclude = ["x"]\n')

    assert "govcheck.toml" in message
    assert "did you mean 'extend-exclude'?" in message


def test_unknown_key_without_a_close_match_lists_the_known_ones(tmp_path: Path) -> None:
    message = load_error(tmp_path, "govcheck.toml", "zzzz = 1\n")

    assert "'zzzz'" in message
    assert "known keys:" in message and "per-file-ignores" in message


def test_wrong_type_names_file_key_and_value(tmp_path: Path) -> None:
    message = load_error(tmp_path, "pyproject.toml", "[tool.govcheck]\nselect = 3\n")

    assert message.endswith(
        "pyproject.toml: [tool.govcheck] select: expected a list of rule codes (strings), "
        "got integer 3"
    )


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('ignore = ["GOV1", 2]\n', "ignore: expected a list of rule codes (strings), got an array "
         "containing integer 2"),
        ('exclude = "build"\n', "exclude: expected a list of paths or globs (strings), "
         "got string 'build'"),
        ("known-seeders = [\"not a name\"]\n", "known-seeders: expected qualified names"),
        ("known-readers = true\n", "known-readers: expected a list of qualified names (strings), "
         "got boolean true"),
        ("per-file-ignores = [\"x\"]\n", "per-file-ignores: expected a table of glob = [rule "
         "codes], got array"),
        ('[per-file-ignores]\n"tests/*" = "GOV1"\n', 'per-file-ignores."tests/*": expected a list '
         "of rule codes (strings), got string 'GOV1'"),
        ("datasets = 1.5\n", "datasets: expected a table, got float 1.5"),
        ('select = ["gov"]\n', "select: expected rule codes or prefixes like 'GOV' or 'GOV101', "
         "got 'gov'"),
    ],
)
def test_wrong_types_are_errors(tmp_path: Path, body: str, expected: str) -> None:
    message = load_error(tmp_path, "govcheck.toml", body)

    assert message.startswith("govcheck.toml: ") or "govcheck.toml: " in message
    assert expected in message


def test_govcheck_table_that_is_not_a_table_is_an_error(tmp_path: Path) -> None:
    message = load_error(tmp_path, "pyproject.toml", '[tool]\ngovcheck = "on"\n')

    assert "[tool.govcheck]: expected a table, got string 'on'" in message


def test_invalid_toml_names_the_file_and_line(tmp_path: Path) -> None:
    message = load_error(tmp_path, "govcheck.toml", 'select = ["GOV"]\nignore = [\n"GOV1",,\n]\n')

    assert "govcheck.toml: invalid TOML" in message
    assert re.search(r"line 3\b", message), message


def test_invalid_pyproject_on_the_walk_up_is_an_error(tmp_path: Path) -> None:
    message = load_error(tmp_path, "pyproject.toml", "[project\n")

    assert "pyproject.toml: invalid TOML" in message
    assert "line 1" in message


def test_non_utf8_config_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "govcheck.toml").write_bytes(b'select = ["GOV"]\n# caf\xe9\n')

    with pytest.raises(UsageError, match=r"govcheck.toml: config file is not valid UTF-8"):
        load_config(tmp_path)


def test_unknown_selector_in_file_lists_known_codes(tmp_path: Path) -> None:
    message = load_error(
        tmp_path, "pyproject.toml", '[tool.govcheck]\nselect = ["GOV999"]\n',
        known_codes=KNOWN_CODES,
    )

    assert message.endswith(
        "unknown rule selector 'GOV999' in [tool.govcheck] select "
        "(known: GOV001, GOV101, GOV102, GOV201)"
    )
    assert "pyproject.toml" in message


def test_unknown_selector_in_per_file_ignores(tmp_path: Path) -> None:
    message = load_error(
        tmp_path, "govcheck.toml", '[per-file-ignores]\n"a.py" = ["GOV3"]\n',
        known_codes=KNOWN_CODES,
    )

    assert "unknown rule selector 'GOV3' in per-file-ignores.\"a.py\"" in message


def test_unknown_selector_on_the_command_line_names_the_flag(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"unknown rule selector 'GOV9' in --select \(known: "):
        load_config(tmp_path, select=["GOV9"], known_codes=KNOWN_CODES)
    with pytest.raises(UsageError, match=r"unknown rule selector 'XYZ' in --ignore"):
        load_config(tmp_path, ignore=["XYZ"], known_codes=KNOWN_CODES)


def test_prefix_and_all_selectors_are_known(tmp_path: Path) -> None:
    config = config_with(
        tmp_path, 'select = ["ALL", "GOV", "GOV1", "GOV10", "GOV101"]\n', known_codes=KNOWN_CODES
    )

    assert config.select == ("ALL", "GOV", "GOV1", "GOV10", "GOV101")


# --- command-line overrides -------------------------------------------------------------------


def test_cli_select_replaces_while_ignore_and_extend_select_add(tmp_path: Path) -> None:
    write(
        tmp_path / "govcheck.toml",
        'select = ["GOV1"]\nignore = ["GOV101"]\nextend-select = ["GOV001"]\n',
    )

    config = load_config(
        tmp_path, select=["GOV2"], ignore=["GOV102"], extend_select=["GOV201"]
    )

    assert config.select == ("GOV2",)
    assert config.ignore == ("GOV101", "GOV102")
    assert config.extend_select == ("GOV001", "GOV201")


# --- selection ----------------------------------------------------------------------------------


def test_more_specific_ignore_beats_broader_select(tmp_path: Path) -> None:
    config = Config(root=tmp_path, source=None, select=("GOV1",), ignore=("GOV101",))

    assert not config.is_selected("GOV101")
    assert config.is_selected("GOV102")
    assert not config.is_selected("GOV201"), "not selected at all"


def test_more_specific_select_beats_broader_ignore(tmp_path: Path) -> None:
    config = Config(root=tmp_path, source=None, select=("GOV101",), ignore=("GOV1",))

    assert config.is_selected("GOV101")
    assert not config.is_selected("GOV102")


def test_equal_specificity_means_ignore_wins(tmp_path: Path) -> None:
    config = Config(root=tmp_path, source=None, select=("GOV1",), ignore=("GOV1",))

    assert not config.is_selected("GOV101")


def test_all_is_the_least_specific_selector(tmp_path: Path) -> None:
    everything = Config(root=tmp_path, source=None, select=("ALL",))
    all_but_one = Config(root=tmp_path, source=None, select=("ALL",), ignore=("GOV2",))
    nothing_but_one = Config(root=tmp_path, source=None, select=("GOV201",), ignore=("ALL",))

    assert everything.is_selected("GOV001") and everything.is_selected("GOV201")
    assert all_but_one.is_selected("GOV101") and not all_but_one.is_selected("GOV201")
    assert nothing_but_one.is_selected("GOV201") and not nothing_but_one.is_selected("GOV101")


def test_extend_select_adds_to_select(tmp_path: Path) -> None:
    config = Config(root=tmp_path, source=None, select=("GOV1",), extend_select=("GOV2",))

    assert config.is_selected("GOV201")
    assert config.is_selected("GOV101")
    assert not config.is_selected("GOV001")


def test_own_diagnostics_are_selected_like_any_rule(tmp_path: Path) -> None:
    assert Config(root=tmp_path, source=None).is_selected("GOV001")
    assert not Config(root=tmp_path, source=None, ignore=("GOV0",)).is_selected("GOV001")


def test_selector_matches() -> None:
    assert selector_matches("ALL", "GOV101")
    assert selector_matches("GOV1", "GOV101")
    assert not selector_matches("GOV2", "GOV101")


# --- per-file ignores and exclusion ----------------------------------------------------------


def test_per_file_ignores_match_globs_relative_to_root(tmp_path: Path) -> None:
    config = Config(
        root=tmp_path,
        source=None,
        per_file_ignores=(
            ("tests/*", ("GOV1",)),
            ("__init__.py", ("GOV201",)),
            ("scripts/**/run_*.py", ("GOV102",)),
            ("tests/conftest.py", ("GOV1", "GOV2")),
        ),
    )

    assert config.ignored_codes_for("tests/test_a.py") == ("GOV1",)
    assert config.ignored_codes_for("tests/unit/test_b.py") == ("GOV1",)
    assert config.ignored_codes_for("tests/conftest.py") == ("GOV1", "GOV2")
    assert config.ignored_codes_for("pkg/sub/__init__.py") == ("GOV201",)
    assert config.ignored_codes_for("scripts/run_a.py") == ("GOV102",)
    assert config.ignored_codes_for("scripts/x/y/run_a.py") == ("GOV102",)
    assert config.ignored_codes_for("src/tests.py") == ()
    assert config.ignored_codes_for("pkg/model.py") == ()


def test_default_exclusions_match_at_any_depth(tmp_path: Path) -> None:
    config = Config(root=tmp_path, source=None)

    assert config.is_excluded(".venv/lib/site.py")
    assert config.is_excluded("services/api/venv/lib/x.py")
    assert config.is_excluded("node_modules")
    assert config.is_excluded(".govcheck_cache/facts.py")
    assert not config.is_excluded("src/venvtools/x.py")
    assert not config.is_excluded("src/model.py")
    assert not config.is_excluded("")


def test_exclude_replaces_defaults_and_extend_exclude_adds(tmp_path: Path) -> None:
    replaced = config_with(tmp_path, 'exclude = ["data/*.py"]\n')
    extended = load_config(
        tmp_path, config_file=write(tmp_path / "ext.toml", 'extend-exclude = ["*_pb2.py"]\n')
    )

    assert replaced.is_excluded("data/load.py")
    assert not replaced.is_excluded("data/sub/load.py"), "* stays inside one directory"
    assert not replaced.is_excluded("other/data/load.py"), "a pattern with / is anchored at root"
    assert not replaced.is_excluded(".venv/x.py"), "exclude replaced the defaults"

    assert extended.is_excluded("proto/model_pb2.py")
    assert extended.is_excluded(".venv/x.py"), "extend-exclude keeps the defaults"
    assert not extended.is_excluded("proto/model.py")


def test_double_star_spans_directories(tmp_path: Path) -> None:
    config = Config(root=tmp_path, source=None, exclude=("gen/**/*.py", "**/fixtures"))

    assert config.is_excluded("gen/a.py")
    assert config.is_excluded("gen/a/b/c.py")
    assert config.is_excluded("tests/deep/fixtures/x.py")
    assert not config.is_excluded("src/gen.py")


# --- fingerprint --------------------------------------------------------------------------------


def test_fingerprint_is_stable_and_ignores_root_source_and_datasets(tmp_path: Path) -> None:
    first = Config(root=tmp_path / "a", source=None, select=("GOV1",))
    same = Config(
        root=tmp_path / "b",
        source=tmp_path / "b" / "govcheck.toml",
        select=("GOV1",),
        datasets={"x": {"path": "y"}},
    )

    assert re.fullmatch(r"[0-9a-f]{64}", first.fingerprint())
    assert first.fingerprint() == same.fingerprint()


@pytest.mark.parametrize(
    "change",
    [
        {"select": ("GOV2",)},
        {"ignore": ("GOV101",)},
        {"extend_select": ("GOV001",)},
        {"per_file_ignores": (("tests/*", ("GOV1",)),)},
        {"exclude": ("build",)},
        {"extend_exclude": ("gen",)},
        {"entry_points": ("train.py",)},
        {"known_seeders": ("pkg.seed",)},
        {"known_readers": ("pkg.read",)},
        {"known_lineage": ("pkg.lineage",)},
    ],
)
def test_fingerprint_changes_with_every_lint_setting(
    tmp_path: Path, change: dict[str, object]
) -> None:
    base = Config(root=tmp_path, source=None)
    changed = Config(root=tmp_path, source=None, **change)  # type: ignore[arg-type]

    assert base.fingerprint() != changed.fingerprint()


def test_fingerprint_from_a_file_matches_an_equal_file(tmp_path: Path) -> None:
    body = 'select = ["GOV1"]\nknown-seeders = ["pkg.seed"]\n'
    one = config_with(tmp_path / "one", body)
    two = config_with(tmp_path / "two", body)
    three = config_with(tmp_path / "three", body.replace("pkg.seed", "pkg.seed_all"))

    assert one.fingerprint() == two.fingerprint()
    assert one.fingerprint() != three.fingerprint()
