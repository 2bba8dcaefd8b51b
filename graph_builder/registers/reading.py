"""Reading a register file: its bytes (safely), its text, its header and rows, every
problem with its file and line."""

from __future__ import annotations

import codecs
import csv
import errno
import io
import os
import stat
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path

from graph_builder.core.errors import Problem
from graph_builder.registers.columns import Column, check_value

MAX_FILE = 1 << 30  # bytes (1 GiB); a larger register file is refused before it is read
_REPEATING = frozenset({"enum", "sources", "slug", "date", "day", "money"})


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


def canonical_bytes(raw: bytes) -> bytes:
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
