"""What a saved question is: its parameters, what an analysis is given, and the question itself.

Shared by the catalogue (which lists and answers the questions) and the analyses (which
declare theirs in Python), so neither imports the other's internals: the catalogue imports
the analyses, and both import this module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from graph_builder.store.embedded import GraphStore

PARAM_TYPES = ("org", "programme", "date", "integer", "text", "choice")

Rows = tuple[list[str], list[list[Any]]]
"""What an analysis answers: column names and rows of Python values."""


@dataclass(frozen=True)
class Param:
    """One parameter of a question."""

    name: str
    type: str
    description: str
    example: str = ""
    optional: bool = False
    choices: tuple[str, ...] = ()

    def usage(self) -> str:
        """`code=RQ6` style, in brackets when optional."""
        shown = f"{self.name}={self.example or self.type.upper()}"
        return f"[{shown}]" if self.optional else shown

    def line(self) -> str:
        """`--param code=… (org): the follower's ODS code; example: RVW`."""
        kind = f"choice of {', '.join(self.choices)}" if self.choices else self.type
        return (
            f"--param {self.name}=… ({kind}{', optional' if self.optional else ''}): "
            f"{self.description}{'; example: ' + self.example if self.example else ''}"
        )


@dataclass
class AskContext:
    """What an analysis is asked with: the loaded build, its parameters (checked) and the date."""

    store: GraphStore
    params: dict[str, str]
    as_of: date | None
    timeout: float | None


Analysis = Callable[[AskContext], Rows]


@dataclass(frozen=True)
class Question:
    """A saved question: SPARQL (`query` set) or an analysis (`analysis` set)."""

    name: str
    title: str
    description: str
    params: tuple[Param, ...] = ()
    as_of: bool = False
    engine: str = "sparql"
    query: str = field(default="", repr=False)
    analysis: Analysis | None = field(default=None, repr=False)
    lists: tuple[tuple[str, str], ...] = ()  # (column, separator) of each GROUP_CONCAT, sorted after reading

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)

    def example(self) -> str:
        """A command that asks it, with the example of each parameter it needs."""
        given = " ".join(f"--param {p.name}={p.example}" for p in self.params if not p.optional and p.example)
        return f"nhskg query {self.name} {given}".rstrip()
