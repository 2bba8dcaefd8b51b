"""Ad hoc queries are read-only and local; parameters are data, never query text; queries stop."""

from __future__ import annotations

import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from graph_builder.cli.main import main
from graph_builder.core import resources
from graph_builder.core.errors import UsageError
from graph_builder.questions.catalogue import run, run_sparql
from graph_builder.store.embedded import QueryTimeout, open_store
from graph_builder.store.policy import check_read_only


@pytest.fixture(scope="session")
def build_dir(built) -> Path:
    return built.out_dir


def cli(args: list[str], capsys) -> tuple[int, str]:
    code = 0
    try:
        main(args)
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, capsys.readouterr().err


REFUSED = {
    "insert": ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", "is an update"),
    "insert-lower": ("insert data { <urn:a> <urn:b> <urn:c> }", "is an update"),
    "delete": ("DELETE WHERE { ?s ?p ?o }", "is an update"),
    "delete-insert": ("DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }", "is an update"),
    "load": ("LOAD <http://example.org/data.ttl>", "is an update"),
    "clear": ("CLEAR ALL", "is an update"),
    "create": ("CREATE GRAPH <urn:g>", "is an update"),
    "drop": ("DROP ALL", "is an update"),
    "select-then-drop": ("SELECT * WHERE { ?s ?p ?o } ; DROP ALL", "not a valid SPARQL query"),
    "service": ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", "SERVICE"),
    "service-nested": ("SELECT * WHERE { ?s ?p ?o OPTIONAL { SERVICE SILENT ?x { ?s ?q ?r } } }", "SERVICE"),
    "from": ("SELECT * FROM <http://example.org/data.ttl> WHERE { ?s ?p ?o }", "FROM"),
    "from-named": ("SELECT * FROM NAMED <http://example.org/g> WHERE { GRAPH ?g { ?s ?p ?o } }", "FROM"),
    "construct-from": ("CONSTRUCT { ?s ?p ?o } FROM <file:///etc/passwd> WHERE { ?s ?p ?o }", "FROM"),
    "garbage": ("SELEKT ?s WHERE { ?s ?p ?o }", "not a valid SPARQL query"),
    "too-long": ("SELECT * WHERE { ?s ?p ?o } #" + "x" * 200_000, "characters long"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_unsafe_queries_are_refused(case, build_dir):
    query, message = REFUSED[case]
    with pytest.raises(UsageError, match=message):
        run_sparql(query, build=build_dir)


@pytest.mark.parametrize("case", ["insert", "service", "from", "drop"])
def test_unsafe_queries_exit_2_from_the_cli(case, build_dir, capsys):
    query, message = REFUSED[case]
    code, err = cli(["sparql", query, "--build", str(build_dir)], capsys)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1


def test_words_in_strings_and_comments_are_not_refused(build_dir):
    query = '# DROP ALL; SERVICE <http://x>\nSELECT ?s WHERE { ?s ?p "INSERT DATA FROM <http://x> SERVICE" }'
    assert run_sparql(query, build=build_dir).rows == []


def test_read_only_forms_run(build_dir, tmp_path):
    assert run_sparql("ASK { ?s a <https://w3id.org/nhs-dkg/def#Partnership> }", build=build_dir).boolean is True
    triples = run_sparql("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 3", build=build_dir)
    assert triples.columns == ["subject", "predicate", "object"] and len(triples.rows) == 3
    query_file = tmp_path / "q.rq"
    query_file.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?p a <https://w3id.org/nhs-dkg/def#Partnership> }")
    from graph_builder.questions.catalogue import read_query

    assert run_sparql(read_query(str(query_file)), build=build_dir).rows[0][0].value == "14"


def test_the_project_prefixes_are_predeclared_and_change_no_answer(build_dir):
    full = (
        "SELECT ?o ?label WHERE { ?o a <https://w3id.org/nhs-dkg/def#Organisation> ; "
        "<http://www.w3.org/2004/02/skos/core#prefLabel> ?label } ORDER BY ?o LIMIT 5"
    )
    short = "SELECT ?o ?label WHERE { ?o a ndk:Organisation ; skos:prefLabel ?label } ORDER BY ?o LIMIT 5"
    expected = run_sparql(full, build=build_dir).rows
    assert len(expected) == 5 and run_sparql(short, build=build_dir).rows == expected
    own = "PREFIX ndk: <urn:elsewhere#>\n" + short  # the query's own declaration wins
    assert run_sparql(own, build=build_dir).rows == []
    dated = 'ASK { FILTER("2020-01-01"^^xsd:date < "2021-01-01"^^xsd:date) }'
    assert run_sparql(dated, build=build_dir).boolean is True


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("SELECT ?x WHERE { ?x a foo:Bar }", "unknown prefix foo: in the query"),
        ("SELECT ?x WHERE { ?x a foo:Bar ; bar:baz 1 }", "unknown prefixes bar:, foo: in the query"),
        ("SELECT ?x WHERE { ?x a :Bar }", "unknown prefix : in the query"),
        ("missing.rq", "missing.rq: no such query file"),
        ("queries/nothing-here.rq", "nothing-here.rq: no such query file"),
    ],
)
def test_an_unknown_prefix_or_a_missing_file_is_one_line(query, message, build_dir, capsys):
    code, err = cli(["sparql", query, "--build", str(build_dir)], capsys)
    assert code == 2 and message in err, err
    assert len(err.strip().splitlines()) == 1 and "\\u{" not in err and len(err) < 300


@pytest.mark.parametrize("path", sorted(resources.resource_dir("queries").glob("*.rq")), ids=lambda p: p.stem)
def test_saved_queries_are_read_only_selects(path):
    assert check_read_only(path.read_text(encoding="utf-8")) == "SELECT"


INJECTIONS = [
    "RAL> } ; DROP ALL #",
    'RAL" } ; DROP ALL #',
    "RAL' || true",
    "RQ6> . ?s ?p ?o . <x",
    "RQ6\n}",
]


@pytest.mark.parametrize("value", INJECTIONS)
def test_code_parameters_cannot_inject(value, build_dir):
    before = len(open_store(build_dir))
    with pytest.raises(UsageError, match="is not an ODS code"):
        run("followers-of", {"code": value}, build=build_dir)
    assert len(open_store(build_dir)) == before


@pytest.mark.parametrize("value", ['stp" || true || "', "icb) } DROP ALL #"])
def test_choice_parameters_cannot_inject(value, build_dir):
    with pytest.raises(UsageError, match="is not one of"):
        run("exemplars-by-area", {"kind": value}, build=build_dir)


@pytest.mark.parametrize("value", INJECTIONS)
def test_bound_literals_are_data(value, build_dir):
    """A value bound by the engine is one literal: quotes and braces cannot end it."""
    store = open_store(build_dir)
    query = "SELECT ?code ?o WHERE { ?o <https://w3id.org/nhs-dkg/def#odsCode> ?c FILTER(?c = ?code) }"
    assert store.select(query, {"code": ox.Literal(value)}).rows == []
    found = store.select(query, {"code": ox.Literal("RQ6")}).rows
    assert [row[1].value for row in found] == ["https://w3id.org/nhs-dkg/id/org/RQ6"]


def test_as_of_is_a_typed_date(build_dir):
    with pytest.raises(UsageError, match="is not a date"):
        run("who-follows-whom", as_of='2018-01-01"^^<x> } DROP ALL #', build=build_dir)


@pytest.fixture()
def small_build(tmp_path: Path) -> Path:
    """200 triples: a three-way cross join counts 8 million rows (about a second)."""
    lines = [f"<urn:s{i}> <urn:p> <urn:o{i % 7}> <urn:g> .\n" for i in range(200)]
    (tmp_path / "graph.nq").write_text("".join(lines))
    return tmp_path


RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def test_a_runaway_query_stops_at_the_timeout(small_build):
    started = time.perf_counter()
    with pytest.raises(QueryTimeout, match=r"stopped after 0\.2 s"):
        run_sparql(RUNAWAY, build=small_build, timeout=0.2)
    assert time.perf_counter() - started < 2


def test_the_cli_timeout_exits_2(small_build, capsys):
    code, err = cli(["sparql", RUNAWAY, "--build", str(small_build), "--timeout", "0.2"], capsys)
    assert code == 2 and "--timeout" in err
