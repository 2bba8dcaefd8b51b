"""One named graph of the build, written in one pass: sorted, de-duplicated, counted.

A part's statements (a register's, the ontology's or the provenance's) come as
`subject predicate object` lines; they are sorted in memory while there are few and in
sorted runs on disk, merged, once there are many (so memory stays bounded at national
scale), then written once: as N-Quads, as a TriG block and into the tally of the
summary. The build puts the parts' files together in graph order (`assemble`), and an
incremental build takes the unchanged parts' bytes from the previous build instead.

Sorting the lines as text gives the order of the tuples (subject, predicate, object):
a space sorts before every character that can follow a whole term.
"""

from __future__ import annotations

import heapq
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import groupby, islice
from pathlib import Path
from typing import IO

from graph_builder.build import canonical as writer
from graph_builder.build.summary import WANTED, Partial, Tally
from graph_builder.core import terms as t
from graph_builder.core.files import atomic_file

TRIG_PREFIXES = "".join(f"@prefix {prefix}: <{ns}> .\n" for prefix, ns in t.PREFIXES.items())  # graph.trig's head
RUN = 1_000_000  # lines sorted in memory at a time (about 250 MB); more go to sorted runs on disk
BLOCK = 100_000  # lines written at a time


@dataclass
class Written:
    """A part as written: its files in the staging folder, its statement count and partial summary."""

    graph: str
    nquads: Path
    trig: Path
    statements: int
    partial: Partial


def sorted_blocks(lines: Iterable[str], scratch: Path) -> Iterator[list[str]]:
    """The lines sorted and without repeats, in blocks of up to BLOCK; beyond RUN lines,
    through sorted runs in `scratch` merged."""
    source = iter(lines)
    first = list(islice(source, RUN))
    if len(first) < RUN:  # all of them: sorted in memory
        first.sort()
        unique = [line for line, _ in groupby(first)]
        del first
        for start in range(0, len(unique), BLOCK):
            yield unique[start : start + BLOCK]
        return
    runs = [_spill(first, scratch)]
    del first
    while chunk := list(islice(source, RUN)):
        runs.append(_spill(chunk, scratch))
        del chunk
    files = [open(run, encoding="utf-8", newline="\n") for run in runs]  # noqa: SIM115 (closed below)
    try:
        # Lines keep their "\n" while merged: it sorts before every character that follows a term.
        merged = (line for line, _ in groupby(heapq.merge(*files)))
        while block := list(islice(merged, BLOCK)):
            yield [line[:-1] for line in block]
    finally:
        for f in files:
            f.close()
        for run in runs:
            run.unlink(missing_ok=True)


def _spill(chunk: list[str], scratch: Path) -> Path:
    chunk.sort()
    fd, name = tempfile.mkstemp(prefix="run-", suffix=".txt", dir=scratch)
    with os.fdopen(fd, "w", encoding="utf-8", newline="\n", buffering=1 << 20) as out:
        for start in range(0, len(chunk), BLOCK):
            out.write("\n".join(line for line, _ in groupby(chunk[start : start + BLOCK])) + "\n")
    return Path(name)


def write_part(graph: str, lines: Iterable[str], folder: Path, name: str) -> Written:
    """Sort and write one part's lines (`s p o`, all of graph `graph`) to `folder`."""
    tally = Tally(graph)
    nq_path, trig_path = folder / f"{name}.nq", folder / f"{name}.trig"
    tail = f" {graph} .\n"
    short, predicate, wanted, a = writer.short_term, writer.predicate_term, WANTED, t.A
    predicates: dict[str, str] = {}
    count = 0
    with (
        open(nq_path, "w", encoding="utf-8", newline="\n", buffering=1 << 20) as nq,
        open(trig_path, "w", encoding="utf-8", newline="\n", buffering=1 << 20) as trig,
    ):
        trig.write(f"\n{graph} {{\n")
        subject, pred = "", ""
        statements: list[str] = []
        objects: list[str] = []
        types: list[str] = []
        values: dict[str, list[str]] = {}
        for block in sorted_blocks(lines, folder):
            count += len(block)
            nq.write(tail.join(block) + tail)
            for line in block:
                s, p, o = line.split(" ", 2)
                if s != subject:
                    if objects:
                        statements.append(f"    {predicates[pred]} {', '.join(objects)}")
                        trig.write(_chunk(subject, statements))
                        tally.node(types, values)
                    subject, pred, statements, objects, types, values = s, p, [], [], [], {}
                elif p != pred:
                    statements.append(f"    {predicates[pred]} {', '.join(objects)}")
                    pred, objects = p, []
                if p not in predicates:
                    predicates[p] = predicate(p)
                objects.append(short(o))
                if p == a:
                    types.append(o)
                elif p in wanted:
                    values.setdefault(wanted[p], []).append(o)
        if objects:
            statements.append(f"    {predicates[pred]} {', '.join(objects)}")
            trig.write(_chunk(subject, statements))
            tally.node(types, values)
        trig.write("}\n")
    if not count:  # an empty graph has no block
        trig_path.write_bytes(b"")
    tally.statements = count
    return Written(graph, nq_path, trig_path, count, tally.partial())


def _chunk(subject: str, statements: list[str]) -> str:
    return f"  {subject}\n" + " ;\n".join(statements) + " .\n"


@dataclass(frozen=True)
class Piece:
    """Bytes of one part in a file: a new part's own file, or a range of the previous build's."""

    path: Path
    offset: int
    length: int


def assemble(path: Path, head: str, pieces: list[Piece]) -> list[tuple[int, int]]:
    """Write `head` and the pieces, in order, to `path` (atomically); the (offset, length) of each.

    Where the pieces are one earlier file, whole and in order (nothing changed), that file
    is linked instead of copied."""
    whole = _whole(head, pieces)
    if whole is not None:
        tmp = path.parent / f".{path.name}.{os.getpid()}.link"
        try:
            os.link(whole, tmp)
            os.replace(tmp, path)
            return [(p.offset, p.length) for p in pieces]
        except OSError:
            Path(tmp).unlink(missing_ok=True)  # no hard links here: copy
    return _write_pieces(path, head, pieces)


def _whole(head: str, pieces: list[Piece]) -> Path | None:
    """The file the pieces are, head and all, when they are all of one file in order."""
    if not pieces or len({p.path for p in pieces}) != 1:
        return None
    source, start = pieces[0].path, len(head.encode("utf-8"))
    for piece in pieces:
        if piece.offset != start:
            return None
        start += piece.length
    try:
        if start != source.stat().st_size:
            return None
        with open(source, "rb") as f:
            return source if f.read(len(head.encode("utf-8"))) == head.encode("utf-8") else None
    except OSError:
        return None


def _write_pieces(path: Path, head: str, pieces: list[Piece]) -> list[tuple[int, int]]:
    placed: list[tuple[int, int]] = []
    with atomic_file(path) as out:
        out.write(head.encode("utf-8"))
        for piece in pieces:
            out.flush()
            placed.append((out.tell(), piece.length))
            with open(piece.path, "rb") as src:
                _copy(src, out, piece.offset, piece.length)
    return placed


def _copy(src: IO[bytes], out: IO[bytes], offset: int, length: int) -> None:
    """Copy `length` bytes from `offset` of src to the end of out: in the kernel where it can."""
    left = length
    if hasattr(os, "copy_file_range"):
        src_off, out_off = offset, out.tell()
        try:
            while left:
                done = os.copy_file_range(src.fileno(), out.fileno(), min(left, 1 << 30), src_off, out_off)
                if done == 0:
                    raise OSError(f"{src.name}: ended {left:,} bytes early")
                src_off, out_off, left = src_off + done, out_off + done, left - done
            out.seek(out_off)
            return
        except OSError as exc:
            if left != length or getattr(exc, "errno", None) is None:
                raise
    src.seek(offset)
    out.seek(0, os.SEEK_END)
    while left:
        block = src.read(min(left, 1 << 20))
        if not block:
            raise OSError(f"{src.name}: ended {left:,} bytes early")
        out.write(block)
        left -= len(block)


def link_or_copy(source: Path, target: Path) -> None:
    """`target` as a hard link to `source` where the file system allows, else a copy."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)
