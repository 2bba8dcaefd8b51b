"""Errors that reach the user, each carrying its exit code: the whole tree.

    NhskgError (3, internal: not raised itself)
    ├── UsageError (2): a bad option, argument, path or query the user gave
    │   └── store.embedded.QueryTimeout (2): a query ran past --timeout (narrow it)
    ├── InputError (2): problems in the input, one located line each (`problems`)
    ├── ValidationFailed (1): the input was read but does not conform
    └── ServerError (4): the SPARQL server failed (`url`, `status`, `retryable`)
        └── store.push.PushFailed (4): a push stopped part-way (`report`: each graph's state)

Exit codes: 0 done, 1 does not conform, 2 bad input or usage, 3 internal error (a bug),
4 the SPARQL server failed. The CLI renders these in one place (`cli.main`); any other
exception is a bug (exit 3).

A `ServerError` says what a caller needs to act, as httpx's exceptions do: `url` (the
server's URL, without credentials), `status` (the HTTP status of the answer; None when
there was none: connection refused, unknown host, dropped connection, timeout) and
`retryable` (whether the same request may succeed later: no connection, a timeout, HTTP
408, 429, 500, 502, 503, 504). Its message is one line per problem, naming the URL.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One located problem: `file:line: column 'c': message`."""

    file: str
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        col = f" column '{self.column}':" if self.column else ""
        return f"{where}:{col} {self.message}"


class NhskgError(Exception):
    """Base of every error the user sees; exit code 3 unless a subclass says otherwise."""

    exit_code = 3


class UsageError(NhskgError):
    """A bad option, argument or path."""

    exit_code = 2


class InputError(NhskgError):
    """The input has problems; every one is listed, one line each."""

    exit_code = 2

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class ValidationFailed(NhskgError):
    """The input was read but does not conform to the shapes."""

    exit_code = 1


class ServerError(NhskgError):
    """The SPARQL server failed: unreachable, too slow, an HTTP error, an answer that is not
    SPARQL results, or (`nhskg serve`) the server process stopped."""

    exit_code = 4

    def __init__(self, message: str, url: str, status: int | None = None, retryable: bool = False) -> None:
        super().__init__(message)
        self.url = url
        self.status = status
        """The HTTP status of the server's answer; None when there was no answer."""
        self.retryable = retryable
        """Whether the same request may succeed later (the failure may pass)."""
