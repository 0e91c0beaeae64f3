"""Benchmark govcheck on the source tree of the installed torch package, against its floors and Fixit.

Why torch: ~2,300 real-world files and ~1.2M lines of varied Python (torch 2.13.0), installable
from PyPI at a pinned version, so anyone can reproduce the numbers. Why these measurements: a
linter's speed only means something next to its floors --

* reading + sha256 of every file: what a perfectly warm cache still has to do;
* bare `libcst.parse_module` on 1 and N processes: what any libcst-based linter pays at minimum;
* `govcheck check` cold (`--no-cache`), then twice with a fresh cache (fill, then warm);
* Fixit 2 running one equivalent rule (benchmarks/fixit_rules/numpy_random.py) on a fixed
  1-in-N sample of the files (Fixit needs ~9 minutes for the whole tree), with bare parsing and
  govcheck re-run on the same sample so the ratios compare like with like.

The tree is copied (the .py files only) to a temporary directory first: govcheck writes its
`.govcheck_cache/` into the project root, and nothing must be written into site-packages.

Usage:
    python benchmarks/bench_torch_tree.py --json-out bench.json \
        [--tree PATH] [--processes N] [--sample-every N] [--skip-fixit] [--skip-govcheck] \
        [--fixit-command /tmp/fixit-venv/bin/fixit]
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import multiprocessing
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import libcst

REPOSITORY_ROOT = Path(__file__).resolve().parent.parent
FIXIT_RULES_DIRECTORY = Path(__file__).resolve().parent / "fixit_rules"
FIXIT_RULE_MODULE = "numpy_random"
FIXIT_RULE_NAME = "NumpyGlobalRandomCall"
GOVCHECK_CACHE_DIRECTORY_NAME = ".govcheck_cache"
NOT_AVAILABLE = "not available"
SUBPROCESS_TIMEOUT_SECONDS = 3600


@dataclass
class Measurement:
    """One row of the results table."""

    name: str
    processes: int | None
    files: int
    lines: int
    seconds: float | None
    findings: int | None = None
    parse_failures: int | None = None
    status: str = "ok"
    note: str = ""

    @property
    def lines_per_second(self) -> float | None:
        if self.seconds is None or self.seconds <= 0:
            return None
        return self.lines / self.seconds


@dataclass
class BenchmarkReport:
    environment: dict[str, Any]
    tree: str
    sample_every: int
    measurements: list[Measurement] = field(default_factory=list)
    ratios: dict[str, float | None] = field(default_factory=dict)

    def find(self, name: str) -> Measurement | None:
        return next((measurement for measurement in self.measurements if measurement.name == name), None)

    def to_json(self) -> dict[str, Any]:
        measurements = []
        for measurement in self.measurements:
            row = asdict(measurement)
            row["lines_per_second"] = measurement.lines_per_second
            measurements.append(row)
        return {
            "environment": self.environment,
            "tree": self.tree,
            "sample_every": self.sample_every,
            "measurements": measurements,
            "ratios": self.ratios,
        }


# --------------------------------------------------------------------------- the tree


def installed_torch_directory() -> Path:
    """The installed torch package, found without importing it.

    Importing torch would cost seconds and load native thread pools into the process that later
    forks the parsing pool; `find_spec` reads the same location from the import system.
    """
    spec = importlib.util.find_spec("torch")
    if spec is None or spec.origin is None:
        raise SystemExit("torch is not installed: pip install torch==2.13.0 (or pass --tree PATH)")
    return Path(spec.origin).resolve().parent


def python_files_under(root: Path) -> list[Path]:
    """Sorted, so `every Nth file` names the same sample on every machine."""
    return sorted(path for path in root.rglob("*.py") if path.is_file())


def count_lines(source: bytes) -> int:
    """Newline count, plus one for a last line without newline (what `wc -l` would miss)."""
    newlines = source.count(b"\n")
    if source and not source.endswith(b"\n"):
        newlines += 1
    return newlines


def copy_python_files(files: Sequence[Path], source_root: Path, destination_root: Path) -> list[Path]:
    """Copy only the .py files (torch's shared libraries are ~700 MB and no linter reads them)."""
    copied: list[Path] = []
    for source_path in files:
        destination_path = destination_root / source_path.relative_to(source_root)
        destination_path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source_path, destination_path)
        copied.append(destination_path)
    return copied


def total_lines(files: Sequence[Path]) -> int:
    return sum(count_lines(path.read_bytes()) for path in files)


# --------------------------------------------------------------------------- floors


def measure_read_and_hash(files: Sequence[Path], total_line_count: int) -> Measurement:
    """Read + sha256 of every file: the floor of a warm cache, which must still detect changes."""
    started = time.perf_counter()
    for path in files:
        hashlib.sha256(path.read_bytes()).hexdigest()
    elapsed = time.perf_counter() - started
    return Measurement("read + sha256", 1, len(files), total_line_count, elapsed)


def parse_one_file(path: Path) -> bool:
    """Read and parse one file; True when libcst accepts it. Top-level so Pool can pickle it."""
    try:
        libcst.parse_module(path.read_bytes())
    except Exception:  # noqa: BLE001 - any parse failure is counted, never fatal to the benchmark
        return False
    return True


def measure_bare_parse(name: str, files: Sequence[Path], total_line_count: int, processes: int) -> Measurement:
    """Wall clock of reading + `libcst.parse_module`, pool start-up included (a linter pays it too)."""
    started = time.perf_counter()
    if processes == 1:
        results = [parse_one_file(path) for path in files]
    else:
        chunk_size = max(1, len(files) // (processes * 8))
        with multiprocessing.Pool(processes) as pool:
            results = pool.map(parse_one_file, files, chunksize=chunk_size)
    elapsed = time.perf_counter() - started
    failures = sum(1 for parsed in results if not parsed)
    return Measurement(name, processes, len(files), total_line_count, elapsed, parse_failures=failures)


# --------------------------------------------------------------------------- govcheck


def _subprocess_environment() -> dict[str, str]:
    """Let `python -m govcheck` import this checkout even when govcheck is not pip-installed."""
    environment = dict(os.environ)
    existing = environment.get("PYTHONPATH")
    environment["PYTHONPATH"] = str(REPOSITORY_ROOT) + (os.pathsep + existing if existing else "")
    return environment


def govcheck_command() -> list[str]:
    """`python -P -m govcheck`: -P keeps the working directory off sys.path.

    Without it, linting torch from inside its package directory makes `torch/__future__.py`
    shadow the standard library's `__future__`, and govcheck dies before linting anything.
    """
    return [sys.executable, "-P", "-m", "govcheck"]


def govcheck_is_available() -> tuple[bool, str]:
    completed = subprocess.run(
        [*govcheck_command(), "check", "--help"],
        capture_output=True,
        text=True,
        env=_subprocess_environment(),
        timeout=120,
        check=False,
    )
    if completed.returncode == 0:
        return True, ""
    return False, (completed.stderr.strip().splitlines() or ["no output"])[-1]


def parse_govcheck_json(stdout: str) -> tuple[int, int | None] | None:
    """(findings, files checked) from govcheck's JSON report, or None when it is not one.

    Files checked comes from `summary.files`: a run that silently linted nothing must show up as
    such, not as a suspiciously fast success.
    """
    try:
        document = json.loads(stdout)
    except json.JSONDecodeError:
        return None
    if not isinstance(document, dict) or not isinstance(document.get("findings"), list):
        return None
    summary = document.get("summary")
    files_checked = summary.get("files") if isinstance(summary, dict) else None
    return len(document["findings"]), files_checked if isinstance(files_checked, int) else None


def remove_govcheck_caches(project_root: Path) -> None:
    """Delete every cache govcheck may have written for this run's private temporary tree.

    Without a config file govcheck roots the project at its working directory, the tree's parent
    (see run_govcheck); both candidates live inside this script's own temporary directory, so
    deleting them can never touch anything else.
    """
    for candidate in (project_root / GOVCHECK_CACHE_DIRECTORY_NAME, project_root.parent / GOVCHECK_CACHE_DIRECTORY_NAME):
        shutil.rmtree(candidate, ignore_errors=True)


def run_govcheck(name: str, project_root: Path, files: int, lines: int, use_cache: bool) -> Measurement:
    command = [*govcheck_command(), "check", "--output-format", "json"]
    if not use_cache:
        command.append("--no-cache")
    command.append(str(project_root))
    started = time.perf_counter()
    completed = subprocess.run(
        command,
        cwd=project_root.parent,  # outside the linted package: see govcheck_command()
        capture_output=True,
        text=True,
        env=_subprocess_environment(),
        timeout=SUBPROCESS_TIMEOUT_SECONDS,
        check=False,
    )
    elapsed = time.perf_counter() - started
    # 0 = clean, 1 = findings; but a Python traceback also exits 1, so the JSON report decides.
    report = parse_govcheck_json(completed.stdout) if completed.returncode in (0, 1) else None
    if report is None:
        error_tail = " | ".join(completed.stderr.strip().splitlines()[-3:])
        return Measurement(name, None, files, lines, elapsed, status=f"failed, exit {completed.returncode}", note=error_tail)
    findings, files_checked = report
    measurement = Measurement(name, None, files, lines, elapsed, findings=findings, note=f"govcheck checked {files_checked} files")
    if files_checked is not None and files_checked != files:
        measurement.status = f"checked {files_checked} of {files} files"
    return measurement


def measure_govcheck(name_prefix: str, project_root: Path, files: int, lines: int, with_cache_runs: bool) -> list[Measurement]:
    """Cold without cache; then, optionally, fill a fresh cache and re-run warm."""
    remove_govcheck_caches(project_root)
    measurements = [run_govcheck(f"{name_prefix}govcheck cold (--no-cache)", project_root, files, lines, use_cache=False)]
    if with_cache_runs:
        remove_govcheck_caches(project_root)
        measurements.append(run_govcheck(f"{name_prefix}govcheck cache fill", project_root, files, lines, use_cache=True))
        measurements.append(run_govcheck(f"{name_prefix}govcheck warm cache", project_root, files, lines, use_cache=True))
    remove_govcheck_caches(project_root)
    return measurements


# --------------------------------------------------------------------------- Fixit


def measure_fixit(fixit_command: str | None, sample_root: Path, files: int, lines: int) -> Measurement:
    """`fixit --rules numpy_random lint <sample>`: Fixit's own CLI, all its processes, one rule."""
    name = "Fixit 2, 1 rule (numpy.random.*)"
    if fixit_command is None:
        return Measurement(name, None, files, lines, None, status=NOT_AVAILABLE, note="fixit not found; pass --fixit-command")
    environment = dict(os.environ)
    environment["PYTHONPATH"] = str(FIXIT_RULES_DIRECTORY)
    command = [fixit_command, "--rules", FIXIT_RULE_MODULE, "lint", str(sample_root)]
    started = time.perf_counter()
    completed = subprocess.run(
        command,
        cwd=sample_root,
        capture_output=True,
        text=True,
        env=environment,
        timeout=SUBPROCESS_TIMEOUT_SECONDS,
        check=False,
    )
    elapsed = time.perf_counter() - started
    # Fixit exits 1 for violations and sets bit 2 for files it could not lint.
    if completed.returncode not in (0, 1, 2, 3):
        error_tail = " | ".join(completed.stderr.strip().splitlines()[-3:])
        return Measurement(name, None, files, lines, elapsed, status=f"exit {completed.returncode}", note=error_tail)
    findings = sum(1 for line in completed.stdout.splitlines() if FIXIT_RULE_NAME in line)
    note = f"fixit exit {completed.returncode}; processes: trailrunner default (os.cpu_count()={os.cpu_count()})"
    return Measurement(name, os.cpu_count(), files, lines, elapsed, findings=findings, note=note)


def default_fixit_command() -> str | None:
    """`fixit` next to this interpreter, else on PATH; Fixit usually lives in its own venv."""
    beside_interpreter = Path(sys.executable).parent / "fixit"
    if beside_interpreter.exists():
        return str(beside_interpreter)
    return shutil.which("fixit")


# --------------------------------------------------------------------------- report


def ratio(numerator: Measurement | None, denominator: Measurement | None) -> float | None:
    """Seconds over seconds; None when either side is missing or failed, never a made-up number."""
    if numerator is None or denominator is None:
        return None
    if numerator.status != "ok" or denominator.status != "ok":
        return None
    if numerator.seconds is None or not denominator.seconds:
        return None
    return numerator.seconds / denominator.seconds


def compute_ratios(report: BenchmarkReport, processes: int) -> dict[str, float | None]:
    find = report.find
    return {
        "govcheck cold / bare parse, 1 process": ratio(find("govcheck cold (--no-cache)"), find("bare libcst parse")),
        f"govcheck cold / bare parse, {processes} processes": ratio(
            find("govcheck cold (--no-cache)"), find(f"bare libcst parse x{processes}")
        ),
        "govcheck warm / govcheck cold": ratio(find("govcheck warm cache"), find("govcheck cold (--no-cache)")),
        "govcheck warm / read + sha256": ratio(find("govcheck warm cache"), find("read + sha256")),
        f"bare parse x{processes} / bare parse x1": ratio(find(f"bare libcst parse x{processes}"), find("bare libcst parse")),
        "sample: Fixit / govcheck cold": ratio(find("Fixit 2, 1 rule (numpy.random.*)"), find("sample: govcheck cold (--no-cache)")),
        "sample: Fixit / bare parse, 1 process": ratio(find("Fixit 2, 1 rule (numpy.random.*)"), find("sample: bare libcst parse")),
        f"sample: Fixit / bare parse, {processes} processes": ratio(
            find("Fixit 2, 1 rule (numpy.random.*)"), find(f"sample: bare libcst parse x{processes}")
        ),
    }


def _format_optional(value: float | int | None, fmt: str) -> str:
    return "—" if value is None else format(value, fmt)


def render_markdown(report: BenchmarkReport) -> str:
    lines = [
        f"Tree: `{report.tree}`; sample: every {report.sample_every}th file of the sorted list.",
        "",
        "| measurement | processes | files | lines | seconds | lines/s | findings | parse failures | status |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for measurement in report.measurements:
        lines.append(
            "| {name} | {processes} | {files:,} | {lines:,} | {seconds} | {rate} | {findings} | {failures} | {status} |".format(
                name=measurement.name,
                processes=_format_optional(measurement.processes, "d"),
                files=measurement.files,
                lines=measurement.lines,
                seconds=_format_optional(measurement.seconds, ".2f"),
                rate=_format_optional(measurement.lines_per_second, ",.0f"),
                findings=_format_optional(measurement.findings, "d"),
                failures=_format_optional(measurement.parse_failures, "d"),
                status=measurement.status + (f" ({measurement.note})" if measurement.note and measurement.status != "ok" else ""),
            )
        )
    lines += ["", "| ratio (seconds / seconds) | value |", "| --- | ---: |"]
    for ratio_name, value in report.ratios.items():
        lines.append(f"| {ratio_name} | {_format_optional(value, '.2f')} |")
    return "\n".join(lines)


def describe_environment(processes: int) -> dict[str, Any]:
    environment: dict[str, Any] = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "processes": processes,
        "multiprocessing_start_method": multiprocessing.get_start_method(),
        "libcst": _distribution_version("libcst"),
        "torch": _distribution_version("torch"),
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        # Recorded because a busy machine makes the multi-process rows measure contention.
        "load_average_1_5_15_min_at_start": list(os.getloadavg()),
    }
    return environment


def _distribution_version(distribution: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(distribution)
    except PackageNotFoundError:
        return None


# --------------------------------------------------------------------------- main


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", type=Path, default=None, help="source tree to lint (default: installed torch)")
    parser.add_argument("--json-out", type=Path, required=True, help="where to write the results as JSON")
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1, help="processes for the parallel parse")
    parser.add_argument("--sample-every", type=int, default=10, help="Fixit sample: every Nth file (1 = whole tree)")
    parser.add_argument("--skip-fixit", action="store_true", help="skip Fixit and the sample measurements")
    parser.add_argument("--skip-govcheck", action="store_true", help="skip the govcheck runs")
    parser.add_argument("--fixit-command", default=None, help="fixit executable (default: beside python, else PATH)")
    arguments = parser.parse_args(argv)
    if arguments.sample_every < 1 or arguments.processes < 1:
        parser.error("--sample-every and --processes must be at least 1")
    return arguments


def run_benchmark(arguments: argparse.Namespace, announce: Callable[[str], None]) -> BenchmarkReport:
    source_tree: Path = (arguments.tree or installed_torch_directory()).resolve()
    processes: int = arguments.processes
    report = BenchmarkReport(describe_environment(processes), str(source_tree), arguments.sample_every)

    with tempfile.TemporaryDirectory(prefix="govcheck-bench-") as temporary_directory:
        workspace = Path(temporary_directory)
        tree_copy = workspace / "tree" / source_tree.name
        announce(f"copying .py files of {source_tree} to {tree_copy}")
        files = copy_python_files(python_files_under(source_tree), source_tree, tree_copy)
        line_count = total_lines(files)  # also warms the page cache for every later measurement
        report.measurements.append(Measurement("tree", None, len(files), line_count, None, note="files and lines"))

        announce("read + sha256")
        report.measurements.append(measure_read_and_hash(files, line_count))
        announce("bare libcst parse, 1 process")
        report.measurements.append(measure_bare_parse("bare libcst parse", files, line_count, 1))
        if processes > 1:
            announce(f"bare libcst parse, {processes} processes")
            report.measurements.append(measure_bare_parse(f"bare libcst parse x{processes}", files, line_count, processes))

        govcheck_available = False
        if not arguments.skip_govcheck:
            govcheck_available, reason = govcheck_is_available()
            if govcheck_available:
                announce("govcheck: cold, cache fill, warm")
                report.measurements += measure_govcheck("", tree_copy, len(files), line_count, with_cache_runs=True)
            else:
                report.measurements.append(
                    Measurement("govcheck", None, len(files), line_count, None, status=NOT_AVAILABLE, note=reason)
                )

        if not arguments.skip_fixit:
            sample_files = files[:: arguments.sample_every]
            if arguments.sample_every == 1:
                sample_root = tree_copy
            else:
                # A separate tree holding only the sample, so Fixit and govcheck see exactly it.
                sample_root = workspace / "sample" / source_tree.name
                sample_files = copy_python_files(sample_files, tree_copy, sample_root)
            sample_lines = total_lines(sample_files)
            announce(f"sample: {len(sample_files)} files, bare parse")
            report.measurements.append(measure_bare_parse("sample: bare libcst parse", sample_files, sample_lines, 1))
            if processes > 1:
                report.measurements.append(
                    measure_bare_parse(f"sample: bare libcst parse x{processes}", sample_files, sample_lines, processes)
                )
            if govcheck_available:
                announce("sample: govcheck cold")
                report.measurements += measure_govcheck("sample: ", sample_root, len(sample_files), sample_lines, with_cache_runs=False)
            announce("sample: Fixit")
            report.measurements.append(
                measure_fixit(arguments.fixit_command or default_fixit_command(), sample_root, len(sample_files), sample_lines)
            )

    report.ratios = compute_ratios(report, processes)
    report.environment["load_average_1_5_15_min_at_end"] = list(os.getloadavg())
    return report


def main(argv: Sequence[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    report = run_benchmark(arguments, announce=lambda message: print(f"... {message}", file=sys.stderr, flush=True))
    print(render_markdown(report))
    arguments.json_out.parent.mkdir(parents=True, exist_ok=True)
    arguments.json_out.write_text(json.dumps(report.to_json(), indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
