"""Registers → one RDF dataset: a named graph per register, the ontology, and provenance.

`build(data_dir, out_dir)` reads every register, checks it (all problems, located),
resolves references across registers, runs each builder, and writes `graph.trig`,
`graph.nq`, the persistent store and `manifest.json` into a fresh folder that replaces
`out_dir` only once it is complete (core/folders.py). The clock time goes into the manifest
only, so the graph files are byte-identical for the same registers. Registers are
built one at a time in bounded memory, and a register that has not changed since the
build in `out_dir` is reused, not rebuilt (pipeline.py); `full=True` rebuilds all.
The flow is one way: run → pipeline → parts → canonical, and run → loader (the store).
"""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from graph_builder import __version__
from graph_builder.build import loader, parts, pipeline
from graph_builder.build.summary import Summary, combine
from graph_builder.core import folders as publish
from graph_builder.core.errors import UsageError
from graph_builder.core.files import write_atomic
from graph_builder.registers.load import KEYS, RegisterInfo

OUTPUTS = ("graph.trig", "graph.nq", "manifest.json")
STORE = "store"  # the embedded pyoxigraph (RocksDB) store, opened read-only by the commands
PATCH_LIMIT = 0.125  # patch the store when it deletes at most this share of the new statements


@dataclass
class BuildResult:
    """What a build made: the registers, the statements, and which parts it rebuilt or reused."""

    registers: list[RegisterInfo]
    statements: int
    summary: Summary
    rebuilt: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    store: str = "loaded"  # loaded (new), patched (the previous one, rebuilt graphs replaced), reloaded or reused
    timings: dict[str, float] = field(default_factory=dict)  # wall seconds per step
    out_dir: Path | None = None
    files: dict[str, int] = field(default_factory=dict)
    data_dir: Path | None = None  # the folder of registers read (the summary names it first)


def build(data_dir: Path, out_dir: Path, full: bool = False) -> BuildResult:
    """Build and publish to `out_dir`; the previous build stays until the new one is whole.

    One build at a time writes to `out_dir`: it holds a lock on `.{name}.lock` beside it,
    and a second build of the same folder stops at once (UsageError, exit 2). Holding it,
    a build first clears what a killed one left. A write that fails (a full disk) is a
    UsageError too; whatever the failure, the previous build is untouched.
    """
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        with publish.exclusive(out_dir):
            publish.clear_leftovers(out_dir)
            return _build(data_dir, out_dir, full)
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        raise UsageError(
            f"{out_dir}: the build stopped: {exc.strerror or exc}{where}; the previous build is untouched"
        ) from None


def _build(data_dir: Path, out_dir: Path, full: bool) -> BuildResult:
    if not data_dir.is_dir():
        raise UsageError(f"{data_dir}: not a folder of registers")
    publish.check_out_dir(out_dir)
    code = pipeline.code_digest()
    previous = None if full else pipeline.Previous.open(out_dir, code)
    staging = out_dir.parent / f".{out_dir.name}.building-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    scratch = staging / ".parts"
    scratch.mkdir(parents=True)
    try:
        store = loader.StoreLoader(staging / STORE) if previous is None else None
        try:
            made = pipeline.Pass(data_dir, scratch, code, previous)
            if store is not None:
                made.on_part = store.add
            infos = made.run()
        finally:
            waiting = time.perf_counter()
            if store is not None:
                store.close()
        made.timings["waiting for the store to load"] = time.perf_counter() - waiting
        result = _assemble(made.made, staging, infos)
        made.timings["put graph.nq and graph.trig together"] = (
            time.perf_counter() - waiting - made.timings["waiting for the store to load"]
        )
        patching = time.perf_counter()
        result.store = _store(previous, made.made, staging, result) if previous else "loaded"
        if previous:
            made.timings[f"store {result.store}"] = time.perf_counter() - patching
        result.timings = {step: round(seconds, 3) for step, seconds in made.timings.items()}
        (staging / KEYS).mkdir()
        for keys in (scratch / KEYS).iterdir():
            os.replace(keys, staging / KEYS / keys.name)
        shutil.rmtree(scratch)
        manifest = _manifest(result, data_dir, code, made.made, staging)
        write_atomic(staging / "manifest.json", [json.dumps(manifest, indent=2) + "\n"])
        publish.swap_folder(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    result.out_dir, result.data_dir = out_dir, data_dir
    result.files = {name: (out_dir / name).stat().st_size for name in OUTPUTS}
    result.files[STORE + "/"] = sum(f.stat().st_size for f in (out_dir / STORE).rglob("*") if f.is_file())
    return result


def _assemble(made: list[pipeline.Part], staging: Path, infos: list[RegisterInfo]) -> BuildResult:
    """graph.nq and graph.trig: the parts in graph order, new ones from their files, reused
    ones from the previous build's."""
    ordered = sorted(made, key=lambda p: p.graph)
    for name, text, piece in (("graph.nq", "", "nq"), ("graph.trig", parts.TRIG_PREFIXES, "trig")):
        placed = parts.assemble(staging / name, text, [getattr(p, piece) for p in ordered])
        for part, where in zip(ordered, placed, strict=True):
            part.placed[name] = list(where)
    return BuildResult(
        registers=infos,
        statements=sum(p.statements for p in made),
        summary=combine(p.summary for p in ordered),
        rebuilt=[p.name for p in ordered if p.rebuilt],
        reused=[p.name for p in ordered if not p.rebuilt],
    )


def _store(previous: pipeline.Previous, made: list[pipeline.Part], staging: Path, result: BuildResult) -> str:
    """Patch the previous build's store, or load a new one where deleting would cost more."""
    rebuilt = [p for p in made if p.rebuilt]
    if not rebuilt:
        loader.patch_store(previous.folder / STORE, staging / STORE, [], previous.parts)
        return "reused"
    deleted = sum(previous.parts[p.name]["statements"] for p in rebuilt if p.name in previous.parts)
    if deleted <= PATCH_LIMIT * result.statements:
        loader.patch_store(previous.folder / STORE, staging / STORE, rebuilt, previous.parts)
        return "patched"
    loader.load_store(staging / "graph.nq", staging / STORE)
    return "reloaded"


def _manifest(
    result: BuildResult, data_dir: Path, code: str, made: list[pipeline.Part], staging: Path
) -> dict[str, object]:
    return {
        "tool": "nhs-dkg",
        "version": __version__,
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "data_dir": str(data_dir.resolve()),
        "registers": [vars(i) for i in result.registers],
        "summary": result.summary,
        "statements": result.statements,
        "rebuilt": result.rebuilt,
        "reused": result.reused,
        "store": result.store,
        "timings": result.timings,
        "code": code,
        "files": {name: (staging / name).stat().st_size for name in ("graph.nq", "graph.trig")},
        "parts": [p.record() for p in sorted(made, key=lambda p: p.graph)],
    }
