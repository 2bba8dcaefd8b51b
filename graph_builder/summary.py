"""What a build made: triples per graph and counts per class, from the quads themselves."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

from graph_builder import iri as mint
from graph_builder import terms as t

Summary = dict[str, dict[str, int]]

_CLASSES = (
    ("NHSTrust", "NHS trusts"),
    ("STP", "STPs / ICSs"),
    ("IntegratedCareBoard", "ICBs"),
    ("ClinicalCommissioningGroup", "CCGs"),
    ("Region", "NHS England regions"),
    ("NationalBody", "national bodies"),
    ("Supplier", "IT suppliers"),
    ("Place", "places"),
    ("OrganisationRecord", "organisation listings"),
    ("Programme", "programmes"),
    ("Participation", "participations"),
    ("Partnership", "partnerships"),
    ("ClinicalSystem", "clinical systems"),
    ("Deployment", "deployments"),
    ("MaturityAssessment", "maturity assessments"),
    ("Blueprint", "blueprints"),
    ("BlueprintAdoption", "blueprint adoptions"),
    ("Claim", "claims"),
    ("Source", "sources"),
)
_EXTERNAL = ((t.ORG + "Membership", "memberships"), (t.ORG + "ChangeEvent", "change events"))


def _local(term: str) -> str:
    return term.rstrip(">").rsplit("/", 1)[-1]


def summarise(quads: Iterable[t.Quad]) -> Summary:
    """Sections of counts: triples per graph, things per class, and the breakdowns."""
    per_graph: Counter[str] = Counter()
    types: dict[str, set[str]] = defaultdict(set)
    values: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    wanted = {t.ndk(p) for p in ("organisationType", "role", "cohort", "status", "provision")}
    ontology = t.iri(mint.graph("ontology"))
    for q in quads:
        per_graph[_local(q.g)] += 1
        if q.g == ontology:
            continue
        if q.p == t.A:
            types[q.s].add(q.o[1:-1])
        elif q.p in wanted:
            values[q.s][_local(q.p.rsplit("#", 1)[-1])].append(_local(q.o))
    by_class: Counter[str] = Counter()
    for cls in (c for s in types.values() for c in s):
        by_class[cls] += 1
    counts = {label: by_class[mint.term(cls)] for cls, label in _CLASSES}
    counts.update({label: by_class[iri] for iri, label in _EXTERNAL})

    def breakdown(cls: str, *props: str) -> dict[str, int]:
        out: Counter[str] = Counter()
        for subject, classes in types.items():
            if mint.term(cls) in classes:
                parts = [",".join(sorted(values[subject].get(p, ["-"]))) for p in props]
                out[" / ".join(parts)] += 1
        return dict(sorted(out.items()))

    return {
        "triples per named graph": dict(sorted(per_graph.items())),
        "things per class": counts,
        "trusts by kind": breakdown("NHSTrust", "organisationType"),
        "participations by role / cohort": breakdown("Participation", "role", "cohort"),
        "partnerships by status": breakdown("Partnership", "status"),
        "deployments by provision": breakdown("Deployment", "provision"),
    }
