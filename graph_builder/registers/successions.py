"""successions.csv: mergers, acquisitions, splits and closures as `org:ChangeEvent`s.

Rows that share an `event` key are one event (several predecessors, or a split). The
direct edge `ndk:succeededBy` links each predecessor to each successor.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence

from graph_builder.core import iri as mint
from graph_builder.core import terms as t
from graph_builder.core.errors import Problem
from graph_builder.registers.base import Builder, Column, Context, Row, Triple

KINDS = ("merger", "acquisition", "closure", "split")


class SuccessionsBuilder(Builder):
    name = "successions"
    title = "Successions (change events)"
    key = ("event", "predecessor", "successor")
    columns = (
        Column("event", "slug", required=True),
        Column("kind", "enum", required=True, choices=KINDS),
        Column("date", "date", required=True),
        Column("predecessor", "code", required=True, ref="org"),
        Column("successor", "code", ref="org"),
        Column("source", "sources", required=True),
        Column("note"),
    )

    def check(self, row: Row, ctx: Context) -> Iterator[tuple[str, str]]:
        if row["kind"] == "closure" and row["successor"]:
            yield "successor", "a closure has no successor; use merger, acquisition or split"
        if row["kind"] != "closure" and not row["successor"]:
            yield "successor", f"a {row['kind']} needs a successor (or use kind closure)"
        if row["predecessor"] == row["successor"]:
            yield "successor", "an organisation cannot succeed itself"

    def check_references(
        self, rows: Sequence[Row], ctx: Context, label: str, malformed: Collection[tuple[int, str]] = frozenset()
    ) -> list[Problem]:
        problems = super().check_references(rows, ctx, label, malformed)
        first: dict[str, Row] = {}
        flawed = {line for line, _ in malformed}
        for row in (r for r in rows if r.line not in flawed):  # a malformed kind or date is said already
            other = first.setdefault(row["event"], row)
            if (other["kind"], other["date"]) != (row["kind"], row["date"]):
                problems.append(
                    Problem(
                        label,
                        row.line,
                        "event",
                        f"event {row['event']} has another kind or date on line {other.line}; "
                        "one event has one kind and one date",
                    )
                )
        return problems

    def triples(self, row: Row, ctx: Context) -> Iterator[Triple]:
        node = t.iri(mint.thing("event", row["event"]))
        pred = t.iri(mint.org(row["predecessor"]))
        yield node, t.org_("originalOrganization"), pred
        yield pred, t.org_("changedBy"), node
        if row["successor"]:
            succ = t.iri(mint.org(row["successor"]))
            yield node, t.org_("resultingOrganization"), succ
            yield succ, t.org_("resultedFrom"), node
            yield pred, t.ndk("succeededBy"), succ
        yield from self.provenance(node, row)

    def finish(self, rows: Sequence[Row], ctx: Context) -> Iterator[Triple]:
        events: dict[str, Row] = {}
        for row in rows:
            events.setdefault(row["event"], row)
        for key, row in events.items():
            node = t.iri(mint.thing("event", key))
            yield node, t.A, t.org_("ChangeEvent")
            yield node, t.ndk("changeKind"), t.iri(mint.concept("change-kind", row["kind"]))
            yield node, t.ndk("eventDate"), t.date_lit(row["date"])
            yield node, t.dcterms("identifier"), t.lit(key)
