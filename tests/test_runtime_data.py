"""govcheck.runtime.data: governed reads through a real catalog, on real small files.

Every test writes its data and a govcheck.toml into a temporary folder and reads the run record
from the recorder's JSON file, so what is checked is what a user would see.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from govcheck.catalog import Catalog, dataset_sha256, load_catalog
from govcheck.errors import UsageError
from govcheck.runtime import data, record
from govcheck.runtime.data import DatasetError, load, path

try:
    import pandas as pd
except ImportError:  # path() needs no pandas, so only the load() tests skip
    pd = None

needs_pandas = pytest.mark.skipif(pd is None, reason="pandas is not installed")

CUSTOMERS_CSV = """\
id,age,email,name,tier
007,34,ada@example.com,Ada,gold
012,51,,Grace,silver
103,29,alan@example.com,,gold
"""


def sha256_of(file: Path) -> str:
    return hashlib.sha256(file.read_bytes()).hexdigest()


def make_project(root: Path, toml: str, files: dict[str, str | bytes]) -> Catalog:
    for relpath, content in files.items():
        target = root / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    (root / "govcheck.toml").write_text(textwrap.dedent(toml), encoding="utf-8")
    return load_catalog(root)


@pytest.fixture(autouse=True)
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> record.RunRecorder:
    """A fresh process run per test, writing under tmp_path, with no exit hooks installed."""
    monkeypatch.setenv("GOVCHECK_RUN_DIR", str(tmp_path / "run"))
    recorder = record.RunRecorder()
    monkeypatch.setattr(record, "_RUN", recorder)
    return recorder


def recorded_inputs(run: record.RunRecorder) -> list[dict[str, Any]]:
    if not run.record_path.exists():
        return []
    return json.loads(run.record_path.read_text(encoding="utf-8"))["inputs"]


CUSTOMERS_TOML = """\
[datasets.customers]
path = "data/customers.csv"
{pin}
version = "2024-06"
owner = "alice@example.com"
steward = "bob@example.com"
classification = "confidential"

[datasets.customers.columns]
id = {{ type = "string", nullable = false }}
age = {{ type = "int", min = 18, max = 120 }}
email = {{ type = "string", pii = true, mask = "hash" }}
name = {{ type = "string", pii = true, mask = "redact" }}
tier = {{ type = "string", allowed = ["gold", "silver"] }}
"""


def customers(tmp_path: Path, *, pin: str | None = "actual", csv: str = CUSTOMERS_CSV) -> Catalog:
    file = tmp_path / "data" / "customers.csv"
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(csv, encoding="utf-8")
    line = "" if pin is None else f'sha256 = "{sha256_of(file) if pin == "actual" else pin}"'
    return make_project(tmp_path, CUSTOMERS_TOML.format(pin=line), {})


# --------------------------------------------------------------------------------------------
# Reading and verification
# --------------------------------------------------------------------------------------------


@needs_pandas
def test_csv_with_pinned_hash_is_read_converted_and_masked(tmp_path: Path) -> None:
    catalog = customers(tmp_path)
    frame = load("customers", catalog=catalog)

    assert list(frame.columns) == ["id", "age", "email", "name", "tier"]
    assert frame["id"].tolist() == ["007", "012", "103"]  # string columns keep leading zeros
    assert frame["age"].dtype == "int64"
    assert frame["age"].tolist() == [34, 51, 29]


@needs_pandas
def test_hash_mismatch_names_expected_and_actual(tmp_path: Path) -> None:
    wrong = "0" * 64
    catalog = customers(tmp_path, pin=wrong)
    actual = sha256_of(tmp_path / "data" / "customers.csv")

    with pytest.raises(DatasetError) as caught:
        load("customers", catalog=catalog)
    assert str(caught.value) == (
        f"customers: sha256 mismatch: catalog pins {wrong}, data/customers.csv hashes to {actual}"
    )


@needs_pandas
def test_missing_file_names_dataset_and_path(tmp_path: Path, run: record.RunRecorder) -> None:
    catalog = make_project(tmp_path, '[datasets.sales]\npath = "data/sales.csv"\n', {})
    with pytest.raises(DatasetError, match=r"^sales: data/sales\.csv does not exist"):
        load("sales", catalog=catalog)
    with pytest.raises(DatasetError, match=r"^sales: data/sales\.csv does not exist"):
        path("sales", catalog=catalog)
    assert recorded_inputs(run) == []


@needs_pandas
def test_glob_matching_nothing_and_empty_directory_are_errors(tmp_path: Path) -> None:
    catalog = make_project(tmp_path, """\
        [datasets.shards]
        path = "data/shards/*.csv"
        [datasets.empty]
        path = "data/empty"
        """, {})
    (tmp_path / "data" / "empty").mkdir(parents=True)
    with pytest.raises(DatasetError, match=r"^shards: data/shards/\*\.csv matches no files"):
        load("shards", catalog=catalog)
    with pytest.raises(DatasetError, match=r"^empty: data/empty holds no files"):
        path("empty", catalog=catalog)


@needs_pandas
def test_unknown_dataset_is_a_usage_error(tmp_path: Path) -> None:
    catalog = customers(tmp_path)
    with pytest.raises(UsageError, match="customer"):
        load("custmers", catalog=catalog)


@needs_pandas
def test_directory_dataset_is_concatenated_in_sorted_order(tmp_path: Path) -> None:
    catalog = make_project(tmp_path, '[datasets.events]\npath = "data/events"\n', {
        "data/events/part-2.csv": "step,value\n3,c\n",
        "data/events/part-10.csv": "step,value\n2,b\n",
        "data/events/part-1.csv": "step,value\n1,a\n",
    })
    frame = load("events", catalog=catalog)
    # Sorted by path as text: part-1, part-10, part-2; the index is a fresh 0..n-1.
    assert frame["value"].tolist() == ["a", "b", "c"]
    assert frame.index.tolist() == [0, 1, 2]


@needs_pandas
def test_glob_dataset_reads_only_matches(tmp_path: Path) -> None:
    catalog = make_project(tmp_path, '[datasets.shards]\npath = "data/shard-*.csv"\n', {
        "data/shard-b.csv": "x\n2\n",
        "data/shard-a.csv": "x\n1\n",
        "data/notes.txt": "not data",
    })
    assert load("shards", catalog=catalog)["x"].tolist() == [1, 2]


@needs_pandas
def test_json_jsonl_and_compressed_csv(tmp_path: Path) -> None:
    catalog = make_project(tmp_path, """\
        [datasets.records]
        path = "data/records.json"
        [datasets.lines]
        path = "data/lines.jsonl"
        [datasets.zipped]
        path = "data/zipped.csv.gz"
        [datasets.zipped.columns]
        n = { type = "int", min = 0 }
        """, {
        "data/records.json": json.dumps([{"k": "a", "n": 1}, {"k": "b", "n": 2}]),
        "data/lines.jsonl": '{"k": "a"}\n{"k": "b"}\n',
        "data/zipped.csv.gz": gzip.compress(b"n\n5\n6\n"),
    })
    assert load("records", catalog=catalog).to_dict("list") == {"k": ["a", "b"], "n": [1, 2]}
    assert load("lines", catalog=catalog)["k"].tolist() == ["a", "b"]
    assert load("zipped", catalog=catalog)["n"].tolist() == [5, 6]


@needs_pandas
def test_parquet(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    file = tmp_path / "data" / "table.parquet"
    file.parent.mkdir()
    pd.DataFrame({"x": [1.5, 2.5], "label": ["a", "b"]}).to_parquet(file)
    catalog = make_project(tmp_path, f"""\
        [datasets.table]
        path = "data/table.parquet"
        sha256 = "{sha256_of(file)}"
        [datasets.table.columns]
        x = {{ type = "float", max = 3 }}
        label = {{ allowed = ["a", "b"] }}
        """, {})
    frame = load("table", catalog=catalog)
    assert frame.to_dict("list") == {"x": [1.5, 2.5], "label": ["a", "b"]}


@needs_pandas
def test_unreadable_suffix_is_a_dataset_error(tmp_path: Path) -> None:
    catalog = make_project(tmp_path, '[datasets.blobs]\npath = "data/blobs"\n', {
        "data/blobs/a.csv": "x\n1\n",
        "data/blobs/b.bin": b"\x00\x01",
    })
    with pytest.raises(DatasetError, match=r"^blobs: cannot read data/blobs/b\.bin as a table"):
        load("blobs", catalog=catalog)


@needs_pandas
def test_default_catalog_is_found_from_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    customers(tmp_path)
    (tmp_path / "src").mkdir()
    monkeypatch.chdir(tmp_path / "src")
    data._catalog_for.cache_clear()
    try:
        assert len(load("customers")) == 3
        assert data.default_catalog() is data.default_catalog()
    finally:
        data._catalog_for.cache_clear()


# --------------------------------------------------------------------------------------------
# Column rules
# --------------------------------------------------------------------------------------------


@needs_pandas
def test_all_schema_violations_are_reported_together(
    tmp_path: Path, run: record.RunRecorder
) -> None:
    catalog = make_project(tmp_path, """\
        [datasets.people]
        path = "data/people.csv"
        [datasets.people.columns]
        age = { type = "int", min = 0, max = 120 }
        email = { type = "string", nullable = false }
        height = { type = "float" }
        tier = { type = "string", allowed = ["gold", "silver"] }
        signup = { type = "date" }
        active = { type = "bool" }
        country = { type = "string" }
        """, {"data/people.csv": textwrap.dedent("""\
        age,email,height,tier,signup,active
        34,a@x,1.80,gold,2024-01-01,true
        -3,,tall,silver,2024-02-01,false
        150,c@x,1.70,bronze,not a date,yes
        200,,1.60,gold,2024-03-01,maybe
        """)})

    with pytest.raises(DatasetError) as caught:
        load("people", catalog=catalog)
    lines = str(caught.value).splitlines()
    assert all(line.startswith("people: column ") for line in lines)
    assert lines == [
        "people: column 'age': 1 value below min 0 (first at row 1: -3)",
        "people: column 'age': 2 values above max 120 (first at row 2: 150)",
        "people: column 'email': 2 null values in a non-nullable column (first at row 1)",
        "people: column 'height': 1 value not convertible to float (first at row 1: 'tall')",
        "people: column 'tier': 1 value not in allowed ('gold', 'silver') "
        "(first at row 2: 'bronze'; e.g. 'bronze')",
        "people: column 'signup': 1 value not convertible to date "
        "(first at row 2: 'not a date')",
        "people: column 'active': 1 value not convertible to bool (first at row 3: 'maybe')",
        "people: column 'country' is in the catalog but not in the data",
    ]
    assert recorded_inputs(run) == []  # data that failed its checks was never used


@needs_pandas
def test_int_type_rejects_fractions_and_date_rejects_times(tmp_path: Path) -> None:
    catalog = make_project(tmp_path, """\
        [datasets.t]
        path = "t.csv"
        [datasets.t.columns]
        n = { type = "int" }
        d = { type = "date" }
        ts = { type = "datetime" }
        """, {"t.csv": "n,d,ts\n1,2024-01-01,2024-01-01T10:00\n2.5,2024-01-02 10:30,2024-01-02\n"})
    with pytest.raises(DatasetError) as caught:
        load("t", catalog=catalog)
    assert str(caught.value).splitlines() == [
        "t: column 'n': 1 value not convertible to int (first at row 1: 2.5)",
        "t: column 'd': 1 value not convertible to date (first at row 1: '2024-01-02 10:30')",
    ]


@needs_pandas
def test_declared_types_are_applied_and_nulls_kept(tmp_path: Path) -> None:
    catalog = make_project(tmp_path, """\
        [datasets.t]
        path = "t.csv"
        [datasets.t.columns]
        n = { type = "int" }
        flag = { type = "bool" }
        when = { type = "datetime" }
        """, {"t.csv": "n,flag,when\n1,yes,2024-01-01T10:00\n,no,\n"})
    frame = load("t", catalog=catalog)
    assert str(frame["n"].dtype) == "Int64" and frame["n"].isna().tolist() == [False, True]
    assert frame["flag"].dtype == bool and frame["flag"].tolist() == [True, False]
    assert pd.api.types.is_datetime64_any_dtype(frame["when"])
    assert frame["when"][0] == pd.Timestamp("2024-01-01T10:00")


# --------------------------------------------------------------------------------------------
# Masking
# --------------------------------------------------------------------------------------------


@needs_pandas
def test_masking_hash_drop_redact(tmp_path: Path) -> None:
    catalog = make_project(tmp_path, """\
        [datasets.people]
        path = "people.csv"
        [datasets.people.columns]
        id = { type = "string", pii = true }
        email = { pii = true, mask = "hash" }
        ssn = { pii = true, mask = "drop" }
        name = { pii = true, mask = "redact" }
        """, {"people.csv": "id,email,ssn,name,score\n007,a@x,123,Ada,1\n008,,456,,2\n"})
    frame = load("people", catalog=catalog)

    assert list(frame.columns) == ["id", "email", "name", "score"]
    expected = hashlib.sha256(b"a@x").hexdigest()
    assert frame["email"][0] == expected
    assert pd.isna(frame["email"][1])  # nulls stay null
    assert frame["name"][0] == "REDACTED"
    assert pd.isna(frame["name"][1])
    # pii defaults to hash; the id is hashed as the text the file holds, zeros included.
    assert frame["id"].tolist() == [hashlib.sha256(v).hexdigest() for v in (b"007", b"008")]
    assert frame["score"].tolist() == [1, 2]


# --------------------------------------------------------------------------------------------
# path()
# --------------------------------------------------------------------------------------------


def test_path_for_a_directory_of_npy_files(tmp_path: Path, run: record.RunRecorder) -> None:
    files = {f"data/embeddings/{i}.npy": bytes([i]) * 16 for i in range(3)}
    catalog = make_project(tmp_path, """\
        [datasets.embeddings]
        path = "data/embeddings"
        owner = "ml-team@example.com"
        classification = "internal"
        """, files)
    result = path("embeddings", catalog=catalog)

    assert result == (tmp_path / "data" / "embeddings").resolve()
    assert result.is_absolute()
    [entry] = recorded_inputs(run)
    assert entry["name"] == "embeddings"
    assert entry["rows"] is None
    assert entry["masked_columns"] == []
    expected = dataset_sha256(catalog.resolve_paths(catalog.get("embeddings")), catalog.root)
    assert entry["sha256"] == expected


def test_path_checks_the_pin_and_returns_glob_prefix(tmp_path: Path) -> None:
    catalog = make_project(tmp_path, """\
        [datasets.images]
        path = "data/images/*/*.png"
        [datasets.pinned]
        path = "data/one.npy"
        sha256 = "{}"
        """.format("f" * 64), {
        "data/images/cats/1.png": b"\x89PNG1",
        "data/images/dogs/2.png": b"\x89PNG2",
        "data/one.npy": b"\x93NUMPY",
    })
    assert path("images", catalog=catalog) == (tmp_path / "data" / "images").resolve()
    with pytest.raises(DatasetError, match=r"^pinned: sha256 mismatch: catalog pins f{64}, "):
        path("pinned", catalog=catalog)


def test_remote_dataset_is_refused(tmp_path: Path, run: record.RunRecorder) -> None:
    catalog = make_project(tmp_path, '[datasets.lake]\nuri = "s3://bucket/lake/"\n', {})
    for reader in (load, path):
        with pytest.raises(DatasetError, match=r"^lake: remote dataset s3://bucket/lake/ is not "
                                               r"fetched by govcheck"):
            reader("lake", catalog=catalog)
    assert recorded_inputs(run) == []


# --------------------------------------------------------------------------------------------
# Lineage
# --------------------------------------------------------------------------------------------


@needs_pandas
def test_input_is_recorded_with_actual_hash_owners_classification_masks_and_rows(
    tmp_path: Path, run: record.RunRecorder
) -> None:
    catalog = customers(tmp_path, pin=None)  # nothing pinned: the actual hash is still recorded
    load("customers", catalog=catalog)

    [entry] = recorded_inputs(run)
    assert entry["name"] == "customers"
    assert entry["path"] == "data/customers.csv"
    assert entry["uri"] == (tmp_path / "data" / "customers.csv").resolve().as_uri()
    assert entry["version"] == "2024-06"
    assert entry["sha256"] == sha256_of(tmp_path / "data" / "customers.csv")
    assert entry["owners"] == {"owner": "alice@example.com", "steward": "bob@example.com"}
    assert entry["classification"] == "confidential"
    assert entry["masked_columns"] == ["email", "name"]
    assert entry["rows"] == 3
    assert entry["schema"]["age"] == "int64"


def test_import_does_not_load_pandas() -> None:
    code = "import sys, govcheck.runtime.data; print('pandas' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, cwd=Path(__file__).resolve().parents[1])
    assert result.stdout.strip() == "False"
