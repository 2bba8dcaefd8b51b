"""A second, independent SHACL engine as the oracle: Apache Jena's (Debian's Jena 4.5, class
path repaired as tests/servers.py does) gives the same findings as `nhskg validate`.

Each run of `nhskg validate --format json --emit-data FILE` (the shipped graph with --whole,
the valid and the invalid submission of every rule case folder, three faulty submissions)
writes the data graph it checked; tests/jena/JenaShacl.java, compiled here and started once
for all of them, validates each with the project's shapes (the whole graph; for a
submission, the nodes it describes, which are the nodes nhskg reports on). Findings are
compared by severity, focus node, node shape, path and value, with Jena's report mapped to
the project's keys: Jena names the node shape of a SPARQL constraint (sh:sourceShape) where
the project names the constraint, and writes a sequence path nested where pySHACL writes it
flat. Rows a register's own checks reject (no node, no SHACL) are not compared.
"""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from pathlib import Path

import pytest
import servers
from rdflib import RDF, Graph, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from graph_builder.cli.main import main
from graph_builder.core import iri as mint
from graph_builder.core.terms import PREFIXES
from graph_builder.validate import intake
from graph_builder.validate import run as validating

CASES = Path(__file__).parent / "validate_cases"
ALL = sorted(p for p in CASES.iterdir() if (p / "expected.csv").is_file())
DATA = Path(__file__).resolve().parent.parent / "data"
Key = tuple[str, str, str, str, str]  # severity, focus, node shape, path, value


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
    return ["java", "-Xmx1g", "-cp", f"{folder / 'classes'}:{classpath}", "JenaShacl"]


@pytest.fixture(scope="session")
def verdicts(
    built, jena_shacl: list[str], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, tuple[Counter[Key], Counter[Key]]]:
    """Per run: nhskg's findings and Jena's, on the data nhskg emitted (one JVM for all)."""
    folder = tmp_path_factory.mktemp("oracle")
    reference = validating.load_reference(built.out_dir)
    shapes = validating.load_shapes()
    shapes.graph.serialize(folder / "shapes.nt", format="nt", encoding="utf-8")
    jena_args, ours = [str(folder / "shapes.nt")], {}
    for n, (name, files) in enumerate(runs().items()):
        data, report = folder / f"{n}.nt", folder / f"{n}.json"
        what = ["--whole"] if files is None else [str(p) for p in files]
        code = nhskg(
            [
                "validate",
                *what,
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
        assert code in (0, 1), f"{name}: nhskg validate exit {code}"
        ours[name] = Counter(_ours(json.loads(report.read_text(encoding="utf-8")), shapes.graph))
        focus = "-"
        if files is not None:
            submitted = intake.load_submission(files, reference.context, intake.DEFAULT_MAX_SIZE)
            (folder / f"{n}.focus").write_text(
                "".join(f"{iri}\n" for iri in sorted(validating._described(submitted.quads))), encoding="utf-8"
            )
            focus = str(folder / f"{n}.focus")
        jena_args += [str(data), focus, str(folder / f"{n}.jena.nt")]
    done = subprocess.run([*jena_shacl, *jena_args], capture_output=True, timeout=1200, check=False)
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")[-2000:]
    found = {}
    for n, name in enumerate(ours):
        jena = Graph().parse(folder / f"{n}.jena.nt", format="nt")
        found[name] = (ours[name], Counter(_jena(jena)))
    return found


def _ours(report: dict, shapes: Graph) -> list[Key]:
    """nhskg's findings about nodes (not rejected rows), the SPARQL constraint named by its node shape."""
    keys = []
    for r in report["results"]:
        if r["focus"] is None:
            continue
        shape = URIRef(r["shape"])
        holder = shapes.value(None, SH.sparql, shape)
        keys.append((r["severity"], r["focus"], str(holder or shape), r["path"] or "", r["value"] or ""))
    return keys


def _jena(report: Graph) -> list[Key]:
    keys = []
    for r in report.subjects(RDF.type, SH.ValidationResult):
        path = report.value(r, SH.resultPath)
        value = report.value(r, SH.value)
        keys.append(
            (
                str(report.value(r, SH.resultSeverity)).rpartition("#")[2],
                _show(report.value(r, SH.focusNode)),
                str(report.value(r, SH.sourceShape)),
                _path(report, path) if path is not None else "",
                _show(value) if value is not None else "",
            )
        )
    return keys


def _show(node: Node | None) -> str:
    """As the project shows a node: a skolemised blank node as _:label."""
    text = str(node)
    return "_:" + text[len(mint.SKOLEM) :].partition("-")[2] if text.startswith(mint.SKOLEM) else text


def _path(report: Graph, path: Node) -> str:
    """A SHACL path as the project writes it; a sequence nested inside a sequence (as Jena
    writes a/b/c: a, then (b, c)) reads as the flat sequence it means."""
    if isinstance(path, URIRef):
        text = str(path)
        for prefix, namespace in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
            if text.startswith(namespace) and text[len(namespace) :].replace("-", "_").isidentifier():
                return f"{prefix}:{text[len(namespace) :]}"
        return text
    inverse = report.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + _path(report, inverse)
    return "/".join(_path(report, step) for step in report.items(path))


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
section 5.3.2 "Mapping of Solution Bindings to Result Properties": each solution of the
SELECT query is one validation result. Jena follows it; pySHACL, and so nhskg, reports
the identical results once. The spec sides with Jena; nhskg's one result loses nothing a
user acts on (same node, property, value and message)."""


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
