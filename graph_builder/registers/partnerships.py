"""partnerships.csv: a fast follower paired with an exemplar, with status and dates.

Status is data: a dropped or proposed pairing stays. The direct edge `ndk:follows` is
added only while the pairing is confirmed and has not ended.
"""

from __future__ import annotations

from collections.abc import Iterator

from graph_builder.core import iri as mint
from graph_builder.core import terms as t
from graph_builder.registers.base import Builder, Column, Context, Row, Triple, opt, ref

STATUSES = ("confirmed", "proposed", "dropped")


class PartnershipsBuilder(Builder):
    name = "partnerships"
    title = "Partnerships (follower → exemplar)"
    key = ("follower", "exemplar", "programme", "source")
    columns = (
        Column("follower", "code", required=True, ref="org"),
        Column("exemplar", "code", required=True, ref="org"),
        Column("programme", "slug", required=True, ref="programme"),
        Column("status", "enum", required=True, choices=STATUSES),
        Column("start", "date"),
        Column("end", "date"),
        Column("source", "sources", required=True),
        Column("note"),
    )

    def check(self, row: Row, ctx: Context) -> Iterator[tuple[str, str]]:
        if row["follower"] == row["exemplar"]:
            yield "exemplar", "an organisation cannot follow itself"
        if row["start"] and row["end"] and row["end"] < row["start"]:
            yield "end", f"{row['end']} is before the start {row['start']}"
        if row["end"] and row["status"] == "confirmed":
            yield "end", "a confirmed pairing has no end date; set status dropped if it ended"

    def triples(self, row: Row, ctx: Context) -> Iterator[Triple]:
        keys = (row["follower"], row["exemplar"], row["programme"], row["source"])
        node = t.iri(mint.relation("partnership", *keys))
        follower, exemplar = t.iri(mint.org(row["follower"])), t.iri(mint.org(row["exemplar"]))
        yield node, t.A, t.ndk("Partnership")
        yield node, t.ndk("follower"), follower
        yield node, t.ndk("exemplar"), exemplar
        yield node, t.ndk("programme"), ref(ctx, "programme")(row["programme"])
        yield node, t.ndk("status"), t.iri(mint.concept("status", row["status"]))
        yield from opt(node, t.ndk("startDate"), row["start"], t.date_lit)
        yield from opt(node, t.ndk("endDate"), row["end"], t.date_lit)
        if row["status"] == "confirmed" and not row["end"]:
            yield follower, t.ndk("follows"), exemplar
        yield from self.provenance(node, row)
