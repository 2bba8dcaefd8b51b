"""The build, register by register, in bounded memory; unchanged registers reused.

Registers are read in reference order (BUILDERS). Each one is checked, adds its keys to
the context, and is written at once as its own part (parts.py), then its rows are let
go (unless a later register reads them), so memory holds one register, not the dataset.

A register is *reused* from the previous build in the same folder when its fingerprint
is unchanged: the SHA-256 of its file, of the code that builds it, of the key sets its
references resolve in, and of the registers whose rows it reads. Its bytes are then
copied from the previous graph.nq and graph.trig, its counts from the manifest, and its
keys from `keys/` (loaded only if a rebuilt register needs them). The store is copied
(hard links) and patched graph by graph, unless the statements to delete would cost more
than loading everything again (benchmarks/README.md: deleting costs ~40-100 µs a
statement, loading ~12 µs), when it is loaded from the new graph.nq.
"""

from __future__ import annotations

import hashlib
import json
import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph_builder import __version__
from graph_builder.build import ontology, parts
from graph_builder.build.summary import Partial
from graph_builder.core import iri as mint
from graph_builder.core import resources
from graph_builder.core import terms as t
from graph_builder.core.errors import InputError, Problem
from graph_builder.registers import BUILDERS, Builder, Context, Row, canonical

KEYS = "keys"  # folder of the build: each register's key sets, for the next incremental build
READ_BY_OTHERS = frozenset(name for b in BUILDERS for name in b.reads)
PATCH_LIMIT = 0.125  # patch the store when it deletes at most this share of the new statements


@dataclass
class Part:
    """One named graph of a build: where its bytes are and what it holds."""

    name: str
    graph: str
    fingerprint: str
    statements: int
    summary: Partial
    provides: dict[str, str] = field(default_factory=dict)  # key set → digest
    rows: int = 0
    rebuilt: bool = True
    nq: parts.Piece | None = None
    trig: parts.Piece | None = None
    placed: dict[str, list[int]] = field(default_factory=dict)  # file → [offset, length] in the new build

    def record(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "graph": self.graph,
            "fingerprint": self.fingerprint,
            "rows": self.rows,
            "statements": self.statements,
            "provides": self.provides,
            **self.placed,
            "summary": self.summary,
        }


@dataclass
class Previous:
    """The build already in the output folder, where its parts can be reused."""

    folder: Path
    parts: dict[str, dict[str, Any]]

    @classmethod
    def open(cls, folder: Path, code: str) -> Previous | None:
        try:
            manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
            if manifest.get("code") != code or not (folder / "store").is_dir():
                return None
            for name, size in manifest["files"].items():
                if (folder / name).stat().st_size != size:
                    return None
            return cls(folder, {p["name"]: p for p in manifest["parts"]})
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None  # no previous build, or not one this code can reuse: build everything

    def reusable(self, name: str, fingerprint: str) -> Part | None:
        p = self.parts.get(name)
        if not p or p.get("fingerprint") != fingerprint:
            return None
        if p.get("provides") and not (self.folder / KEYS / f"{name}.json").is_file():
            return None
        nq, trig = p["graph.nq"], p["graph.trig"]
        return Part(
            name,
            p["graph"],
            fingerprint,
            p["statements"],
            p["summary"],
            p.get("provides", {}),
            p.get("rows", 0),
            rebuilt=False,
            nq=parts.Piece(self.folder / "graph.nq", nq[0], nq[1]),
            trig=parts.Piece(self.folder / "graph.trig", trig[0], trig[1]),
        )


# the code that decides the statements (not the commands that read a build): the build and
# register packages whole, and the core modules that make terms and IRIs
_BUILDING = ("build/*.py", "registers/*.py", "core/terms.py", "core/iri.py")


def code_digest() -> str:
    """What the statements depend on besides the registers: this code and the ontology."""
    package = Path(__file__).parent.parent
    files = sorted({f for pattern in _BUILDING for f in package.glob(pattern)})
    h = hashlib.sha256(__version__.encode())
    for f in files:
        h.update(f.relative_to(package).as_posix().encode() + b"\0" + f.read_bytes() + b"\0")
    for f in resources.ontology_files():
        h.update(f.name.encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()


def _digest(*items: object) -> str:
    return hashlib.sha256(json.dumps(items, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def _keys_digest(keys: dict[str, str]) -> str:
    h = hashlib.sha256()
    for key in sorted(keys):
        h.update(f"{key}\t{keys[key]}\n".encode())
    return h.hexdigest()


def _lines(b: Builder, rows: list[Row], ctx: Context) -> Iterator[str]:
    for row in rows:
        for s, p, o in b.triples(row, ctx):
            yield f"{s} {p} {o}"
    for s, p, o in b.finish(rows, ctx):
        yield f"{s} {p} {o}"


@dataclass
class Pass:
    """One pass over the registers: checks, keys and parts (parts written into `scratch`)."""

    data_dir: Path
    scratch: Path
    code: str
    previous: Previous | None
    on_part: Callable[[parts.Written], None]
    label: Callable[[Path], str]
    ctx: Context = field(default_factory=Context)
    problems: list[Problem] = field(default_factory=list)
    made: list[Part] = field(default_factory=list)
    files: dict[str, tuple[str, str]] = field(default_factory=dict)  # register → (file name, sha256)
    _provided: dict[str, dict[str, str]] = field(default_factory=dict)  # register → key set → digest
    _pending: dict[str, Path] = field(default_factory=dict)  # reused registers' key files, not loaded yet
    timings: dict[str, float] = field(default_factory=dict)  # seconds of this thread per step

    def _clock(self, step: str, since: float) -> float:
        now = time.perf_counter()
        self.timings[step] = self.timings.get(step, 0.0) + now - since
        return now

    def run(self) -> None:
        (self.scratch / KEYS).mkdir(parents=True, exist_ok=True)
        for b in BUILDERS:
            self._register(b)
        if self.problems:
            raise InputError(self.problems)
        self._ontology()

    def _register(self, b: Builder) -> None:
        path = self.data_dir / b.filename
        shown = self.label(path)
        if not path.exists():
            self.problems.append(Problem(shown, 0, "", f"is missing; every build needs the {b.title.lower()} register"))
            self.ctx.unreadable.update(b.ids([]))
            return
        raw, found = b.read_bytes(path, shown)
        if raw is None:
            self.problems += found
            self.ctx.unreadable.update(b.ids([]))
            return
        raw = canonical(raw)  # the same rows, the same hash, however the line ends are saved
        sha = hashlib.sha256(raw).hexdigest()
        self.files[b.name] = (path.name, sha)
        fingerprint = self._fingerprint(b, sha)
        reused = self.previous.reusable(b.name, fingerprint) if self.previous and not self.problems else None
        if reused and b.name not in READ_BY_OTHERS:
            self._reuse(b, reused)
            return
        started = time.perf_counter()
        rows, found = b.parse(raw, shown)
        self._load_keys(b.ref_kinds)
        checked = b.check_rows(rows, found, self.ctx, shown)  # every row, whatever came before
        self.problems += checked.problems
        started = self._clock("read and check registers", started)
        self._provided[b.name] = {kind: _keys_digest(keys) for kind, keys in checked.ids.items()}
        if checked.ids:
            _write_keys(self.scratch / KEYS / f"{b.name}.json", checked.ids)
        started = self._clock("keys (digests, keys/, loading reused ones)", started)
        if reused:  # read by a later register, so its rows were needed, but its part is unchanged
            self.made.append(reused)
            return
        if not self.problems:
            written = parts.write_part(b.graph, _lines(b, checked.rows, self.ctx), self.scratch, b.name)
            self._made(b.name, fingerprint, written, len(rows))
            self._clock("build, sort and write the parts", started)
        if b.name not in READ_BY_OTHERS:
            self.ctx.rows.pop(b.name, None)  # memory: one register's rows at a time

    def _fingerprint(self, b: Builder, sha: str) -> str:
        keys = sorted(
            (name, kind, digest)
            for name, given in self._provided.items()
            for kind, digest in given.items()
            if kind in b.ref_kinds and name != b.name
        )
        reads = sorted((name, self.files.get(name, ("", ""))[1]) for name in b.reads)
        return _digest(self.code, b.name, sha, keys, reads)

    def _reuse(self, b: Builder, part: Part) -> None:
        self._provided[b.name] = part.provides
        if part.provides:
            assert self.previous is not None
            key_file = self.previous.folder / KEYS / f"{b.name}.json"
            parts.link_or_copy(key_file, self.scratch / KEYS / key_file.name)
            self._pending[b.name] = key_file
        self.made.append(part)

    def _load_keys(self, kinds: Iterable[str]) -> None:
        """Load the key sets of reused registers that these references resolve in."""
        wanted = set(kinds)
        for name, path in list(self._pending.items()):
            if wanted & set(self._provided.get(name, {})):
                self.ctx.ids.update(json.loads(path.read_text(encoding="utf-8")))
                del self._pending[name]

    def _made(self, name: str, fingerprint: str, written: parts.Written, rows: int) -> None:
        self.on_part(written)
        self.made.append(
            Part(
                name,
                written.graph,
                fingerprint,
                written.statements,
                written.partial,
                self._provided.get(name, {}),
                rows,
                nq=parts.Piece(written.nquads, 0, written.nquads.stat().st_size),
                trig=parts.Piece(written.trig, 0, written.trig.stat().st_size),
            )
        )

    def _ontology(self) -> None:
        graph = t.iri(mint.graph("ontology"))
        fingerprint = _digest(self.code, "ontology")
        reused = self.previous.reusable("ontology", fingerprint) if self.previous else None
        if reused:
            self.made.append(reused)
            return
        started = time.perf_counter()
        lines = (f"{q.s} {q.p} {q.o}" for q in ontology.quads())
        self._made("ontology", fingerprint, parts.write_part(graph, lines, self.scratch, "ontology"), 0)
        self._clock("the ontology (parsed with rdflib)", started)

    def provenance(self, quads: Iterable[t.Quad], registers: list[dict[str, object]]) -> None:
        """The provenance graph: made last (it names every register's hash and rows)."""
        graph = t.iri(mint.graph("provenance"))
        fingerprint = _digest(self.code, "provenance", registers)
        reused = self.previous.reusable("provenance", fingerprint) if self.previous else None
        if reused:
            self.made.append(reused)
            return
        lines = (f"{q.s} {q.p} {q.o}" for q in quads)
        self._made("provenance", fingerprint, parts.write_part(graph, lines, self.scratch, "provenance"), 0)


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
            if raw is None or hashlib.sha256(canonical(raw)).hexdigest() != used.get(b.name):
                return None
            rows, found = b.parse(raw, str(path))
            if found:
                return None
            ctx.rows[b.name] = rows
        if provides.get(b.name):
            try:
                ctx.ids.update(json.loads((build_dir / KEYS / f"{b.name}.json").read_text(encoding="utf-8")))
            except (OSError, ValueError):
                return None
    return ctx


def _write_keys(path: Path, ids: dict[str, dict[str, str]]) -> None:
    with open(path, "w", encoding="utf-8") as out:
        json.dump(ids, out, separators=(",", ":"))


LOAD_SLICE = 32 << 20  # bytes of N-Quads per bulk-load call (about 160,000 statements)
LOADERS = 2  # bulk-load calls at a time


def _slices(path: Path) -> Iterator[bytes]:
    """An N-Quads file in slices of about LOAD_SLICE bytes, each ending at a line end."""
    with open(path, "rb") as f:
        rest = b""
        while block := f.read(LOAD_SLICE):
            block = rest + block
            cut = block.rfind(b"\n") + 1
            rest = block[cut:]
            if cut:
                yield block[:cut]
        if rest:
            yield rest


class StoreLoader:
    """Bulk-loads N-Quads files into a persistent store on other threads, as they are given.

    pyoxigraph's bulk loader releases the GIL, so the store fills while Python builds the next
    register. One call keeps its whole input in memory until it ends (1.9 GB for the 4.75M
    statements of the 100,000 set at once), so files go in slices, two calls at a time:
    0.57 GB and 56 s against 1.9 GB and 49-108 s at once, the same store, queries as fast
    (benchmarks/README.md).
    """

    def __init__(self, path: Path, store: Any = None) -> None:
        import pyoxigraph as ox

        self._ox = ox
        self.store = store if store is not None else ox.Store(str(path))
        self._files: queue.Queue[Path | None] = queue.Queue()
        self._slices: queue.Queue[bytes | None] = queue.Queue(maxsize=LOADERS)
        self._failed: list[BaseException] = []
        self._threads = [threading.Thread(target=self._feed, name="nhskg-store-feed", daemon=True)]
        self._threads += [
            threading.Thread(target=self._load, name=f"nhskg-store-{i}", daemon=True) for i in range(LOADERS)
        ]
        for thread in self._threads:
            thread.start()

    def add(self, written: parts.Written) -> None:
        self._files.put(written.nquads)

    def add_file(self, path: Path) -> None:
        self._files.put(path)

    def _feed(self) -> None:
        try:
            for path in iter(self._files.get, None):
                for block in () if self._failed else _slices(path):
                    self._slices.put(block)
        except BaseException as exc:  # handed to the building thread in close()
            self._failed.append(exc)
            for _ in iter(self._files.get, None):  # let close() finish
                pass
        finally:
            for _ in range(LOADERS):
                self._slices.put(None)

    def _load(self) -> None:
        for block in iter(self._slices.get, None):
            if self._failed:
                continue
            try:  # lenient: the quads are the build's own checked terms
                self.store.bulk_load(input=block, format=self._ox.RdfFormat.N_QUADS, lenient=True)
            except BaseException as exc:
                self._failed.append(exc)

    def close(self) -> None:
        self._files.put(None)
        for thread in self._threads:
            thread.join()
        if self._failed:
            raise self._failed[0]
        self.store.flush()  # no optimize(): 12 s more at 100,000 organisations, no question faster
        del self.store  # closes the database before the folder is renamed


def patch_store(previous: Path, path: Path, rebuilt: list[Part], old: dict[str, dict[str, Any]]) -> None:
    """A copy of the previous store (hard links: `backup`) with the rebuilt graphs replaced."""
    import pyoxigraph as ox

    ox.Store.read_only(str(previous)).backup(str(path))
    store = ox.Store(str(path))
    for part in rebuilt:
        if part.name in old:
            store.remove_graph(ox.NamedNode(part.graph[1:-1]))
    loader = StoreLoader(path, store)
    del store
    for part in rebuilt:
        assert part.nq is not None
        loader.add_file(part.nq.path)
    loader.close()


def load_store(nquads: Path, path: Path) -> None:
    """A new persistent store of the whole graph.nq."""

    loader = StoreLoader(path)
    loader.add_file(nquads)
    loader.close()
