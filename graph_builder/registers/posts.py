"""posts.csv: the posts people held (W3C ORG), with the organisation and dates a source gives.

Each row is one person's tenure of a position, an `org:Post` held by them (`org:heldBy`,
and `org:holds` from the person), with its role (`org:role`), the organisation it is in
(`org:postIn`) where a source names it, and a start or end only where a source dates it.
The same position held by two people is two posts sharing role and organisation.
"""

from __future__ import annotations

from collections.abc import Iterator

from graph_builder.core import iri as mint
from graph_builder.core import terms as t
from graph_builder.registers.base import Builder, Column, Context, Row, Triple, opt, ref

ROLES = (
    "chief-information-officer",
    "chief-clinical-information-officer",
    "director",
    "secretary-of-state",
    "shadow-secretary-of-state",
    "chair",
    "co-chair",
)


def first_day(value: str) -> str:
    """The first day of a date at any precision (2016-07 -> 2016-07-01)."""
    return value + "-01-01"[len(value) - 4 :] if len(value) < 10 else value


def last_day(value: str) -> str:
    """The last day of a date at any precision, as text for comparing (2016-07 -> 2016-07-31)."""
    return value + "-12-31"[len(value) - 4 :] if len(value) < 10 else value


class PostsBuilder(Builder):
    name = "posts"
    title = "Posts held by people"
    key = ("key",)
    columns = (
        Column("key", "slug", required=True),
        Column("holder", "slug", required=True, ref="person"),
        Column("title", required=True),
        Column("role", "enum", required=True, choices=ROLES),
        Column("organisation", ref="party"),
        Column("start", "date"),
        Column("end", "date"),
        Column("source", "sources", required=True),
        Column("note"),
    )

    def check(self, row: Row, ctx: Context) -> Iterator[tuple[str, str]]:
        start, end = row["start"], row["end"]
        if start and end and last_day(end) < first_day(start):
            yield "end", f"{end} is before the start {start}"

    def triples(self, row: Row, ctx: Context) -> Iterator[Triple]:
        node = t.iri(mint.thing("post", row["key"]))
        holder = ref(ctx, "person")(row["holder"])
        yield node, t.A, t.org_("Post")
        yield node, t.skos("prefLabel"), t.lit(row["title"])
        yield node, t.dcterms("identifier"), t.lit(row["key"])
        yield node, t.org_("role"), t.iri(mint.concept("post-role", row["role"]))
        yield node, t.org_("heldBy"), holder
        yield holder, t.org_("holds"), node
        yield from opt(node, t.org_("postIn"), row["organisation"], ref(ctx, "party"))
        yield from opt(node, t.ndk("startDate"), row["start"], t.date_lit)
        yield from opt(node, t.ndk("endDate"), row["end"], t.date_lit)
        yield from self.provenance(node, row)
