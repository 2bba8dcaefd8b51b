"""memberships.csv: member → group (STP, ICS/ICB, region) over the period a source describes.

Each row is an `org:Membership` with an OWL-Time interval; the direct `org:memberOf`
edge is added too (the membership node says when it held).
"""

from __future__ import annotations

from collections.abc import Iterator

from graph_builder.core import iri as mint
from graph_builder.core import terms as t
from graph_builder.registers.base import Builder, Column, Context, Row, Triple


class MembershipsBuilder(Builder):
    name = "memberships"
    title = "Memberships"
    key = ("member", "group", "source")
    columns = (
        Column("member", "code", required=True, ref="org"),
        Column("group", "code", required=True, ref="org"),
        Column("start", "day", required=True),
        Column("end", "day", required=True),
        Column("source", "sources", required=True),
        Column("note"),
    )

    def check(self, row: Row, ctx: Context) -> Iterator[tuple[str, str]]:
        if row["member"] == row["group"]:
            yield "group", f"{row['group']} cannot be a member of itself"
        if row["start"] and row["end"] and row["end"] < row["start"]:
            yield "end", f"{row['end']} is before the start {row['start']}"

    def triples(self, row: Row, ctx: Context) -> Iterator[Triple]:
        base = mint.relation("membership", row["member"], row["group"], row["source"])
        node, during = t.iri(base), t.iri(base + "/interval")
        member, group = t.iri(mint.org(row["member"])), t.iri(mint.org(row["group"]))
        yield node, t.A, t.org_("Membership")
        yield node, t.org_("member"), member
        yield node, t.org_("organization"), group
        yield node, t.org_("memberDuring"), during
        yield during, t.A, t.time("Interval")
        for edge, column in (("hasBeginning", "start"), ("hasEnd", "end")):
            instant = t.iri(f"{base}/interval/{column}")
            yield during, t.time(edge), instant
            yield instant, t.A, t.time("Instant")
            yield instant, t.time("inXSDDate"), t.lit(row[column], "date")
        yield member, t.org_("memberOf"), group
        yield from self.provenance(node, row)
