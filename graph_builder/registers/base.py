"""The register interface: the Builder base, and what a builder sees (columns, rows, context).

A register is a CSV file in `data/`; its builder declares the columns (with their kinds,
value lists and references to other registers), the key, and how one row becomes
triples. Reading collects every problem with its file and line; nothing is built from a
register that has one.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from functools import cache, cached_property
from pathlib import Path
from typing import ClassVar, NamedTuple

from graph_builder.core import iri as mint
from graph_builder.core import terms as t
from graph_builder.core.errors import Problem
from graph_builder.registers.columns import Column
from graph_builder.registers.context import REF_KINDS, Context, unknown
from graph_builder.registers.reading import Row, canonical_bytes, read_file, read_rows

__all__ = ["Builder", "Checked", "Column", "Context", "Row", "Triple", "concept_term", "opt", "ref"]

Triple = tuple[str, str, str]


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
                kinds.update(REF_KINDS.get(col.ref, (col.ref,)))
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
            text = canonical_bytes(raw).decode("utf-8")
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


def opt(node: str, pred: str, value: str, make: Callable[[str], str]) -> Iterator[Triple]:
    """A triple for an optional cell: nothing when the cell is empty."""
    if value:
        yield node, pred, make(value)


def concept_term(scheme: str) -> Callable[[str], str]:
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
