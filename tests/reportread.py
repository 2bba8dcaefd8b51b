"""Read a validation report as a program would: its verdict and its results (shared by the test files)."""

from __future__ import annotations

import json
import re
from xml.etree import ElementTree as ET

from rdflib import RDF, Graph, URIRef
from rdflib.namespace import SH


def passes(fmt: str, out: str) -> bool:
    """What a program reading the report concludes: does the submission pass?

    text: the last line's PASS; json: `conforms` (and `failed` says the opposite); jsonl:
    the same in its last line (every line is JSON); turtle: `sh:conforms`; junit: no failing
    test case.
    """
    if fmt == "jsonl":
        return passes("json", out.splitlines()[-1])
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
    if fmt == "jsonl":
        *found, summary = [json.loads(line) for line in out.splitlines()]
        assert all("severity" in r and "conforms" not in r for r in found) and "conforms" in summary, out
        return len(found)
    if fmt == "turtle":
        graph = Graph().parse(data=out, format="turtle")
        [report] = graph.subjects(RDF.type, SH.ValidationReport)
        return len(list(graph.objects(report, SH.result)))
    cases = ET.fromstring(out).findall("testcase")
    parts = [part for case in cases for part in (case.find("failure"), case.find("system-out")) if part is not None]
    return sum(len(part.text.splitlines()) for part in parts if part.text)


def hidden(fmt: str, out: str) -> tuple[int, int]:
    """How many findings the baseline hid, and how many of its entries no longer occur, as the report says."""
    if fmt in ("json", "jsonl"):
        said = json.loads(out.splitlines()[-1] if fmt == "jsonl" else out)["baseline"]
        return said["hidden"], len(said["no_longer_occur"])
    if fmt == "turtle":
        graph = Graph().parse(data=out, format="turtle")
        [report] = graph.subjects(RDF.type, SH.ValidationReport)
        nsh = "https://w3id.org/nhs-dkg/shapes#"
        count = graph.value(report, URIRef(nsh + "hiddenByBaseline"))
        return int(count.toPython()) if count is not None else 0, len(
            list(graph.objects(report, URIRef(nsh + "noLongerInData")))
        )
    if fmt == "junit":
        out = "".join(ET.fromstring(out).find("system-out").itertext())
    hid = re.search(r"(\d+) findings? hidden by the baseline", out)
    gone = re.search(r"(\d+) baseline entr(?:y|ies) no longer occurs?", out)
    return int(hid.group(1)) if hid else 0, int(gone.group(1)) if gone else 0
