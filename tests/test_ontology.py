"""The ontology declares, labels and explains every term the built graph uses."""

from __future__ import annotations

import pytest
from rdflib import OWL, RDF, RDFS, SKOS, Graph, URIRef
from rdflib.namespace import SH

from graph_builder.build import ontology

NDK = "https://w3id.org/nhs-dkg/def#"
CONCEPTS = "https://w3id.org/nhs-dkg/def/"


@pytest.fixture(scope="module")
def onto() -> Graph:
    return ontology.parse_ontology()


def used_terms(built) -> set[str]:
    terms: set[str] = set()
    with open(built.out_dir / "graph.nq", encoding="utf-8") as lines:
        for line in lines:
            _, p, o_g = line.split(" ", 2)
            o, g = o_g[:-3].rsplit(" ", 1)
            if g.endswith("/graph/ontology>"):
                continue
            terms.add(p[1:-1])
            if p.endswith("22-rdf-syntax-ns#type>") or o.startswith(f"<{CONCEPTS}"):
                terms.add(o[1:-1])
    return terms


def test_every_term_of_the_ontology_has_label_and_comment(onto):
    missing = []
    for s in set(onto.subjects()):
        ours = isinstance(s, URIRef) and str(s).startswith(NDK) and str(s) != NDK
        if ours and ((s, RDFS.label, None) not in onto or (s, RDFS.comment, None) not in onto):
            missing.append(str(s))
    assert not missing, sorted(missing)


def test_every_concept_is_complete(onto):
    for c in onto.subjects(RDF.type, SKOS.Concept):
        for p in (SKOS.prefLabel, SKOS.definition, SKOS.inScheme, SKOS.notation):
            assert (c, p, None) in onto, f"{c} has no {p}"


def test_every_term_the_graph_uses_is_declared(onto, built):
    declared = {str(s) for s in onto.subjects(RDF.type, None)}
    undeclared = sorted(t for t in used_terms(built) if t not in declared and not t.startswith(str(RDF)))
    assert not undeclared, undeclared


def test_classes_and_properties_are_typed(onto):
    kinds = {
        OWL.Class,
        OWL.ObjectProperty,
        OWL.DatatypeProperty,
        OWL.AnnotationProperty,
        SKOS.Concept,
        SKOS.ConceptScheme,
        OWL.Ontology,
        RDF.Property,
        RDFS.Datatype,
        SH.ConstraintComponent,  # ndk:RegisterRowConstraintComponent, of validation results
    }
    for s in set(onto.subjects()):
        if isinstance(s, URIRef) and str(s).startswith(NDK):
            assert set(onto.objects(s, RDF.type)) & kinds, f"{s} has no OWL type"
