"""people.csv: the people the sources name, who hold posts and to whom claims are attributed.

A person is a schema:Person (and a prov:Agent, so a claim can be attributed to them); the
other spellings the sources use are kept as skos:altLabel, never silently corrected.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from graph_builder.core import iri as mint
from graph_builder.core import terms as t
from graph_builder.registers.base import Builder, Column, Context, Row, Triple


class PeopleBuilder(Builder):
    name = "people"
    title = "People"
    key = ("key",)
    columns = (
        Column("key", "slug", required=True),
        Column("name", required=True),
        Column("other_names"),
        Column("source", "sources", required=True),
        Column("note"),
    )

    def ids(self, rows: Sequence[Row]) -> dict[str, dict[str, str]]:
        return {"person": {r["key"]: mint.thing("person", r["key"]) for r in rows}}

    def check(self, row: Row, ctx: Context) -> Iterator[tuple[str, str]]:
        names = row["other_names"].split(";") if row["other_names"] else []
        if any(not n or n != n.strip() for n in names):
            yield "other_names", "separate the other names with ';' and no spaces around it, e.g. Bob Watcher;Bob W"
        if row["name"] in names:
            yield "other_names", f"{row['name']!r} is the name already; list only other spellings"

    def triples(self, row: Row, ctx: Context) -> Iterator[Triple]:
        node = t.iri(mint.thing("person", row["key"]))
        yield node, t.A, t.schema("Person")
        yield node, t.A, t.prov("Agent")
        yield node, t.skos("prefLabel"), t.lit(row["name"])
        yield node, t.dcterms("identifier"), t.lit(row["key"])
        for other in filter(None, row["other_names"].split(";")):
            yield node, t.skos("altLabel"), t.lit(other)
        yield from self.provenance(node, row)
