"""The catalogue of saved questions: SPARQL files and Python/networkx analyses, one interface.

    from graph_builder.questions.catalogue import catalogue, run
    for q in catalogue():
        print(q.name, q.title, [p.name for p in q.params])
    result = run("followers-of", {"code": "RQ6"}, as_of="2018-01-31", build=Path("build"))
    result.columns, result.rows        # rows of RDF terms; result.records() for text

A saved SPARQL question is `queries/NAME.rq` with a comment header:

    # title: Followers of an exemplar
    # description: One or more lines; a line that starts with "#   " continues the field.
    # param: code (org) — the exemplar's ODS code; example: RQ6
    # param: kind (choice: stp|icb|region, optional) — only areas of this kind; example: icb
    # as-of: yes

Parameter types: `org` (an ODS or ONS code, bound as the organisation's IRI, which must
be in the graph), `programme` (a programme key, bound as its IRI), `date` (YYYY-MM-DD,
an xsd:date literal), `integer`, `choice: a|b|c` (one of the words, a plain literal) and
`text` (a plain literal). Values become typed RDF terms bound to the query's variable of
the same name by a `VALUES` block written into the query (store/values.py), so the same
text runs on the embedded store and on any SPARQL server; a question with `as-of: yes`
gets `?asOf` bound to an xsd:date when a date is given. Columns named after a parameter
are dropped from the result. An optional parameter that is not given stays unbound: test
it with BOUND(?name), and guard every expression on an OPTIONAL value with BOUND too,
never with COALESCE around an error, which engines treat differently (Virtuoso gives
false, or drops the row). Dates are compared as days: the build writes each date's first
and last day (registers/days.py), so `?startFirstDay <= ?asOf`. SPARQL 1.1 leaves
the order inside GROUP_CONCAT open, so the parts of every column a query makes with
`GROUP_CONCAT(… ; SEPARATOR="…") AS ?column` are sorted here, after reading (found in the
query itself, so no question can forget it), and the answer is the same on every engine.

Analyses (analyses.py, funding.py) declare the same metadata in Python and return rows
of Python values, which become RDF terms, so every question renders alike.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from graph_builder.core import iri as mint
from graph_builder.core import resources
from graph_builder.core.errors import UsageError
from graph_builder.core.terms import XSD
from graph_builder.questions.analyses import ANALYSES
from graph_builder.questions.answers import Answer, as_rdf_term
from graph_builder.questions.model import PARAM_TYPES, AskContext, Param, Question
from graph_builder.store.embedded import DEFAULT_TIMEOUT, GraphStore, Term, open_store
from graph_builder.store.policy import with_prefixes
from graph_builder.store.values import bind_values

if TYPE_CHECKING:
    from graph_builder.store.endpoint import Endpoint

_HEADER = re.compile(r"^#\s*([a-z-]+):\s*(.*)$")
_PARAM = re.compile(
    r"^(?P<name>[a-z][a-z0-9_]*)\s+\((?P<type>[a-z]+)(?::\s*(?P<choices>[a-z0-9|-]+))?(?P<optional>,\s*optional)?\)"
    r"\s+[—-]+\s+(?P<description>.*?)(?:;\s*example:\s*(?P<example>\S+))?\s*$"
)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_CONCAT = re.compile(r'GROUP_CONCAT\([^()]*?SEPARATOR\s*=\s*"([^"]+)"\s*\)\s+AS\s+\?(\w+)', re.IGNORECASE)


def parse_header(name: str, text: str) -> Question:
    """A question from a `.rq` file's text: its comment header and the query itself."""
    fields: dict[str, list[str]] = {}
    params: list[Param] = []
    last: list[str] | None = None
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        match = _HEADER.match(line)
        if match and not line.startswith("#  "):
            key, value = match.groups()
            if key == "param":
                params.append(_parse_param(name, value))
                last = None
            else:
                last = fields.setdefault(key, [])
                last.append(value.strip())
        elif last is not None and line.strip("# "):
            last.append(line.lstrip("#").strip())
    for required in ("title", "description", "as-of"):
        if required not in fields:
            raise ValueError(f"queries/{name}.rq: the header has no '# {required}:' line")
    as_of = " ".join(fields["as-of"])
    if as_of not in ("yes", "no"):
        raise ValueError(f"queries/{name}.rq: '# as-of:' must be yes or no, not {as_of!r}")
    return Question(
        name=name,
        title=" ".join(fields["title"]),
        description=" ".join(fields["description"]),
        params=tuple(params),
        as_of=as_of == "yes",
        query=text,
        lists=tuple(_CONCAT.findall(text)),
    )


def _parse_param(question: str, value: str) -> Param:
    match = _PARAM.match(value.strip())
    if not match or match["type"] not in PARAM_TYPES or (match["type"] == "choice") != bool(match["choices"]):
        raise ValueError(
            f"queries/{question}.rq: cannot read the parameter line {value!r}; "
            "write `name (type[, optional]) — description; example: value`"
        )
    return Param(
        name=match["name"],
        type=match["type"],
        description=match["description"].strip(),
        example=match["example"] or "",
        optional=bool(match["optional"]),
        choices=tuple(match["choices"].split("|")) if match["choices"] else (),
    )


@cache
def _saved(folder: Path) -> tuple[Question, ...]:
    return tuple(parse_header(p.stem, p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.rq")))


def catalogue() -> list[Question]:
    """Every saved question, SPARQL and analyses, sorted by name."""
    questions = {q.name: q for q in _saved(resources.resource_dir("queries"))}
    for q in ANALYSES:
        if q.name in questions:
            raise ValueError(f"question {q.name!r} is both a saved query and an analysis")
        questions[q.name] = q
    return [questions[name] for name in sorted(questions)]


def question(name: str) -> Question:
    """One question by name; a UsageError naming the closest ones if there is none."""
    found = {q.name: q for q in catalogue()}
    if name in found:
        return found[name]
    near = difflib.get_close_matches(name, list(found), n=3)
    hint = f"; did you mean {' or '.join(near)}?" if near else "; `nhskg questions` lists them"
    raise UsageError(f"no question named {name!r}{hint}")


def check_date(value: str | date, what: str = "--as-of") -> date:
    """A calendar date from YYYY-MM-DD text (or a date), or a UsageError."""
    if isinstance(value, date):
        return value
    text = value.strip()
    try:
        if not _DATE.match(text):
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{what} {value!r} is not a date; write YYYY-MM-DD, e.g. 2018-01-31") from None


def check_params(q: Question, params: Mapping[str, object] | None) -> dict[str, str]:
    """The question's parameters as normalised text; UsageError for unknown, missing or bad ones."""
    given = {k: str(v) for k, v in (params or {}).items()}
    unknown = sorted(set(given) - {p.name for p in q.params})
    if unknown:
        takes = ", ".join(p.usage() for p in q.params) or "no parameters"
        raise UsageError(f"{q.name} has no parameter {unknown[0]!r}; it takes {takes}")
    checked: dict[str, str] = {}
    for p in q.params:
        if p.name not in given or given[p.name] == "":
            if not p.optional:
                example = f"={p.example}" if p.example else "=..."
                raise UsageError(f"{q.name} needs --param {p.name}{example} ({p.description})")
            continue
        checked[p.name] = _check_value(q, p, given[p.name])
    return checked


def _check_value(q: Question, p: Param, value: str) -> str:
    value = value.strip()
    where = f"{q.name}: parameter {p.name}"
    if p.type == "org":
        code = value.upper()
        if not mint.is_org_code(code):
            raise UsageError(
                f"{where}: {value!r} is not an ODS code (3 to 5 letters and digits, e.g. RQ6) "
                "or an ONS code (e.g. E54000040)"
            )
        return code
    if p.type == "programme":
        if not mint.SLUG.match(value):
            raise UsageError(f"{where}: {value!r} is not a programme key (e.g. global-digital-exemplar)")
        return value
    if p.type == "date":
        return check_date(value, where).isoformat()
    if p.type == "integer":
        if not re.match(r"^-?\d{1,18}$", value):
            raise UsageError(f"{where}: {value!r} is not a whole number")
        return value
    if p.type == "choice" and value not in p.choices:
        raise UsageError(f"{where}: {value!r} is not one of {', '.join(p.choices)}")
    if len(value) > 1000:
        raise UsageError(f"{where}: the value is longer than 1,000 characters")
    return value


def bind(q: Question, store: GraphStore, params: Mapping[str, str]) -> dict[str, Term]:
    """Checked parameters as RDF terms; org and programme parameters must be in the graph."""
    bound: dict[str, Term] = {}
    for name, value in params.items():
        p = q.param(name)
        assert p is not None
        if p.type in ("org", "programme"):
            node = ox.NamedNode(mint.org(value) if p.type == "org" else mint.thing("programme", value))
            if not store.has_subject(node):
                what = "organisation with the code" if p.type == "org" else "programme with the key"
                raise UsageError(f"{q.name}: the graph has no {what} {value}")
            bound[name] = node
        elif p.type == "date":
            bound[name] = ox.Literal(value, datatype=ox.NamedNode(XSD + "date"))
        elif p.type == "integer":
            bound[name] = ox.Literal(value, datatype=ox.NamedNode(XSD + "integer"))
        else:
            bound[name] = ox.Literal(value)
    return bound


def run(
    name: str,
    params: Mapping[str, object] | None = None,
    as_of: str | date | None = None,
    build: Path = Path("build"),
    timeout: float | None = DEFAULT_TIMEOUT,
    endpoint: Endpoint | None = None,
) -> Answer:
    """Answer one saved question from the build in `build`, or from a SPARQL `endpoint` (remote.py)."""
    q = question(name)
    checked = check_params(q, params)
    when = check_date(as_of) if as_of is not None else None
    if when is not None and not q.as_of:
        raise UsageError(f"{q.name} does not depend on time; leave out --as-of")
    store = _open(build, endpoint, timeout)
    if q.analysis is not None:
        for p in q.params:
            if p.name in checked and p.type in ("org", "programme"):
                bind(q, store, {p.name: checked[p.name]})  # the same existence check
        columns, rows = q.analysis(AskContext(store, checked, when, timeout))
        return Answer(q.name, q.engine, columns, [[as_rdf_term(v) for v in row] for row in rows])
    bound = bind(q, store, checked)
    if when is not None:
        bound["asOf"] = ox.Literal(when.isoformat(), datatype=ox.NamedNode(XSD + "date"))
    answer = store.select(query_text(q, bound), None, timeout)
    hidden = {p.name for p in q.params} | {"asOf"}
    keep = [i for i, v in enumerate(answer.variables) if v not in hidden]
    columns = [answer.variables[i] for i in keep]
    separators = {column: separator for separator, column in q.lists}
    sort = {j: separators[c] for j, c in enumerate(columns) if c in separators}
    rows = [
        [_sorted_parts(row[i], sort[j]) if j in sort else row[i] for j, i in enumerate(keep)] for row in answer.rows
    ]
    return Answer(q.name, q.engine, columns, rows, answer.boolean)


def query_text(q: Question, bound: Mapping[str, Term]) -> str:
    """The question's query with its bound parameters written in as a VALUES block: the text
    every engine is asked (the embedded store, a server, or Jena in the tests)."""
    if not bound:
        return q.query
    return bind_values(q.query, {ox.Variable(name): term for name, term in bound.items()})


def _sorted_parts(cell: Term | None, separator: str) -> Term | None:
    """A GROUP_CONCAT cell with its parts in sorted order (engines differ)."""
    if not isinstance(cell, ox.Literal) or separator not in cell.value:
        return cell
    return ox.Literal(separator.join(sorted(cell.value.split(separator))), datatype=cell.datatype)


def run_sparql(
    query: str,
    build: Path = Path("build"),
    timeout: float | None = DEFAULT_TIMEOUT,
    endpoint: Endpoint | None = None,
) -> Answer:
    """Answer an ad hoc read-only query (SELECT, ASK, CONSTRUCT, DESCRIBE) from a build or an endpoint;
    the project's prefixes are declared for it (store.policy.with_prefixes)."""
    query = with_prefixes(query)
    store = _open(build, endpoint, timeout)
    answer = store.select(query, None, timeout)
    return Answer("sparql", "sparql", answer.variables, answer.rows, answer.boolean)


def _open(build: Path, endpoint: Endpoint | None, timeout: float | None) -> GraphStore:
    """The build's embedded store, or the remote endpoint when one is given."""
    if endpoint is None:
        return open_store(build)
    from graph_builder.store.remote import RemoteStore

    return RemoteStore(endpoint, timeout)


def read_query(value: str) -> str:
    """QUERY_OR_FILE: the text of a file when `value` names one, else `value` itself."""
    path = Path(value)
    try:
        is_file = len(value) < 4096 and "\n" not in value and path.is_file()
    except OSError:
        is_file = False
    if not is_file:
        if value.split() == [value] and "{" not in value:  # one word, no brace: a file name, not a query
            what = "is not a regular file" if path.exists() else "no such query file"  # a FIFO is never opened
            raise UsageError(f"{value}: {what} (give the query text, or a file that holds it)")
        return value
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{value}: cannot be read as a UTF-8 query file ({exc})") from None


def describe_catalogue(questions: Sequence[Question], whole: bool = False) -> Answer:
    """The catalogue itself as a result: name, engine, as-of, parameters, title; `whole`
    adds each question's description, its parameters explained (a line each) and an example."""
    columns = ["name", "engine", "as_of", "parameters", "title"]
    rows = [
        [q.name, q.engine, "yes" if q.as_of else "no", " ".join(p.usage() for p in q.params), q.title]
        for q in questions
    ]
    if whole:
        columns += ["description", "explained", "example"]
        for row, q in zip(rows, questions, strict=True):
            row += [q.description, "\n".join(p.line() for p in q.params), q.example()]
    return Answer("questions", "catalogue", columns, [[as_rdf_term(v) for v in row] for row in rows])
