"""Registers → one RDF dataset: a named graph per register, the ontology, and provenance.

`build(data_dir, out_dir)` reads every register, checks it (all problems, located),
resolves references across registers, runs each builder, and writes `graph.trig`,
`graph.nq` and `manifest.json` into a fresh folder that replaces `out_dir` only once
it is complete. The clock time goes into the manifest only, so the graph files are
byte-identical for the same registers.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from graph_builder import __version__, ontology, writer
from graph_builder import iri as mint
from graph_builder import terms as t
from graph_builder.errors import InputError, Problem, UsageError
from graph_builder.registers import BUILDERS, Builder, Context, Row
from graph_builder.summary import Summary, summarise

OUTPUTS = ("graph.trig", "graph.nq", "manifest.json")
STORE = "store"  # the embedded pyoxigraph (RocksDB) store, opened read-only by the commands


@dataclass(frozen=True)
class RegisterInfo:
    name: str
    file: str
    sha256: str
    rows: int


@dataclass
class BuildResult:
    """What a build made; `quads` are canonical (sorted, unique)."""

    registers: list[RegisterInfo]
    quads: list[t.Quad]
    summary: Summary
    out_dir: Path | None = None
    files: dict[str, int] = field(default_factory=dict)


def read_registers(data_dir: Path, builders: Sequence[Builder] = BUILDERS) -> tuple[Context, list[RegisterInfo]]:
    """Read and check every register; raise InputError listing all problems."""
    if not data_dir.is_dir():
        raise UsageError(f"{data_dir}: not a folder of registers")
    problems: list[Problem] = []
    ctx = Context()
    infos = []
    for b in builders:
        path = data_dir / b.filename
        label = _label(path)
        if not path.exists():
            problems.append(Problem(label, 0, "", f"is missing; every build needs the {b.title.lower()} register"))
            continue
        rows, found = b.read(path, label)
        problems += found
        ctx.rows[b.name] = rows
        ctx.ids.update(b.ids(rows))
        raw = path.read_bytes()
        infos.append(RegisterInfo(b.name, path.name, hashlib.sha256(raw).hexdigest(), len(rows)))
    if problems:
        raise InputError(problems)
    for b in builders:
        problems += b.check_references(ctx.rows[b.name], ctx, _label(data_dir / b.filename))
    if problems:
        raise InputError(problems)
    return ctx, infos


def _label(path: Path) -> str:
    """A path as the user would type it: relative to the working folder where possible."""
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def register_quads(b: Builder, rows: list[Row], ctx: Context) -> Iterator[t.Quad]:
    graph = b.graph
    for row in rows:
        for s, p, o in b.triples(row, ctx):
            yield t.Quad(s, p, o, graph)
    for s, p, o in b.finish(rows, ctx):
        yield t.Quad(s, p, o, graph)


def provenance_quads(infos: list[RegisterInfo]) -> Iterator[t.Quad]:
    """Register files, their hashes and rows, and the build activity that used them."""
    graph = t.iri(mint.graph("provenance"))
    digest = hashlib.sha256("".join(i.sha256 for i in infos).encode()).hexdigest()[:16]
    activity = t.iri(mint.ID + f"build/{digest}")
    yield t.Quad(activity, t.A, t.ndk("Build"), graph)
    yield t.Quad(activity, t.ndk("toolVersion"), t.lit(__version__), graph)
    for info in infos:
        node = t.iri(mint.thing("register", info.name))
        yield t.Quad(activity, t.prov("used"), node, graph)
        for p, o in (
            (t.A, t.ndk("Register")),
            (t.dcterms("title"), t.lit(info.file)),
            (t.ndk("registerFile"), t.lit(f"data/{info.file}")),
            (t.ndk("sha256"), t.lit(info.sha256)),
            (t.ndk("rowCount"), t.lit(str(info.rows), "integer")),
            (t.ndk("namedGraph"), t.iri(mint.graph(info.name))),
            (t.prov("wasGeneratedBy"), activity),
        ):
            yield t.Quad(node, p, o, graph)


def build_register(b: Builder, path: Path, reference: Context, label: str | None = None) -> list[t.Quad]:
    """One register file built against a reference context (the other registers).

    The file's rows replace the reference's rows of that register, so its keys resolve
    for its own rows; problems (format or references) raise InputError.
    """
    shown = label or _label(path)
    rows, problems = b.read(path, shown)
    if problems:
        raise InputError(problems)
    ctx = Context(ids={k: dict(v) for k, v in reference.ids.items()}, rows=dict(reference.rows))
    ctx.rows[b.name] = rows
    for name, ids in b.ids(rows).items():
        ctx.ids.setdefault(name, {}).update(ids)
    problems = b.check_references(rows, ctx, shown)
    if problems:
        raise InputError(problems)
    return writer.canonical(register_quads(b, rows, ctx))


def build_dataset(data_dir: Path) -> BuildResult:
    """Everything `build` makes, in memory; nothing is written."""
    ctx, infos = read_registers(data_dir)
    quads: list[t.Quad] = list(ontology.quads())
    for b in BUILDERS:
        quads.extend(register_quads(b, ctx.rows[b.name], ctx))
    quads.extend(provenance_quads(infos))
    canonical = writer.canonical(quads)
    return BuildResult(infos, canonical, summarise(canonical))


def build(data_dir: Path, out_dir: Path) -> BuildResult:
    """Build and publish to `out_dir`; the previous build stays until the new one is whole."""
    _check_out_dir(out_dir)
    result = build_dataset(data_dir)
    staging = out_dir.parent / f".{out_dir.name}.building-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        writer.write_atomic(staging / "graph.nq", writer.nquads_lines(result.quads))
        writer.write_atomic(staging / "graph.trig", writer.trig_lines(result.quads))
        _load_store(staging / "graph.nq", staging / STORE)
        writer.write_atomic(staging / "manifest.json", [json.dumps(_manifest(result, data_dir), indent=2) + "\n"])
        _publish(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    result.out_dir = out_dir
    result.files = {name: (out_dir / name).stat().st_size for name in OUTPUTS}
    result.files[STORE + "/"] = sum(f.stat().st_size for f in (out_dir / STORE).rglob("*") if f.is_file())
    return result


def _load_store(nquads: Path, path: Path) -> None:
    """Bulk-load the dataset into a persistent embedded store (pyoxigraph, DESIGN.md)."""
    import pyoxigraph as ox

    store = ox.Store(str(path))
    store.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS)
    store.flush()
    store.optimize()
    del store  # closes the database before the folder is renamed


def _check_out_dir(out_dir: Path) -> None:
    """Refuse to replace a folder that is not a previous build (it would be deleted)."""
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"{out_dir}: exists and is not a folder; choose another --out")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not (out_dir / "manifest.json").is_file():
        raise UsageError(
            f"{out_dir}: is not empty and holds no previous build (no manifest.json); choose another --out"
        )


def _publish(staging: Path, out_dir: Path) -> None:
    """Swap the finished folder into place: rename the old one aside, rename, then delete."""
    old = out_dir.parent / f".{out_dir.name}.previous-{os.getpid()}"
    if out_dir.exists():
        os.replace(out_dir, old)
    os.replace(staging, out_dir)
    shutil.rmtree(old, ignore_errors=True)


def _manifest(result: BuildResult, data_dir: Path) -> dict[str, object]:
    return {
        "tool": "nhs-dkg",
        "version": __version__,
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "data_dir": str(data_dir.resolve()),
        "registers": [vars(i) for i in result.registers],
        "summary": result.summary,
    }
