"""benchmarks/generate.py at a small size: deterministic, canonical, accepted by the build, faulty on purpose."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from graph_builder.registers import BY_NAME

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
ORGS = 1000
FAULT_CLASSES = {  # every class the generator promises, each present at this size
    "org-ons-code-of-another-kind",
    "org-coordinates-swapped",
    "trust-without-membership",
    "membership-gp-closed-before-period",
    "membership-group-not-an-area",
    "membership-before-member-opened",
    "succession-successor-opened-before-predecessor-closed",
    "participation-announced-before-programme",
    "participation-cohort-not-of-role",
    "partnership-exemplar-not-an-exemplar",
    "partnership-starts-before-programme",
    "deployment-after-close",
    "deployment-supplier-not-system-supplier",
    "blueprint-author-not-an-exemplar",
    "adoption-before-published",
    "claim-funding-under-1000",
    "programme-starts-before-parent",
}


def generate(out: Path, seed: int) -> dict:
    sys.path.insert(0, str(BENCHMARKS))
    try:
        from generate import main
    finally:
        sys.path.remove(str(BENCHMARKS))
    assert main(["--orgs", str(ORGS), "--seed", str(seed), "--out", str(out)]) == 0
    return json.loads((out / "benchmark.json").read_text())


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("synthetic") / "data"
    return out, generate(out, seed=7)


def read(folder: Path, name: str) -> list[dict[str, str]]:
    with (folder / f"{name}.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_same_seed_same_files_other_seed_other_files(generated, tmp_path):
    folder, _ = generated
    again, other = tmp_path / "again", tmp_path / "other"
    generate(again, seed=7)
    generate(other, seed=8)
    for name in BY_NAME:
        assert (again / f"{name}.csv").read_bytes() == (folder / f"{name}.csv").read_bytes(), name
    assert (other / "organisations.csv").read_bytes() != (folder / "organisations.csv").read_bytes()


def test_every_register_in_its_format_and_canonical_order(generated):
    folder, info = generated
    for name, builder in BY_NAME.items():
        with (folder / f"{name}.csv").open(encoding="utf-8", newline="") as f:
            header = next(csv.reader(f))
        assert header == [c.name for c in builder.columns], name
        keys = [tuple(r[c] for c in builder.key) for r in read(folder, name)]
        assert keys == sorted(keys), f"{name}.csv is not sorted by {', '.join(builder.key)}"
        assert len(keys) == info["rows"][name] > 0, name


def test_marked_synthetic(generated):
    folder, info = generated
    sources = read(folder, "sources")
    assert [s["key"] for s in sources] == ["synthetic-7", "synthetic-7-2016"]
    assert all(s["kind"] == "dataset" and s["note"].startswith("SYNTHETIC") for s in sources)
    assert info["synthetic"] is True and info["seed"] == 7
    gps = [r for r in read(folder, "organisations") if len(r["code"]) == 5 and r["kind"] == "ccg"]
    assert gps and all("GP practice" in r["note"] for r in gps)


def test_contains_its_faulty_rows(generated):
    folder, info = generated
    assert {k for k, v in info["faults"].items() if v > 0} >= FAULT_CLASSES
    assert any(r["start"] == "1995-04-01" for r in read(folder, "memberships"))
    assert any(r["ons_code"].startswith("E54") and r["kind"] == "ccg" for r in read(folder, "organisations"))
    assert any(r["start"] == "2015-06" for r in read(folder, "partnerships"))
    events: dict[str, list[dict[str, str]]] = {}
    for r in read(folder, "successions"):
        events.setdefault(r["event"], []).append(r)
    closed = {r["code"]: r["close_date"] for r in read(folder, "organisations") if r["close_date"]}
    opened = {r["code"]: r["open_date"] for r in read(folder, "organisations")}
    assert any(
        closed.get(r["predecessor"], "") > opened.get(r["successor"], "9") and r["kind"] == "merger"
        for rows in events.values()
        for r in rows
    ), "no successor that opened before its predecessor closed"


def test_the_build_accepts_it(generated, tmp_path):
    folder, _ = generated
    run = subprocess.run(
        [sys.executable, "-m", "graph_builder", "-q", "build", "--data", str(folder), "--out", str(tmp_path / "build")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert (tmp_path / "build" / "graph.nq").stat().st_size > 0


def test_the_harness_measures_a_build_and_an_incremental_build(generated, tmp_path):
    """benchmarks/run.py end to end at 1,000 organisations (no peers: they need morph-kgc's venv)."""
    folder, _ = generated
    results = tmp_path / "results"
    done = subprocess.run(
        [
            sys.executable,
            str(BENCHMARKS / "run.py"),
            "--orgs",
            str(ORGS),
            "--data",
            str(folder),
            "--runs",
            "1",
            "--cases",
            "build,incremental",
            "--skip",
            "morph,rdflib,hand",
            "--results",
            str(results),
            "--work",
            str(tmp_path / "work"),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    (json_path,) = results.glob("*.json")
    section = json.loads(json_path.read_text())["sections"][str(ORGS)]
    build = section["cases"]["build"]["nhskg build"]
    assert build["rc"] == 0 and build["quads"] > 10_000
    assert "build, sort and write the parts" in section["cases"]["build"]["phases (nhskg, last run, wall s)"]
    inc = section["cases"]["incremental"]
    assert inc["nothing changed"]["rebuilt"] == [] and inc["nothing changed"]["store"] == "reused"
    assert inc["one small register changed"]["rebuilt"] == ["participations", "provenance"]
    assert inc["one large register changed"]["rebuilt"] == ["deployments", "provenance"]
    markdown = json_path.with_suffix(".md").read_text()
    assert "### Incremental build" in markdown and "| nothing changed |" in markdown
