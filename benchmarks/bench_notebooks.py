"""Time `govcheck check` on notebooks with large outputs against the same code as `.py` files.

Why: a notebook that has been run carries its outputs (plots as base64 PNG, data frames as HTML)
inside the file, often megabytes of them. govcheck reads only code cell sources, so linting a
folder of such notebooks should cost about what linting their code as plain scripts costs; this
script measures how close that is.

It writes, into a temporary directory, N notebooks (each a few code cells of ordinary training
code, a markdown cell, and outputs of `--output-kib` KiB per notebook) and, beside them, N `.py`
files holding exactly the same code. It then runs `python -m govcheck check --no-cache` on each
folder `--repeat` times and prints the median wall time, the bytes on disk and the findings.

Usage:
    python benchmarks/bench_notebooks.py [--notebooks 200] [--output-kib 1024] [--repeat 3]
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CELLS = [
    "import numpy as np\nimport torch\nfrom torch import nn\n",
    "SEED = {index}\ntorch.manual_seed(SEED)\nnp.random.seed(SEED)\n",
    "def make_data(n):\n    x = torch.randn(n, 8)\n    y = (x[:, 0] > 0).long()\n"
    "    return x, y\n\n\nfeatures, labels = make_data(256)\n",
    "model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 2))\n"
    "optimiser = torch.optim.SGD(model.parameters(), lr=0.1)\n",
    "for epoch in range(5):\n    optimiser.zero_grad()\n"
    "    loss = nn.functional.cross_entropy(model(features), labels)\n"
    "    loss.backward()\n    optimiser.step()\nloss.item()\n",
    "noise = np.random.default_rng().normal(size=4)\nnoise\n",
]


def notebook(index: int, output_bytes: int) -> dict:
    """One run notebook: code cells with an image output and an HTML table output."""
    image = base64.b64encode(os.urandom(output_bytes * 3 // 4 // 2)).decode()
    table = "<table>" + "<tr><td>0.1234</td><td>0.5678</td></tr>" * (output_bytes // 2 // 40) + "</table>"
    cells: list[dict] = [{"cell_type": "markdown", "metadata": {}, "source": [f"# Run {index}"]}]
    for number, source in enumerate(CELLS, start=1):
        outputs = []
        if number == 5:
            outputs = [{"output_type": "display_data", "metadata": {},
                        "data": {"image/png": image, "text/plain": ["<Figure>"]}}]
        elif number == 6:
            outputs = [{"output_type": "execute_result", "execution_count": number, "metadata": {},
                        "data": {"text/html": [table], "text/plain": ["array([...])"]}}]
        cells.append({"cell_type": "code", "execution_count": number, "id": f"{index}-{number}",
                      "metadata": {}, "outputs": outputs,
                      "source": source.format(index=index).splitlines(keepends=True)})
    return {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def write_corpus(root: Path, count: int, output_kib: int) -> tuple[Path, Path]:
    notebooks, scripts = root / "notebooks", root / "scripts"
    notebooks.mkdir()
    scripts.mkdir()
    for index in range(count):
        document = notebook(index, output_kib * 1024)
        (notebooks / f"run_{index:04d}.ipynb").write_text(json.dumps(document))
        code = "".join("".join(cell["source"]) + "\n" for cell in document["cells"]
                       if cell["cell_type"] == "code")
        (scripts / f"run_{index:04d}.py").write_text(code)
    return notebooks, scripts


def folder_bytes(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.iterdir())


def time_check(folder: Path, repeat: int) -> tuple[float, int]:
    """Median wall seconds of a cold `govcheck check`, and its number of findings."""
    times, findings = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "govcheck", "check", "--no-cache",
                               "--output-format", "json", str(folder)],
                              capture_output=True, text=True, cwd=folder.parent)
        times.append(time.perf_counter() - started)
        if done.returncode not in (0, 1):
            raise SystemExit(f"govcheck failed on {folder}: {done.stderr}")
        findings = len(json.loads(done.stdout)["findings"])
    return statistics.median(times), findings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notebooks", type=int, default=200)
    parser.add_argument("--output-kib", type=int, default=1024,
                        help="outputs embedded in each notebook, in KiB")
    parser.add_argument("--repeat", type=int, default=3)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        (root / "govcheck.toml").write_text("")
        notebooks, scripts = write_corpus(root, arguments.notebooks, arguments.output_kib)
        rows = []
        for label, folder in (("notebooks (.ipynb)", notebooks), ("same code (.py)", scripts)):
            seconds, findings = time_check(folder, arguments.repeat)
            rows.append((label, arguments.notebooks, folder_bytes(folder), seconds, findings))
    print(f"{arguments.notebooks} files, {arguments.output_kib} KiB of outputs per notebook, "
          f"median of {arguments.repeat} cold runs (`govcheck check --no-cache`)\n")
    print("| corpus | files | MB on disk | seconds | findings |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for label, files, size, seconds, findings in rows:
        print(f"| {label} | {files} | {size / 1e6:.1f} | {seconds:.2f} | {findings} |")
    print(f"\nnotebooks / .py: {rows[0][3] / rows[1][3]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
