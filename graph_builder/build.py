"""Registers → one RDF dataset: a named graph per register, the ontology, and provenance.

`build(data_dir, out_dir)` reads every register, checks it (all problems, located),
resolves references across registers, runs each builder, and writes `graph.trig`,
`graph.nq` and `manifest.json` into a fresh folder that replaces `out_dir` only once
it is complete. The clock time goes into the manifest only, so the graph files are
byte-identical for the same registers.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import chain
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
        if found:  # not read again to hash it: it may not be a file at all (a FIFO would wait)
            continue
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
    shared: dict[str, str] = {}  # one string per predicate, not one per statement (memory at scale)
    for row in rows:
        for s, p, o in b.triples(row, ctx):
            yield t.Quad(s, shared.setdefault(p, p), o, graph)
    for s, p, o in b.finish(rows, ctx):
        yield t.Quad(s, shared.setdefault(p, p), o, graph)


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


def build_dataset(data_dir: Path, each_part: Callable[[list[t.Quad]], None] | None = None) -> BuildResult:
    """Everything `build` makes, in memory; nothing is written.

    `each_part` is given each named graph's quads as soon as they are made (build() feeds
    the store with them while the rest is built).
    """
    ctx, infos = read_registers(data_dir)
    made = chain([ontology.quads()], (register_quads(b, ctx.rows[b.name], ctx) for b in BUILDERS),
                 [provenance_quads(infos)])
    # Each part is one named graph, so sorting part by part (the sort keys of one register
    # at a time) and putting the parts in graph order gives the canonical order of the whole.
    parts = []
    for quads in made:
        part = writer.canonical(quads)
        if each_part is not None:
            each_part(part)
        parts.append(part)
    canonical = [q for part in sorted(parts, key=lambda part: part[0].g if part else "") for q in part]
    return BuildResult(infos, canonical, summarise(canonical))


def build(data_dir: Path, out_dir: Path) -> BuildResult:
    """Build and publish to `out_dir`; the previous build stays until the new one is whole.

    One build at a time writes to `out_dir`: it holds a lock on `.{name}.lock` beside it,
    and a second build of the same folder stops at once (UsageError, exit 2). Holding it,
    a build first clears what a killed one left. A write that fails (a full disk) is a
    UsageError too; whatever the failure, the previous build is untouched.
    """
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        with _exclusive(out_dir):
            _clear_leftovers(out_dir)
            return _build(data_dir, out_dir)
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        raise UsageError(f"{out_dir}: the build stopped: {exc.strerror or exc}{where}; "
                         "the previous build is untouched") from None


@contextmanager
def _exclusive(out_dir: Path) -> Iterator[None]:
    """Hold the build lock of `out_dir` (fcntl.flock on `.{name}.lock` beside it), or raise
    UsageError at once if another process holds it. The holder removes the file before it
    lets go, so a process that locked the file after it was removed tries again."""
    try:
        import fcntl
    except ImportError:  # not POSIX: builds are not serialised
        yield
        return
    path = out_dir.parent / f".{out_dir.name}.lock"
    while True:
        with open(path, "a+", encoding="utf-8") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                lock.seek(0)
                holder = lock.read().strip()
                who = f" (process {holder})" if holder.isdigit() else ""
                raise UsageError(f"{out_dir}: another nhskg build is writing it{who}; wait for it to finish "
                                 "or build into another --out") from None
            try:
                if os.stat(path).st_ino != os.fstat(lock.fileno()).st_ino:
                    continue  # locked a file the previous holder had just removed
            except FileNotFoundError:
                continue
            lock.truncate(0)
            lock.write(f"{os.getpid()}\n")
            lock.flush()
            try:
                yield
            finally:
                path.unlink(missing_ok=True)
            return


def _clear_leftovers(out_dir: Path) -> None:
    """Delete the staging folders killed builds left beside `out_dir` (with the lock held, no
    build is using them). A build killed between setting the old build aside and renaming the
    new one in (where folders cannot be exchanged in one step) left no `out_dir`: put the old back."""
    building, previous = f".{out_dir.name}.building-", f".{out_dir.name}.previous-"
    left = [p for p in out_dir.parent.iterdir() if p.name.startswith((building, previous))
            and p.name.rpartition("-")[2].isdigit() and p.is_dir() and not p.is_symlink()]
    aside = sorted((p for p in left if p.name.startswith(previous)), key=lambda p: p.stat().st_mtime)
    if aside and not out_dir.exists() and (aside[-1] / "manifest.json").is_file():
        os.replace(aside[-1], out_dir)
        left.remove(aside[-1])
    for path in left:
        shutil.rmtree(path, ignore_errors=True)


def _build(data_dir: Path, out_dir: Path) -> BuildResult:
    _check_out_dir(out_dir)
    staging = out_dir.parent / f".{out_dir.name}.building-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        with _loading_store(staging / STORE) as feed:
            result = build_dataset(data_dir, feed)
            writer.write_atomic(staging / "graph.nq", writer.nquads_lines(result.quads))
            writer.write_atomic(staging / "graph.trig", writer.trig_lines(result.quads))
        if feed is None:
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


@contextmanager
def _loading_store(path: Path) -> Iterator[Callable[[list[t.Quad]], None] | None]:
    """The persistent embedded store (pyoxigraph, DESIGN.md), loading while the build goes on.

    Yields a function that writes quads, as N-Quads, into a pipe that pyoxigraph bulk-loads
    on another thread; it reads the pipe without the GIL, so on a second core the store
    fills while Python builds, sorts and writes the files (measured in benchmarks/README.md).
    Where there is no /dev/fd to name the pipe by, yields None: load graph.nq afterwards.
    """
    import pyoxigraph as ox

    if not Path("/dev/fd").is_dir():
        yield None
        return
    read_end, write_end = os.pipe()
    store = ox.Store(str(path))
    failed: list[BaseException] = []

    def load(store: ox.Store) -> None:
        try:  # lenient: the quads are the build's own checked terms
            store.bulk_load(path=f"/dev/fd/{read_end}", format=ox.RdfFormat.N_QUADS, lenient=True)
        except BaseException as exc:  # handed to the building thread below
            failed.append(exc)
        finally:
            os.close(read_end)  # a writer still writing then fails instead of waiting for ever

    loader = threading.Thread(target=load, args=(store,), name="nhskg-store", daemon=True)
    loader.start()
    feed = os.fdopen(write_end, "w", encoding="utf-8", buffering=1 << 20)
    try:
        yield lambda quads: feed.writelines(writer.nquads_lines(quads))
    finally:
        feed.close()  # the end of the input: the loader finishes
        loader.join()
    if failed:
        raise failed[0]
    store.flush()  # no optimize(): 12 s more at 100,000 organisations, no question faster (benchmarks/)
    del store  # closes the database before the folder is renamed


def _load_store(nquads: Path, path: Path) -> None:
    """Bulk-load the dataset into a persistent embedded store (pyoxigraph, DESIGN.md)."""
    import pyoxigraph as ox

    store = ox.Store(str(path))
    store.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS, lenient=True)
    store.flush()  # no optimize(): 12 s more at 100,000 organisations, no question faster (benchmarks/)
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
    """Swap the finished folder into place, then delete the old one.

    Where the system can, the two folders are exchanged in one step, so `out_dir` always
    holds a whole build; elsewhere the old one is renamed aside and the new one renamed in
    (a build killed between the two leaves the old one aside; the next build puts it back).
    """
    if out_dir.exists() and _exchange(staging, out_dir):
        shutil.rmtree(staging, ignore_errors=True)  # it now holds the previous build
        return
    old = out_dir.parent / f".{out_dir.name}.previous-{os.getpid()}"
    if out_dir.exists():
        os.replace(out_dir, old)
    os.replace(staging, out_dir)
    shutil.rmtree(old, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Exchange two folders in one step (Linux renameat2 with RENAME_EXCHANGE); False where
    the system or the file system cannot, and nothing was changed."""
    if sys.platform != "linux":
        return False
    import ctypes

    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):  # a C library without renameat2 (glibc < 2.28, musl < 1.2.?)
        return False
    renameat2.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint)
    at_fdcwd, rename_exchange = -100, 2  # <fcntl.h>, <linux/fs.h>
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def _manifest(result: BuildResult, data_dir: Path) -> dict[str, object]:
    return {
        "tool": "nhs-dkg",
        "version": __version__,
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "data_dir": str(data_dir.resolve()),
        "registers": [vars(i) for i in result.registers],
        "summary": result.summary,
    }
