"""The compiled checks (validate/compiled.py, checks.py: SHACL core constraints as store queries)
give pySHACL's results: the same severity, focus node, shape, constraint component, path, value
and messages, on hand-made edge values of every compiled component, on random values
(hypothesis), and on the shipped graph with every rule case's broken Turtle laid over it."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH
from rdflib.term import Node

from graph_builder.validate import engine
from graph_builder.validate import run as validating
from graph_builder.validate import shapes as shapes_module
from graph_builder.validate.checks import run_checks, target_patterns
from graph_builder.validate.context import as_graph, quiet_rdflib, run_pyshacl

CASES = Path(__file__).parent / "validate_cases"
Key = tuple[str, ...]

SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <http://example.org/> .
ex:Thing a sh:NodeShape ; sh:targetClass ex:T ; sh:message "thing" ;
  sh:property ex:name, ex:date, ex:year, ex:count, ex:score, ex:kind, ex:link, ex:code, ex:opened,
              ex:parts, ex:back, ex:when, ex:flag, ex:tag .
ex:name a sh:PropertyShape ; sh:path ex:name ; sh:message "name" ; sh:minCount 1 ; sh:maxCount 1 ;
  sh:datatype xsd:string ; sh:pattern "^\\\\S(.*\\\\S)?$" ; sh:flags "s" .
ex:date a sh:PropertyShape ; sh:path ex:date ; sh:message "date" ; sh:datatype xsd:date .
ex:year a sh:PropertyShape ; sh:path ex:year ; sh:message "year" ; sh:datatype xsd:gYear ; sh:pattern "^[0-9]{4}$" .
ex:count a sh:PropertyShape ; sh:path ex:count ; sh:message "count" ; sh:severity sh:Warning ;
  sh:datatype xsd:integer ; sh:minInclusive 0 ; sh:maxInclusive 7 ; sh:maxCount 2 .
ex:score a sh:PropertyShape ; sh:path ex:score ; sh:message "score" ; sh:datatype xsd:decimal ; sh:minInclusive -1.5 .
ex:kind a sh:PropertyShape ; sh:path ex:kind ; sh:message "kind" ; sh:in ( ex:a ex:b "c" ) ; sh:minCount 2 .
ex:link a sh:PropertyShape ; sh:path ex:link ; sh:message "link" ; sh:class ex:T ; sh:nodeKind sh:IRI ; sh:maxCount 3 ;
  sh:disjoint ex:other .
ex:code a sh:PropertyShape ; sh:path ex:code ; sh:message "code" ; sh:severity sh:Info ; sh:pattern "^q[0-9]+$" ;
  sh:flags "i" .
ex:opened a sh:PropertyShape ; sh:path ex:opened ; sh:message "opened" ; sh:lessThanOrEquals ex:closed .
ex:parts a sh:PropertyShape ; sh:path ( ex:part ex:label ) ; sh:message "parts" ; sh:minCount 1 ; sh:maxCount 1 .
ex:back a sh:PropertyShape ; sh:path [ sh:inversePath ex:link ] ; sh:message "back" ; sh:maxCount 1 .
ex:when a sh:PropertyShape ; sh:path ex:when ; sh:message "when" ; sh:node ex:DateAtPrecision .
ex:flag a sh:PropertyShape ; sh:path ex:flag ; sh:message "flag" ; sh:hasValue true ; sh:maxCount 0 .
ex:tag a sh:PropertyShape ; sh:path ex:tag ; sh:message "tag" ; sh:not [ sh:in ( "bad" ) ] ; sh:maxCount 3 .
ex:DateAtPrecision a sh:NodeShape ; sh:message "precision" ; sh:or (
  [ sh:datatype xsd:date ; sh:pattern "^[0-9]{4}-[0-9]{2}-[0-9]{2}$" ]
  [ sh:datatype xsd:gYear ; sh:pattern "^[0-9]{4}$" ] ) .
ex:Either a sh:NodeShape ; sh:targetSubjectsOf ex:supplier ; sh:message "either" ;
  sh:or ( [ sh:not [ sh:path ex:provision ; sh:hasValue ex:supplier ] ] [ sh:path ex:system ; sh:minCount 1 ] ) .
"""

EDGES = """
@prefix ex: <http://example.org/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:fine a ex:T ; ex:name "Fine" ; ex:kind ex:a, ex:b ; ex:part [ ex:label "x" ] ; ex:when "2016"^^xsd:gYear .
ex:bad a ex:T ; ex:name " spaced", "two" ; ex:date "2017"^^xsd:date, "2017-02-30"^^xsd:date, "20170101"^^xsd:date ;
  ex:year "16"^^xsd:gYear, "2016-01"^^xsd:gYearMonth, 2016 ; ex:count 9, -1, "3"^^xsd:decimal ;
  ex:score "x", -2.0, 0.0 ;
  ex:kind "a", ex:c ; ex:link ex:fine, ex:nowhere, "lit" ; ex:other ex:fine ; ex:code "Q12", "x1", ex:q3 ;
  ex:opened "2020-01-01"^^xsd:date, "2021"^^xsd:gYear ; ex:closed "2020-06-01"^^xsd:date ;
  ex:part [ ex:label "a" ], [ ex:label "b" ] ; ex:when "2016-09"^^xsd:gYearMonth, "2016-09-01"^^xsd:date, "soon" ;
  ex:flag false ; ex:tag "bad", "ok" .
ex:newline a ex:T ; ex:name "ends\\n", "in\\nside" ; ex:kind ex:a, ex:b ; ex:part [ ex:label "x" ] ; ex:link ex:bad .
ex:iris a ex:T ; ex:name "IRIs" ; ex:kind ex:a, ex:b ; ex:part [ ex:label "x" ] ; ex:opened ex:a ; ex:closed ex:b .
ex:lone ex:supplier ex:s ; ex:provision ex:supplier .
ex:fine2 ex:supplier ex:s ; ex:provision ex:supplier ; ex:system ex:x .
"""


def _engines(shapes_text: str, data_text: str, tmp_path: Path) -> tuple[list[Key], list[Key], engine.Plan]:
    """The compiled checks' results and pySHACL's, on the whole of the data."""
    (tmp_path / "shapes").mkdir(exist_ok=True)
    (tmp_path / "shapes" / "test.ttl").write_text(shapes_text, encoding="utf-8")
    shapes = shapes_module.read_shapes(tmp_path / "shapes", "replace")
    store = ox.Store()
    store.load(data_text.encode("utf-8"), format=ox.RdfFormat.TURTLE)
    with quiet_rdflib():
        data = as_graph(store.quads_for_pattern(None, None, None))  # the terms pySHACL sees in a run
        targets = shapes.resolve(store, None)
        how = engine.plan(shapes)
        ours = Graph()
        found = run_checks(store, shapes, how.compiled, target_patterns(store, shapes))
        ours.addN((s, p, o, ours) for s, p, o in found)
        theirs = run_pyshacl(data, shapes.base, targets)
    return _keys(ours), _keys(theirs), how


def _keys(results: Graph) -> list[Key]:
    def term(node: Node | None) -> str:
        if isinstance(node, BNode) and (node, SH.inversePath, None) in results:
            return "^" + term(results.value(node, SH.inversePath))
        if isinstance(node, BNode) and (node, RDF.first, None) in results:
            return "/".join(term(n) for n in Collection(results, node))
        if isinstance(node, Literal):  # (n3() refuses an ill-typed number)
            return repr((str(node), node.datatype, node.language))
        return "" if node is None else node.n3()

    found = []
    for r in results.subjects(RDF.type, SH.ValidationResult):
        if (None, SH.detail, r) in results:
            continue
        fields = (SH.resultSeverity, SH.focusNode, SH.sourceShape, SH.sourceConstraintComponent, SH.resultPath)
        messages = sorted(str(m) for m in results.objects(r, SH.resultMessage))
        found.append((*(term(results.value(r, f)) for f in fields), term(results.value(r, SH.value)), *messages))
    return sorted(found)


def test_every_component_on_edge_values_gives_pyshacls_results(tmp_path):
    ours, theirs, how = _engines(SHAPES, EDGES, tmp_path)
    assert not how.left  # nothing was left to pySHACL: the comparison is of two engines
    assert len({k[3] for k in theirs}) >= 14  # the data breaks every compiled component
    assert Counter(ours) == Counter(theirs)


# Random values of one property, checked by shapes on that property (hypothesis)
_LEXICAL = st.text(alphabet="0123456789-:. TZabcq\n\t", max_size=12)
_DATATYPES = ["xsd:string", "xsd:date", "xsd:gYear", "xsd:gYearMonth", "xsd:integer", "xsd:decimal", "xsd:dateTime"]
_VALUE = st.one_of(
    st.tuples(_LEXICAL, st.sampled_from(_DATATYPES)).map(lambda v: f"{_quoted(v[0])}^^{v[1]}"),
    st.tuples(_LEXICAL, st.sampled_from(["en", "en-GB"])).map(lambda v: f"{_quoted(v[0])}@{v[1]}"),
    st.sampled_from(["ex:fine", "ex:a", "ex:node", "true", "7", "-1.5"]),
)


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t") + '"'


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.lists(_VALUE, min_size=0, max_size=4))
def test_random_values_give_pyshacls_results(values, tmp_path_factory):
    random = (
        SHAPES.replace(
            "ex:parts, ex:back, ex:when, ex:flag, ex:tag .", "ex:parts, ex:back, ex:when, ex:flag, ex:tag, ex:any ."
        )
        + """ex:any a sh:PropertyShape ; sh:path ex:v ; sh:message "any" ; sh:maxCount 2 ; sh:datatype xsd:date ;
  sh:pattern "^[0-9]{4}-[0-9]{2}-[0-9]{2}$" ; sh:minInclusive "2000-01-01"^^xsd:date ; sh:in ( "7" ex:a ) ;
  sh:class ex:T .
ex:anyWhen a sh:NodeShape ; sh:targetClass ex:T ; sh:property ex:anyWhenV .
ex:anyWhenV a sh:PropertyShape ; sh:path ex:v ; sh:message "anyWhen" ; sh:node ex:DateAtPrecision .
"""
    )
    data = "@prefix ex: <http://example.org/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
    data += 'ex:n a ex:T ; ex:name "n" ; ex:kind ex:a, ex:b ; ex:part [ ex:label "x" ] '
    data += "".join(f"; ex:v {v} " for v in values) + ".\n"
    ours, theirs, _ = _engines(random, data, tmp_path_factory.mktemp("random"))
    assert Counter(ours) == Counter(theirs)


def test_the_shipped_graph_with_every_broken_case_gives_pyshacls_results(built):
    """The shipped shapes, all compiled (but SPARQL constraints), on the shipped graph plus the
    broken Turtle of every rule case: the query engine's results are pySHACL's."""
    reference = validating.load_reference(built.out_dir)
    shapes = validating.load_shapes()
    store = ox.Store()
    store.extend(reference.with_submission([], set()).everything())
    for path in sorted(CASES.glob("*/invalid*.ttl")):
        store.load(path=str(path), format=ox.RdfFormat.TURTLE)
    how = engine.plan(shapes)
    assert not how.left and len(how.covered_shapes()) > 150
    core_only = Graph()  # pySHACL given only the core constraints: the SPARQL ones run the same way on both sides
    core_only.addN((s, p, o, core_only) for s, p, o in shapes.base if p != SH.sparql)
    with quiet_rdflib():
        data = as_graph(store.quads_for_pattern(None, None, None))
        ours = Graph()
        found = run_checks(store, shapes, how.compiled, target_patterns(store, shapes))
        ours.addN((s, p, o, ours) for s, p, o in found)
        theirs = run_pyshacl(data, core_only, shapes.resolve(store, None))
    found = _keys(ours)
    assert len({k[2] for k in found}) >= 20  # many shapes have results
    assert Counter(found) == Counter(_keys(theirs))


@pytest.mark.parametrize("kind", ["deactivated", "unknown component", "no message"])
def test_what_the_compiler_cannot_say_is_left_to_pyshacl(kind, tmp_path):
    extra = {
        "deactivated": 'ex:off a sh:PropertyShape ; sh:path ex:name ; sh:message "off" ; sh:deactivated true ; '
        "sh:maxCount 0 .",
        "unknown component": 'ex:off a sh:PropertyShape ; sh:path ex:name ; sh:message "off" ; sh:minLength 9 .',
        "no message": "ex:off a sh:PropertyShape ; sh:path ex:name ; sh:maxCount 0 .",
    }[kind]
    shapes_text = SHAPES.replace("ex:flag, ex:tag .", "ex:flag, ex:tag, ex:off .") + extra
    _, _, how = _engines(shapes_text, EDGES, tmp_path)
    assert URIRef("http://example.org/off") not in {c.shape for c in how.compiled.checks}
    if kind != "deactivated":
        assert URIRef("http://example.org/Thing") in how.left
    shapes = shapes_module.read_shapes(tmp_path / "shapes", "replace")
    store = ox.Store()
    store.load(EDGES.encode("utf-8"), format=ox.RdfFormat.TURTLE)
    with quiet_rdflib():
        data = as_graph(store.quads_for_pattern(None, None, None))
        targets = shapes.resolve(store, None)
        both = engine.check_focus(store, data, shapes, targets)
        alone = run_pyshacl(data, shapes.base, targets)
    assert Counter(_keys(both)) == Counter(_keys(alone))
    assert any(k[2] == "<http://example.org/off>" for k in _keys(both)) == (kind != "deactivated")


def test_pattern_newlines_keep_pyshacls_verdict_where_the_spec_differs(tmp_path):
    """SHACL §4.4.3 defines sh:pattern by SPARQL REGEX, that is XPath fn:matches (F&O 3.1
    §5.6.1-2): with flag s, "." matches a newline, and "$" matches only at the end of the
    string. pySHACL ignores s (and Python's "$" also matches before a final newline); Jena
    honours s but lets "$" match before a final newline (java.util.regex). The report keeps
    pySHACL's verdicts (the rule cases were written against them): "a\\nb" is a finding,
    "ab\\n" is not; the spec, which the query engine's REGEX follows, says the opposite of both."""
    shapes_text = """@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
ex:S a sh:NodeShape ; sh:targetClass ex:T ; sh:property ex:P .
ex:P sh:path ex:name ; sh:message "m" ; sh:pattern "^\\\\S(.*\\\\S)?$" ; sh:flags "s" .
"""
    data = """@prefix ex: <http://example.org/> .
ex:inside a ex:T ; ex:name "a\\nb" . ex:trailing a ex:T ; ex:name "ab\\n" . ex:fine a ex:T ; ex:name "ab" .
"""
    ours, theirs, how = _engines(shapes_text, data, tmp_path)
    assert not how.left and Counter(ours) == Counter(theirs)
    assert [k[1] for k in ours] == ["<http://example.org/inside>"]
    spec = ox.Store().query(
        'SELECT (REGEX("a\\nb", "^\\\\S(.*\\\\S)?$", "s") AS ?inside) '
        '(REGEX("ab\\n", "^\\\\S(.*\\\\S)?$", "s") AS ?trailing) {}'
    )
    row = next(iter(spec))  # type: ignore[arg-type]
    assert (row["inside"].value, row["trailing"].value) == ("true", "false")
