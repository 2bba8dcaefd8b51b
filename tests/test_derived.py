"""What the build derives for the questions: day bounds, known-from days, exemplars through successions."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from graph_builder.registers.context import Context
from graph_builder.registers.days import BOUNDED, day_bounds
from graph_builder.registers.reading import Row

DEF = "https://w3id.org/nhs-dkg/def#"
PROV_DERIVED = ox.NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom")


@pytest.mark.parametrize(
    ("value", "first", "last"),
    [
        ("2017", "2017-01-01", "2017-12-31"),
        ("2017-09", "2017-09-01", "2017-09-30"),
        ("2016-02", "2016-02-01", "2016-02-29"),  # a leap year's February
        ("2100-02", "2100-02-01", "2100-02-28"),  # a century not divisible by 400: no leap day
        ("2017-12", "2017-12-01", "2017-12-31"),
        ("2018-05-23", "2018-05-23", "2018-05-23"),
    ],
)
def test_a_date_at_each_precision_has_its_first_and_last_day(value, first, last):
    assert day_bounds(value) == (first, last)


def test_a_value_that_is_not_a_date_at_a_precision_is_refused():
    with pytest.raises(ValueError, match="not a date"):
        day_bounds("2017-9")


def rows(store: ox.Store, query: str) -> list[tuple[str, ...]]:
    solutions = store.query(f"PREFIX ndk: <{DEF}> " + query, use_default_graph_as_union=True)
    assert isinstance(solutions, ox.QuerySolutions)
    return [tuple(v.value if v is not None else "" for v in row) for row in solutions]


def test_every_dated_statement_of_the_build_carries_both_of_its_days(store):
    checked = 0
    for date_property, (first, last) in BOUNDED.items():
        found = rows(
            store,
            f"""SELECT ?value ?first ?last WHERE {{
                  ?node {date_property} ?value .
                  OPTIONAL {{ ?node {first} ?first }} OPTIONAL {{ ?node {last} ?last }} }}""",
        )
        for value, got_first, got_last in found:
            assert (got_first, got_last) == day_bounds(value), (date_property, value)
        checked += len(found)
    assert checked > 400  # the shipped registers date some 250 things


def test_each_bound_property_is_declared_as_derived_from_its_date_property(store):
    for date_property, bounds in BOUNDED.items():
        for bound in bounds:
            got = rows(store, f"SELECT ?from WHERE {{ {bound} <{PROV_DERIVED.value}> ?from }}")
            assert got == [(date_property[1:-1],)], bound


def known_from(store: ox.Store, follower: str, exemplar: str) -> set[str]:
    found = rows(
        store,
        f"""SELECT DISTINCT ?day WHERE {{
              ?p ndk:follower <https://w3id.org/nhs-dkg/id/org/{follower}> ;
                 ndk:exemplar <https://w3id.org/nhs-dkg/id/org/{exemplar}> .
              OPTIONAL {{ ?p ndk:knownFrom ?day }} }}""",
    )
    return {day for (day,) in found}


def test_a_pairing_is_known_from_its_start_or_else_its_earliest_dated_source(store):
    assert known_from(store, "REP", "RQ6") == {"2017-09-01"}  # start 2017-09
    assert known_from(store, "RE9", "RLN") == {"2017-01-01"}  # start 2017
    # no start given: the earliest of its sources' dates (dhn-nmuh, 2022-11)
    assert known_from(store, "RAP", "RAL") == {"2022-11-01"}


def test_successors_are_followed_through_every_merger_and_split():
    rows = [("A", "B"), ("B", "C"), ("B", "D"), ("X", ""), ("D", "B")]  # a split, a closure, a loop back
    ctx = Context(rows={"successions": [Row(i, {"predecessor": p, "successor": s}) for i, (p, s) in enumerate(rows)]})
    assert ctx.successors("A") == ["B", "C", "D"]
    assert ctx.successors("X") == []
    assert ctx.successors("D") == ["B", "C"]


def test_an_exemplar_is_the_participant_and_every_successor_of_it(store):
    """ndk:exemplarVia holds exactly for the pairs the questions used to walk at query time."""
    walked = """SELECT DISTINCT ?o ?p WHERE {
        VALUES ?r { <https://w3id.org/nhs-dkg/def/participation-role/exemplar>
                    <https://w3id.org/nhs-dkg/def/participation-role/joint-exemplar> }
        VALUES ?st { <https://w3id.org/nhs-dkg/def/status/announced> <https://w3id.org/nhs-dkg/def/status/confirmed> }
        ?p ndk:participant ?ex ; ndk:role ?r ; ndk:status ?st . ?ex ndk:succeededBy* ?o }"""
    derived = set(rows(store, "SELECT ?o ?p WHERE { ?o ndk:exemplarVia ?p }"))
    assert derived == set(rows(store, walked))
    assert ("https://w3id.org/nhs-dkg/id/org/R0B",) in {(o,) for o, p in derived if "/RLN/" in p}  # RLN merged into R0B


def test_a_deployment_record_is_superseded_from_the_first_day_of_the_next_later_record(store):
    walked = """SELECT ?d (MIN(?later) AS ?next) WHERE {
        ?d ndk:deployedAt ?o ; ndk:asOfFirstDay ?day .
        ?e ndk:deployedAt ?o ; ndk:asOfFirstDay ?later . FILTER(?later > ?day) } GROUP BY ?d"""
    derived = set(rows(store, "SELECT ?d ?next WHERE { ?d ndk:supersededFrom ?next }"))
    assert derived == set(rows(store, walked))
    rbs = "https://w3id.org/nhs-dkg/id/deployment/RBS/meditech/2016/dhn-48294"
    assert (rbs, "2024-10-01") in derived  # Alder Hey: Meditech in 2016, the FOI list of 1 October 2024
    assert len(derived) > 15
