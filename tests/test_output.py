"""The report writers: exact layouts for text, JSON and GitHub, schema-valid SARIF.

Records are built by hand so these tests pin the output contract independently of any rule.
"""

from __future__ import annotations

import dataclasses
import io
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import govcheck
from govcheck.errors import UsageError
from govcheck.lint.output import FORMATS, WRITERS, write_report, write_statistics
from govcheck.lint.output.github import escape_data, escape_property
from govcheck.lint.records import Finding, Fix, LintResult, RuleInfo

SARIF_SCHEMA_PATH = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"

GLOBAL_DRAW = RuleInfo(
    code="GOV101",
    name="unseeded-global-draw",
    summary="Draws from a global random generator that was never seeded.",
    default_severity="error",
    docs="## What it finds\nCalls such as `np.random.rand()` before any seed.\n",
)
SHUFFLE = RuleInfo(
    code="GOV102",
    name="unseeded-shuffle",
    summary="Shuffles data without a seeded generator.",
    default_severity="warning",
    docs="## What it finds\n`random.shuffle(data)` with no seed.\n",
)


def make_finding(**changes: Any) -> Finding:
    base = Finding(
        path="train/loop.py",
        line=12,
        column=9,
        end_line=12,
        end_column=25,
        code="GOV101",
        name="unseeded-global-draw",
        message="np.random.rand() draws from the unseeded global generator",
        severity="error",
        certainty="certain",
        source_line="    x = np.random.rand(3)\n",
        context="Trainer.fit",
    )
    return dataclasses.replace(base, **changes)


def render(result: LintResult, fmt: str, **kwargs: Any) -> str:
    stream = io.StringIO()
    write_report(result, fmt, stream, **kwargs)
    return stream.getvalue()


@pytest.fixture(scope="module")
def sarif_validator() -> jsonschema.protocols.Validator:
    # The OASIS file declares draft-04 (`"$schema": ".../draft-04/schema#"`), so validate with that.
    schema = json.loads(SARIF_SCHEMA_PATH.read_text(encoding="utf-8"))
    assert jsonschema.validators.validator_for(schema) is jsonschema.Draft4Validator
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(
        schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
    )


def assert_valid_sarif(validator: jsonschema.protocols.Validator, text: str) -> dict[str, Any]:
    log = json.loads(text)
    errors = sorted(validator.iter_errors(log), key=lambda error: list(error.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)
    return log


# --- registry -------------------------------------------------------------------------------


def test_every_format_has_a_writer() -> None:
    assert FORMATS == ("text", "json", "sarif", "github")
    assert set(WRITERS) == set(FORMATS)


def test_unknown_format_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="sarif"):
        render(LintResult(findings=()), "xml")


# --- text -----------------------------------------------------------------------------------


def test_text_shows_source_caret_and_summary_sorted() -> None:
    later = make_finding(
        path="train/z.py", line=3, column=1, end_line=3, end_column=7, source_line="random()"
    )
    earlier = make_finding()
    result = LintResult(findings=(later, earlier), suppressed=(make_finding(line=40),))
    assert render(result, "text") == (
        "train/loop.py:12:9: GOV101 np.random.rand() draws from the unseeded global generator\n"
        "        x = np.random.rand(3)\n"
        "            ^^^^^^^^^^^^^^^^\n"
        "\n"
        "train/z.py:3:1: GOV101 np.random.rand() draws from the unseeded global generator\n"
        "    random()\n"
        "    ^^^^^^\n"
        "\n"
        "Found 2 findings (1 suppressed).\n"
    )


def test_text_notebook_cell_uncertain_and_multiline_span() -> None:
    finding = make_finding(
        path="nb/explore.ipynb",
        cell=4,
        line=2,
        column=5,
        end_line=4,
        end_column=2,
        certainty="uncertain",
        message="shuffle may run unseeded",
        source_line="x = shuffle(\n",
    )
    assert render(LintResult(findings=(finding,)), "text") == (
        "nb/explore.ipynb:cell 4:2:5: GOV101 shuffle may run unseeded [uncertain]\n"
        "    x = shuffle(\n"
        "        ^^^^^^^^\n"
        "\n"
        "Found 1 finding (0 suppressed).\n"
    )


def test_text_caret_padding_keeps_tabs() -> None:
    finding = make_finding(line=1, column=3, end_line=1, end_column=7, source_line="\t\tdraw()")
    lines = render(LintResult(findings=(finding,)), "text").splitlines()
    assert lines[1:3] == ["    \t\tdraw()", "    \t\t^^^^"]


def test_text_without_source_line_prints_no_excerpt() -> None:
    finding = make_finding(source_line="")
    lines = render(LintResult(findings=(finding,)), "text").splitlines()
    assert lines == [lines[0], "", "Found 1 finding (0 suppressed)."]


def test_text_all_checks_passed() -> None:
    result = LintResult(findings=(), suppressed=(make_finding(),), files_checked=3)
    assert render(result, "text") == "All checks passed!\n"


# --- json -----------------------------------------------------------------------------------


def test_json_exact_document() -> None:
    plain = make_finding()
    fixed = make_finding(
        path="a.py",
        code="GOV102",
        name="unseeded-shuffle",
        severity="warning",
        message="random.shuffle(data) is unseeded — «daten»",
        fix=Fix(message="Use a seeded generator", replacement="rng.shuffle(data)"),
    )
    notebook = make_finding(path="nb.ipynb", cell=2, line=1)
    result = LintResult(
        findings=(plain, fixed, notebook), suppressed=(make_finding(line=99),), files_checked=7
    )
    text = render(result, "json")
    assert text.endswith("}\n")
    assert "«daten»" in text  # ensure_ascii=False
    assert text.startswith('{\n  "version": 1,\n  "findings": [\n    {\n      "path": "a.py",')
    document = json.loads(text)
    assert list(document) == ["version", "findings", "summary"]
    assert [f["path"] for f in document["findings"]] == ["a.py", "nb.ipynb", "train/loop.py"]
    assert document["findings"][0] == {
        "path": "a.py",
        "line": 12,
        "column": 9,
        "end_line": 12,
        "end_column": 25,
        "code": "GOV102",
        "name": "unseeded-shuffle",
        "severity": "warning",
        "certainty": "certain",
        "message": "random.shuffle(data) is unseeded — «daten»",
        "fix": {"message": "Use a seeded generator", "replacement": "rng.shuffle(data)"},
        "fingerprint": fixed.fingerprint,
    }
    expected_keys = [
        "path", "line", "column", "end_line", "end_column", "code", "name",
        "severity", "certainty", "message", "fix", "fingerprint",
    ]  # fmt: skip
    assert list(document["findings"][0]) == expected_keys
    assert list(document["findings"][1]) == ["path", "cell", *expected_keys[1:]]
    assert document["findings"][1]["cell"] == 2
    assert document["findings"][2]["fix"] is None
    assert document["summary"] == {
        "files": 7,
        "findings": 3,
        "suppressed": 1,
        "by_code": {"GOV101": 2, "GOV102": 1},
    }


def test_fingerprint_ignores_line_but_not_context() -> None:
    moved = make_finding(line=80, end_line=80)
    other_function = make_finding(context="Trainer.evaluate")
    document = json.loads(render(LintResult(findings=(make_finding(), moved)), "json"))
    first, second = (f["fingerprint"] for f in document["findings"])
    assert first == second == make_finding().fingerprint
    assert len(first) == 32
    reindented = make_finding(source_line="x  =  np.random.rand(3)")
    assert reindented.fingerprint == make_finding().fingerprint
    assert other_function.fingerprint != make_finding().fingerprint


# --- sarif ----------------------------------------------------------------------------------


def test_sarif_clean_result_is_valid(sarif_validator: jsonschema.protocols.Validator) -> None:
    result = LintResult(findings=(), rules=(GLOBAL_DRAW, SHUFFLE), files_checked=2)
    log = assert_valid_sarif(sarif_validator, render(result, "sarif"))
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    assert run["results"] == []
    assert run["invocations"] == [{"executionSuccessful": True}]
    assert run["columnKind"] == "unicodeCodePoints"
    assert "originalUriBaseIds" not in run
    driver = run["tool"]["driver"]
    assert driver["name"] == "govcheck"
    assert driver["semanticVersion"] == govcheck.__version__
    assert driver["informationUri"] == "https://github.com/govcheck/govcheck"
    assert driver["rules"][1] == {
        "id": "GOV102",
        "name": "unseeded-shuffle",
        "shortDescription": {"text": SHUFFLE.summary},
        "fullDescription": {"text": SHUFFLE.summary},
        "help": {"text": SHUFFLE.docs, "markdown": SHUFFLE.docs},
        "helpUri": "https://github.com/govcheck/govcheck/blob/main/docs/rules/GOV102.md",
        "defaultConfiguration": {"level": "warning"},
    }


def test_sarif_findings_suppressions_and_cells(
    sarif_validator: jsonschema.protocols.Validator, tmp_path: Path
) -> None:
    active = make_finding(
        code="GOV102",
        name="unseeded-shuffle",
        severity="note",
        path="src/my data/loop.py",
        fix=Fix(message="Pass a seeded generator"),
    )
    notebook = make_finding(path="nb/explore.ipynb", cell=3, certainty="uncertain")
    justified = make_finding(line=20, suppression="seeded by the caller")
    bare = make_finding(line=30, suppression="")
    result = LintResult(
        findings=(active, notebook), suppressed=(justified, bare), rules=(GLOBAL_DRAW, SHUFFLE)
    )
    log = assert_valid_sarif(sarif_validator, render(result, "sarif", root=tmp_path))
    (run,) = log["runs"]
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": tmp_path.as_uri() + "/"}}
    results = run["results"]
    assert [(r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in results] == [
        12, 12, 20, 30,
    ]  # fmt: skip

    notebook_result, shuffle_result, justified_result, bare_result = results
    assert shuffle_result["ruleId"] == "GOV102"
    assert shuffle_result["ruleIndex"] == 1
    assert shuffle_result["level"] == "note"
    assert shuffle_result["properties"] == {
        "certainty": "certain",
        "fix": "Pass a seeded generator",
    }
    assert "suppressions" not in shuffle_result
    assert "fixes" not in shuffle_result
    location = shuffle_result["locations"][0]["physicalLocation"]
    assert location == {
        "artifactLocation": {"uri": "src/my%20data/loop.py", "uriBaseId": "%SRCROOT%"},
        "region": {
            "startLine": 12,
            "startColumn": 9,
            "endLine": 12,
            "endColumn": 25,
            "snippet": {"text": "    x = np.random.rand(3)"},
        },
    }
    assert shuffle_result["partialFingerprints"] == {"govcheck/v1": active.fingerprint}

    assert notebook_result["ruleIndex"] == 0
    assert notebook_result["properties"] == {"certainty": "uncertain", "cell": 3}
    assert justified_result["suppressions"] == [
        {"kind": "inSource", "justification": "seeded by the caller"}
    ]
    assert bare_result["suppressions"] == [{"kind": "inSource"}]


def test_sarif_finding_of_unlisted_rule_has_no_rule_index(
    sarif_validator: jsonschema.protocols.Validator,
) -> None:
    result = LintResult(findings=(make_finding(certainty="uncertain"),))
    log = assert_valid_sarif(sarif_validator, render(result, "sarif"))
    (sarif_result,) = log["runs"][0]["results"]
    assert sarif_result["ruleId"] == "GOV101"
    assert "ruleIndex" not in sarif_result
    assert sarif_result["properties"] == {"certainty": "uncertain"}


# --- github ---------------------------------------------------------------------------------


def test_github_escapes_message_and_properties() -> None:
    finding = make_finding(
        path="src/a,b:c.py",
        message="100% unseeded: a, b\nsecond line\r",
        severity="warning",
    )
    assert render(LintResult(findings=(finding,)), "github") == (
        "::warning file=src/a%2Cb%3Ac.py,line=12,col=9,endLine=12,endColumn=25,"
        "title=GOV101 (unseeded-global-draw)::100%25 unseeded: a, b%0Asecond line%0D\n"
    )


def test_github_levels_cells_and_uncertainty() -> None:
    result = LintResult(
        findings=(
            make_finding(path="b.py", severity="note"),
            make_finding(path="a.ipynb", cell=2, certainty="uncertain", message="m"),
        ),
        suppressed=(make_finding(path="c.py"),),
    )
    lines = render(result, "github").splitlines()
    assert lines == [
        "::error file=a.ipynb,line=12,col=9,endLine=12,endColumn=25,"
        "title=GOV101 (unseeded-global-draw) [cell 2]::m [uncertain]",
        "::notice file=b.py,line=12,col=9,endLine=12,endColumn=25,"
        "title=GOV101 (unseeded-global-draw)::"
        "np.random.rand() draws from the unseeded global generator",
    ]


def test_escape_helpers_escape_percent_first() -> None:
    assert escape_data("%0A") == "%250A"
    assert escape_property("a:b,c%") == "a%3Ab%2Cc%25"


# --- statistics -----------------------------------------------------------------------------


def test_statistics_most_frequent_first_ties_by_code() -> None:
    shuffle = make_finding(code="GOV102", name="unseeded-shuffle")
    loader = make_finding(code="GOV201", name="ungoverned-loader")
    result = LintResult(
        findings=(shuffle, make_finding(), loader, make_finding(), make_finding(), shuffle),
        suppressed=(loader, loader, loader),
    )
    stream = io.StringIO()
    write_statistics(result, stream)
    assert stream.getvalue() == (
        "   3  GOV101  unseeded-global-draw\n"
        "   2  GOV102  unseeded-shuffle\n"
        "   1  GOV201  ungoverned-loader\n"
    )


def test_statistics_empty_when_nothing_found() -> None:
    stream = io.StringIO()
    write_statistics(LintResult(findings=()), stream)
    assert stream.getvalue() == ""
