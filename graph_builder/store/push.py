"""Publish a build to a SPARQL 1.1 server: every named graph replaced whole, then counted back.

    report = push(Path("build"), Endpoint.from_options("http://127.0.0.1:7878"))
    report.graphs        # one GraphPush per named graph: graph, triples, state ("new")
    report.seconds

Each named graph of the build is sent in one request that replaces it whole:

- `gsp` (default): the SPARQL 1.1 Graph Store HTTP Protocol, `PUT <store-url>?graph=<g>`
  with the graph's triples as N-Triples;
- `update`: for servers without the Graph Store Protocol, one SPARQL Update request
  `DROP SILENT GRAPH <g> ; INSERT DATA { GRAPH <g> { … } } ; INSERT DATA …` to the update
  URL, the triples in pieces of PIECE per INSERT DATA (Virtuoso 7 compiles each operation
  to SQL and refuses a large one: "SP030 … memory exhausted" for 17,574 triples). A piece
  with blank nodes is an `INSERT { … } WHERE {}` instead, the same triples with fresh blank
  nodes (Virtuoso refuses blank nodes in INSERT DATA: "SP031 … not allowed in a constant
  clause"); `pieces` keeps the triples that share a blank node in one piece.

A server that runs a request as one transaction (Fuseki, GraphDB, and Oxigraph for an
update) never shows a reader half a graph. Oxigraph's PUT clears the graph, then loads the
new triples in a second transaction: a reader may see the graph empty for that moment,
never half of it; `--method update` is atomic there too (Oxigraph 0.5 takes the shipped
build's largest graph, 3.5 MB of SPARQL, in one update).

A request that fails for a reason that may pass (no connection, a timeout, HTTP 408, 429,
500, 502, 503, 504) is retried `retries` times, waiting `backoff` seconds, then twice as
long each time (at most 30 s); any other HTTP error fails at once. A push that still fails
raises `PushFailed` (exit 4; its `url`, `status` and `retryable` are the last try's), whose
message names each graph, one line each: `new` (replaced and confirmed by the server),
`old` (not replaced: not sent, or refused before the server could change it; the server
keeps its previous version, if any) and `unknown` (a request that failed part-way, by a
timeout, a dropped connection or a server error: old, new or, on a server whose PUT is not
atomic, empty). Pushing again completes it; a push refused before
any graph changed (a read-only server: `nhskg serve` without --read-write) says so instead.
After every graph is sent, the number of triples in each graph is read back through the
query URL and compared with the build; a difference is a ServerError. Repeating a push
changes nothing: each graph is replaced by the same triples.
"""

from __future__ import annotations

import http.client
import re
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox

from graph_builder import __version__
from graph_builder.core.errors import ServerError, UsageError
from graph_builder.store.embedded import open_store
from graph_builder.store.endpoint import Endpoint
from graph_builder.store.http import connection_error, http_error, refused_before_change
from graph_builder.store.remote import RemoteStore

METHODS = ("gsp", "update")
"""How each graph is replaced: Graph Store Protocol PUT, or one SPARQL Update request."""
PIECE = 1000
"""Triples per INSERT DATA operation of an update push (`pieces`)."""
_BLANK = re.compile(rb"_:[A-Za-z0-9_][A-Za-z0-9_.-]*")  # a blank node label in N-Triples

MAX_WAIT = 30.0

Progress = Callable[[str, "GraphPush", int, int], None]
"""Called with ("sending" | "sent", the graph, its position from 1, the number of graphs)."""


@dataclass
class GraphPush:
    """One named graph of a push: how many triples the build has, and where it stands."""

    graph: str
    triples: int
    state: str = "old"
    """old (not replaced), new (replaced), unknown (a request failed part-way)."""
    attempts: int = 0
    seconds: float = 0.0

    def line(self) -> str:
        why = {
            "new": "replaced",
            "old": "not replaced; the server keeps its previous version, if any",
            "unknown": "a request failed part-way; old, new or (if the server's PUT is not atomic) empty",
        }[self.state]
        return f"{self.state:<7} {self.graph} ({self.triples:,} triples: {why})"


@dataclass
class PushReport:
    """What a push did: each graph, the server's counts read back, the time taken."""

    endpoint: Endpoint
    method: str
    graphs: list[GraphPush] = field(default_factory=list)
    counted: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def triples(self) -> int:
        return sum(g.triples for g in self.graphs)


class PushFailed(ServerError):
    """A push stopped part-way; the message lists every graph as new, old or unknown (exit 4)."""

    def __init__(self, problem: str, report: PushReport, failure: ServerError) -> None:
        self.report = report
        changed = any(g.state != "old" for g in report.graphs)
        last = (
            "push again to complete it; graphs already new are replaced by the same triples"
            if changed
            else "no graph was changed on the server; push once the problem above is solved"
        )
        lines = [f"the push stopped: {problem}", *(g.line() for g in report.graphs), last]
        super().__init__("\n".join(lines), failure.url, failure.status, failure.retryable)


def push(
    build_dir: Path,
    endpoint: Endpoint,
    method: str = "gsp",
    retries: int = 3,
    timeout: float = 60.0,
    backoff: float = 0.5,
    progress: Progress | None = None,
) -> PushReport:
    """Replace every named graph of the build on the server, then check the counts (see module doc)."""
    if method not in METHODS:
        raise UsageError(f"unknown push method {method!r}; one of {', '.join(METHODS)}")
    target = endpoint.store_url if method == "gsp" else endpoint.update_url
    if not target:
        raise UsageError(f"no URL to push to; give --{'store' if method == 'gsp' else 'update'}-url or --endpoint")
    if retries < 0 or timeout <= 0:
        raise UsageError("--retries must be 0 or more and --timeout more than 0")
    store = open_store(build_dir)
    graphs = store.named_graphs()
    sizes = store.graph_sizes()
    report = PushReport(endpoint, method, [GraphPush(g.value, sizes.get(g.value, 0)) for g in graphs])
    started = time.perf_counter()
    for position, (node, item) in enumerate(zip(graphs, report.graphs, strict=True), start=1):
        body = store.ntriples(node)
        request = _gsp_request(endpoint, node, body) if method == "gsp" else _update_request(endpoint, node, body)
        if progress:
            progress("sending", item, position, len(graphs))
        sent = time.perf_counter()
        failure = _send(request, endpoint, item, retries, timeout, backoff)
        if failure:
            report.seconds = time.perf_counter() - started
            tries = f"{item.attempts} tr{'y' if item.attempts == 1 else 'ies'}"
            problem = endpoint.credentials.redact(f"{item.graph}: {failure} ({tries})")
            raise PushFailed(problem, report, failure)
        item.state, item.seconds = "new", time.perf_counter() - sent
        if progress:
            progress("sent", item, position, len(graphs))
    report.counted = count_graphs(endpoint, [g.graph for g in report.graphs], timeout)
    report.seconds = time.perf_counter() - started
    wrong = [g for g in report.graphs if report.counted.get(g.graph, 0) != g.triples]
    if wrong:
        lines = [
            f"{g.graph}: the server has {report.counted.get(g.graph, 0):,} triples, the build {g.triples:,}"
            for g in wrong
        ]
        raise ServerError(
            "read back after the push, the counts differ (another writer, or a server that "
            "changes data, e.g. with inference):\n" + "\n".join(lines),
            endpoint.query_url,
        )
    return report


def count_graphs(endpoint: Endpoint, graphs: list[str], timeout: float) -> dict[str, int]:
    """The number of triples in each of `graphs` on the server (absent graphs are left out)."""
    values = " ".join(f"<{g}>" for g in graphs)
    query = f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g"
    answer = RemoteStore(endpoint, timeout, graphs).select(query, timeout=timeout)
    counts: dict[str, int] = {}
    for g, n in answer.rows:
        if isinstance(g, ox.NamedNode) and isinstance(n, ox.Literal):
            counts[g.value] = int(n.value)
    return counts


def _gsp_request(endpoint: Endpoint, graph: ox.NamedNode, body: bytes) -> urllib.request.Request:
    joiner = "&" if "?" in endpoint.store_url else "?"
    url = f"{endpoint.store_url}{joiner}graph={quote(graph.value, safe='')}"
    return _request(url, body, "application/n-triples", endpoint)


def _update_request(endpoint: Endpoint, graph: ox.NamedNode, body: bytes) -> urllib.request.Request:
    name = str(graph).encode()
    inserts = b"".join(
        b" ;\nINSERT { GRAPH %s {\n%s} } WHERE {}" % (name, piece)
        if _BLANK.search(piece)
        else b" ;\nINSERT DATA { GRAPH %s {\n%s} }" % (name, piece)
        for piece in pieces(body)
    )
    update = b"DROP SILENT GRAPH %s%s\n" % (name, inserts)
    return _request(endpoint.update_url, update, "application/sparql-update", endpoint)


def pieces(ntriples: bytes, size: int = PIECE) -> list[bytes]:
    """N-Triples lines in pieces of at most `size` lines, but the triples that share a blank node
    (transitively) always in one piece: a blank node label is scoped to its INSERT DATA."""
    lines = ntriples.splitlines(keepends=True)
    parent = list(range(len(lines)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = i = parent[parent[i]]
        return i

    first: dict[bytes, int] = {}
    for i, line in enumerate(lines):
        for label in _BLANK.findall(line):
            parent[root(i)] = root(first.setdefault(label, i))
    groups: dict[int, list[bytes]] = {}
    for i, line in enumerate(lines):
        groups.setdefault(root(i), []).append(line)
    out: list[bytes] = []
    current: list[bytes] = []
    for group in groups.values():
        if current and len(current) + len(group) > size:
            out.append(b"".join(current))
            current = []
        current += group
    return [*out, b"".join(current)] if current else out


def _request(url: str, body: bytes, content_type: str, endpoint: Endpoint) -> urllib.request.Request:
    method = "PUT" if content_type == "application/n-triples" else "POST"
    headers = {"Content-Type": content_type, "User-Agent": f"nhskg/{__version__}", **endpoint.credentials.header()}
    return urllib.request.Request(url, data=body, method=method, headers=headers)


def _send(
    request: urllib.request.Request, endpoint: Endpoint, item: GraphPush, retries: int, timeout: float, backoff: float
) -> ServerError | None:
    """Send with retries; None when the server took it, else the last failure.

    The graph's state says what a failure may have done: `old` while every try was
    refused before the server could change anything (no connection, or an HTTP 4xx
    answer), `unknown` once a try failed part-way (a timeout, a dropped connection, 5xx).
    A failure that is not `retryable` (http.py) stops the tries at once.
    """
    url = request.full_url.split("?")[0]
    failure: ServerError | None = None
    for attempt in range(retries + 1):
        if attempt:
            time.sleep(min(backoff * 2 ** (attempt - 1), MAX_WAIT))
        item.attempts = attempt + 1
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                response.read()
            return None
        except urllib.error.HTTPError as exc:
            failure = http_error(url, exc.code, exc.read(), endpoint.credentials)
            if exc.code >= 500:
                item.state = "unknown"
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            failure = connection_error(url, exc, endpoint.credentials)
            if not refused_before_change(exc):
                item.state = "unknown"
        if not failure.retryable:
            break
    return failure
