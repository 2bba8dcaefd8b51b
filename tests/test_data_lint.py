"""Lint of every shipped register: readable, canonical order, known sources, references resolve.

A failure names the register and rows, and the command that fixes it.
"""

from __future__ import annotations

import pytest

from graph_builder import build as building
from graph_builder.registers import BUILDERS, Builder

DERIVED = {
    "sources": "python data/derive/sources.py",
    "organisations": "python data/derive/organisations.py",
    "memberships": "python data/derive/organisations.py",
    "successions": "python data/derive/organisations.py",
    "deployments": "python data/derive/epr_foi.py",
}


def fix(b: Builder) -> str:
    return DERIVED.get(b.name, f"sort data/{b.filename} by {', '.join(b.key)} (header first)")


@pytest.mark.parametrize("b", BUILDERS, ids=lambda b: b.name)
def test_register_reads_without_problems(b, shipped_data):
    _, problems = b.read(shipped_data / b.filename, f"data/{b.filename}")
    assert not problems, "\n".join(map(str, problems))


@pytest.mark.parametrize("b", BUILDERS, ids=lambda b: b.name)
def test_register_is_in_canonical_order(b, shipped_data):
    rows, _ = b.read(shipped_data / b.filename)
    keys = [tuple(r.get(c) for c in b.key) for r in rows]
    wrong = [rows[i].line for i in range(1, len(keys)) if keys[i] < keys[i - 1]]
    assert not wrong, f"data/{b.filename}: rows out of order at lines {wrong[:10]}; fix: {fix(b)}"


@pytest.mark.parametrize("b", BUILDERS, ids=lambda b: b.name)
def test_register_references_resolve(b, reference_ctx, shipped_data):
    problems = b.check_references(reference_ctx.rows[b.name], reference_ctx, f"data/{b.filename}")
    assert not problems, "\n".join(map(str, problems))


@pytest.mark.parametrize("b", [b for b in BUILDERS if b.name != "sources"], ids=lambda b: b.name)
def test_every_row_cites_a_source(b, reference_ctx):
    uncited = [r.line for r in reference_ctx.rows[b.name] if not r.sources()]
    assert not uncited, f"data/{b.filename}: rows {uncited[:10]} cite no source"


def test_every_source_is_cited_by_some_row(reference_ctx):
    cited = {s for name, rows in reference_ctx.rows.items() if name != "sources" for r in rows for s in r.sources()}
    unused = sorted({r["key"] for r in reference_ctx.rows["sources"]} - cited)
    assert not unused, f"sources.csv keys no register cites: {unused}"


def test_shipped_build_reads(shipped_data):
    _, infos = building.read_registers(shipped_data)
    assert {i.name for i in infos} == {b.name for b in BUILDERS}
