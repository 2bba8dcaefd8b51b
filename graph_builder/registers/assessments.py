"""assessments.csv: HIMSS EMRAM (and O-EMRAM) stages awarded to organisations."""

from __future__ import annotations

from collections.abc import Iterator

from graph_builder.core import iri as mint
from graph_builder.core import terms as t
from graph_builder.registers.base import Builder, Column, Context, Row, Triple, opt

MODELS = ("emram", "o-emram")


class AssessmentsBuilder(Builder):
    name = "assessments"
    title = "Maturity assessments"
    key = ("organisation", "model", "stage", "date", "source")
    columns = (
        Column("organisation", "code", required=True, ref="org"),
        Column("model", "enum", required=True, choices=MODELS),
        Column("stage", "int", required=True, low=0, high=7),
        Column("date", "date"),
        Column("site"),
        Column("source", "sources", required=True),
        Column("note"),
    )

    def check(self, row: Row, ctx: Context) -> Iterator[tuple[str, str]]:
        if not row["date"] and not row["note"]:
            yield "date", "an assessment without a date must say in note why the date is unknown"

    def triples(self, row: Row, ctx: Context) -> Iterator[Triple]:
        stage = f"{row['model']}-{row['stage']}"
        node = t.iri(mint.relation("assessment", row["organisation"], stage, row["date"] or "undated", row["source"]))
        yield node, t.A, t.ndk("MaturityAssessment")
        yield node, t.ndk("assessedOrganisation"), t.iri(mint.org(row["organisation"]))
        yield node, t.ndk("maturityModel"), t.iri(mint.concept("maturity-model", row["model"]))
        yield node, t.ndk("stage"), t.lit(row["stage"], "integer")
        yield from opt(node, t.ndk("assessmentDate"), row["date"], t.date_lit)
        yield from opt(node, t.ndk("site"), row["site"], t.lit)
        yield from self.provenance(node, row)
