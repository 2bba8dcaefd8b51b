"""adoptions.csv: a blueprint used by an organisation (the spread the policy aims at)."""

from __future__ import annotations

from collections.abc import Iterator

from graph_builder.core import iri as mint
from graph_builder.core import terms as t
from graph_builder.registers.base import Builder, Column, Context, Row, Triple, opt, ref


class AdoptionsBuilder(Builder):
    name = "adoptions"
    title = "Blueprint adoptions"
    key = ("blueprint", "adopter", "source")
    reads = ("blueprints",)
    columns = (
        Column("blueprint", "slug", required=True, ref="blueprint"),
        Column("adopter", "code", required=True, ref="org"),
        Column("date", "date"),
        Column("source", "sources", required=True),
        Column("note"),
    )

    def check(self, row: Row, ctx: Context) -> Iterator[tuple[str, str]]:
        blueprint = ctx.row("blueprints", "key", row["blueprint"])
        if blueprint is not None and blueprint["author"] == row["adopter"]:
            yield "adopter", f"{row['adopter']} wrote blueprint {row['blueprint']}; an adopter is another organisation"

    def triples(self, row: Row, ctx: Context) -> Iterator[Triple]:
        node = t.iri(mint.relation("adoption", row["blueprint"], row["adopter"], row["source"]))
        blueprint = ref(ctx, "blueprint")(row["blueprint"])
        adopter = t.iri(mint.org(row["adopter"]))
        yield node, t.A, t.ndk("BlueprintAdoption")
        yield node, t.ndk("blueprint"), blueprint
        yield node, t.ndk("adopter"), adopter
        yield from opt(node, t.ndk("adoptionDate"), row["date"], t.date_lit)
        yield adopter, t.ndk("usesBlueprint"), blueprint
        yield from self.provenance(node, row)
