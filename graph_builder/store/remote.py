"""A SPARQL 1.1 server as the graph's home: where it is, who may use it, and how to ask it.

    endpoint = Endpoint.from_options("http://127.0.0.1:7878")       # Oxigraph layout
    endpoint = Endpoint.from_options("http://host:3030/nhs-dkg", layout="fuseki")
    store = RemoteStore(endpoint, timeout=30)                         # a GraphStore, like the embedded one
    catalogue.run("who-follows-whom", endpoint=endpoint)              # the same rows as the build gives

`Endpoint` holds the three URLs a server offers, from a base URL and a layout (`LAYOUTS`:
Oxigraph's /query, /update, /store by default), each overridable. `Credentials` come from
options or the environment (NHSKG_USER and NHSKG_PASSWORD for HTTP basic auth, or
NHSKG_TOKEN for a bearer token); they are never shown: not in a repr, not in an error.

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

Errors: a malformed URL is a UsageError (exit 2). Anything the server does (connection
refused, no answer within the timeout, an HTTP error, an answer that is not SPARQL results)
is a `ServerError` (exit 3), one line naming the URL and what to do. Pushing the build to a
server is push.py.
"""

from __future__ import annotations

import ast
import base64
import http.client
import json
import os
import re
import socket
import urllib.error
import warnings
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pyoxigraph as ox

from graph_builder import __version__
from graph_builder.core import iri as mint
from graph_builder.core.errors import NhskgError, UsageError
from graph_builder.store.embedded import DEFAULT_TIMEOUT, Cell, GraphStore, Solutions, Term

LAYOUTS: dict[str, tuple[str, str, str, str]] = {
    "oxigraph": ("/query", "/update", "/store", "union"),
    "fuseki": ("/query", "/update", "/data", "graphs"),
    "graphdb": ("", "/statements", "/rdf-graphs/service", "server"),
    "virtuoso": ("/sparql", "/sparql", "/sparql-graph-crud", "server"),
}
"""Per server: the paths of the query, update and Graph Store Protocol URLs below a base
URL, and how a query names its dataset (DATASETS). Oxigraph: base http://host:7878;
Apache Jena Fuseki: base http://host:3030/DATASET; GraphDB / RDF4J: base
http://host:7200/repositories/REPOSITORY; Virtuoso: base http://host:8890."""

DATASETS = {
    "union": "the server's union of all named graphs (Oxigraph's `union-default-graph` parameter)",
    "graphs": "the build's graphs named in the request (SPARQL protocol default-graph-uri, named-graph-uri)",
    "server": "the server's own default graph (GraphDB and Virtuoso: the union of all graphs)",
}
"""How a remote query sees the union of the build's graphs as its default graph. `graphs`
works on every SPARQL 1.1 server but Oxigraph answers it about ten times slower than
`union` (measured on the shipped build), hence the per-layout choice."""

ENV_USER, ENV_PASSWORD, ENV_TOKEN = "NHSKG_USER", "NHSKG_PASSWORD", "NHSKG_TOKEN"


class ServerError(NhskgError):
    """The SPARQL server failed: unreachable, too slow, an HTTP error or not SPARQL (exit 3)."""

    exit_code = 3


@dataclass(frozen=True)
class Credentials:
    """Basic auth (user and password) or a bearer token; never shown."""

    user: str | None = None
    password: str | None = field(default=None, repr=False)
    token: str | None = field(default=None, repr=False)

    @classmethod
    def from_options(
        cls,
        user: str | None = None,
        password: str | None = None,
        token: str | None = None,
        env: Mapping[str, str] | None = None,
    ) -> Credentials:
        """Options first, then NHSKG_USER / NHSKG_PASSWORD / NHSKG_TOKEN."""
        env = os.environ if env is None else env
        user = user or env.get(ENV_USER) or None
        password = password or env.get(ENV_PASSWORD) or None
        token = token or env.get(ENV_TOKEN) or None
        if token and (user or password):
            raise UsageError(
                f"give a token ({ENV_TOKEN}) or a user and password ({ENV_USER}, {ENV_PASSWORD}), not both"
            )
        if bool(user) != bool(password):
            missing = ENV_PASSWORD if user else ENV_USER
            raise UsageError(f"basic auth needs a user and a password; set {missing} (or the matching option)")
        return cls(user, password, token)

    def header(self) -> dict[str, str]:
        """The Authorization header, if any."""
        if self.token:
            return {"Authorization": f"Bearer {self.token}"}
        if self.user and self.password:
            pair = base64.b64encode(f"{self.user}:{self.password}".encode()).decode("ascii")
            return {"Authorization": f"Basic {pair}"}
        return {}

    def redact(self, text: str) -> str:
        """`text` with every secret (and its base64 form) replaced by ***."""
        for secret in (self.password, self.token, *self.header().values()):
            if secret:
                text = text.replace(secret, "***")
        return text


@dataclass(frozen=True)
class Endpoint:
    """The URLs of one SPARQL server and the credentials to use them."""

    query_url: str
    update_url: str
    store_url: str
    credentials: Credentials = field(default_factory=Credentials, repr=False)
    dataset: str = "union"
    """How queries name their dataset: a key of DATASETS."""

    @classmethod
    def from_options(
        cls,
        base: str | None,
        query_url: str | None = None,
        update_url: str | None = None,
        store_url: str | None = None,
        layout: str = "oxigraph",
        credentials: Credentials | None = None,
    ) -> Endpoint:
        """A base URL in a layout (LAYOUTS), any of its three URLs given explicitly instead."""
        if layout not in LAYOUTS:
            raise UsageError(f"unknown server layout {layout!r}; one of {', '.join(LAYOUTS)}")
        if base is None and query_url is None:
            raise UsageError("give the server's base URL (--endpoint) or its query URL (--query-url)")
        paths = LAYOUTS[layout]
        root = check_url(base, "--endpoint").rstrip("/") if base else None

        def pick(given: str | None, path: str, option: str) -> str:
            if given:
                return check_url(given, option)
            return root + path if root is not None else ""

        return cls(
            pick(query_url, paths[0], "--query-url"),
            pick(update_url, paths[1], "--update-url"),
            pick(store_url, paths[2], "--store-url"),
            credentials or Credentials(),
            paths[3],
        )


def check_url(url: str, option: str = "--endpoint") -> str:
    """An absolute http(s) URL without credentials in it, or a UsageError (exit 2)."""
    text = url.strip()
    try:
        parts = urlsplit(text)
        port_ok = parts.port is None or 0 < parts.port < 65536
    except ValueError:
        port_ok = False
        parts = urlsplit("")
    if parts.scheme not in ("http", "https") or not parts.hostname or not port_ok or re.search(r"\s", text):
        raise UsageError(f"{option}: {_shown_url(text)!r} is not an http(s) URL such as http://127.0.0.1:7878")
    if "@" in parts.netloc:
        raise UsageError(f"{option}: put credentials in {ENV_USER}/{ENV_PASSWORD} or {ENV_TOKEN}, not in the URL")
    return text


def _shown_url(text: str) -> str:
    return re.sub(r"//[^/@]*@", "//***@", text)[:200]


def dataset_graphs() -> list[str]:
    """The named graphs a build holds: one per register, the ontology and provenance."""
    from graph_builder.registers import BUILDERS

    return sorted({mint.graph(b.name) for b in BUILDERS} | {mint.graph("ontology"), mint.graph("provenance")})


class RemoteStore(GraphStore):
    """A SPARQL endpoint queried like the embedded store (read-only, same terms, same rows)."""

    def __init__(
        self, endpoint: Endpoint, timeout: float | None = DEFAULT_TIMEOUT, graphs: Iterable[str] | None = None
    ) -> None:
        self.endpoint = endpoint
        self.timeout = timeout
        self.graphs = list(dataset_graphs() if graphs is None else graphs)

    def select(
        self, query: str, substitutions: Mapping[str, Term] | None = None, timeout: float | None = DEFAULT_TIMEOUT
    ) -> Solutions:
        return super().select(query, substitutions, timeout if timeout is not None else self.timeout)

    def has_subject(self, node: ox.NamedNode) -> bool:
        answer = self.select(f"ASK {{ {node} ?p ?o }}", timeout=self.timeout)
        return bool(answer.boolean)

    def _timed_out(self, timeout: float) -> Exception:
        return ServerError(
            f"{self.endpoint.query_url}: no answer within {timeout:g} s; "
            "the server may be overloaded or the query too broad (allow more time with --timeout)"
        )

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
        url = self.endpoint.query_url
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # SPARQLWrapper warns where it cannot tell the query form
                client.setQuery(text)
                form = str(client.queryType)
                client.setReturnFormat(JSON if form in ("SELECT", "ASK") else TURTLE)
                response = client.query().response
            content_type = response.headers.get("Content-Type", "") or ""
            body = response.read()
        except SPARQLWrapperException as exc:
            raise self._error(url, _wrapper_status(exc), _wrapper_body(exc)) from None
        except urllib.error.HTTPError as exc:
            raise self._error(url, exc.code, exc.read()) from None
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            raise ServerError(self.endpoint.credentials.redact(connection_problem(url, exc))) from None
        if form in ("SELECT", "ASK"):
            return _solutions(url, content_type, body)
        return _triples(url, content_type, body)

    def _error(self, url: str, status: int, body: bytes) -> ServerError:
        return ServerError(self.endpoint.credentials.redact(http_problem(url, status, body)))


def http_problem(url: str, status: int, body: bytes) -> str:
    """One line for an HTTP error answer, with the first words of the server's message."""
    what = {
        400: "the server refused the request",
        401: f"the server wants credentials (set {ENV_USER}/{ENV_PASSWORD} or {ENV_TOKEN})",
        403: "the server forbids this (wrong credentials, or a read-only server)",
        404: "no such endpoint (check the URL or --layout)",
        413: "the request is too large for the server",
    }.get(status, "the server failed")
    said = " ".join(body.decode("utf-8", "replace").split())[:200]
    if status == 403 and "read-only" in said.lower().replace("read only", "read-only"):
        what = "the server is read-only (if it is `nhskg serve`, start it with --read-write)"
    return f"{url}: HTTP {status}: {what}" + (f": {said}" if said else "")


def connection_problem(url: str, exc: BaseException) -> str:
    """One line for a failure to reach the server or to read its answer."""
    reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(reason, ConnectionRefusedError):
        return f"{url}: connection refused; is the SPARQL server running there?"
    if isinstance(reason, TimeoutError | socket.timeout):
        return f"{url}: no answer in time; the server may be overloaded (allow more time with --timeout)"
    if isinstance(reason, socket.gaierror):
        return f"{url}: unknown host; check the URL"
    if isinstance(reason, ConnectionError | http.client.HTTPException):
        return f"{url}: the server closed the connection ({type(reason).__name__}); is it still running?"
    return f"{url}: cannot reach the server ({reason})"


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


def _not_sparql(url: str, content_type: str, detail: str) -> ServerError:
    shown = content_type.split(";")[0].strip() or "no content type"
    return ServerError(f"{url}: the answer is not SPARQL results ({shown}: {detail}); is this a SPARQL endpoint?")


def _solutions(url: str, content_type: str, body: bytes) -> Solutions:
    """SPARQL 1.1 Query Results JSON as pyoxigraph terms."""
    try:
        doc = json.loads(body)
        if "boolean" in doc:
            return Solutions([], [], bool(doc["boolean"]))
        names = [str(v) for v in doc["head"]["vars"]]
        rows = [[_term(b[n]) if n in b else None for n in names] for b in doc["results"]["bindings"]]
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise _not_sparql(url, content_type, type(exc).__name__) from None
    return Solutions(names, rows)


def _term(value: Mapping[str, object]) -> Cell:
    kind, text = value["type"], value["value"]
    if kind == "uri":
        return ox.NamedNode(str(text))
    if kind == "bnode":
        return ox.BlankNode(str(text)) if re.fullmatch(r"[A-Za-z0-9_]+", str(text)) else ox.BlankNode()
    if kind == "triple" and isinstance(text, Mapping):
        parts = [_term(text[k]) for k in ("subject", "predicate", "object")]
        return ox.Triple(*parts)  # type: ignore[arg-type]
    if kind not in ("literal", "typed-literal"):
        raise ValueError(kind)
    if "xml:lang" in value:
        return ox.Literal(str(text), language=str(value["xml:lang"]))
    if "datatype" in value:
        return ox.Literal(str(text), datatype=ox.NamedNode(str(value["datatype"])))
    return ox.Literal(str(text))


def _triples(url: str, content_type: str, body: bytes) -> Solutions:
    """A CONSTRUCT or DESCRIBE answer (Turtle or N-Triples) as subject/predicate/object rows."""
    fmt = ox.RdfFormat.from_media_type(content_type.split(";")[0].strip()) if content_type else None
    if fmt is None or fmt.supports_datasets:
        raise _not_sparql(url, content_type, "not an RDF graph")
    try:
        triples = [q.triple for q in ox.parse(body, format=fmt)]
    except (SyntaxError, ValueError) as exc:
        raise _not_sparql(url, content_type, str(exc)[:80]) from None
    return Solutions(["subject", "predicate", "object"], [[t.subject, t.predicate, t.object] for t in triples])


_IRI = re.compile(r"<[^<>\"{}|^`\\\x00-\x20]*>")
_WORD = re.compile(r"[A-Za-z_][\w-]*(?::[\w.-]*)?")
_STRINGS = ('"""', "'''", '"', "'")


def bind_values(query: str, bound: Mapping[ox.Variable, Term]) -> str:
    """`query` with `VALUES (?a ?b) { (term term) }` first in its WHERE group and in each subquery's.

    This is what the embedded engine's substitution means for the saved queries: the
    parameter is bound in the main query and in every subquery (which, evaluated on its
    own, would not see a binding of the main query); filters in OPTIONAL groups see it
    from the enclosing group. Only SELECT and ASK queries (the saved questions) are bound.
    """
    names = " ".join(str(v) for v in bound)
    terms = " ".join(str(t) for t in bound.values())
    block = f" VALUES ({names}) {{ ({terms}) }}"
    parts, last = [], 0
    for brace in _where_braces(query):
        parts += [query[last : brace + 1], block]
        last = brace + 1
    if not parts:
        raise ValueError("the query has no WHERE group")
    return "".join(parts) + query[last:]


def _where_braces(query: str) -> Iterator[int]:
    """Where each SELECT's (or ASK's) WHERE group opens: its first `{` outside comments, strings, IRIs."""
    i, n = 0, len(query)
    pending = False
    while i < n:
        c = query[i]
        if c == "#":
            end = query.find("\n", i)
            i = n if end < 0 else end
        elif c in "\"'":
            quote = next(q for q in _STRINGS if query.startswith(q, i))
            i += len(quote)
            while i < n and not query.startswith(quote, i):
                i += 2 if query[i] == "\\" else 1
            i += len(quote)
        elif c == "<" and (iri := _IRI.match(query, i)):
            i = iri.end()
        elif c in "?$":
            word = _WORD.match(query, i + 1)
            i = word.end() if word else i + 1
        elif word := _WORD.match(query, i):
            keyword = word.group().upper()
            if keyword in ("CONSTRUCT", "DESCRIBE"):
                raise ValueError("only SELECT and ASK queries take parameters")
            pending |= keyword in ("SELECT", "ASK")
            i = word.end()
        else:
            if c == "{" and pending:
                pending = False
                yield i
            i += 1
