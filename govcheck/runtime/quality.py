"""Column checks and masking: pure functions from a DataFrame and the catalog's column rules.

They live apart from the reading code so that every problem in a table is found in one pass and
reported together: a data owner fixing a broken export wants the whole list, not one error per
run. Nothing here reads files, records lineage or mutates its input.

pandas is imported inside the functions, never at module import, because `import govcheck` must
stay light enough for the linter's pre-commit hook.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from govcheck.catalog import ColumnRule

REDACTED = "REDACTED"
"""What a `redact` column's non-null values become: visibly masked, same shape as the original."""

_TRUE = frozenset({"true", "t", "yes", "y", "1"})
_FALSE = frozenset({"false", "f", "no", "n", "0"})

_SAMPLE = 3
"""How many distinct offending values a message quotes: enough to recognise, not a data dump."""


# --------------------------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------------------------


def check_columns(
    frame: pd.DataFrame, rules: Sequence[ColumnRule]
) -> tuple[pd.DataFrame, list[str]]:
    """Check `frame` against every rule; return the frame with declared types applied, and problems.

    Every rule is checked even after one fails, so the problem list is complete. Each problem is
    one line naming the column, with counts and the first offending row index label where values
    are at fault. A column whose type converts cleanly comes back converted (`int` to int64, or
    pandas' nullable Int64 when it holds nulls; `float` to float64; `bool` to bool or nullable
    boolean; `date`/`datetime` to datetime64), so that training code gets what the catalog
    promises; `string` accepts any value and is left as read. The input frame is not modified.
    """
    out = frame.copy()
    problems: list[str] = []
    for rule in rules:
        if rule.name not in out.columns:
            problems.append(f"column {rule.name!r} is in the catalog but not in the data")
            continue
        original = out[rule.name]
        converted, column_problems = _check_one(original, rule)
        problems.extend(f"column {rule.name!r}: {problem}" for problem in column_problems)
        if converted is not None:
            out[rule.name] = converted
    return out, problems


def _check_one(series: pd.Series, rule: ColumnRule) -> tuple[pd.Series | None, list[str]]:
    """Problems for one present column, plus its converted form (None when it did not convert)."""
    problems: list[str] = []
    present = series.notna()

    if not rule.nullable:
        nulls = ~present
        if nulls.any():
            problems.append(
                f"{_count(int(nulls.sum()), 'null value')} in a non-nullable column "
                f"(first at row {_show(nulls.idxmax())})"
            )

    converted: pd.Series | None = None
    if rule.type is not None:
        candidate, bad = _convert(series, rule.type)
        bad = bad & present
        if bad.any():
            first = bad.idxmax()
            problems.append(
                f"{_count(int(bad.sum()), 'value')} not convertible to {rule.type} "
                f"(first at row {_show(first)}: {_show(series[first])})"
            )
        else:
            converted = candidate

    if rule.min is not None or rule.max is not None:
        numeric, not_numeric = _as_numbers(series)
        not_numeric = not_numeric & present
        if not_numeric.any() and rule.type not in ("int", "float"):
            # For int/float the type problem above already names these values.
            first = not_numeric.idxmax()
            problems.append(
                f"{_count(int(not_numeric.sum()), 'value')} not numeric, so min/max cannot apply "
                f"(first at row {_show(first)}: {_show(series[first])})"
            )
        if rule.min is not None:
            below = numeric < rule.min
            problems.extend(_range_problem(series, below, f"below min {_num(rule.min)}"))
        if rule.max is not None:
            above = numeric > rule.max
            problems.extend(_range_problem(series, above, f"above max {_num(rule.max)}"))

    if rule.allowed is not None:
        values = converted if converted is not None else series
        outside = present & ~values.isin(_allowed_values(rule, values))
        if outside.any():
            first = outside.idxmax()
            sample = list(dict.fromkeys(series[outside].tolist()))[:_SAMPLE]
            problems.append(
                f"{_count(int(outside.sum()), 'value')} not in allowed {tuple(rule.allowed)!r} "
                f"(first at row {_show(first)}: {_show(series[first])}; "
                f"e.g. {', '.join(map(_show, sample))})"
            )
    return converted, problems


def _allowed_values(rule: ColumnRule, values: pd.Series) -> list[Any]:
    """The permitted values in the column's representation: TOML dates become timestamps."""
    import pandas as pd
    from pandas.api import types

    allowed = list(rule.allowed or ())
    if types.is_datetime64_any_dtype(values.dtype):
        try:
            stamps = pd.to_datetime(pd.Series(allowed, dtype=object), format="mixed")
            if getattr(values.dtype, "tz", None) is not None and stamps.dt.tz is None:
                stamps = stamps.dt.tz_localize(values.dtype.tz)
            return list(stamps)
        except (ValueError, TypeError, OverflowError):
            return allowed
    return allowed


def _range_problem(series: pd.Series, mask: pd.Series, what: str) -> list[str]:
    if not mask.any():
        return []
    first = mask.idxmax()
    count = _count(int(mask.sum()), "value")
    return [f"{count} {what} (first at row {_show(first)}: {_show(series[first])})"]


def _as_numbers(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Numeric view of a column and a mask of values that are not numbers (nulls excluded)."""
    import pandas as pd
    from pandas.api import types

    if types.is_bool_dtype(series.dtype) or types.is_datetime64_any_dtype(series.dtype):
        # Booleans and timestamps have numeric encodings, but a range on them is a catalog mistake.
        return pd.Series(float("nan"), index=series.index), series.notna()
    if types.is_numeric_dtype(series.dtype):
        numbers = series.astype("float64")
    else:
        numbers = pd.to_numeric(series.map(_unbool, na_action="ignore"), errors="coerce")
        numbers = numbers.astype("float64")
    return numbers, series.notna() & numbers.isna()


def _unbool(value: Any) -> Any:
    """Python bools hide in object columns; `to_numeric` would take True for 1."""
    return None if isinstance(value, bool) else value


def _convert(series: pd.Series, type_name: str) -> tuple[pd.Series, pd.Series]:
    """The column converted to `type_name`, and a mask of values that do not convert."""
    import pandas as pd

    if type_name == "string":
        return series, pd.Series(False, index=series.index)
    if type_name in ("int", "float"):
        numbers, bad = _as_numbers(series)
        if type_name == "float":
            return numbers, bad
        fractional = numbers.notna() & ((numbers % 1) != 0)
        bad = bad | fractional | numbers.isin([float("inf"), float("-inf")])
        if bad.any():
            return series, bad
        return numbers.astype("int64" if numbers.notna().all() else "Int64"), bad
    if type_name == "bool":
        return _convert_bool(series)
    if type_name in ("date", "datetime"):
        return _convert_datetime(series, date_only=type_name == "date")
    raise ValueError(f"unknown column type {type_name!r}")  # the catalog validates types


def _convert_bool(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    import pandas as pd
    from pandas.api import types

    if types.is_bool_dtype(series.dtype):
        return series, pd.Series(False, index=series.index)

    def parse(value: Any) -> Any:
        if isinstance(value, bool):
            return value
        if isinstance(value, (int, float)) and value in (0, 1):
            return bool(value)
        if isinstance(value, str):
            word = value.strip().lower()
            if word in _TRUE:
                return True
            if word in _FALSE:
                return False
        return None

    parsed = series.map(parse, na_action="ignore")
    bad = series.notna() & parsed.isna()
    if bad.any():
        return series, bad
    return parsed.astype("bool" if parsed.notna().all() else "boolean"), bad


def _convert_datetime(series: pd.Series, *, date_only: bool) -> tuple[pd.Series, pd.Series]:
    import pandas as pd
    from pandas.api import types

    if types.is_datetime64_any_dtype(series.dtype):
        stamps = series
    elif types.is_numeric_dtype(series.dtype) or types.is_bool_dtype(series.dtype):
        # pandas would read 20240101 as nanoseconds since 1970; a number is not a date.
        return series, series.notna()
    else:
        try:
            stamps = pd.to_datetime(series, errors="coerce", format="mixed")
        except (ValueError, TypeError, OverflowError):
            stamps = pd.to_datetime(series, errors="coerce", format="mixed", utc=True)
    bad = series.notna() & stamps.isna()
    if date_only:
        bad = bad | (stamps.notna() & (stamps != stamps.dt.normalize()))
    return stamps, bad


def _show(value: Any) -> str:
    """A value as a person would write it: `-1`, not `np.float64(-1.0)`."""
    if hasattr(value, "item") and callable(value.item):
        try:
            value = value.item()
        except (ValueError, TypeError):
            pass
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return repr(value)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


# --------------------------------------------------------------------------------------------
# Masking
# --------------------------------------------------------------------------------------------


def hash_value(value: Any) -> str:
    """sha256 hex of the value's string form, unsalted.

    This is pseudonymisation, not anonymisation: equal inputs give equal outputs, so joins and
    group-bys still work, but anyone holding a candidate value (an email, a phone number) can hash
    it and find the row. Treat a hashed column as still personal data. Note that the string form
    is the value as loaded: `42` and `42.0` hash differently, which is why string-typed CSV
    columns are read as text.
    """
    return hashlib.sha256(str(value).encode("utf-8")).hexdigest()


def mask_columns(
    frame: pd.DataFrame, rules: Sequence[ColumnRule]
) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """Apply each rule's `mask` (hash, drop, redact); return the new frame and the masked columns.

    The catalog gives every `pii` column a mask (`hash` unless told otherwise) and refuses a mask
    on a non-pii column, so following `mask` alone masks exactly the personal data. Nulls stay null under `hash` and `redact`, so nullability downstream is unchanged and a
    null is never mistaken for a value. Columns absent from the frame are skipped (the checks
    report them). The input frame is not modified.
    """
    out = frame.copy()
    masked: list[str] = []
    for rule in rules:
        if rule.mask is None or rule.name not in out.columns:
            continue
        if rule.mask == "drop":
            out = out.drop(columns=[rule.name])
        elif rule.mask == "hash":
            out[rule.name] = out[rule.name].map(hash_value, na_action="ignore")
        elif rule.mask == "redact":
            out[rule.name] = out[rule.name].map(lambda _: REDACTED, na_action="ignore")
        else:
            raise ValueError(f"unknown mask {rule.mask!r}")  # the catalog validates masks
        masked.append(rule.name)
    return out, tuple(masked)
