"""blueprints.csv: blueprints exemplars published for followers to reuse."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from graph_builder.core import iri as mint
from graph_builder.core import terms as t
from graph_builder.registers.base import Builder, Column, Context, Row, Triple, opt, ref


class BlueprintsBuilder(Builder):
    name = "blueprints"
    title = "Blueprints"
    key = ("key",)
    columns = (
        Column("key", "slug", required=True),
        Column("title", required=True),
        Column("author", "code", required=True, ref="org"),
        Column("system", "slug", ref="system"),
        Column("published", "date"),
        Column("source", "sources", required=True),
        Column("note"),
    )

    def ids(self, rows: Sequence[Row]) -> dict[str, dict[str, str]]:
        return {"blueprint": {r["key"]: mint.thing("blueprint", r["key"]) for r in rows}}

    def triples(self, row: Row, ctx: Context) -> Iterator[Triple]:
        node = t.iri(mint.thing("blueprint", row["key"]))
        yield node, t.A, t.ndk("Blueprint")
        yield node, t.skos("prefLabel"), t.lit(row["title"])
        yield node, t.dcterms("identifier"), t.lit(row["key"])
        yield node, t.ndk("author"), t.iri(mint.org(row["author"]))
        yield from opt(node, t.ndk("forSystem"), row["system"], ref(ctx, "system"))
        yield from opt(node, t.dcterms("issued"), row["published"], t.date_lit)
        yield from self.provenance(node, row)
