"""How a request to a SPARQL server fails: each failure as one `ServerError` (exit 4).

Both clients, remote.py (queries, through SPARQLWrapper) and push.py (graphs replaced,
through urllib), turn a failure into an error here, so it reads the same and carries the
same facts: `url`, `status` (None when no answer came: connection refused, unknown host,
dropped connection, timeout) and `retryable` (no answer, or HTTP 408, 429, 500, 502, 503,
504: the same request may succeed later; push.py retries exactly these). Secrets are
replaced by *** in every message.
"""

from __future__ import annotations

import http.client
import socket
import urllib.error

from graph_builder.core.errors import ServerError
from graph_builder.store.endpoint import ENV_PASSWORD, ENV_TOKEN, ENV_USER, Credentials

RETRYABLE_STATUS = frozenset({408, 429, 500, 502, 503, 504})
"""HTTP answers after which the same request may succeed (timeouts, throttling, server faults)."""


def http_error(url: str, status: int, body: bytes, credentials: Credentials) -> ServerError:
    """An HTTP error answer, with the first words of the server's message."""
    message = credentials.redact(_http_problem(url, status, body))
    return ServerError(message, url, status, status in RETRYABLE_STATUS)


def connection_error(url: str, exc: BaseException, credentials: Credentials) -> ServerError:
    """A failure to reach the server or to read its answer: no status, worth another try."""
    return ServerError(credentials.redact(_connection_problem(url, exc)), url, None, retryable=True)


def no_answer_in_time(url: str, timeout: float) -> ServerError:
    """The server did not answer within `timeout` seconds."""
    message = (
        f"{url}: no answer within {timeout:g} s; "
        "the server may be overloaded or the query too broad (allow more time with --timeout)"
    )
    return ServerError(message, url, None, retryable=True)


def not_sparql(url: str, status: int | None, content_type: str, detail: str) -> ServerError:
    """An answer that is not SPARQL results (a web page, another service): asking again will not help."""
    shown = content_type.split(";")[0].strip() or "no content type"
    message = f"{url}: the answer is not SPARQL results ({shown}: {detail}); is this a SPARQL endpoint?"
    return ServerError(message, url, status, retryable=False)


def refused_before_change(exc: BaseException) -> bool:
    """Whether a connection failure certainly left the server unchanged (it refused the connection)."""
    reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    return isinstance(reason, ConnectionRefusedError)


def _http_problem(url: str, status: int, body: bytes) -> str:
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


def _connection_problem(url: str, exc: BaseException) -> str:
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
