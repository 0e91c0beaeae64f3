"""Compare finished runs and write the verdict as `report.json` and `report.md`.

Works only from run directories (never runs or imports the training code), so the same function
serves `govcheck repro` right after its runs and `govcheck repro compare` on directories copied
from other machines. Run 1 is the reference; every other run is compared against it.

The Markdown says plainly whether differences are tolerance-level drift (a few ULP: reduction
order, thread count, CPU ISA) or real divergence, because "not bitwise" alone sends people
hunting for a seeding bug that is not there.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from govcheck.repro.run import RunResult, describe_command

BITWISE, WITHIN_TOLERANCE, DIVERGED = "BITWISE", "WITHIN_TOLERANCE", "DIVERGED"
FAILED, INCOMPARABLE, MISSING = "FAILED", "INCOMPARABLE", "MISSING"
EXIT_CODES = {BITWISE: 0, WITHIN_TOLERANCE: 0, DIVERGED: 1, INCOMPARABLE: 1, FAILED: 3}
DRIFT_MAX_ULP = 16  # at most this many ULP apart: float reduction-order drift, not a logic bug
REPORT_VERSION = 1


@dataclasses.dataclass(frozen=True)
class Report:
    """Everything `report.json` holds; `data` is that JSON object."""

    verdict: str
    data: dict[str, Any]

    @property
    def exit_code(self) -> int:
        return EXIT_CODES.get(self.verdict, 1)


def build_report(runs: Sequence[RunResult], policy: Any, *, duration_s: float) -> Report:
    """Compare every run against run 1 under `policy` (a compare.TolerancePolicy)."""
    failed = [(index, run) for index, run in enumerate(runs, start=1) if not run.ok]
    outputs: list[dict[str, Any]] = []
    metrics: list[dict[str, Any]] = []
    if failed:
        verdict = FAILED
        index, run = failed[0]
        reason = f"run {index} failed: {run.message}"
    else:
        for index in range(2, len(runs) + 1):
            outputs += _compare_outputs(runs[0], runs[index - 1], policy, index)
            metrics += _compare_metrics(runs[0], runs[index - 1], policy, index)
        verdicts = [o["verdict"] for o in outputs] + [m["verdict"] for m in metrics
                                                      if m["verdict"] is not None]
        verdict = _worst(verdicts)
        reason = _reason(verdict, outputs, metrics, len(runs))
    data = {
        "version": REPORT_VERSION,
        "verdict": verdict,
        "reason": reason,
        "policy": _plain(policy),
        "runs": [_run_summary(index, run) for index, run in enumerate(runs, start=1)],
        "outputs": outputs,
        "metrics": metrics,
        "environment_differences": environment_differences(runs),
        "duration_s": round(duration_s, 3),
    }
    return Report(verdict=verdict, data=data)


def write_report(report: Report, report_dir: Path) -> tuple[Path, Path]:
    """Write report.json and report.md; append the Markdown to `$GITHUB_STEP_SUMMARY` if set."""
    report_dir.mkdir(parents=True, exist_ok=True)
    json_path, md_path = report_dir / "report.json", report_dir / "report.md"
    json_path.write_text(json.dumps(report.data, indent=2, allow_nan=True) + "\n",
                         encoding="utf-8")
    markdown = render_markdown(report)
    md_path.write_text(markdown, encoding="utf-8")
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with open(summary, "a", encoding="utf-8") as stream:
            stream.write(markdown + "\n")
    return json_path, md_path


def environment_differences(runs: Sequence[RunResult]) -> dict[str, list[Any]]:
    """Recorded facts (pinned variables, versions, platform, CPU count) that differ between runs:
    the first thing to look at when runs from two machines disagree."""
    facts = [_facts(run.data) for run in runs]
    keys = sorted(set().union(*facts)) if facts else []
    return {key: [f.get(key) for f in facts] for key in keys
            if len({json.dumps(f.get(key), sort_keys=True) for f in facts}) > 1}


def render_markdown(report: Report) -> str:
    data = report.data
    runs = data["runs"]
    command = describe_command(runs[0]["command"]) if runs else ""
    lines = [f"## govcheck repro: {report.verdict} — {data['reason']}", ""]
    lines.append(f"{len(runs)} run(s) of `{command}`, {data['duration_s']:.1f} s in total. "
                 f"Tolerance: {_policy_text(data['policy'])}.")
    lines.append("")
    for run in runs:
        if run["status"] != "ok":
            lines += [f"### Run {run['index']} failed: {run['message']}", ""]
            if run.get("stderr_tail"):
                lines += ["<details><summary>stderr (tail)</summary>", "", "```",
                          run["stderr_tail"].rstrip().replace("```", "`\u200b``"), "```", "",
                          "</details>", ""]
    if data["outputs"]:
        lines += ["| Output | Runs | Verdict | Differing tensors | Max abs diff | Max rel diff "
                  "| Max ULP |", "|---|---|---|---|---|---|---|"]
        for output in data["outputs"]:
            lines.append(
                f"| `{output['name']}` | 1 vs {output['run']} | {output['verdict']} "
                f"| {_differing(output)} | {_num(_max(output, 'max_abs'))} "
                f"| {_num(_max(output, 'max_rel'))} | {_num(_max(output, 'max_ulp'))} |")
        lines.append("")
        notes = len(lines)
        for output in data["outputs"]:
            if output.get("reason"):
                lines.append(f"- `{output['name']}` (1 vs {output['run']}): {output['reason']}")
            elif output["verdict"] in (DIVERGED, WITHIN_TOLERANCE):
                lines.append(f"- `{output['name']}` (1 vs {output['run']}): "
                             f"{_drift_or_divergence(output)}")
        if len(lines) > notes:
            lines.append("")
    if data["metrics"]:
        lines += ["| Metric | Runs | Run 1 | Other run | Abs diff | Verdict |",
                  "|---|---|---|---|---|---|"]
        for metric in data["metrics"]:
            lines.append(f"| `{metric['key']}` | 1 vs {metric['run']} | {_num(metric['left'])} "
                         f"| {_num(metric['right'])} | {_num(metric.get('abs_diff'))} "
                         f"| {metric['verdict'] or 'ignored'} |")
        lines.append("")
    if data.get("likely_causes"):
        lines += ["Likely causes, from `govcheck check` (GOV1xx):", ""]
        for cause in data["likely_causes"]:
            where = f"{cause['path']}:" + (f"cell {cause['cell']}:" if cause.get("cell") else "")
            lines.append(f"- `{where}{cause['line']}` {cause['code']} {cause['message']}")
        lines.append("")
    if data["environment_differences"]:
        lines += ["Recorded environment differs between runs (results may differ for this "
                  "reason alone):", ""]
        for key, values in data["environment_differences"].items():
            lines.append(f"- `{key}`: " + " / ".join(f"`{v}`" for v in values))
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


# --- comparisons ----------------------------------------------------------------------------


def _compare_outputs(left: RunResult, right: RunResult, policy: Any,
                     index: int) -> list[dict[str, Any]]:
    from govcheck.repro.compare import compare_checkpoint_files
    from govcheck.repro.fingerprint import UnsafeCheckpointError

    results = []
    for name in sorted(set(left.outputs) | set(right.outputs)):
        mine, theirs = left.outputs.get(name), right.outputs.get(name)
        base: dict[str, Any] = {"name": name, "run": index}
        if mine is None or theirs is None:
            absent = 1 if mine is None else index
            results.append({**base, "verdict": INCOMPARABLE, "status": MISSING,
                            "reason": f"missing in run {absent}",
                            "left_digest": (mine or {}).get("sha256"),
                            "right_digest": (theirs or {}).get("sha256"),
                            "tensors": [], "equal_tensors": None})
            continue
        if mine.get("sha256") == theirs.get("sha256"):
            # Identical bytes: bitwise by definition, and nothing from the run is ever loaded.
            results.append({**base, "verdict": BITWISE, "left_digest": mine["sha256"],
                            "right_digest": theirs["sha256"], "tensors": [],
                            "equal_tensors": None, "identical_files": True})
            continue
        try:
            comparison = compare_checkpoint_files(left.run_dir / "outputs" / name,
                                                  right.run_dir / "outputs" / name, policy)
        except UnsafeCheckpointError as error:
            results.append({**base, "verdict": INCOMPARABLE,
                            "reason": f"refused to load an unsafe checkpoint: {error}",
                            "left_digest": mine.get("sha256"),
                            "right_digest": theirs.get("sha256"),
                            "tensors": [], "equal_tensors": None})
            continue
        entry = {**base, **_plain(comparison)}
        entry["name"], entry["run"] = name, index
        if entry["verdict"] == MISSING:
            entry["verdict"] = INCOMPARABLE
        if entry.get("detail"):
            entry["reason"] = entry["detail"]
        results.append(entry)
    return results


def _compare_metrics(left: RunResult, right: RunResult, policy: Any,
                     index: int) -> list[dict[str, Any]]:
    if left.metrics is None and right.metrics is None:
        return []
    from govcheck.repro.compare import compare_metrics, metrics_verdict

    loaded = []
    for number, run in ((1, left), (index, right)):
        if run.metrics is None:
            return [{"key": "(metrics file)", "run": index, "left": None, "right": None,
                     "abs_diff": None, "status": MISSING, "verdict": INCOMPARABLE,
                     "reason": f"no metrics file in run {number}"}]
        try:
            loaded.append(json.loads((run.run_dir / run.metrics).read_text(encoding="utf-8")))
        except (OSError, ValueError) as error:
            return [{"key": "(metrics file)", "run": index, "left": None, "right": None,
                     "abs_diff": None, "status": INCOMPARABLE, "verdict": INCOMPARABLE,
                     "reason": f"metrics of run {number} unreadable: {error}"}]
    results = []
    for diff in compare_metrics(loaded[0], loaded[1], policy):
        entry = {**_plain(diff), "run": index}
        entry["verdict"] = None if diff.status == "ignored" else \
            _as_report_verdict(metrics_verdict([diff]))
        results.append(entry)
    return results


def _as_report_verdict(verdict: str) -> str:
    return INCOMPARABLE if verdict == MISSING else verdict


def _worst(verdicts: Sequence[str]) -> str:
    """compare.combine_verdicts, with MISSING reported as INCOMPARABLE (exit 1 either way)."""
    from govcheck.repro.compare import combine_verdicts

    if not verdicts:
        return INCOMPARABLE
    return _as_report_verdict(combine_verdicts(verdicts))


def _reason(verdict: str, outputs: list[dict], metrics: list[dict], runs: int) -> str:
    if not outputs and not metrics:
        return "nothing was compared"
    total = len({o["name"] for o in outputs})
    bad = sorted({o["name"] for o in outputs if o["verdict"] == verdict})
    bad_metrics = sorted({m["key"] for m in metrics if m["verdict"] == verdict})
    metrics = [m for m in metrics if m["verdict"] is not None]
    if verdict == BITWISE:
        keys = len({m["key"] for m in metrics})
        return f"{runs} runs: {total} output(s) and {keys} metric(s) bitwise identical"
    what = ", ".join([*bad, *bad_metrics][:5])
    if verdict == DIVERGED:
        drift = all(_is_drift(o) for o in outputs if o["verdict"] == DIVERGED)
        kind = "tolerance-level drift (a few ULP)" if drift and bad else "real divergence"
        return f"{kind} in {what}"
    if verdict == WITHIN_TOLERANCE:
        return f"not bitwise, but within the stated tolerance: {what}"
    return f"could not compare {what}"


# --- formatting helpers ---------------------------------------------------------------------


def _run_summary(index: int, run: RunResult) -> dict[str, Any]:
    summary = {"index": index, "run_dir": str(run.run_dir), **run.data}
    if run.ok:
        summary.pop("stderr_tail", None)
    return summary


def _facts(data: Mapping[str, Any]) -> dict[str, Any]:
    facts = {f"env.{key}": value for key, value in (data.get("environment") or {}).items()}
    for key in ("python", "torch", "platform", "machine", "cpu_count", "work_dir", "command"):
        facts[key] = data.get(key)
    return facts


def _plain(value: Any) -> Any:
    """A JSON-ready copy of a record from compare.py (dataclasses, tuples, nested)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def _policy_text(policy: Any) -> str:
    if not isinstance(policy, Mapping):
        return str(policy)
    default = policy.get("default") or {}
    text = f"rtol={default.get('rtol')}, atol={default.get('atol')}"
    if (default.get("rtol"), default.get("atol")) == (0.0, 0.0):
        text = "bitwise (rtol=0, atol=0)"
    for pattern, tolerance in policy.get("per_tensor") or []:
        text += f"; `{pattern}`: rtol={tolerance.get('rtol')}, atol={tolerance.get('atol')}"
    return text


def _differing(output: Mapping[str, Any]) -> str:
    tensors = [t for t in output.get("tensors") or [] if t.get("status") != "equal"]
    equal = output.get("equal_tensors")
    if not isinstance(equal, int):
        return "0" if output["verdict"] == BITWISE else "—"
    return f"{len(tensors)} of {len(tensors) + equal}"


def _max(output: Mapping[str, Any], key: str) -> float | None:
    values = []
    for tensor in output.get("tensors") or []:
        value = tensor.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            values.append(value)
        elif value in ("nan", "inf"):
            values.append(math.inf)
    return max(values) if values else None


def _is_drift(output: Mapping[str, Any]) -> bool:
    ulp = _max(output, "max_ulp")
    return ulp is not None and ulp <= DRIFT_MAX_ULP


def _drift_or_divergence(output: Mapping[str, Any]) -> str:
    ulp = _max(output, "max_ulp")
    if _is_drift(output):
        return (f"tolerance-level drift: at most {_num(ulp)} ULP apart. This is float "
                f"reduction-order noise (thread count, CPU ISA, kernel choice), not a seeding "
                f"bug; a small --rtol/--atol accepts it.")
    return (f"real divergence (max {_num(ulp)} ULP): the runs computed different values, "
            f"typically an unseeded draw, data order or a nondeterministic op.")


def _num(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, int) or float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.3g}"
