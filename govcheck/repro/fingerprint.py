"""Load a checkpoint without running its code, and digest its contents rather than its file.

Why loading is the security boundary: the checkpoints compared here were written by code under
review (a PR). A `.pt` file is a pickle, and an ordinary `torch.load` runs whatever callables the
pickle names. So `.pt` files go only through torch's weights-only unpickler, with
`weights_only=True` passed explicitly -- `TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1` flips the default
only when the caller leaves the argument out. No class is ever allowlisted: the restricted
unpickler would then call that class's `__new__`/`__setstate__`, which the PR controls. A file
that needs one is refused with `UnsafeCheckpointError`, naming the globals it asked for.
`.safetensors` files contain no code at all and are read with `safetensors.torch.load_file`.

Why a canonical digest instead of a file hash: identical tensors saved as `a.pt` and `b.pt` hash
differently (the zip record prefix is the file stem), key order changes the bytes, and saving a
view writes its whole storage. `fingerprint` hashes what the tensors *are* -- sorted keys, dtype,
shape and C-contiguous little-endian bytes -- so a `.pt` and a `.safetensors` copy of one run agree.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import torch

MMAP_THRESHOLD_BYTES = 256 * 1024 * 1024
"""Files larger than this are memory-mapped: measured to halve load+hash time at 1 GB."""

DIGEST_ALGORITHM = "sha256"
"""sha256 rather than blake2b: it matches the digests the research prototype produced and what
users can recompute with any tool; hashing speed is dominated by loading anyway."""

_UNSUPPORTED_GLOBAL = re.compile(r"Unsupported global: GLOBAL ([\w.]+)")
_SAFE_HINT = ("save `model.state_dict()` (tensors, numbers, strings, lists and dicts only) "
              "or a .safetensors file instead")


class CheckpointError(Exception):
    """A checkpoint that cannot be read: corrupt, wrong format, or holding unsupported tensors."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class UnsafeCheckpointError(CheckpointError):
    """A checkpoint whose loading would call code (a class or `__reduce__` callable); never run."""


def load_state(path: Path) -> dict[str, Any]:
    """Load `path` into a flat `{dotted key: tensor or plain value}` dict, never running its code.

    Nested dicts (`{"model": ..., "optimizer": ...}`) are flattened to dotted keys; lists and
    tuples that contain tensors are flattened by index (`layers.0`); other leaves (epoch, lr, a
    list of ints) are kept as Python values.
    """
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(path, "no such file")
    if path.suffix == ".safetensors":
        raw: Any = _load_safetensors(path)
    else:
        raw = _load_torch(path)
    if not isinstance(raw, Mapping):
        import torch

        if isinstance(raw, torch.Tensor):
            raw = {"": raw}
        else:
            raise CheckpointError(path, f"expected a dict of tensors, found {type(raw).__name__}")
    flat: dict[str, Any] = {}
    _flatten(path, raw, "", flat)
    return flat


def _load_safetensors(path: Path) -> dict[str, torch.Tensor]:
    try:
        from safetensors.torch import load_file
    except ImportError:
        raise CheckpointError(path, "reading .safetensors needs the `safetensors` package "
                                    "(pip install safetensors)") from None
    try:
        return load_file(str(path), device="cpu")
    except Exception as exc:  # SafetensorError, header JSON errors, truncated files
        raise CheckpointError(path, f"not a valid safetensors file: {exc}") from None


def _load_torch(path: Path) -> Any:
    import pickle

    import torch

    mmap = path.stat().st_size > MMAP_THRESHOLD_BYTES
    try:
        try:
            with warnings.catch_warnings():
                # "Detected pickle protocol N": noise for a file about to be refused or loaded
                warnings.filterwarnings("ignore", message="Detected pickle protocol")
                return torch.load(path, map_location="cpu", weights_only=True, mmap=mmap)
        except RuntimeError as exc:
            # mmap needs the zip format; a large legacy-format file falls back to a plain read.
            if mmap and "mmap" in str(exc):
                return torch.load(path, map_location="cpu", weights_only=True, mmap=False)
            raise
    except pickle.UnpicklingError as exc:
        # What the weights-only unpickler rejects is never loaded any other way. It is called
        # unsafe when it names code to call; otherwise (garbage, unsupported opcodes) unreadable.
        globals_ = _unsafe_globals(path, str(exc))
        if globals_:
            raise UnsafeCheckpointError(
                path, f"refused: loading it would call code ({', '.join(globals_)}); govcheck "
                      f"never executes or allowlists code from a checkpoint -- {_SAFE_HINT}"
            ) from None
        raise CheckpointError(
            path, f"refused by torch's weights-only unpickler ({_torch_reason(str(exc))}); "
                  f"not loaded any other way -- {_SAFE_HINT}") from None
    except Exception as exc:  # zip errors, EOFError, truncated storages, ...
        raise CheckpointError(path, f"not a readable torch checkpoint: "
                                    f"{type(exc).__name__}: {exc}") from None


def _torch_reason(message: str) -> str:
    """The one informative line of torch's long refusal message."""
    for line in message.splitlines():
        if line.startswith(("Unsupported", "WeightsUnpickler error:")) and line.strip(": "):
            text = line.removeprefix("WeightsUnpickler error:").strip()
            if text:
                return text
    return "see torch.load's weights_only documentation"


def _unsafe_globals(path: Path, message: str) -> list[str]:
    """Name what the pickle asked for, statically: torch's scan for zip checkpoints, else an
    opcode walk of the raw pickle (pickletools parses, it never executes), else the error text."""
    import torch

    try:
        found = list(torch.serialization.get_unsafe_globals_in_checkpoint(path))
    except Exception:  # legacy (non-zip) pickles are not accepted by torch's scanner
        found = _pickle_globals(path)
    return found or sorted(set(_UNSUPPORTED_GLOBAL.findall(message)))


def _pickle_globals(path: Path, max_pickles: int = 4) -> list[str]:
    """Globals named by GLOBAL / STACK_GLOBAL opcodes in the first few pickles of a legacy file."""
    import pickletools

    found: set[str] = set()
    try:
        with path.open("rb") as handle:
            for _ in range(max_pickles):
                strings: list[str] = []
                memo: dict[int, str] = {}
                for opcode, arg, _pos in pickletools.genops(handle):
                    if opcode.name == "GLOBAL" and isinstance(arg, str):
                        found.add(arg.replace(" ", "."))
                    elif opcode.name == "STACK_GLOBAL" and len(strings) >= 2:
                        found.add(f"{strings[-2]}.{strings[-1]}")
                    elif isinstance(arg, str) and "UNICODE" in opcode.name:
                        strings.append(arg)
                    elif opcode.name == "MEMOIZE" and strings:
                        memo[len(memo)] = strings[-1]
                    elif opcode.name in {"BINGET", "LONG_BINGET"} and arg in memo:
                        strings.append(memo[arg])
    except Exception:  # end of the pickles, or data that is not a pickle: best effort only
        pass
    return sorted(found)


def _contains_tensor(value: Any) -> bool:
    import torch

    if isinstance(value, torch.Tensor):
        return True
    if isinstance(value, Mapping):
        return any(_contains_tensor(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_contains_tensor(v) for v in value)
    return False


def _flatten(path: Path, value: Any, prefix: str, out: dict[str, Any]) -> None:
    import torch

    if isinstance(value, Mapping) or (isinstance(value, (list, tuple)) and _contains_tensor(value)):
        items = value.items() if isinstance(value, Mapping) else enumerate(value)
        for key, child in items:
            _flatten(path, child, f"{prefix}.{key}" if prefix else str(key), out)
        return
    if prefix in out:
        raise CheckpointError(path, f"key {prefix!r} occurs twice after flattening nested dicts")
    if isinstance(value, torch.Tensor):
        _check_tensor(path, prefix, value)
    out[prefix] = value


def _check_tensor(path: Path, key: str, tensor: torch.Tensor) -> None:
    import torch

    if tensor.layout != torch.strided or tensor.is_quantized or tensor.is_meta:
        raise CheckpointError(path, f"tensor {key!r} is sparse, quantized or meta; "
                                    f"only dense tensors are compared")


def dtype_name(tensor: torch.Tensor) -> str:
    """`float32` rather than `torch.float32`: the same spelling for .pt and .safetensors."""
    return str(tensor.dtype).removeprefix("torch.")


def tensor_bytes(tensor: torch.Tensor) -> Any:
    """The tensor's elements as a C-contiguous little-endian uint8 numpy array (no storage slack).

    Strides, storage offsets and sharing are deliberately ignored: they describe how a tensor was
    stored, not what it holds.
    """
    import torch

    if sys.byteorder != "little":
        raise RuntimeError("govcheck's canonical digest assumes a little-endian host")
    flat = tensor.detach().to("cpu").contiguous().reshape(-1)
    return flat.view(torch.uint8).numpy()


def canonical_value(value: Any) -> Any:
    """A JSON-ready, type-tagged form of a non-tensor leaf, used both to digest and to compare it.

    Floats are written with `float.hex`, so NaN, -0.0 and the last bit are all preserved; `1` and
    `1.0` differ; lists and tuples are treated alike.
    """
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return {"int": str(value)}
    if isinstance(value, float):
        return {"float": value.hex()}
    if isinstance(value, complex):
        return {"complex": [value.real.hex(), value.imag.hex()]}
    if isinstance(value, bytes):
        return {"bytes": value.hex()}
    if isinstance(value, (list, tuple)):
        return [canonical_value(v) for v in value]
    if isinstance(value, Mapping):
        return {"dict": sorted([json.dumps(canonical_value(k), sort_keys=True),
                                canonical_value(v)] for k, v in value.items())}
    # torch.Size, torch.dtype, torch.device and the few other types weights_only admits
    return {"repr": f"{type(value).__module__}.{type(value).__qualname__}:{value!r}"}


def _feed(hasher: Any, data: Any) -> None:
    """Length-prefix every field so no two different inputs produce the same byte stream."""
    hasher.update(len(data).to_bytes(8, "little"))
    hasher.update(data)


def fingerprint(state: Mapping[str, Any]) -> str:
    """Digest of a flat state dict, independent of file format and key order: `sha256:<hex>`.

    For each key in sorted order: a length-prefixed JSON header `["tensor", key, dtype, shape]`
    followed by the length-prefixed raw bytes, or `["value", key, canonical_value]` for a
    non-tensor leaf.
    """
    import torch

    hasher = hashlib.new(DIGEST_ALGORITHM)
    for key in sorted(state):
        value = state[key]
        if isinstance(value, torch.Tensor):
            header = ["tensor", key, dtype_name(value), list(value.shape)]
            _feed(hasher, json.dumps(header).encode())
            _feed(hasher, tensor_bytes(value))
        else:
            header = ["value", key, canonical_value(value)]
            _feed(hasher, json.dumps(header, sort_keys=True).encode())
    return f"{DIGEST_ALGORITHM}:{hasher.hexdigest()}"
