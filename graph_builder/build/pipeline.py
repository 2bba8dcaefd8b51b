"""The build, register by register, in bounded memory; unchanged registers reused.

Registers are read in reference order (BUILDERS), each as every reader of registers
reads it (registers/load.py). Each one is checked, adds its keys to the context, and is
written at once as its own part (parts.py), then its rows are let go (unless a later
register reads them), so memory holds one register, not the dataset.

A register is *reused* from the previous build in the same folder when its fingerprint
is unchanged: the SHA-256 of its file, of the code that builds it, of the key sets its
references resolve in, and of the registers whose rows it reads. Its bytes are then
copied from the previous graph.nq and graph.trig, its counts from the manifest, and its
keys from `keys/` (loaded only if a rebuilt register needs them). The store is copied
(hard links) and patched graph by graph (run.py, loader.py), unless the statements to
delete would cost more than loading everything again (benchmarks/README.md: deleting costs ~40-100 µs a
statement, loading ~12 µs), when it is loaded from the new graph.nq.
"""

from __future__ import annotations

import hashlib
import json
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
from graph_builder.registers import BUILDERS, Builder, Context
from graph_builder.registers.load import (
    KEYS,
    READ_BY_OTHERS,
    RegisterInfo,
    check_register,
    display_path,
    keys_file,
    read_keys,
    read_register,
    register_digest,
    register_statements,
    write_keys,
)


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
        if p.get("provides") and not keys_file(self.folder, name).is_file():
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


@dataclass
class Pass:
    """One pass over the registers: checks, keys and parts (parts written into `scratch`),
    then the ontology and the provenance; `on_part` is given each part as it is written."""

    data_dir: Path
    scratch: Path
    code: str
    previous: Previous | None
    on_part: Callable[[parts.Written], None] = lambda _: None
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

    def run(self) -> list[RegisterInfo]:
        """Make every part; the registers as read. InputError lists every register problem."""
        (self.scratch / KEYS).mkdir(parents=True, exist_ok=True)
        for b in BUILDERS:
            self._register(b)
        if self.problems:
            raise InputError(self.problems)
        self._ontology()
        rows = {p.name: p.rows for p in self.made}
        infos = [RegisterInfo(b.name, *self.files[b.name], rows[b.name]) for b in BUILDERS]
        self._provenance(provenance_quads(infos), [vars(i) for i in infos])
        return infos

    def _register(self, b: Builder) -> None:
        path = self.data_dir / b.filename
        shown = display_path(path)
        raw, found = read_register(b, path, shown, self.ctx)
        if raw is None:
            self.problems += found
            return
        sha = register_digest(raw)
        self.files[b.name] = (path.name, sha)
        fingerprint = self._fingerprint(b, sha)
        reused = self.previous.reusable(b.name, fingerprint) if self.previous and not self.problems else None
        if reused and b.name not in READ_BY_OTHERS:
            self._reuse(b, reused)
            return
        started = time.perf_counter()
        self._load_keys(b.ref_kinds)
        checked, rows = check_register(b, raw, shown, self.ctx)  # every row, whatever came before
        self.problems += checked.problems
        started = self._clock("read and check registers", started)
        self._provided[b.name] = {kind: _keys_digest(keys) for kind, keys in checked.ids.items()}
        if checked.ids:
            write_keys(keys_file(self.scratch, b.name), checked.ids)
        started = self._clock("keys (digests, keys/, loading reused ones)", started)
        if reused:  # read by a later register, so its rows were needed, but its part is unchanged
            self.made.append(reused)
            return
        if not self.problems:
            lines = (f"{s} {p} {o}" for s, p, o in register_statements(b, checked.rows, self.ctx))
            self._made(b.name, fingerprint, parts.write_part(b.graph, lines, self.scratch, b.name), rows)
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
            key_file = keys_file(self.previous.folder, b.name)
            parts.link_or_copy(key_file, self.scratch / KEYS / key_file.name)
            self._pending[b.name] = key_file
        self.made.append(part)

    def _load_keys(self, kinds: Iterable[str]) -> None:
        """Load the key sets of reused registers that these references resolve in."""
        wanted = set(kinds)
        for name, path in list(self._pending.items()):
            if wanted & set(self._provided.get(name, {})):
                self.ctx.ids.update(read_keys(path))
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

    def _provenance(self, quads: Iterable[t.Quad], registers: list[dict[str, object]]) -> None:
        """The provenance graph: made last (it names every register's hash and rows)."""
        graph = t.iri(mint.graph("provenance"))
        fingerprint = _digest(self.code, "provenance", registers)
        reused = self.previous.reusable("provenance", fingerprint) if self.previous else None
        if reused:
            self.made.append(reused)
            return
        lines = (f"{q.s} {q.p} {q.o}" for q in quads)
        self._made("provenance", fingerprint, parts.write_part(graph, lines, self.scratch, "provenance"), 0)


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
