"""sources.csv: the pages, datasets and articles the other registers cite."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from graph_builder.core import iri as mint
from graph_builder.core import terms as t
from graph_builder.registers.base import Builder, Column, Context, Row, Triple, opt

KINDS = ("dataset", "article", "web-page", "compilation")


class SourcesBuilder(Builder):
    name = "sources"
    title = "Sources"
    key = ("key",)
    columns = (
        Column("key", "slug", required=True),
        Column("kind", "enum", required=True, choices=KINDS),
        Column("title", required=True),
        Column("publisher"),
        Column("date", "date"),
        Column("url"),
        Column("path"),
        Column("licence"),
        Column("note"),
    )

    def ids(self, rows: Sequence[Row]) -> dict[str, dict[str, str]]:
        return {"source": {r["key"]: mint.thing("source", r["key"]) for r in rows}}

    def check(self, row: Row, ctx: Context) -> Iterator[tuple[str, str]]:
        url = row.get("url")
        if url and not url.startswith(("https://", "http://")):
            yield "url", f"{url!r} is not an http(s) address"
        if not url and not row.get("path"):
            yield "url", "a source needs a url or a path under shared/data"

    def triples(self, row: Row, ctx: Context) -> Iterator[Triple]:
        node = t.iri(mint.thing("source", row["key"]))
        yield node, t.A, t.ndk("Source")
        yield node, t.ndk("sourceKind"), t.iri(mint.concept("source-kind", row["kind"]))
        yield node, t.dcterms("title"), t.lit(row["title"])
        yield node, t.dcterms("identifier"), t.lit(row["key"])
        yield from opt(node, t.dcterms("publisher"), row["publisher"], t.lit)
        yield from opt(node, t.dcterms("date"), row["date"], t.date_lit)
        yield from opt(node, t.schema("url"), row["url"], lambda u: t.lit(u, "anyURI"))
        yield from opt(node, t.ndk("sharedPath"), row["path"], t.lit)
        yield from opt(node, t.dcterms("license"), row["licence"], t.lit)
        yield from opt(node, t.skos("note"), row["note"], t.lit)
        yield node, t.ndk("registerRow"), t.lit(str(row.line), "integer")
        yield node, t.ndk("inRegister"), t.iri(mint.thing("register", self.name))
