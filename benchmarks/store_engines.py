"""Which embedded engine answers the saved questions fastest? Figures that chose store.py's engine.

    python benchmarks/store_engines.py                      # the shipped build + a 30x synthetic graph
    python benchmarks/store_engines.py BUILD_DIR ...        # any build folders (graph.nq, store/)
    python benchmarks/store_engines.py --copies 0           # no synthetic graph
    python benchmarks/store_engines.py --copies 30 --repeat 3 --budget 300

Engines, each timed in fresh processes (the median of --repeat runs):

- `pyoxigraph-store`: open the build's persistent store read-only (`Store.read_only`), no parsing;
- `pyoxigraph-memory`: load `graph.nq` into an in-memory pyoxigraph store;
- `oxrdflib-store`: rdflib's API (`Dataset.query`) over oxrdflib wrapping the persistent store;
- `oxrdflib-memory`: rdflib's API over oxrdflib, `graph.nq` parsed into it (format `ox-nquads`);
- `rdflib`: plain rdflib, `graph.nq` parsed into an in-memory `Dataset`, rdflib's SPARQL engine.

The workload is every saved SPARQL question (queries/*.rq) with its example parameters,
bound by the engine (pyoxigraph substitutions, rdflib initBindings). Phases: `open` (until
the store can answer), `first` (who-follows-whom, what `nhskg query` pays after opening),
`all` (every question once), and peak RSS. A run over `--budget` seconds is recorded as
such. The synthetic graph (`--copies N`) is the shipped graph.nq repeated N times with every
`https://w3id.org/nhs-dkg/id/` IRI and every blank node renamed per copy (`id/syn7/org/RQ6`);
the ontology graph is kept once. It is labelled synthetic everywhere: it only measures size.

Results: benchmarks/results/store-engines-<date>.json and .md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import signal
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from graph_builder.core import iri as mint

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
ENGINES = ("pyoxigraph-store", "pyoxigraph-memory", "oxrdflib-store", "oxrdflib-memory", "rdflib")
FIRST = "who-follows-whom"
ID = mint.ID
ONTOLOGY_GRAPH = f"<{mint.graph('ontology')}>"


def workload() -> list[tuple[str, str, dict[str, str]]]:
    """(name, query text, {variable: IRI or literal text}) for every saved SPARQL question."""
    sys.path.insert(0, str(REPO))
    from graph_builder.questions.catalogue import catalogue

    jobs = []
    for q in catalogue():
        if q.engine != "sparql":
            continue
        params: dict[str, str] = {}
        for p in q.params:
            if p.optional or not p.example:
                continue
            params[p.name] = mint.org(p.example.upper()) if p.type == "org" else p.example
        jobs.append((q.name, q.query, params))
    jobs.sort(key=lambda job: job[0] != FIRST)
    return jobs


SLOW = 60.0
"""Seconds after which an engine is run once instead of --repeat times."""
QUESTION_BUDGET = 60
"""Seconds one question may take in a worker (SIGALRM; it interrupts rdflib's pure-Python engine)."""


class QuestionTimeout(Exception):
    pass


def _alarm(signum: int, frame: object) -> None:
    raise QuestionTimeout


def worker(engine: str, build_dir: Path) -> dict[str, object]:
    """One fresh process: open the build with one engine and answer the workload."""
    signal.signal(signal.SIGALRM, _alarm)
    import logging

    logging.disable(logging.CRITICAL)  # rdflib logs every lexical form it cannot cast
    jobs = workload()
    started = time.perf_counter()
    if engine.startswith("pyoxigraph"):
        import pyoxigraph as ox

        if engine == "pyoxigraph-store":
            store = ox.Store.read_only(str(build_dir / "store"))
        else:
            store = ox.Store()
            store.bulk_load(path=str(build_dir / "graph.nq"), format=ox.RdfFormat.N_QUADS)

        def answer(query: str, params: dict[str, str]) -> int:
            subs = {
                ox.Variable(k): ox.NamedNode(v) if v.startswith("http") else ox.Literal(v) for k, v in params.items()
            }
            return len(list(store.query(query, use_default_graph_as_union=True, substitutions=subs or None)))
    else:
        from rdflib import Dataset, Literal, URIRef

        if engine == "oxrdflib-store":
            import pyoxigraph as ox
            from oxrdflib import OxigraphStore

            dataset = Dataset(
                store=OxigraphStore(store=ox.Store.read_only(str(build_dir / "store"))), default_union=True
            )
        elif engine == "oxrdflib-memory":
            dataset = Dataset(store="Oxigraph", default_union=True)
            dataset.parse(str(build_dir / "graph.nq"), format="ox-nquads")
        else:
            dataset = Dataset(default_union=True)
            dataset.parse(str(build_dir / "graph.nq"), format="nquads")

        def answer(query: str, params: dict[str, str]) -> int:
            bindings = {k: URIRef(v) if v.startswith("http") else Literal(v) for k, v in params.items()}
            return len(list(dataset.query(query, initBindings=bindings)))

    opened = time.perf_counter()
    rows: dict[str, int | str] = {}
    seconds: dict[str, float] = {}
    for name, query, params in jobs:
        t = time.perf_counter()
        signal.alarm(QUESTION_BUDGET)
        try:
            rows[name] = answer(query, params)
        except QuestionTimeout:
            rows[name] = f"timeout: over {QUESTION_BUDGET} s"
        except Exception as exc:  # plain rdflib fails on some saved queries: recorded, not fatal
            rows[name] = f"error: {type(exc).__name__}: {str(exc)[:120]}"
        finally:
            signal.alarm(0)
        seconds[name] = round(time.perf_counter() - t, 4)
    done = time.perf_counter()
    return {
        "open": round(opened - started, 4),
        "first": seconds[FIRST],
        "failed": sorted(name for name, v in rows.items() if isinstance(v, str)),
        "all": round(done - opened, 4),
        "per_question": seconds,
        "rows": rows,
        "peak_rss_mb": peak_rss_mb(),
    }


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM: reset at exec, unlike ru_maxrss after fork)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def run_engine(engine: str, build_dir: Path, repeat: int, budget: float) -> dict[str, object]:
    """Median figures of `repeat` fresh processes, or the budget that was exceeded."""
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        try:
            done = subprocess.run(
                [sys.executable, __file__, "--worker", engine, str(build_dir)],
                capture_output=True,
                text=True,
                timeout=budget,
                check=True,
            )
        except subprocess.TimeoutExpired:
            return {"engine": engine, "over_budget_s": budget}
        except subprocess.CalledProcessError as exc:
            return {"engine": engine, "error": exc.stderr.strip().splitlines()[-1:]}
        figures = json.loads(done.stdout)
        figures["process"] = round(time.perf_counter() - started, 4)
        runs.append(figures)
        if figures["process"] > SLOW:
            break  # one run of an engine this slow says enough
    summary: dict[str, object] = {"engine": engine, "runs": len(runs)}
    for key in ("process", "open", "first", "all", "peak_rss_mb"):
        summary[key] = round(statistics.median(float(r[key]) for r in runs), 4)
    summary["rows"] = runs[0]["rows"]
    summary["failed"] = runs[0]["failed"]
    summary["per_question"] = {
        name: round(statistics.median(float(r["per_question"][name]) for r in runs), 4)  # type: ignore[index]
        for name in runs[0]["per_question"]  # type: ignore[union-attr]
    }
    return summary


def synthetic(source: Path, copies: int, dest: Path) -> Path:
    """A SYNTHETIC build: source graph.nq repeated `copies` times with renamed IRIs, plus its store."""
    if (dest / "store").is_dir() and (dest / "SYNTHETIC").is_file():
        return dest
    dest.mkdir(parents=True, exist_ok=True)
    lines = (source / "graph.nq").read_text(encoding="utf-8").splitlines(keepends=True)
    blank = re.compile(r"_:([A-Za-z0-9]+)")
    with (dest / "graph.nq").open("w", encoding="utf-8") as out:
        out.writelines(lines)
        for k in range(1, copies):
            prefix = f"{ID}syn{k}/"
            for line in lines:
                if line.rstrip().endswith(ONTOLOGY_GRAPH + " ."):
                    continue
                out.write(blank.sub(rf"_:\1s{k}", line.replace("<" + ID, "<" + prefix)))
    import pyoxigraph as ox

    store = ox.Store(str(dest / "store"))
    store.bulk_load(path=str(dest / "graph.nq"), format=ox.RdfFormat.N_QUADS)
    store.flush()
    store.optimize()
    del store
    (dest / "SYNTHETIC").write_text(f"{copies} renamed copies of {source}/graph.nq; measures size only\n")
    return dest


def describe(build_dir: Path) -> dict[str, object]:
    quads = sum(1 for _ in (build_dir / "graph.nq").open(encoding="utf-8"))
    return {
        "build": str(build_dir),
        "synthetic": (build_dir / "SYNTHETIC").is_file(),
        "quads": quads,
        "graph_nq_bytes": (build_dir / "graph.nq").stat().st_size,
        "store_bytes": sum(f.stat().st_size for f in (build_dir / "store").rglob("*") if f.is_file()),
    }


def markdown(report: dict[str, object]) -> str:
    lines = [
        f"# Embedded store engines, {report['date']}",
        "",
        f"Machine: {report['machine']}. Medians of {report['repeat']} fresh processes (one where a run "
        f"took over {SLOW:g} s); seconds. "
        "`open` = until the store can answer; `first` = who-follows-whom after opening; "
        "`all` = every saved SPARQL question once; `process` = the whole fresh process, "
        "imports included. Produced by `python benchmarks/store_engines.py`.",
        "",
        f"Load average (1 min) before and after the run: {report.get('load_average_before', '?')}, "
        f"{report.get('load_average_after', '?')}: on a shared machine compare engines within a table.",
    ]
    for case in report["cases"]:  # type: ignore[attr-defined]
        info = case["data"]
        label = "SYNTHETIC (renamed copies of the shipped graph; size only)" if info["synthetic"] else "shipped data"
        lines += [
            "",
            f"## {info['quads']:,} quads: {label}",
            "",
            f"graph.nq {info['graph_nq_bytes']:,} bytes; store/ {info['store_bytes']:,} bytes",
            "",
            "| engine | open | first | all | process | peak RSS MB | questions failed or over 60 s |",
            "|---|---:|---:|---:|---:|---:|---|",
        ]
        for r in case["engines"]:
            if "open" in r:
                lines.append(
                    f"| {r['engine']} | {r['open']:.3f} | {r['first']:.3f} | {r['all']:.3f} | "
                    f"{r['process']:.3f} | {r['peak_rss_mb']:.0f} | {', '.join(r['failed']) or 'none'} |"
                )
            else:
                why = f"over budget ({r['over_budget_s']:g} s)" if "over_budget_s" in r else f"error {r['error']}"
                lines.append(f"| {r['engine']} | {why} | | | | | |")
        answered = [
            {k: v for k, v in r["rows"].items() if isinstance(v, int)}
            for r in case["engines"]
            if "rows" in r and r["engine"].startswith(("pyoxigraph", "oxrdflib"))
        ]
        agree = all(a[k] == b[k] for a in answered for b in answered for k in a.keys() & b.keys())
        lines += [
            "",
            "Rows per question agree across the Oxigraph-based engines (where they answered): "
            + ("yes" if agree else "NO")
            + ".",
        ]
        rdf = next((r for r in case["engines"] if r["engine"] == "rdflib" and "rows" in r), None)
        ref = next((r for r in case["engines"] if r["engine"] == "pyoxigraph-store" and "rows" in r), None)
        if rdf and ref:
            differ = sorted(n for n in ref["rows"] if ref["rows"][n] != rdf["rows"].get(n))
            lines.append(
                "Plain rdflib answers differently (other row counts, errors or timeouts) for: "
                + (", ".join(differ) or "none")
                + "."
            )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("builds", nargs="*", type=Path, help="build folders (default: build the shipped data)")
    parser.add_argument("--copies", type=int, default=30, help="synthetic copies of the first build (0: none)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--budget", type=float, default=300.0, help="seconds allowed per process")
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--work", type=Path, default=REPO / "build" / "benchmarks")
    parser.add_argument("--out", type=Path, default=HERE / "results")
    parser.add_argument("--worker", nargs=2, metavar=("ENGINE", "BUILD"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker[0], Path(args.worker[1]))))
        return
    builds = list(args.builds)
    if not builds:
        sys.path.insert(0, str(REPO))
        from graph_builder.build import run as building
        from graph_builder.core import resources

        builds = [args.work / "shipped"]
        building.build(resources.data_dir(), builds[0])
    if args.copies > 1:
        builds.append(synthetic(builds[0], args.copies, args.work / f"synthetic-{args.copies}x"))
    today = date.today().isoformat()
    report: dict[str, object] = {
        "date": today,
        "machine": f"{platform.machine()}, {platform.python_implementation()} {platform.python_version()}, "
        f"{len(os.sched_getaffinity(0))} cores",
        "repeat": args.repeat,
        "cases": [],
    }
    report["load_average_before"] = round(os.getloadavg()[0], 2)
    for build_dir in builds:
        case = {"data": describe(build_dir), "engines": []}
        for engine in args.engines.split(","):
            print(f"{build_dir.name}: {engine} ...", file=sys.stderr, flush=True)
            case["engines"].append(run_engine(engine, build_dir, args.repeat, args.budget))
        report["cases"].append(case)  # type: ignore[attr-defined]
    report["load_average_after"] = round(os.getloadavg()[0], 2)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"store-engines-{today}.json").write_text(json.dumps(report, indent=1) + "\n")
    (args.out / f"store-engines-{today}.md").write_text(markdown(report))
    print(markdown(report))


if __name__ == "__main__":
    main()
