"""The embedded query engine: a build's persistent pyoxigraph store, opened read-only.

`open_store(build_dir)` opens `build/store` (the RocksDB store `nhskg build` writes) with
`pyoxigraph.Store.read_only`: nothing is parsed, the files are not changed, and any
number of processes (an `nhskg serve` among them) may read it at once. A build folder
without a store (an older build, or a bare `graph.nq`) falls back to loading `graph.nq`
into memory. Opened stores are kept for the life of the process; a rebuilt folder is
opened again. Queries see the default graph as the union of every named graph, so a
saved query needs no `GRAPH` clause.

Why this engine (benchmarks/store_engines.py, figures in benchmarks/results/): a command
opens the build and answers one question, and the persistent store does that fastest: it
opens in about 0.05 s whatever the size, where loading graph.nq into memory grows with the
graph (0.6 s for the shipped 42k quads, 7.6 s for 1.2M), and it holds half the memory. Each
query runs 3 to 5 times faster in memory, so `open_store(build, memory=True)` is there for a
long-lived program asking many questions of a large graph. Plain rdflib needs seconds to
parse the shipped build and cannot answer five saved questions. rdflib stays the API where
it costs nothing: `EmbeddedStore.rdflib_dataset()` is an rdflib view (oxrdflib) of the same
store.

`GraphStore` is the interface the catalogue and the analyses use: `select` and
`has_subject`. `EmbeddedStore` implements it here, `remote.RemoteStore` over HTTP, so a
saved question runs unchanged against either.

Timeouts: pyoxigraph evaluates a query without holding the GIL but offers no way to
cancel one. `GraphStore.select` therefore runs the evaluation in a daemon worker thread
and waits at most `timeout` seconds; past that it raises `QueryTimeout` and abandons the
worker. In the `nhskg` command the process then exits, which ends the query; in a
long-lived Python process the abandoned query runs on in the background until it
finishes, so keep timeouts for queries that may run away.

Parameters: the saved questions get theirs written into the query as a VALUES block
(store/values.py, the same text on every engine); `substitutions` (pyoxigraph's SEP-0007
substitution: a substituted variable must be projected, and BOUND() of it is folded to
false at planning time) is left for internal lookups that bind a node the graph holds.

How pyoxigraph 0.5 plans a query, which decides whether a question answers in milliseconds
or times out on a national-scale graph (measured at 100,000 organisations, 4.7M quads; a
RocksDB lookup costs about 0.03-0.1 ms):

1. a parameter bound by VALUES or substitution counts as unknown when the plan is made: name
   it first in a pattern the planner rates as small (`?code a ndk:Organisation`) and
   evaluation starts from it. A node known in advance (an IRI of the
   graph, never user text) can be written into the query as a constant instead, which the
   planner does know is bound (network.successions_from: one lookup 0.5 ms);
2. an OPTIONAL holding more than one pattern, or a property path such as
   `dcterms:source/dcterms:identifier`, is evaluated over the whole graph (20-35 s) before it
   is joined; an OPTIONAL of a single pattern is looked up row by row. Put every required
   pattern before any OPTIONAL;
3. two triple patterns sharing a variable are joined by looking the second up once per row
   of the first, so reading a whole large class (90,000 deployments with four properties)
   costs a lookup per row and property (9 s). Each pattern in a subquery of its own,
   `{ SELECT ?n ?x WHERE { ?n ndk:p ?x } }`, is read once in bulk and hash-joined (1.1 s).
   Decoding results also costs (IRIs about 5 µs each), so select only what is needed.

Why the persistent store answers slower than the same graph in memory (benchmarks/README.md,
issue 15): not the read-only mode but compaction. A store loaded in slices holds many
overlapping RocksDB files (167 at 100,000 organisations), without bloom filters, and a
read-only handle never compacts them; the same store after `Store.optimize()` answers the
same queries 3-4x faster, read-only. A handle opened here cannot compact (it writes nothing);
so the build calls `optimize()` once it has loaded the store (build/loader.py).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from graph_builder.core.errors import UsageError

if TYPE_CHECKING:
    from rdflib import Dataset

DEFAULT_TIMEOUT = 30.0
"""Seconds a query may run before it is stopped (`--timeout` on the command line)."""

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
Cell = Term | None


class QueryTimeout(UsageError):
    """A query ran past its timeout and was stopped (exit 2: narrow it or raise --timeout)."""


@dataclass(frozen=True)
class Solutions:
    """The answer of a query: variable names and rows of terms (None where unbound).

    For ASK, `boolean` is set and there are no variables; for CONSTRUCT and DESCRIBE the
    variables are subject, predicate and object.
    """

    variables: list[str]
    rows: list[list[Cell]]
    boolean: bool | None = None


class GraphStore:
    """A read-only graph that answers SPARQL: the embedded store or a remote endpoint."""

    def select(
        self,
        query: str,
        substitutions: Mapping[str, Term] | None = None,
        timeout: float | None = DEFAULT_TIMEOUT,
    ) -> Solutions:
        """Run a read-only query with variables bound to terms; stop it after `timeout` s."""
        bound = {ox.Variable(name): term for name, term in (substitutions or {}).items()}
        box: dict[str, object] = {}

        def work() -> None:
            try:
                box["result"] = self._evaluate(query, bound)
            except BaseException as exc:  # handed to the waiting thread
                box["error"] = exc

        worker = threading.Thread(target=work, name="nhskg-query", daemon=True)
        worker.start()
        worker.join(timeout)
        if worker.is_alive():
            raise self._timed_out(timeout or 0.0)
        if "error" in box:
            error = box["error"]
            if isinstance(error, SyntaxError):  # the parser's grammar would fill a screen: its first words
                said = " ".join(str(error).split())
                raise UsageError(f"not a valid SPARQL query: {said[:160]}{'…' if len(said) > 160 else ''}") from None
            assert isinstance(error, BaseException)
            raise error
        result = box["result"]
        assert isinstance(result, Solutions)
        return result

    def has_subject(self, node: ox.NamedNode) -> bool:
        """Whether the graph says anything about `node`."""
        raise NotImplementedError

    def _evaluate(self, query: str, bound: dict[ox.Variable, Term]) -> Solutions:
        raise NotImplementedError

    def _timed_out(self, timeout: float) -> Exception:
        return QueryTimeout(f"the query was stopped after {timeout:g} s; narrow it or allow more time with --timeout")


class EmbeddedStore(GraphStore):
    """One build's graph in pyoxigraph: the persistent store read-only, or graph.nq in memory."""

    def __init__(self, store: ox.Store, path: Path) -> None:
        self._store = store
        self.path = path
        """The store folder (persistent) or the graph.nq file (loaded into memory)."""

    @property
    def persistent(self) -> bool:
        return self.path.is_dir()

    def __len__(self) -> int:
        return len(self._store)

    def has_subject(self, node: ox.NamedNode) -> bool:
        return any(True for _ in self._store.quads_for_pattern(node, None, None))

    def named_graphs(self) -> list[ox.NamedNode]:
        """The named graphs of the build, sorted."""
        return sorted((g for g in self._store.named_graphs() if isinstance(g, ox.NamedNode)), key=str)

    def graph_sizes(self) -> dict[str, int]:
        """The number of triples in each named graph, by graph IRI."""
        query = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
        answer = self._store.query(query)
        assert isinstance(answer, ox.QuerySolutions)
        return {str(row["g"].value): int(row["n"].value) for row in answer}

    def ntriples(self, graph: ox.NamedNode) -> bytes:
        """One named graph as N-Triples (serialised by pyoxigraph, in the store's order)."""
        return self._store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph) or b""

    def rdflib_dataset(self) -> Dataset:
        """The same store seen through rdflib's API (oxrdflib; nothing is copied or parsed).

        Queries through `Dataset.query` run in pyoxigraph; the default graph is the union.
        For pySHACL, copy the few graphs a rule needs into a plain rdflib Graph instead
        (pySHACL over oxrdflib is slow, DESIGN.md).
        """
        from oxrdflib import OxigraphStore
        from rdflib import Dataset

        return Dataset(store=OxigraphStore(store=self._store), default_union=True)

    def _evaluate(self, query: str, bound: dict[ox.Variable, Term]) -> Solutions:
        answer = self._store.query(query, use_default_graph_as_union=True, substitutions=bound or None)
        if isinstance(answer, ox.QueryBoolean):
            return Solutions([], [], bool(answer))
        if isinstance(answer, ox.QuerySolutions):
            names = [v.value for v in answer.variables]
            return Solutions(names, [[solution[name] for name in names] for solution in answer])
        return Solutions(["subject", "predicate", "object"], [[t.subject, t.predicate, t.object] for t in answer])


_CACHE: dict[Path, tuple[tuple[int, int, int], EmbeddedStore]] = {}
_LOCK = threading.Lock()
STORE_DIR = "store"
"""The persistent store's folder inside a build (build.STORE)."""


def _check_build(build_dir: Path) -> None:
    if not build_dir.is_dir():
        raise UsageError(f"{build_dir}: no such build folder; run `nhskg build` first (or pass --build DIR)")


def graph_file(build_dir: Path) -> Path:
    """The N-Quads file of a build folder, or a UsageError saying to build first."""
    _check_build(build_dir)
    path = build_dir / "graph.nq"
    if not path.is_file():
        raise UsageError(f"{build_dir}: holds no graph.nq; run `nhskg build` first (or pass --build DIR)")
    return path


def store_dir(build_dir: Path) -> Path | None:
    """The build's persistent store folder, or None for a build without one."""
    path = build_dir / STORE_DIR
    return path if (path / "CURRENT").is_file() else None


def open_store(build_dir: Path, memory: bool = False) -> EmbeddedStore:
    """The build's graph: its persistent store opened read-only, else graph.nq loaded into memory.

    `memory=True` loads graph.nq into memory even where there is a store: seconds more to
    open a large build, but each query then runs several times faster (benchmarks/results),
    which pays off for a long-lived process that asks many questions. Reused while the
    build is unchanged (a new build is a new folder, so a new stamp).
    """
    _check_build(build_dir)
    path = (None if memory else store_dir(build_dir)) or graph_file(build_dir)
    path = path.resolve()
    stat = path.stat()
    stamp = (stat.st_ino, stat.st_mtime_ns, stat.st_size if path.is_file() else 0)
    with _LOCK:
        cached = _CACHE.get(path)
        if cached and cached[0] == stamp:
            return cached[1]
        loaded = EmbeddedStore(_open_persistent(path) if path.is_dir() else _load_nquads(path), path)
        _CACHE[path] = (stamp, loaded)
        return loaded


def _open_persistent(path: Path) -> ox.Store:
    try:
        return ox.Store.read_only(str(path))
    except (OSError, RuntimeError) as exc:  # RocksDB reports damage as RuntimeError
        raise UsageError(f"{path}: cannot open the store read-only ({exc}); run `nhskg build` again") from None


def _load_nquads(path: Path) -> ox.Store:
    store = ox.Store()
    try:
        store.load(path=path, format=ox.RdfFormat.N_QUADS)
    except (SyntaxError, ValueError) as exc:
        raise UsageError(f"{path}: cannot be read as N-Quads ({exc}); run `nhskg build` again") from None
    return store
