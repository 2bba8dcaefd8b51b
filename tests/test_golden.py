"""Golden cases: one folder per builder case, input rows → expected triples (compared as graphs).

tests/cases/<register>/<case>/input.csv is built against the shipped registers (so its
references resolve); expected.ttl holds the triples of that register's graph, or
expected-errors.txt the problems, one per line. `pytest --update-golden` rewrites them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from graph_builder.core.errors import InputError
from graph_builder.core.terms import PREFIXES
from graph_builder.registers import BY_NAME
from graph_builder.registers.load import build_register

CASES = Path(__file__).parent / "cases"
ALL = sorted(p for p in CASES.glob("*/*") if (p / "input.csv").is_file())


def triples_graph(statements) -> Graph:
    g = Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    g.parse(data="".join(f"{s} {p} {o} .\n" for s, p, o in statements), format="nt")
    return g


def test_every_register_has_golden_cases():
    covered = {p.parent.name for p in ALL}
    assert covered == set(BY_NAME), f"registers without a case: {sorted(set(BY_NAME) - covered)}"


@pytest.mark.parametrize("case", ALL, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_golden_case(case: Path, reference_ctx, request):
    builder = BY_NAME[case.parent.name]
    update = request.config.getoption("--update-golden")
    label = f"{case.name}/input.csv"
    try:  # as the build and submissions do: every problem, and the rows without one built
        built = build_register(builder, case / "input.csv", label, reference_ctx)
        problems = sorted(built.checked.problems)  # as the build reports them (InputError)
    except InputError as exc:  # no row could be read
        problems = exc.problems
    if problems:
        got = "".join(f"{p}\n" for p in problems)
        expected = case / "expected-errors.txt"
        if update:
            expected.write_text(got, encoding="utf-8")
        assert expected.is_file(), f"unexpected problems:\n{got}"
        assert got == expected.read_text(encoding="utf-8")
        return
    got_graph = triples_graph(built.statements)
    expected = case / "expected.ttl"
    if update:
        expected.write_text(_canonical_decimals(got_graph.serialize(format="turtle")), encoding="utf-8")
    assert expected.is_file(), "the case built without problems but has no expected.ttl"
    want = Graph().parse(expected, format="turtle")
    if not isomorphic(got_graph, want):
        _, only_got, only_want = graph_diff(to_isomorphic(got_graph), to_isomorphic(want))
        pytest.fail(
            "triples differ\nonly built:\n"
            + only_got.serialize(format="nt")
            + "only expected:\n"
            + only_want.serialize(format="nt")
        )


def _canonical_decimals(turtle: str) -> str:
    """rdflib's Turtle writes the decimal "16" as the shorthand 16.0, another lexical form;
    the build writes canonical decimals (never ending in .0), so the shorthand is put back."""
    return re.sub(r"(?<=[ \t])(-?\d+)\.0(?= *[;.,\n])", r'"\1"^^xsd:decimal', turtle)
