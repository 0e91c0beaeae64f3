"""The engine on real files: bad input, suppressions, configuration and the cache."""

from __future__ import annotations

import os
from pathlib import Path

from conftest import expected_marks, found_marks, lint_project, write_project
from govcheck.lint.cache import CACHE_DIR_NAME

UNSEEDED = "import numpy as np\n\nif __name__ == '__main__':\n    np.random.rand()\n"


def test_syntax_error_is_a_finding_and_the_run_goes_on(project) -> None:
    result = project({"broken.py": "def train(:\n    pass\n", "ok.py": UNSEEDED})
    codes = {(f.path, f.line, f.code) for f in result.findings}
    assert ("broken.py", 1, "GOV001") in codes
    assert ("ok.py", 4, "GOV101") in codes


def test_file_that_is_not_utf8_is_reported(tmp_path: Path) -> None:
    (tmp_path / "govcheck.toml").write_text("")
    (tmp_path / "latin.py").write_bytes(b"x = 1\n# caf\xe9\n")
    [finding] = lint_project(tmp_path).findings
    assert (finding.code, finding.line) == ("GOV002", 2)
    assert "not valid UTF-8" in finding.message


def test_empty_file_and_bom_are_fine(tmp_path: Path) -> None:
    (tmp_path / "govcheck.toml").write_text("")
    (tmp_path / "empty.py").write_text("")
    (tmp_path / "bom.py").write_bytes(b"\xef\xbb\xbfimport random\nrandom.seed(1)\n")
    assert lint_project(tmp_path).findings == ()


def test_symlink_loop_does_not_hang(tmp_path: Path) -> None:
    (tmp_path / "govcheck.toml").write_text("")
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "train.py").write_text(UNSEEDED)
    os.symlink(tmp_path, tmp_path / "pkg" / "loop")
    result = lint_project(tmp_path)
    assert [f.path for f in result.findings] == ["pkg/train.py"]


def test_noqa_suppresses_with_reason(project) -> None:
    result = project({"train.py": UNSEEDED.replace(
        "np.random.rand()", "np.random.rand()  # noqa: GOV101 -- demo data only")})
    assert result.findings == ()
    [suppressed] = result.suppressed
    assert suppressed.suppression == "demo data only"


def test_noqa_for_another_code_does_not_suppress(project) -> None:
    result = project({"train.py": UNSEEDED.replace(
        "np.random.rand()", "np.random.rand()  # noqa: GOV106")})
    assert [f.code for f in result.findings] == ["GOV101", "GOV004"]
    assert "no GOV106 finding" in result.findings[1].message


def test_select_ignore_and_per_file_ignores(tmp_path: Path) -> None:
    write_project(tmp_path, {"a.py": UNSEEDED, "scripts/b.py": UNSEEDED})
    (tmp_path / "pyproject.toml").write_text(
        '[tool.govcheck]\nper-file-ignores = { "scripts/*" = ["GOV1"] }\n')
    assert [f.path for f in lint_project(tmp_path).findings] == ["a.py"]
    assert lint_project(tmp_path, ignore=["GOV101"]).findings == ()
    assert lint_project(tmp_path, select=["GOV106"]).findings == ()


def test_cache_reanalyses_an_edit_and_invalidates_on_config_change(tmp_path: Path) -> None:
    write_project(tmp_path, {"train.py": UNSEEDED, "other.py": "x = 1\n"})
    (tmp_path / "govcheck.toml").write_text("")
    first = lint_project(tmp_path, use_cache=True)
    assert [f.code for f in first.findings] == ["GOV101"]
    assert first.files_from_cache == 0
    assert (tmp_path / CACHE_DIR_NAME / "CACHEDIR.TAG").is_file()
    assert (tmp_path / CACHE_DIR_NAME / ".gitignore").read_text().strip().endswith("*")

    warm = lint_project(tmp_path, use_cache=True)
    assert warm.files_from_cache == 2
    assert warm.findings == first.findings

    (tmp_path / "train.py").write_text(UNSEEDED.replace("    np.random.rand()",
                                                        "    np.random.seed(0)\n    np.random.rand()"))
    edited = lint_project(tmp_path, use_cache=True)
    assert edited.findings == ()
    assert edited.files_from_cache == 1

    (tmp_path / "govcheck.toml").write_text('known-seeders = ["x.y"]\n')
    reconfigured = lint_project(tmp_path, use_cache=True)
    assert reconfigured.files_from_cache == 0


def test_parallel_workers_give_the_same_result(tmp_path: Path) -> None:
    from govcheck.config import load_config
    from govcheck.lint.engine import lint

    files = {f"mod{i}.py": UNSEEDED for i in range(30)}
    write_project(tmp_path, files)
    (tmp_path / "govcheck.toml").write_text("")
    config = load_config(tmp_path)
    serial = lint([tmp_path], config, use_cache=False, workers=1)
    parallel = lint([tmp_path], config, use_cache=False, workers=2)
    assert len(serial.findings) == 30
    assert serial.findings == parallel.findings


def test_huge_generated_file_is_reported_not_parsed(tmp_path: Path) -> None:
    (tmp_path / "govcheck.toml").write_text("")
    (tmp_path / "table.py").write_text("DATA = [\n" + "    1,\n" * 1_800_000 + "]\n")
    [finding] = lint_project(tmp_path).findings
    assert finding.code == "GOV002" and "MiB limit" in finding.message


def test_identical_code_is_located_at_its_own_line(project, tmp_path: Path) -> None:
    result = project({"train.py": """
        import numpy as np
        from pathlib import Path

        count = len(list(Path(".").iterdir()))
        names = list(Path(".").iterdir())  # expect: GOV106


        def early():
            return np.random.rand()  # expect: GOV101


        if __name__ == "__main__":
            np.random.rand()  # expect: GOV101
            np.random.rand()  # expect: GOV101
            early()
    """})
    assert found_marks(result) == expected_marks(tmp_path)
