"""The dataset catalog: every mistake names its file and key, paths map to the dataset that
governs them, pins hash what `sha256sum` hashes, and `govcheck catalog` keeps the config file
exactly as people wrote it."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from govcheck.catalog import (
    Catalog,
    ColumnRule,
    Dataset,
    catalog_from_config,
    dataset_sha256,
    load_catalog,
)
from govcheck.config import load_config
from govcheck.errors import UsageError

PYPROJECT_HEADER = '[project]\nname = "demo"\n\n'


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def write_bytes(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def govcheck(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "govcheck", *args], cwd=cwd, text=True,
                          capture_output=True, timeout=120)


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Work from tmp_path, so messages name config files as users see them: `pyproject.toml`."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def catalog_error(root: Path, body: str, file_name: str = "pyproject.toml") -> str:
    text = textwrap.dedent(body)
    if file_name == "pyproject.toml":
        text = PYPROJECT_HEADER + text
    write(root / file_name, text)
    with pytest.raises(UsageError) as caught:
        load_catalog(root)
    return str(caught.value)


def dataset(name: str = "d", **fields: object) -> Dataset:
    values: dict[str, object] = dict(
        name=name, path=None, uri=None, sha256=None, version=None, description=None,
        owner=None, steward=None, custodian=None, classification=None, license=None,
        purposes=(), retention=None, columns=())
    values.update(fields)
    return Dataset(**values)  # type: ignore[arg-type]


def governing(catalog: Catalog, path: str | Path) -> str | None:
    found = catalog.match_path(path)
    return found.name if found is not None else None


def catalog_of(root: Path, *datasets: Dataset) -> Catalog:
    return Catalog(root=root, source=root / "govcheck.toml",
                   datasets={d.name: d for d in datasets})


# --- reading a valid catalog ------------------------------------------------------------------


FULL_ENTRY = """\
[tool.govcheck.datasets.customers]
path = "data/customers.csv"
sha256 = "ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef0123456789"
version = "2025-06-01"
description = "CRM export, one row per customer"
owner = "Marketing Director <owner@example.com>"
steward = "Data Quality Analyst <dq@example.com>"
custodian = "Database Administrator <dba@example.com>"
classification = "confidential"
license = "proprietary"
purposes = ["churn-model"]
retention = "P7Y"

[tool.govcheck.datasets.customers.columns]
email = { type = "string", pii = true }
phone = { type = "string", pii = true, mask = "redact" }
age = { type = "int", min = 0, max = 130, nullable = false }
segment = { allowed = ["a", "b"] }
"""


def test_a_full_entry_becomes_typed_records(in_tmp: Path) -> None:
    write(in_tmp / "pyproject.toml", PYPROJECT_HEADER + FULL_ENTRY)

    catalog = load_catalog(in_tmp)

    assert catalog.source == in_tmp / "pyproject.toml"
    assert catalog.root == in_tmp.resolve()
    customers = catalog.get("customers")
    assert customers.path == "data/customers.csv" and customers.uri is None
    assert customers.sha256 == "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789"
    assert customers.classification == "confidential"
    assert customers.purposes == ("churn-model",)
    assert customers.retention == "P7Y"
    assert customers.owners() == {
        "owner": "Marketing Director <owner@example.com>",
        "steward": "Data Quality Analyst <dq@example.com>",
        "custodian": "Database Administrator <dba@example.com>",
    }
    assert customers.columns == (
        ColumnRule("email", type="string", pii=True, mask="hash"),
        ColumnRule("phone", type="string", pii=True, mask="redact"),
        ColumnRule("age", type="int", min=0, max=130, nullable=False),
        ColumnRule("segment", allowed=("a", "b")),
    )
    assert customers.pii_columns == ("email", "phone")


def test_optional_fields_default_and_owners_leave_out_unnamed_roles(in_tmp: Path) -> None:
    write(in_tmp / "govcheck.toml", """\
        [datasets.images]
        path = "data/images"
        steward = "Curator"
        """)

    images = load_catalog(in_tmp).get("images")

    assert images.owners() == {"steward": "Curator"}
    assert images.purposes == () and images.columns == () and images.pii_columns == ()
    assert images.sha256 is None and images.classification is None


def test_no_config_file_gives_an_empty_catalog(tmp_path: Path) -> None:
    catalog = load_catalog(tmp_path)

    assert catalog.source is None and dict(catalog.datasets) == {}
    with pytest.raises(UsageError, match="no catalog found"):
        catalog.get("customers")


def test_catalog_from_config_uses_the_configs_root(in_tmp: Path) -> None:
    write(in_tmp / "govcheck.toml", '[datasets.a]\npath = "a.csv"\n')
    config = load_config(in_tmp / "govcheck.toml")

    catalog = catalog_from_config(config)

    assert catalog.root == config.root and list(catalog.datasets) == ["a"]


@pytest.mark.parametrize("retention", ["P7Y", "P30D", "PT12H", "P2W", "P1Y2M3DT4H5M6.5S",
                                       "PT0.5S", "P1M"])
def test_iso_durations_are_accepted(in_tmp: Path, retention: str) -> None:
    write(in_tmp / "govcheck.toml", f'[datasets.a]\npath = "a.csv"\nretention = "{retention}"\n')

    assert load_catalog(in_tmp).get("a").retention == retention


def test_unknown_dataset_names_the_file_and_close_matches(in_tmp: Path) -> None:
    write(in_tmp / "pyproject.toml", PYPROJECT_HEADER + FULL_ENTRY)

    with pytest.raises(UsageError) as caught:
        load_catalog(in_tmp).get("custmers")

    assert str(caught.value) == (
        "pyproject.toml: unknown dataset 'custmers' (did you mean 'customers'?)")


# --- validation errors: file, table, key, expectation -----------------------------------------


def test_classification_error_matches_the_documented_message(in_tmp: Path) -> None:
    message = catalog_error(in_tmp, """\
        [tool.govcheck.datasets.customers]
        path = "data/customers.csv"
        classification = "secret"
        """)

    assert message == (
        "pyproject.toml: [tool.govcheck.datasets.customers] classification: expected one of "
        "public, internal, confidential, restricted, got 'secret'")


def test_govcheck_toml_names_tables_without_the_tool_prefix(in_tmp: Path) -> None:
    message = catalog_error(in_tmp, """\
        [datasets.customers]
        path = "data/customers.csv"
        classification = "secret"
        """, file_name="govcheck.toml")

    assert message.startswith("govcheck.toml: [datasets.customers] classification: ")


@pytest.mark.parametrize(("entry", "expected"), [
    ('path = "a.csv"\nclasification = "public"',
     "[tool.govcheck.datasets.d]: unknown key 'clasification' (did you mean 'classification'?)"),
    ('path = "a.csv"\nzzz = 1', "[tool.govcheck.datasets.d]: unknown key 'zzz' (known keys: path"),
    ('path = "a.csv"\nowner = 3',
     "[tool.govcheck.datasets.d] owner: expected a string, got integer 3"),
    ('path = "a.csv"\nowner = ""',
     "[tool.govcheck.datasets.d] owner: expected a non-empty string, got an empty one"),
    ('path = "a.csv"\nversion = 2025-06-01',
     "[tool.govcheck.datasets.d] version: expected a string, got date 2025-06-01 (quote it"),
    ('path = "a.csv"\nuri = "s3://b/k"',
     "[tool.govcheck.datasets.d]: expected exactly one of path (local data) or uri (remote "
     "data), got both"),
    ('version = "1"',
     "[tool.govcheck.datasets.d]: expected exactly one of path (local data) or uri (remote "
     "data), got neither"),
    ('path = "a.csv"\nsha256 = "abc123"',
     "[tool.govcheck.datasets.d] sha256: expected 64 hexadecimal characters"),
    ('path = "a.csv"\nsha256 = "' + "g" * 64 + '"',
     "[tool.govcheck.datasets.d] sha256: expected 64 hexadecimal characters"),
    ('path = "a.csv"\nretention = "7 years"',
     "[tool.govcheck.datasets.d] retention: expected an ISO-8601 duration like 'P7Y', 'P30D' "
     "or 'PT12H', got '7 years'"),
    ('path = "a.csv"\nretention = "P"', "[tool.govcheck.datasets.d] retention: expected an ISO"),
    ('path = "a.csv"\nretention = "PT"', "[tool.govcheck.datasets.d] retention: expected an ISO"),
    ('path = "a.csv"\nretention = "P1YT"', "[tool.govcheck.datasets.d] retention: expected"),
    ('path = "a.csv"\nretention = "p7y"', "[tool.govcheck.datasets.d] retention: expected"),
    ('path = "a.csv"\nretention = 7', "[tool.govcheck.datasets.d] retention: expected a string"),
    ('path = "a.csv"\nclassification = 1',
     "[tool.govcheck.datasets.d] classification: expected one of public, internal, "
     "confidential, restricted, got integer 1"),
    ('path = "a.csv"\npurposes = "churn"',
     "[tool.govcheck.datasets.d] purposes: expected a list of strings, got string 'churn'"),
    ('path = "a.csv"\npurposes = ["churn", 2]',
     "[tool.govcheck.datasets.d] purposes: expected a list of non-empty strings, got integer 2"),
    ('path = "/data/a.csv"',
     "[tool.govcheck.datasets.d] path: expected a path relative to the catalog root"),
    ('path = "."', "[tool.govcheck.datasets.d] path: expected a file, directory or glob"),
    ('uri = "bucket/key"',
     "[tool.govcheck.datasets.d] uri: expected a URI with a scheme like 's3://bucket/key', "
     "got 'bucket/key'"),
    ('path = "a.csv"\ncolumns = ["email"]',
     "[tool.govcheck.datasets.d] columns: expected a table of column = "),
])
def test_dataset_errors_name_the_file_table_and_key(in_tmp: Path, entry: str,
                                                    expected: str) -> None:
    message = catalog_error(in_tmp, f"[tool.govcheck.datasets.d]\n{entry}\n")

    assert message.startswith(f"pyproject.toml: {expected}"), message


@pytest.mark.parametrize(("column", "expected"), [
    ('{ typ = "int" }', "]: unknown key 'typ' (did you mean 'type'?)"),
    ('{ type = "integer" }',
     "] type: expected one of string, int, float, bool, date, datetime, got 'integer'"),
    ('{ pii = true, mask = "shred" }', "] mask: expected one of hash, drop, redact, got 'shred'"),
    ('{ mask = "hash" }', "] mask: a mask applies only to personal data; set pii = true"),
    ('{ pii = false, mask = "drop" }', "] mask: a mask applies only to personal data"),
    ('{ pii = "yes" }', "] pii: expected true or false, got string 'yes'"),
    ('{ nullable = 0 }', "] nullable: expected true or false, got integer 0"),
    ('{ type = "int", min = 10, max = 1 }', "] min: min 10 is greater than max 1"),
    ('{ min = "0" }', "] min: expected a number, got string '0'"),
    ('{ max = true }', "] max: expected a number, got boolean true"),
    ('{ type = "string", min = 1 }', "] min: bounds apply to int and float columns"),
    ('{ allowed = [] }', "] allowed: expected a non-empty list of permitted values"),
    ('{ allowed = "a" }', "] allowed: expected a non-empty list of permitted values, got string"),
    ('{ type = "int", allowed = [1, "2"] }',
     "] allowed: expected integers for a 'int' column, got string '2'"),
    ('{ type = "int", allowed = [true] }', "] allowed: expected integers"),
    ('{ allowed = [[1]] }', "] allowed: expected a list of plain values, got array in it"),
])
def test_column_errors_name_the_column_table_and_key(in_tmp: Path, column: str,
                                                     expected: str) -> None:
    message = catalog_error(in_tmp, f"""\
        [tool.govcheck.datasets.d]
        path = "a.csv"

        [tool.govcheck.datasets.d.columns]
        email = {column}
        """)

    prefix = "pyproject.toml: [tool.govcheck.datasets.d.columns.email"
    assert message.startswith(prefix + expected), message


def test_a_column_that_is_not_a_table(in_tmp: Path) -> None:
    message = catalog_error(in_tmp, """\
        [tool.govcheck.datasets.d]
        path = "a.csv"
        columns = { email = "string" }
        """)

    assert message.startswith("pyproject.toml: [tool.govcheck.datasets.d.columns] email: expected "
                              "a table like { type = \"string\", pii = true }, got string")


@pytest.mark.parametrize(("body", "expected"), [
    ('[tool.govcheck.datasets]\n"bad name" = { path = "a.csv" }\n',
     "pyproject.toml: [tool.govcheck.datasets] \"bad name\": expected a dataset name of letters, "
     "digits, '-', '_' and '.', got 'bad name'"),
    ('[tool.govcheck.datasets]\ncustomers = "data/customers.csv"\n',
     "pyproject.toml: [tool.govcheck.datasets] customers: expected a table like "
     "{ path = \"data/customers.csv\" }, got string 'data/customers.csv'"),
    ('[tool.govcheck.datasets.a]\npath = "data/x.csv"\n[tool.govcheck.datasets.b]\n'
     'path = "./data/x.csv"\n',
     "pyproject.toml: [tool.govcheck.datasets.b] path: 'data/x.csv' is already the path of "
     "dataset 'a'"),
    ('[tool.govcheck.datasets.a]\nuri = "s3://b/k"\n[tool.govcheck.datasets.b]\n'
     'uri = "s3://b/k"\n',
     "pyproject.toml: [tool.govcheck.datasets.b] uri: 's3://b/k' is already the uri of "
     "dataset 'a'"),
])
def test_catalog_level_errors(in_tmp: Path, body: str, expected: str) -> None:
    assert catalog_error(in_tmp, body).startswith(expected)


def test_dotted_dataset_names_are_allowed_and_quoted_in_messages(in_tmp: Path) -> None:
    message = catalog_error(in_tmp, '[tool.govcheck.datasets."v1.2"]\npath = 3\n')

    assert message == ('pyproject.toml: [tool.govcheck.datasets."v1.2"] path: expected a '
                       "string, got integer 3")


def test_the_datasets_table_itself_must_be_a_table(in_tmp: Path) -> None:
    message = catalog_error(in_tmp, '[tool.govcheck]\ndatasets = ["a"]\n')

    assert "pyproject.toml" in message and "datasets" in message


# --- match_path: pure string logic ------------------------------------------------------------


@pytest.fixture
def lookup(tmp_path: Path) -> Catalog:
    """A catalog rooted where nothing exists: match_path must never look at the filesystem."""
    root = tmp_path / "does-not-exist"
    return catalog_of(
        root,
        dataset("customers", path="data/customers.csv"),
        dataset("images", path="data/images/"),
        dataset("shards", path="data/shards/**/*.parquet"),
        dataset("flat", path="logs/*.jsonl"),
        dataset("raw", path="data"),
        dataset("raw-dir", path="data/raw"),
        dataset("raw-special", path="data/raw/special.csv"),
        dataset("raw-csv", path="data/raw/*.csv"),
        dataset("lake", uri="s3://bucket/lake/"),
        dataset("table", uri="s3://bucket/table"),
        dataset("exact", uri="https://example.com/data.csv"),
    )


@pytest.mark.parametrize(("path", "expected"), [
    ("data/customers.csv", "customers"),
    ("./data/customers.csv", "customers"),
    ("data/../data/customers.csv", "customers"),
    ("data\\customers.csv", "customers"),
    ("data/images", "images"),
    ("data/images/cats/1.png", "images"),
    ("data/imagesX/1.png", "raw"),
    ("data/shards/a.parquet", "shards"),
    ("data/shards/2024/01/a.parquet", "shards"),
    ("data/shards/a.csv", "raw"),
    ("logs/run.jsonl", "flat"),
    ("logs/sub/run.jsonl", None),
    ("data/raw/special.csv", "raw-special"),
    ("data/raw/other.csv", "raw-csv"),
    ("data/raw/deeper/other.csv", "raw-dir"),
    ("data/raw", "raw-dir"),
    ("data/other.txt", "raw"),
    ("s3://bucket/lake/part-0.parquet", "lake"),
    ("s3://bucket/lake/", "lake"),
    ("s3://bucket/table", "table"),
    ("s3://bucket/table/part-0", "table"),
    ("s3://bucket/tablet", None),
    ("s3://bucket/other/x", None),
    ("https://example.com/data.csv", "exact"),
    ("https://example.com/data.csv.bak", None),
    ("models/model.pt", None),
    ("customers.csv", None),
    ("", None),
    (".", None),
    ("../elsewhere/data/customers.csv", None),
])
def test_match_path_relative(lookup: Catalog, path: str, expected: str | None) -> None:
    assert governing(lookup, path) == expected


def test_match_path_absolute_and_path_objects(lookup: Catalog) -> None:
    root = lookup.root

    assert governing(lookup, root / "data" / "customers.csv") == "customers"
    assert governing(lookup, str(root / "data/images/x.png")) == "images"
    assert governing(lookup, Path("data/shards/x.parquet")) == "shards"
    assert governing(lookup, root.parent / "data" / "customers.csv") is None
    assert governing(lookup, "/data/customers.csv") is None
    assert governing(lookup, root) is None


def test_match_path_on_a_glob_matching_a_directory_covers_its_files(tmp_path: Path) -> None:
    catalog = catalog_of(tmp_path, dataset("runs", path="runs/2024-*"))

    assert governing(catalog, "runs/2024-01/metrics.csv") == "runs"
    assert governing(catalog, "runs/2023-12/metrics.csv") is None


def test_match_path_outside_the_root(tmp_path: Path) -> None:
    root = tmp_path / "project"
    catalog = catalog_of(root, dataset("sibling", path="../sibling/data.csv"))

    assert governing(catalog, tmp_path / "sibling" / "data.csv") == "sibling"
    assert governing(catalog, "../sibling/data.csv") == "sibling"


def test_the_first_catalogued_glob_wins_a_tie(tmp_path: Path) -> None:
    catalog = catalog_of(tmp_path, dataset("first", path="data/*.csv"),
                         dataset("second", path="data/a*"))

    assert governing(catalog, "data/a.csv") == "first"


# --- resolve_paths ----------------------------------------------------------------------------


def test_resolve_paths_lists_directory_files_sorted_whatever_the_creation_order(
        tmp_path: Path) -> None:
    for relpath in ("data/img/z.png", "data/img/sub/b.png", "data/img/a.png",
                    "data/img/.hidden", "data/img/sub/deeper/c.png"):
        write(tmp_path / relpath, relpath)
    catalog = catalog_of(tmp_path, dataset("img", path="data/img"))

    paths = catalog.resolve_paths(catalog.get("img"))

    assert [p.relative_to(tmp_path).as_posix() for p in paths] == [
        "data/img/.hidden", "data/img/a.png", "data/img/sub/b.png",
        "data/img/sub/deeper/c.png", "data/img/z.png"]
    assert all(p.is_absolute() for p in paths)


def test_resolve_paths_for_a_file_a_glob_a_uri_and_nothing(tmp_path: Path) -> None:
    for relpath in ("data/c.csv", "data/shards/b/2.parquet", "data/shards/1.parquet",
                    "data/shards/a/3.parquet", "data/shards/notes.txt", "runs/2024-01/m.csv",
                    "runs/2023-12/m.csv"):
        write(tmp_path / relpath, relpath)
    catalog = catalog_of(
        tmp_path,
        dataset("c", path="data/c.csv"),
        dataset("shards", path="data/shards/**/*.parquet"),
        dataset("top", path="data/shards/*.parquet"),
        dataset("runs", path="runs/2024-*"),
        dataset("remote", uri="s3://bucket/key"),
        dataset("missing", path="data/missing.csv"),
        dataset("nomatch", path="data/*.json"),
        dataset("nobase", path="nowhere/*.json"),
    )

    def relpaths(name: str) -> list[str]:
        return [p.relative_to(tmp_path).as_posix()
                for p in catalog.resolve_paths(catalog.get(name))]

    assert relpaths("c") == ["data/c.csv"]
    assert relpaths("shards") == ["data/shards/1.parquet", "data/shards/a/3.parquet",
                                  "data/shards/b/2.parquet"]
    assert relpaths("top") == ["data/shards/1.parquet"]
    assert relpaths("runs") == ["runs/2024-01/m.csv"]
    for name in ("remote", "missing", "nomatch", "nobase"):
        assert relpaths(name) == []


def test_every_resolved_file_matches_its_dataset(tmp_path: Path) -> None:
    for relpath in ("data/shards/a/1.parquet", "data/shards/2.parquet", "data/img/x/y.png"):
        write(tmp_path / relpath, relpath)
    catalog = catalog_of(tmp_path, dataset("shards", path="data/shards/**/*.parquet"),
                         dataset("img", path="data/img"))

    for dataset_ in catalog.datasets.values():
        for path in catalog.resolve_paths(dataset_):
            assert catalog.match_path(path) == dataset_


# --- dataset_sha256 ---------------------------------------------------------------------------


def test_one_file_hashes_like_sha256sum(tmp_path: Path) -> None:
    data = b"id,email\n1,a@example.com\n" * 1000
    path = write_bytes(tmp_path / "data" / "c.csv", data)

    assert dataset_sha256([path], tmp_path) == sha256_of(data)
    assert dataset_sha256([Path("data/c.csv")], tmp_path) == sha256_of(data)


def test_several_files_hash_by_the_documented_formula(tmp_path: Path) -> None:
    a = write_bytes(tmp_path / "d" / "a.txt", b"alpha")
    b = write_bytes(tmp_path / "d" / "sub" / "b.txt", b"beta")
    lines = f"d/a.txt\0{sha256_of(b'alpha')}\nd/sub/b.txt\0{sha256_of(b'beta')}\n"

    assert dataset_sha256([b, a], tmp_path) == sha256_of(lines.encode())


def test_directory_hash_ignores_creation_order_but_not_names_or_content(tmp_path: Path) -> None:
    files = {"x/1.bin": b"one", "x/2.bin": b"two", "x/deep/3.bin": b"three"}
    first, second = tmp_path / "first", tmp_path / "second"
    for relpath, data in files.items():
        write_bytes(first / relpath, data)
    for relpath, data in reversed(list(files.items())):
        write_bytes(second / relpath, data)

    def digest(root: Path) -> str:
        catalog = catalog_of(root, dataset("x", path="x"))
        return dataset_sha256(catalog.resolve_paths(catalog.get("x")), root)

    assert digest(first) == digest(second)
    (second / "x" / "2.bin").rename(second / "x" / "4.bin")
    assert digest(first) != digest(second)
    (second / "x" / "4.bin").rename(second / "x" / "2.bin")
    (second / "x" / "deep" / "3.bin").write_bytes(b"THREE")
    assert digest(first) != digest(second)


def test_no_paths_is_a_programming_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        dataset_sha256([], tmp_path)


# --- the CLI: validate ------------------------------------------------------------------------


def project(root: Path, catalog: str, files: dict[str, bytes],
            file_name: str = "pyproject.toml") -> Path:
    text = textwrap.dedent(catalog)
    if file_name == "pyproject.toml":
        text = PYPROJECT_HEADER + text
    write(root / file_name, text)
    for relpath, data in files.items():
        write_bytes(root / relpath, data)
    return root / file_name


def test_validate_all_ok_exits_0(tmp_path: Path) -> None:
    project(tmp_path, f"""\
        [tool.govcheck.datasets.customers]
        path = "data/customers.csv"
        sha256 = "{sha256_of(b'a,b')}"

        [tool.govcheck.datasets.images]
        path = "data/images"

        [tool.govcheck.datasets.remote]
        uri = "s3://bucket/key"
        """, {"data/customers.csv": b"a,b", "data/images/1.png": b"png"})

    result = govcheck("catalog", "validate", cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "customers: ok",
        "images: ok (not pinned)",
        "remote: ok (uri s3://bucket/key, not checked locally)",
    ]


def test_validate_missing_data_exits_1(tmp_path: Path) -> None:
    project(tmp_path, """\
        [tool.govcheck.datasets.customers]
        path = "data/customers.csv"

        [tool.govcheck.datasets.images]
        path = "data/images"

        [tool.govcheck.datasets.shards]
        path = "data/*.parquet"

        [tool.govcheck.datasets.fine]
        path = "data/fine.csv"
        """, {"data/fine.csv": b"x"})
    (tmp_path / "data" / "images").mkdir()

    result = govcheck("catalog", "validate", cwd=tmp_path)

    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "customers: missing: data/customers.csv does not exist",
        "images: missing: directory data/images has no files",
        "shards: missing: no files match data/*.parquet",
        "fine: ok (not pinned)",
    ]


def test_validate_sha256_mismatch_exits_1(tmp_path: Path) -> None:
    pinned = sha256_of(b"old")
    project(tmp_path, f"""\
        [tool.govcheck.datasets.customers]
        path = "data/customers.csv"
        sha256 = "{pinned}"
        """, {"data/customers.csv": b"new"})

    result = govcheck("catalog", "validate", cwd=tmp_path)

    assert result.returncode == 1
    assert result.stdout == (f"customers: sha256 mismatch: catalog pins {pinned}, files hash "
                             f"to {sha256_of(b'new')}\n")


def test_validate_malformed_catalog_exits_2_without_traceback(tmp_path: Path) -> None:
    project(tmp_path, """\
        [tool.govcheck.datasets.customers]
        path = "data/customers.csv"
        classification = "secret"
        """, {})

    result = govcheck("catalog", "validate", cwd=tmp_path)

    assert result.returncode == 2
    assert "pyproject.toml: [tool.govcheck.datasets.customers] classification:" in result.stderr
    assert "Traceback" not in result.stderr


def test_validate_with_explicit_config_from_elsewhere(tmp_path: Path) -> None:
    config = project(tmp_path / "proj", '[datasets.a]\npath = "a.csv"\n', {"a.csv": b"a"},
                     file_name="govcheck.toml")
    (tmp_path / "elsewhere").mkdir()

    result = govcheck("catalog", "validate", "--config", str(config), cwd=tmp_path / "elsewhere")

    assert result.returncode == 0 and result.stdout == "a: ok (not pinned)\n"


def test_no_catalog_anywhere_is_a_usage_error(tmp_path: Path) -> None:
    result = govcheck("catalog", "validate", cwd=tmp_path)

    assert result.returncode == 2 and "no catalog found" in result.stderr


# --- the CLI: list ----------------------------------------------------------------------------


def test_list_text_and_json(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", PYPROJECT_HEADER + FULL_ENTRY + textwrap.dedent("""\

        [tool.govcheck.datasets.lake]
        uri = "s3://bucket/lake/"
        """))

    text = govcheck("catalog", "list", cwd=tmp_path)
    as_json = govcheck("catalog", "list", "--format", "json", cwd=tmp_path)

    assert text.returncode == 0 and as_json.returncode == 0
    assert text.stdout.splitlines() == [
        "customers  confidential  2025-06-01  pinned    data/customers.csv",
        "    owner      Marketing Director <owner@example.com>",
        "    steward    Data Quality Analyst <dq@example.com>",
        "    custodian  Database Administrator <dba@example.com>",
        "lake       -             -           unpinned  s3://bucket/lake/",
    ]
    report = json.loads(as_json.stdout)
    assert report["version"] == 1 and report["catalog"] == "pyproject.toml"
    customers, lake = report["datasets"]
    assert customers["name"] == "customers" and customers["pinned"] is True
    assert customers["classification"] == "confidential"
    assert customers["owner"] == "Marketing Director <owner@example.com>"
    assert customers["path"] == "data/customers.csv" and customers["uri"] is None
    assert customers["pii_columns"] == ["email", "phone"]
    assert lake == {**lake, "name": "lake", "uri": "s3://bucket/lake/", "path": None,
                    "pinned": False, "sha256": None, "owner": None}


# --- the CLI: pin -----------------------------------------------------------------------------


PYPROJECT_TO_PIN = """\
# Project settings; comments must survive.
[project]
name = "demo"   # aligned comment
version = '0.1.0'

[tool.govcheck]
select = [ "GOV1",   "GOV2" ]  # odd spacing kept

[tool.govcheck.datasets.customers]
path = "data/customers.csv"     # the CRM export
version = "2025-06-01"
classification = "confidential"

# Column rules follow.
[tool.govcheck.datasets.customers.columns]
email = { type = "string", pii = true }

[tool.govcheck.datasets.images]
path = 'data/images'
sha256 = "0000000000000000000000000000000000000000000000000000000000000000"  # stale
owner = "Vision team"

[tool.govcheck.datasets.lake]
uri = "s3://bucket/lake/"
"""


def lines_without(text: str, removed: set[int]) -> list[str]:
    return [line for number, line in enumerate(text.splitlines(keepends=True))
            if number not in removed]


def test_pin_writes_only_the_pin_lines_in_pyproject(tmp_path: Path) -> None:
    config = tmp_path / "pyproject.toml"
    config.write_bytes(PYPROJECT_TO_PIN.encode())
    write_bytes(tmp_path / "data/customers.csv", b"id\n1\n")
    write_bytes(tmp_path / "data/images/a.png", b"a")
    write_bytes(tmp_path / "data/images/b.png", b"b")
    images = dataset_sha256([tmp_path / "data/images/a.png", tmp_path / "data/images/b.png"],
                            tmp_path)

    customers = sha256_of(b"id\n1\n")

    result = govcheck("catalog", "pin", "customers", "images", cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [f"customers: pinned sha256 {customers}",
                                          f"images: pinned sha256 {images}"]
    after = config.read_text(encoding="utf-8")
    # One line added right after `path`, one replaced in place with its comment kept; every
    # other byte as it was.
    assert after.splitlines(keepends=True)[10] == f'sha256 = "{customers}"\n'
    assert after.splitlines(keepends=True)[20] == f'sha256 = "{images}"  # stale\n'
    assert lines_without(after, {10, 20}) == lines_without(PYPROJECT_TO_PIN, {19})
    assert govcheck("catalog", "validate", cwd=tmp_path).returncode == 0


def test_pin_in_govcheck_toml_with_inline_tables(tmp_path: Path) -> None:
    stale = "1" * 64
    original = textwrap.dedent(f"""\
        # Catalog for the demo project.

        [datasets]
        # one line per dataset
        customers = {{ path = "data/customers.csv", version = "1" }}   # CRM
        events = {{path="data/events.jsonl", sha256="{stale}"}}

        [datasets.images]
          # indented table body
          path = "data/images"
          owner = "Vision"
        """)
    config = tmp_path / "govcheck.toml"
    config.write_text(original, encoding="utf-8")
    write_bytes(tmp_path / "data/customers.csv", b"c")
    write_bytes(tmp_path / "data/events.jsonl", b"e")
    write_bytes(tmp_path / "data/images/x.png", b"x")

    result = govcheck("catalog", "pin", "--all", cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    after = config.read_text(encoding="utf-8").splitlines(keepends=True)
    before = original.splitlines(keepends=True)
    assert after[4] == (f'customers = {{ path = "data/customers.csv", sha256 = '
                        f'"{sha256_of(b"c")}", version = "1" }}   # CRM\n')
    assert after[5] == (f'events = {{path="data/events.jsonl", sha256="{sha256_of(b"e")}"}}\n')
    assert after[10] == f'  sha256 = "{sha256_of(b"x")}"\n'
    assert after[:4] == before[:4] and after[6:10] == before[6:10] and after[11:] == before[10:]
    assert govcheck("catalog", "validate", cwd=tmp_path).stdout.splitlines() == [
        "customers: ok", "events: ok", "images: ok"]


def test_pin_follows_the_files_own_spelling(tmp_path: Path) -> None:
    original = textwrap.dedent("""\
        [tool.govcheck]
        datasets.a.path = "a.csv"  # dotted keys
        datasets.a.version = "1"
        datasets.b = { path = "b.csv" }
        datasets.c = {path="c.csv"}

        [tool.govcheck.datasets.d]
        path="d.csv"
        """)
    config = tmp_path / "pyproject.toml"
    config.write_text(original, encoding="utf-8")
    digests = {}
    for name in "abcd":
        write_bytes(tmp_path / f"{name}.csv", name.encode())
        digests[name] = sha256_of(name.encode())

    assert govcheck("catalog", "pin", "--all", cwd=tmp_path).returncode == 0

    assert config.read_text(encoding="utf-8") == textwrap.dedent(f"""\
        [tool.govcheck]
        datasets.a.path = "a.csv"  # dotted keys
        datasets.a.sha256 = "{digests['a']}"
        datasets.a.version = "1"
        datasets.b = {{ path = "b.csv", sha256 = "{digests['b']}" }}
        datasets.c = {{path="c.csv",sha256="{digests['c']}"}}

        [tool.govcheck.datasets.d]
        path="d.csv"
        sha256="{digests['d']}"
        """)


def test_pin_all_skips_uri_datasets_and_pins_the_rest(tmp_path: Path) -> None:
    config = tmp_path / "pyproject.toml"
    config.write_bytes(PYPROJECT_TO_PIN.encode())
    write_bytes(tmp_path / "data/customers.csv", b"c")
    write_bytes(tmp_path / "data/images/a.png", b"a")

    result = govcheck("catalog", "pin", "--all", cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"customers: pinned sha256 {sha256_of(b'c')}",
        f"images: pinned sha256 {sha256_of(b'a')}",
        "lake: skipped (uri s3://bucket/lake/, not readable locally)",
    ]
    pins = {d.name: d.sha256 for d in load_catalog(tmp_path).datasets.values()}
    assert pins == {"customers": sha256_of(b"c"), "images": sha256_of(b"a"), "lake": None}

    again = govcheck("catalog", "pin", "--all", cwd=tmp_path)
    assert again.returncode == 0 and "customers: already pinned" in again.stdout


def test_pin_of_missing_data_writes_nothing(tmp_path: Path) -> None:
    config = tmp_path / "pyproject.toml"
    config.write_bytes(PYPROJECT_TO_PIN.encode())
    write_bytes(tmp_path / "data/images/a.png", b"a")  # customers.csv is missing
    stat_before = config.stat()

    result = govcheck("catalog", "pin", "--all", cwd=tmp_path)

    assert result.returncode == 1
    assert "customers: missing: data/customers.csv does not exist" in result.stderr
    assert "nothing written to pyproject.toml" in result.stderr
    assert "Traceback" not in result.stderr
    assert config.read_bytes() == PYPROJECT_TO_PIN.encode()
    assert config.stat().st_mtime_ns == stat_before.st_mtime_ns
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_pin_keeps_crlf_line_endings_and_a_bom(tmp_path: Path) -> None:
    original = '\ufeff[datasets.a]\r\npath = "a.csv"\r\nversion = "1"\r\n'
    config = tmp_path / "govcheck.toml"
    config.write_bytes(original.encode("utf-8"))
    write_bytes(tmp_path / "a.csv", b"a")

    assert govcheck("catalog", "pin", "a", cwd=tmp_path).returncode == 0

    assert config.read_bytes().decode("utf-8") == (
        f'\ufeff[datasets.a]\r\npath = "a.csv"\r\nsha256 = "{sha256_of(b"a")}"\r\n'
        'version = "1"\r\n')


def test_pin_keeps_file_permissions(tmp_path: Path) -> None:
    config = tmp_path / "govcheck.toml"
    config.write_text('[datasets.a]\npath = "a.csv"\n', encoding="utf-8")
    os.chmod(config, 0o640)
    write_bytes(tmp_path / "a.csv", b"a")

    assert govcheck("catalog", "pin", "a", cwd=tmp_path).returncode == 0

    assert config.stat().st_mode & 0o777 == 0o640


@pytest.mark.parametrize(("args", "expected"), [
    (("pin",), "name the datasets to pin, or pass --all"),
    (("pin", "a", "--all"), "name the datasets to pin, or pass --all"),
    (("pin", "lak"), "govcheck.toml: unknown dataset 'lak' (did you mean 'lake'?)"),
    (("pin", "lake"), "dataset 'lake' is a uri (s3://bucket/lake/)"),
])
def test_pin_usage_errors_exit_2_and_write_nothing(tmp_path: Path, args: tuple[str, ...],
                                                   expected: str) -> None:
    original = '[datasets.a]\npath = "a.csv"\n\n[datasets.lake]\nuri = "s3://bucket/lake/"\n'
    config = tmp_path / "govcheck.toml"
    config.write_text(original, encoding="utf-8")
    write_bytes(tmp_path / "a.csv", b"a")

    result = govcheck("catalog", *args, cwd=tmp_path)

    assert result.returncode == 2 and expected in result.stderr, result.stderr
    assert config.read_text(encoding="utf-8") == original


def test_catalog_module_stays_light(tmp_path: Path) -> None:
    probe = ("import sys, govcheck.catalog\nheavy = [m for m in ('tomlkit', 'pandas', 'torch', "
             "'numpy', 'libcst') if m in sys.modules]\nprint('HEAVY', heavy)\n")
    result = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, text=True,
                            capture_output=True, timeout=120)

    assert "HEAVY []" in result.stdout, result.stdout + result.stderr
