"""The one place that locates the ontology, shapes, saved queries and shipped registers.

In an installed wheel they live in `graph_builder/_resources/` (the wheel build copies
them there); in a source checkout or an editable install they are the top-level folders
of the repository. Both are found through `importlib.resources`.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

_KINDS = ("ontology", "shapes", "queries", "data")


def _root() -> Path:
    packaged = Path(str(files("graph_builder") / "_resources"))
    if packaged.is_dir():
        return packaged
    return Path(str(files("graph_builder"))).parent


def resource_dir(kind: str) -> Path:
    """The folder of one kind of shipped resource: ontology, shapes, queries or data."""
    if kind not in _KINDS:
        raise ValueError(f"unknown resource kind {kind!r}; one of {', '.join(_KINDS)}")
    return _root() / kind


def ontology_files() -> list[Path]:
    """The ontology and its concept schemes, in a stable order."""
    return sorted(resource_dir("ontology").glob("*.ttl"))


def data_dir() -> Path:
    """The registers shipped with the package (the default input of `nhskg build`)."""
    return resource_dir("data")
