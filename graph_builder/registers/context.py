"""What every builder may look up while checking and building: keys by key set, rows by
register, and which keys were refused or are unreadable."""

from __future__ import annotations

from dataclasses import dataclass, field

from graph_builder.registers.reading import Row


@dataclass
class Context:
    """What every builder may look up: IRIs by key set, and every register's rows."""

    ids: dict[str, dict[str, str]] = field(default_factory=dict)
    rows: dict[str, list[Row]] = field(default_factory=dict)
    refused: dict[str, set[str]] = field(default_factory=dict)  # key set → keys of rows refused (reported there)
    unreadable: set[str] = field(default_factory=set)  # key sets whose register could not be read at all

    def copy(self) -> Context:
        """A copy to check and build one file in: its key sets and refusals are its own."""
        return Context(
            ids={k: dict(v) for k, v in self.ids.items()},
            rows=dict(self.rows),
            refused={k: set(v) for k, v in self.refused.items()},
            unreadable=set(self.unreadable),
        )

    def withheld(self, ref: str, key: str) -> bool:
        """Whether an unresolved reference points at a refused row or an unreadable register:
        that problem is reported once, where it is, not again at each row naming it."""
        return any(k in self.unreadable or key in self.refused.get(k, ()) for k in REF_KINDS.get(ref, (ref,)))

    def resolve(self, ref: str, key: str) -> str | None:
        if ref == "party":
            return self.ids.get("org", {}).get(key) or self.ids.get("body", {}).get(key)
        if ref == "subject":
            for name in REF_KINDS["subject"]:
                found = self.ids.get(name, {}).get(key)
                if found:
                    return found
            return None
        return self.ids.get(ref, {}).get(key)

    _index: dict[tuple[str, str], dict[str, Row]] = field(default_factory=dict)

    def row(self, register: str, key_column: str, key: str) -> Row | None:
        """The first row of a register whose `key_column` is `key` (indexed once)."""
        index = self._index.get((register, key_column))
        if index is None:
            index = {}
            for r in self.rows.get(register, []):
                index.setdefault(r.get(key_column), r)
            self._index[(register, key_column)] = index
        return index.get(key)

    _successors: dict[str, list[str]] | None = None

    def successors(self, code: str) -> list[str]:
        """Every organisation that succeeded `code`, through any number of mergers,
        acquisitions or splits (successions.csv, indexed once), nearest first."""
        if self._successors is None:
            self._successors = {}
            for r in self.rows.get("successions", []):
                if r.get("successor"):
                    self._successors.setdefault(r["predecessor"], []).append(r["successor"])
        found: list[str] = []
        todo = [code]
        while todo:
            for successor in self._successors.get(todo.pop(0), []):
                if successor not in found and successor != code:
                    found.append(successor)
                    todo.append(successor)
        return found

    def source_date(self, key: str) -> str:
        found = self.row("sources", "key", key)
        return found.get("date") if found else ""


# the key sets a reference of several kinds is looked up in, in this order (Context.resolve)
REF_KINDS = {"party": ("org", "body"), "subject": ("programme", "org", "body", "document", "person")}
REF_NAMES = {
    "org": "organisation code in organisations.csv",
    "body": "key in bodies.csv",
    "supplier": "supplier key in bodies.csv",
    "party": "organisation code (organisations.csv) or body key (bodies.csv)",
    "subject": "programme key, organisation code, body key, document key (documents.csv) or person key (people.csv)",
    "programme": "programme key in programmes.csv",
    "system": "system key in systems.csv",
    "blueprint": "blueprint key in blueprints.csv",
    "source": "source key in sources.csv",
}


def unknown(kind: str, key: str) -> str:
    """The message for a reference that does not resolve."""
    if kind == "source":
        return f"unknown source {key!r}: add it to sources.csv or cite a known key"
    return f"{key!r} is not a known {REF_NAMES.get(kind, kind)}"
