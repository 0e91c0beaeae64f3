"""Whole-project seeding analysis on multi-module projects (tests/cases/<name>/).

Each case folder is a small project; every line marked `# expect: CODE` must be flagged, and
nothing else may be.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import expected_marks, found_marks, lint_project

CASES_DIR = Path(__file__).parent / "cases"
CASE_NAMES = sorted(p.name for p in CASES_DIR.iterdir() if p.is_dir())


def _lint_case(name: str, tmp_path: Path, **overrides: object):
    root = tmp_path / name
    shutil.copytree(CASES_DIR / name, root)
    (root / "govcheck.toml").write_text("", encoding="utf-8")
    return root, lint_project(root, **overrides)


@pytest.mark.parametrize("name", CASE_NAMES)
def test_case_findings_are_exactly_the_marked_lines(name: str, tmp_path: Path) -> None:
    root, result = _lint_case(name, tmp_path)
    assert found_marks(result) == expected_marks(root)


def test_message_names_the_entry_point_that_does_not_seed(tmp_path: Path) -> None:
    _, result = _lint_case("two_entries", tmp_path)
    [finding] = result.findings
    assert "`evaluate.py`" in finding.message
    assert "seeded from `train.py`" in finding.message
    assert finding.certainty == "certain"


def test_seed_in_one_branch_only_is_uncertain(project) -> None:
    result = project({"train.py": """
        import sys
        import numpy as np

        if __name__ == "__main__":
            if len(sys.argv) > 1:
                np.random.seed(int(sys.argv[1]))
            np.random.rand()
    """})
    [finding] = result.findings
    assert finding.code == "GOV101"
    assert finding.certainty == "uncertain"
    assert finding.severity == "warning"
    assert "only on some paths" in finding.message


def test_seed_on_every_branch_counts(project) -> None:
    result = project({"train.py": """
        import sys
        import numpy as np

        if __name__ == "__main__":
            if len(sys.argv) > 1:
                np.random.seed(int(sys.argv[1]))
            else:
                np.random.seed(0)
            np.random.rand()
    """})
    assert result.findings == ()


def test_early_return_before_seed_leaves_the_caller_unseeded(project) -> None:
    result = project({"train.py": """
        import torch

        def setup(fast):
            if fast:
                return
            torch.manual_seed(0)

        if __name__ == "__main__":
            setup(True)
            torch.rand(1)
    """})
    [finding] = result.findings
    assert finding.certainty == "uncertain"


def test_known_seeders_from_config_count(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.govcheck]\nknown-seeders = ["mylib.reproducible"]\n', encoding="utf-8")
    (tmp_path / "train.py").write_text(
        "import mylib\nimport numpy as np\n\nif __name__ == '__main__':\n"
        "    mylib.reproducible()\n    np.random.rand()\n", encoding="utf-8")
    assert lint_project(tmp_path).findings == ()


def test_configured_entry_point_is_walked(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.govcheck]\nentry-points = ["jobs/*.py"]\n', encoding="utf-8")
    (tmp_path / "jobs").mkdir()
    (tmp_path / "jobs" / "nightly.py").write_text(
        "import numpy as np\n\ndef run():\n    np.random.seed(1)\n    return np.random.rand()\n\n"
        "run()\n", encoding="utf-8")
    (tmp_path / "other.py").write_text("from jobs import nightly\n", encoding="utf-8")
    assert lint_project(tmp_path).findings == ()


def test_only_named_files_are_reported_but_the_project_is_analysed(tmp_path: Path) -> None:
    root, _ = _lint_case("two_entries", tmp_path)
    result = lint_project(root, [root / "train.py"])
    assert result.findings == ()
    result = lint_project(root, [root / "proj" / "data.py"])
    assert [(f.path, f.code) for f in result.findings] == [("proj/data.py", "GOV101")]
