"""A SPARQL 1.1 server as the graph's home, asked like the embedded store.

    endpoint = Endpoint.from_options("http://127.0.0.1:7878")       # endpoint.py
    store = RemoteStore(endpoint, timeout=30)                         # a GraphStore, like the embedded one
    catalogue.run("who-follows-whom", endpoint=endpoint)              # the same rows as the build gives

`RemoteStore` asks the query URL through SPARQLWrapper (HTTP POST, SPARQL 1.1 Protocol) and
answers with the same `Solutions` of pyoxigraph terms as the embedded store, so every saved
question (SPARQL or networkx) and every renderer works unchanged. Two things make the remote
answer the same as the embedded one:

- the dataset: the default graph must be the union of the build's graphs, as in the
  embedded store. How depends on the server (`DATASETS`, chosen by the layout): Oxigraph's
  `union-default-graph` parameter; for Fuseki the build's graphs named in the request
  (`default-graph-uri` and `named-graph-uri`, standard SPARQL protocol, so other data on a
  shared server is not seen and no server setting is needed); GraphDB's own default graph;
- parameters: the SPARQL protocol has no bindings, so a bound parameter becomes a
  `VALUES (?code) { (<…/org/RQ6>) }` block at the start of the query's WHERE group and
  of each subquery's (`bind_values`), as the embedded engine's substitution binds it
  there (the saved queries project a parameter from every subquery that uses it, which
  pyoxigraph requires). The terms are written by pyoxigraph's N-Triples serialiser from
  values catalogue.py has already checked.

Errors: anything the server does (connection refused, no answer within the timeout, an
HTTP error, an answer that is not SPARQL results) is a `ServerError` (exit 4), one line
naming the URL and what to do, with its `url`, `status` and `retryable` (http.py). Pushing
the build to a server is push.py.
"""

from __future__ import annotations

import ast
import http.client
import json
import re
import urllib.error
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pyoxigraph as ox

from graph_builder import __version__
from graph_builder.core.errors import ServerError
from graph_builder.store.embedded import DEFAULT_TIMEOUT, Cell, GraphStore, Solutions, Term
from graph_builder.store.endpoint import Endpoint
from graph_builder.store.http import connection_error, http_error, no_answer_in_time, not_sparql
from graph_builder.store.values import bind_values


class RemoteStore(GraphStore):
    """A SPARQL endpoint queried like the embedded store (read-only, same terms, same rows)."""

    def __init__(
        self, endpoint: Endpoint, timeout: float | None = DEFAULT_TIMEOUT, graphs: Iterable[str] | None = None
    ) -> None:
        self.endpoint = endpoint
        self.timeout = timeout
        self.graphs = list(endpoint.graphs if graphs is None else graphs)

    def select(
        self, query: str, substitutions: Mapping[str, Term] | None = None, timeout: float | None = DEFAULT_TIMEOUT
    ) -> Solutions:
        return super().select(query, substitutions, timeout if timeout is not None else self.timeout)

    def has_subject(self, node: ox.NamedNode) -> bool:
        answer = self.select(f"ASK {{ {node} ?p ?o }}", timeout=self.timeout)
        return bool(answer.boolean)

    def _timed_out(self, timeout: float) -> Exception:
        return no_answer_in_time(self.endpoint.query_url, timeout)

    def _evaluate(self, query: str, bound: dict[ox.Variable, Term]) -> Solutions:
        from SPARQLWrapper import JSON, POST, TURTLE, SPARQLWrapper
        from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

        text = bind_values(query, bound) if bound else query
        client = SPARQLWrapper(self.endpoint.query_url, agent=f"nhskg/{__version__}")
        client.setMethod(POST)
        client.setOnlyConneg(True)
        if self.timeout:
            client.setTimeout(self.timeout)  # type: ignore[arg-type]  # urllib takes float seconds
        for name, value in self.endpoint.credentials.header().items():
            client.addCustomHttpHeader(name, value)
        if self.endpoint.dataset == "union":
            client.addParameter("union-default-graph", "")
        elif self.endpoint.dataset == "graphs":
            for graph in self.graphs:
                client.addDefaultGraph(graph)
                client.addNamedGraph(graph)
        url, credentials = self.endpoint.query_url, self.endpoint.credentials
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # SPARQLWrapper warns where it cannot tell the query form
                client.setQuery(text)
                form = str(client.queryType)
                client.setReturnFormat(JSON if form in ("SELECT", "ASK") else TURTLE)
                response = client.query().response
            content_type = response.headers.get("Content-Type", "") or ""
            status = getattr(response, "status", None)
            body = response.read()
        except SPARQLWrapperException as exc:
            raise http_error(url, _wrapper_status(exc), _wrapper_body(exc), credentials) from None
        except urllib.error.HTTPError as exc:
            raise http_error(url, exc.code, exc.read(), credentials) from None
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            raise connection_error(url, exc, credentials) from None
        answer = Answer(url, status, content_type, body)
        return _solutions(answer) if form in ("SELECT", "ASK") else _triples(answer)


_WRAPPER_STATUS = {
    "QueryBadFormed": 400,
    "Unauthorized": 401,
    "EndPointNotFound": 404,
    "URITooLong": 414,
    "EndPointInternalError": 500,
}


def _wrapper_status(exc: Exception) -> int:
    return _WRAPPER_STATUS.get(type(exc).__name__, 500)


def _wrapper_body(exc: Exception) -> bytes:
    """The server's answer that SPARQLWrapper keeps only in its message (as a bytes repr)."""
    _, _, raw = str(exc).partition("Response:\n")
    try:
        value = ast.literal_eval(raw) if raw else b""
    except (ValueError, SyntaxError):
        return raw.encode()
    return value if isinstance(value, bytes) else str(value).encode()


@dataclass(frozen=True)
class Answer:
    """The server's answer to a query: where from, its HTTP status, content type and body."""

    url: str
    status: int | None
    content_type: str
    body: bytes

    def not_sparql(self, detail: str) -> ServerError:
        return not_sparql(self.url, self.status, self.content_type, detail)


def _solutions(answer: Answer) -> Solutions:
    """SPARQL 1.1 Query Results JSON as pyoxigraph terms."""
    try:
        doc = json.loads(answer.body)
        if "boolean" in doc:
            return Solutions([], [], bool(doc["boolean"]))
        names = [str(v) for v in doc["head"]["vars"]]
        rows = [[_json_cell(b[n]) if n in b else None for n in names] for b in doc["results"]["bindings"]]
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise answer.not_sparql(type(exc).__name__) from None
    return Solutions(names, rows)


def _json_cell(value: Mapping[str, object]) -> Cell:
    kind, text = value["type"], value["value"]
    if kind == "uri":
        return ox.NamedNode(str(text))
    if kind == "bnode":
        return ox.BlankNode(str(text)) if re.fullmatch(r"[A-Za-z0-9_]+", str(text)) else ox.BlankNode()
    if kind == "triple" and isinstance(text, Mapping):
        parts = [_json_cell(text[k]) for k in ("subject", "predicate", "object")]
        return ox.Triple(*parts)  # type: ignore[arg-type]
    if kind not in ("literal", "typed-literal"):
        raise ValueError(kind)
    if "xml:lang" in value:
        return ox.Literal(str(text), language=str(value["xml:lang"]))
    if "datatype" in value:
        return ox.Literal(str(text), datatype=ox.NamedNode(str(value["datatype"])))
    return ox.Literal(str(text))


def _triples(answer: Answer) -> Solutions:
    """A CONSTRUCT or DESCRIBE answer (Turtle or N-Triples) as subject/predicate/object rows."""
    media_type = answer.content_type.split(";")[0].strip()
    fmt = ox.RdfFormat.from_media_type(media_type) if answer.content_type else None
    if fmt is None or fmt.supports_datasets:
        raise answer.not_sparql("not an RDF graph")
    try:
        triples = [q.triple for q in ox.parse(answer.body, format=fmt)]
    except (SyntaxError, ValueError) as exc:
        raise answer.not_sparql(str(exc)[:80]) from None
    return Solutions(["subject", "predicate", "object"], [[t.subject, t.predicate, t.object] for t in triples])
