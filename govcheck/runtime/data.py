"""Read governed data through the catalog: verify, check, mask, record, then hand it over.

Training code that calls `load("customers")` instead of `pd.read_csv("data/customers.csv")` gets
four guarantees the bare read cannot give: the bytes are the ones the catalog pinned, the columns
obey the catalog's rules, personal data is masked before any model sees it, and the run record
names exactly which data (hash, owners, classification) went in. Every failure is a
`DatasetError` raised before the data is used, so a run either trains on governed data or stops.

pandas is imported inside `load` only: `import govcheck` stays light, and `path()` works for
image or numpy pipelines that never install pandas.
"""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from govcheck.catalog import Catalog, Dataset, dataset_sha256, load_catalog

if TYPE_CHECKING:
    import pandas as pd

_COMPRESSION = frozenset({".gz", ".bz2", ".xz", ".zip", ".zst", ".tar"})
"""Suffixes pandas decompresses by itself; the format is the suffix before them."""

_TABLE_FORMATS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}

_GLOB_CHARS = frozenset("*?[")


class DatasetError(Exception):
    """Governed data failed a check: missing files, wrong hash, broken column rules, remote data.

    The message always starts with the dataset name and says what was expected and what was
    found. Training code may catch it; if it does not, the run dies with it and the run recorder's
    excepthook marks the record FAIL.
    """


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------


def load(name: str, *, catalog: Catalog | None = None, **reader_kwargs: Any) -> pd.DataFrame:
    """Read a tabular dataset from the catalog, checked, masked and recorded as a run input.

    Files are read by suffix (`.csv`, `.tsv`, `.parquet`/`.pq`, `.json`, `.jsonl`/`.ndjson`, each
    optionally compressed, e.g. `.csv.gz`); a directory or glob dataset is the concatenation of its
    files in sorted path order, with a fresh 0..n-1 index so row numbers in errors are positions.
    `reader_kwargs` go to every pandas reader call. Columns the catalog types as `string` are read
    from CSV as text (unless `dtype` is passed), so ids like `007` keep their zeros and hash
    stably. All column-rule violations are reported together in one `DatasetError`.
    """
    from govcheck.runtime.quality import check_columns, mask_columns

    cat = catalog if catalog is not None else default_catalog()
    dataset = cat.get(name)
    files, actual = _verify(cat, dataset)

    import pandas as pd  # after the checks: a wrong hash is reported even where pandas is absent

    frames = [_read_table(dataset, file, cat.root, reader_kwargs) for file in files]
    frame = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)

    frame, problems = check_columns(frame, dataset.columns)
    if problems:
        raise DatasetError("\n".join(f"{name}: {problem}" for problem in problems))
    frame, masked = mask_columns(frame, dataset.columns)

    schema = {str(column): str(dtype) for column, dtype in frame.dtypes.items()}
    _record(cat, dataset, actual, masked=masked, rows=len(frame), schema=schema)
    return frame


def path(name: str, *, catalog: Catalog | None = None) -> Path:
    """Verify a dataset for any other reader (images, numpy files) and return its local path.

    Existence and the pinned sha256 are checked exactly as in `load`, and the input is recorded
    (without a row count). The return value is absolute: the file or directory the catalog names,
    or for a glob such as `data/images/*/*.png` the catalog root joined with the directory before
    the first wildcard (`data/images`), since a glob is not a path a reader can open. Column rules
    and masking do not apply: govcheck cannot see inside formats it does not read.
    """
    cat = catalog if catalog is not None else default_catalog()
    dataset = cat.get(name)
    _, actual = _verify(cat, dataset)
    _record(cat, dataset, actual, masked=(), rows=None, schema=None)
    assert dataset.path is not None  # _verify refuses datasets without one
    return _local_root(cat.root, dataset.path)


def default_catalog() -> Catalog:
    """The catalog found from the current directory, loaded once per process and directory;
    when no catalog governs the current directory, the one governing the entry script.

    Caching keeps repeated `load` calls in a data loader cheap, and means one run sees one
    catalog even if the file is edited mid-run; keying on the directory keeps a process that
    changes directory (tests, notebooks) from silently using another project's catalog. The
    fallback makes `python project/train.py` work from any directory, as the script's own
    relative imports do.
    """
    script = Path(sys.argv[0]).resolve().parent if sys.argv and sys.argv[0] else None
    return _catalog_for(Path.cwd().resolve(), script)


@functools.lru_cache(maxsize=None)
def _catalog_for(cwd: Path, script_directory: Path | None) -> Catalog:
    catalog = load_catalog(cwd)
    if catalog.datasets or script_directory is None or script_directory == cwd:
        return catalog
    fallback = load_catalog(script_directory)
    return fallback if fallback.datasets else catalog


# --------------------------------------------------------------------------------------------
# Steps
# --------------------------------------------------------------------------------------------


def _verify(cat: Catalog, dataset: Dataset) -> tuple[list[Path], str]:
    """The dataset's files, sorted, after checking they exist and match the pinned hash.

    The hash is computed even when nothing is pinned, because the run record needs it: lineage
    that says "customers" without saying which bytes is not lineage.
    """
    name = dataset.name
    if dataset.path is None:
        if dataset.uri is not None:
            raise DatasetError(
                f"{name}: remote dataset {dataset.uri} is not fetched by govcheck; download it and "
                f"declare its local `path` in the catalog (load() and path() read local data only)"
            )
        raise DatasetError(f"{name}: the catalog declares neither `path` nor `uri`")

    declared = cat.root / dataset.path
    is_glob = dataset.is_glob
    if not is_glob and not declared.exists():
        raise DatasetError(f"{name}: {dataset.path} does not exist (looked for {declared})")
    files = sorted(cat.resolve_paths(dataset))
    if not files:
        what = "matches no files" if is_glob else "holds no files"
        raise DatasetError(f"{name}: {dataset.path} {what} (under {cat.root})")
    for file in files:
        if not file.exists():
            raise DatasetError(f"{name}: {_display(file, cat.root)} does not exist")

    actual = dataset_sha256(files, cat.root)
    pinned = dataset.sha256
    if pinned is not None and _normalise_hash(pinned) != actual.lower():
        raise DatasetError(
            f"{name}: sha256 mismatch: catalog pins {pinned}, {dataset.path} hashes to {actual}"
        )
    return files, actual


def _normalise_hash(value: str) -> str:
    """Accept `sha256:<hex>` and upper-case hex, as people copy hashes from many tools."""
    value = value.strip().lower()
    return value.removeprefix("sha256:")


def _read_table(
    dataset: Dataset, file: Path, root: Path, reader_kwargs: dict[str, Any]
) -> pd.DataFrame:
    import pandas as pd

    fmt = _table_format(file)
    if fmt is None:
        raise DatasetError(
            f"{dataset.name}: cannot read {_display(file, root)} as a table (known suffixes: "
            f"{', '.join(sorted(_TABLE_FORMATS))}); "
            f"use govcheck.runtime.data.path() for other formats"
        )
    kwargs = dict(reader_kwargs)
    try:
        if fmt in ("csv", "tsv"):
            if fmt == "tsv":
                kwargs.setdefault("sep", "\t")
            text_columns = {rule.name: "str" for rule in dataset.columns if rule.type == "string"}
            if text_columns:
                kwargs.setdefault("dtype", text_columns)
            return pd.read_csv(file, **kwargs)
        if fmt == "parquet":
            return pd.read_parquet(file, **kwargs)
        if fmt == "jsonl":
            kwargs.setdefault("lines", True)
        return pd.read_json(file, **kwargs)
    except ImportError:
        raise  # a missing engine (pyarrow) is the environment's problem; pandas' message says so
    except (ValueError, OSError, pd.errors.ParserError) as exc:
        raise DatasetError(f"{dataset.name}: cannot read {_display(file, root)}: {exc}") from exc


def _table_format(file: Path) -> str | None:
    suffixes = [suffix.lower() for suffix in file.suffixes]
    if suffixes and suffixes[-1] in _COMPRESSION:
        suffixes.pop()
    if not suffixes:
        return None
    fmt = _TABLE_FORMATS.get(suffixes[-1])
    if fmt == "parquet" and len(suffixes) != len(file.suffixes):
        return None  # pandas does not decompress parquet files; they compress internally
    return fmt


def _record(cat: Catalog, dataset: Dataset, actual: str, *, masked: tuple[str, ...],
            rows: int | None, schema: dict[str, str] | None) -> None:
    """Add the input to the process's run record.

    The URI is computed here from the catalog root: the recorder would otherwise resolve the
    root-relative `path` against the working directory, which is wrong whenever the program runs
    from a subdirectory of the project (the catalog is found by walking up).
    """
    from govcheck.runtime.record import current_run

    assert dataset.path is not None
    current_run().add_input(
        dataset.name,
        path=dataset.path,
        uri=Path(os.path.normpath(cat.root / dataset.path)).as_uri(),
        version=dataset.version,
        sha256=actual,
        owners=dataset.owners(),
        classification=dataset.classification,
        masked_columns=list(masked),
        rows=rows,
        schema=schema,
    )


def _local_root(root: Path, declared: str) -> Path:
    parts = PurePosixPath(declared.replace("\\", "/")).parts
    prefix: list[str] = []
    for part in parts:
        if any(char in part for char in _GLOB_CHARS):
            break
        prefix.append(part)
    # normpath, not resolve: a `data` symlink to a big disk should come back as the user wrote it.
    return Path(os.path.normpath(root.joinpath(*prefix)))


def _display(file: Path, root: Path) -> str:
    try:
        return file.relative_to(root).as_posix()
    except ValueError:
        return str(file)
