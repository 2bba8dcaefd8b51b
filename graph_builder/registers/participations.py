"""participations.csv: an organisation's part in a programme (role, cohort, status, funding).

The direct edge `ndk:participatesIn` is added while the participation is announced or
confirmed; a proposed or dropped one stays as its node only.

Derived, because several questions ask it: `ndk:exemplarVia` links each organisation that
is an exemplar of a programme to the participation that makes it one: the participant of
an announced or confirmed exemplar or joint-exemplar participation, and every
organisation that succeeded it (successions.csv, through any number of mergers: R0B is a
global digital exemplar through RLN's participation). When is the participation's own
announced date (its day bounds).
"""

from __future__ import annotations

from collections.abc import Iterator

from graph_builder.core import iri as mint
from graph_builder.core import terms as t
from graph_builder.registers.base import Builder, Column, Context, Row, Triple, concept_term, opt, ref

ROLES = ("exemplar", "joint-exemplar", "fast-follower", "place-based-exemplar", "pilot-area")
COHORTS = (
    "acute-wave-1",
    "acute-wave-2",
    "mental-health",
    "ambulance",
    "fast-follower-wave-1",
    "mental-health-fast-follower",
    "lhcre-wave-1",
    "lhcre-wave-1b",
    "nhs-app-pilot",
)
STATUSES = ("announced", "confirmed", "proposed", "dropped")


class ParticipationsBuilder(Builder):
    name = "participations"
    title = "Participations in programmes"
    key = ("organisation", "programme", "role", "source")
    reads = ("successions",)  # an exemplar's successors are exemplars too (ndk:exemplarVia)
    columns = (
        Column("organisation", required=True, ref="party"),
        Column("programme", "slug", required=True, ref="programme"),
        Column("role", "enum", required=True, choices=ROLES),
        Column("cohort", "enum", choices=COHORTS),
        Column("announced", "date"),
        Column("status", "enum", required=True, choices=STATUSES),
        Column("funding_gbp", "money"),
        Column("source", "sources", required=True),
        Column("note"),
    )

    def triples(self, row: Row, ctx: Context) -> Iterator[Triple]:
        base = mint.relation("participation", row["organisation"], row["programme"], row["role"], row["source"])
        node = t.iri(base)
        party = ref(ctx, "party")(row["organisation"])
        programme = ref(ctx, "programme")(row["programme"])
        yield node, t.A, t.ndk("Participation")
        yield node, t.ndk("participant"), party
        yield node, t.ndk("programme"), programme
        yield node, t.ndk("role"), t.iri(mint.concept("participation-role", row["role"]))
        yield from opt(node, t.ndk("cohort"), row["cohort"], concept_term("cohort"))
        yield from opt(node, t.ndk("announcedDate"), row["announced"], t.date_lit)
        yield node, t.ndk("status"), t.iri(mint.concept("status", row["status"]))
        if row["funding_gbp"]:
            amount = t.iri(base + "/funding")
            yield node, t.ndk("funding"), amount
            yield amount, t.A, t.schema("MonetaryAmount")
            yield amount, t.schema("value"), t.decimal_lit(row["funding_gbp"])
            yield amount, t.schema("currency"), t.lit("GBP")
        if row["status"] in ("announced", "confirmed"):
            yield party, t.ndk("participatesIn"), programme
            if row["role"] in ("exemplar", "joint-exemplar"):
                yield party, t.ndk("exemplarVia"), node
                for code in ctx.successors(row["organisation"]):
                    yield t.iri(mint.org(code)), t.ndk("exemplarVia"), node
        yield from self.provenance(node, row)
