"""Where a SPARQL 1.1 server is and who may use it: its three URLs and the credentials.

    endpoint = Endpoint.from_options("http://127.0.0.1:7878")       # Oxigraph layout
    endpoint = Endpoint.from_options("http://host:3030/nhs-dkg", layout="fuseki")

`Endpoint` holds the three URLs a server offers, from a base URL and a layout (`LAYOUTS`:
Oxigraph's /query, /update, /store by default), each overridable, and how a query names its
dataset (`DATASETS`). `Credentials` come from options or the environment (NHSKG_USER and
NHSKG_PASSWORD for HTTP basic auth, or NHSKG_TOKEN for a bearer token); they are never
shown: not in a repr, not in an error. A malformed URL is a UsageError (exit 2). Asking the
server is remote.py (queries) and push.py (replacing graphs); their failures, http.py.
"""

from __future__ import annotations

import base64
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from graph_builder.core.errors import UsageError

LAYOUTS: dict[str, tuple[str, str, str, str]] = {
    "oxigraph": ("/query", "/update", "/store", "union"),
    "fuseki": ("/query", "/update", "/data", "graphs"),
    "graphdb": ("", "/statements", "/rdf-graphs/service", "server"),
    "virtuoso": ("/sparql", "/sparql", "/sparql-graph-crud", "graphs"),
}
"""Per server: the paths of the query, update and Graph Store Protocol URLs below a base
URL, and how a query names its dataset (DATASETS). Oxigraph: base http://host:7878;
Apache Jena Fuseki: base http://host:3030/DATASET; GraphDB / RDF4J: base
http://host:7200/repositories/REPOSITORY; Virtuoso: base http://host:8890."""

DATASETS = {
    "union": "the server's union of all named graphs (Oxigraph's `union-default-graph` parameter)",
    "graphs": "the build's graphs named in the request (SPARQL protocol default-graph-uri, named-graph-uri)",
    "server": "the server's own default graph (GraphDB: the union of all graphs)",
}
"""How a remote query sees the union of the build's graphs as its default graph. `graphs`
works on every SPARQL 1.1 server but Oxigraph answers it about ten times slower than
`union` (measured on the shipped build), hence the per-layout choice. Virtuoso's own default
graph is the union of every graph, its own system graphs included (5,611 more triples), so
its layout names the build's graphs."""

ENV_USER, ENV_PASSWORD, ENV_TOKEN = "NHSKG_USER", "NHSKG_PASSWORD", "NHSKG_TOKEN"


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
    graphs: tuple[str, ...] = ()
    """The named graphs of the dataset, for a layout that names them in each request."""

    @classmethod
    def from_options(
        cls,
        base: str | None,
        query_url: str | None = None,
        update_url: str | None = None,
        store_url: str | None = None,
        layout: str = "oxigraph",
        credentials: Credentials | None = None,
        graphs: Iterable[str] = (),
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
            tuple(graphs),
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
