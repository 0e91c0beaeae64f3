"""`govcheck repro` end to end: real tiny torch trainings in subprocesses, through the CLI.

Each test copies the workloads into a temporary project and runs the CLI in-process from there,
as a user would from their repository; the report is then read back from disk.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from pathlib import Path

import pytest

from govcheck.cli import main

WORKLOADS = Path(__file__).parent / "repro_workloads"
OUTPUTS = ["--outputs", "out/model.pt", "--metrics", "out/metrics.json"]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    for script in WORKLOADS.glob("*.py"):
        shutil.copy(script, root / script.name)
    monkeypatch.chdir(root)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    # A private fixed working path per test: tests may run in parallel (xdist) safely.
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    return root


def repro(report: Path, *arguments: str) -> tuple[int, dict]:
    code = main(["repro", "--report-dir", str(report), *arguments])
    return code, json.loads((report / "report.json").read_text(encoding="utf-8"))


def script(name: str) -> list[str]:
    return ["--", sys.executable, name]


def test_seeded_training_is_bitwise(project: Path, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    code, report = repro(project / "r", *OUTPUTS, *script("seeded.py"))
    assert code == 0
    assert report["version"] == 1 and report["verdict"] == "BITWISE"
    assert [o["verdict"] for o in report["outputs"]] == ["BITWISE"]
    assert {m["key"] for m in report["metrics"]} == {"/loss", "/steps"}
    run = json.loads((project / "r/runs/run-1/run.json").read_text(encoding="utf-8"))
    assert run["environment"]["PYTHONHASHSEED"] == "0"
    assert run["environment"]["OMP_NUM_THREADS"] == "1"
    assert run["exit_code"] == 0 and "out/model.pt" in run["outputs"]
    assert (project / "r/runs/run-2/outputs/out/model.pt").is_file()
    # Both runs worked at the same absolute path, so no difference there.
    assert "work_dir" not in report["environment_differences"]
    markdown = (project / "r/report.md").read_text(encoding="utf-8")
    assert markdown.startswith("## govcheck repro: BITWISE")
    assert summary.read_text(encoding="utf-8") == "earlier step\n" + markdown + "\n"


def test_unseeded_training_diverges(project: Path) -> None:
    code, report = repro(project / "r", *OUTPUTS, *script("unseeded.py"))
    assert code == 1 and report["verdict"] == "DIVERGED"
    (model,) = report["outputs"]
    assert model["verdict"] == "DIVERGED" and len(model["tensors"]) == 2
    assert {t["name"] for t in model["tensors"]} == {"weight", "bias"}
    markdown = (project / "r/report.md").read_text(encoding="utf-8")
    assert markdown.startswith("## govcheck repro: DIVERGED")
    assert "real divergence" in markdown


def test_crash_is_failed_with_stderr(project: Path) -> None:
    code, report = repro(project / "r", *OUTPUTS, *script("crash.py"))
    assert code == 3 and report["verdict"] == "FAILED"
    assert len(report["runs"]) == 1  # no point running again after a failure
    assert "CUDA out of memory (simulated" in report["runs"][0]["stderr_tail"]
    assert "CUDA out of memory (simulated" in (project / "r/report.md").read_text("utf-8")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    try:  # a zombie waiting for a reaper that never comes (PID 1 in a container) is gone too
        return stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


@pytest.mark.skipif(sys.platform == "win32", reason="process groups are POSIX")
def test_timeout_kills_the_whole_tree(project: Path, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    pid_file = tmp_path / "hang_child.pid"
    monkeypatch.setenv("HANG_PID_FILE", str(pid_file))
    start = time.monotonic()
    code, report = repro(project / "r", "--timeout", "3", *OUTPUTS, *script("hang.py"))
    assert time.monotonic() - start < 20
    assert code == 3 and report["verdict"] == "FAILED"
    assert report["runs"][0]["timed_out"] is True
    assert "timed out" in report["reason"]
    grandchild = int(pid_file.read_text())
    deadline = time.monotonic() + 5
    while _alive(grandchild) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(grandchild)


def test_no_outputs_is_failed(project: Path) -> None:
    code, report = repro(project / "r", *OUTPUTS, *script("no_output.py"))
    assert code == 3 and report["verdict"] == "FAILED"
    assert "none of its declared outputs" in report["reason"]


def test_no_outputs_declared_at_all_is_failed(project: Path) -> None:
    code, report = repro(project / "r", *script("no_output.py"))
    assert code == 3 and "--outputs" in report["reason"]


def test_run_and_compare_separately(project: Path, tmp_path: Path) -> None:
    for name in ("a", "b"):
        assert main(["repro", "run", *OUTPUTS, "--run-dir", str(tmp_path / name),
                     *script("unseeded.py")]) == 0
    moved = tmp_path / "elsewhere"
    for name in ("a", "b"):  # as if downloaded from two CI machines
        shutil.copytree(tmp_path / name, moved / name)
        shutil.rmtree(tmp_path / name)
    code = main(["repro", "compare", str(moved / "a"), str(moved / "b"),
                 "--report-dir", str(tmp_path / "r")])
    report = json.loads((tmp_path / "r/report.json").read_text(encoding="utf-8"))
    assert code == 1 and report["verdict"] == "DIVERGED"
    # Comparing a run with itself is bitwise, and a huge tolerance accepts the divergence.
    assert main(["repro", "compare", str(moved / "a"), str(moved / "a"),
                 "--report-dir", str(tmp_path / "same")]) == 0
    assert main(["repro", "compare", str(moved / "a"), str(moved / "b"), "--rtol", "1e9",
                 "--atol", "1e3", "--report-dir", str(tmp_path / "loose")]) == 0


def test_missing_output_in_one_run_is_incomparable(project: Path, tmp_path: Path) -> None:
    assert main(["repro", "run", *OUTPUTS, "--run-dir", str(tmp_path / "a"),
                 *script("seeded.py")]) == 0
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    run_json = tmp_path / "b" / "run.json"
    data = json.loads(run_json.read_text(encoding="utf-8"))
    del data["outputs"]["out/model.pt"]
    run_json.write_text(json.dumps(data), encoding="utf-8")
    code = main(["repro", "compare", str(tmp_path / "a"), str(tmp_path / "b"),
                 "--report-dir", str(tmp_path / "r")])
    report = json.loads((tmp_path / "r/report.json").read_text(encoding="utf-8"))
    assert code == 1 and report["verdict"] == "INCOMPARABLE"
    assert "missing in run 2" in report["outputs"][0]["reason"]


def test_unsafe_checkpoint_is_incomparable_and_never_executed(project: Path,
                                                              tmp_path: Path) -> None:
    import pickle

    marker = tmp_path / "pwned"

    class Evil:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    runs = []
    for name, payload in (("a", b"one"), ("b", b"two")):
        directory = tmp_path / name
        (directory / "outputs").mkdir(parents=True)
        (directory / "outputs" / "model.pt").write_bytes(pickle.dumps(Evil()) + payload)
        (directory / "run.json").write_text(json.dumps({
            "version": 1, "status": "ok", "exit_code": 0, "command": ["x"],
            "outputs": {"model.pt": {"sha256": name, "size": 1}}}), encoding="utf-8")
        runs.append(str(directory))
    code = main(["repro", "compare", *runs, "--report-dir", str(tmp_path / "r")])
    report = json.loads((tmp_path / "r/report.json").read_text(encoding="utf-8"))
    assert code == 1 and report["verdict"] == "INCOMPARABLE"
    assert report["outputs"][0]["reason"]
    assert not marker.exists()


@pytest.mark.parametrize("arguments, message", [
    (["--"], "no command"),
    (["--runs", "1", "--", "true"], "at least 2"),
    (["compare", "nowhere", "nowhere2"], "not a run directory"),
])
def test_usage_errors(project: Path, capsys: pytest.CaptureFixture[str],
                      arguments: list[str], message: str) -> None:
    assert main(["repro", *arguments]) == 2
    assert message in capsys.readouterr().err


def test_bad_tolerance_is_usage_error(project: Path) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["repro", "--tolerance", "weight", "--", "true"])
    assert exit_info.value.code == 2


def test_importing_the_cli_does_not_import_torch() -> None:
    import subprocess

    code = ("import sys, govcheck.cli, govcheck.repro.cli, govcheck.repro.run, "
            "govcheck.repro.report; print('torch' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "False"
