"""bodies.csv: national bodies, IT suppliers and places, which have no ODS code here."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from graph_builder.core import iri as mint
from graph_builder.core import terms as t
from graph_builder.registers.base import Builder, Column, Context, Row, Triple

CLASS_OF_KIND = {
    "national-body": "NationalBody",
    "supplier": "Supplier",
    "place": "Place",
    "overseas-organisation": "OverseasOrganisation",
}


class BodiesBuilder(Builder):
    name = "bodies"
    title = "National bodies, suppliers and places"
    key = ("key",)
    columns = (
        Column("key", "slug", required=True),
        Column("name", required=True),
        Column("kind", "enum", required=True, choices=tuple(CLASS_OF_KIND)),
        Column("source", "sources", required=True),
        Column("note"),
    )

    def ids(self, rows: Sequence[Row]) -> dict[str, dict[str, str]]:
        return {
            "body": {r["key"]: mint.body(r["kind"], r["key"]) for r in rows},
            "supplier": {r["key"]: mint.body(r["kind"], r["key"]) for r in rows if r["kind"] == "supplier"},
        }

    def triples(self, row: Row, ctx: Context) -> Iterator[Triple]:
        node = t.iri(mint.body(row["kind"], row["key"]))
        yield node, t.A, t.ndk(CLASS_OF_KIND[row["kind"]])
        yield node, t.A, t.ndk("Organisation")
        yield node, t.ndk("organisationType"), t.iri(mint.concept("organisation-type", row["kind"]))
        yield node, t.skos("prefLabel"), t.lit(row["name"])
        yield node, t.dcterms("identifier"), t.lit(row["key"])
        yield from self.provenance(node, row)
