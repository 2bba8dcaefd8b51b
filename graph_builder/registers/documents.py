"""documents.csv: the reviews, strategies and plans behind the programmes, and what they led to."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from graph_builder.core import iri as mint
from graph_builder.core import terms as t
from graph_builder.registers.base import Builder, Column, Context, Row, Triple, opt, ref

KINDS = ("review", "strategy", "policy", "roadmap")


class DocumentsBuilder(Builder):
    name = "documents"
    title = "Policy documents and reviews"
    key = ("key",)
    columns = (
        Column("key", "slug", required=True),
        Column("title", required=True),
        Column("kind", "enum", required=True, choices=KINDS),
        Column("author", "slug", ref="person"),
        Column("issued", "date"),
        Column("led_to", "slug", ref="programme"),
        Column("source", "sources", required=True),
        Column("note"),
    )

    def ids(self, rows: Sequence[Row]) -> dict[str, dict[str, str]]:
        return {"document": {r["key"]: mint.thing("document", r["key"]) for r in rows}}

    def triples(self, row: Row, ctx: Context) -> Iterator[Triple]:
        node = t.iri(mint.thing("document", row["key"]))
        yield node, t.A, t.ndk("PolicyDocument")
        yield node, t.skos("prefLabel"), t.lit(row["title"])
        yield node, t.dcterms("identifier"), t.lit(row["key"])
        yield node, t.ndk("documentKind"), t.iri(mint.concept("document-kind", row["kind"]))
        yield from opt(node, t.dcterms("creator"), row["author"], ref(ctx, "person"))
        yield from opt(node, t.dcterms("issued"), row["issued"], t.date_lit)
        yield from opt(node, t.ndk("ledTo"), row["led_to"], ref(ctx, "programme"))
        yield from self.provenance(node, row)
