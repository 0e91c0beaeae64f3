"""The bundled example, run for real: its run record must match the files it read and wrote."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "train_project"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_training_run_record_matches_input_and_output_hashes(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    pytest.importorskip("pandas")
    record_dir = tmp_path / "record"
    model = tmp_path / "out" / "model.pt"
    env = {**os.environ, "GOVCHECK_RUN_DIR": str(record_dir)}
    done = subprocess.run([sys.executable, "train.py", "--epochs", "2", "--samples", "256",
                           "--out", str(model)], cwd=EXAMPLE, env=env, text=True,
                          capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr
    record = json.loads((record_dir / "run_record.json").read_text())
    assert record["status"] == "COMPLETE"
    assert record["seed"]["value"] == 0
    [label_names] = record["inputs"]
    assert label_names["name"] == "label_names"
    assert label_names["sha256"] == sha256(EXAMPLE / "data" / "label_names.csv")
    assert label_names["classification"] == "internal"
    outputs = {Path(output["path"]).name: output for output in record["outputs"]}
    assert outputs["model.pt"]["sha256"] == sha256(model)
    assert outputs["model.pt"]["kind"] == "model"
    assert outputs["model.metrics.json"]["sha256"] == sha256(model.with_name("model.metrics.json"))
    assert [event["eventType"] for event in record["openlineage"]] == ["START", "COMPLETE"]
    metrics = json.loads(model.with_name("model.metrics.json").read_text())
    assert metrics["classes"] == ["different-sign", "same-sign"]


def test_recorded_govcheck_facets_follow_the_published_schema(tmp_path: Path) -> None:
    """The custom OpenLineage facet points at schemas/GovcheckDatasetFacet.json; what the
    runtime writes must validate against it (the OpenLineage base facet is checked for its
    required `_producer` and `_schemaURL` here, since the spec cannot be fetched offline)."""
    pytest.importorskip("torch")
    pytest.importorskip("pandas")
    jsonschema = pytest.importorskip("jsonschema")
    record_dir = tmp_path / "record"
    env = {**os.environ, "GOVCHECK_RUN_DIR": str(record_dir)}
    subprocess.run([sys.executable, "train.py", "--epochs", "1", "--samples", "64", "--out",
                    str(tmp_path / "model.pt")], cwd=EXAMPLE, env=env, check=True,
                   capture_output=True, timeout=300)
    schema = json.loads((EXAMPLE.parents[1] / "schemas" / "GovcheckDatasetFacet.json").read_text())
    facet_schema = schema["$defs"]["GovcheckDatasetFacet"]["allOf"][1]
    complete = json.loads((record_dir / "run_record.json").read_text())["openlineage"][-1]
    facets = [dataset["facets"]["govcheck"] for key in ("inputs", "outputs")
              for dataset in complete[key]]
    assert len(facets) == 3  # label_names in, model and metrics out
    for facet in facets:
        jsonschema.Draft202012Validator(facet_schema).validate(facet)
        assert facet["_producer"] == "https://github.com/govcheck/govcheck"
        assert facet["_schemaURL"].endswith("schemas/GovcheckDatasetFacet.json#/$defs/GovcheckDatasetFacet")


def test_repro_finds_the_planted_unseeded_generator_and_passes_once_seeded(tmp_path: Path) -> None:
    """`govcheck repro` on the example: the unseeded `default_rng()` that GOV102 reports makes
    two runs diverge; seeding it makes them bitwise identical."""
    pytest.importorskip("torch")
    pytest.importorskip("pandas")
    import shutil

    project = tmp_path / "train_project"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns("runs", ".govcheck*"))
    command = ["--runs", "2", "--outputs", "runs/*.pt", "--", sys.executable, "train.py",
               "--epochs", "1", "--samples", "256", "--out", "runs/model.pt"]

    def repro(report: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "govcheck", "repro", "--report-dir",
                               str(tmp_path / report), *command], cwd=project, text=True,
                              capture_output=True, timeout=600)

    diverged = repro("before")
    assert diverged.returncode == 1, diverged.stderr
    report = json.loads((tmp_path / "before" / "report.json").read_text())
    assert report["verdict"] == "DIVERGED"
    causes = {(cause["path"], cause["code"]) for cause in report["likely_causes"]}
    assert ("trainproj/augment.py", "GOV102") in causes
    assert "Likely causes" in (tmp_path / "before" / "report.md").read_text()
    augment = project / "trainproj" / "augment.py"
    augment.write_text(augment.read_text().replace("default_rng()", "default_rng(0)"))
    bitwise = repro("after")
    assert bitwise.returncode == 0, bitwise.stderr
    assert json.loads((tmp_path / "after" / "report.json").read_text())["verdict"] == "BITWISE"
