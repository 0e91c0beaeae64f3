"""Checkpoint and metrics comparison on real files written by real torch (and safetensors).

Each test saves tiny state dicts into tmp_path and compares them through the public functions, so
the loading boundary (weights-only unpickling, safetensors parsing) is exercised, not mocked.
"""

from __future__ import annotations

import math
import pickle
from pathlib import Path
from typing import Any

import pytest

torch = pytest.importorskip("torch")

from govcheck.repro.compare import (  # noqa: E402
    Tolerance,
    TolerancePolicy,
    combine_verdicts,
    compare_checkpoint_files,
    compare_metrics,
    compare_states,
    metrics_verdict,
)
from govcheck.repro.fingerprint import (  # noqa: E402
    CheckpointError,
    UnsafeCheckpointError,
    fingerprint,
    load_state,
)

EXACT = TolerancePolicy()


def make_state() -> dict[str, Any]:
    generator = torch.Generator().manual_seed(0)
    return {
        "layer.weight": torch.randn(4, 3, generator=generator),
        "layer.bias": torch.randn(4, generator=generator),
        "head.weight": torch.randn(2, 4, generator=generator, dtype=torch.float64),
        "steps": torch.tensor([1, 2, 3], dtype=torch.int64),
    }


def save_pt(path: Path, obj: Any) -> Path:
    torch.save(obj, path)
    return path


def one_ulp_up(tensor: Any) -> Any:
    return torch.nextafter(tensor, torch.full_like(tensor, math.inf))


# --------------------------------------------------------------------------- loading & digests


def test_identical_files_are_bitwise(tmp_path: Path) -> None:
    left = save_pt(tmp_path / "a.pt", make_state())
    right = save_pt(tmp_path / "b.pt", make_state())
    result = compare_checkpoint_files(left, right, EXACT, name="model.pt")
    assert result.verdict == "BITWISE"
    assert result.name == "model.pt"
    assert result.left_digest == result.right_digest
    assert result.left_digest.startswith("sha256:")
    assert result.tensors == () and result.equal_tensors == 4
    # The files themselves differ (the zip records embed the file stem), the digest does not.
    assert left.read_bytes() != right.read_bytes()


def test_pt_and_safetensors_share_a_fingerprint(tmp_path: Path) -> None:
    safetensors_torch = pytest.importorskip("safetensors.torch")
    state = make_state()
    pt = save_pt(tmp_path / "model.pt", state)
    st = tmp_path / "model.safetensors"
    safetensors_torch.save_file(state, str(st))
    assert fingerprint(load_state(pt)) == fingerprint(load_state(st))
    assert compare_checkpoint_files(pt, st, EXACT).verdict == "BITWISE"


def test_fingerprint_ignores_key_order_views_and_parameters() -> None:
    state = make_state()
    reordered = dict(reversed(list(state.items())))
    big = torch.arange(1000, dtype=torch.float32)
    as_view = {"x": big[10:15]}
    as_copy = {"x": big[10:15].clone()}
    as_param = {"x": torch.nn.Parameter(big[10:15].clone())}
    assert fingerprint(state) == fingerprint(reordered)
    assert fingerprint(as_view) == fingerprint(as_copy) == fingerprint(as_param)
    # dtype and shape are part of the digest even when bytes coincide
    assert fingerprint({"x": torch.zeros(4)}) != fingerprint({"x": torch.zeros(2, 2)})
    assert fingerprint({"x": torch.zeros(4, dtype=torch.int32)}) != fingerprint({"x": torch.zeros(4)})


def test_nested_checkpoint_is_flattened_and_values_compared(tmp_path: Path) -> None:
    model = torch.nn.Linear(3, 2)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    model(torch.ones(1, 3)).sum().backward()
    optimizer.step()
    checkpoint = {"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                  "epoch": 3, "note": "run-a"}
    path = save_pt(tmp_path / "ckpt.pt", checkpoint)
    state = load_state(path)
    assert set(state) >= {"model.weight", "model.bias", "epoch", "note",
                          "optimizer.state.0.momentum_buffer", "optimizer.param_groups"}
    assert state["epoch"] == 3 and state["note"] == "run-a"
    assert isinstance(state["optimizer.param_groups"], list)

    checkpoint["epoch"] = 4
    other = save_pt(tmp_path / "ckpt2.pt", checkpoint)
    result = compare_checkpoint_files(path, other, EXACT)
    assert result.verdict == "DIVERGED"
    assert [(d.name, d.status) for d in result.tensors] == [("epoch", "different")]


class Marker:
    """Pickles as a call to `open(marker, "w")`: loading it unsafely would create the file."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return (open, (str(self.marker), "w"))


@pytest.mark.parametrize("writer", ["torch.save", "pickle.dump"])
def test_malicious_pickle_is_refused_and_never_run(tmp_path: Path, writer: str,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    # An environment that tries to switch weights-only loading off must not matter.
    monkeypatch.setenv("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", "1")
    marker = tmp_path / "pwned"
    payload = {"weight": torch.ones(2), "evil": Marker(marker)}
    path = tmp_path / "evil.pt"
    if writer == "torch.save":
        torch.save(payload, path)
    else:
        with path.open("wb") as handle:
            pickle.dump(payload, handle)
    assert not marker.exists()

    with pytest.raises(UnsafeCheckpointError) as info:
        load_state(path)
    assert not marker.exists()
    assert info.value.path == path
    assert "open" in info.value.reason and "state_dict" in info.value.reason

    good = save_pt(tmp_path / "good.pt", {"weight": torch.ones(2)})
    result = compare_checkpoint_files(good, path, EXACT)
    assert result.verdict == "INCOMPARABLE" and "refused" in result.detail
    assert result.left_digest is not None and result.right_digest is None
    assert not marker.exists()


def test_a_whole_module_is_refused(tmp_path: Path) -> None:
    path = save_pt(tmp_path / "module.pt", torch.nn.Linear(2, 2))
    with pytest.raises(UnsafeCheckpointError, match="torch.nn.modules.linear.Linear"):
        load_state(path)


def test_unreadable_and_missing_files(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.pt"
    garbage.write_bytes(b"not a checkpoint at all")
    with pytest.raises(CheckpointError) as info:
        load_state(garbage)
    assert not isinstance(info.value, UnsafeCheckpointError)
    good = save_pt(tmp_path / "good.pt", {"w": torch.ones(1)})
    assert compare_checkpoint_files(good, garbage, EXACT).verdict == "INCOMPARABLE"
    missing = compare_checkpoint_files(good, tmp_path / "absent.pt", EXACT)
    assert missing.verdict == "MISSING" and "right" in missing.detail


def test_bad_safetensors_file_is_incomparable(tmp_path: Path) -> None:
    pytest.importorskip("safetensors")
    fake = tmp_path / "model.safetensors"
    fake.write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00{not json}")
    with pytest.raises(CheckpointError, match="safetensors"):
        load_state(fake)


# --------------------------------------------------------------------------- tolerance


def test_one_ulp_is_diverged_exactly_and_within_a_relative_tolerance(tmp_path: Path) -> None:
    state = make_state()
    perturbed = dict(state)
    weight = state["layer.weight"].clone()
    weight[1, 2] = one_ulp_up(weight[1, 2])
    perturbed["layer.weight"] = weight
    left = save_pt(tmp_path / "a.pt", state)
    right = save_pt(tmp_path / "b.pt", perturbed)

    exact = compare_checkpoint_files(left, right, EXACT)
    assert exact.verdict == "DIVERGED"
    assert exact.left_digest != exact.right_digest
    assert exact.equal_tensors == 3
    (diff,) = exact.tensors
    assert (diff.name, diff.status, diff.differing, diff.total, diff.max_ulp) == \
        ("layer.weight", "different", 1, 12, 1)
    assert 0 < diff.max_abs < 1e-6 and 0 < diff.max_rel < 2e-7

    loose = compare_checkpoint_files(left, right, TolerancePolicy(default=Tolerance(rtol=1e-6)))
    assert loose.verdict == "WITHIN_TOLERANCE"
    assert loose.tensors[0].status == "within_tolerance" and loose.tensors[0].max_ulp == 1


def test_per_tensor_pattern_first_match_wins() -> None:
    state = make_state()
    other = dict(state)
    other["layer.weight"] = state["layer.weight"] + 1e-3
    other["head.weight"] = state["head.weight"] + 1e-3
    policy = TolerancePolicy(per_tensor=(("layer.*", Tolerance(atol=1e-2)),
                                         ("*", Tolerance(atol=1e-9))))
    assert policy.for_tensor("layer.weight") == Tolerance(atol=1e-2)
    assert policy.for_tensor("head.weight") == Tolerance(atol=1e-9)
    assert TolerancePolicy(per_tensor=(("layer.*", Tolerance(atol=1)),)).for_tensor("x") == \
        Tolerance()
    verdict, diffs, equal = compare_states(state, other, policy)
    assert verdict == "DIVERGED" and equal == 2
    assert {d.name: d.status for d in diffs} == {"head.weight": "different",
                                                 "layer.weight": "within_tolerance"}
    loosened = TolerancePolicy(per_tensor=(("*.weight", Tolerance(atol=1e-2)),))
    assert compare_states(state, other, loosened)[0] == "WITHIN_TOLERANCE"


def test_reference_is_the_left_run() -> None:
    left = {"x": torch.tensor([100.0])}
    right = {"x": torch.tensor([110.0])}
    policy = TolerancePolicy(default=Tolerance(rtol=0.1))  # |110-100| <= 0.1 * |100|
    assert compare_states(left, right, policy)[0] == "WITHIN_TOLERANCE"
    assert compare_states(right, left, policy)[0] == "WITHIN_TOLERANCE"  # 10 <= 11
    tight = TolerancePolicy(default=Tolerance(rtol=0.095))  # 10 > 9.5 but 10 <= 10.45
    assert compare_states(left, right, tight)[0] == "DIVERGED"
    assert compare_states(right, left, tight)[0] == "WITHIN_TOLERANCE"


def test_shape_dtype_mismatch_and_missing_key_are_incomparable() -> None:
    state = make_state()
    reshaped = dict(state, **{"layer.weight": state["layer.weight"].reshape(3, 4)})
    verdict, diffs, _ = compare_states(state, reshaped, EXACT)
    assert verdict == "INCOMPARABLE" and diffs[0].status == "shape_mismatch"

    recast = dict(state, **{"layer.bias": state["layer.bias"].double()})
    verdict, diffs, _ = compare_states(state, recast, EXACT)
    assert verdict == "INCOMPARABLE" and diffs[0].status == "dtype_mismatch"

    fewer = {k: v for k, v in state.items() if k != "layer.bias"}
    verdict, diffs, equal = compare_states(state, fewer, EXACT)
    assert verdict == "INCOMPARABLE" and equal == 3
    assert [(d.name, d.status) for d in diffs] == [("layer.bias", "missing_right")]
    assert compare_states(fewer, state, EXACT)[1][0].status == "missing_left"


def test_nan_inf_and_signed_zero() -> None:
    nan, inf = math.nan, math.inf
    base = {"x": torch.tensor([nan, inf, 1.0, 0.0])}
    assert compare_states(base, {"x": base["x"].clone()}, EXACT)[0] == "BITWISE"

    signed_zero = {"x": torch.tensor([nan, inf, 1.0, -0.0])}
    verdict, diffs, _ = compare_states(base, signed_zero, EXACT)
    assert verdict == "WITHIN_TOLERANCE" and diffs[0].max_abs == 0.0 and diffs[0].max_ulp == 0

    loose = TolerancePolicy(default=Tolerance(rtol=1.0, atol=1.0))
    nan_moved = {"x": torch.tensor([1.0, inf, nan, 0.0])}
    verdict, diffs, _ = compare_states(base, nan_moved, loose)
    assert verdict == "DIVERGED" and diffs[0].differing == 2 and diffs[0].max_abs == inf

    inf_flipped = {"x": torch.tensor([nan, -inf, 1.0, 0.0])}
    assert compare_states(base, inf_flipped, loose)[0] == "DIVERGED"
    inf_vs_finite = {"x": torch.tensor([nan, 3.0e38, 1.0, 0.0])}
    assert compare_states(base, inf_vs_finite, loose)[0] == "DIVERGED"


def test_integer_and_bool_tensors_ignore_tolerance() -> None:
    loose = TolerancePolicy(default=Tolerance(rtol=1.0, atol=100.0))
    left = {"i": torch.tensor([1, 2, 3]), "b": torch.tensor([True, False])}
    right = {"i": torch.tensor([1, 2, 4]), "b": torch.tensor([True, True])}
    verdict, diffs, _ = compare_states(left, right, loose)
    assert verdict == "DIVERGED"
    by_name = {d.name: d for d in diffs}
    assert by_name["i"].status == "different" and by_name["i"].max_abs == 1.0
    assert by_name["b"].status == "different" and by_name["b"].differing == 1


def test_ulp_distance_across_zero_and_for_half_precision() -> None:
    tiny = torch.tensor([1.0e-8], dtype=torch.float64)
    verdict, diffs, _ = compare_states({"x": tiny}, {"x": torch.tensor([1.2e-8],
                                                                       dtype=torch.float64)}, EXACT)
    assert verdict == "DIVERGED" and diffs[0].max_ulp > 2_000_000  # near zero, ULP misleads
    smallest = torch.nextafter(torch.tensor([0.0]), torch.tensor([1.0]))
    verdict, diffs, _ = compare_states({"x": smallest}, {"x": -smallest}, EXACT)
    assert diffs[0].max_ulp == 2
    for dtype in (torch.float16, torch.bfloat16):
        value = torch.tensor([1.5], dtype=dtype)
        verdict, diffs, _ = compare_states({"x": value}, {"x": one_ulp_up(value)}, EXACT)
        assert diffs[0].max_ulp == 1, dtype
    huge = torch.tensor([1.0e308], dtype=torch.float64)
    verdict, diffs, _ = compare_states({"x": huge}, {"x": -huge}, EXACT)
    assert diffs[0].max_ulp == 2**63 - 1  # saturated rather than wrapped around


def test_tolerance_rejects_nonsense() -> None:
    for bad in (-1.0, math.nan, math.inf):
        with pytest.raises(ValueError):
            Tolerance(rtol=bad)
    assert Tolerance().exact and not Tolerance(atol=1e-9).exact


def test_combine_verdicts() -> None:
    assert combine_verdicts(["BITWISE", "WITHIN_TOLERANCE"]) == "WITHIN_TOLERANCE"
    assert combine_verdicts(["WITHIN_TOLERANCE", "DIVERGED", "BITWISE"]) == "DIVERGED"
    assert combine_verdicts(["DIVERGED", "INCOMPARABLE"]) == "INCOMPARABLE"
    assert combine_verdicts(["MISSING", "DIVERGED"]) == "MISSING"
    assert combine_verdicts(["BITWISE"]) == "BITWISE"
    with pytest.raises(ValueError):
        combine_verdicts([])
    with pytest.raises(ValueError):
        combine_verdicts(["OK"])


# --------------------------------------------------------------------------- metrics


def test_metrics_nested_within_and_over_tolerance() -> None:
    left = {"train": {"loss": 0.5, "steps": 100}, "val": {"acc": 0.9, "split": "val"},
            "epoch_seconds": 12.5, "loss_curve": [1.0, 0.8]}
    right = {"train": {"loss": 0.5 + 1e-9, "steps": 100}, "val": {"acc": 0.9, "split": "val"},
             "epoch_seconds": 14.0, "loss_curve": [1.0, 0.8, 0.7]}
    policy = TolerancePolicy(metrics=Tolerance(rtol=1e-6))
    diffs = {d.key: d for d in compare_metrics(left, right, policy)}
    assert diffs["/train/loss"].status == "within_tolerance"
    assert diffs["/train/loss"].abs_diff == pytest.approx(1e-9)
    assert diffs["/train/steps"].status == "equal"
    assert diffs["/val/split"].status == "equal"
    assert diffs["/epoch_seconds"].status == "ignored"
    assert diffs["/loss_curve/2"].status == "missing_left"
    assert metrics_verdict(diffs.values()) == "INCOMPARABLE"

    del right["loss_curve"][2]
    assert metrics_verdict(compare_metrics(left, right, policy)) == "WITHIN_TOLERANCE"
    assert metrics_verdict(compare_metrics(left, right, EXACT)) == "DIVERGED"
    right["train"]["loss"] = 0.51
    diffs = {d.key: d for d in compare_metrics(left, right, policy)}
    assert diffs["/train/loss"].status == "different"


def test_metrics_types_nan_and_exact_ints() -> None:
    loose = TolerancePolicy(metrics=Tolerance(rtol=0.5, atol=1.0))
    left = {"n": 10, "flag": True, "name": "a", "x": math.nan, "y": math.nan, "a.b": 1.0}
    right = {"n": 11, "flag": 1, "name": "b", "x": math.nan, "y": 1.0, "a.b": 1}
    diffs = {d.key: d.status for d in compare_metrics(left, right, loose)}
    assert diffs == {"/n": "different", "/flag": "different", "/name": "different",
                     "/x": "equal", "/y": "different", "/a.b": "equal"}
    assert compare_metrics({"a/b": 1.0}, {"a/b": 1.0}, EXACT)[0].key == "/a~1b"


@pytest.mark.parametrize("zipfile", [True, False])
def test_large_files_are_memory_mapped(tmp_path: Path, zipfile: bool,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Every file counts as large here; legacy (non-zip) files fall back to a plain read."""
    from govcheck.repro import fingerprint as fingerprint_module

    monkeypatch.setattr(fingerprint_module, "MMAP_THRESHOLD_BYTES", 0)
    path = tmp_path / "model.pt"
    torch.save(make_state(), path, _use_new_zipfile_serialization=zipfile)
    assert fingerprint(load_state(path)) == fingerprint(make_state())
