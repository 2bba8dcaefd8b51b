"""systems.csv: clinical IT systems (products), with their supplier where a source says it."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from graph_builder.core import iri as mint
from graph_builder.core import terms as t
from graph_builder.registers.base import Builder, Column, Context, Row, Triple, opt, ref

CATEGORIES = ("epr", "pas", "other")


class SystemsBuilder(Builder):
    name = "systems"
    title = "Clinical systems"
    key = ("key",)
    columns = (
        Column("key", "slug", required=True),
        Column("name", required=True),
        Column("category", "enum", required=True, choices=CATEGORIES),
        Column("supplier", "slug", ref="supplier"),
        Column("source", "sources", required=True),
        Column("note"),
    )

    def ids(self, rows: Sequence[Row]) -> dict[str, dict[str, str]]:
        return {"system": {r["key"]: mint.thing("system", r["key"]) for r in rows}}

    def triples(self, row: Row, ctx: Context) -> Iterator[Triple]:
        node = t.iri(mint.thing("system", row["key"]))
        yield node, t.A, t.ndk("ClinicalSystem")
        yield node, t.skos("prefLabel"), t.lit(row["name"])
        yield node, t.dcterms("identifier"), t.lit(row["key"])
        yield node, t.ndk("systemCategory"), t.iri(mint.concept("system-category", row["category"]))
        yield from opt(node, t.ndk("suppliedBy"), row["supplier"], ref(ctx, "supplier"))
        yield from self.provenance(node, row)
