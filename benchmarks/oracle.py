"""The `oracle` case of benchmarks/run.py: Apache Jena's SHACL engine against `nhskg validate --whole`.

At the given --orgs, `nhskg validate --whole --format json --emit-data DATA.nt` checks the
build's graph and writes the data graph it checked; tests/jena/JenaShacl.java (compiled
into the work folder against Debian's Jena 4.5, class path repaired as tests/servers.py
does) validates DATA.nt with the shipped shapes. The findings are compared as
tests/test_shacl_oracle.py compares them (tests/shacl_keys.py: severity, focus node, node
shape, path, value), as multisets: a finding one engine reports twice counts twice. Each
engine is one fresh process, measured (wall, CPU, peak RSS); nhskg's time includes writing
DATA.nt, Jena's starting the JVM and parsing DATA.nt.
"""

from __future__ import annotations

import json
import shutil
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
TESTS = HERE.parent / "tests"
EXAMPLES = 5
JAVA_HEAP = "-Xmx8g"

Key = tuple[str, str, str, str, str]  # severity, focus, node shape, path, value (tests/shacl_keys.py)
Measure = Callable[..., dict[str, Any]]


def run_oracle(build: Path, folder: Path, measure: Measure, budget: float) -> dict[str, Any]:
    """Both engines on the whole graph of `build`; their findings compared."""
    sys.path.insert(0, str(TESTS))
    import servers
    import shacl_keys
    from rdflib import Graph

    from graph_builder.validate import run as validating

    absent = [c for c in ("java", "javac") if not shutil.which(c)]
    absent += [str(f) for f in (servers.JAVA / "jena-shacl.jar",) if not f.is_file()]
    if absent:
        return {"skipped": f"not installed: {', '.join(absent)} (Debian: default-jdk, libapache-jena-java)"}
    folder.mkdir(parents=True, exist_ok=True)
    report, data, jena_report = folder / "report.json", folder / "data.nt", folder / "jena.nt"
    shapes = validating.load_shapes().graph
    shapes.serialize(folder / "shapes.nt", format="nt", encoding="utf-8")
    cmd = [sys.executable, "-m", "graph_builder", "-q", "validate", "--whole", "--against", str(build)]
    ours = measure([*cmd, "--format", "json", "-o", str(report), "--emit-data", str(data)], budget)
    out: dict[str, Any] = {"nhskg validate --whole": _timing(ours)}
    if not (report.is_file() and data.is_file()):
        return out
    (folder / "commands").write_text(f"whole {jena_report}\n", encoding="utf-8")
    jena = measure([*_jena(servers, folder), str(folder / "shapes.nt"), str(data)], budget, stdin=folder / "commands")
    out["Jena SHACL (JenaShacl.java)"] = _timing(jena)
    if not jena_report.is_file() or jena["rc"] != 0:
        return out
    mine = Counter(shacl_keys.ours(json.loads(report.read_text(encoding="utf-8")), shapes))
    theirs = Counter(shacl_keys.report_keys(Graph().parse(jena_report, format="nt")))
    out["comparison"] = compare(mine, theirs)
    return out


def _jena(servers: Any, folder: Path) -> list[str]:
    """The command that runs JenaShacl, compiled into `folder` as tests/test_shacl_oracle.py does."""
    classpath = servers.jena_classpath(folder / "jena-fix") + f":{servers.JAVA / 'jena-shacl.jar'}"
    servers.compile_java(TESTS / "jena" / "JenaShacl.java", folder / "classes", classpath)
    return ["java", JAVA_HEAP, "-XX:+UseSerialGC", "-cp", f"{folder / 'classes'}:{classpath}", "JenaShacl"]


def _timing(m: dict[str, Any]) -> dict[str, Any]:
    kept = {k: m[k] for k in ("wall", "cpu", "rss_mb", "rc")}
    if m.get("timeout"):
        kept["error"] = "timeout"
    elif m["rc"] not in (0, 1):  # 1: nhskg found violations
        kept["error"] = m.get("stderr", "")[-600:]
    return kept


def compare(mine: Counter[Key], theirs: Counter[Key]) -> dict[str, Any]:
    """Counts each side, what only one side reports (in total, by severity/shape/path, a few examples)."""
    only_ours, only_jena = mine - theirs, theirs - mine
    return {
        "nhskg results": mine.total(),
        "Jena results": theirs.total(),
        "by severity": {
            side: dict(Counter(k[0] for k in found.elements())) for side, found in (("nhskg", mine), ("Jena", theirs))
        },
        "same": only_ours == only_jena == Counter(),
        "only nhskg": only_ours.total(),
        "only Jena": only_jena.total(),
        "only nhskg, by (severity, shape, path)": _kinds(only_ours),
        "only Jena, by (severity, shape, path)": _kinds(only_jena),
        "only nhskg, examples": [list(k) for k in sorted(only_ours)[:EXAMPLES]],
        "only Jena, examples": [list(k) for k in sorted(only_jena)[:EXAMPLES]],
    }


def _kinds(found: Counter[Key]) -> dict[str, int]:
    kinds = Counter(" ".join((k[0], k[2].rpartition("/")[2], k[3] or "-")) for k in found.elements())
    return dict(kinds.most_common())


def oracle_md(o: dict[str, Any]) -> list[str]:
    """The Markdown of the case: each engine's time and memory, then the comparison."""
    out = [
        "### SHACL oracle (whole graph: `nhskg validate --whole` against Apache Jena's SHACL, fresh processes)",
        "",
        "| engine | wall s | CPU s | peak RSS MB | results (by severity) |",
        "|---|---|---|---|---|",
    ]
    if "skipped" in o:
        return [*out[:1], "", o["skipped"], ""]
    c = o.get("comparison", {})
    for name, side in (("nhskg validate --whole", "nhskg"), ("Jena SHACL (JenaShacl.java)", "Jena")):
        r = o.get(name)
        if r is None:
            continue
        counts = c.get("by severity", {}).get(side, {})
        found = ", ".join(f"{k} {counts[k]:,}" for k in ("Violation", "Warning", "Info") if k in counts)
        found = f"failed: {r['error'][:80]}" if r.get("error") else found or "-"
        out.append(f"| {name} | {r['wall']:.1f} | {r['cpu']:.1f} | {r['rss_mb']:,.0f} | {found} |")
    if c:
        out += [
            "",
            f"Compared by (severity, focus node, node shape, path, value), as multisets: nhskg "
            f"{c['nhskg results']:,}, Jena {c['Jena results']:,}; only nhskg {c['only nhskg']:,}, only Jena "
            f"{c['only Jena']:,}: {'the same findings' if c['same'] else '**they differ**'}.",
        ]
        for side in ("only nhskg", "only Jena"):
            for kind, n in c[f"{side}, by (severity, shape, path)"].items():
                out.append(f"- {side}: {n:,} of {kind}")
            out += [f"  - e.g. `{' | '.join(k)}`" for k in c[f"{side}, examples"][:3]]
    return [*out, ""]
