"""The register interface: columns, reading and checking a CSV, and the Builder base.

A register is a CSV file in `data/`; its builder declares the columns (with their kinds,
value lists and references to other registers), the key, and how one row becomes
triples. Reading collects every problem with its file and line; nothing is built from a
register that has one.
"""

from __future__ import annotations

import codecs
import csv
import errno
import io
import os
import re
import stat
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache, cached_property
from pathlib import Path
from typing import ClassVar, NamedTuple

from graph_builder.core import iri as mint
from graph_builder.core import terms as t
from graph_builder.core.errors import Problem

Triple = tuple[str, str, str]
MAX_FIELD = 100_000  # characters; a longer cell is refused, not read into memory twice
MAX_FILE = 1 << 30  # bytes (1 GiB); a larger register file is refused before it is read
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$", re.ASCII)  # ASCII: int() and Decimal() take any script's digits
_DECIMAL = re.compile(r"^-?\d+(\.\d+)?$", re.ASCII)
_REPEATING = frozenset({"enum", "sources", "slug", "date", "day", "money"})


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


class Row:
    """A register row: its values by column name and the line it was read from.

    The values are a tuple, with the register's one map of column positions shared by all
    its rows (a dict a row is some 650 bytes: 0.7 GB at a million organisations)."""

    __slots__ = ("_cells", "_index", "line")

    def __init__(
        self, line: int, values: Mapping[str, str] | Sequence[str], index: Mapping[str, int] | None = None
    ) -> None:
        if index is None:
            assert isinstance(values, Mapping), "a row's cells without their column positions"
            index = {name: i for i, name in enumerate(values)}
            values = list(values.values())
        self.line = line
        self._cells = tuple(values)
        self._index = index

    @property
    def values(self) -> dict[str, str]:
        return dict(zip(self._index, self._cells, strict=True))

    def __getitem__(self, name: str) -> str:
        return self._cells[self._index[name]]

    def get(self, name: str) -> str:
        i = self._index.get(name)
        return "" if i is None else self._cells[i]

    def sources(self) -> list[str]:
        return [s for s in self.get("source").split(";") if s]

    def __repr__(self) -> str:
        return f"Row({self.line}, {self.values!r})"


@dataclass
class Context:
    """What every builder may look up: IRIs by key set, and every register's rows."""

    ids: dict[str, dict[str, str]] = field(default_factory=dict)
    rows: dict[str, list[Row]] = field(default_factory=dict)
    refused: dict[str, set[str]] = field(default_factory=dict)  # key set → keys of rows refused (reported there)
    unreadable: set[str] = field(default_factory=set)  # key sets whose register could not be read at all

    def withheld(self, ref: str, key: str) -> bool:
        """Whether an unresolved reference points at a refused row or an unreadable register:
        that problem is reported once, where it is, not again at each row naming it."""
        return any(k in self.unreadable or key in self.refused.get(k, ()) for k in _REF_KINDS.get(ref, (ref,)))

    def resolve(self, ref: str, key: str) -> str | None:
        if ref == "party":
            return self.ids.get("org", {}).get(key) or self.ids.get("body", {}).get(key)
        if ref == "subject":
            for name in _REF_KINDS["subject"]:
                found = self.ids.get(name, {}).get(key)
                if found:
                    return found
            return None
        return self.ids.get(ref, {}).get(key)

    _index: dict[tuple[str, str], dict[str, Row]] = field(default_factory=dict)

    def row(self, register: str, key_column: str, key: str) -> Row | None:
        """The first row of a register whose `key_column` is `key` (indexed once)."""
        index = self._index.get((register, key_column))
        if index is None:
            index = {}
            for r in self.rows.get(register, []):
                index.setdefault(r.get(key_column), r)
            self._index[(register, key_column)] = index
        return index.get(key)

    def source_date(self, key: str) -> str:
        found = self.row("sources", "key", key)
        return found.get("date") if found else ""


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


def read_file(path: Path, limit: int = MAX_FILE) -> bytes:
    """A register file's bytes; ValueError saying why for a FIFO, socket or device, or a
    file over `limit` bytes. It is opened without blocking, so a FIFO is refused, not
    waited on for ever, and checked on the open file, so it cannot be swapped meanwhile."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with open(fd, "rb") as f:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
        if not stat.S_ISREG(info.st_mode):
            raise ValueError("is not a regular file (a FIFO, socket or device); give the register's CSV file")
        if info.st_size > limit:
            raise ValueError(f"is {info.st_size:,} bytes; the limit is {limit:,}")
        return f.read()


def canonical(raw: bytes) -> bytes:
    """A register file's bytes as they are read and hashed: without the byte order mark of
    Excel's "CSV UTF-8", and with CRLF line ends (RFC 4180's, Excel's) made LF, so the same
    rows give the same graph, byte for byte, however the file was saved."""
    raw = raw.removeprefix(codecs.BOM_UTF8)
    return raw.replace(b"\r\n", b"\n") if b"\r" in raw else raw


def header_problem(header: Sequence[str], expected: Sequence[str], register: str) -> str:
    """What is wrong with a header: the columns missing, the columns extra, or the order."""
    missing, extra = Counter(expected) - Counter(header), Counter(header) - Counter(expected)
    said = [
        f"{what} {', '.join(repr(c) for c in cols)}"
        for what, cols in (("lacks the column(s)", missing), ("has the unknown column(s)", extra))
        if cols
    ]
    wrong = "; ".join(said) or "has the right columns in another order"
    return f"header {wrong}: {register} has the columns {','.join(expected)}"


def read_rows(
    text: str, name: str, columns: Sequence[Column], register: str = "the register"
) -> tuple[list[Row], list[Problem]]:
    """Parse a register's text (`canonical`: no BOM, LF line ends): header, widths and cell
    values. Every problem is returned."""
    problems: list[Problem] = []
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        return [], [Problem(name, line, "", "contains a NUL byte; registers are text")]
    if "\r" in text:
        line = text.count("\n", 0, text.index("\r")) + 1
        return [], [Problem(name, line, "", "has a carriage return that does not end a line (CRLF or LF do)")]
    expected = [c.name for c in columns]
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        return [], [Problem(name, 1, "", f"is empty; expected the header {','.join(expected)}")]
    except csv.Error as exc:
        return [], [Problem(name, 1, "", f"cannot be read as CSV: {exc}")]
    if header != expected:
        return [], [Problem(name, 1, "", header_problem(header, expected, register))]
    rows: list[Row] = []
    start = reader.line_num + 1  # a row's first line: a quoted cell may hold line breaks
    # Values that repeat (kinds, dates, sources) are checked and kept once, not once a row (national scale).
    shared: list[dict[str, str] | None] = [{} if c.kind in _REPEATING else None for c in columns]
    positions = {c.name: i for i, c in enumerate(columns)}
    try:
        for record in reader:
            line, start = start, reader.line_num + 1
            if len(record) != len(expected):
                problems.append(Problem(name, line, "", f"has {len(record)} fields; the header has {len(expected)}"))
                continue
            for i, (col, seen) in enumerate(zip(columns, shared, strict=True)):
                value = record[i]
                if seen is not None and value in seen:  # checked already, and kept once
                    record[i] = seen[value]
                    continue
                msg = check_value(col, value)
                if msg:
                    problems.append(Problem(name, line, col.name, msg))
                elif seen is not None:
                    seen[value] = value
            rows.append(Row(line, record, positions))
    except csv.Error as exc:  # the rest of the file cannot be read, so none of it is used
        return [], [*problems, Problem(name, reader.line_num, "", f"cannot be read as CSV: {exc}")]
    if not rows and not problems:
        problems.append(Problem(name, 1, "", "has a header but no rows"))
    return rows, problems


class Checked(NamedTuple):
    """A register's rows checked: those fit to build, every problem, and its key sets."""

    rows: list[Row]
    problems: list[Problem]
    ids: dict[str, dict[str, str]]


class Builder(ABC):
    """One register: its columns and key, what it adds to the context, and its triples."""

    name: ClassVar[str]
    columns: ClassVar[tuple[Column, ...]]
    key: ClassVar[tuple[str, ...]]
    title: ClassVar[str]
    reads: ClassVar[tuple[str, ...]] = ()  # other registers whose rows (not only keys) it looks at

    @property
    def ref_kinds(self) -> frozenset[str]:
        """The key sets its references resolve in (what its checks and statements depend on)."""
        kinds = {"source"} if any(c.kind == "sources" for c in self.columns) else set()
        for col in self.columns:
            if col.ref:
                kinds.update(_REF_KINDS.get(col.ref, (col.ref,)))
        return frozenset(kinds)

    @property
    def filename(self) -> str:
        return f"{self.name}.csv"

    @property
    def graph(self) -> str:
        return t.iri(mint.graph(self.name))

    def read(self, path: Path, label: str | None = None) -> tuple[list[Row], list[Problem]]:
        """Read and check the register file; `label` is the name used in messages."""
        shown = label or str(path)
        raw, problems = self.read_bytes(path, shown)
        return self.parse(raw, shown) if raw is not None else ([], problems)

    @staticmethod
    def read_bytes(path: Path, shown: str) -> tuple[bytes | None, list[Problem]]:
        """The register file's bytes, or the problem that stops it being read."""
        try:
            return read_file(path), []
        except IsADirectoryError:
            return None, [Problem(shown, 0, "", "is a directory, not a register file")]
        except OSError as exc:
            return None, [Problem(shown, 0, "", f"cannot be read: {exc.strerror}")]
        except ValueError as exc:  # not a regular file, or too large
            return None, [Problem(shown, 0, "", str(exc))]

    def parse(self, raw: bytes, shown: str) -> tuple[list[Row], list[Problem]]:
        """Rows and problems of a register file's bytes."""
        try:
            text = canonical(raw).decode("utf-8")
        except UnicodeDecodeError:
            try:  # where in the file as it is (a BOM and CRs are valid UTF-8, so it fails there too)
                raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                line = raw.count(b"\n", 0, exc.start) + 1
                return [], [Problem(shown, line, "", f"is not valid UTF-8 (byte {exc.start})")]
            raise
        rows, problems = read_rows(text, shown, self.columns, self.filename)
        return rows, problems + self.duplicate_keys(rows, shown)

    def duplicate_keys(self, rows: Iterable[Row], label: str) -> list[Problem]:
        seen: dict[tuple[str, ...], int] = {}
        problems = []
        for row in rows:
            k = tuple(row.get(c) for c in self.key)
            if k in seen:
                shown = ", ".join(f"{c}={v!r}" for c, v in zip(self.key, k, strict=True))  # one line, always
                problems.append(Problem(label, row.line, "", f"duplicate key ({shown}); first on line {seen[k]}"))
            else:
                seen[k] = row.line
        return problems

    def ids(self, rows: Sequence[Row]) -> dict[str, dict[str, str]]:
        """Key sets this register provides to the others (e.g. `org`: code → IRI)."""
        return {}

    def check_rows(self, rows: list[Row], found: list[Problem], ctx: Context, label: str) -> Checked:
        """Check the rows read (with the problems reading found) against the context, and add
        this register's rows and keys to it: the rows fit to build, every problem, the keys.

        Every row is checked, a refused one too, so one run reports every problem. A register
        none of whose rows could be read leaves its key sets unreadable, and the keys of refused
        rows are kept as refused: a row naming one is not built, nor reported again
        (`Context.withheld`); the refused row is reported once, where it is."""
        if found and not rows:  # the file could not be read, or no row of it could
            ctx.unreadable.update(self.ids([]))
            return Checked([], found, {})
        refused = {p.line for p in found}
        good = [r for r in rows if r.line not in refused] if refused else rows
        if refused:
            self._refuse([r for r in rows if r.line in refused], ctx)
        ids = self.ids(good)
        for kind, keys in ids.items():
            if kind in ctx.ids:
                ctx.ids[kind].update(keys)
            else:
                ctx.ids[kind] = keys
        ctx.rows[self.name] = good
        problems = found + self.check_references(rows, ctx, label, {(p.line, p.column) for p in found if p.column})
        refused.update(p.line for p in problems)
        if ctx.refused or ctx.unreadable:
            refused.update(r.line for r in rows if r.line not in refused and self._withheld(r, ctx))
        if not refused:
            return Checked(rows, problems, ids)
        self._refuse([r for r in rows if r.line in refused], ctx)
        return Checked([r for r in rows if r.line not in refused], problems, ids)

    def _refuse(self, rows: Iterable[Row], ctx: Context) -> None:
        """Keep the keys refused rows would have given (the first key column names them)."""
        keys = {r.get(self.key[0]) for r in rows}
        for kind in self.ids([]) if keys else ():
            ctx.refused.setdefault(kind, set()).update(keys)

    def _withheld(self, row: Row, ctx: Context) -> bool:
        return any(ctx.resolve(ref, key) is None and ctx.withheld(ref, key) for _, ref, key in self.references(row))

    @cached_property
    def _referring(self) -> tuple[tuple[str, str], ...]:
        """The columns that refer to keys, with their key set (a sources column: source)."""
        return tuple(
            (c.name, "source" if c.kind == "sources" else c.ref or "")
            for c in self.columns
            if c.ref or c.kind == "sources"
        )

    def references(self, row: Row) -> list[tuple[str, str, str]]:
        """Each reference a row makes: (column, key set, key)."""
        found = []
        for name, kind in self._referring:
            value = row.get(name)
            if value and kind == "source":
                found += [(name, kind, key) for key in value.split(";")]
            elif value:
                found.append((name, kind, value))
        return found

    def check_references(
        self, rows: Sequence[Row], ctx: Context, label: str, malformed: Collection[tuple[int, str]] = frozenset()
    ) -> list[Problem]:
        """Every reference resolves, and the register's own cross-field rules hold.

        `malformed` are the (line, column) cells found wrong on reading: they are not looked
        up, and a row with one is not put to the cross-field rules, which compare well-formed
        values. A reference to a refused row or an unreadable register is not reported."""
        problems = []
        flawed = {line for line, _ in malformed}
        for row in rows:
            for column, kind, key in self.references(row):
                if (row.line, column) in malformed or ctx.resolve(kind, key) is not None or ctx.withheld(kind, key):
                    continue
                problems.append(Problem(label, row.line, column, unknown(kind, key)))
            if row.line not in flawed:
                problems.extend(Problem(label, row.line, c, m) for c, m in self.check(row, ctx))
        return problems

    def check(self, row: Row, ctx: Context) -> Iterator[tuple[str, str]]:
        """Register-specific rules: yield (column, message) for each problem."""
        return iter(())

    @abstractmethod
    def triples(self, row: Row, ctx: Context) -> Iterator[Triple]:
        """The triples one row contributes."""

    def finish(self, rows: Sequence[Row], ctx: Context) -> Iterator[Triple]:
        """Triples that need the whole register (merged nodes, latest-of edges)."""
        return iter(())

    def provenance(self, node: str, row: Row) -> Iterator[Triple]:
        """Every row-level node cites its sources and the register line it came from."""
        for key in row.sources():
            yield node, _SOURCE, _source(key)
        yield node, _REGISTER_ROW, t.lit(str(row.line), "integer")
        yield node, _IN_REGISTER, _register(self.name)
        if row.get("note"):
            yield node, _NOTE, t.lit(row["note"])


# provenance() runs for every row: its terms are made once (a register cites few sources)
_SOURCE, _REGISTER_ROW, _IN_REGISTER, _NOTE = (
    t.dcterms("source"),
    t.ndk("registerRow"),
    t.ndk("inRegister"),
    t.skos("note"),
)


@cache
def _source(key: str) -> str:
    return t.iri(mint.thing("source", key))


@cache
def _register(name: str) -> str:
    return t.iri(mint.thing("register", name))


# the key sets a reference of several kinds is looked up in, in this order (Context.resolve)
_REF_KINDS = {"party": ("org", "body"), "subject": ("programme", "org", "body", "document", "person")}
_REF_NAMES = {
    "org": "organisation code in organisations.csv",
    "body": "key in bodies.csv",
    "supplier": "supplier key in bodies.csv",
    "party": "organisation code (organisations.csv) or body key (bodies.csv)",
    "subject": "programme key, organisation code, body key, document key (documents.csv) or person key (people.csv)",
    "programme": "programme key in programmes.csv",
    "system": "system key in systems.csv",
    "blueprint": "blueprint key in blueprints.csv",
    "source": "source key in sources.csv",
}


def unknown(kind: str, key: str) -> str:
    """The message for a reference that does not resolve."""
    if kind == "source":
        return f"unknown source {key!r}: add it to sources.csv or cite a known key"
    return f"{key!r} is not a known {_REF_NAMES.get(kind, kind)}"


def opt(node: str, pred: str, value: str, make: Callable[[str], str]) -> Iterator[Triple]:
    """A triple for an optional cell: nothing when the cell is empty."""
    if value:
        yield node, pred, make(value)


def concept(scheme: str) -> Callable[[str], str]:
    """A maker of concept terms of one scheme, for `opt`."""
    return lambda slug: t.iri(mint.concept(scheme, slug))


def ref(ctx: Context, kind: str) -> Callable[[str], str]:
    """A maker of IRI terms for references of one key set, for `opt`."""

    def make(key: str) -> str:
        found = ctx.resolve(kind, key)
        if found is None:  # check_references ran first, so this is a bug
            raise KeyError(f"{kind} {key!r} unresolved")
        return t.iri(found)

    return make
