"""partnerships.csv: a fast follower paired with an exemplar, with status and dates.

Status is data: a dropped or proposed pairing stays. The direct edge `ndk:follows` is
added only while the pairing is confirmed and has not ended.

Derived, for the questions asked `--as-of` a date: `ndk:knownFrom`, the first day a pairing
is known to have held: the first day of its start or, where no row of the pairing gives
one, of the earliest dated source citing it. A pairing is the rows that agree on
follower, exemplar, programme, status, start and end (one line of who-follows-whom);
every row of it gets the same day, and none when nothing about it is dated.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from graph_builder.core import iri as mint
from graph_builder.core import terms as t
from graph_builder.registers.base import Builder, Column, Context, Row, Triple, opt, ref
from graph_builder.registers.days import first_day

STATUSES = ("confirmed", "proposed", "dropped")


class PartnershipsBuilder(Builder):
    name = "partnerships"
    title = "Partnerships (follower → exemplar)"
    key = ("follower", "exemplar", "programme", "source")
    reads = ("sources",)  # their dates date a pairing whose rows give no start (ndk:knownFrom)
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

    @staticmethod
    def node(row: Row) -> str:
        return t.iri(mint.relation("partnership", row["follower"], row["exemplar"], row["programme"], row["source"]))

    def finish(self, rows: Sequence[Row], ctx: Context) -> Iterator[Triple]:
        pairings: dict[tuple[str, ...], list[Row]] = {}
        for row in rows:
            pairing = tuple(row[c] for c in ("follower", "exemplar", "programme", "status", "start", "end"))
            pairings.setdefault(pairing, []).append(row)
        for (*_, start, _end), members in pairings.items():
            days = [first_day(start)] if start else []
            days = days or [first_day(d) for r in members for s in r.sources() if (d := ctx.source_date(s))]
            if days:
                known = t.lit(min(days), "date")
                for row in members:
                    yield self.node(row), t.ndk("knownFrom"), known

    def triples(self, row: Row, ctx: Context) -> Iterator[Triple]:
        node = self.node(row)
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
