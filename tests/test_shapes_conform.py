"""The shapes themselves: the shipped graph conforms, every rule is documented, every class
has a shape, value lists match the concept schemes, every query parses."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import RDF, Graph, URIRef
from rdflib.namespace import OWL, SH, SKOS
from rdflib.plugins.sparql import prepareQuery

from graph_builder.registers import BUILDERS
from graph_builder.validate import report as reporting
from graph_builder.validate import run as validating
from graph_builder.validate.whole import validate_whole

SHAPES = Path(__file__).resolve().parent.parent / "shapes"
ONTOLOGY = Path(__file__).resolve().parent.parent / "ontology"
NDK = "https://w3id.org/nhs-dkg/def#"
NSH = "https://w3id.org/nhs-dkg/shapes#"
COLUMN = URIRef(NSH + "column")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return validating.load_shapes().graph


@pytest.fixture(scope="module")
def ontology() -> Graph:
    graph = Graph()
    for path in sorted(ONTOLOGY.glob("*.ttl")):
        graph.parse(path)
    return graph


def test_the_built_graph_conforms(built):
    report = validate_whole(validating.load_reference(built.out_dir), validating.load_shapes())
    violations = [r for r in report.results if r.severity == "Violation"]
    assert not violations, reporting.text_report(report)
    assert report.focus_nodes > 5000


def _rules(shapes: Graph) -> set[URIRef]:
    """Every named shape, property shape, SPARQL constraint and SPARQL target."""
    kinds = (SH.NodeShape, SH.PropertyShape, SH.SPARQLConstraint, SH.SPARQLTarget)
    return {s for kind in kinds for s in shapes.subjects(RDF.type, kind) if isinstance(s, URIRef)}


def test_every_rule_has_a_name_a_description_and_a_message(shapes):
    missing = []
    for rule in sorted(_rules(shapes)):
        needed = (SH.name, SH.description) + (() if (rule, RDF.type, SH.SPARQLTarget) in shapes else (SH.message,))
        missing += [f"{rule} has no {p.n3(shapes.namespace_manager)}" for p in needed if shapes.value(rule, p) is None]
    assert not missing, "\n".join(missing)


def test_every_referenced_shape_is_defined_and_every_property_shape_used(shapes):
    for prop in shapes.objects(None, SH.property):
        assert (prop, SH.path, None) in shapes, f"{prop} is not a property shape"
    for node in shapes.objects(None, SH.node):
        assert (node, RDF.type, SH.NodeShape) in shapes, f"{node} is not a node shape"
    for constraint in shapes.subjects(RDF.type, SH.SPARQLConstraint):
        assert (None, SH.sparql, constraint) in shapes, f"{constraint} is used by no shape"
    for prop in shapes.subjects(RDF.type, SH.PropertyShape):
        assert (None, SH.property, prop) in shapes, f"{prop} is used by no node shape"


def test_property_shapes_share_their_node_shape_severity(shapes):
    for node, severity in shapes.subject_objects(SH.severity):
        for prop in shapes.objects(node, SH.property):
            assert shapes.value(prop, SH.severity) == severity, f"{prop}: give it the severity of {node}"


def test_every_class_has_a_shape(shapes, ontology):
    """Each class of the ontology (and each reused class the builders type nodes with) is a target.

    time:Interval and time:Instant are checked through the membership that holds them
    (paths from org:Membership), so a problem is reported on the membership's row.
    """
    classes = {c for c in ontology.subjects(RDF.type, OWL.Class) if str(c).startswith(NDK)}
    classes |= {
        URIRef(u)
        for u in (
            "http://www.w3.org/ns/org#Membership",
            "http://www.w3.org/ns/org#ChangeEvent",
            "https://schema.org/MonetaryAmount",
            str(SKOS.Concept),
            str(SKOS.ConceptScheme),
        )
    }
    targeted = set(shapes.objects(None, SH.targetClass))
    assert not sorted(classes - targeted), f"classes without a shape: {sorted(classes - targeted)}"


COMPLETE_LISTS = {
    "Organisation-type": "organisation-type",
    "Programme-kind": "programme-kind",
    "Participation-role": "participation-role",
    "Participation-cohort": "cohort",
    "Participation-status": "status",
    "Deployment-provision": "epr-provision",
    "Deployment-status": "deployment-status",
    "ClinicalSystem-category": "system-category",
    "ChangeEvent-kind": "change-kind",
    "MaturityAssessment-model": "maturity-model",
    "Claim-kind": "claim-kind",
    "Claim-qualifier": "qualifier",
    "Source-kind": "source-kind",
}


@pytest.mark.parametrize("shape", sorted(COMPLETE_LISTS))
def test_value_lists_are_their_concept_schemes(shape, shapes, ontology):
    scheme = URIRef(f"https://w3id.org/nhs-dkg/def/{COMPLETE_LISTS[shape]}")
    listed = set(shapes.items(shapes.value(URIRef(NSH + shape), SH["in"])))
    assert listed == set(ontology.subjects(SKOS.inScheme, scheme)), (
        f"nsh:{shape} sh:in must list exactly the concepts of {scheme} (ontology/schemes.ttl)"
    )


def test_every_listed_concept_exists(shapes, ontology):
    for values in shapes.objects(None, SH["in"]):
        for value in shapes.items(values):
            if isinstance(value, URIRef):
                assert (value, RDF.type, SKOS.Concept) in ontology, f"{value} is not a concept of schemes.ttl"


def _prefixes(graph: Graph, node) -> dict[str, str]:
    return {
        str(graph.value(d, SH.prefix)): str(graph.value(d, SH.namespace))
        for p in graph.objects(node, SH.prefixes)
        for d in graph.objects(p, SH.declare)
    }


@pytest.mark.parametrize("path", sorted(SHAPES.glob("*.ttl")), ids=lambda p: p.name)
def test_each_file_parses_alone_and_its_queries_parse(path):
    """Every file stands alone (so --shapes-mode replace can take a subset) and its queries parse."""
    graph = Graph().parse(path)
    store = ox.Store()
    for node, select in graph.subject_objects(SH.select):
        prefixes = _prefixes(graph, node)
        used = set(re.findall(r"(?<![\w<])([a-z]+):[A-Za-z]", str(select))) - {"http", "https"}
        assert used <= set(prefixes), f"{path.name}: {node} uses undeclared prefixes {used - set(prefixes)}"
        text = "".join(f"PREFIX {k}: <{v}>\n" for k, v in prefixes.items()) + str(select)
        prepareQuery(text)
        if (node, RDF.type, SH.SPARQLTarget) in graph:
            store.query(text)


def test_columns_are_register_columns(shapes):
    columns = {c.name for b in BUILDERS for c in b.columns}
    for rule, column in shapes.subject_objects(COLUMN):
        assert str(column) in columns, f"{rule}: nsh:column {column} is no register's column"


def test_shape_counts_and_severities(shapes):
    counts = validating.load_shapes().counts()
    assert counts["node shapes"] >= 60 and counts["SPARQL constraints"] >= 40
    assert set(shapes.objects(None, SH.severity)) == {SH.Warning, SH.Info}, "Violation is the default: leave it unsaid"


# ---------------------------------------------------------------------------------------
#  Every core rule fires: one submission mutates a real node for each property shape
# ---------------------------------------------------------------------------------------

XSD = "http://www.w3.org/2001/XMLSchema#"
BOGUS = "https://w3id.org/nhs-dkg/id/test/nothing"


def _mutation(shapes: Graph, prop) -> str | None:
    """How to break a property shape: drop its values, or add a value it refuses."""
    value = shapes.value
    if value(prop, SH.minCount) is not None and int(value(prop, SH.minCount)) >= 1:
        return "drop"
    if value(prop, SH.hasValue) is not None:
        return "drop"
    if value(prop, SH["in"]) is not None or value(prop, SH["class"]) is not None:
        return f"<{BOGUS}>"
    if value(prop, SH.node) is not None:
        return f'"2016-13"^^<{XSD}gYearMonth>'
    if value(prop, SH.datatype) is not None:
        return f'"not this"^^<{XSD}boolean>' if str(value(prop, SH.datatype)) != XSD + "boolean" else '"x"'
    if value(prop, SH.pattern) is not None or value(prop, SH.maxCount) is not None:
        return '" not a valid value "'
    return None


def test_every_core_rule_fires(built, tmp_path):
    reference = validating.load_reference(built.out_dir)
    shapes = validating.load_shapes()
    graph = shapes.graph
    store = reference.store()
    lines: list[str] = []
    expected: set[tuple[str, str]] = set()
    used: set[str] = set()
    for node_shape, cls in sorted(graph.subject_objects(SH.targetClass)):
        if graph.value(node_shape, SH.severity) is not None:
            continue
        for prop in sorted(graph.objects(node_shape, SH.property)):
            path = graph.value(prop, SH.path)
            how = _mutation(graph, prop)
            if not isinstance(path, URIRef) or how is None:
                continue
            need = "?n <https://w3id.org/nhs-dkg/def#registerRow> ?row ." if how == "drop" else ""
            has = f"?n <{path}> ?v ." if how == "drop" else ""
            rows = store.query(
                f"SELECT DISTINCT ?n WHERE {{ ?n a <{cls}> . {need} {has} FILTER (isIRI(?n)) }} ORDER BY ?n",
                use_default_graph_as_union=True,
            )
            node = next((row["n"].value for row in rows if row["n"].value not in used), None)
            if node is None:
                continue
            used.add(node)
            if how == "drop":
                for q in store.quads_for_pattern(None, None, None):
                    subject = q.subject.value if isinstance(q.subject, ox.NamedNode) else ""
                    if (subject == node or subject.startswith(node + "/")) and not (
                        subject == node and q.predicate.value == str(path)
                    ):
                        lines.append(f"{q.subject} {q.predicate} {q.object} .")
            else:
                lines.append(f"<{node}> <{path}> {how} .")
            expected.add((str(prop), node))
    submission = tmp_path / "mutations.nt"
    submission.write_text("\n".join(sorted(set(lines))) + "\n", encoding="utf-8")
    report = validating.validate([submission], reference, shapes)
    found = {(r.shape, r.focus) for r in report.results}
    assert len(expected) > 80
    missing = sorted(expected - found)
    assert not missing, "rules that did not fire on their mutated node:\n" + "\n".join(f"{s} {n}" for s, n in missing)


def test_messages_use_only_selected_variables(shapes):
    for constraint, select in shapes.subject_objects(SH.select):
        message = shapes.value(constraint, SH.message)
        head = str(select).split("WHERE")[0]
        for var in re.findall(r"\{\?(\w+)\}", str(message or "")):
            assert f"?{var}" in head, f"{constraint}: the message uses {{?{var}}}, which the query does not select"
