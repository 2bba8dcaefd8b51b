"""Canonical terms of TriG, and text written atomically.

TriG abbreviates vocabulary IRIs with the fixed prefixes of `terms.PREFIXES` where that is
safe (`short_term`), so the same statements always give byte-identical files (parts.py
sorts, de-duplicates and writes them).
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path

from graph_builder.core import iri as mint
from graph_builder.core.terms import PREFIXES

_LOCAL = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*").fullmatch  # a local name safe to write as prefix:local
_PREFIX_OF = {ns: prefix for prefix, ns in PREFIXES.items()}
_OURS = f"<{mint.ID}"
assert not any(ns.startswith(mint.ID) for ns in PREFIXES.values())
assert all(ns.endswith(("#", "/")) for ns in PREFIXES.values())  # short_term relies on it


def short_term(term: str) -> str:
    """Abbreviate an IRI (or a literal's datatype) with a prefix where that is safe.

    Every namespace of PREFIXES ends in '#' or '/', so the only one an IRI can be abbreviated
    with is the text up to its last '#' or '/', and only if the rest is a plain local name."""
    if term.startswith(_OURS):  # most objects: our own nodes, under no prefix
        return term
    if term.startswith("<"):
        cut = max(term.rfind("#"), term.rfind("/")) + 1
        prefix = _PREFIX_OF.get(term[1:cut])
        if prefix is not None and _LOCAL(term, cut, len(term) - 1):
            return f"{prefix}:{term[cut:-1]}"
        return term
    if term.endswith(">") and '"^^<' in term:
        lex, _, dtype = term.rpartition("^^")
        return f"{lex}^^{short_term(dtype)}"
    return term


def predicate_term(term: str) -> str:
    return "a" if term.endswith("22-rdf-syntax-ns#type>") else short_term(term)


def umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(path: Path, chunks: Iterable[str]) -> None:
    """Write text to a temporary file beside `path`, fsync it, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n", buffering=1 << 20) as out:
            out.writelines(chunks)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o666 & ~umask())  # mkstemp makes 0600; give the file the usual mode
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
