"""Discovery finds every Python file a run should lint, and nothing it should not, quickly and
without ever hanging on a symlink."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from govcheck.config import Config
from govcheck.errors import UsageError
from govcheck.lint.discover import discover_files


def touch(path: Path, text: str = "x = 1\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def relative(files: list[Path], root: Path) -> list[str]:
    return [file.relative_to(root.resolve()).as_posix() for file in files]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    touch(tmp_path / "train.py")
    touch(tmp_path / "pkg" / "__init__.py")
    touch(tmp_path / "pkg" / "model.py")
    touch(tmp_path / "pkg" / "data" / "loader.py")
    touch(tmp_path / "pkg" / "README.md")
    touch(tmp_path / "pkg" / "stubs.pyi")
    touch(tmp_path / ".venv" / "lib" / "site.py")
    touch(tmp_path / "services" / "venv" / "x.py")
    touch(tmp_path / "build" / "lib" / "copy.py")
    return tmp_path


def test_walk_finds_python_files_sorted_and_prunes_excluded_dirs(project: Path) -> None:
    files = discover_files([project], Config(root=project, source=None))

    assert relative(files, project) == [
        "pkg/__init__.py",
        "pkg/data/loader.py",
        "pkg/model.py",
        "train.py",
    ]
    assert files == sorted(files)
    assert all(file.is_absolute() for file in files)


def test_extend_exclude_prunes_project_dirs(project: Path) -> None:
    config = Config(root=project, source=None, extend_exclude=("pkg/data",))

    assert relative(discover_files([project], config), project) == [
        "pkg/__init__.py",
        "pkg/model.py",
        "train.py",
    ]


def test_exclude_with_a_file_glob(project: Path) -> None:
    config = Config(root=project, source=None, extend_exclude=("pkg/*.py",))

    assert relative(discover_files([project], config), project) == [
        "pkg/data/loader.py",
        "train.py",
    ]


@pytest.mark.skipif(
    hasattr(os, "geteuid") and os.geteuid() == 0, reason="root reads unreadable directories"
)
def test_excluded_directory_is_never_entered(project: Path) -> None:
    """Pruning happens before descending: an unreadable .venv would otherwise be scanned."""
    venv = project / ".venv"
    venv.chmod(0o000)
    try:
        files = discover_files([project], Config(root=project, source=None))
    finally:
        venv.chmod(0o755)

    assert "pkg/model.py" in relative(files, project)


def test_explicit_excluded_file_is_linted_unless_force_exclude(project: Path) -> None:
    config = Config(root=project, source=None)
    excluded = project / ".venv" / "lib" / "site.py"

    assert discover_files([excluded], config) == [excluded.resolve()]
    assert discover_files([excluded], config, force_exclude=True) == []


def test_force_exclude_keeps_explicit_files_that_are_not_excluded(project: Path) -> None:
    config = Config(root=project, source=None)

    files = discover_files([project / "pkg" / "model.py"], config, force_exclude=True)

    assert relative(files, project) == ["pkg/model.py"]


def test_explicit_excluded_directory_is_walked_unless_force_exclude(project: Path) -> None:
    config = Config(root=project, source=None)

    assert relative(discover_files([project / "build"], config), project) == ["build/lib/copy.py"]
    assert discover_files([project / "build"], config, force_exclude=True) == []


def test_explicit_non_python_files_are_ignored(project: Path) -> None:
    config = Config(root=project, source=None)

    explicit = [project / "pkg" / "README.md", project / "pkg" / "stubs.pyi"]

    assert discover_files(explicit, config) == []


def test_relative_paths_and_overlapping_arguments_are_deduplicated(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    config = Config(root=project, source=None)

    files = discover_files(
        [Path("pkg"), Path("."), Path("pkg/model.py"), project / "pkg" / "model.py"], config
    )

    assert relative(files, project) == [
        "pkg/__init__.py",
        "pkg/data/loader.py",
        "pkg/model.py",
        "train.py",
    ]


def test_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.py"

    with pytest.raises(UsageError, match=r"nope\.py: no such file or directory"):
        discover_files([missing], Config(root=tmp_path, source=None))


def test_broken_symlink_argument_is_a_usage_error(tmp_path: Path) -> None:
    link = tmp_path / "dangling.py"
    os.symlink(tmp_path / "gone.py", link)

    with pytest.raises(UsageError, match="no such file or directory"):
        discover_files([link], Config(root=tmp_path, source=None))


def test_symlink_loop_terminates_and_lists_each_file_once(tmp_path: Path) -> None:
    touch(tmp_path / "a" / "m.py")
    os.symlink(tmp_path, tmp_path / "a" / "up")  # a/up -> its grandparent: a loop
    os.symlink(tmp_path / "a", tmp_path / "a" / "self")  # a/self -> a
    os.symlink(tmp_path / "missing", tmp_path / "a" / "broken")  # broken link inside the tree

    files = discover_files([tmp_path], Config(root=tmp_path, source=None))

    assert relative(files, tmp_path) == ["a/m.py"]


def test_symlinked_directory_is_followed(tmp_path: Path) -> None:
    outside = tmp_path / "shared"
    touch(outside / "util.py")
    project = tmp_path / "project"
    touch(project / "main.py")
    os.symlink(outside, project / "vendor")

    files = discover_files([project], Config(root=project, source=None))

    assert relative(files, project) == ["main.py", "vendor/util.py"]


def test_paths_outside_root_are_judged_relative_to_themselves(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    elsewhere = tmp_path / "elsewhere"
    touch(elsewhere / "gen" / "a.py")
    touch(elsewhere / "keep.py")
    config = Config(root=root, source=None, extend_exclude=("gen/*.py",))

    assert relative(discover_files([elsewhere], config), elsewhere) == ["keep.py"]


def test_discovering_thousands_of_files_is_fast(tmp_path: Path) -> None:
    for package in range(40):
        for module in range(60):
            touch(tmp_path / f"pkg{package}" / "sub" / f"m{module}.py", "")
    touch(tmp_path / ".venv" / "big.py")

    started = time.perf_counter()
    files = discover_files([tmp_path], Config(root=tmp_path, source=None))
    elapsed = time.perf_counter() - started

    assert len(files) == 2400
    assert elapsed < 2.0, f"discovering 2,400 files took {elapsed:.2f}s"
