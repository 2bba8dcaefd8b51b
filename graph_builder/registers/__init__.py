"""One builder per register, in the order their references need (sources first)."""

from graph_builder.core import iri as mint
from graph_builder.registers.adoptions import AdoptionsBuilder
from graph_builder.registers.assessments import AssessmentsBuilder
from graph_builder.registers.base import Builder, Checked, Column, Context, Row
from graph_builder.registers.blueprints import BlueprintsBuilder
from graph_builder.registers.bodies import BodiesBuilder
from graph_builder.registers.claims import ClaimsBuilder
from graph_builder.registers.deployments import DeploymentsBuilder
from graph_builder.registers.documents import DocumentsBuilder
from graph_builder.registers.memberships import MembershipsBuilder
from graph_builder.registers.organisations import OrganisationsBuilder
from graph_builder.registers.participations import ParticipationsBuilder
from graph_builder.registers.partnerships import PartnershipsBuilder
from graph_builder.registers.people import PeopleBuilder
from graph_builder.registers.posts import PostsBuilder
from graph_builder.registers.programmes import ProgrammesBuilder
from graph_builder.registers.reading import canonical_bytes
from graph_builder.registers.sources import SourcesBuilder
from graph_builder.registers.successions import SuccessionsBuilder
from graph_builder.registers.systems import SystemsBuilder

BUILDERS: tuple[Builder, ...] = (
    SourcesBuilder(),
    OrganisationsBuilder(),
    BodiesBuilder(),
    MembershipsBuilder(),
    SuccessionsBuilder(),
    ProgrammesBuilder(),
    ParticipationsBuilder(),
    PartnershipsBuilder(),
    SystemsBuilder(),
    DeploymentsBuilder(),
    AssessmentsBuilder(),
    BlueprintsBuilder(),
    AdoptionsBuilder(),
    PeopleBuilder(),
    PostsBuilder(),
    DocumentsBuilder(),
    ClaimsBuilder(),
)
BY_NAME = {b.name: b for b in BUILDERS}


def dataset_graphs() -> list[str]:
    """The named graphs a build holds: one per register, the ontology and provenance."""
    return sorted({mint.graph(b.name) for b in BUILDERS} | {mint.graph("ontology"), mint.graph("provenance")})


def builder_for_header(header: list[str]) -> Builder | None:
    """The builder whose register has exactly this header (for submissions)."""
    for b in BUILDERS:
        if [c.name for c in b.columns] == header:
            return b
    return None


def closest_builder(header: list[str], most: int = 2) -> Builder | None:
    """The one builder whose header this is but for at most `most` columns missing, extra or
    out of order (a register saved one column short), or None."""
    scored = []
    for b in BUILDERS:
        expected = [c.name for c in b.columns]
        off = len(set(expected) ^ set(header)) + (len(header) != len(set(header)))
        if off <= most and len(header) > most:
            scored.append((off, b))
    scored.sort(key=lambda s: s[0])
    if not scored or (len(scored) > 1 and scored[0][0] == scored[1][0]):
        return None
    return scored[0][1]


__all__ = [
    "BUILDERS",
    "BY_NAME",
    "Builder",
    "Checked",
    "Column",
    "Context",
    "Row",
    "builder_for_header",
    "canonical_bytes",
    "closest_builder",
    "dataset_graphs",
]
