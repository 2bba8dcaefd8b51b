"""organisations.csv: every listing of an ODS- or ONS-coded organisation by a source.

Each row becomes an `ndk:OrganisationRecord` (what that source says). The organisation
node (`id/org/{code}`) summarises its listings: its class and type, `skos:prefLabel`,
open and close dates come from the newest listing that gives them (sources ordered by
their date, then key); other names become `skos:altLabel`. The records keep every claim.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence

from graph_builder.core import iri as mint
from graph_builder.core import terms as t
from graph_builder.registers.base import Builder, Column, Context, Row, Triple, opt

TRUST_KINDS = (
    "acute-trust",
    "mental-health-trust",
    "mental-health-and-community-trust",
    "community-trust",
    "ambulance-trust",
    "care-trust",
    "specialist-trust",
    "nhs-trust",
)
KINDS = (*TRUST_KINDS, "stp", "icb", "ccg", "region")
CLASS_OF_KIND = {
    **{k: "NHSTrust" for k in TRUST_KINDS},
    "stp": "STP",
    "icb": "IntegratedCareBoard",
    "ccg": "ClinicalCommissioningGroup",
    "region": "Region",
}


class OrganisationsBuilder(Builder):
    name = "organisations"
    title = "Organisations (ODS/ONS listings)"
    key = ("code", "source")
    reads = ("sources",)
    columns = (
        Column("code", "code", required=True),
        Column("name", required=True),
        Column("kind", "enum", required=True, choices=KINDS),
        Column("ons_code"),
        Column("open_date", "day"),
        Column("close_date", "day"),
        Column("latitude", "float"),
        Column("longitude", "float"),
        Column("country", "enum", choices=("england", "wales")),
        Column("source", "sources", required=True),
        Column("note"),
    )

    def ids(self, rows: Sequence[Row]) -> dict[str, dict[str, str]]:
        return {"org": {r["code"]: mint.org(r["code"]) for r in rows}}

    def check(self, row: Row, ctx: Context) -> Iterator[tuple[str, str]]:
        opened, closed = row.get("open_date"), row.get("close_date")
        if opened and closed and closed < opened:
            yield "close_date", f"{closed} is before the open date {opened}"
        ons = row.get("ons_code")
        if ons and not mint.ONS_CODE.match(ons):
            yield "ons_code", f"{ons!r} is not an ONS code (a letter and eight digits, e.g. E54000040)"
        for axis, limit in (("latitude", 90.0), ("longitude", 180.0)):
            value = row.get(axis)
            if value and abs(float(value)) > limit:
                yield axis, f"{value} is outside -{limit:g}..{limit:g}"

    def triples(self, row: Row, ctx: Context) -> Iterator[Triple]:
        code = row["code"]
        node = t.iri(mint.relation("record", code, row["source"]))
        org = t.iri(mint.org(code))
        yield node, t.A, t.ndk("OrganisationRecord")
        yield node, t.ndk("recordOf"), org
        yield org, t.ndk("hasRecord"), node
        yield node, t.ndk("listedName"), t.lit(row["name"])
        yield node, t.ndk("organisationType"), t.iri(mint.concept("organisation-type", row["kind"]))
        yield from opt(node, t.ndk("onsCode"), row["ons_code"], t.lit)
        yield from opt(node, t.ndk("openDate"), row["open_date"], lambda d: t.lit(d, "date"))
        yield from opt(node, t.ndk("closeDate"), row["close_date"], lambda d: t.lit(d, "date"))
        yield from opt(node, t.schema("latitude"), row["latitude"], t.decimal_lit)
        yield from opt(node, t.schema("longitude"), row["longitude"], t.decimal_lit)
        yield from opt(node, t.ndk("country"), row["country"], t.lit)
        yield from self.provenance(node, row)

    def finish(self, rows: Sequence[Row], ctx: Context) -> Iterator[Triple]:
        by_code: dict[str, list[Row]] = defaultdict(list)
        for row in rows:
            by_code[row["code"]].append(row)
        for code, listings in by_code.items():
            yield from self._organisation(code, self._newest_first(listings, ctx))

    @staticmethod
    def _newest_first(listings: list[Row], ctx: Context) -> list[Row]:
        def when(row: Row) -> tuple[str, str]:
            dates = [ctx.source_date(s) for s in row.sources()]
            return max(dates, default=""), row["source"]

        return sorted(listings, key=when, reverse=True)

    def _organisation(self, code: str, listings: list[Row]) -> Iterator[Triple]:
        org = t.iri(mint.org(code))
        for cls in sorted({CLASS_OF_KIND[r["kind"]] for r in listings}):
            yield org, t.A, t.ndk(cls)
        yield org, t.A, t.ndk("Organisation")
        specific = [r["kind"] for r in listings if r["kind"] != "nhs-trust"]
        kind = specific[0] if specific else listings[0]["kind"]
        yield org, t.ndk("organisationType"), t.iri(mint.concept("organisation-type", kind))
        code_prop = "onsCode" if mint.ONS_CODE.match(code) else "odsCode"
        yield org, t.ndk(code_prop), t.lit(code)
        yield org, t.org_("identifier"), t.lit(code)  # DESIGN.md: codes are also org:identifier
        if code_prop == "odsCode":
            ons = [r["ons_code"] for r in listings if r["ons_code"]]
            if ons:
                yield org, t.ndk("onsCode"), t.lit(ons[0])
        name = listings[0]["name"]
        yield org, t.skos("prefLabel"), t.lit(name)
        for other in sorted({r["name"] for r in listings} - {name}):
            yield org, t.skos("altLabel"), t.lit(other)
        for column, prop in (("open_date", "openDate"), ("close_date", "closeDate")):
            given = [r[column] for r in listings if r[column]]
            if given:
                yield org, t.ndk(prop), t.lit(given[0], "date")
        for src in sorted({s for r in listings for s in r.sources()}):
            yield org, t.dcterms("source"), t.iri(mint.thing("source", src))
