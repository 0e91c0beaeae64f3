"""Jupyter notebooks: cell order is program order, IPython syntax is neutralised, findings
point at a cell, and only code (never outputs) decides findings and cache keys."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema

from conftest import lint_project

SCHEMA = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"


def code(source: str, outputs: list | None = None, count: int | None = None) -> dict:
    return {"cell_type": "code", "execution_count": count, "id": f"c{abs(hash(source)) % 10**8}",
            "metadata": {}, "outputs": outputs or [], "source": source.splitlines(keepends=True)}


def markdown(text: str) -> dict:
    return {"cell_type": "markdown", "id": "md", "metadata": {}, "source": [text]}


def notebook(*cells: dict) -> str:
    return json.dumps({"cells": list(cells), "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def write(root: Path, name: str, content: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")
    (root / "govcheck.toml").touch()
    return path


def places(result) -> set[tuple[str, int | None, int, str]]:
    return {(f.path, f.cell, f.line, f.code) for f in result.findings}


def test_cell_order_is_program_order(tmp_path: Path) -> None:
    write(tmp_path, "explore.ipynb", notebook(
        markdown("# Exploration"),
        code("import numpy as np\nx = np.random.rand(3)\n"),
        code("np.random.seed(0)\n"),
        code("y = np.random.rand(3)\n"),
    ))
    assert places(lint_project(tmp_path)) == {("explore.ipynb", 2, 2, "GOV101")}


def test_ipython_syntax_is_neutralised_and_python_cell_magics_analysed(tmp_path: Path) -> None:
    write(tmp_path, "magic.ipynb", notebook(
        code("%matplotlib inline\n!pip install torch\nfiles = !ls\nimport random\nrandom?\n"
             "??random.random\n"),
        code("%%bash\necho $((RANDOM)) && if [ 1 ]; then\n"),
        code("%%time\nvalue = random.random()\n"),
        code("%%writefile helper.py\nimport random\nrandom.random()\n"),
    ))
    assert places(lint_project(tmp_path)) == {("magic.ipynb", 3, 2, "GOV101")}


def test_a_cell_that_does_not_parse_is_one_finding_and_the_rest_goes_on(tmp_path: Path) -> None:
    write(tmp_path, "broken.ipynb", notebook(
        code("import torch\n"),
        code("def f(:\n    pass\n"),
        code("torch.rand(2)\n"),
    ))
    assert places(lint_project(tmp_path)) == {
        ("broken.ipynb", 2, 1, "GOV001"),
        ("broken.ipynb", 3, 1, "GOV101"),
    }


def test_notebook_seeding_reaches_project_modules(tmp_path: Path) -> None:
    write(tmp_path, "data.py", "import torch\n\n\ndef batch():\n    return torch.randn(4)\n")
    write(tmp_path, "seeded.ipynb", notebook(
        code("import torch\nfrom data import batch\ntorch.manual_seed(0)\n"),
        code("batch()\n"),
    ))
    assert places(lint_project(tmp_path)) == set()
    write(tmp_path, "unseeded.ipynb", notebook(code("from data import batch\nbatch()\n")))
    [finding] = lint_project(tmp_path).findings
    assert (finding.path, finding.line) == ("data.py", 5)
    assert "`unseeded.ipynb`" in finding.message and "seeded from `seeded.ipynb`" in finding.message


def test_noqa_inside_a_cell(tmp_path: Path) -> None:
    write(tmp_path, "quiet.ipynb", notebook(
        code("import random\nrandom.random()  # noqa: GOV101 -- illustration only\n")))
    result = lint_project(tmp_path)
    assert result.findings == ()
    assert [(f.cell, f.line) for f in result.suppressed] == [(1, 2)]


def test_invalid_notebooks_are_reported_and_the_run_goes_on(tmp_path: Path) -> None:
    write(tmp_path, "bad_json.ipynb", "{not json")
    write(tmp_path, "old.ipynb", json.dumps({"nbformat": 3, "worksheets": []}))
    write(tmp_path, "no_cells.ipynb", json.dumps({"nbformat": 4, "metadata": {}}))
    write(tmp_path, "train.py", "import random\n\nif __name__ == '__main__':\n    random.random()\n")
    result = lint_project(tmp_path)
    messages = {f.path: f.message for f in result.findings if f.code == "GOV005"}
    assert "not valid JSON" in messages["bad_json.ipynb"]
    assert "nbformat 3" in messages["old.ipynb"]
    assert "cells" in messages["no_cells.ipynb"]
    assert ("train.py", None, 4, "GOV101") in places(result)


def test_notebooks_can_be_excluded(tmp_path: Path) -> None:
    write(tmp_path, "explore.ipynb", notebook(code("import random\nrandom.random()\n")))
    (tmp_path / "govcheck.toml").write_text('extend-exclude = ["*.ipynb"]\n')
    assert lint_project(tmp_path).files_checked == 0


def test_reexecuted_notebook_is_a_cache_hit_and_no_new_finding(tmp_path: Path) -> None:
    cells = ("import numpy as np\n", "x = np.random.rand(2)\n")
    path = write(tmp_path, "run.ipynb", notebook(*(code(c) for c in cells)))
    first = lint_project(tmp_path, use_cache=True)
    baseline = tmp_path / "baseline.json"
    subprocess.run([sys.executable, "-m", "govcheck", "check", "--output-format", "json", "-o",
                    str(baseline), "--exit-zero", "."], cwd=tmp_path, check=True)
    outputs = [{"output_type": "execute_result", "execution_count": 7, "metadata": {},
                "data": {"text/plain": ["array([0.1, 0.2])"], "image/png": "iVBOR" * 20000}}]
    path.write_text(notebook(code(cells[0], count=6), code(cells[1], outputs, count=7)))
    again = lint_project(tmp_path, use_cache=True)
    assert again.files_from_cache == 1
    assert again.findings == first.findings
    rerun = subprocess.run([sys.executable, "-m", "govcheck", "check", "--baseline",
                            str(baseline), "."], cwd=tmp_path, text=True, capture_output=True)
    assert rerun.returncode == 0, rerun.stdout


def test_every_output_format_locates_the_cell(tmp_path: Path) -> None:
    write(tmp_path, "explore.ipynb", notebook(
        markdown("intro"), markdown("more"),
        code("import torch\nw = torch.randn(3)\n")))

    def run(fmt: str) -> str:
        return subprocess.run([sys.executable, "-m", "govcheck", "check", "--output-format", fmt,
                               "."], cwd=tmp_path, text=True, capture_output=True).stdout

    assert "explore.ipynb:cell 3:2:5: GOV101" in run("text")
    [finding] = json.loads(run("json"))["findings"]
    assert (finding["path"], finding["cell"], finding["line"], finding["column"]) == (
        "explore.ipynb", 3, 2, 5)
    assert "file=explore.ipynb,line=2" in run("github") and "cell 3" in run("github")
    sarif = json.loads(run("sarif"))
    jsonschema.Draft4Validator(json.loads(SCHEMA.read_text())).validate(sarif)
    [result] = sarif["runs"][0]["results"]
    assert result["properties"]["cell"] == 3
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "explore.ipynb"
