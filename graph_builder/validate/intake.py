"""Reading submissions safely: register CSVs through their builder, RDF as data only.

Checks run before any parser sees the bytes: the file exists, is within the size limit,
is not empty and has a known extension. RDF/XML is refused outright (it can declare
entities that read local files or expand without bound), and so is any file that
declares a DOCTYPE or an ENTITY. JSON-LD must not name a remote or `file:` @context:
nothing is ever fetched. Parse errors are located by line and column. Every such problem
raises InputError (exit 2). Rows a register's own checks reject are kept as problems of
the submission, so they are reported with the validation results (exit 1).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from graph_builder.core import iri as mint
from graph_builder.core.errors import InputError, Problem
from graph_builder.registers import BUILDERS, Builder, Context, builder_for_header, closest_builder
from graph_builder.registers.load import build_register
from graph_builder.registers.reading import header_problem

DEFAULT_MAX_SIZE = 50 * 1024 * 1024
RDF_FORMATS: dict[str, ox.RdfFormat] = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".json": ox.RdfFormat.JSON_LD,
}
_REFUSED = {".rdf", ".xml", ".owl"}
_XML_DECLARATION = re.compile(rb"<!\s*(DOCTYPE|ENTITY)\b", re.IGNORECASE)
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_ROW = ox.NamedNode(mint.ontology_term("registerRow"))
_REST = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#rest")
MAX_NESTING = 64
"""Blank nodes (or collections) nested deeper than this are refused: no real submission
needs it, and deep nesting costs the validator seconds per level of thousands."""
KNOWN_TYPES = (
    "a register CSV (.csv), or RDF as Turtle (.ttl), N-Triples (.nt), N-Quads (.nq), TriG (.trig) or JSON-LD (.jsonld)"
)

RdfTriple = tuple[Node, Node, Node]


@dataclass
class Submission:
    """What the files hold: quads (in the default graph, blank nodes skolemised), the
    register rows (file:row) behind the nodes built from CSV files, by IRI, and the rows a
    register's own checks rejected, with their keys (by file and line; baseline.py)."""

    files: list[str] = field(default_factory=list)
    quads: list[ox.Quad] = field(default_factory=list)
    rows: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    registers: dict[str, str] = field(default_factory=dict)
    keys: dict[tuple[str, int], tuple[tuple[str, str], ...]] = field(default_factory=dict)


def term(node: Any) -> Node:
    """A pyoxigraph term as an rdflib term.

    xsd:string literals become plain literals, so they compare equal to the shapes' values.
    """
    if isinstance(node, ox.NamedNode):
        return URIRef(node.value)
    if isinstance(node, ox.BlankNode):
        return BNode(node.value)
    if node.language:
        return Literal(node.value, lang=node.language)
    datatype = node.datatype.value
    return Literal(node.value) if datatype == _XSD_STRING else Literal(node.value, datatype=URIRef(datatype))


def triples(quads: Iterable[ox.Quad]) -> Iterator[RdfTriple]:
    """Quads as rdflib triples (graph names dropped), converting each distinct term once."""
    seen: dict[Any, Node] = {}

    def convert(node: Any) -> Node:
        found = seen.get(node)
        if found is None:
            found = seen[node] = term(node)
        return found

    for q in quads:
        yield convert(q.subject), convert(q.predicate), convert(q.object)


def _skolemised(quads: Iterable[ox.Quad], prefix: str) -> Iterator[ox.Quad]:
    """Quads in the default graph, each blank node named by an IRI under `prefix`."""

    def name(node: Any) -> Any:
        return ox.NamedNode(prefix + node.value) if isinstance(node, ox.BlankNode) else node

    for q in quads:
        yield ox.Quad(name(q.subject), q.predicate, name(q.object))


def load_submission(
    paths: list[Path], reference: Callable[[], Context], max_size: int = DEFAULT_MAX_SIZE
) -> Submission:
    """Read every file; raise InputError listing the problems of all unreadable files.

    Register files are built in the order of the registers' references (sources first),
    each against the reference registers plus the submitted ones before it: a blueprint
    submitted with its adoptions resolves.
    """
    submission = Submission()
    problems: list[Problem] = []
    registers: list[tuple[int, str, Path, Builder]] = []
    for index, path in enumerate(paths):
        label = str(path)
        try:
            raw = _read(path, label, max_size)
            if path.suffix.lower() == ".csv":
                builder = _builder(raw, label)
                registers.append((BUILDERS.index(builder), label, path, builder))
            else:
                prefix = f"{mint.SKOLEM}{index}-"
                submission.quads.extend(_parse_rdf(raw, label, RDF_FORMATS[path.suffix.lower()], prefix))
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        submission.files.append(label)
    if problems:
        raise InputError(problems)
    context: Context | None = None
    for _, label, path, builder in sorted(registers, key=lambda r: (r[0], r[1])):
        context = context or reference().copy()
        try:
            _load_csv(submission, path, label, builder, context)
        except InputError as exc:  # the other files are still read: every problem in one run
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems + submission.problems)
    return submission


def _read(path: Path, label: str, max_size: int) -> bytes:
    """The file's bytes, after the checks that need no parser."""
    suffix = path.suffix.lower()
    if suffix in _REFUSED:
        raise _problem(
            label,
            0,
            "RDF/XML is not accepted (it can declare entities that read files or "
            "expand without bound); convert it to Turtle, e.g. with rapper or riot",
        )
    if suffix != ".csv" and suffix not in RDF_FORMATS:
        raise _problem(label, 0, f"unknown file type {suffix or '(no extension)'!r}; give {KNOWN_TYPES}")
    if not path.exists():
        raise _problem(label, 0, "does not exist")
    if not path.is_file():
        raise _problem(label, 0, "is not a file")
    size = path.stat().st_size
    if size > max_size:
        raise _problem(label, 0, f"is {size:,} bytes, over the limit of {max_size:,} (raise it with --max-size)")
    raw = path.read_bytes()
    if not raw.strip():
        raise _problem(label, 0, "is empty")
    found = _XML_DECLARATION.search(raw) if suffix != ".csv" else None
    if found:
        line = raw.count(b"\n", 0, found.start()) + 1
        what = found.group(1).decode().upper()
        raise _problem(label, line, f"declares an XML {what}; DOCTYPE and ENTITY declarations are refused")
    return raw


def _problem(label: str, line: int, message: str) -> InputError:
    return InputError([Problem(label, line, "", message)])


def _builder(raw: bytes, label: str) -> Builder:
    """The register a CSV file belongs to, by its header."""
    first = raw.split(b"\n", 1)[0].decode("utf-8", errors="replace").lstrip("\ufeff").rstrip("\r")
    header = next(csv.reader(io.StringIO(first)), [])
    builder = builder_for_header(header)
    near = closest_builder(header) if builder is None else None
    if near is not None:
        raise _problem(label, 1, header_problem(header, [c.name for c in near.columns], near.filename))
    if builder is None:
        names = ", ".join(b.filename for b in BUILDERS)
        raise _problem(
            label,
            1,
            f"the header {','.join(header)!r} is not that of a register ({names}); "
            "see data/README.md for each register's columns",
        )
    return builder


def _load_csv(submission: Submission, path: Path, label: str, builder: Builder, context: Context) -> None:
    """Build a register file against the context, then add its keys and rows to the context.

    As the build does (`registers.load.build_register`): the rows the checks refuse (and
    those naming a refused row) are left out, and their problems kept as problems of the
    submission, while the others are built: one run reports every problem. A file-level
    problem (header, encoding) raises InputError; the register's keys are then unreadable
    to later files.
    """
    submission.registers[label] = builder.name
    try:
        checked, built_context, statements = build_register(builder, path, label, context)
    except InputError:  # no row could be read
        context.unreadable.update(builder.ids([]))
        raise
    submission.problems.extend(checked.problems)
    if checked.problems:  # the refused rows' keys: what identifies them, unlike their lines
        lines = {p.line for p in checked.problems}
        rows, _ = builder.read(path, label)
        submission.keys.update(
            {(label, r.line): tuple((c, r.get(c)) for c in builder.key) for r in rows if r.line in lines}
        )
    for name, ids in builder.ids(checked.rows).items():
        context.ids.setdefault(name, {}).update(ids)
    for kind, keys in built_context.refused.items():
        context.refused.setdefault(kind, set()).update(keys)
    context.rows[builder.name] = checked.rows + context.rows.get(builder.name, [])
    text = "".join(f"{s} {p} {o} .\n" for s, p, o in statements)
    built = list(ox.parse(text.encode(), format=ox.RdfFormat.N_TRIPLES))
    for q in built:
        if q.predicate == _ROW:
            node, rows_of = q.subject.value, submission.rows.get(q.subject.value)
            submission.rows[node] = f"{rows_of},{q.object.value}" if rows_of else f"{label}:{q.object.value}"
    submission.quads.extend(built)


def _parse_rdf(raw: bytes, label: str, fmt: ox.RdfFormat, bnode_prefix: str) -> list[ox.Quad]:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise _problem(label, line, f"is not valid UTF-8 (byte {exc.start})") from None
    if fmt == ox.RdfFormat.JSON_LD:
        _check_json_ld(raw, label)
    try:
        quads = list(ox.parse(raw, format=fmt))
    except SyntaxError as exc:
        line, column = exc.lineno or 0, exc.offset
        where = f"column {column}: " if column else ""
        message = str(exc.msg).split(": ", 1)[-1] if exc.lineno else str(exc.msg)
        raise _problem(label, line, f"{where}{message} (not valid {fmt.name})") from None
    depth = _nesting(quads)
    if depth > MAX_NESTING:
        raise _problem(label, 0, f"nests blank nodes or collections {depth:,} deep; the limit is {MAX_NESTING}")
    return list(_skolemised(quads, bnode_prefix))


def _nesting(quads: list[ox.Quad]) -> int:
    """How deep blank nodes nest inside blank nodes (a collection's rdf:rest chain is flat)."""
    inner: dict[ox.BlankNode, list[ox.BlankNode]] = {}
    for q in quads:
        if isinstance(q.subject, ox.BlankNode) and isinstance(q.object, ox.BlankNode) and q.predicate != _REST:
            inner.setdefault(q.subject, []).append(q.object)
    pointed = {o for objects in inner.values() for o in objects}
    level = [n for n in inner if n not in pointed]
    seen: set[ox.BlankNode] = set()
    depth = 1
    while level:
        seen.update(level)
        level = [o for n in level for o in inner.get(n, ()) if o not in seen]
        depth += bool(level)
    return depth if inner else 0


def _check_json_ld(raw: bytes, label: str) -> None:
    """Refuse any @context or @import that names a document: it would have to be fetched."""
    try:
        document = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise _problem(label, exc.lineno, f"column {exc.colno}: {exc.msg} (not valid JSON)") from None
    except RecursionError:
        raise _problem(label, 0, "nests JSON arrays or objects too deeply to be read") from None
    for key, value in _walk(document):
        if key == "@import" or (key == "@context" and _names_document(value)):
            shown = value if isinstance(value, str) else json.dumps(value)[:80]
            raise _problem(
                label,
                0,
                f"{key} {shown!r} names a remote or local document; nothing is fetched: "
                "put the context inline as a JSON object",
            )


def _names_document(context: Any) -> bool:
    if isinstance(context, str):
        return True
    if isinstance(context, list):
        return any(_names_document(item) for item in context)
    return False


def _walk(node: Any) -> Iterator[tuple[str, Any]]:
    """Every (key, value) of a JSON document, at any depth."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            for key, value in current.items():
                yield key, value
                stack.append(value)
        elif isinstance(current, list):
            stack.extend(current)
