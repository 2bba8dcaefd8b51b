"""Errors that reach the user, each carrying its exit code.

    NhskgError (3, internal)
    ├── UsageError (2): a bad option, argument or file the user named
    ├── InputError (2): problems in the input, one located line each
    └── ValidationFailed (1): the input was read but does not conform

The CLI renders these in one place (`cli.main`); any other exception is a bug (exit 3).
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
