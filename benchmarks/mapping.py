"""The peers' mapping of the registers: one spec, three writers (RML for morph-kgc, rdflib, by hand).

Each register row becomes one node (the IRI the builder gives that row's node) with its
class, one triple per non-empty cell (the builder's predicate; an IRI where the builder
makes one, a literal otherwise) and its source, in the register's named graph. That is
what RML can say; it cannot say what the builders add beyond the rows (an
organisation's summary from its newest listing, the latest live deployment, direct
edges that depend on a status, OWL-Time intervals, register line numbers, date
datatypes by precision, a `;` list split into several sources), so the peers write
fewer triples than `nhskg build` (the results give both counts). The three writers
below write the same triples, so their times compare like with like.

    python benchmarks/mapping.py --rml benchmarks/rml/registers.rml.ttl    # (re)write the RML
    python benchmarks/mapping.py --write handwritten DATA OUT.nq          # a peer, timed by run.py
    python benchmarks/mapping.py --write rdflib DATA OUT.nq
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Iterator
from pathlib import Path

from graph_builder.core import iri as mint

BASE, ID, DEF, CONCEPT, GRAPH = mint.BASE, mint.ID, mint.DEF, mint.CONCEPT, mint.GRAPH
NS = {
    "ndk": DEF,
    "org": "http://www.w3.org/ns/org#",
    "dcterms": "http://purl.org/dc/terms/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "schema": "https://schema.org/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

# column -> (predicate, object): "id/..." or "def/..." an IRI template, "xsd:..." a typed literal, "" a plain one
Columns = dict[str, tuple[str, str]]
SOURCE: Columns = {"source": ("dcterms:source", "id/source/{}"), "note": ("skos:note", "")}
MAPPINGS: dict[str, tuple[str, str, Columns]] = {
    "sources": (
        "source/{key}",
        "ndk:Source",
        {
            "kind": ("ndk:sourceKind", "def/source-kind/{}"),
            "title": ("dcterms:title", ""),
            "key": ("dcterms:identifier", ""),
            "publisher": ("dcterms:publisher", ""),
            "date": ("dcterms:date", ""),
            "url": ("schema:url", "xsd:anyURI"),
            "path": ("ndk:sharedPath", ""),
            "licence": ("dcterms:license", ""),
            "note": ("skos:note", ""),
        },
    ),
    "organisations": (
        "record/{code}/{source}",
        "ndk:OrganisationRecord",
        {
            "code": ("ndk:recordOf", "id/org/{}"),
            "name": ("ndk:listedName", ""),
            "kind": ("ndk:organisationType", "def/organisation-type/{}"),
            "ons_code": ("ndk:onsCode", ""),
            "open_date": ("ndk:openDate", ""),
            "close_date": ("ndk:closeDate", ""),
            "latitude": ("schema:latitude", "xsd:decimal"),
            "longitude": ("schema:longitude", "xsd:decimal"),
            "country": ("ndk:country", ""),
            **SOURCE,
        },
    ),
    "bodies": (
        "body/{key}",
        "ndk:Organisation",
        {
            "name": ("skos:prefLabel", ""),
            "kind": ("ndk:organisationType", "def/organisation-type/{}"),
            "key": ("dcterms:identifier", ""),
            **SOURCE,
        },
    ),
    "memberships": (
        "membership/{member}/{group}/{source}",
        "org:Membership",
        {
            "member": ("org:member", "id/org/{}"),
            "group": ("org:organization", "id/org/{}"),
            "start": ("ndk:start", ""),
            "end": ("ndk:end", ""),
            **SOURCE,
        },
    ),
    "successions": (
        "event/{event}",
        "org:ChangeEvent",
        {
            "kind": ("ndk:changeKind", "def/change-kind/{}"),
            "date": ("ndk:eventDate", ""),
            "predecessor": ("org:originalOrganization", "id/org/{}"),
            "successor": ("org:resultingOrganization", "id/org/{}"),
            **SOURCE,
        },
    ),
    "programmes": (
        "programme/{key}",
        "ndk:Programme",
        {
            "name": ("skos:prefLabel", ""),
            "kind": ("ndk:programmeKind", "def/programme-kind/{}"),
            "parent": ("dcterms:isPartOf", "id/programme/{}"),
            "funded_by": ("ndk:fundedBy", "id/programme/{}"),
            "funder": ("ndk:funder", "id/body/{}"),
            "start": ("ndk:startDate", ""),
            "end": ("ndk:endDate", ""),
            **SOURCE,
        },
    ),
    "participations": (
        "participation/{organisation}/{programme}/{role}/{source}",
        "ndk:Participation",
        {
            "organisation": ("ndk:participant", "id/org/{}"),
            "programme": ("ndk:programme", "id/programme/{}"),
            "role": ("ndk:role", "def/participation-role/{}"),
            "cohort": ("ndk:cohort", "def/cohort/{}"),
            "announced": ("ndk:announcedDate", ""),
            "status": ("ndk:status", "def/status/{}"),
            "funding_gbp": ("ndk:fundingGbp", "xsd:decimal"),
            **SOURCE,
        },
    ),
    "partnerships": (
        "partnership/{follower}/{exemplar}/{programme}/{source}",
        "ndk:Partnership",
        {
            "follower": ("ndk:follower", "id/org/{}"),
            "exemplar": ("ndk:exemplar", "id/org/{}"),
            "programme": ("ndk:programme", "id/programme/{}"),
            "status": ("ndk:status", "def/status/{}"),
            "start": ("ndk:startDate", ""),
            "end": ("ndk:endDate", ""),
            **SOURCE,
        },
    ),
    "systems": (
        "system/{key}",
        "ndk:ClinicalSystem",
        {
            "name": ("skos:prefLabel", ""),
            "key": ("dcterms:identifier", ""),
            "category": ("ndk:systemCategory", "def/system-category/{}"),
            "supplier": ("ndk:suppliedBy", "id/supplier/{}"),
            **SOURCE,
        },
    ),
    "deployments": (
        "deployment/{organisation}/{provision}/{as_of}/{source}",
        "ndk:Deployment",
        {
            "organisation": ("ndk:deployedAt", "id/org/{}"),
            "system": ("ndk:system", "id/system/{}"),
            "supplier": ("ndk:supplier", "id/supplier/{}"),
            "provision": ("ndk:provision", "def/epr-provision/{}"),
            "status": ("ndk:deploymentStatus", "def/deployment-status/{}"),
            "as_of": ("ndk:asOf", ""),
            **SOURCE,
        },
    ),
    "assessments": (
        "assessment/{organisation}/{model}-{stage}/{date}/{source}",
        "ndk:MaturityAssessment",
        {
            "organisation": ("ndk:assessedOrganisation", "id/org/{}"),
            "model": ("ndk:maturityModel", "def/maturity-model/{}"),
            "stage": ("ndk:stage", "xsd:integer"),
            "date": ("ndk:assessmentDate", ""),
            "site": ("ndk:site", ""),
            **SOURCE,
        },
    ),
    "blueprints": (
        "blueprint/{key}",
        "ndk:Blueprint",
        {
            "title": ("skos:prefLabel", ""),
            "key": ("dcterms:identifier", ""),
            "author": ("ndk:author", "id/org/{}"),
            "system": ("ndk:forSystem", "id/system/{}"),
            "published": ("dcterms:issued", ""),
            **SOURCE,
        },
    ),
    "adoptions": (
        "adoption/{blueprint}/{adopter}/{source}",
        "ndk:BlueprintAdoption",
        {
            "blueprint": ("ndk:blueprint", "id/blueprint/{}"),
            "adopter": ("ndk:adopter", "id/org/{}"),
            "date": ("ndk:adoptionDate", ""),
            **SOURCE,
        },
    ),
    "claims": (
        "claim/{key}",
        "ndk:Claim",
        {
            "key": ("dcterms:identifier", ""),
            "kind": ("ndk:claimKind", "def/claim-kind/{}"),
            "subject": ("ndk:about", "id/org/{}"),
            "value": ("ndk:value", "xsd:decimal"),
            "unit": ("ndk:unit", ""),
            "counts": ("ndk:counts", ""),
            "qualifier": ("ndk:qualifier", "def/qualifier/{}"),
            "date": ("ndk:claimDate", ""),
            "statement": ("ndk:statement", ""),
            **SOURCE,
        },
    ),
}


def full(curie: str) -> str:
    prefix, _, local = curie.partition(":")
    return NS[prefix] + local


def template(obj: str) -> str:
    return BASE + obj


# --- RML ----------------------------------------------------------------------------------


def rml() -> str:
    """The RML mapping (morph-kgc reads it; rml:source paths are relative to the data folder)."""
    lines = [
        "@prefix rr: <http://www.w3.org/ns/r2rml#> .",
        "@prefix rml: <http://semweb.mmlab.be/ns/rml#> .",
        "@prefix ql: <http://semweb.mmlab.be/ns/ql#> .",
    ]
    lines += [f"@prefix {p}: <{ns}> ." for p, ns in NS.items()]
    for name, (subject, cls, columns) in MAPPINGS.items():
        lines += [
            "",
            f"<#{name}> a rr:TriplesMap ;",
            f'    rml:logicalSource [ rml:source "{name}.csv" ; rml:referenceFormulation ql:CSV ] ;',
            f'    rr:subjectMap [ rr:template "{ID}{subject}" ; rr:class {cls} ;',
            f"                    rr:graph <{GRAPH}{name}> ] ;",
        ]
        maps = []
        for column, (pred, obj) in columns.items():
            if obj.startswith(("id/", "def/")):
                target = f'rr:template "{template(obj).replace("{}", "{" + column + "}")}" ; rr:termType rr:IRI'
            elif obj:
                target = f'rml:reference "{column}" ; rr:datatype {obj}'
            else:
                target = f'rml:reference "{column}"'
            maps.append(f"    rr:predicateObjectMap [ rr:predicate {pred} ; rr:objectMap [ {target} ] ]")
        lines.append(" ;\n".join(maps) + " .")
    return "\n".join(lines) + "\n"


# --- the hand-written writer and the rdflib one ------------------------------------------

_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def rows(data: Path, name: str) -> Iterator[dict[str, str]]:
    with (data / f"{name}.csv").open(encoding="utf-8", newline="") as f:
        yield from csv.DictReader(f)


def handwritten(data: Path, out: Path) -> int:
    """N-Quads formatted with f-strings, streamed: no checks, no sorting (the practical limit)."""
    n = 0
    with out.open("w", encoding="utf-8", buffering=1 << 20) as f:
        for name, (subject, cls, columns) in MAPPINGS.items():
            g, a = f"<{GRAPH}{name}>", f"<{RDF_TYPE}>"
            made = [(col, f"<{full(pred)}>", obj) for col, (pred, obj) in columns.items()]
            for row in rows(data, name):
                s = f"<{ID}{subject.format(**row)}>"
                lines = [f"{s} {a} <{full(cls)}> {g} .\n"]
                for col, p, obj in made:
                    value = row[col]
                    if not value:
                        continue
                    if obj.startswith(("id/", "def/")):
                        o = f"<{template(obj).format(value)}>"
                    elif obj:
                        o = f'"{value.translate(_ESCAPES)}"^^<{full(obj)}>'
                    else:
                        o = f'"{value.translate(_ESCAPES)}"'
                    lines.append(f"{s} {p} {o} {g} .\n")
                f.writelines(lines)
                n += len(lines)
    return n


def with_rdflib(data: Path, out: Path) -> int:
    """The same triples added one at a time to an rdflib Dataset (Graph.add), then serialised."""
    from rdflib import Dataset, Literal, URIRef

    ds = Dataset()
    for name, (subject, cls, columns) in MAPPINGS.items():
        graph = ds.graph(URIRef(GRAPH + name))
        a, klass = URIRef(RDF_TYPE), URIRef(full(cls))
        made = [(col, URIRef(full(pred)), obj) for col, (pred, obj) in columns.items()]
        for row in rows(data, name):
            s = URIRef(ID + subject.format(**row))
            graph.add((s, a, klass))
            for col, p, obj in made:
                value = row[col]
                if not value:
                    continue
                if obj.startswith(("id/", "def/")):
                    graph.add((s, p, URIRef(template(obj).format(value))))
                else:
                    graph.add((s, p, Literal(value, datatype=URIRef(full(obj)) if obj else None)))
    ds.serialize(destination=str(out), format="nquads")
    return sum(len(g) for g in ds.graphs())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rml", type=Path, help="write the RML mapping to this file")
    parser.add_argument(
        "--write",
        nargs=3,
        metavar=("WRITER", "DATA", "OUT"),
        help="run a writer (handwritten or rdflib) on a folder of registers",
    )
    args = parser.parse_args(argv)
    if args.rml:
        args.rml.parent.mkdir(parents=True, exist_ok=True)
        args.rml.write_text(rml(), encoding="utf-8")
    if args.write:
        writer, data, out = args.write
        n = {"handwritten": handwritten, "rdflib": with_rdflib}[writer](Path(data), Path(out))
        print(f"{n} quads")
    return 0


if __name__ == "__main__":
    sys.exit(main())
