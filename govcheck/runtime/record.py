"""The run record: one JSON file per training run, the single source for repro, cards, BOMs, attestations.

Why a file written all along rather than once at the end: a run that crashes, is interrupted or
runs out of memory is exactly the run someone needs to explain later. So the record is written
atomically (temporary file in the run folder + `os.replace`) when the run starts, with status
RUNNING, and again whenever a fact is added. At interpreter exit an `atexit` hook finishes it
with COMPLETE; an uncaught exception finishes it with FAIL and the exception text, through a
`sys.excepthook` wrapper that chains to the hook that was there before.

What this cannot see, and so leaves the status RUNNING: `os._exit`, SIGKILL (the OOM killer
included), a segfault, a kill -9 from a scheduler. `sys.exit(1)` is recorded as COMPLETE, because
an atexit hook is not told the exit code; raise an exception to record a failure. A program that
replaces `sys.excepthook` after the run started without chaining also records COMPLETE.
An exception that ends only a worker thread does not end the program, so it is not a FAIL.

Worker processes (a `multiprocessing` child, fork or spawn, e.g. DataLoader workers calling
`seed_everything` in `worker_init_fn`) never write: they would overwrite the parent's record with
a partial one. Their calls are accepted and kept in memory only.

The same facts are kept as OpenLineage RunEvents (START, then COMPLETE or FAIL) in the record,
and sent through the OpenLineage client when `OPENLINEAGE_URL` or `OPENLINEAGE_CONFIG` is set.
"""

from __future__ import annotations

import atexit
import dataclasses
import json
import os
import platform
import re
import sys
import threading
import traceback
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import cache
from pathlib import Path
from types import TracebackType
from typing import Any

SCHEMA = "govcheck.run-record/v1"
RECORD_NAME = "run_record.json"
OUTPUT_KINDS = ("model", "checkpoint", "metrics", "data", "other")
RUNNING, COMPLETE, FAIL = "RUNNING", "COMPLETE", "FAIL"
_SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class SeedRecord:
    """The seed and the determinism settings in force after seeding."""

    value: int
    settings: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class InputRecord:
    """A dataset the run read: identity (version, sha256) and governance facts (owners, pii)."""

    name: str
    path: str | None
    uri: str | None
    version: str | None
    sha256: str | None
    owners: dict[str, str]
    classification: str | None
    masked_columns: tuple[str, ...] = ()
    rows: int | None = None
    schema: dict[str, str] | None = None


@dataclass(frozen=True)
class OutputRecord:
    """A file the run produced; `uri` is absolute so a later `chdir` cannot change what it names."""

    path: str
    uri: str
    sha256: str
    kind: str


@dataclass(frozen=True)
class RunSnapshot:
    """A consistent snapshot of a run, what the record and the OpenLineage events are built from."""

    run_id: str
    job_namespace: str
    job_name: str
    started_at: str
    ended_at: str | None
    status: str
    error: str | None
    seed: SeedRecord | None
    params: dict[str, object]
    inputs: tuple[InputRecord, ...]
    outputs: tuple[OutputRecord, ...]


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def _new_run_id() -> str:
    """UUIDv7 where Python has it (time-ordered), else UUIDv4: OpenLineage requires a UUID."""
    make = getattr(uuid, "uuid7", None) or uuid.uuid4
    return str(make())


def _job_name(argv: Sequence[str]) -> str:
    if explicit := os.environ.get("GOVCHECK_JOB_NAME"):
        return explicit
    entry = argv[0] if argv else ""
    if not entry or entry in ("-c", "-"):
        return "interactive"
    script = Path(entry)
    return script.parent.name if script.stem == "__main__" and script.parent.name else script.stem


def _json_copy(value: object, what: str) -> Any:
    """A detached, strictly JSON copy: later mutation by the caller cannot change the record."""
    try:
        return json.loads(json.dumps(value, allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{what} must be JSON-serialisable (str, int, float, bool, None, list, "
                        f"dict with str keys; no NaN or infinity), got {type(value).__name__}: "
                        f"{exc}. Convert it first, e.g. str(value) or float(value).") from None


def _in_worker_process() -> bool:
    """True in a `multiprocessing` child; checked via sys.modules so nothing is imported for it."""
    mp = sys.modules.get("multiprocessing")
    return mp is not None and mp.parent_process() is not None


@cache
def _static_environment() -> dict[str, object]:
    from govcheck import __version__

    return {"python": platform.python_version(), "implementation": platform.python_implementation(),
            "platform": platform.platform(), "machine": platform.machine(), "govcheck": __version__}


def environment() -> dict[str, object]:
    """Versions of the libraries the run actually used: only those already imported.

    Importing torch or pandas just to learn its version would cost seconds and could change
    behaviour (CUDA initialisation, thread pools), so `sys.modules` is the only source.
    """
    env = dict(_static_environment())
    for name in ("torch", "numpy", "pandas"):
        module = sys.modules.get(name)
        version = getattr(module, "__version__", None)
        if version is not None:
            env[name] = str(version)
    torch = sys.modules.get("torch")
    if torch is not None:
        try:
            env["cuda_available"] = bool(torch.cuda.is_available())
            env["torch_cuda"] = torch.version.cuda
        except Exception:  # noqa: BLE001 - a half-imported torch must not break the record
            pass
    return env


class RunRecorder:
    """Collects the facts of one run and keeps `run_record.json` up to date.

    Use `current_run()`; constructing one directly gives a recorder that writes but is not
    finished by the exit hooks.
    """

    def __init__(self) -> None:
        self.run_id = _new_run_id()
        self._pid = os.getpid()
        self._passive = _in_worker_process()
        explicit = os.environ.get("GOVCHECK_RUN_DIR")
        base = Path(explicit).expanduser() if explicit else Path(".govcheck") / "runs" / self.run_id
        self.run_dir = base.absolute()
        self.record_path = self.run_dir / RECORD_NAME
        self._command = list(sys.argv)
        self._job_name = _job_name(self._command)
        self._namespace = os.environ.get("GOVCHECK_NAMESPACE") or "govcheck"
        self._started_at = _now()
        self._ended_at: str | None = None
        self._status = RUNNING
        self._error: str | None = None
        self._stack_trace: str | None = None
        self._seed: SeedRecord | None = None
        self._params: dict[str, object] = {}
        self._inputs: list[InputRecord] = []
        self._outputs: list[OutputRecord] = []
        self._warnings: list[str] = []
        self._events: list[dict[str, Any]] = []
        self._lineage: Any = None  # govcheck.runtime.openlineage_events, or None when missing
        self._sender: Any = None
        self._started = False
        self._lock = threading.RLock()

    # --- adding facts ------------------------------------------------------------------------

    def set_seed(self, seed: int, settings: Mapping[str, object]) -> None:
        """Record the seed; a later call replaces an earlier one (the last seeding wins)."""
        with self._lock:
            self._seed = SeedRecord(int(seed), _json_copy(dict(settings), "seed settings"))
            self._changed()

    def set_params(self, params: Mapping[str, object]) -> None:
        """Merge hyper-parameters into the record; a key logged again takes the new value."""
        copied: dict[str, object] = {}
        for key, value in params.items():
            if not isinstance(key, str):
                raise TypeError(f"parameter names must be str, got {key!r}")
            copied[key] = _json_copy(value, f"parameter {key!r}")
        with self._lock:
            self._params.update(copied)
            self._changed()

    def add_input(self, name: str, *, path: str | None, uri: str | None = None,
                  version: str | None, sha256: str | None, owners: Mapping[str, str],
                  classification: str | None, masked_columns: Sequence[str] = (),
                  rows: int | None = None, schema: Mapping[str, str] | None = None) -> None:
        """Record a dataset read. Without `uri`, the file URI of `path` (absolute) is recorded.

        `schema` (column -> type), when known, becomes the OpenLineage schema facet. The same
        input recorded twice (e.g. loaded once per epoch) is kept once.
        """
        if not isinstance(name, str) or not name:
            raise ValueError(f"input name must be a non-empty str, got {name!r}")
        if path is not None and uri is None:
            uri = Path(os.path.abspath(path)).as_uri()
        record = InputRecord(
            name=name, path=None if path is None else os.fspath(path), uri=uri, version=version,
            sha256=_check_sha256(sha256, f"input {name!r}"),
            owners={str(k): str(v) for k, v in owners.items()}, classification=classification,
            masked_columns=tuple(str(c) for c in masked_columns), rows=rows,
            schema=None if schema is None else {str(k): str(v) for k, v in schema.items()})
        with self._lock:
            if record not in self._inputs:
                self._inputs.append(record)
                self._changed()

    def add_output(self, path: str, *, sha256: str, kind: str) -> None:
        """Record a produced file. Logging the same path again replaces the entry: a checkpoint
        rewritten every epoch has one final content, and that is what a BOM must name."""
        if kind not in OUTPUT_KINDS:
            raise ValueError(f"output kind must be one of {', '.join(OUTPUT_KINDS)}; got {kind!r}")
        checked = _check_sha256(sha256, f"output {path!r}")
        assert checked is not None
        uri = Path(os.path.abspath(path)).as_uri()
        record = OutputRecord(path=os.fspath(path), uri=uri, sha256=checked, kind=kind)
        with self._lock:
            self._outputs = [o for o in self._outputs if o.uri != uri] + [record]
            self._changed()

    # --- lifecycle ---------------------------------------------------------------------------

    def start(self) -> None:
        """Write the RUNNING record with the START event (and send it when configured)."""
        with self._lock:
            if self._started or not self._owns_process():
                return
            self._started = True
            self._load_lineage()
            if self._lineage is not None:
                self._events.append(self._emit("START", self.state()))
            self._write()

    def finish(self, status: str = COMPLETE, error: str | None = None) -> Path:
        """Finish the run: status, end time, COMPLETE/FAIL event; idempotent (first call wins)."""
        if status not in (COMPLETE, FAIL):
            raise ValueError(f"status must be {COMPLETE} or {FAIL}, got {status!r}")
        with self._lock:
            if self._status != RUNNING or not self._owns_process():
                return self.record_path
            self.start()
            self._status, self._error, self._ended_at = status, error, _now()
            if self._lineage is not None:
                self._events.append(self._emit(status, self.state()))
                self._sender_close()
            self._write()
            return self.record_path

    def _fail_from_exception(self, exc_type: type[BaseException], exc: BaseException,
                             tb: TracebackType | None) -> None:
        text = "".join(traceback.format_exception_only(exc_type, exc)).strip()
        self._stack_trace = "".join(traceback.format_exception(exc_type, exc, tb))
        self.finish(FAIL, text)

    # --- views -------------------------------------------------------------------------------

    def state(self) -> RunSnapshot:
        with self._lock:
            return RunSnapshot(
                run_id=self.run_id, job_namespace=self._namespace, job_name=self._job_name,
                started_at=self._started_at, ended_at=self._ended_at, status=self._status,
                error=self._error, seed=self._seed, params=dict(self._params),
                inputs=tuple(self._inputs), outputs=tuple(self._outputs))

    def to_dict(self) -> dict[str, Any]:
        """The record as written: field order is the reading order for a human."""
        with self._lock:
            s = self.state()
            return {
                "schema": SCHEMA,
                "run_id": s.run_id,
                "job": {"namespace": s.job_namespace, "name": s.job_name},
                "started_at": s.started_at,
                "ended_at": s.ended_at,
                "status": s.status,
                "error": s.error,
                "command": list(self._command),
                "seed": None if s.seed is None else dataclasses.asdict(s.seed),
                "params": dict(s.params),
                "inputs": [_input_dict(i) for i in s.inputs],
                "outputs": [dataclasses.asdict(o) for o in s.outputs],
                "environment": environment(),
                "openlineage": list(self._events),
                "warnings": list(self._warnings),
            }

    # --- internals ---------------------------------------------------------------------------

    def _owns_process(self) -> bool:
        return not self._passive and os.getpid() == self._pid

    def _changed(self) -> None:
        if not self._owns_process():
            return
        if not self._started:
            self.start()  # the first fact of a recorder made directly also opens the run
            return
        if self._status != RUNNING:
            note = "facts were added after the run finished; they are not in the OpenLineage events"
            if note not in self._warnings:
                self._warnings.append(note)
        self._write()

    def _load_lineage(self) -> None:
        try:
            from govcheck.runtime import openlineage_events
        except ImportError:
            self._warnings.append("openlineage-python is not installed, so this record has no "
                                  "OpenLineage events (pip install openlineage-python)")
            return
        self._lineage = openlineage_events
        if os.environ.get("OPENLINEAGE_URL") or os.environ.get("OPENLINEAGE_CONFIG"):
            self._sender = openlineage_events.Sender()

    def _emit(self, event_type: str, state: RunSnapshot) -> dict[str, Any]:
        event = self._lineage.build_run_event(event_type, state, stack_trace=self._stack_trace)
        if self._sender is not None:
            problem = self._sender.send(event)
            if problem:
                self._warnings.append(problem)
        return self._lineage.to_dict(event)

    def _sender_close(self) -> None:
        if self._sender is not None:
            problem = self._sender.close()
            if problem:
                self._warnings.append(problem)

    def _write(self) -> None:
        if not self._owns_process():
            return
        text = json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"
        self.run_dir.mkdir(parents=True, exist_ok=True)
        # os.open with 0o666 rather than mkstemp (0o600): the record gets the permissions the
        # user's umask gives any other file, so CI artefact steps and teammates can read it.
        tmp = self.run_dir / f".run_record.{os.getpid()}.{uuid.uuid4().hex}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.record_path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def _check_sha256(value: str | None, what: str) -> str | None:
    if value is None:
        return None
    lowered = str(value).lower()
    if not _SHA256.fullmatch(lowered):
        raise ValueError(f"{what}: sha256 must be 64 hex digits, got {value!r}")
    return lowered


def _input_dict(record: InputRecord) -> dict[str, Any]:
    data = dataclasses.asdict(record)
    data["masked_columns"] = list(record.masked_columns)
    return data


_RUN: RunRecorder | None = None
_RUN_LOCK = threading.Lock()


def current_run() -> RunRecorder:
    """The process-wide run, created (and its RUNNING record written) on first use."""
    global _RUN  # noqa: PLW0603 - one run per process is the point
    with _RUN_LOCK:
        if _RUN is None:
            run = RunRecorder()
            run.start()
            if run._owns_process():
                _install_exit_hooks(run)
            _RUN = run
        return _RUN


def _install_exit_hooks(run: RunRecorder) -> None:
    previous = sys.excepthook

    def excepthook(exc_type: type[BaseException], exc: BaseException,
                   tb: TracebackType | None) -> None:
        """Print the traceback as before, then record FAIL; never let recording hide the error."""
        try:
            previous(exc_type, exc, tb)
        finally:
            try:
                run._fail_from_exception(exc_type, exc, tb)
            except Exception:  # noqa: BLE001
                sys.stderr.write("govcheck: could not write the FAIL run record:\n")
                traceback.print_exc()

    sys.excepthook = excepthook
    atexit.register(run.finish, COMPLETE)
