"""What a build made: triples per graph and counts per class, counted from the statements.

A build counts each named graph on its own as it writes it (`Tally`, subject by subject:
its statements arrive sorted, so nothing is kept per node), keeps each graph's partial
counts in the manifest (an incremental build reuses them), and adds them up (`combine`).
A node is typed by the register that makes it, with the values the breakdowns count
beside its type, so the partial counts of the graphs add up to the counts of the whole.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from graph_builder.core import iri as mint
from graph_builder.core import terms as t

Summary = dict[str, dict[str, int]]
Partial = dict[str, dict[str, int]]  # "graph", "classes" and one key per breakdown

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
    ("PolicyDocument", "policy documents"),
    ("Claim", "claims"),
    ("Source", "sources"),
)
_EXTERNAL = (
    (t.ORG + "Membership", "memberships"),
    (t.ORG + "ChangeEvent", "change events"),
    (t.SCHEMA + "Person", "people"),
    (t.ORG + "Post", "posts"),
)
# section title: (the class whose nodes are counted, the properties whose values make the key)
_BREAKDOWNS = {
    "trusts by kind": ("NHSTrust", ("organisationType",)),
    "participations by role / cohort": ("Participation", ("role", "cohort")),
    "partnerships by status": ("Partnership", ("status",)),
    "deployments by provision": ("Deployment", ("provision",)),
}
WANTED = {t.ndk(p): p for p in ("organisationType", "role", "cohort", "status", "provision")}
_BREAKDOWN_OF = {t.iri(mint.ontology_term(cls)): (section, props) for section, (cls, props) in _BREAKDOWNS.items()}


def _local(term: str) -> str:
    return term.rstrip(">").rsplit("/", 1)[-1]


class Tally:
    """The counts of one named graph, fed one subject at a time (parts.write_part)."""

    def __init__(self, graph: str) -> None:
        self.name = _local(graph)
        self.typed = graph != t.iri(mint.graph("ontology"))  # the ontology's classes are not things
        self.statements = 0
        self.classes: Counter[str] = Counter()
        self.breakdowns: dict[str, Counter[str]] = {section: Counter() for section in _BREAKDOWNS}

    def node(self, types: list[str], values: dict[str, list[str]]) -> None:
        """One subject's classes and breakdown values (objects as written), for a caller that
        groups statements by subject itself (parts.write_part); count the statements apart."""
        if not self.typed:
            return
        for cls in set(types):
            self.classes[cls[1:-1]] += 1
            found = _BREAKDOWN_OF.get(cls)
            if found:
                section, props = found
                key = " / ".join(",".join(sorted(_local(v) for v in values.get(p, ["-"]))) for p in props)
                self.breakdowns[section][key] += 1

    def partial(self) -> Partial:
        return {
            "graph": {self.name: self.statements},
            "classes": dict(sorted(self.classes.items())),
            **{section: dict(sorted(c.items())) for section, c in self.breakdowns.items() if c},
        }


def combine(partials: Iterable[Mapping[str, Mapping[str, int]]]) -> Summary:
    """The build's summary from the partial counts of its graphs."""
    total: dict[str, Counter[str]] = {}
    for partial in partials:
        for section, counts in partial.items():
            total.setdefault(section, Counter()).update(counts)
    by_class = total.get("classes", Counter())
    counts = {label: by_class[mint.ontology_term(cls)] for cls, label in _CLASSES}
    counts.update({label: by_class[iri] for iri, label in _EXTERNAL})
    return {
        "triples per named graph": dict(sorted(total.get("graph", Counter()).items())),
        "things per class": counts,
        **{section: dict(sorted(total.get(section, Counter()).items())) for section in _BREAKDOWNS},
    }
