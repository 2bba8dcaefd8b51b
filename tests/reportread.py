"""Read a validation report as a program would: its verdict and its results (shared by the test files)."""

from __future__ import annotations

import json
import re
from xml.etree import ElementTree as ET

from rdflib import RDF, Graph
from rdflib.namespace import SH


def passes(fmt: str, out: str) -> bool:
    """What a program reading the report concludes: does the submission pass?

    text: the last line's PASS; json: `conforms` (and `failed` says the opposite); turtle:
    `sh:conforms`; junit: no failing test case.
    """
    if fmt == "text":
        return out.rstrip().splitlines()[-1].startswith("PASS")
    if fmt == "json":
        document = json.loads(out)
        assert document["conforms"] is not document["failed"], document
        return bool(document["conforms"])
    if fmt == "turtle":
        graph = Graph().parse(data=out, format="turtle")
        [report] = graph.subjects(RDF.type, SH.ValidationReport)
        return bool(graph.value(report, SH.conforms).toPython())
    suite = ET.fromstring(out)
    failing = sum(case.find("failure") is not None for case in suite.findall("testcase"))
    assert int(suite.get("failures") or 0) == failing, out
    return failing == 0


def results(fmt: str, out: str) -> int:
    """The number of results the report holds (text and junit: one line each, so messages of one line)."""
    if fmt == "text":
        return len(re.findall(r"^  (?:VIOLATION|WARNING|INFO) ", out, re.MULTILINE))
    if fmt == "json":
        return len(json.loads(out)["results"])
    if fmt == "turtle":
        graph = Graph().parse(data=out, format="turtle")
        [report] = graph.subjects(RDF.type, SH.ValidationReport)
        return len(list(graph.objects(report, SH.result)))
    cases = ET.fromstring(out).findall("testcase")
    parts = [part for case in cases for part in (case.find("failure"), case.find("system-out")) if part is not None]
    return sum(len(part.text.splitlines()) for part in parts if part.text)
