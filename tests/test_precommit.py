"""The pre-commit hook, checked the way its users meet it.

`.pre-commit-hooks.yaml` is only useful if pre-commit accepts it and if the environment pre-commit
builds from this repository really runs `govcheck check` on a user's files. So the manifest goes
through pre-commit's own validator, and the hook goes through a real `pre-commit try-repo`: a
fresh virtualenv, govcheck built and installed from this checkout, run on a throw-away git
repository with a planted unseeded draw.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
MANIFEST = REPO_ROOT / ".pre-commit-hooks.yaml"
HOOK_ID = "govcheck-check"

needs_pre_commit = pytest.mark.skipif(
    shutil.which("pre-commit") is None, reason="pre-commit is not on PATH"
)
needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not on PATH")

# Variables that point git at another repository. They are set when the tests run inside a git
# hook, and would make every git command below act on the outer repository instead.
_GIT_LOCATION_VARS = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_COMMON_DIR",
    "GIT_PREFIX",
)

UNSEEDED_TRAIN = """\
import numpy as np

if __name__ == "__main__":
    weights = np.random.rand(3)
    print(weights)
"""
UNSEEDED_DRAW_LINE = 4

SEEDED_TRAIN = """\
import numpy as np

if __name__ == "__main__":
    np.random.seed(0)
    weights = np.random.rand(3)
    print(weights)
"""


def _environment(pre_commit_home: Path) -> dict[str, str]:
    """The environment for git and pre-commit: isolated store, fixed identity, plain output.

    GITHUB_ACTIONS is dropped so govcheck prints its text format here even when the suite itself
    runs in GitHub Actions (where it would switch to workflow annotations).
    """
    env = {k: v for k, v in os.environ.items() if k not in _GIT_LOCATION_VARS}
    env.pop("GITHUB_ACTIONS", None)
    env.update(
        PRE_COMMIT_HOME=str(pre_commit_home),
        PRE_COMMIT_COLOR="never",
        NO_COLOR="1",
        GIT_AUTHOR_NAME="govcheck tests",
        GIT_AUTHOR_EMAIL="tests@example.invalid",
        GIT_COMMITTER_NAME="govcheck tests",
        GIT_COMMITTER_EMAIL="tests@example.invalid",
        GIT_CONFIG_NOSYSTEM="1",
    )
    return env


def _run(
    args: list[str], cwd: Path, env: dict[str, str], timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args,
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout,
        check=False,
    )


def _git(cwd: Path, env: dict[str, str], *args: str) -> None:
    result = _run(["git", "-c", "commit.gpgsign=false", *args], cwd, env)
    assert result.returncode == 0, f"git {' '.join(args)} failed:\n{result.stdout}"


def _commit_all(repo: Path, env: dict[str, str], message: str) -> None:
    _git(repo, env, "add", "--all")
    _git(repo, env, "commit", "--quiet", "--no-verify", "-m", message)


def _snapshot_checkout(dest: Path, env: dict[str, str]) -> None:
    """Copy this checkout as it is on disk into a new git repository with one commit.

    try-repo on the checkout itself would see only committed and modified tracked files: it
    leaves out files not yet added to git, and fails outright before the first commit. A
    snapshot of every file git does not ignore (or of the whole tree, outside git) makes the
    hook run exactly the code under test.
    """
    listing = _run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], REPO_ROOT, env
    )
    toplevel = _run(["git", "rev-parse", "--show-toplevel"], REPO_ROOT, env).stdout.strip()
    inside_git = listing.returncode == 0 and toplevel == str(REPO_ROOT)
    if inside_git:
        for name in filter(None, listing.stdout.split("\0")):
            source = REPO_ROOT / name
            if source.is_file():  # listed but deleted in the work tree: leave it out
                target = dest / name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target, follow_symlinks=False)
    else:
        shutil.copytree(
            REPO_ROOT,
            dest,
            dirs_exist_ok=True,
            ignore=shutil.ignore_patterns(
                ".git", "__pycache__", "*.egg-info", ".venv", ".govcheck_cache", ".pytest_cache"
            ),
        )
    _git(dest, env, "init", "--quiet")
    _commit_all(dest, env, "snapshot of the checkout under test")


def _make_project(repo: Path, env: dict[str, str], train_source: str) -> None:
    """A user's project: a git repository with a config and one training script."""
    repo.mkdir()
    _git(repo, env, "init", "--quiet")
    (repo / "pyproject.toml").write_text("[tool.govcheck]\n")
    (repo / "train.py").write_text(train_source)
    _commit_all(repo, env, "add training script")


def _try_repo(project: Path, hook_repo: Path, env: dict[str, str],
              hook_id: str = HOOK_ID) -> tuple[int, str]:
    """Run the hook through try-repo, the way a user trials a hook before adopting it.

    The first call builds a virtualenv and installs govcheck with its build backend from the
    package index, hence the long timeout.
    """
    result = _run(
        ["pre-commit", "try-repo", str(hook_repo), hook_id, "--all-files", "--color", "never"],
        project,
        env,
        timeout=900,
    )
    return result.returncode, result.stdout


@needs_pre_commit
def test_manifest_is_valid() -> None:
    result = subprocess.run(
        ["pre-commit", "validate-manifest", str(MANIFEST)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout


def test_manifest_declares_the_check_hook() -> None:
    """The settings the hook relies on: whole-project analysis needs one process, and the
    project's own excludes must hold for files pre-commit names explicitly."""
    yaml = pytest.importorskip("yaml")
    hooks = {hook["id"]: hook for hook in yaml.safe_load(MANIFEST.read_text())}
    hook = hooks[HOOK_ID]
    assert hook["entry"] == "govcheck check --force-exclude"
    assert hook["language"] == "python"
    assert hook["types_or"] == ["python"]
    assert hook["require_serial"] is True
    assert hook["minimum_pre_commit_version"] == "3.2.0"
    catalog = hooks["govcheck-catalog"]
    assert catalog["entry"] == "govcheck catalog validate"
    assert catalog["pass_filenames"] is False


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A committed copy of this checkout that try-repo can clone."""
    if shutil.which("git") is None or shutil.which("pre-commit") is None:
        pytest.skip("git and pre-commit must be on PATH")
    scratch = tmp_path_factory.mktemp("hook-repo")
    root = scratch / "govcheck"
    root.mkdir()
    _snapshot_checkout(root, _environment(scratch / "pre-commit-home"))
    return root


@pytest.mark.slow
@needs_git
@needs_pre_commit
def test_hook_fails_on_unseeded_draw_then_passes_once_seeded(
    hook_repo: Path, tmp_path: Path
) -> None:
    """The user's loop: the hook blocks the unseeded draw, the user seeds, the hook passes.

    The fix happens in the same project, so a stale cached result from the first run would also
    show up here.
    """
    env = _environment(tmp_path / "pre-commit-home")
    project = tmp_path / "project"
    _make_project(project, env, UNSEEDED_TRAIN)

    returncode, output = _try_repo(project, hook_repo, env)

    assert returncode == 1, output
    assert "govcheck check (ML governance lint)" in output, output
    assert "Failed" in output, output
    assert "GOV101" in output, output
    assert f"train.py:{UNSEEDED_DRAW_LINE}" in output, output

    (project / "train.py").write_text(SEEDED_TRAIN)
    _commit_all(project, env, "seed numpy before drawing")

    returncode, output = _try_repo(project, hook_repo, env)

    assert returncode == 0, output
    assert "Passed" in output, output
    assert "GOV101" not in output, output


@pytest.mark.slow
@needs_git
@needs_pre_commit
def test_catalog_hook_blocks_a_stale_pin(hook_repo: Path, tmp_path: Path) -> None:
    """The data steward's loop: the catalog pins a hash, the data changes, the hook says so."""
    env = _environment(tmp_path / "pre-commit-home")
    project = tmp_path / "project"
    _make_project(project, env, SEEDED_TRAIN)
    (project / "data.csv").write_text("a,b\n1,2\n")
    (project / "pyproject.toml").write_text(
        '[tool.govcheck.datasets.table]\npath = "data.csv"\n'
        'sha256 = "' + "0" * 64 + '"\n')
    _commit_all(project, env, "catalog a table with a wrong pin")

    returncode, output = _try_repo(project, hook_repo, env, "govcheck-catalog")
    assert returncode == 1, output
    assert "sha256 mismatch" in output, output

    subprocess.run([sys.executable, "-m", "govcheck", "catalog", "pin", "table"], cwd=project,
                   check=True, capture_output=True)
    _commit_all(project, env, "pin the current hash")
    returncode, output = _try_repo(project, hook_repo, env, "govcheck-catalog")
    assert returncode == 0, output
