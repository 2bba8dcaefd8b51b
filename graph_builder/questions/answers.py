"""A question's answer (columns and rows of RDF terms) and its renderings: table, csv, json.

Every engine answers with the same `Answer`: SPARQL questions with the terms the query
returned, analyses with terms made from Python values (`as_rdf_term`). So one renderer serves
both, and the formats are:

- `json`: the W3C SPARQL 1.1 Query Results JSON Format
  (https://www.w3.org/TR/sparql11-results-json/): `{"head": {"vars": [...]},
  "results": {"bindings": [{var: {"type": "uri"|"literal"|"bnode", "value": ...,
  "datatype"?: ..., "xml:lang"?: ...}}]}}`, an unbound cell being an absent key; ASK
  gives `{"head": {}, "boolean": true|false}`. Analyses use exactly the same shape: text
  is a plain literal, whole numbers are `xsd:integer`, decimals `xsd:decimal`, dates
  `xsd:date`, and things of the graph are `uri`s.
- `csv`: the W3C SPARQL 1.1 Query Results CSV Format (header of variable names, IRIs and
  literal values as text, CRLF line ends, RFC 4180 quoting); ASK gives one `boolean` column.
- `table`: aligned plain text for a terminal: a header, a rule, one line per row, and a
  count of rows; on a terminal (or with COLUMNS set) long cells are cut to fit its width.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import pyoxigraph as ox

from graph_builder.core.terms import XSD
from graph_builder.store.embedded import Cell, Term

_STRING = XSD + "string"
_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


@dataclass(frozen=True)
class Answer:
    """The answer to one question: column names and rows of terms (None where unbound)."""

    question: str
    engine: str
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    boolean: bool | None = None

    def records(self) -> list[dict[str, str | None]]:
        """The rows as plain dictionaries of text (None where unbound)."""
        return [
            {name: term_text(cell) if cell is not None else None for name, cell in zip(self.columns, row, strict=True)}
            for row in self.rows
        ]

    def column(self, name: str) -> list[str | None]:
        """One column's values as text (None where unbound)."""
        index = self.columns.index(name)
        return [None if (cell := row[index]) is None else term_text(cell) for row in self.rows]


def as_rdf_term(value: object) -> Cell:
    """An RDF term for a Python value: text, whole number, decimal, bool, date, or a term."""
    if value is None or isinstance(value, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple):
        return value
    if isinstance(value, bool):
        return ox.Literal("true" if value else "false", datatype=ox.NamedNode(XSD + "boolean"))
    if isinstance(value, int):
        return ox.Literal(str(value), datatype=ox.NamedNode(XSD + "integer"))
    if isinstance(value, Decimal | float):
        return ox.Literal(format(Decimal(str(value)), "f"), datatype=ox.NamedNode(XSD + "decimal"))
    if isinstance(value, date):
        return ox.Literal(value.isoformat(), datatype=ox.NamedNode(XSD + "date"))
    return ox.Literal(str(value))


def term_text(cell: Term) -> str:
    """A term as text: an IRI, a literal's lexical form, or `_:id` for a blank node."""
    if isinstance(cell, ox.BlankNode):
        return f"_:{cell.value}"
    if isinstance(cell, ox.Triple):
        return f"<< {term_text(cell.subject)} {term_text(cell.predicate)} {term_text(cell.object)} >>"
    return cell.value


def _json_term(cell: Term) -> dict[str, object]:
    if isinstance(cell, ox.NamedNode):
        return {"type": "uri", "value": cell.value}
    if isinstance(cell, ox.BlankNode):
        return {"type": "bnode", "value": cell.value}
    if isinstance(cell, ox.Triple):
        return {
            "type": "triple",
            "value": {
                "subject": _json_term(cell.subject),
                "predicate": _json_term(cell.predicate),
                "object": _json_term(cell.object),
            },
        }
    out: dict[str, object] = {"type": "literal", "value": cell.value}
    if cell.language:
        out["xml:lang"] = cell.language
    elif cell.datatype.value not in (_STRING, _LANG_STRING):
        out["datatype"] = cell.datatype.value
    return out


def to_json(result: Answer) -> str:
    """SPARQL 1.1 Query Results JSON (the same shape for analyses)."""
    if result.boolean is not None:
        doc: dict[str, object] = {"head": {}, "boolean": result.boolean}
    else:
        bindings = [
            {name: _json_term(cell) for name, cell in zip(result.columns, row, strict=True) if cell is not None}
            for row in result.rows
        ]
        doc = {"head": {"vars": list(result.columns)}, "results": {"bindings": bindings}}
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"


def to_csv(result: Answer) -> str:
    """SPARQL 1.1 Query Results CSV."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    if result.boolean is not None:
        writer.writerows([["boolean"], ["true" if result.boolean else "false"]])
        return out.getvalue()
    writer.writerow(result.columns)
    for row in result.rows:
        writer.writerow(["" if cell is None else term_text(cell) for cell in row])
    return out.getvalue()


def to_table(result: Answer, width: int | None = None) -> str:
    """Aligned plain text: header, rule, rows, and the number of rows. With `width` (a
    terminal's), the widest columns are cut to fit it, each cut cell ending in `…`."""
    if result.boolean is not None:
        return ("true" if result.boolean else "false") + "\n"
    cells = [[" ".join(term_text(c).split()) if c is not None else "" for c in row] for row in result.rows]
    widths = [len(name) for name in result.columns]
    for row in cells:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]
    fitted = _fit(widths, width, result.columns) if width else widths

    def line(values: list[str]) -> str:
        return "  ".join(_cut(v, w).ljust(w) for v, w in zip(values, fitted, strict=True)).rstrip()

    lines = [line(result.columns), line(["-" * w for w in fitted])]
    lines += [line(row) for row in cells]
    count = len(cells)
    cut = "" if fitted == widths else f"; long cells cut to {width} columns, --format csv for them whole"
    lines.append(f"({count} row{'' if count == 1 else 's'}{cut})")
    return "\n".join(lines) + "\n"


MIN_WIDTH = 8
"""No column is cut narrower than this or its name; where the names alone are too wide for
the terminal, names are cut too, and only a table of more columns than fit at this width runs
past it."""


def _fit(widths: list[int], width: int, names: list[str]) -> list[int]:
    """Column widths whose sum, with two spaces between columns, is at most `width`: the
    widest are cut to one common cap, the largest that fits (no column narrower than its
    name or MIN_WIDTH, or than MIN_WIDTH alone where the names do not fit)."""
    room = width - 2 * (len(widths) - 1)
    floors = [min(w, max(len(name), MIN_WIDTH)) for w, name in zip(widths, names, strict=True)]
    if sum(floors) > room:  # the names alone do not fit: cut them too
        floors = [min(w, MIN_WIDTH) for w in widths]
    cap = max(widths)
    while cap > 0 and sum(max(f, min(w, cap)) for w, f in zip(widths, floors, strict=True)) > room:
        cap -= 1
    return [max(f, min(w, cap)) for w, f in zip(widths, floors, strict=True)]


def _cut(value: str, width: int) -> str:
    return value if len(value) <= width else value[: width - 1] + "…"


ANSWER_FORMATS: dict[str, Callable[[Answer], str]] = {"table": to_table, "csv": to_csv, "json": to_json}
"""Renderers by format name; the CLI's --format choices come from this dictionary."""


def render_answer(result: Answer, fmt: str, width: int | None = None) -> str:
    """The result in one of ANSWER_FORMATS; a table fitted to `width` columns if given (csv and json stay whole)."""
    try:
        return to_table(result, width) if fmt == "table" else ANSWER_FORMATS[fmt](result)
    except KeyError:
        from graph_builder.core.errors import UsageError

        raise UsageError(f"unknown format {fmt!r}; one of {', '.join(ANSWER_FORMATS)}") from None
