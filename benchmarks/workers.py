"""In-process measurements for benchmarks/run.py, each run in a fresh process and printing JSON.

python benchmarks/workers.py questions BUILD DATA REPEAT [MEMORY]  # every saved question, p50/p95
python benchmarks/workers.py rdflib-questions BUILD DATA   # the SPARQL questions on plain rdflib
python benchmarks/workers.py count FILE.nq          # distinct quads in an N-Quads file
python benchmarks/workers.py validate-whole BUILD OUT.json   # nhskg validate --whole
python benchmarks/workers.py validate-files BUILD OUT.json FILE...  # nhskg's validate (a submission)
python benchmarks/workers.py naive-shacl BUILD OUT.json     # pySHACL alone on the whole graph
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from graph_builder.core import iri as mint

ORG = mint.ID + "org/"
PROGRAMME = mint.ID + "programme/"


def _params(data: Path) -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = json.loads((data / "benchmark.json").read_text())["params"]
    return found


def _percentiles(times: list[float]) -> dict[str, float]:
    times = sorted(times)
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return {"p50_ms": round(statistics.median(times) * 1000, 2), "p95_ms": round(p95 * 1000, 2), "n": len(times)}


def _timed(call: Callable[[], Any], repeat: int, cap: float = 5.0) -> tuple[dict[str, float], Any]:
    """Up to `repeat` timed calls, fewer once they add up to `cap` seconds (at least one)."""
    times: list[float] = []
    result = None
    while len(times) < repeat and sum(times) < cap:
        t = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - t)
    return _percentiles(times), result


def questions(
    build: Path, data: Path, repeat: int, memory: bool = True, only: set[str] | None = None
) -> dict[str, Any]:
    """Every saved question through the catalogue; each SPARQL one also straight on pyoxigraph,
    on the same persistent store (read-only, as the catalogue opens it) and, if `memory`, in memory."""
    import pyoxigraph as ox

    from graph_builder.questions.catalogue import catalogue, run
    from graph_builder.store.embedded import open_store

    params = _params(data)
    t = time.perf_counter()
    open_store(build)
    out: dict[str, Any] = {"load_seconds": round(time.perf_counter() - t, 2), "questions": {}}
    stores = {"pyoxigraph": ox.Store.read_only(str(build / "store"))}
    if memory:  # 47.5M statements at 1M organisations: about 15 GB in memory, so left out there
        stores["pyoxigraph in memory"] = ox.Store()
        t = time.perf_counter()
        stores["pyoxigraph in memory"].bulk_load(path=str(build / "graph.nq"), format=ox.RdfFormat.N_QUADS)
        out["memory_load_seconds"] = round(time.perf_counter() - t, 2)
    for q in catalogue():
        if only is not None and q.name not in only:
            continue
        given = params.get(q.name, {})
        entry: dict[str, Any] = {"engine": q.engine}
        try:
            entry["catalogue"], result = _timed(lambda q=q, given=given: run(q.name, given, None, build), repeat)
            entry["rows"] = len(result.rows)
        except Exception as exc:  # a question that fails at this scale is a finding, not a crash
            entry["error"] = f"{type(exc).__name__}: {exc}"[:300]
        if q.engine == "sparql" and "error" not in entry:  # a question that timed out is not run again raw
            bound = {ox.Variable(k): ox.NamedNode((ORG if k == "code" else PROGRAMME) + v) for k, v in given.items()}
            for name, store in stores.items():

                def ask(store: ox.Store = store, q: Any = q, bound: Any = bound) -> int:
                    answer = store.query(q.query, use_default_graph_as_union=True, substitutions=bound or None)
                    return len(list(answer)) if isinstance(answer, ox.QuerySolutions) else 1

                entry[name], entry[f"{name} rows"] = _timed(ask, repeat)
        out["questions"][q.name] = entry
    return out


def rdflib_questions(build: Path, data: Path) -> dict[str, Any]:
    """The SPARQL questions on plain rdflib (graph.nq parsed into a Dataset), once each."""
    import logging

    from rdflib import Dataset, URIRef

    from graph_builder.questions.catalogue import catalogue

    logging.disable(logging.CRITICAL)
    params = _params(data)
    t = time.perf_counter()
    ds = Dataset(default_union=True)
    ds.parse(build / "graph.nq", format="nquads")
    out: dict[str, Any] = {"parse_seconds": round(time.perf_counter() - t, 2), "questions": {}}
    print(json.dumps(out), flush=True)  # partial results survive a budget kill
    for q in catalogue():
        if q.engine != "sparql":
            continue
        bindings = {k: URIRef((ORG if k == "code" else PROGRAMME) + v) for k, v in params.get(q.name, {}).items()}
        t = time.perf_counter()
        rows = list(ds.query(q.query, initBindings=bindings))
        out["questions"][q.name] = {"ms": round((time.perf_counter() - t) * 1000, 1), "rows": len(rows)}
        print(json.dumps(out), flush=True)
    return out


def count(path: Path) -> dict[str, Any]:
    import pyoxigraph as ox

    store = ox.Store()
    store.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
    return {"quads": len(store)}


def _keys(results: list[tuple[str, ...]], out: Path) -> dict[str, Any]:
    """(severity, focus, shape, path, value) of every result, written for comparison; counts per severity."""
    keys = sorted(set(results))
    out.write_text(json.dumps(keys))
    by: dict[str, int] = {}
    for sev, *_ in results:
        by[sev] = by.get(sev, 0) + 1
    return {"results": len(results), "by_severity": by, "distinct_results": len(keys)}


def _result_keys(graph: Any, nodes: Any) -> list[tuple[str, ...]]:
    """Each SHACL validation result as (severity, focus, shape, path, value): N-Triples terms."""
    from rdflib import BNode
    from rdflib.collection import Collection
    from rdflib.namespace import SH

    def term(node: Any) -> str:
        """A term; a blank-node path by its structure (its own label differs between parses)."""
        if isinstance(node, BNode):
            if (node, SH.inversePath, None) in graph:
                return "^" + term(graph.value(node, SH.inversePath))
            return "/".join(term(step) for step in Collection(graph, node))
        return "" if node is None else node.n3()

    return [
        (
            str(graph.value(r, SH.resultSeverity)).rsplit("#", 1)[-1],
            term(graph.value(r, SH.focusNode)),
            term(graph.value(r, SH.sourceShape)),
            term(graph.value(r, SH.resultPath)),
            term(graph.value(r, SH.value)),
        )
        for r in nodes
    ]


def validate_whole(build: Path, out: Path) -> dict[str, Any]:
    from graph_builder.validate import run as v
    from graph_builder.validate import whole

    t = time.perf_counter()
    report = whole.validate_whole(v.load_reference(build), v.load_shapes(None, "add"))
    seconds = time.perf_counter() - t
    return {"seconds": round(seconds, 2), **_keys(_result_keys(report.graph, report.nodes), out)}


def validate_files(build: Path, out: Path, files: list[Path]) -> dict[str, Any]:
    from graph_builder.validate import intake as submission
    from graph_builder.validate import run as v

    t = time.perf_counter()
    reference = v.load_reference(build)
    report = v.validate(files, reference, v.load_shapes(None, "add"))
    seconds = time.perf_counter() - t
    # the nodes validate reports on (v._described: the submission's subjects but for derived edges)
    described = sorted(v._described(submission.load_submission(files, reference.context).quads))
    out.with_suffix(".described.json").write_text(json.dumps(described))
    return {
        "seconds": round(seconds, 2),
        "described": len(described),
        **_keys(_result_keys(report.graph, report.nodes), out),
    }


def naive_shacl(build: Path, out: Path) -> dict[str, Any]:
    """pySHACL on the whole graph (every named graph merged), the shipped shapes, SHACL-AF on."""
    import logging

    import pyoxigraph as ox
    import pyshacl
    from rdflib import Graph
    from rdflib.namespace import SH

    from graph_builder.core import resources

    logging.disable(logging.CRITICAL)
    t = time.perf_counter()
    triples = ox.serialize(
        (
            ox.Triple(q.subject, q.predicate, q.object)
            for q in ox.parse(path=str(build / "graph.nq"), format=ox.RdfFormat.N_QUADS)
        ),
        format=ox.RdfFormat.N_TRIPLES,
    )
    data = Graph()
    data.parse(data=triples, format="nt")
    shapes = Graph()
    for path in sorted(resources.resource_dir("shapes").glob("*.ttl")):
        shapes.parse(path, format="turtle")
    parsed = time.perf_counter() - t
    _, results, _ = pyshacl.validate(
        data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True, allow_infos=True
    )
    reported = [r for r in results.subjects(SH.resultSeverity, None) if (None, SH.detail, r) not in results]
    found = _result_keys(results, reported)
    seconds = time.perf_counter() - t
    return {"seconds": round(seconds, 2), "parse_seconds": round(parsed, 2), **_keys(found, out)}


def main(argv: list[str]) -> int:
    what, *args = argv
    if what == "questions":
        only = set(args[4].split(",")) if len(args) > 4 and args[4] else None
        result = questions(Path(args[0]), Path(args[1]), int(args[2]), args[3:4] != ["no-memory"], only)
    elif what == "rdflib-questions":
        result = rdflib_questions(Path(args[0]), Path(args[1]))
    elif what == "validate-whole":
        result = validate_whole(Path(args[0]), Path(args[1]))
    elif what == "validate-files":
        result = validate_files(Path(args[0]), Path(args[1]), [Path(a) for a in args[2:]])
    elif what == "naive-shacl":
        result = naive_shacl(Path(args[0]), Path(args[1]))
    elif what == "count":
        result = count(Path(args[0]))
    else:
        raise SystemExit(f"unknown worker {what!r}")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
