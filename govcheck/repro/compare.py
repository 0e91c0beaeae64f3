"""Compare two runs' checkpoints and metrics under an explicit tolerance, and name the verdict.

Tolerance semantics (the same for tensors and metrics): with `b` the reference (the left/first
run) and `a` the candidate, an element is within tolerance when

    |a - b| <= atol + rtol * |b|

NaN matches only NaN at the same position (any payload); an infinity matches only the identical
infinity; `+0.0` and `-0.0` differ bitwise but are within any tolerance, including the exact one.

Why exact by default and never "sensible" defaults: `torch.allclose` uses rtol=1e-5, atol=1e-8
for every dtype, while `torch.testing.assert_close` picks them per dtype (float32: rtol=1.3e-6,
atol=1e-5; float16: 1e-3, 1e-5; bfloat16: 1.6e-2, 1e-5; float64: 1e-7, 1e-7). The two disagree,
and an atol of 1e-5 is larger than typical weight deltas, so it calls a diverged run "equal".
"Reproducible" needs the reviewer's own numbers, so `Tolerance()` means bit-for-bit.

Order of work: bitwise equality of the raw bytes first (cheap, and unlike `torch.equal` it treats
identical NaNs as equal and `-0.0` as different); statistics only for tensors that differ.
Integer and bool tensors are equal or different: tolerance does not apply to them.

ULP distance is computed by reinterpreting each float's bits as a sign-magnitude integer, so
adjacent representable floats are 1 apart. It misleads near zero, where adjacent floats are tiny:
1.0e-8 vs 1.2e-8 is about 2.25 million float64 ULP while |a - b| is 2e-9. Read it with max_abs.
"""

from __future__ import annotations

import fnmatch
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from govcheck.repro.fingerprint import (
    CheckpointError,
    canonical_value,
    dtype_name,
    fingerprint,
    load_state,
)

if TYPE_CHECKING:
    import torch

VERDICTS = ("BITWISE", "WITHIN_TOLERANCE", "DIVERGED", "INCOMPARABLE", "MISSING")
_RANK = {"BITWISE": 0, "WITHIN_TOLERANCE": 1, "DIVERGED": 2, "INCOMPARABLE": 3, "MISSING": 4}
_INCOMPARABLE_STATUSES = frozenset({"shape_mismatch", "dtype_mismatch",
                                    "missing_left", "missing_right"})
_CHUNK_ELEMENTS = 1 << 22
"""Elements compared per step, so statistics on a huge tensor need bounded extra memory."""
_INT64_MAX = (1 << 63) - 1

DEFAULT_IGNORED_METRICS = ("*_seconds", "*timestamp*")
"""Wall-clock keys differ on every run; they are reported as `ignored`, never silently dropped."""


@dataclass(frozen=True)
class Tolerance:
    """`|a - b| <= atol + rtol * |b|`, b being the reference run. Exact (0, 0) by default."""

    rtol: float = 0.0
    atol: float = 0.0

    def __post_init__(self) -> None:
        for field, value in (("rtol", self.rtol), ("atol", self.atol)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) \
                    or not math.isfinite(value) or value < 0:
                raise ValueError(f"{field} must be a finite number >= 0, got {value!r}")

    @property
    def exact(self) -> bool:
        return self.rtol == 0 and self.atol == 0


@dataclass(frozen=True)
class TolerancePolicy:
    """Which tolerance applies where. `per_tensor` patterns are `fnmatch` globs on the flattened
    tensor name, matched case-sensitively (`fnmatchcase`, the same on every OS); first match wins.
    """

    default: Tolerance = Tolerance()
    per_tensor: tuple[tuple[str, Tolerance], ...] = ()
    metrics: Tolerance = Tolerance()

    def for_tensor(self, name: str) -> Tolerance:
        for pattern, tolerance in self.per_tensor:
            if fnmatch.fnmatchcase(name, pattern):
                return tolerance
        return self.default


@dataclass(frozen=True)
class TensorDiff:
    """One entry that is not bitwise equal (or an `equal` record, from `compare_states`).

    `differing` counts elements whose bits differ; `max_abs` is infinite when a NaN or an
    infinity is matched against something else. Statistics are None where they do not apply
    (mismatched shapes, non-numeric values); `max_rel` is |a - b| / |b| and infinite where b == 0.
    """

    name: str
    status: str  # equal | within_tolerance | different | shape_mismatch | dtype_mismatch
    #              | missing_left | missing_right
    max_abs: float | None
    max_rel: float | None
    differing: int
    total: int
    max_ulp: int | None
    detail: str = ""


@dataclass(frozen=True)
class OutputComparison:
    """The verdict for one declared output file; `tensors` lists only the non-equal entries."""

    name: str
    verdict: str  # BITWISE | WITHIN_TOLERANCE | DIVERGED | INCOMPARABLE | MISSING
    left_digest: str | None
    right_digest: str | None
    tensors: tuple[TensorDiff, ...]
    equal_tensors: int
    detail: str = ""


@dataclass(frozen=True)
class MetricDiff:
    """One flattened metric. `key` is a JSON pointer (`/val/loss`, `/loss/3` for a series)."""

    key: str
    left: Any
    right: Any
    abs_diff: float | None
    status: str  # equal | within_tolerance | different | missing_left | missing_right | ignored


# --------------------------------------------------------------------------- verdicts


def combine_verdicts(verdicts: Iterable[str]) -> str:
    """The worst verdict: MISSING > INCOMPARABLE > DIVERGED > WITHIN_TOLERANCE > BITWISE.

    Raises ValueError on an empty input: "nothing was compared" must not read as BITWISE.
    """
    worst: str | None = None
    for verdict in verdicts:
        if verdict not in _RANK:
            raise ValueError(f"unknown verdict {verdict!r}; expected one of {', '.join(VERDICTS)}")
        if worst is None or _RANK[verdict] > _RANK[worst]:
            worst = verdict
    if worst is None:
        raise ValueError("no verdicts to combine: nothing was compared")
    return worst


def _verdict_for(statuses: Iterable[str]) -> str:
    verdict = "BITWISE"
    for status in statuses:
        if status in _INCOMPARABLE_STATUSES:
            return "INCOMPARABLE"
        if status == "different":
            verdict = "DIVERGED"
        elif status == "within_tolerance" and verdict == "BITWISE":
            verdict = "WITHIN_TOLERANCE"
    return verdict


# --------------------------------------------------------------------------- tensors


def compare_states(left: Mapping[str, Any], right: Mapping[str, Any],
                   policy: TolerancePolicy) -> tuple[str, list[TensorDiff], int]:
    """Compare two flat states (see `load_state`): (verdict, non-equal diffs, equal count).

    `left` is the reference run. BITWISE here holds exactly when `fingerprint` agrees.
    """
    import torch

    diffs: list[TensorDiff] = []
    equal = 0
    for name in sorted(set(left) | set(right)):
        if name not in left:
            diffs.append(_missing(name, right[name], "missing_left"))
            continue
        if name not in right:
            diffs.append(_missing(name, left[name], "missing_right"))
            continue
        a, b = right[name], left[name]
        if isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor):
            diff = compare_tensors(name, b, a, policy.for_tensor(name))
        elif isinstance(a, torch.Tensor) or isinstance(b, torch.Tensor):
            diff = TensorDiff(name, "dtype_mismatch", None, None, 0, 1, None,
                              f"left is {_describe(b)}, right is {_describe(a)}")
        else:
            same = canonical_value(a) == canonical_value(b)
            diff = TensorDiff(name, "equal" if same else "different", None, None,
                              0 if same else 1, 1, None,
                              "" if same else f"left {b!r}, right {a!r}")
        if diff.status == "equal":
            equal += 1
        else:
            diffs.append(diff)
    return _verdict_for(d.status for d in diffs), diffs, equal


def _describe(value: Any) -> str:
    import torch

    if isinstance(value, torch.Tensor):
        return f"a {dtype_name(value)} tensor of shape {tuple(value.shape)}"
    return f"{type(value).__name__} {value!r}"


def _missing(name: str, present: Any, status: str) -> TensorDiff:
    import torch

    total = present.numel() if isinstance(present, torch.Tensor) else 1
    side = "left" if status == "missing_left" else "right"
    return TensorDiff(name, status, None, None, 0, total, None, f"absent from the {side} run")


def compare_tensors(name: str, reference: torch.Tensor, candidate: torch.Tensor,
                    tolerance: Tolerance) -> TensorDiff:
    """Compare one tensor pair; `reference` is the left run's (the `b` in the tolerance rule)."""
    import torch

    ref = reference.detach().to("cpu").contiguous().reshape(-1)
    cand = candidate.detach().to("cpu").contiguous().reshape(-1)
    total = ref.numel()
    if reference.dtype != candidate.dtype:
        return TensorDiff(name, "dtype_mismatch", None, None, 0, total, None,
                          f"left {dtype_name(reference)}, right {dtype_name(candidate)}")
    if reference.shape != candidate.shape:
        return TensorDiff(name, "shape_mismatch", None, None, 0, total, None,
                          f"left {tuple(reference.shape)}, right {tuple(candidate.shape)}")
    ref_bytes, cand_bytes = ref.view(torch.uint8), cand.view(torch.uint8)
    if torch.equal(ref_bytes, cand_bytes):
        return TensorDiff(name, "equal", 0.0, 0.0, 0, total, 0 if ref.is_floating_point() else None)
    if ref.is_floating_point():
        return _float_diff(name, ref, cand, tolerance)
    if ref.is_complex():
        return _complex_diff(name, ref, cand, tolerance)
    return _exact_diff(name, ref, cand)


def _bits_dtype(itemsize: int) -> torch.dtype:
    import torch

    return {1: torch.int8, 2: torch.int16, 4: torch.int32, 8: torch.int64}[itemsize]


def _float_diff(name: str, ref: torch.Tensor, cand: torch.Tensor,
                tolerance: Tolerance) -> TensorDiff:
    import torch

    bits = _bits_dtype(ref.element_size())
    differing = violations = 0
    max_abs = max_rel = 0.0
    max_ulp = 0
    for start in range(0, ref.numel(), _CHUNK_ELEMENTS):
        b_raw = ref[start:start + _CHUNK_ELEMENTS]
        a_raw = cand[start:start + _CHUNK_ELEMENTS]
        b_bits, a_bits = b_raw.view(bits), a_raw.view(bits)
        changed = b_bits != a_bits
        n_changed = int(changed.sum())
        if n_changed == 0:
            continue
        differing += n_changed
        b, a = b_raw[changed].to(torch.float64), a_raw[changed].to(torch.float64)
        b_nan, a_nan = torch.isnan(b), torch.isnan(a)
        finite = torch.isfinite(a) & torch.isfinite(b)
        # Non-finite pairs match only NaN-with-NaN or the identical infinity.
        nonfinite_ok = (b_nan & a_nan) | (~finite & ~b_nan & ~a_nan & (a == b))
        delta = (a - b).abs()
        ok = torch.where(finite, delta <= tolerance.atol + tolerance.rtol * b.abs(), nonfinite_ok)
        violations += int((~ok).sum())
        if bool((~finite & ~nonfinite_ok).any()):
            max_abs = max_rel = math.inf
        if bool(finite.any()):
            d, ref_abs = delta[finite], b.abs()[finite]
            max_abs = max(max_abs, float(d.max()))
            rel = torch.where(ref_abs > 0, d / ref_abs,
                              torch.where(d > 0, math.inf, 0.0))
            max_rel = max(max_rel, float(rel.max()))
        not_nan = ~(b_nan | a_nan)
        if bool(not_nan.any()):
            max_ulp = max(max_ulp, _max_ulp(b_bits[changed][not_nan], a_bits[changed][not_nan]))
    status = "within_tolerance" if violations == 0 else "different"
    return TensorDiff(name, status, max_abs, max_rel, differing, ref.numel(), max_ulp)


def _max_ulp(b_bits: torch.Tensor, a_bits: torch.Tensor) -> int:
    """Largest distance in representable steps, saturating at 2**63 - 1 (only float64 can)."""
    import torch

    width = b_bits.element_size() * 8
    sign_mask = 1 << (width - 1)
    b64, a64 = b_bits.to(torch.int64), a_bits.to(torch.int64)
    if width < 64:
        # Two's-complement view of a sign-magnitude float: magnitude, negated when the sign is set.
        b_mag, a_mag = b64 & (sign_mask - 1), a64 & (sign_mask - 1)
    else:
        b_mag, a_mag = b64 & _INT64_MAX, a64 & _INT64_MAX
    b_neg, a_neg = b64 < 0, a64 < 0
    same_sign = b_neg == a_neg
    # Same sign: |mag_a - mag_b| cannot overflow. Opposite signs: mag_a + mag_b may, so saturate.
    overflow = a_mag > (_INT64_MAX - b_mag)
    distance = torch.where(same_sign, (a_mag - b_mag).abs(),
                           torch.where(overflow, torch.full_like(a_mag, _INT64_MAX), a_mag + b_mag))
    return int(distance.max())


def _complex_diff(name: str, ref: torch.Tensor, cand: torch.Tensor,
                  tolerance: Tolerance) -> TensorDiff:
    """Complex tensors: the same rule on the complex modulus; no ULP distance."""
    import torch

    b, a = ref.to(torch.complex128), cand.to(torch.complex128)
    parts_b, parts_a = torch.view_as_real(b), torch.view_as_real(a)
    changed = (parts_b.view(torch.int64) != parts_a.view(torch.int64)).any(dim=-1)
    b, a = b[changed], a[changed]
    nan_b, nan_a = torch.isnan(b), torch.isnan(a)
    finite = torch.isfinite(a) & torch.isfinite(b)
    delta = (a - b).abs()
    ok = torch.where(finite, delta <= tolerance.atol + tolerance.rtol * b.abs(),
                     (nan_b & nan_a) | (~nan_b & ~nan_a & (a == b)))
    max_abs = float(delta[finite].max()) if bool(finite.any()) else 0.0
    if bool((~finite & ~ok).any()):
        max_abs = math.inf
    status = "within_tolerance" if bool(ok.all()) else "different"
    return TensorDiff(name, status, max_abs, None, int(changed.sum()), ref.numel(), None)


def _exact_diff(name: str, ref: torch.Tensor, cand: torch.Tensor) -> TensorDiff:
    """Integer and bool tensors: any difference is a difference."""
    import torch

    changed = ref != cand
    max_abs: float | None = None
    if ref.dtype != torch.bool:
        max_abs = float((cand[changed].to(torch.float64) - ref[changed].to(torch.float64))
                        .abs().max())
    return TensorDiff(name, "different", max_abs, None, int(changed.sum()), ref.numel(), None)


# --------------------------------------------------------------------------- files


def compare_checkpoint_files(left: Path, right: Path, policy: TolerancePolicy, *,
                             name: str | None = None) -> OutputComparison:
    """Compare two checkpoint files (left = reference run). Digests first; diffs only if they differ.

    A missing file gives MISSING; an unreadable or unsafe one gives INCOMPARABLE with the reason
    in `detail` -- loading never runs the file's code (see `fingerprint.load_state`).
    """
    left, right = Path(left), Path(right)
    label = name if name is not None else left.name
    absent = [side for side, path in (("left", left), ("right", right)) if not path.is_file()]
    if absent:
        return OutputComparison(label, "MISSING", None, None, (), 0,
                                f"no file in the {' and '.join(absent)} run")
    try:
        left_state = load_state(left)
    except CheckpointError as exc:
        return OutputComparison(label, "INCOMPARABLE", None, None, (), 0, str(exc))
    left_digest = fingerprint(left_state)
    try:
        right_state = load_state(right)
    except CheckpointError as exc:
        return OutputComparison(label, "INCOMPARABLE", left_digest, None, (), 0, str(exc))
    right_digest = fingerprint(right_state)
    if left_digest == right_digest:
        return OutputComparison(label, "BITWISE", left_digest, right_digest, (), len(left_state))
    verdict, diffs, equal = compare_states(left_state, right_state, policy)
    return OutputComparison(label, verdict, left_digest, right_digest, tuple(diffs), equal)


# --------------------------------------------------------------------------- metrics


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def flatten_metrics(value: Any, prefix: str = "") -> dict[str, Any]:
    """Nested dicts and lists to JSON pointers (RFC 6901): unambiguous even when keys hold dots."""
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, child in value.items():
            out.update(flatten_metrics(child, f"{prefix}/{_escape(str(key))}"))
        return out
    if isinstance(value, (list, tuple)):
        out = {}
        for index, child in enumerate(value):
            out.update(flatten_metrics(child, f"{prefix}/{index}"))
        return out
    return {prefix: value}


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def compare_metrics(left: Mapping[str, Any], right: Mapping[str, Any], policy: TolerancePolicy,
                    *, ignore: Iterable[str] = DEFAULT_IGNORED_METRICS) -> list[MetricDiff]:
    """Compare two metrics documents (left = reference), one MetricDiff per flattened key.

    Floats use `policy.metrics`; two ints must be equal (counts and steps are exact); bools,
    strings and nulls compare by equality and never equal a number. `ignore` holds fnmatch
    patterns on the last key segment; matches are reported as `ignored`, not compared.
    """
    patterns = tuple(ignore)
    flat_left, flat_right = flatten_metrics(left), flatten_metrics(right)
    tolerance = policy.metrics
    diffs: list[MetricDiff] = []
    for key in sorted(set(flat_left) | set(flat_right)):
        b, a = flat_left.get(key), flat_right.get(key)
        last = key.rsplit("/", 1)[-1].replace("~1", "/").replace("~0", "~")
        if any(fnmatch.fnmatchcase(last, p) for p in patterns):
            diffs.append(MetricDiff(key, b, a, None, "ignored"))
        elif key not in flat_left:
            diffs.append(MetricDiff(key, None, a, None, "missing_left"))
        elif key not in flat_right:
            diffs.append(MetricDiff(key, b, None, None, "missing_right"))
        elif _is_number(a) and _is_number(b):
            diffs.append(_number_diff(key, b, a, tolerance))
        else:
            same = type(a) is type(b) and a == b
            diffs.append(MetricDiff(key, b, a, None, "equal" if same else "different"))
    return diffs


def _number_diff(key: str, b: float, a: float, tolerance: Tolerance) -> MetricDiff:
    if isinstance(a, int) and isinstance(b, int):
        return MetricDiff(key, b, a, float(abs(a - b)), "equal" if a == b else "different")
    fa, fb = float(a), float(b)
    if math.isnan(fa) or math.isnan(fb):
        both = math.isnan(fa) and math.isnan(fb)
        return MetricDiff(key, b, a, 0.0 if both else math.inf, "equal" if both else "different")
    if math.isinf(fa) or math.isinf(fb):
        same = fa == fb
        return MetricDiff(key, b, a, 0.0 if same else math.inf, "equal" if same else "different")
    delta = abs(fa - fb)
    if fa == fb:
        status = "equal"
    elif delta <= tolerance.atol + tolerance.rtol * abs(fb):
        status = "within_tolerance"
    else:
        status = "different"
    return MetricDiff(key, b, a, delta, status)


def metrics_verdict(diffs: Iterable[MetricDiff]) -> str:
    """Summarise `compare_metrics`: a missing key is INCOMPARABLE; ignored keys do not count."""
    return _verdict_for(d.status for d in diffs if d.status != "ignored")


def load_metrics(path: Path) -> Any:
    """Read a metrics JSON file; NaN/Infinity literals (as Python's json writes them) allowed."""
    return json.loads(Path(path).read_text(encoding="utf-8"))
