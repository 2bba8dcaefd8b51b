"""Reading, checking and building registers: the one way, for the build, submissions and tests.

A register file is read (`read_register`: its bytes, or why they cannot be had), its rows
are parsed and checked against the context, which takes its keys and rows
(`check_register`), and the rows fit to build become statements (`register_statements`).
The build streams every register through these steps (build/pipeline.py);
`read_registers` reads a whole folder of registers; `build_register` builds one file
against the other registers (submissions, the golden and property tests).

A build keeps each register's key sets in its `keys/` folder (`write_keys`), so the
context a build's registers give can be had without reading them all (`reference_context`).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path
from typing import NamedTuple

from graph_builder.core.errors import InputError, Problem, UsageError
from graph_builder.registers import BUILDERS
from graph_builder.registers.base import Builder, Checked, Triple
from graph_builder.registers.context import Context
from graph_builder.registers.days import with_day_bounds
from graph_builder.registers.reading import Row, canonical_bytes

KEYS = "keys"  # folder of a build: each register's key sets (for the next build and for validate)
READ_BY_OTHERS = frozenset(name for b in BUILDERS for name in b.reads)  # registers whose rows others read


@dataclass(frozen=True)
class RegisterInfo:
    """A register file as a build used it: its name, file, SHA-256 (as read) and rows."""

    name: str
    file: str
    sha256: str
    rows: int


class BuiltRegister(NamedTuple):
    """One register file checked and built against a reference (`build_register`)."""

    checked: Checked  # the rows built, and every problem of the rows refused
    context: Context  # the reference's copy they were checked and built in
    statements: list[Triple]  # sorted, without repeats


def display_path(path: Path) -> str:
    """A path as the user would type it: relative to the working folder where possible."""
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def read_register(b: Builder, path: Path, label: str, ctx: Context) -> tuple[bytes | None, list[Problem]]:
    """The register file's bytes; or None and the problem (missing, unreadable), its key sets
    then unreadable in `ctx`."""
    if path.exists():
        raw, found = b.read_bytes(path, label)
    else:
        raw, found = None, [Problem(label, 0, "", f"is missing; every build needs the {b.title.lower()} register")]
    if raw is None:
        ctx.unreadable.update(b.ids([]))
    return raw, found


def register_digest(raw: bytes) -> str:
    """The SHA-256 of a register file as read (no BOM, LF line ends): the same rows, the same hash."""
    return hashlib.sha256(canonical_bytes(raw)).hexdigest()


def check_register(b: Builder, raw: bytes, label: str, ctx: Context) -> tuple[Checked, int]:
    """A register file's rows checked against `ctx`, which takes its keys and rows; and how
    many rows the file has (`Builder.check_rows`)."""
    rows, found = b.parse(raw, label)
    return b.check_rows(rows, found, ctx, label), len(rows)


def register_statements(b: Builder, rows: list[Row], ctx: Context) -> Iterator[Triple]:
    """The statements of a register's rows (checked in `ctx`), as they come: unsorted; each
    date at a precision followed by its first and last day (days.py)."""
    for row in rows:
        yield from with_day_bounds(b.triples(row, ctx))
    yield from with_day_bounds(b.finish(rows, ctx))


def read_registers(data_dir: Path, builders: Sequence[Builder] = BUILDERS) -> tuple[Context, list[RegisterInfo]]:
    """Read and check every register, in reference order; raise InputError listing every problem."""
    if not data_dir.is_dir():
        raise UsageError(f"{data_dir}: not a folder of registers")
    problems: list[Problem] = []
    ctx = Context()
    infos = []
    for b in builders:
        path = data_dir / b.filename
        label = display_path(path)
        raw, found = read_register(b, path, label, ctx)
        if raw is None:
            problems += found
            continue
        checked, rows = check_register(b, raw, label, ctx)
        problems += checked.problems
        infos.append(RegisterInfo(b.name, path.name, register_digest(raw), rows))
    if problems:
        raise InputError(problems)
    return ctx, infos


def build_register(b: Builder, path: Path, label: str, reference: Context) -> BuiltRegister:
    """One register file checked and built against a reference context (the other registers).

    The file's rows replace the reference's rows of that register, in a copy of the
    reference, so its keys resolve for its own rows. Rows with a problem (and those naming
    a refused row) are not built: their problems are returned, so one run reports every
    problem. A file none of whose rows can be read (header, encoding) raises InputError.
    The reference is not changed."""
    ctx = reference.copy()
    raw, found = read_register(b, path, label, ctx)
    if raw is None:
        raise InputError(found)
    checked, rows = check_register(b, raw, label, ctx)
    if checked.problems and not rows:
        raise InputError(checked.problems)
    statements = [s for s, _ in groupby(sorted(register_statements(b, checked.rows, ctx)))]
    return BuiltRegister(checked, ctx, statements)


def keys_file(build_dir: Path, name: str) -> Path:
    """Where a build keeps a register's key sets."""
    return build_dir / KEYS / f"{name}.json"


def write_keys(path: Path, ids: dict[str, dict[str, str]]) -> None:
    with open(path, "w", encoding="utf-8") as out:
        json.dump(ids, out, separators=(",", ":"))


def read_keys(path: Path) -> dict[str, dict[str, str]]:
    keys: dict[str, dict[str, str]] = json.loads(path.read_text(encoding="utf-8"))
    return keys


def reference_context(build_dir: Path, data_dir: Path) -> Context | None:
    """The context a build's registers give, without reading every register: the keys from the
    build's keys/ and the rows of the registers others read (their files must be the ones the
    build used). None where that cannot be had (an older build, or changed files): read them all."""
    try:
        manifest = json.loads((build_dir / "manifest.json").read_text(encoding="utf-8"))
        used = {r["name"]: r["sha256"] for r in manifest["registers"]}
        provides = {p["name"]: p.get("provides", {}) for p in manifest["parts"]}
    except (OSError, ValueError, KeyError, TypeError):
        return None
    ctx = Context()
    for b in BUILDERS:
        if b.name in READ_BY_OTHERS:
            path = data_dir / b.filename
            raw, found = b.read_bytes(path, str(path))
            if raw is None or register_digest(raw) != used.get(b.name):
                return None
            rows, found = b.parse(raw, str(path))
            if found:
                return None
            ctx.rows[b.name] = rows
        if provides.get(b.name):
            try:
                ctx.ids.update(read_keys(keys_file(build_dir, b.name)))
            except (OSError, ValueError):
                return None
    return ctx
