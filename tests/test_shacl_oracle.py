"""A second, independent SHACL engine as the oracle: Apache Jena's (Debian's Jena 4.5, class
path repaired as tests/servers.py does) gives the same findings as `nhskg validate`.

Each run of `nhskg validate --format json --emit-data FILE` (the shipped graph with --whole,
the valid and the invalid submission of every rule case folder, three faulty submissions)
writes the data graph it checked; tests/jena/JenaShacl.java, compiled here and started once
for all of them, validates each with the project's shapes (the whole graph; for a
submission, the nodes it describes, which are the nodes nhskg reports on). Findings are
compared by severity, focus node, node shape, path and value, with Jena's report mapped to
the project's keys (shacl_keys.py): Jena names the node shape of a SPARQL constraint (sh:sourceShape) where
the project names the constraint, and writes a sequence path nested where pySHACL writes it
flat. Rows a register's own checks reject (no node, no SHACL) are not compared.
"""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
import servers
import shacl_keys
from rdflib import Graph
from shacl_keys import Key

from graph_builder.build import run as building
from graph_builder.cli.main import main
from graph_builder.core import iri as mint
from graph_builder.validate import emit, intake
from graph_builder.validate import run as validating
from graph_builder.validate.context import replaced_node
from graph_builder.validate.findings import Report
from graph_builder.validate.report import render_report
from graph_builder.validate.whole import validate_whole

CASES = Path(__file__).parent / "validate_cases"
ALL = sorted(p for p in CASES.iterdir() if (p / "expected.csv").is_file())
DATA = Path(__file__).resolve().parent.parent / "data"


def faulty() -> dict[str, list[Path]]:
    """Three faulty submissions: every case's broken Turtle at once, every case's broken
    single-file CSV at once (some rows collide, and are rejected), and the shipped
    deployments resubmitted (its warnings and infos)."""
    broken = [p for case in ALL for p in sorted(case.glob("invalid*"))]
    return {
        "faulty-all-turtle": [p for p in broken if p.suffix == ".ttl"],
        "faulty-all-csv": [p for p in broken if p.name == "invalid.csv"],
        "faulty-deployments": [DATA / "deployments.csv"],
    }


def runs() -> dict[str, list[Path] | None]:
    """What is validated: None is the whole shipped graph."""
    found: dict[str, list[Path] | None] = {"whole": None}
    for case in ALL:
        for stem in ("valid", "invalid"):
            found[f"{case.name}/{stem}"] = sorted(
                p for p in case.iterdir() if p.name.startswith(stem) and p.suffix in (".csv", ".ttl")
            )
    found.update(faulty())
    return found


def nhskg(args: list[str]) -> int:
    try:
        main(["-q", *args])
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


@pytest.fixture(scope="session")
def jena_shacl(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """The command that runs tests/jena/JenaShacl.java (compiled here) on Debian's Jena."""
    servers.missing("java", "javac", files=(servers.JAVA / "jena-shacl.jar",))
    folder = tmp_path_factory.mktemp("jena-shacl")
    classpath = servers.jena_classpath(folder / "jena-fix") + f":{servers.JAVA / 'jena-shacl.jar'}"
    servers.compile_java(servers.HERE / "jena" / "JenaShacl.java", folder / "classes", classpath)
    return ["java", "-Xmx1g", "-XX:+UseSerialGC", "-cp", f"{folder / 'classes'}:{classpath}", "JenaShacl"]


Verdicts = dict[str, tuple[Counter[Key], Counter[Key]]]


@pytest.fixture(scope="session")
def oracle_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What the JVM is given: the build's graph, and each submission's overlay (files named by its run's number)."""
    return tmp_path_factory.mktemp("oracle")


@pytest.fixture(scope="session")
def verdicts(built: building.BuildResult, jena_shacl: list[str], oracle_dir: Path) -> Verdicts:
    """Per run: nhskg's findings and Jena's. One JVM holds the build's graph, as
    `--emit-data` writes it with --whole, and checks each submission laid over it as
    run.validate lays it (the build's statements about the nodes it replaces hidden, its
    own added) while this process validates the next (the Python API, as the CLI calls it)."""
    folder = oracle_dir
    reference, shapes = validating.load_reference(built.out_dir), validating.load_shapes()
    shapes.graph.serialize(folder / "shapes.nt", format="nt", encoding="utf-8")
    store = reference.store()
    emit.emit_data(folder / "reference.nt", store.quads_for_pattern(None, None, None))  # as validate_whole does
    subjects = {
        q.subject.value for q in store.quads_for_pattern(None, None, None) if isinstance(q.subject, ox.NamedNode)
    }
    with (folder / "jena.err").open("wb") as err:
        jena = subprocess.Popen(
            [*jena_shacl, str(folder / "shapes.nt"), str(folder / "reference.nt")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
        )
        assert jena.stdin is not None
        jena.stdin.write(f"whole {folder / 'whole.jena.nt'}\n")
        jena.stdin.flush()
        ours = {"whole": _keys(validate_whole(reference, shapes, str(built.out_dir / "graph.nq")), shapes.graph)}
        for n, (name, files) in enumerate(runs().items()):
            if files is not None:
                ours[name] = _keys(validating.validate(files, reference, shapes), shapes.graph)
                jena.stdin.write(_overlay(folder / str(n), files, reference, subjects) + "\n")
                jena.stdin.flush()
        out, _ = jena.communicate(timeout=900)
    assert jena.returncode == 0 and out.split() == ["done"] * len(ours), (folder / "jena.err").read_text()[-2000:]
    reports = [folder / "whole.jena.nt"] + [folder / f"{n}.jena.nt" for n in range(1, len(ours))]
    return {
        name: (ours[name], Counter(shacl_keys.report_keys(Graph().parse(r, format="nt"))))
        for name, r in zip(ours, reports, strict=True)
    }


def _overlay(prefix: Path, files: list[Path], reference: validating.Reference, subjects: set[str]) -> str:
    """Write what a submission changes in the build's graph (the subjects it hides, the
    statements it adds) and the nodes to check; the JVM's command that checks them."""
    submitted = intake.load_submission(files, reference.context, intake.DEFAULT_MAX_SIZE)
    replaced = {
        q.subject.value
        for q in submitted.quads
        if q.predicate == validating._ROW and isinstance(q.subject, ox.NamedNode)
    }
    hidden = sorted(s for s in subjects if replaced_node(s, replaced)) if replaced else []
    names = [prefix.with_suffix(s) for s in (".hidden", ".added.nt", ".focus", ".jena.nt")]
    names[0].write_text("".join(f"{iri}\n" for iri in hidden), encoding="utf-8")
    emit.emit_data(names[1], submitted.quads)
    focus = sorted(validating._described(submitted.quads))
    names[2].write_text("".join(f"{iri}\n" for iri in focus), encoding="utf-8")
    return "case " + " ".join(str(p) for p in names)


def _keys(report: Report, shapes: Graph) -> Counter[Key]:
    return Counter(shacl_keys.ours(json.loads(render_report(report, "json", "violation")), shapes))


CLAIM_UNIT = (
    "Violation",
    mint.BASE + "id/claim/test",
    mint.SHAPES + "ClaimShape",
    "ndk:unit",
    mint.BASE + "id/claim/test",
)
KNOWN = {("faulty-all-turtle", CLAIM_UNIT): (1, 4)}
"""Known differences, (run, finding): (nhskg's count, Jena's). The Turtle of several cases at
once describes claim/test four times over (four kinds), so the ClaimUnit SELECT has four
solutions for it, all alike in focus, path and value. SHACL (W3C Recommendation, 2017),
section 5.3 "Validation with SPARQL-based Constraints" (textual definition): "There is one
validation result for each solution that does not have true as the binding for the
variable failure", its properties mapped from the solution as 5.3.2 says (focus from
$this, path, value). Jena follows it; pySHACL, and so nhskg, reports the identical results
once. The spec sides with Jena; nhskg's one result loses nothing a user acts on (same node,
property, value and message)."""


@pytest.mark.parametrize("name", list(runs()))
def test_jena_gives_the_same_findings(name: str, verdicts: dict[str, tuple[Counter[Key], Counter[Key]]]) -> None:
    ours, jena = verdicts[name]
    for (run, key), (mine, theirs) in KNOWN.items():
        if run == name:
            assert (ours[key], jena[key]) == (mine, theirs), "a known difference changed: update KNOWN"
            ours, jena = ours - Counter({key: mine}), jena - Counter({key: theirs})
    assert ours == jena, (
        f"only nhskg: {sorted((ours - jena).elements())}\nonly Jena: {sorted((jena - ours).elements())}"
    )


def test_the_runs_find_something(verdicts: dict[str, tuple[Counter[Key], Counter[Key]]]) -> None:
    """The comparison is not between empty reports: every invalid case and faulty submission has findings."""
    empty = [
        name for name, (ours, _) in verdicts.items() if not ours and not name.endswith("/valid") and name != "whole"
    ]
    assert not empty and verdicts["whole"][0], f"no findings to compare in {empty}"


def test_the_emitted_data_gives_the_findings(
    built: building.BuildResult, oracle_dir: Path, verdicts: Verdicts, tmp_path: Path
) -> None:
    """`nhskg validate --emit-data FILE` writes the graph Jena is given for a submission (the
    build's, the rows it replaces hidden, its own added), and pySHACL itself, on that file,
    finds about the submission's nodes what the report says."""
    import pyshacl

    name = "faulty-all-csv"  # rows replacing shipped rows, and new ones
    n, files = list(runs()).index(name), runs()[name]
    assert files is not None
    data, report = tmp_path / "data.nt", tmp_path / "report.json"
    nhskg(
        [
            "validate",
            *map(str, files),
            "--against",
            str(built.out_dir),
            "--format",
            "json",
            "-o",
            str(report),
            "--emit-data",
            str(data),
        ]
    )
    hidden = set((oracle_dir / f"{n}.hidden").read_text(encoding="utf-8").split())
    overlaid = {t for t in ox.parse(path=oracle_dir / "reference.nt") if t.subject.value not in hidden}
    overlaid |= set(ox.parse(path=oracle_dir / f"{n}.added.nt"))
    assert set(ox.parse(path=data)) == overlaid, "the data emitted is not the graph Jena checks"
    focus = (oracle_dir / f"{n}.focus").read_text(encoding="utf-8").split()
    shapes = validating.load_shapes().graph
    _, results, _ = pyshacl.validate(
        Graph().parse(data, format="nt"),
        shacl_graph=shapes,
        inference="none",
        advanced=True,  # the SHACL-AF SPARQL targets
        inplace=True,
        focus_nodes=focus,
        allow_warnings=True,
        allow_infos=True,
    )
    assert isinstance(results, Graph)
    mine = Counter(shacl_keys.ours(json.loads(report.read_text(encoding="utf-8")), shapes))
    assert Counter(shacl_keys.report_keys(results)) == mine == verdicts[name][0]
