"""claims.csv: figures and statements the sources make, kept side by side when they disagree."""

from __future__ import annotations

from collections.abc import Iterator

from graph_builder.core import iri as mint
from graph_builder.core import terms as t
from graph_builder.registers.base import Builder, Column, Context, Row, Triple, concept_term, opt, ref

KINDS = ("funding", "count", "target", "completeness", "finding", "recommendation", "statement")
STATEMENTS = ("completeness", "finding", "recommendation", "statement")  # claims in words, without a value
QUALIFIERS = ("exact", "up-to", "about", "at-least", "each")


class ClaimsBuilder(Builder):
    name = "claims"
    title = "Claims (figures the sources state)"
    key = ("key",)
    columns = (
        Column("key", "slug", required=True),
        Column("kind", "enum", required=True, choices=KINDS),
        Column("subject", required=True, ref="subject"),
        Column("value", "decimal"),
        Column("unit"),
        Column("counts"),
        Column("qualifier", "enum", choices=QUALIFIERS),
        Column("date", "date"),
        Column("statement", required=True),
        Column("attributed_to", "slug", ref="person"),
        Column("source", "sources", required=True),
        Column("note"),
    )

    def check(self, row: Row, ctx: Context) -> Iterator[tuple[str, str]]:
        kind, value, unit = row["kind"], row["value"], row["unit"]
        if kind in STATEMENTS:
            if value:
                yield "value", f"a {kind} claim is a statement; leave value empty"
            return
        if not value:
            yield "value", f"a {kind} claim needs a value"
        elif value.startswith("-"):
            yield "value", f"{value} is negative; amounts and counts are never negative"
        if not unit:
            yield "unit", f"a {kind} claim needs a unit (GBP for money)"
        if kind == "funding" and unit and unit != "GBP":
            yield "unit", f"{unit!r} is not GBP; funding claims are in pounds sterling"
        if kind == "count" and value and "." in value:
            yield "value", f"{value} is not a whole number; a count counts whole things"

    def triples(self, row: Row, ctx: Context) -> Iterator[Triple]:
        node = t.iri(mint.thing("claim", row["key"]))
        yield node, t.A, t.ndk("Claim")
        yield node, t.dcterms("identifier"), t.lit(row["key"])
        yield node, t.ndk("claimKind"), t.iri(mint.concept("claim-kind", row["kind"]))
        yield node, t.ndk("about"), ref(ctx, "subject")(row["subject"])
        yield from opt(node, t.ndk("value"), row["value"], t.decimal_lit)
        yield from opt(node, t.ndk("unit"), row["unit"], t.lit)
        yield from opt(node, t.ndk("counts"), row["counts"], t.lit)
        yield from opt(node, t.ndk("qualifier"), row["qualifier"], concept_term("qualifier"))
        yield from opt(node, t.ndk("claimDate"), row["date"], t.date_lit)
        yield node, t.ndk("statement"), t.lit(row["statement"])
        yield from opt(node, t.prov("wasAttributedTo"), row["attributed_to"], ref(ctx, "person"))
        yield from self.provenance(node, row)
