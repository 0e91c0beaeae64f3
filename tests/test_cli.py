"""The CLI as users run it: a subprocess, exit codes, formats, and no heavy imports."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema

UNSEEDED = "import numpy as np\n\nif __name__ == '__main__':\n    np.random.rand()\n"
SCHEMA = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "govcheck", *args], cwd=cwd, text=True,
                          capture_output=True, timeout=120)


def test_exit_codes(tmp_path: Path) -> None:
    (tmp_path / "govcheck.toml").write_text("")
    (tmp_path / "train.py").write_text(UNSEEDED)
    dirty = run("check", ".", cwd=tmp_path)
    assert dirty.returncode == 1
    assert "train.py:4:5: GOV101" in dirty.stdout
    assert run("check", "--exit-zero", cwd=tmp_path).returncode == 0
    assert run("check", "--ignore", "GOV101", cwd=tmp_path).returncode == 0


def test_usage_errors_exit_2_without_traceback(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(UNSEEDED)
    missing = run("check", "nope.py", cwd=tmp_path)
    assert missing.returncode == 2 and "nope.py" in missing.stderr
    unknown = run("check", "--select", "GOV999", cwd=tmp_path)
    assert unknown.returncode == 2 and "GOV999" in unknown.stderr
    (tmp_path / "pyproject.toml").write_text("[tool.govcheck]\nselect = 3\n")
    bad = run("check", ".", cwd=tmp_path)
    assert bad.returncode == 2 and "select" in bad.stderr
    (tmp_path / "pyproject.toml").write_text("[tool.govcheck\n")
    broken = run("check", ".", cwd=tmp_path)
    assert broken.returncode == 2 and "pyproject.toml" in broken.stderr
    for result in (missing, unknown, bad, broken):
        assert "Traceback" not in result.stderr


def test_json_and_sarif_outputs(tmp_path: Path) -> None:
    (tmp_path / "govcheck.toml").write_text("")
    (tmp_path / "train.py").write_text(UNSEEDED)
    report = json.loads(run("check", "--output-format", "json", cwd=tmp_path).stdout)
    [finding] = report["findings"]
    assert (finding["path"], finding["line"], finding["code"]) == ("train.py", 4, "GOV101")
    sarif_path = tmp_path / "out.sarif"
    assert run("check", "--output-format", "sarif", "-o", str(sarif_path),
               cwd=tmp_path).returncode == 1
    sarif = json.loads(sarif_path.read_text())
    jsonschema.Draft4Validator(json.loads(SCHEMA.read_text())).validate(sarif)
    [result] = sarif["runs"][0]["results"]
    assert result["partialFingerprints"]["govcheck/v1"] == finding["fingerprint"]
    assert {rule["id"] for rule in sarif["runs"][0]["tool"]["driver"]["rules"]} >= {"GOV101"}


def test_rule_documentation_commands(tmp_path: Path) -> None:
    listing = run("rules", cwd=tmp_path)
    assert listing.returncode == 0 and "GOV101  unseeded-global-draw" in listing.stdout
    doc = run("rule", "GOV103", cwd=tmp_path)
    assert "## Why it matters" in doc.stdout and "generator=" in doc.stdout
    assert run("rule", "GOV999", cwd=tmp_path).returncode == 2


def test_check_does_not_import_heavy_libraries(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(UNSEEDED)
    probe = ("import sys, runpy\nsys.argv = ['govcheck', 'check', '--exit-zero', '.']\n"
             "try:\n    runpy.run_module('govcheck', run_name='__main__')\nexcept SystemExit:\n"
             "    pass\nheavy = [m for m in ('torch', 'pandas', 'sigstore', 'cyclonedx', 'jinja2', "
             "'numpy', 'sklearn') if m in sys.modules]\nprint('HEAVY', heavy)\n")
    result = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, text=True,
                            capture_output=True, timeout=120)
    assert "HEAVY []" in result.stdout, result.stdout + result.stderr


def test_example_project_findings(tmp_path: Path) -> None:
    example = Path(__file__).parents[1] / "examples" / "train_project"
    report = json.loads(run("check", "--no-cache", "--output-format", "json", str(example),
                            cwd=tmp_path).stdout)
    found = {(f["path"], f.get("cell"), f["line"], f["code"]) for f in report["findings"]}
    assert found == {
        ("evaluate.py", None, 35, "GOV201"),
        ("evaluate.py", None, 35, "GOV301"),
        ("explore.ipynb", 3, 1, "GOV101"),
        ("trainproj/augment.py", None, 8, "GOV102"),
        ("trainproj/data.py", None, 21, "GOV101"),
        ("trainproj/data.py", None, 23, "GOV101"),
        ("trainproj/data.py", None, 30, "GOV106"),
    }
    data_draws = [f for f in report["findings"] if f["path"] == "trainproj/data.py"
                  and f["code"] == "GOV101"]
    assert all("`evaluate.py`" in f["message"] for f in data_draws)


def test_statistics_replace_the_findings_in_text_output(tmp_path: Path) -> None:
    (tmp_path / "govcheck.toml").write_text("")
    (tmp_path / "train.py").write_text(UNSEEDED + "    np.random.rand()\n")
    result = run("check", "--statistics", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.split() == ["2", "GOV101", "unseeded-global-draw"]


def test_output_file_is_not_touched_when_the_run_fails(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    report.write_text("previous report\n")
    (tmp_path / "govcheck.toml").write_text("select = 7\n")
    (tmp_path / "train.py").write_text(UNSEEDED)
    result = run("check", "--output-format", "json", "-o", str(report), cwd=tmp_path)
    assert result.returncode == 2
    assert report.read_text() == "previous report\n"


def test_baseline_reports_only_new_findings(tmp_path: Path) -> None:
    (tmp_path / "govcheck.toml").write_text("")
    (tmp_path / "train.py").write_text(UNSEEDED)
    assert run("check", "--output-format", "json", "-o", "baseline.json",
               cwd=tmp_path).returncode == 1
    # Code moves down two lines: the old finding is still the same finding.
    (tmp_path / "train.py").write_text("# header\n\n" + UNSEEDED)
    assert run("check", "--baseline", "baseline.json", cwd=tmp_path).returncode == 0
    (tmp_path / "train.py").write_text("# header\n\n" + UNSEEDED + "    np.random.randn()\n")
    fresh = run("check", "--baseline", "baseline.json", cwd=tmp_path)
    assert fresh.returncode == 1
    assert "train.py:7:5: GOV101" in fresh.stdout and "train.py:6:" not in fresh.stdout
    (tmp_path / "bad.json").write_text("{\"version\": 1, \"findings\": 3}")
    bad = run("check", "--baseline", "bad.json", cwd=tmp_path)
    assert bad.returncode == 2 and "bad.json" in bad.stderr and "Traceback" not in bad.stderr


def test_new_since_reports_only_what_a_change_adds(tmp_path: Path) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    git("init", "-q")
    git("config", "user.email", "ci@example.com")
    git("config", "user.name", "CI")
    (tmp_path / "govcheck.toml").write_text("")
    notebook = {"cells": [{"cell_type": "code", "execution_count": 1, "id": "a", "metadata": {},
                           "outputs": [], "source": ["import random\n", "random.random()\n"]}],
                "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "explore.ipynb").write_text(json.dumps(notebook))
    (tmp_path / "train.py").write_text(UNSEEDED)
    git("add", ".")
    git("commit", "-qm", "start")
    # Re-run the notebook (new outputs and counts) and add one new draw to the script.
    notebook["cells"][0]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": ["0.3"]}]
    notebook["cells"][0]["execution_count"] = 9
    (tmp_path / "explore.ipynb").write_text(json.dumps(notebook))
    (tmp_path / "train.py").write_text(UNSEEDED + "    np.random.randn()\n")
    result = run("check", "--new-since", "HEAD", cwd=tmp_path)
    assert result.returncode == 1
    assert "train.py:5:5: GOV101" in result.stdout
    assert "train.py:4:" not in result.stdout and "explore.ipynb" not in result.stdout
    bad = run("check", "--new-since", "no-such-ref", cwd=tmp_path)
    assert bad.returncode == 2 and "no-such-ref" in bad.stderr and "Traceback" not in bad.stderr
    listing = subprocess.run(["git", "worktree", "list"], cwd=tmp_path, text=True,
                             capture_output=True).stdout
    assert len(listing.strip().splitlines()) == 1
