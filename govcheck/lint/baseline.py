"""Baselines: adopt govcheck on an existing project by reporting only new findings.

A baseline is an earlier JSON report (`govcheck check --output-format json -o FILE`), or the
findings the same files had at a git revision (`--new-since main`, what a pull request adds).
Findings are matched by fingerprint (rule, path, enclosing definition, normalised source line),
never by line number, so code moving around does not turn old findings into new ones. The
fingerprints are counted, so a second identical problem in the same function is still new.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from govcheck.errors import UsageError
from govcheck.lint.records import Finding


def load_baseline(path: Path) -> Counter[str]:
    """Fingerprint -> how many findings with it the baseline holds."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{path}: baseline file does not exist (write one with "
                         f"`govcheck check --output-format json -o {path}`)") from None
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"{path}: cannot read baseline: {error}") from None
    except json.JSONDecodeError as error:
        raise UsageError(f"{path}:{error.lineno}: baseline is not valid JSON: {error.msg}") from None
    if not isinstance(document, dict) or document.get("version") != 1:
        raise UsageError(f"{path}: expected a govcheck JSON report with \"version\": 1")
    findings = document.get("findings")
    if not isinstance(findings, list) or not all(
            isinstance(item, dict) and isinstance(item.get("fingerprint"), str) for item in findings):
        raise UsageError(f"{path}: key 'findings': expected a list of findings, each with a "
                         "'fingerprint' string")
    return Counter(item["fingerprint"] for item in findings)


def new_findings(findings: tuple[Finding, ...], baseline: Counter[str]) -> tuple[Finding, ...]:
    """The findings that the baseline does not account for, in their original order."""
    remaining = Counter(baseline)
    fresh = []
    for finding in findings:
        if remaining[finding.fingerprint] > 0:
            remaining[finding.fingerprint] -= 1
        else:
            fresh.append(finding)
    return tuple(fresh)


def baseline_at_revision(revision: str, root: Path, paths: list[Path],
                         lint_tree: Callable[[Path, list[Path]], tuple[Finding, ...]]) -> Counter[str]:
    """Fingerprints of the findings the same paths had at a git revision (`--new-since REF`).

    The revision is checked out into a temporary worktree (the user's checkout is untouched),
    linted there without a cache, and removed again.
    """
    git = shutil.which("git")
    if git is None:
        raise UsageError("--new-since needs git on PATH")
    top = _git(git, root, "rev-parse", "--show-toplevel").strip()
    prefix = _git(git, root, "rev-parse", "--show-prefix").strip()
    commit = _git(git, root, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}",
                  what=f"--new-since: '{revision}' is not a commit in {top}").strip()
    with tempfile.TemporaryDirectory(prefix="govcheck-baseline-") as directory:
        worktree = Path(directory) / "tree"
        _git(git, root, "worktree", "add", "--detach", "--quiet", str(worktree), commit)
        try:
            old_root = worktree / prefix
            old_paths = [old_root / path.relative_to(root) for path in paths
                         if path.is_relative_to(root)]
            old_paths = [path for path in old_paths if path.exists()]
            findings = lint_tree(old_root, old_paths) if old_paths and old_root.is_dir() else ()
        finally:
            _git(git, root, "worktree", "remove", "--force", str(worktree))
    return Counter(finding.fingerprint for finding in findings)


def _git(git: str, cwd: Path, *arguments: str, what: str | None = None) -> str:
    done = subprocess.run([git, *arguments], cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        raise UsageError(what or f"git {arguments[0]} failed in {cwd}: {done.stderr.strip()}")
    return done.stdout
