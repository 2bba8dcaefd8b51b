"""A baseline of accepted findings: `nhskg validate --write-baseline FILE` records them,
`--baseline FILE` hides them, so a run fails only on findings that are not in it.

    write(path, report)      the report's findings, one entry a line, sorted (atomic)
    read(path)               the entries of a baseline file (UsageError naming file:line)
    apply(report, entries, label)   hide the findings it holds; note its entries no longer found

The file is JSON Lines: a header line, then one entry a line, sorted, so that a review or a
diff shows each accepted finding. An entry is what identifies a finding in the data, never
where it was read from (a line number changes when rows are reordered):

  a SHACL result   shape, focus node, path, value and severity
  a refused row    its register (shape `register:<name>`), its key (the register's key
                   columns and their values), the column and the problem said of it, with
                   any line number it names replaced by `N`

The message of a SHACL result is left out: it is wording (reworded as shapes are) and a
SPARQL rule's message names other nodes (their names, dates) that change without this
finding changing; shape, path and value say what is wrong. The severity is kept: a rule
raised from warning to violation is a new decision to look at. Entries are matched as a
multiset: an entry hides one finding.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, SH

from graph_builder.core.errors import UsageError
from graph_builder.core.files import write_atomic
from graph_builder.validate import findings
from graph_builder.validate.findings import Finding, Report

HEADER = {"nhskg": "validate baseline", "version": 1}
FIELDS = ("shape", "focus", "row", "path", "column", "value", "severity", "problem")
HIDDEN = URIRef(findings.NSH + "hiddenByBaseline")
GONE = URIRef(findings.NSH + "noLongerInData")
_LINE = re.compile(r"\blines? \d+(?:, \d+)*")


def entry(finding: Finding) -> str:
    """The one line that identifies a finding (canonical JSON: fields in FIELDS order, no nulls)."""
    rejected = finding.focus is None and finding.shape.startswith("register:")
    fields: dict[str, object] = {"shape": finding.shape, "severity": finding.severity}
    if rejected:
        fields |= {
            "row": dict(finding.row) if finding.row else None,
            "column": finding.column,
            "problem": _LINE.sub("line N", finding.message),
        }
    else:
        fields |= {"focus": finding.focus, "path": finding.path, "value": finding.value}
    return _canonical(fields)


def _canonical(fields: dict[str, object]) -> str:
    ordered = {k: fields[k] for k in FIELDS if fields.get(k) is not None}
    return json.dumps(ordered, ensure_ascii=False, separators=(", ", ": "))


def write(path: Path, report: Report) -> int:
    """Record the report's findings in place of `path`; how many."""
    entries = sorted(entry(r) for r in report.results)
    write_atomic(path, [json.dumps(HEADER) + "\n", *(e + "\n" for e in entries)])
    return len(entries)


def read(path: Path) -> Counter[str]:
    """The entries of a baseline file, each as many times as it is there."""
    label = str(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise UsageError(f"{label}: cannot be read as a baseline ({reason})") from None
    if not lines or _parse(lines[0]) != HEADER:
        raise _bad(label, 1, f"is not a baseline: its first line must be {json.dumps(HEADER)}")
    found: Counter[str] = Counter()
    for number, line in enumerate(lines[1:], start=2):
        if line.strip():
            found[_read_entry(label, number, line)] += 1
    return found


def _parse(line: str) -> object:
    try:
        return json.loads(line)
    except ValueError:
        return None


def _read_entry(label: str, number: int, line: str) -> str:
    fields = _parse(line)
    if not isinstance(fields, dict):
        raise _bad(label, number, "is not a JSON object; write the baseline again with --write-baseline")
    unknown = sorted(set(fields) - set(FIELDS))
    if unknown:
        raise _bad(label, number, f"unknown field(s) {', '.join(unknown)}: the fields are {', '.join(FIELDS)}")
    if not isinstance(fields.get("shape"), str) or fields.get("severity") not in findings.SEVERITIES:
        raise _bad(label, number, "an entry needs a shape and a severity (Violation, Warning or Info)")
    if not all(v is None or isinstance(v, str) for k, v in fields.items() if k != "row"):
        raise _bad(label, number, "every field but row is a string")
    return _canonical(fields)


def _bad(label: str, line: int, message: str) -> UsageError:
    return UsageError(f"{label}:{line}: {message}")


def apply(report: Report, accepted: Counter[str], label: str) -> None:
    """Hide the findings the baseline holds (from the results, the counts, the verdict and
    the SHACL report graph); note how many it hid and which of its entries no longer occur."""
    left = Counter(accepted)
    kept = []
    for result, node in zip(report.results, report.nodes, strict=True):
        key = entry(result)
        if left[key] > 0:
            left[key] -= 1
        else:
            kept.append((result, node))
    report.hidden = len(report.results) - len(kept)
    report.results, report.nodes = [r for r, _ in kept], [n for _, n in kept]
    report.baseline, report.gone = label, sorted(left.elements())
    report.graph = findings.report_graph(report.graph, report.nodes, report.conforms)
    [node] = report.graph.subjects(RDF.type, SH.ValidationReport)
    report.graph.add((node, HIDDEN, Literal(report.hidden)))
    for gone in report.gone:
        report.graph.add((node, GONE, Literal(gone)))
