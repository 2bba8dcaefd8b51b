"""A register's columns: their kinds, and the check of one cell's value."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from graph_builder.core import iri as mint

MAX_FIELD = 100_000  # characters; a longer cell is refused, not read into memory twice
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$", re.ASCII)  # ASCII: int() and Decimal() take any script's digits
_DECIMAL = re.compile(r"^-?\d+(\.\d+)?$", re.ASCII)


@dataclass(frozen=True)
class Column:
    """One column: `kind` is text, code, slug, date (at any precision), day (a full date),
    int, decimal, money, float, sources or enum."""

    name: str
    kind: str = "text"
    required: bool = False
    choices: tuple[str, ...] = ()
    ref: str | None = None  # a key set of the context: org, body, supplier, party, programme...
    low: int | None = None
    high: int | None = None


def check_value(col: Column, value: str) -> str | None:
    """The problem with one cell's value, or None. References are checked later."""
    if value == "":
        return "is required but empty" if col.required else None
    if len(value) > MAX_FIELD:
        return f"is {len(value):,} characters long; the limit is {MAX_FIELD:,}"
    if value != value.strip():
        return f"{value!r} has leading or trailing spaces"
    kind = col.kind
    if kind == "enum" and value not in col.choices:
        return f"{value!r} is not one of {', '.join(col.choices)}"
    if kind == "code" and not mint.is_org_code(value):
        return f"{value!r} is not an ODS code (3-5 upper case letters and digits) or an ONS code"
    if kind == "slug" and not mint.SLUG.match(value):
        return f"{value!r} is not a slug (lower case letters and digits joined by '-')"
    if kind == "sources":
        bad = [s for s in value.split(";") if not mint.SLUG.match(s)]
        return f"{value!r} is not a ';'-separated list of source keys" if bad else None
    if kind == "date":
        return _check_date(value)
    if kind == "day":  # a full date only: the property's range is xsd:date
        return _check_date(value) if len(value) == 10 else f"{value!r} is not a full date (YYYY-MM-DD)"
    if kind in ("int", "money"):
        return _check_int(col, value)
    if kind == "decimal":
        if not _DECIMAL.match(value):
            return f"{value!r} is not a plain decimal number such as 385000000 or 7.5"
        try:
            Decimal(value)
        except InvalidOperation:
            return f"{value!r} is not a number"
    if kind == "float" and not _DECIMAL.match(value):  # written as xsd:decimal: no nan, inf, 1e3 or 1_0
        return f"{value!r} is not a plain decimal number such as 51.5 or -0.1653"
    return None


def _check_date(value: str) -> str | None:
    if not _DATE.match(value):
        return f"{value!r} is not a date (YYYY-MM-DD, YYYY-MM or YYYY)"
    parts = [int(p) for p in value.split("-")]
    try:
        date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError:
        return f"{value!r} is not a real date"
    return None


def _check_int(col: Column, value: str) -> str | None:
    what = "a whole number of pounds such as 5000000" if col.kind == "money" else "a whole number"
    if not re.match(r"^-?\d+$", value, re.ASCII):
        return f"{value!r} is not {what}"
    number = int(value)
    low = 0 if col.kind == "money" and col.low is None else col.low
    if low is not None and number < low:
        return f"{value!r} is below {low}" + (" (amounts are never negative)" if col.kind == "money" else "")
    if col.high is not None and number > col.high:
        return f"{value!r} is above {col.high}"
    return None
