"""programmes.csv: programmes, sub-programmes, funds and funding streams."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from graph_builder.core import iri as mint
from graph_builder.core import terms as t
from graph_builder.registers.base import Builder, Column, Context, Row, Triple, opt, ref

KINDS = ("programme", "sub-programme", "funding-stream", "fund", "procurement-framework", "pilot")


class ProgrammesBuilder(Builder):
    name = "programmes"
    title = "Programmes and funding streams"
    key = ("key",)
    columns = (
        Column("key", "slug", required=True),
        Column("name", required=True),
        Column("kind", "enum", required=True, choices=KINDS),
        Column("parent", "slug", ref="programme"),
        Column("funded_by", "slug", ref="programme"),
        Column("funder", "slug", ref="body"),
        Column("start", "date"),
        Column("end", "date"),
        Column("source", "sources", required=True),
        Column("note"),
    )

    def ids(self, rows: Sequence[Row]) -> dict[str, dict[str, str]]:
        return {"programme": {r["key"]: mint.thing("programme", r["key"]) for r in rows}}

    def check(self, row: Row, ctx: Context) -> Iterator[tuple[str, str]]:
        if row["parent"] == row["key"]:
            yield "parent", "a programme cannot be part of itself"
        if row["start"] and row["end"] and row["end"] < row["start"]:
            yield "end", f"{row['end']} is before the start {row['start']}"
        stream = ctx.row(self.name, "key", row["funded_by"]) if row["funded_by"] else None
        if stream is not None and stream["kind"] != "funding-stream":
            yield "funded_by", f"{row['funded_by']!r} is not a programme of kind funding-stream"

    def triples(self, row: Row, ctx: Context) -> Iterator[Triple]:
        node = t.iri(mint.thing("programme", row["key"]))
        yield node, t.A, t.ndk("Programme")
        if row["kind"] == "funding-stream":
            yield node, t.A, t.ndk("FundingStream")
        yield node, t.ndk("programmeKind"), t.iri(mint.concept("programme-kind", row["kind"]))
        yield node, t.skos("prefLabel"), t.lit(row["name"])
        yield node, t.dcterms("identifier"), t.lit(row["key"])
        yield from opt(node, t.dcterms("isPartOf"), row["parent"], ref(ctx, "programme"))
        yield from opt(node, t.ndk("fundedBy"), row["funded_by"], ref(ctx, "programme"))
        yield from opt(node, t.ndk("funder"), row["funder"], ref(ctx, "body"))
        yield from opt(node, t.ndk("startDate"), row["start"], t.date_lit)
        yield from opt(node, t.ndk("endDate"), row["end"], t.date_lit)
        yield from self.provenance(node, row)
