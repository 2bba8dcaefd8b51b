"""Day bounds: every date at month or year precision also as its first and last day.

A source gives a date at the precision it knows: `2017` (xsd:gYear), `2017-09`
(xsd:gYearMonth) or `2017-09-14` (xsd:date). The statement keeps it as given; the build
adds, beside it, the first and the last day it can mean, as xsd:date:

    <partnership> ndk:startDate "2017-09"^^xsd:gYearMonth ;      # what the source says
                  ndk:startFirstDay "2017-09-01"^^xsd:date ;     # derived by the build
                  ndk:startLastDay  "2017-09-30"^^xsd:date .     # derived by the build

so a question compares dates with dates (`?day <= ?asOf`) on every SPARQL engine, instead
of computing days from strings in every query (which engines treat differently when the
date is missing). A full date's first and last day are the date itself. `BOUNDED` says
which properties have bounds and what they are called; the ontology declares each bound
property as derived from its date property (`prov:wasDerivedFrom`), so a reader can tell
what the sources say from what the build computes.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Iterator

from graph_builder.core import terms as t

Triple = tuple[str, str, str]

# date property → the stem of its bound properties: ndk:{stem}FirstDay, ndk:{stem}LastDay
_STEMS = {
    t.ndk("startDate"): "start",
    t.ndk("endDate"): "end",
    t.ndk("announcedDate"): "announced",
    t.ndk("assessmentDate"): "assessment",
    t.ndk("adoptionDate"): "adoption",
    t.ndk("claimDate"): "claim",
    t.ndk("eventDate"): "event",
    t.ndk("asOf"): "asOf",
    t.dcterms("date"): "date",
    t.dcterms("issued"): "issued",
}
BOUNDED: dict[str, tuple[str, str]] = {
    p: (t.ndk(f"{stem}FirstDay"), t.ndk(f"{stem}LastDay")) for p, stem in _STEMS.items()
}
_KINDS = {t.XSD + "gYear": 4, t.XSD + "gYearMonth": 7, t.XSD + "date": 10}


def day_bounds(value: str) -> tuple[str, str]:
    """The first and last day (YYYY-MM-DD) of a date at year, month or day precision."""
    if len(value) == 4:
        return f"{value}-01-01", f"{value}-12-31"
    if len(value) == 7:
        year, month = int(value[:4]), int(value[5:7])
        return f"{value}-01", f"{value}-{calendar.monthrange(year, month)[1]:02d}"
    if len(value) == 10:
        return value, value
    raise ValueError(f"not a date at year, month or day precision: {value!r}")


def first_day(value: str) -> str:
    """The first day (YYYY-MM-DD) a date at any precision can mean."""
    return day_bounds(value)[0]


def with_day_bounds(triples: Iterable[Triple]) -> Iterator[Triple]:
    """The triples, each dated one (a `BOUNDED` property) followed by its day bounds."""
    for triple in triples:
        yield triple
        subject, predicate, obj = triple
        bounds = BOUNDED.get(predicate)
        if bounds is None:
            continue
        value, _, datatype = obj.partition('"^^<')
        if datatype[:-1] not in _KINDS:
            raise ValueError(f"{predicate} takes a date at year, month or day precision, not {obj}")
        first, last = day_bounds(value[1:])
        yield subject, bounds[0], t.lit(first, "date")
        yield subject, bounds[1], t.lit(last, "date")
