"""Argument handling for `govcheck repro`, `govcheck repro run` and `govcheck repro compare`.

The training command follows `--` and is never parsed by argparse: its own flags must pass
through untouched. Exit codes: 0 BITWISE/WITHIN_TOLERANCE, 1 DIVERGED/INCOMPARABLE, 2 usage,
3 a run failed or timed out.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path

from govcheck.errors import UsageError

USAGE = """\
govcheck repro [--runs N] [--outputs GLOB ...] [--metrics FILE] [tolerance options]
               [--timeout S] [--threads N] [--report-dir DIR] -- COMMAND ...
govcheck repro run [--outputs GLOB ...] [--metrics FILE] [--timeout S] [--threads N]
               --run-dir DIR -- COMMAND ...
govcheck repro compare RUN_DIR RUN_DIR [...] [tolerance options] [--report-dir DIR]"""


def main(argv: Sequence[str]) -> int:
    arguments = list(argv)
    if "--" in arguments:
        split = arguments.index("--")
        options, command = arguments[:split], arguments[split + 1:]
    else:
        options, command = arguments, []
    if options[:1] == ["compare"]:
        if command:
            raise UsageError("`repro compare` runs nothing; it takes no command after --")
        return _compare(_compare_parser().parse_args(options[1:]))
    if options[:1] == ["run"]:
        return _run_one(_run_parser().parse_args(options[1:]), command)
    return _repro(_repro_parser().parse_args(options), command)


# --- parsers --------------------------------------------------------------------------------


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _non_negative(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a finite number >= 0, got {text}")
    return value


def _tolerance_rule(text: str) -> tuple[str, float, float]:
    pattern, sep, numbers = text.partition("=")
    parts = numbers.split(",")
    if not sep or not pattern or len(parts) > 2:
        raise argparse.ArgumentTypeError(f"expected PATTERN=RTOL[,ATOL], got {text!r}")
    rtol = _non_negative(parts[0])
    atol = _non_negative(parts[1]) if len(parts) == 2 else 0.0
    return pattern, rtol, atol


def _add_run_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--outputs", nargs="+", action="extend", default=[], metavar="GLOB",
                        help="output files to compare, relative to the project (default: the "
                             "outputs the run record lists)")
    parser.add_argument("--metrics", metavar="FILE", help="a JSON metrics file the run writes")
    parser.add_argument("--timeout", type=_non_negative, metavar="SECONDS",
                        help="kill the run's whole process tree after this long (FAILED)")
    parser.add_argument("--threads", type=_positive_int, default=1,
                        help="OMP_NUM_THREADS/MKL_NUM_THREADS for the runs (default: 1)")
    parser.add_argument("--work-dir", type=Path, help=argparse.SUPPRESS)


def _add_compare_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rtol", type=_non_negative, default=0.0,
                        help="relative tolerance (default 0: bitwise)")
    parser.add_argument("--atol", type=_non_negative, default=0.0,
                        help="absolute tolerance (default 0: bitwise)")
    parser.add_argument("--tolerance", type=_tolerance_rule, action="append", default=[],
                        metavar="PATTERN=RTOL[,ATOL]", help="tolerance for matching tensors")
    parser.add_argument("--report-dir", type=Path,
                        help="where report.json/report.md go (default .govcheck/repro/<time>)")


def _repro_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="govcheck repro", usage=USAGE,
        description="Run a training command several times in isolation and compare outputs.")
    parser.add_argument("--runs", type=_positive_int, default=2, help="how many runs (default 2)")
    _add_run_options(parser)
    _add_compare_options(parser)
    return parser


def _run_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="govcheck repro run", usage=USAGE,
                                     description="One isolated run into a run directory.")
    _add_run_options(parser)
    parser.add_argument("--run-dir", type=Path, required=True, help="an empty or new directory")
    return parser


def _compare_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="govcheck repro compare", usage=USAGE,
                                     description="Compare run directories; runs no code.")
    parser.add_argument("run_dirs", nargs="+", type=Path, metavar="RUN_DIR")
    _add_compare_options(parser)
    return parser


# --- actions --------------------------------------------------------------------------------


def _run_options(arguments: argparse.Namespace, command: list[str]):
    from govcheck.repro.run import RunOptions

    if not command:
        raise UsageError("no command to run: put it after --, e.g. "
                         "`govcheck repro -- python train.py`")
    for pattern in [*arguments.outputs, *filter(None, [arguments.metrics])]:
        if Path(pattern).is_absolute() or ".." in Path(pattern).parts:
            raise UsageError(f"{pattern}: outputs and metrics are paths relative to the project")
    return RunOptions(command=tuple(command), outputs=tuple(arguments.outputs),
                      metrics=arguments.metrics, timeout_s=arguments.timeout,
                      threads=arguments.threads, work_dir=arguments.work_dir)


def _policy(arguments: argparse.Namespace):
    from govcheck.repro.compare import Tolerance, TolerancePolicy

    default = Tolerance(rtol=arguments.rtol, atol=arguments.atol)
    rules = tuple((pattern, Tolerance(rtol=rtol, atol=atol))
                  for pattern, rtol, atol in arguments.tolerance)
    return TolerancePolicy(default=default, per_tensor=rules, metrics=default)


def _report_dir(arguments: argparse.Namespace) -> Path:
    if arguments.report_dir is not None:
        directory = arguments.report_dir
        if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
            raise UsageError(f"{directory}: report directory exists and is not empty")
        return directory
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    return Path(".govcheck") / "repro" / stamp


def _repro(arguments: argparse.Namespace, command: list[str]) -> int:
    from govcheck.repro.run import describe_command, execute_run

    options = _run_options(arguments, command)
    if arguments.runs < 2:
        raise UsageError("--runs must be at least 2: a single run has nothing to compare with")
    policy = _policy(arguments)
    report_dir = _report_dir(arguments)
    start = time.monotonic()
    runs = []
    for index in range(1, arguments.runs + 1):
        print(f"run {index}/{arguments.runs}: {describe_command(options.command)} ...",
              end="", file=sys.stderr, flush=True)
        result = execute_run(options, source=Path.cwd(),
                             run_dir=report_dir / "runs" / f"run-{index}", ignore=[report_dir])
        outcome = "timed out" if result.data.get("timed_out") else f"exit {result.exit_code}"
        print(f" ({result.duration_s:.1f} s, {outcome})", file=sys.stderr, flush=True)
        runs.append(result)
        if not result.ok:  # later runs cannot change a FAILED verdict; save the time
            print(f"run {index} failed: {result.message}", file=sys.stderr)
            break
    return _finish(runs, policy, report_dir, time.monotonic() - start, source=Path.cwd())


def _run_one(arguments: argparse.Namespace, command: list[str]) -> int:
    from govcheck.repro.run import describe_command, execute_run

    options = _run_options(arguments, command)
    print(f"run: {describe_command(options.command)} ...", end="", file=sys.stderr, flush=True)
    result = execute_run(options, source=Path.cwd(), run_dir=arguments.run_dir,
                         ignore=[arguments.run_dir])
    outcome = "timed out" if result.data.get("timed_out") else f"exit {result.exit_code}"
    print(f" ({result.duration_s:.1f} s, {outcome})", file=sys.stderr, flush=True)
    if not result.ok:
        print(f"run failed: {result.message}", file=sys.stderr)
        if result.stderr_tail:
            print(result.stderr_tail.rstrip()[-2000:], file=sys.stderr)
        return 3
    print(f"run directory: {result.run_dir}", file=sys.stderr)
    return 0


def _compare(arguments: argparse.Namespace) -> int:
    from govcheck.repro.run import load_run

    if len(arguments.run_dirs) < 2:
        raise UsageError("repro compare needs at least two run directories")
    policy = _policy(arguments)
    report_dir = _report_dir(arguments)
    start = time.monotonic()
    runs = [load_run(directory) for directory in arguments.run_dirs]
    return _finish(runs, policy, report_dir, time.monotonic() - start)


def _likely_causes(source: Path) -> list[dict[str, object]]:
    """The linter's GOV1xx findings in the project that diverged: unseeded draws, shuffles and
    nondeterministic switches are the usual reasons two runs part."""
    from govcheck.config import load_config
    from govcheck.lint.engine import lint
    from govcheck.lint.rules import RULES

    try:
        config = load_config(source, select=["GOV1"], known_codes=tuple(RULES))
        result = lint([source], config)
    except UsageError:
        return []
    return [{"path": f.path, "cell": f.cell, "line": f.line, "code": f.code, "name": f.name,
             "message": f.message} for f in result.findings]


def _finish(runs: list, policy: object, report_dir: Path, duration_s: float,
            source: Path | None = None) -> int:
    from govcheck.repro.report import DIVERGED, INCOMPARABLE, build_report, write_report

    report = build_report(runs, policy, duration_s=duration_s)
    if source is not None and report.verdict in (DIVERGED, INCOMPARABLE):
        report.data["likely_causes"] = _likely_causes(source)
    _, markdown = write_report(report, report_dir)
    print(f"{report.verdict}: {report.data['reason']}", file=sys.stderr)
    print(f"report: {markdown}", file=sys.stderr)
    if os.environ.get("GITHUB_STEP_SUMMARY"):
        print("report appended to $GITHUB_STEP_SUMMARY", file=sys.stderr)
    return report.exit_code
