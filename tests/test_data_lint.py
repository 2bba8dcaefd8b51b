"""Lint of every shipped register: readable, canonical order, known sources, references resolve.

A failure names the register and rows, and the command that fixes it.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from graph_builder.registers import BUILDERS, Builder
from graph_builder.registers.load import read_registers

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
    _, infos = read_registers(shipped_data)
    assert {i.name for i in infos} == {b.name for b in BUILDERS}


# --- defects an audit of the registers against their sources found (issue 17) ----------


def _rows(data: Path, name: str) -> list[dict[str, str]]:
    with (data / f"{name}.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _first_day(value: str) -> str:
    return value + "-01-01"[len(value) - 4 :] if len(value) < 10 else value


def test_no_fact_dated_after_its_organisation_was_succeeded(shipped_data):
    """A fact dated after a merger is recorded on the successor (the RE9 adoption of April 2020 is R0B's)."""
    gone: dict[str, str] = {}
    for r in _rows(shipped_data, "successions"):
        if r["successor"]:
            gone[r["predecessor"]] = min(gone.get(r["predecessor"], "9999"), _first_day(r["date"]))
    late = [
        f"data/{name}.csv: {r[column]} on {r[when]}, after it was succeeded ({gone[r[column]]})"
        for name, column, when in (
            ("adoptions", "adopter", "date"),
            ("deployments", "organisation", "as_of"),
            ("assessments", "organisation", "date"),
            ("partnerships", "follower", "start"),
        )
        for r in _rows(shipped_data, name)
        if r[when] and r[column] in gone and _first_day(r[when]) >= gone[r[column]]
    ]
    assert not late, "\n".join(late)


def test_a_pairing_and_its_fast_follower_participation_agree(shipped_data):
    """The same pairing, from the same sources, has one status in partnerships.csv and participations.csv."""
    followers = [r for r in _rows(shipped_data, "participations") if r["role"] == "fast-follower"]
    wrong = [
        f"{p['follower']}: partnership {p['status']}, participation {f['status']}"
        for p in _rows(shipped_data, "partnerships")
        for f in followers
        if f["organisation"] == p["follower"]
        and set(f["source"].split(";")) & set(p["source"].split(";"))
        and f["status"] != p["status"]
    ]
    assert not wrong, wrong


def test_dhn_ff18_is_not_called_the_first_fast_follower_announcement(shipped_data):
    """DHN-FF18 itself says Chelsea and Westminster and UCLH were announced before it."""
    wrong = [
        r["organisation"]
        for r in _rows(shipped_data, "participations")
        if "first fast-follower announcement" in r["note"]
    ]
    assert not wrong, wrong


def test_claims_of_the_same_amount_are_not_set_against_each_other(shipped_data):
    """'up to £10m' and '£10m' state the same amount: a note does not call them in disagreement."""
    claims = {r["key"]: r for r in _rows(shipped_data, "claims")}
    wrong = []
    for key, c in claims.items():
        for other, o in claims.items():
            same = other != key and other in c["note"] and (o["value"], o["unit"]) == (c["value"], c["unit"])
            clause = next((s for s in c["note"].split(";") if other in s), "")
            if same and c["value"] and ("not 'up to'" in c["note"] or "isagrees" in clause):
                wrong.append(f"{key} vs {other}")
    assert not wrong, wrong


def test_dspt_successions_say_their_kind_is_inferred(shipped_data):
    """The DSPT file gives only successor codes: merger or split is the project's inference."""
    wrong = [
        r["event"]
        for r in _rows(shipped_data, "successions")
        if r["source"] == "nhsx-dspt-2022" and "inferred" not in r["note"]
    ]
    assert not wrong, wrong


def test_article_titles_are_the_texts_own_or_say_they_are_not(shipped_data, shared):
    wrong = []
    for r in _rows(shipped_data, "sources"):
        if r["kind"] == "article" and r["path"]:
            text = (shared / r["path"]).read_text(encoding="utf-8").lower()
            if r["title"].lower() not in text and "project's own wording" not in r["note"]:
                wrong.append(r["key"])
    assert not wrong, f"article titles neither in the text nor marked as the project's wording: {wrong}"


def test_fujitsu_is_given_no_npfit_region_no_source_states(shipped_data):
    fujitsu = next(r for r in _rows(shipped_data, "bodies") if r["key"] == "fujitsu")
    assert "London" not in fujitsu["note"], "no shipped source says Fujitsu was the London supplier"


def test_funding_check_keeps_tranche_for_what_article_002_calls_one():
    """article-002's 'second tranche' is the further STP money, not the £190m of the £385m."""
    from graph_builder.questions.funding import CHECKS

    assert not [c.name for c in CHECKS if "tranche" in c.name]
