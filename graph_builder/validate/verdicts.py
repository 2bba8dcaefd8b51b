"""pySHACL's verdict on a candidate value, where the query engine's reading of a value can differ.

The compiled checks (compiled.py) select a superset of the violating values; these functions
decide each candidate as pySHACL 0.x does (its constraints/core modules), so the results are
pySHACL's:

- sh:datatype: rdflib's lexical check of the literal (`ill_typed`) and its Python value's type;
- sh:pattern: Python's `re` with only the i and m flags (pySHACL ignores s), where `$` also
  matches before a final newline (the engine's regular expressions follow XPath: it does not);
- sh:minInclusive / sh:maxInclusive: pySHACL's literal comparison, strings only with strings;
- sh:lessThanOrEquals: Python's comparison of the values, strings only with strings.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, time
from decimal import Decimal

from rdflib import RDF, XSD, BNode, Graph, Literal, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

Verdict = Callable[[Node | None, Node | None], bool]
_TYPES: dict[Node, type | tuple[type, ...]] = {
    XSD.string: (str, bytes),
    RDF.langString: (str, bytes),
    XSD.integer: int,
    XSD.float: float,
    XSD.decimal: Decimal,
    XSD.boolean: bool,
    XSD.date: date,
    XSD.time: time,
    XSD.dateTime: datetime,
}


def deciding(graph: Graph, shape: Node, p: Node, o: Node) -> Verdict | None:
    """The verdict for a constraint whose query selects candidates, or None where it is exact."""
    if p == SH.datatype:
        return lambda value, _: not _has_datatype(value, o)
    if p == SH.pattern:
        flags = str(graph.value(shape, SH.flags) or "").lower()
        matcher = re.compile(str(o), (re.I if "i" in flags else 0) | (re.M if "m" in flags else 0))
        return lambda value, _: not _matches(matcher, value)
    if p in (SH.minInclusive, SH.maxInclusive):
        low = p == SH.minInclusive
        return lambda value, _: not _in_range(value, o, low)
    return None


def _has_datatype(value: Node | None, datatype: Node) -> bool:
    """pySHACL's DatatypeConstraintComponent on one value."""
    if not isinstance(value, Literal):
        return False
    if value.datatype == datatype:
        if getattr(value, "ill_typed", None) is True:
            return False
        expected = _TYPES.get(datatype)
        return expected is None or isinstance(value.value, expected)
    if datatype == URIRef("http://www.w3.org/2000/01/rdf-schema#Literal"):
        return True
    if datatype == URIRef("http://www.w3.org/2000/01/rdf-schema#Datatype") and value.datatype:
        return True
    if value.datatype is None and value.language is None and datatype == XSD.string:
        return isinstance(value.value, (str, bytes))
    if datatype == RDF.langString and value.language:
        return isinstance(value.value, (str, bytes))
    return False


def _matches(matcher: re.Pattern[str], value: Node | None) -> bool:
    if value is None or isinstance(value, BNode):
        return False
    if isinstance(value, Literal) and value.value is not None and value.datatype in (None, RDF.langString, XSD.string):
        text = str(value.value)
    else:
        text = str(value)
    return bool(matcher.match(text) or matcher.search(text))


def _in_range(value: Node | None, bound: Node, low: bool) -> bool:
    """pySHACL's Min/MaxInclusiveConstraintComponent on one value."""
    from pyshacl.rdfutil.compare import compare_literal  # pySHACL's own comparison

    if not isinstance(value, Literal) or not isinstance(bound, Literal):
        return False
    if isinstance(bound.value, str) != isinstance(value.value, str):
        return False
    try:
        compared = compare_literal(value, bound)  # type: ignore[no-untyped-call]
    except (TypeError, NotImplementedError):
        return False
    return bool(compared >= 0) if low else bool(compared <= 0)


def less_than_or_equals(value: Node | None, other: Node | None) -> bool:
    """pySHACL's LessThanOrEqualsConstraintComponent on one pair: True where it is a violation."""
    a, a_text = _comparable(value)
    b, b_text = _comparable(other)
    if a_text != b_text:
        return True
    try:
        return not a <= b  # type: ignore[operator]
    except TypeError:
        return True


def _comparable(node: Node | None) -> tuple[object, bool]:
    if isinstance(node, URIRef):
        return str(node), True
    if isinstance(node, Literal) and isinstance(node.value, str):
        return node.value, True
    return node, False
