"""Canonical terms of TriG.

TriG abbreviates vocabulary IRIs with the fixed prefixes of `terms.PREFIXES` where that is
safe (`short_term`), so the same statements always give byte-identical files (parts.py
sorts, de-duplicates and writes them).
"""

from __future__ import annotations

import re

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
