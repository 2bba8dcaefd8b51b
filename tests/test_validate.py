"""`nhskg validate`: one case folder per rule, bad input, the reports and the command.

tests/validate_cases/<rule>/ holds a valid and an invalid submission (valid*.csv|ttl,
invalid*.csv|ttl: register CSVs or Turtle, several files sorted by name) and expected.csv,
the results the invalid one must give (severity, shape, focus, path: shapes in nsh:,
focus nodes under https://w3id.org/nhs-dkg/id/). The valid one must give no result at
all. Every submission is checked against the shipped build, made once per session.
"""

from __future__ import annotations

import csv
import json
import socket
import time
from collections import Counter
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from clirun import run_cli as run
from rdflib import Graph
from rdflib.namespace import SH

from graph_builder.core.errors import InputError
from graph_builder.validate import report as reporting
from graph_builder.validate import run as validating

CASES = Path(__file__).parent / "validate_cases"
ALL = sorted(p for p in CASES.iterdir() if (p / "expected.csv").is_file())
NSH = "https://w3id.org/nhs-dkg/shapes#"
ID = "https://w3id.org/nhs-dkg/id/"
DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture(scope="session")
def reference(built) -> validating.Reference:
    return validating.load_reference(built.out_dir)


@pytest.fixture(scope="session")
def shapes():
    return validating.load_shapes()


def submission(case: Path, stem: str) -> list[Path]:
    return sorted(p for p in case.iterdir() if p.name.startswith(stem) and p.suffix in (".csv", ".ttl"))


def found(report: validating.Report) -> Counter[tuple[str, str, str, str]]:
    return Counter(
        (r.severity, r.shape.removeprefix(NSH), (r.focus or "").removeprefix(ID), r.path or "") for r in report.results
    )


@pytest.mark.parametrize("case", ALL, ids=lambda p: p.name)
def test_rule_case(case: Path, reference, shapes):
    valid = validating.validate(submission(case, "valid"), reference, shapes)
    assert not valid.results, f"the valid submission of {case.name} gives results:\n" + reporting.text_report(valid)
    with (case / "expected.csv").open(encoding="utf-8", newline="") as f:
        expected = Counter(tuple(row.values()) for row in csv.DictReader(f))
    invalid = validating.validate(submission(case, "invalid"), reference, shapes)
    assert found(invalid) == expected, reporting.text_report(invalid)


def test_every_sparql_rule_has_a_case(shapes):
    """Every SPARQL constraint, and every node shape with sh:or, fires in some case folder."""
    from rdflib import RDF

    graph = shapes.graph
    rules = {str(c).removeprefix(NSH) for c in graph.subjects(RDF.type, SH.SPARQLConstraint)}
    rules |= {
        str(s).removeprefix(NSH)
        for s in graph.subjects(SH["or"], None)
        if str(s).startswith(NSH) and (s, SH.path, None) not in graph
    }
    covered = set()
    for case in ALL:
        with (case / "expected.csv").open(encoding="utf-8", newline="") as f:
            covered |= {row["shape"] for row in csv.DictReader(f)}
    missing = sorted(rules - covered - {"DateAtPrecision"})  # a value shape: its results are its users'

    assert not missing, f"rules without a case folder in tests/validate_cases: {missing}"


# ---------------------------------------------------------------------------------------
#  Submissions: the nodes reported, updated rows, the context given to pySHACL
# ---------------------------------------------------------------------------------------


def test_shipped_rows_resubmitted_conform(reference, shapes):
    """Each register as shipped, submitted again, replaces itself: no violation."""
    for name in ("participations", "partnerships", "successions", "programmes"):
        report = validating.validate([DATA / f"{name}.csv"], reference, shapes)
        assert report.conforms, reporting.text_report(report)


def test_updated_row_replaces_the_reference_row(tmp_path, reference, shapes):
    """A changed row with the key of a shipped row is checked as an update, not as a second status."""
    path = tmp_path / "partnerships.csv"
    rows = (DATA / "partnerships.csv").read_text(encoding="utf-8").splitlines()
    changed = [r.replace(",proposed,", ",dropped,") if r.startswith("RNN,RX4,") else r for r in rows[:1] + rows[5:6]]
    path.write_text("\n".join(changed) + "\n", encoding="utf-8")
    report = validating.validate([path], reference, shapes)
    assert not report.results, reporting.text_report(report)


@pytest.mark.parametrize("name", ["partnerships", "participations", "successions", "deployments"])
def test_context_gives_the_same_results_as_the_whole_graph(name, reference, shapes, tmp_path):
    """pySHACL is given the submission's context only; with the whole graph the results are the same."""
    source = DATA / f"{name}.csv"
    path = tmp_path / source.name
    lines = source.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(lines[:40]) + "\n", encoding="utf-8")
    whole = validating.validate([path], reference, shapes, whole_reference=True)
    context = validating.validate([path], reference, shapes)
    assert [r for r in context.results] == [r for r in whole.results]


def test_results_name_file_row_column_and_fix(reference, shapes):
    case = CASES / "partnership-exemplar"
    report = validating.validate(submission(case, "invalid"), reference, shapes)
    [result] = report.results
    assert result.source == f"{case / 'invalid.csv'}:2"
    assert result.column == "exemplar"
    assert "add that row to participations.csv" in result.message
    assert result.label is None and result.value == ID + "org/RAE"


def test_rows_the_register_rejects_are_reported_as_violations(tmp_path, reference, shapes):
    path = tmp_path / "partnerships.csv"
    path.write_text(
        "follower,exemplar,programme,status,start,end,source,note\n"
        "RAP,RAL,global-digital-exemplar,confirmd,,,dhn-nmuh,\n",
        encoding="utf-8",
    )
    report = validating.validate([path], reference, shapes)
    [result] = report.results
    assert (result.severity, result.shape, result.source, result.column) == (
        "Violation",
        "register:partnerships",
        f"{path}:2",
        "status",
    )
    assert "'confirmd' is not one of confirmed, proposed, dropped" in result.message


def test_a_register_saved_by_excel_is_read_as_the_same_rows(tmp_path, reference, shapes, reference_ctx):
    """CRLF line ends and a BOM ("CSV UTF-8"): the same statements and the same results as LF."""
    from graph_builder.validate import intake as sub

    lines = (DATA / "partnerships.csv").read_bytes().split(b"\n")[:6]
    text = b"\n".join([*lines, b'RAP,RAL,global-digital-exemplar,confirmd,,,dhn-nmuh,"two\nlines"', b""])
    lf, excel = tmp_path / "lf" / "partnerships.csv", tmp_path / "excel" / "partnerships.csv"
    for path, content in ((lf, text), (excel, b"\xef\xbb\xbf" + text.replace(b"\n", b"\r\n"))):
        path.parent.mkdir()
        path.write_bytes(content)
    loaded = [sub.load_submission([path], lambda: reference_ctx) for path in (lf, excel)]
    assert loaded[0].quads and loaded[0].quads == loaded[1].quads
    assert (
        [str(p).replace(str(lf), "F") for p in loaded[0].problems]
        == [str(p).replace(str(excel), "F") for p in loaded[1].problems]
        != []
    )
    said = [
        reporting.text_report(validating.validate([path], reference, shapes)).replace(str(path), "F").rsplit(", ", 1)[0]
        for path in (lf, excel)
    ]  # less the time it took
    assert "F:7" in said[0] and said[0] == said[1]


def test_a_refused_row_of_a_submission_is_said_once(tmp_path, reference, shapes):
    """A new organisation refused (a misspelt kind): its membership is not built, nor said to
    name an unknown code; a membership with a code nobody has still is."""
    orgs, members = tmp_path / "organisations.csv", tmp_path / "memberships.csv"
    header = (DATA / "organisations.csv").read_text(encoding="utf-8").splitlines()[0]
    orgs.write_text(f"{header}\nRZZ,A new trust,acute-trustx,,,,,,,nhsx-ccg-stp-2022,\n", encoding="utf-8")
    members.write_text(
        "member,group,start,end,source,note\nRZZ,QHM,2022-01-01,2022-01-31,nhsx-ccg-stp-2022,\n"
        "RZY,QHM,2022-01-01,2022-01-31,nhsx-ccg-stp-2022,\n",
        encoding="utf-8",
    )
    report = validating.validate([orgs, members], reference, shapes)
    said = sorted((r.source, r.column) for r in report.results if r.shape.startswith("register:"))
    assert said == sorted([(f"{orgs}:2", "kind"), (f"{members}:3", "member")]), reporting.text_report(report)


def test_blank_nodes_of_a_turtle_submission_are_checked(tmp_path, reference, shapes):
    path = tmp_path / "claim.ttl"
    path.write_text(
        '@prefix ndk: <https://w3id.org/nhs-dkg/def#> .\n[] a ndk:Claim ; ndk:statement "An unsourced figure." .\n',
        encoding="utf-8",
    )
    report = validating.validate([path], reference, shapes)
    assert {r.focus for r in report.results} == {"_:" + report.results[0].focus.removeprefix("_:")}
    assert all(r.focus.startswith("_:") for r in report.results)
    assert "CitesSource-source" in {r.shape.removeprefix(NSH) for r in report.results}


TURTLE = """@prefix ndk: <https://w3id.org/nhs-dkg/def#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
<https://w3id.org/nhs-dkg/id/partnership/test> a ndk:Partnership ;
    ndk:follower <https://w3id.org/nhs-dkg/id/org/RAE> ; ndk:exemplar <https://w3id.org/nhs-dkg/id/org/RAL> ;
    ndk:programme <https://w3id.org/nhs-dkg/id/programme/global-digital-exemplar> ;
    ndk:status <https://w3id.org/nhs-dkg/def/status/proposed> ;
    dcterms:source <https://w3id.org/nhs-dkg/id/source/no-such-source> .
"""


@pytest.mark.parametrize("suffix", [".ttl", ".nt", ".nq", ".trig", ".jsonld"])
def test_every_rdf_format_is_read(suffix, tmp_path, reference, shapes):
    """The same statements in each accepted syntax give the same results."""
    import pyoxigraph as ox

    formats = {
        ".ttl": ox.RdfFormat.TURTLE,
        ".nt": ox.RdfFormat.N_TRIPLES,
        ".nq": ox.RdfFormat.N_QUADS,
        ".trig": ox.RdfFormat.TRIG,
        ".jsonld": ox.RdfFormat.JSON_LD,
    }
    quads = list(ox.parse(TURTLE.encode(), format=ox.RdfFormat.TURTLE))
    if suffix in (".nq", ".trig"):
        graph = ox.NamedNode("https://example.org/submitted")
        quads = [ox.Quad(q.subject, q.predicate, q.object, graph) for q in quads]
    path = tmp_path / f"submission{suffix}"
    path.write_bytes(ox.serialize(quads, format=formats[suffix]))
    report = validating.validate([path], reference, shapes)
    assert found(report) == Counter(
        {
            ("Violation", "CitesSource-source", "partnership/test", "dcterms:source"): 1,
            ("Warning", "PartnershipFollower-participation", "partnership/test", "ndk:follower"): 1,
        }
    ), reporting.text_report(report)


# ---------------------------------------------------------------------------------------
#  Bad input: one located line, exit 2, nothing fetched, nothing parsed that should not be
# ---------------------------------------------------------------------------------------

BAD = {
    "turtle-syntax.ttl": ('@prefix ex: <urn:x:> .\nex:a ex:b ex:c ;\n  ex:d "unclosed .\n', ":3: column "),
    "ntriples-syntax.nt": ("<urn:a> <urn:b> .\n", ":1: column 17: "),
    "unknown.xlsx": ("whatever", "unknown file type '.xlsx'"),
    "empty.ttl": ("  \n", "is empty"),
    "rdfxml.rdf": ('<?xml version="1.0"?><rdf:RDF/>', "RDF/XML is not accepted"),
    "doctype.ttl": (
        '<?xml version="1.0"?>\n<!DOCTYPE x [ <!ENTITY e SYSTEM "file:///etc/passwd"> ]>\n',
        ":2: declares an XML DOCTYPE",
    ),
    "entity.nt": ('<!ENTITY lol "lol">\n', ":1: declares an XML ENTITY"),
    "remote-context.jsonld": (
        '{"@context": "https://example.org/context.jsonld", "@id": "urn:a"}',
        "names a remote or local document; nothing is fetched",
    ),
    "file-context.jsonld": ('{"@context": ["file:///etc/passwd"], "@id": "urn:a"}', "nothing is fetched"),
    "import-context.jsonld": ('{"@context": {"@import": "https://example.org/c"}, "@id": "urn:a"}', "@import"),
    "nested-context.jsonld": (
        '{"@context": {}, "@graph": [{"@context": "https://x.org/c", "@id": "urn:a"}]}',
        "nothing is fetched",
    ),
    "bad-json.jsonld": ('{"@id": "urn:a",\n "x": }', ":2: column 7: Expecting value"),
    "not-utf8.ttl": (b'<urn:a> <urn:b> "\xff" .\n', "is not valid UTF-8"),
    "unknown-header.csv": ("a,b,c\n1,2,3\n", "is not that of a register"),
    "short-header.csv": (
        "follower,exemplar,programme,status,start,end,source\nRAP,RAL,x,confirmed,,,hsj-12\n",
        "header lacks the column(s) 'note': partnerships.csv has the columns follower,",
    ),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_input_is_one_located_line_and_exit_2(name, tmp_path, capsys, built, monkeypatch):
    content, expected = BAD[name]
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))

    def no_network(*args, **kwargs):
        raise AssertionError("validation tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    started = time.perf_counter()
    code, out, err = run(["validate", str(path), "--against", str(built.out_dir)], capsys)
    assert code == 2, err
    assert time.perf_counter() - started < 10
    assert expected in err, err
    assert err.splitlines()[0].startswith(str(path)), err
    assert "Traceback" not in err and out == ""


def test_size_limit(tmp_path, capsys, built):
    path = tmp_path / "big.nt"
    path.write_text("<urn:a> <urn:b> <urn:c> .\n" * 100, encoding="utf-8")
    code, _, err = run(["validate", str(path), "--against", str(built.out_dir), "--max-size", "1000"], capsys)
    assert code == 2 and "over the limit of 1,000 (raise it with --max-size)" in err


def test_missing_build_says_run_build_first(tmp_path, capsys):
    code, _, err = run(["validate", str(DATA / "partnerships.csv"), "--against", str(tmp_path)], capsys)
    assert code == 2 and "has no graph.nq; run nhskg build first" in err


def test_missing_file(tmp_path, capsys, built):
    code, _, err = run(["validate", str(tmp_path / "nope.ttl"), "--against", str(built.out_dir)], capsys)
    assert code == 2 and "nope.ttl: does not exist" in err


def test_all_problems_of_all_files_are_listed(tmp_path, reference, shapes):
    (tmp_path / "a.ttl").write_text("", encoding="utf-8")
    (tmp_path / "b.xml").write_text("<x/>", encoding="utf-8")
    with pytest.raises(InputError) as raised:
        validating.validate([tmp_path / "a.ttl", tmp_path / "b.xml"], reference, shapes)
    assert len(raised.value.problems) == 2


# ---------------------------------------------------------------------------------------
#  The command and its reports
# ---------------------------------------------------------------------------------------


def test_valid_submission_exits_0(capsys, built):
    valid = CASES / "partnership-exemplar" / "valid.csv"
    code, out, err = run(["validate", str(valid), "--against", str(built.out_dir)], capsys)
    assert code == 0, out + err
    assert out.startswith("PASS: 1 file conforms") and err == ""


def test_invalid_submission_exits_1_with_file_row_column_and_fix(capsys, built):
    invalid = CASES / "partnership-in-programme" / "invalid.csv"
    code, out, err = run(["validate", str(invalid), "--against", str(built.out_dir)], capsys)
    assert code == 1
    assert f"{invalid}:2" in out
    assert "column 'start'" in out and "fix start, or the programme column" in out
    assert out.rstrip().splitlines()[-1].startswith("FAIL: 1 violation")
    assert err.startswith("nhskg: does not conform (1 violation, 0 warnings)")


def test_warnings_fail_only_with_fail_on_warning(capsys, built):
    invalid = CASES / "partnership-follower" / "invalid.csv"
    args = ["validate", str(invalid), "--against", str(built.out_dir)]
    assert run(args, capsys)[0] == 0
    assert run([*args, "--fail-on", "warning"], capsys)[0] == 1


def test_json_report_follows_its_schema(capsys, built):
    invalid = CASES / "membership-kinds" / "invalid.csv"
    code, out, _ = run(["validate", str(invalid), "--against", str(built.out_dir), "--format", "json"], capsys)
    document = json.loads(out)
    assert code == 1
    assert set(document) == {"conforms", "failed", "fail_on", "files", "counts", "focus_nodes", "results"}
    assert document["conforms"] is False and document["counts"] == {"Violation": 2, "Warning": 0, "Info": 0}
    for result in document["results"]:
        assert set(result) == {"severity", "focus", "label", "path", "value", "message", "shape", "source", "column"}
        assert result["source"] == f"{invalid}:2" and result["shape"].startswith(NSH)


def test_turtle_report_is_a_shacl_report(capsys, built):
    invalid = CASES / "membership-kinds" / "invalid.csv"
    _, out, _ = run(["validate", str(invalid), "--against", str(built.out_dir), "--format", "turtle"], capsys)
    graph = Graph().parse(data=out, format="turtle")
    [report] = graph.subjects(SH.conforms, None)
    assert graph.value(report, SH.conforms).toPython() is False
    assert len(list(graph.objects(report, SH.result))) == 2


def test_junit_report(capsys, built):
    invalid = CASES / "partnership-exemplar" / "invalid.csv"
    _, out, _ = run(["validate", str(invalid), "--against", str(built.out_dir), "--format", "junit"], capsys)
    suite = ET.fromstring(out)
    assert suite.tag == "testsuite" and suite.get("failures") == "1"
    [case] = suite.findall("testcase")
    assert case.find("failure") is not None


def test_report_to_a_file_not_into_the_build(tmp_path, capsys, built):
    valid = CASES / "partnership-exemplar" / "valid.csv"
    out = tmp_path / "report.json"
    args = ["validate", str(valid), "--against", str(built.out_dir)]
    code, printed, _ = run([*args, "--format", "json", "-o", str(out)], capsys)
    assert code == 0 and printed == "" and json.loads(out.read_text())["conforms"] is True
    before = sorted(p.name for p in built.out_dir.iterdir())
    code, _, err = run([*args, "-o", str(built.out_dir / "r.txt")], capsys)
    assert code == 2 and "inside the build folder" in err
    assert sorted(p.name for p in built.out_dir.iterdir()) == before


def test_shapes_add_and_replace(tmp_path, capsys, built):
    extra = tmp_path / "shapes"
    extra.mkdir()
    (extra / "local.ttl").write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n@prefix ndk: <https://w3id.org/nhs-dkg/def#> .\n"
        "<urn:local#NoteShape> a sh:NodeShape ; sh:targetClass ndk:Partnership ; sh:severity sh:Violation ;\n"
        '  sh:message "Local rule: every pairing has a start date." ;\n'
        "  sh:property [ sh:path ndk:startDate ; sh:minCount 1 ] .\n",
        encoding="utf-8",
    )
    valid = CASES / "partnership-exemplar" / "valid.csv"
    base = ["validate", str(valid), "--against", str(built.out_dir), "--shapes", str(extra)]
    code, out, _ = run(base, capsys)
    assert code == 1 and "Local rule" not in out and "ndk:startDate" in out
    code, out, _ = run([*base, "--shapes-mode", "replace"], capsys)
    assert code == 1
    (extra / "local.ttl").write_text("this is not turtle", encoding="utf-8")
    code, _, err = run(base, capsys)
    assert code == 2 and "local.ttl" in err and "is not valid Turtle" in err
