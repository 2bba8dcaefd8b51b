"""deployments.csv: an organisation's system or supplier (or none, or in-house) at a date.

"No EPR" and "in-house" are values (`ndk:provision`), not gaps. The direct edges
`ndk:usesSystem` / `ndk:usesSupplier` come from each organisation's latest live
deployment(s) only, so history does not read as the present.

Derived, for questions asked of the latest record at a date: `ndk:supersededFrom`, the
first day of the organisation's next later record (days compared by their first day,
registers/days.py), absent on its latest records. A record is the organisation's latest
from its own first day until then: latest today when it has none, latest on day D when
it starts on or before D and is not superseded by D.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from itertools import pairwise

from graph_builder.core import iri as mint
from graph_builder.core import terms as t
from graph_builder.registers.base import Builder, Column, Context, Row, Triple, opt, ref
from graph_builder.registers.days import first_day

PROVISIONS = ("supplier", "in-house", "none")
STATUSES = ("live", "chosen", "planned", "withdrawn")


def node_of(row: Row) -> str:
    what = row["system"] or row["supplier"] or row["provision"]
    return mint.relation("deployment", row["organisation"], what, row["as_of"], row["source"])


class DeploymentsBuilder(Builder):
    name = "deployments"
    title = "System deployments"
    key = ("organisation", "system", "supplier", "as_of", "source")
    columns = (
        Column("organisation", "code", required=True, ref="org"),
        Column("system", "slug", ref="system"),
        Column("supplier", "slug", ref="supplier"),
        Column("provision", "enum", required=True, choices=PROVISIONS),
        Column("status", "enum", required=True, choices=STATUSES),
        Column("as_of", "date", required=True),
        Column("source", "sources", required=True),
        Column("note"),
    )

    def check(self, row: Row, ctx: Context) -> Iterator[tuple[str, str]]:
        named = row["system"] or row["supplier"]
        if row["provision"] == "supplier" and not named:
            yield "provision", "provision 'supplier' needs a system or a supplier"
        if row["provision"] != "supplier" and named:
            yield "provision", f"provision {row['provision']!r} names no system or supplier; use 'supplier'"

    def triples(self, row: Row, ctx: Context) -> Iterator[Triple]:
        node = t.iri(node_of(row))
        yield node, t.A, t.ndk("Deployment")
        yield node, t.ndk("deployedAt"), t.iri(mint.org(row["organisation"]))
        yield from opt(node, t.ndk("system"), row["system"], ref(ctx, "system"))
        yield from opt(node, t.ndk("supplier"), row["supplier"], ref(ctx, "supplier"))
        yield node, t.ndk("provision"), t.iri(mint.concept("epr-provision", row["provision"]))
        yield node, t.ndk("deploymentStatus"), t.iri(mint.concept("deployment-status", row["status"]))
        yield node, t.ndk("asOf"), t.date_lit(row["as_of"])
        yield from self.provenance(node, row)

    def finish(self, rows: Sequence[Row], ctx: Context) -> Iterator[Triple]:
        yield from self.superseded(rows)
        live: dict[str, list[Row]] = defaultdict(list)
        for row in rows:
            if row["status"] == "live" and row["provision"] == "supplier":
                live[row["organisation"]].append(row)
        for code, found in live.items():
            latest = max(r["as_of"] for r in found)
            org = t.iri(mint.org(code))
            for row in (r for r in found if r["as_of"] == latest):
                yield from opt(org, t.ndk("usesSystem"), row["system"], ref(ctx, "system"))
                yield from opt(org, t.ndk("usesSupplier"), row["supplier"], ref(ctx, "supplier"))

    @staticmethod
    def superseded(rows: Sequence[Row]) -> Iterator[Triple]:
        """Each record that a later record of its organisation supersedes, with that record's first day."""
        days: dict[str, set[str]] = defaultdict(set)
        for row in rows:
            days[row["organisation"]].add(first_day(row["as_of"]))
        following: dict[str, dict[str, str]] = {}
        for code, found in days.items():
            ordered = sorted(found)
            following[code] = dict(pairwise(ordered))
        for row in rows:
            after = following[row["organisation"]].get(first_day(row["as_of"]))
            if after:
                yield t.iri(node_of(row)), t.ndk("supersededFrom"), t.lit(after, "date")
