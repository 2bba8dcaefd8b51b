"""Validation reports for each audience, from one Report: text, JSON, Turtle, JUnit XML.

    text    for people: results grouped by node (file:row, name), then a one-line verdict
    json    for programs: the schema below (VALIDATE.md documents it)
    turtle  the standard SHACL validation report graph (sh:ValidationReport); a row its
            register rejected is a result too (focus: the row; ndk:RegisterRowConstraintComponent)
    junit   for CI systems: one test case per node with results; violations are failures
    jsonl   for large runs: the JSON results one a line, written as they are rendered
            (stream_report), then the JSON document less its results as the last line

JSON: {"conforms": bool, "failed": bool, "fail_on": "violation"|"warning", "files": [...],
"counts": {"Violation": n, "Warning": n, "Info": n}, "focus_nodes": n, "results": [{"severity",
"focus", "label", "path", "value", "message", "shape", "source", "column"}]}; `source` is
"file:row" where known, `focus` null for a row its register rejected. Every format holds every
result, and its verdict is the exit code's: `conforms` (JSON, Turtle) is true exactly when the
exit code is 0, `failed` when it is 1 (both depend on --fail-on). With a baseline
(baseline.py) the results are those not in it, and every format says how many it hid and
which of its entries no longer occur (JSON: "baseline": {"file", "hidden",
"no_longer_occur": [entries]}). Nothing here prints.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from itertools import groupby
from xml.etree import ElementTree as ET

from graph_builder.core import iri as mint
from graph_builder.validate.findings import SEVERITIES, Finding, Report

FAIL_ON = ("violation", "warning")
_NAMES = {"Violation": "violation", "Warning": "warning", "Info": "note"}


def render_report(report: Report, fmt: str, fail_on: str = "violation") -> str:
    """The report in one of REPORT_FORMATS."""
    return REPORT_FORMATS[fmt](report, fail_on)


def stream_report(report: Report, fmt: str, fail_on: str = "violation") -> Iterator[str]:
    """The report in pieces to write as they come: jsonl a line at a time, the others whole."""
    if fmt == "jsonl":
        yield from _jsonl(report, fail_on)
    else:
        yield render_report(report, fmt, fail_on)


def verdict(report: Report, fail_on: str = "violation") -> str:
    """One line: does the submission pass, and what was found."""
    counts = report.counts()
    found = ", ".join(_plural(counts[s], _NAMES[s]) for s in SEVERITIES)
    files = _plural(len(report.files), "file")
    checked = f"{_plural(report.focus_nodes, 'node')} checked, {report.seconds:.1f} s"
    if report.baseline is not None:
        checked = f"{_plural(report.hidden, 'finding')} hidden by the baseline; {checked}"
    if not report.failed(fail_on):
        return f"PASS: {files} conform{'s' if len(report.files) == 1 else ''} ({found}; {checked})"
    why = "" if counts["Violation"] else " (--fail-on warning)"
    return f"FAIL{why}: {found} in {files} ({checked})"


def gone_lines(report: Report) -> list[str]:
    """The baseline entries that no longer occur, for people: a heading and one line each."""
    if not report.gone:
        return []
    n = len(report.gone)
    heading = f"{n} baseline {'entry' if n == 1 else 'entries'} no longer occur{'s' if n == 1 else ''}"
    return [f"{heading} (write the baseline again to drop them: --write-baseline {report.baseline}):"] + [
        f"  {e}" for e in report.gone
    ]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _key(r: Finding) -> tuple[str, str]:
    return (r.source or "", r.focus or "")


def text_report(report: Report, fail_on: str = "violation") -> str:
    lines: list[str] = []
    for (source, focus), group in groupby(report.results, key=_key):
        results = list(group)
        label = results[0].label
        heading = " ".join(x for x in (source, label and f"'{label}'", focus and f"<{_short_node(focus)}>") if x)
        lines.append(heading or "(no node)")
        for r in results:
            where = []
            if r.column:
                where.append(f"column '{r.column}'")
            if r.path:
                where.append(r.path if not r.column else f"({r.path})")
            value = f" = {_short_value(r.value)!r}" if r.value is not None else ""
            lines.append(f"  {r.severity.upper():9} {' '.join(where)}{value}".rstrip())
            lines.append(f"            {r.message}")
            lines.append(f"            [{_short_shape(r.shape)}]")
        lines.append("")
    lines += [*gone_lines(report), verdict(report, fail_on)]
    return "\n".join(lines) + "\n"


def _short_node(focus: str) -> str:
    return focus.removeprefix(mint.ID)


def _short_value(value: str) -> str:
    """An IRI of the graph without its common part (org/RAE, status/confirmed); text as it is."""
    for base in (mint.ID, mint.CONCEPT):
        if value.startswith(base):
            return value[len(base) :]
    return value


def _short_shape(shape: str) -> str:
    return shape.replace(mint.SHAPES, "nsh:")


def as_json(report: Report, fail_on: str = "violation") -> str:
    document = _summary(report, fail_on)
    document["results"] = [_result(r) for r in report.results]
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _summary(report: Report, fail_on: str) -> dict[str, object]:
    """The JSON document less its results (and the last line of jsonl)."""
    document: dict[str, object] = {
        "conforms": not report.failed(fail_on),
        "failed": report.failed(fail_on),
        "fail_on": fail_on,
        "files": report.files,
        "counts": report.counts(),
        "focus_nodes": report.focus_nodes,
    }
    if report.baseline is not None:
        document["baseline"] = {
            "file": report.baseline,
            "hidden": report.hidden,
            "no_longer_occur": [json.loads(e) for e in report.gone],
        }
    return document


def _result(r: Finding) -> dict[str, str | None]:
    return {
        "severity": r.severity,
        "focus": r.focus,
        "label": r.label,
        "path": r.path,
        "value": r.value,
        "message": r.message,
        "shape": r.shape,
        "source": r.source,
        "column": r.column,
    }


def _jsonl(report: Report, fail_on: str) -> Iterator[str]:
    for r in report.results:
        yield _jsonl_line(_result(r))
    yield _jsonl_line(_summary(report, fail_on))


def _jsonl_line(document: Mapping[str, object]) -> str:
    return json.dumps(document, ensure_ascii=False) + "\n"


def jsonl(report: Report, fail_on: str = "violation") -> str:
    """The JSON Lines report as one string (for callers that want it whole; the CLI streams it)."""
    return "".join(_jsonl(report, fail_on))


def turtle(report: Report, fail_on: str = "violation") -> str:
    """The standard SHACL report graph, with canonical blank nodes so runs compare equal;
    sh:conforms is false exactly when the exit code is 1 (as pySHACL's allow_warnings)."""
    from rdflib import RDF, Graph, Literal
    from rdflib.compare import to_canonical_graph
    from rdflib.namespace import SH

    graph = Graph() + report.graph
    for node in graph.subjects(RDF.type, SH.ValidationReport):
        graph.set((node, SH.conforms, Literal(not report.failed(fail_on))))
    canonical = Graph(namespace_manager=report.graph.namespace_manager)
    canonical += to_canonical_graph(graph)
    return str(canonical.serialize(format="turtle"))


def junit(report: Report, fail_on: str = "violation") -> str:
    counts = report.counts()
    failing = {"Violation"} | ({"Warning"} if fail_on == "warning" else set())
    groups = [list(g) for _, g in groupby(report.results, key=_key)]
    suite = ET.Element(
        "testsuite",
        name="nhskg validate",
        tests=str(max(len(groups), 1)),
        failures=str(sum(any(r.severity in failing for r in g) for g in groups)),
        errors="0",
        time=f"{report.seconds:.3f}",
    )
    for group in groups:
        first = group[0]
        case = ET.SubElement(
            suite,
            "testcase",
            classname=(first.source or "submission").split(":")[0],
            name=" ".join(x for x in (first.source, first.label, first.focus) if x),
        )
        bad = [r for r in group if r.severity in failing]
        if bad:
            failure = ET.SubElement(case, "failure", message=bad[0].message, type=bad[0].severity)
            failure.text = "\n".join(_line(r) for r in bad)
        notes = [r for r in group if r.severity not in failing]
        if notes:
            ET.SubElement(case, "system-out").text = "\n".join(_line(r) for r in notes)
    if not groups:
        ET.SubElement(suite, "testcase", classname="submission", name=f"{report.focus_nodes} nodes conform")
    ET.SubElement(suite, "system-out").text = "\n".join(
        [
            verdict(report, fail_on),
            f"{counts['Violation']} violations, {counts['Warning']} warnings, {counts['Info']} notes",
            *gone_lines(report),
        ]
    )
    ET.indent(suite)
    text = ET.tostring(suite, encoding="unicode")
    # XML 1.0 has no way to write control characters (a submitted value may hold one): shown as \xNN
    text = _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + text + "\n"


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _line(r: Finding) -> str:
    column = f" column '{r.column}'" if r.column else ""
    value = f" = {r.value!r}" if r.value is not None else ""
    return f"{r.severity}:{column} {r.path or ''}{value}: {r.message} [{_short_shape(r.shape)}]"


REPORT_FORMATS: dict[str, Callable[[Report, str], str]] = {
    "text": text_report,
    "json": as_json,
    "turtle": turtle,
    "junit": junit,
    "jsonl": jsonl,
}
