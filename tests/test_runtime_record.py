"""The runtime API as training code uses it: real child Python processes, real torch, real files.

Each scenario runs a script in a fresh interpreter, because the record is finished by exit hooks
(atexit, sys.excepthook) that only a real process exit exercises.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from govcheck.runtime.record import RunRecorder

ROOT = Path(__file__).resolve().parents[1]


def run_script(tmp_path: Path, source: str, *, env: dict[str, str] | None = None,
               name: str = "train.py") -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    """Run `source` as `name` in tmp_path with GOVCHECK_RUN_DIR=tmp_path/run; return the record."""
    script = tmp_path / name
    script.write_text(textwrap.dedent(source).lstrip("\n"), encoding="utf-8")
    run_dir = tmp_path / "run"
    child_env = {k: v for k, v in os.environ.items()
                 if not k.startswith(("OPENLINEAGE", "GOVCHECK_"))}
    child_env.update({"GOVCHECK_RUN_DIR": str(run_dir),
                      "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))})
    child_env.update(env or {})
    proc = subprocess.run([sys.executable, name], cwd=tmp_path, env=child_env, text=True,
                          capture_output=True, timeout=180)
    record_file = run_dir / "run_record.json"
    record = json.loads(record_file.read_text(encoding="utf-8")) if record_file.exists() else {}
    return proc, record


def parse_event(data: dict[str, Any]) -> Any:
    """Rebuild a RunEvent with the client's own classes: their validators check the run id is a
    UUID and the time is ISO-8601, and Serde must give back the same core fields."""
    from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
    from openlineage.client.serde import Serde

    event = RunEvent(
        eventType=RunState(data["eventType"]), eventTime=data["eventTime"], producer=data["producer"],
        run=Run(runId=data["run"]["runId"]),
        job=Job(namespace=data["job"]["namespace"], name=data["job"]["name"]),
        inputs=[InputDataset(namespace=d["namespace"], name=d["name"]) for d in data["inputs"]],
        outputs=[OutputDataset(namespace=d["namespace"], name=d["name"]) for d in data["outputs"]])
    again = Serde.to_dict(event)
    for key in ("eventType", "eventTime", "producer", "schemaURL"):
        assert again[key] == data[key]
    assert again["run"]["runId"] == data["run"]["runId"]
    return event


NORMAL_RUN = """
    import govcheck
    govcheck.seed_everything(7)
    govcheck.lineage.log_params(lr=0.1)
    govcheck.lineage.log_params({"epochs": 3, "layers": [64, 32]})
    with open("model.bin", "wb") as handle:
        handle.write(b"weights" * 1000)
    print(govcheck.lineage.log_output("model.bin"))
"""


def test_normal_run_is_complete_with_seed_params_output_and_events(tmp_path: Path) -> None:
    pytest.importorskip("openlineage.client")
    proc, record = run_script(tmp_path, NORMAL_RUN)
    assert proc.returncode == 0, proc.stderr
    expected = hashlib.sha256((tmp_path / "model.bin").read_bytes()).hexdigest()
    assert proc.stdout.strip() == expected

    assert record["schema"] == "govcheck.run-record/v1"
    assert record["status"] == "COMPLETE" and record["error"] is None
    assert record["job"] == {"namespace": "govcheck", "name": "train"}
    assert record["command"] == ["train.py"]
    assert record["started_at"] <= record["ended_at"]
    assert record["seed"]["value"] == 7
    settings = record["seed"]["settings"]
    assert settings["deterministic"] is True and settings["use_deterministic_algorithms"] is True
    assert settings["cudnn_benchmark"] is False and settings["CUBLAS_WORKSPACE_CONFIG"]
    assert record["params"] == {"lr": 0.1, "epochs": 3, "layers": [64, 32]}
    [output] = record["outputs"]
    assert output == {"path": "model.bin", "uri": (tmp_path / "model.bin").as_uri(),
                      "sha256": expected, "kind": "model"}
    assert record["environment"]["torch"] and record["environment"]["numpy"]
    assert "pandas" not in record["environment"]  # never imported by the script
    assert record["warnings"] == []

    start, end = record["openlineage"]
    assert [parse_event(e).eventType.value for e in (start, end)] == ["START", "COMPLETE"]
    for event in (start, end):
        assert event["run"]["runId"] == record["run_id"]
        assert event["job"]["name"] == "train"
        assert event["producer"] == "https://github.com/govcheck/govcheck"
    [dataset] = end["outputs"]
    assert dataset["namespace"] == "file" and dataset["name"] == str(tmp_path / "model.bin")
    facet = dataset["facets"]["govcheck"]
    assert facet["sha256"] == expected and facet["_producer"] == "https://github.com/govcheck/govcheck"
    assert facet["_schemaURL"].startswith("https://github.com/govcheck/govcheck/")
    parameters = {p["key"]: p["value"] for p in end["run"]["facets"]["executionParameters"]["parameters"]}
    assert parameters["govcheck.seed"] == "7" and parameters["lr"] == "0.1"


def test_uncaught_exception_records_fail_and_keeps_the_traceback(tmp_path: Path) -> None:
    pytest.importorskip("openlineage.client")
    proc, record = run_script(tmp_path, """
        import govcheck
        govcheck.lineage.log_params(lr=0.1)
        raise RuntimeError("loss is nan at step 42")
    """)
    assert proc.returncode == 1
    assert "Traceback" in proc.stderr and "loss is nan at step 42" in proc.stderr  # chained hook
    assert record["status"] == "FAIL"
    assert record["error"] == "RuntimeError: loss is nan at step 42"
    start, end = record["openlineage"]
    assert parse_event(start).eventType.value == "START"
    assert parse_event(end).eventType.value == "FAIL"
    error = end["run"]["facets"]["errorMessage"]
    assert error["message"] == record["error"] and error["programmingLanguage"] == "python"
    assert "Traceback" in error["stackTrace"]


def test_hard_exit_leaves_a_running_record_with_the_facts_so_far(tmp_path: Path) -> None:
    proc, record = run_script(tmp_path, """
        import os
        import govcheck
        govcheck.lineage.log_params(batch_size=32)
        os._exit(3)
    """)
    assert proc.returncode == 3
    assert record["status"] == "RUNNING" and record["ended_at"] is None
    assert record["params"] == {"batch_size": 32}
    assert [e["eventType"] for e in record["openlineage"]] in (["START"], [])


def test_torch_draws_after_seeding_repeat_across_processes(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    source = """
        import json, random, sys
        import govcheck
        govcheck.seed_everything(int(sys.argv[1]) if len(sys.argv) > 1 else 7)
        import numpy as np
        import torch
        layer = torch.nn.Linear(4, 3)
        print(json.dumps([torch.rand(5).tolist(), torch.randn(2, 2).tolist(),
                          layer.weight.tolist(), np.random.rand(3).tolist(), random.random()]))
    """
    draws = []
    for attempt in range(2):
        folder = tmp_path / str(attempt)
        folder.mkdir()
        proc, record = run_script(folder, source)
        assert proc.returncode == 0, proc.stderr
        assert record["status"] == "COMPLETE" and record["seed"]["value"] == 7
        draws.append(json.loads(proc.stdout))
    assert draws[0] == draws[1]


def test_import_govcheck_stays_light(tmp_path: Path) -> None:
    proc, _ = run_script(tmp_path, """
        import sys
        import govcheck
        heavy = ("torch", "numpy", "pandas", "openlineage", "govcheck.runtime")
        print(sorted(m for m in heavy if m in sys.modules))
        assert callable(govcheck.seed_everything) and govcheck.lineage.log_output
        print(sorted(m for m in heavy[:4] if m in sys.modules))
    """)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split("\n")[:2] == ["[]", "[]"]


@pytest.mark.parametrize("seed", [-1, 2**32, 1.5, "7", True, None])
def test_seed_validation_names_the_value(seed: object) -> None:
    from govcheck.runtime.seed import seed_everything

    with pytest.raises(ValueError, match="0..4294967295") as caught:
        seed_everything(seed)  # type: ignore[arg-type]
    assert repr(seed) in str(caught.value) or str(seed) in str(caught.value)


def test_record_works_without_openlineage(tmp_path: Path) -> None:
    proc, record = run_script(tmp_path, """
        import sys
        sys.modules["openlineage"] = None  # makes `import openlineage` raise ImportError
        import govcheck
        govcheck.lineage.log_params(lr=0.1)
    """)
    assert proc.returncode == 0, proc.stderr
    assert record["status"] == "COMPLETE" and record["params"] == {"lr": 0.1}
    assert record["openlineage"] == []
    assert any("openlineage-python is not installed" in w for w in record["warnings"])


def test_events_are_sent_through_the_configured_transport(tmp_path: Path) -> None:
    pytest.importorskip("openlineage.client")
    events = tmp_path / "events.jsonl"
    config = tmp_path / "openlineage.yml"
    config.write_text(f"transport:\n  type: file\n  log_file_path: {events}\n  append: true\n")
    proc, record = run_script(tmp_path, NORMAL_RUN, env={"OPENLINEAGE_CONFIG": str(config)})
    assert proc.returncode == 0, proc.stderr
    assert record["warnings"] == []
    sent = [json.loads(line) for line in events.read_text().splitlines()]
    assert [e["eventType"] for e in sent] == ["START", "COMPLETE"]
    assert {e["run"]["runId"] for e in sent} == {record["run_id"]}
    assert sent[1]["outputs"][0]["facets"]["govcheck"]["sha256"] == record["outputs"][0]["sha256"]


def test_a_failed_send_is_a_warning_and_never_shows_the_token(tmp_path: Path) -> None:
    pytest.importorskip("openlineage.client")
    token = "tok-3f9c1d5e-secret"
    config = tmp_path / "openlineage.yml"
    config.write_text(textwrap.dedent(f"""
        transport:
          type: http
          url: http://127.0.0.1:9
          timeout: 2
          retry: {{total: 0}}
          auth: {{type: api_key, apiKey: {token}}}
    """))
    proc, record = run_script(tmp_path, "import govcheck\ngovcheck.lineage.log_params(lr=0.1)\n",
                              env={"OPENLINEAGE_CONFIG": str(config)})
    assert proc.returncode == 0, proc.stderr
    assert record["status"] == "COMPLETE"
    assert [e["eventType"] for e in record["openlineage"]] == ["START", "COMPLETE"]
    assert any("could not send the START event" in w for w in record["warnings"])
    assert any("could not send the COMPLETE event" in w for w in record["warnings"])
    assert token not in json.dumps(record) and token not in proc.stderr + proc.stdout


def test_worker_processes_do_not_overwrite_the_record(tmp_path: Path) -> None:
    proc, record = run_script(tmp_path, """
        import multiprocessing, os, sys
        import govcheck

        def worker(tag):
            govcheck.lineage.log_params(worker=tag)

        if __name__ == "__main__":
            govcheck.lineage.log_params(lr=0.1)
            for method in ("fork", "spawn"):
                child = multiprocessing.get_context(method).Process(target=worker, args=(method,))
                child.start()
                child.join()
                assert child.exitcode == 0
            # the record as the workers left it, before this process rewrites it at exit
            with open(os.path.join(os.environ["GOVCHECK_RUN_DIR"], "run_record.json")) as handle:
                sys.stdout.write(handle.read())
    """)
    assert proc.returncode == 0, proc.stderr
    after_workers = json.loads(proc.stdout)
    assert after_workers["run_id"] == record["run_id"]
    assert after_workers["params"] == {"lr": 0.1} and after_workers["status"] == "RUNNING"
    assert record["status"] == "COMPLETE" and record["params"] == {"lr": 0.1}


def test_log_output_errors_name_the_path(tmp_path: Path) -> None:
    from govcheck.runtime.lineage import log_output

    missing = tmp_path / "nope.pt"
    with pytest.raises(FileNotFoundError, match="nope.pt"):
        log_output(missing)
    with pytest.raises(ValueError, match="kind must be one of"):
        log_output(missing, kind="weights")


def test_recorder_validates_facts_and_finishes_once(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOVCHECK_RUN_DIR", str(tmp_path / "run"))
    for name in ("OPENLINEAGE_URL", "OPENLINEAGE_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    recorder = RunRecorder()
    with pytest.raises(TypeError, match="parameter 'model'.*JSON-serialisable"):
        recorder.set_params({"model": object()})
    with pytest.raises(ValueError, match="sha256 must be 64 hex digits"):
        recorder.add_output("m.pt", sha256="abc", kind="model")
    assert not recorder.record_path.exists()  # nothing valid was added, nothing written

    recorder.set_params({"lr": 0.1})
    assert json.loads(recorder.record_path.read_text())["status"] == "RUNNING"
    assert recorder.finish() == recorder.record_path
    recorder.finish("FAIL", "late")
    record = json.loads(recorder.record_path.read_text())
    assert record["status"] == "COMPLETE" and record["error"] is None
    assert not list(recorder.run_dir.glob(".run_record.*"))  # no temporary files left behind
