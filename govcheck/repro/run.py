"""Execute one training run in isolation and leave a self-describing run directory behind.

A run directory holds everything a later `govcheck repro compare` needs, on any machine, without
running code again: `run.json` (command, exit, timing, environment, versions, output manifest),
the copied outputs under `outputs/`, the metrics file, the govcheck run record under `record/`,
and the child's stdout/stderr logs.

Why the isolation is shaped as it is:
- every run works in a fresh copy of the project at the *same absolute path*, because absolute
  paths leak into outputs (sorted temp names, paths pickled into checkpoints) and would make two
  identical trainings differ;
- the knobs that change results but cannot be fixed from inside a script (`PYTHONHASHSEED` is
  read at interpreter start; thread counts change reduction order) are set by the runner;
- the child gets its own session so a timeout kills the whole process tree, not just the top.

torch is never imported here: its version is read from package metadata.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import json
import os
import platform
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import unquote, urlparse

from govcheck.catalog import file_sha256
from govcheck.errors import UsageError

RUN_JSON = "run.json"
RECORD_NAME = "run_record.json"  # govcheck.runtime.record.RECORD_NAME, not imported: keep it light
OK, FAILED, TIMED_OUT, NO_OUTPUTS = "ok", "failed", "timed_out", "no_outputs"
# Directories never copied into a run's working copy: VCS data, caches, and past repro reports
# (which hold earlier runs' outputs and would grow every copy).
ALWAYS_IGNORED = (".git", ".govcheck_cache", "__pycache__")
REPRO_REPORTS = Path(".govcheck") / "repro"
STDERR_TAIL_CHARS = 4000
KILL_GRACE_S = 2.0


@dataclass(frozen=True)
class RunOptions:
    """What a run is asked to do; the same for every run of one `govcheck repro`."""

    command: tuple[str, ...]
    outputs: tuple[str, ...] = ()
    metrics: str | None = None
    timeout_s: float | None = None
    threads: int = 1
    work_dir: Path | None = None  # default: <tmp>/govcheck-repro/work


@dataclass(frozen=True)
class RunResult:
    """The facts of one finished run, as stored in its `run.json`."""

    run_dir: Path
    status: str
    exit_code: int | None
    duration_s: float
    message: str | None
    stderr_tail: str
    outputs: dict[str, dict[str, object]] = field(default_factory=dict)
    metrics: str | None = None  # run-dir-relative path of the copied metrics file
    data: dict[str, object] = field(default_factory=dict)  # the whole run.json

    @property
    def ok(self) -> bool:
        return self.status == OK


def pinned_environment(threads: int, record_dir: Path) -> dict[str, str]:
    """The variables the runner fixes for the child, recorded in run.json.

    Set in the parent because a script cannot fix them for itself (`PYTHONHASHSEED` is read at
    interpreter start; OpenMP reads its thread count once)."""
    return {
        "PYTHONHASHSEED": "0",
        "OMP_NUM_THREADS": str(threads),
        "MKL_NUM_THREADS": str(threads),
        "CUBLAS_WORKSPACE_CONFIG": ":4096:8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "GOVCHECK_RUN_DIR": str(record_dir),
    }


def default_work_dir() -> Path:
    return Path(tempfile.gettempdir()) / "govcheck-repro" / "work"


def execute_run(options: RunOptions, *, source: Path, run_dir: Path,
                ignore: Sequence[Path] = ()) -> RunResult:
    """Run `options.command` once in a fresh copy of `source`; fill `run_dir`; never raise for
    a failure of the training itself (that is a result, FAILED), only for usage errors."""
    source = source.resolve()
    run_dir = run_dir.resolve()
    work = (options.work_dir or default_work_dir()).absolute()
    if work == source or source.is_relative_to(work):
        raise UsageError(f"--work-dir {work} must not contain the project {source}")
    run_dir.mkdir(parents=True, exist_ok=True)
    if any(run_dir.iterdir()):
        raise UsageError(f"{run_dir}: run directory is not empty")
    # The record also lives at a fixed path during the run so that no run index leaks into the
    # child through GOVCHECK_RUN_DIR; it is moved into the run directory afterwards.
    record_tmp = work.parent / "record"
    environment = pinned_environment(options.threads, record_tmp)
    with _exclusive(work.parent):
        _fresh_copy(source, work, ignore=[*ignore, run_dir, work.parent])
        _reset(record_tmp)
        started_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
        exit_code, timed_out, duration = _spawn(options, work, run_dir, environment)
        _move_if_exists(record_tmp, run_dir / "record")
        outputs, notes = _collect_outputs(options.outputs, work, run_dir)
        metrics = _collect_metrics(options.metrics, work, run_dir, notes)
        shutil.rmtree(work, ignore_errors=True)
    stderr_tail = _tail(run_dir / "stderr.log")
    status, message = _status(exit_code, timed_out, options, outputs, metrics)
    data: dict[str, object] = {
        "version": 1,
        "command": list(options.command),
        "source": str(source),
        "work_dir": str(work),
        "started_at": started_at,
        "status": status,
        "message": message,
        "exit_code": exit_code,
        "timed_out": timed_out,
        "timeout_s": options.timeout_s,
        "duration_s": round(duration, 3),
        "environment": environment,
        "python": platform.python_version(),
        "python_executable": sys.executable,
        "torch": _torch_version(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "outputs_declared_by": "--outputs" if options.outputs else "run record",
        "outputs": outputs,
        "metrics": metrics,
        "notes": notes,
        "stderr_tail": stderr_tail,
    }
    (run_dir / RUN_JSON).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return _result(run_dir, data)


def load_run(run_dir: Path) -> RunResult:
    """Read a run directory written by `execute_run`, possibly on another machine."""
    path = run_dir / RUN_JSON
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{run_dir}: not a run directory (no {RUN_JSON}); create one with "
                         f"`govcheck repro run --run-dir DIR -- COMMAND`") from None
    except (OSError, ValueError) as error:
        raise UsageError(f"{path}: unreadable: {error}") from None
    if not isinstance(data, dict) or data.get("version") != 1:
        raise UsageError(f"{path}: not a govcheck run.json of version 1")
    return _result(run_dir.resolve(), data)


def describe_command(command: Sequence[str], limit: int = 80) -> str:
    text = shlex.join(command)
    return text if len(text) <= limit else text[:limit - 3] + "..."


# --- internals ------------------------------------------------------------------------------


def _result(run_dir: Path, data: dict) -> RunResult:
    exit_code = data.get("exit_code")
    return RunResult(
        run_dir=run_dir, status=str(data.get("status")),
        exit_code=exit_code if isinstance(exit_code, int) else None,
        duration_s=float(data.get("duration_s") or 0.0), message=data.get("message"),
        stderr_tail=str(data.get("stderr_tail") or ""), outputs=dict(data.get("outputs") or {}),
        metrics=(data.get("metrics") or {}).get("file"), data=data)


@contextlib.contextmanager
def _exclusive(base: Path) -> Iterator[None]:
    """Only one run may use the fixed working path at a time (parallel CI jobs, test workers)."""
    try:
        base.mkdir(parents=True, exist_ok=True)
        handle = open(base / "lock", "a+b")  # noqa: SIM115 - held for the whole block
    except OSError as error:
        raise UsageError(f"{base}: cannot use as the repro working area ({error}); "
                         f"choose another with --work-dir") from None
    with handle:
        try:
            import fcntl
        except ImportError:  # Windows: no advisory lock, runs are simply not serialised
            yield
            return
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _reset(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.exists():
        shutil.rmtree(path)


def _fresh_copy(source: Path, work: Path, *, ignore: Sequence[Path]) -> None:
    _reset(work)
    skip = {p.resolve() for p in ignore} | {(source / REPRO_REPORTS).resolve()}

    def ignored(directory: str, names: list[str]) -> set[str]:
        here = Path(directory).resolve()
        return {name for name in names
                if name in ALWAYS_IGNORED or (here / name) in skip}

    shutil.copytree(source, work, symlinks=True, ignore=ignored)


def _spawn(options: RunOptions, work: Path, run_dir: Path,
           pinned: dict[str, str]) -> tuple[int | None, bool, float]:
    """Run the child in its own session, logs to files (a pipe held open by a leftover
    grandchild would hang us); on timeout, kill the whole process group."""
    environment = {key: value for key, value in os.environ.items()
                   if not key.startswith("GOVCHECK_")}
    environment.update(pinned)
    start = time.monotonic()
    with open(run_dir / "stdout.log", "wb") as out, open(run_dir / "stderr.log", "wb") as err:
        try:
            child = subprocess.Popen(list(options.command), cwd=work, env=environment,
                                     stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                     start_new_session=True)
        except FileNotFoundError:
            raise UsageError(f"command not found: {options.command[0]}") from None
        except PermissionError:
            raise UsageError(f"command not executable: {options.command[0]}") from None
        timed_out = False
        try:
            exit_code: int | None = child.wait(timeout=options.timeout_s)
        except subprocess.TimeoutExpired:
            timed_out = True
            _kill_group(child, signal.SIGTERM)
            try:
                child.wait(timeout=KILL_GRACE_S)
            except subprocess.TimeoutExpired:
                pass
            exit_code = None
        except BaseException:  # Ctrl-C: leave nothing running behind us
            _kill_group(child, signal.SIGKILL)
            child.wait()
            raise
        # Always sweep the group: a leftover daemon of run 1 must not disturb run 2.
        _kill_group(child, signal.SIGKILL)
        if timed_out:
            child.wait()
    return exit_code, timed_out, time.monotonic() - start


def _kill_group(child: subprocess.Popen, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(child.pid, sig)


def _move_if_exists(source: Path, target: Path) -> None:
    if source.exists():
        shutil.move(str(source), str(target))


def _collect_outputs(patterns: Sequence[str], work: Path,
                     run_dir: Path) -> tuple[dict[str, dict[str, object]], list[str]]:
    """Copy the declared outputs out of the working copy; return manifest and notes."""
    notes: list[str] = []
    found: dict[str, Path] = {}
    if patterns:
        for pattern in patterns:
            matches = sorted(work.glob(pattern))
            if not matches:
                notes.append(f"--outputs {pattern!r} matched nothing")
            for match in matches:
                files = sorted(p for p in match.rglob("*") if p.is_file()) if match.is_dir() \
                    else [match]
                for file in files:
                    found[file.relative_to(work).as_posix()] = file
    else:
        for relative in _recorded_outputs(run_dir / "record" / RECORD_NAME, work, notes):
            found[relative] = work / relative
    manifest: dict[str, dict[str, object]] = {}
    for relative, file in sorted(found.items()):
        if not file.is_file():
            notes.append(f"declared output {relative} does not exist after the run")
            continue
        target = run_dir / "outputs" / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(file, target)
        manifest[relative] = {"sha256": file_sha256(target), "size": target.stat().st_size}
    return manifest, notes


def _recorded_outputs(record: Path, work: Path, notes: list[str]) -> list[str]:
    """Outputs the script logged through `govcheck.lineage.log_output`, relative to the copy."""
    try:
        data = json.loads(record.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, ValueError) as error:
        notes.append(f"run record unreadable: {error}")
        return []
    relative: list[str] = []
    for entry in data.get("outputs") or []:
        uri, path = entry.get("uri"), entry.get("path")
        absolute = Path(unquote(urlparse(uri).path)) if uri else work / str(path)
        try:
            relative.append(absolute.resolve().relative_to(work.resolve()).as_posix())
        except ValueError:
            notes.append(f"recorded output {path} lies outside the working copy; not compared")
    return relative


def _collect_metrics(metrics: str | None, work: Path, run_dir: Path,
                     notes: list[str]) -> dict[str, object] | None:
    if metrics is None:
        return None
    source = work / metrics
    if not source.is_file():
        notes.append(f"--metrics {metrics} does not exist after the run")
        return None
    target = run_dir / "metrics.json"
    shutil.copy2(source, target)
    return {"source": metrics, "file": "metrics.json", "sha256": file_sha256(target)}


def _status(exit_code: int | None, timed_out: bool, options: RunOptions,
            outputs: dict, metrics: dict | None) -> tuple[str, str | None]:
    if timed_out:
        return TIMED_OUT, f"timed out after {options.timeout_s:g} s; process group killed"
    if exit_code != 0:
        how = f"killed by signal {-exit_code}" if exit_code is not None and exit_code < 0 \
            else f"exit code {exit_code}"
        return FAILED, f"the command failed ({how})"
    if not outputs and metrics is None:
        if options.outputs or options.metrics:
            return NO_OUTPUTS, ("the run wrote none of its declared outputs ("
                                + ", ".join([*options.outputs, *filter(None, [options.metrics])])
                                + ")")
        return NO_OUTPUTS, ("no outputs to compare: pass --outputs GLOB, or log outputs from the "
                            "script with govcheck.lineage.log_output")
    return OK, None


def _tail(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError:
        return ""
    return data[-STDERR_TAIL_CHARS:].decode("utf-8", errors="replace")


def _torch_version() -> str | None:
    try:
        return importlib.metadata.version("torch")
    except importlib.metadata.PackageNotFoundError:
        return None
