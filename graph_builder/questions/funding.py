"""funding-check: recompute the totals the sources state from the parts they give.

Each check is declared below as data: a stated claim (by its key in claims.csv) and the
parts that should make it up, each part a product of factors. A factor is a claim
(`claim:KEY`, its value) or a count the graph itself holds (`graph:MEASURE`). The check
reports the stated figure, the recomputed one, the difference and a verdict:

- `agrees` / `disagrees` for an exact claim;
- `agrees (stated as about)` when an "about" figure is within 5 % of the parts;
- `within the ceiling` / `above the ceiling` for "up to", `meets` / `below` for "at least";
- `incomplete` when the parts the sources give do not cover the whole (the gap is shown);
- `cannot check` when a claim the check needs is not in the graph.

Nothing is dropped: a check that disagrees is reported with its figures and sources, as
is one that agrees.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from graph_builder.core import iri as mint
from graph_builder.questions.answers import term_text
from graph_builder.questions.exemplars import COUNTED_ROLES, GDE, counted
from graph_builder.questions.projection import edges_of, project

if TYPE_CHECKING:
    from graph_builder.questions.model import AskContext


TIMES = "\N{MULTIPLICATION SIGN}"


@dataclass(frozen=True)
class Check:
    name: str
    stated: str  # claim:KEY or graph:MEASURE
    parts: tuple[tuple[str, ...], ...]  # a sum of products of factors
    complete: bool = True  # False: the parts the sources give are known to cover only part of it
    note: str = ""


CHECKS: tuple[Check, ...] = (
    Check(
        f"exemplars' share of the £385m: 16 acute {TIMES} £10m + 7 mental health {TIMES} £5m = £195m?",
        "claim:gde-exemplars-195m-article-002",
        (
            ("claim:gde-acute-exemplars-16-article-002", "claim:gde-acute-exemplar-10m-wiki-gde"),
            ("claim:gde-mh-exemplars-7-article-002", "claim:gde-mh-exemplar-5m-wiki-gde"),
        ),
    ),
    Check(
        f"mental health exemplars: 7 {TIMES} £5m = £35m shared?",
        "claim:gde-mh-35m-nhe-mh",
        (("claim:gde-mh-exemplars-7-nhe-mh", "claim:gde-mh-exemplar-5m-wiki-gde"),),
    ),
    Check(
        "programme: £195m + £190m = £385m (article-002)?",
        "claim:gde-385m-article-002",
        (("claim:gde-exemplars-195m-article-002",), ("claim:gde-followers-190m-article-002",)),
    ),
    Check(
        "programme: £195m + £190m = £385m (article-000)?",
        "claim:gde-385m-article-000",
        (("claim:gde-exemplars-195m-article-002",), ("claim:gde-followers-190m-article-002",)),
    ),
    Check(
        "programme: £195m + £190m against EDI-EVAL's £395m",
        "claim:gde-395m-edi-eval",
        (("claim:gde-exemplars-195m-article-002",), ("claim:gde-followers-190m-article-002",)),
    ),
    Check(
        f"the rest of the £385m: 16 fast followers {TIMES} £5m + ambulance £5m + ~5 place-based = £190m?",
        "claim:gde-followers-190m-article-002",
        (
            ("claim:fast-followers-16-article-002", "claim:fast-follower-5m-wiki-gde"),
            ("claim:gde-ambulance-5m-hsj-amb",),
        ),
        complete=False,
        note="no source gives the place-based exemplars' share of the £190m",
    ),
    Check(
        "acute exemplars: 12 in wave 1 + wave 2 in the graph = 16?",
        "claim:gde-acute-exemplars-16-dhn-4new",
        (("claim:gde-acute-exemplars-12-hsj-12",), ("graph:exemplars:acute-wave-2",)),
    ),
    Check(
        "acute exemplars in the graph against the stated 16",
        "claim:gde-acute-exemplars-16-article-002",
        (("graph:exemplars:acute",),),
    ),
    Check(
        "mental health exemplars in the graph against the stated 7",
        "claim:gde-mh-exemplars-7-nhe-mh",
        (("graph:exemplars:mental-health",),),
    ),
    Check(
        "mental health exemplars in the graph against the earlier reports of 6",
        "claim:gde-mh-exemplars-6-facts-md",
        (("graph:exemplars:mental-health",),),
    ),
    Check(
        "ambulance exemplars in the graph against the stated 3",
        "claim:gde-ambulance-exemplars-3-hsj-amb",
        (("graph:exemplars:ambulance",),),
    ),
    Check(
        "ambulance exemplars in the graph against the expected 'around two'",
        "claim:gde-ambulance-exemplars-2-article-002",
        (("graph:exemplars:ambulance",),),
    ),
    Check(
        "first-wave fast followers in the graph against the stated 16",
        "claim:fast-followers-16-article-002",
        (("graph:fast-followers:fast-follower-wave-1",),),
        complete=False,
        note="claim gde-pairings-not-found-facts-md: the full list is beyond the readable sources",
    ),
    Check(
        "fast followers named: 16 (article-002) against 18 (DHN-FF18)",
        "claim:fast-followers-18-dhn-ff18",
        (("claim:fast-followers-16-article-002",),),
    ),
    Check(
        "fast followers: 17 (article-003) against 18 (DHN-FF18)",
        "claim:fast-followers-18-dhn-ff18",
        (("claim:fast-followers-17-article-003",),),
    ),
    Check(
        "Paperless 2020: £1.3bn (article-002) against £4.2bn (DHN-MH-FUND)",
        "claim:paperless-2020-4-2bn-dhn-mh-fund",
        (("claim:paperless-2020-1-3bn-article-002",),),
    ),
    Check(
        "per acute exemplar: 'up to £10m' (article-001) against £10m (WIKI-GDE)",
        "claim:gde-acute-exemplar-up-to-10m-article-001",
        (("claim:gde-acute-exemplar-10m-wiki-gde",),),
    ),
    Check(
        "per exemplar: '£10 each' as printed (article-003) against £10m (WIKI-GDE)",
        "claim:gde-acute-exemplar-10m-wiki-gde",
        (("claim:gde-10-each-article-003",),),
    ),
    Check(
        "Pennine Acute's £5m against £5m per acute fast follower",
        "claim:fast-follower-5m-wiki-gde",
        (("graph:participation-funding:RW6",),),
    ),
)

_CLAIMS = (
    f"\nPREFIX ndk: <{mint.DEF}>"
    + """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?key ?value ?unit ?qualifier (GROUP_CONCAT(DISTINCT ?sourceKey; SEPARATOR=";") AS ?source) WHERE {
  ?c a ndk:Claim ; dcterms:identifier ?key ; ndk:value ?value .
  OPTIONAL { ?c ndk:unit ?unit } OPTIONAL { ?c ndk:qualifier/skos:notation ?qualifier }
  OPTIONAL { ?c dcterms:source/dcterms:identifier ?sourceKey }
} GROUP BY ?key ?value ?unit ?qualifier"""
)

_FUNDING = (
    f"\nPREFIX ndk: <{mint.DEF}>"
    + """
PREFIX schema: <https://schema.org/>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?code ?value (GROUP_CONCAT(DISTINCT ?sourceKey; SEPARATOR=";") AS ?source) WHERE {
  ?p ndk:funding ?f . ?f schema:value ?value . ?p ndk:participant ?org . ?org ndk:odsCode ?code .
  OPTIONAL { SELECT ?p ?sourceKey WHERE {
    ?p ndk:funding ?g ; dcterms:source ?src . ?src dcterms:identifier ?sourceKey } }
} GROUP BY ?code ?value"""
)


@dataclass(frozen=True)
class Figure:
    value: Decimal
    unit: str
    qualifier: str
    source: str
    label: str


def _figures(ctx: AskContext) -> dict[str, Figure]:
    found: dict[str, Figure] = {}

    def rows(query: str) -> list[dict[str, str]]:
        answer = ctx.store.select(query, timeout=ctx.timeout)
        return [
            {k: term_text(c) if c is not None else "" for k, c in zip(answer.variables, row, strict=True)}
            for row in answer.rows
        ]

    for r in rows(_CLAIMS):
        found[f"claim:{r['key']}"] = Figure(
            Decimal(r["value"]), r["unit"], r["qualifier"] or "exact", r["source"], r["key"]
        )
    for key, (n, sources) in _graph_counts(ctx).items():
        kind = key.replace("-", " ").replace(":", ", ")
        found[f"graph:{key}"] = Figure(Decimal(n), "trust", "exact", ";".join(sorted(sources)), f"graph ({kind})")
    for r in rows(_FUNDING):
        found[f"graph:participation-funding:{r['code']}"] = Figure(
            Decimal(r["value"]), "GBP", "exact", r["source"], f"graph ({r['code']} participation)"
        )
    return found


def _graph_counts(ctx: AskContext) -> dict[str, tuple[int, set[str]]]:
    """`exemplars:COHORT` and `fast-followers:COHORT` (and `…:acute`, the acute waves summed):
    how many organisations the graph counts in each (`exemplars.counted`), and their sources."""
    graph = project(ctx.store, ("participation",), ctx.timeout)
    cohorts: dict[tuple[str, str], tuple[set[str], set[str]]] = {}
    for u, v, data in edges_of(graph, "participation"):
        for role in COUNTED_ROLES:
            if data.get("cohort") and counted(data, GDE, (role,), v):
                orgs, sources = cohorts.setdefault((role, data["cohort"]), (set(), set()))
                orgs.add(u)
                sources.update(str(data.get("source") or "").split(";"))
    counts: dict[str, tuple[int, set[str]]] = {}
    for (role, cohort), (orgs, sources) in sorted(cohorts.items()):
        group = "acute" if cohort.startswith("acute-") else cohort
        for key in {f"{role}s:{cohort}", f"{role}s:{group}"}:
            n, known = counts.get(key, (0, set()))
            counts[key] = (n + len(orgs), known | sources)
    return counts


def money(value: Decimal, unit: str) -> str:
    """£385m, £1.3bn, £10, or a plain number for counts."""
    if unit != "GBP":
        return format(value.normalize(), "f")
    sign, value = ("-" if value < 0 else ""), abs(value)
    for size, suffix in ((Decimal(10) ** 9, "bn"), (Decimal(10) ** 6, "m")):
        if value >= size:
            return f"{sign}£{format((value / size).normalize(), 'f')}{suffix}"
    return f"{sign}£{format(value.normalize(), 'f')}"


_VERDICTS: dict[str, Callable[[Decimal, Decimal], str]] = {
    "exact": lambda stated, got: "agrees" if got == stated else "disagrees",
    "each": lambda stated, got: "agrees" if got == stated else "disagrees",
    "about": lambda stated, got: (
        "agrees (stated as about)" if abs(got - stated) <= stated * Decimal("0.05") else "disagrees (stated as about)"
    ),
    "up-to": lambda stated, got: "within the ceiling" if got <= stated else "above the ceiling",
    "at-least": lambda stated, got: "meets" if got >= stated else "below",
}


def funding_check(ctx: AskContext) -> tuple[list[str], list[list[Any]]]:
    figures = _figures(ctx)
    rows = []
    for check in CHECKS:
        needed = [check.stated, *(f for part in check.parts for f in part)]
        missing = [k for k in needed if k not in figures]
        if missing:
            rows.append(
                [
                    check.name,
                    check.stated.split(":", 1)[1],
                    "",
                    "",
                    "",
                    "",
                    "cannot check",
                    f"{missing[0]} is not in the graph",
                    "",
                ]
            )
            continue
        stated = figures[check.stated]
        total = Decimal(0)
        shown = []
        for part in check.parts:
            product = Decimal(1)
            for factor in part:
                product *= figures[factor].value
            total += product
            shown.append(
                f" {TIMES} ".join(f"{money(figures[f].value, figures[f].unit)} [{figures[f].label}]" for f in part)
            )
        verdict = _VERDICTS.get(stated.qualifier, _VERDICTS["exact"])(stated.value, total)
        if not check.complete and total < stated.value:
            verdict = "incomplete"
        sources = sorted({s for k in needed for s in figures[k].source.split(";") if s})
        rows.append(
            [
                check.name,
                stated.label,
                f"{money(stated.value, stated.unit)} ({stated.qualifier})",
                " + ".join(shown),
                money(total, stated.unit),
                money(total - stated.value, stated.unit),
                verdict,
                check.note,
                ";".join(sources),
            ]
        )
    return (["check", "stated_claim", "stated", "parts", "computed", "difference", "verdict", "note", "source"], rows)
