"""An incremental build reuses what has not changed, and gives exactly what a full build gives."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from clirun import run_cli

from graph_builder.build import parts
from graph_builder.build import run as building
from graph_builder.core.errors import InputError
from graph_builder.registers import BUILDERS

GRAPHS = len(BUILDERS) + 2  # a graph per register, the ontology and the provenance


def quads(out: Path) -> set[ox.Quad]:
    """The store's statements, blank nodes left out (each load labels them anew)."""
    store = ox.Store.read_only(str(out / "store"))
    found = {q for q in store if not isinstance(q.subject, ox.BlankNode) and not isinstance(q.object, ox.BlankNode)}
    del store
    return found


def same_as_full(out: Path, data: Path, tmp_path: Path) -> None:
    """`out` holds what a full build of `data` makes: the same files, byte for byte, and store."""
    full = tmp_path / "full"
    result = building.build(data, full, full=True)
    assert result.reused == [] and result.store == "loaded"
    for name in ("graph.nq", "graph.trig"):
        assert (out / name).read_bytes() == (full / name).read_bytes(), name
    for name in ("organisations.json", "programmes.json"):
        assert (out / "keys" / name).read_bytes() == (full / "keys" / name).read_bytes()
    assert quads(out) == quads(full)
    ours, theirs = (json.loads((d / "manifest.json").read_text(encoding="utf-8")) for d in (out, full))
    assert ours["summary"] == theirs["summary"] and ours["registers"] == theirs["registers"]
    shutil.rmtree(full)


@pytest.fixture(scope="module")
def first(tmp_path_factory: pytest.TempPathFactory, shipped_data: Path) -> Path:
    """A build of the shipped registers (the same bytes as data_copy's)."""
    out = tmp_path_factory.mktemp("first") / "out"
    made = building.build(shipped_data, out)
    assert made.reused == [] and len(made.rebuilt) == GRAPHS
    return out


@pytest.fixture()
def previous(first: Path, data_copy: Path, tmp_path: Path) -> Path:
    """A previous build in the output folder, to build again over."""
    out = tmp_path / "out"
    shutil.copytree(first, out)
    return out


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_unchanged_registers_are_all_reused(previous, data_copy, tmp_path):
    before = {name: (previous / name).read_bytes() for name in ("graph.nq", "graph.trig")}
    inode = (previous / "graph.nq").stat().st_ino
    again = building.build(data_copy, previous)
    assert again.rebuilt == [] and again.store == "reused"
    assert len(again.reused) == GRAPHS
    assert {name: (previous / name).read_bytes() for name in before} == before
    assert (previous / "graph.nq").stat().st_ino == inode  # linked from the previous build, not copied
    same_as_full(previous, data_copy, tmp_path)


def test_one_changed_register_is_the_only_one_rebuilt(previous, data_copy, tmp_path):
    edit(data_copy / "deployments.csv", ",2024-10-01,", ",2024-10-02,")
    again = building.build(data_copy, previous)
    assert again.rebuilt == ["deployments", "provenance"] and again.store == "patched"
    same_as_full(previous, data_copy, tmp_path)


def test_a_renamed_organisation_leaves_the_registers_that_refer_to_it_alone(previous, data_copy, tmp_path):
    """A name is not a key: the registers that refer to organisations are still reused."""
    text = (data_copy / "organisations.csv").read_text(encoding="utf-8")
    line = next(row for row in text.splitlines()[1:] if row.startswith("R0B,"))
    code, name, rest = line.split(",", 2)
    edit(data_copy / "organisations.csv", line, f"{code},{name} (renamed),{rest}")
    again = building.build(data_copy, previous)
    assert again.rebuilt == ["organisations", "provenance"]
    same_as_full(previous, data_copy, tmp_path)


def test_a_new_organisation_rebuilds_the_registers_that_refer_to_organisations(previous, data_copy, tmp_path):
    rows = (data_copy / "organisations.csv").read_text(encoding="utf-8").splitlines()
    header = rows[0].split(",")
    new = dict.fromkeys(header, "")
    new.update(code="RZZ", name="A new trust", kind="acute-trust", source=rows[1].split(",")[header.index("source")])
    (data_copy / "organisations.csv").write_text(
        "\n".join([*rows, ",".join(new[c] for c in header)]) + "\n", encoding="utf-8"
    )
    again = building.build(data_copy, previous)
    assert {"organisations", "memberships", "deployments", "participations"} <= set(again.rebuilt)
    assert {"programmes", "systems", "bodies", "sources", "ontology"} <= set(again.reused)
    same_as_full(previous, data_copy, tmp_path)


def test_an_organisation_removed_from_under_an_unchanged_register_is_an_error(previous, data_copy):
    """memberships.csv did not change, but the key it refers to is gone: it is checked again."""
    rows = (data_copy / "organisations.csv").read_text(encoding="utf-8").splitlines()
    kept = [r for r in rows if not r.startswith("RLN,")]
    assert len(kept) < len(rows)
    (data_copy / "organisations.csv").write_text("\n".join(kept) + "\n", encoding="utf-8")
    before = (previous / "graph.nq").read_bytes()
    with pytest.raises(InputError) as caught:
        building.build(data_copy, previous)
    assert any(
        p.file.endswith("successions.csv") and "'RLN' is not a known" in p.message for p in caught.value.problems
    ), caught.value.problems
    assert (previous / "graph.nq").read_bytes() == before


def test_another_version_of_the_code_rebuilds_everything(previous, data_copy):
    manifest = previous / "manifest.json"
    record = json.loads(manifest.read_text(encoding="utf-8"))
    manifest.write_text(json.dumps({**record, "code": "0" * 64}), encoding="utf-8")
    assert building.build(data_copy, previous).reused == []


def test_a_damaged_previous_build_is_not_reused(previous, data_copy, tmp_path):
    with open(previous / "graph.nq", "a", encoding="utf-8") as f:
        f.write("<x:a> <x:b> <x:c> .\n")
    again = building.build(data_copy, previous)
    assert again.reused == [] and again.store == "loaded"
    same_as_full(previous, data_copy, tmp_path)


def test_full_rebuilds_everything(previous, data_copy):
    assert building.build(data_copy, previous, full=True).reused == []


def test_statements_sorted_in_runs_on_disk_give_the_same_files(previous, data_copy, tmp_path, monkeypatch):
    """Beyond parts.RUN statements a part is sorted in runs on disk and merged: same bytes."""
    monkeypatch.setattr(parts, "RUN", 1_000)
    small = tmp_path / "small-runs"
    building.build(data_copy, small, full=True)
    for name in ("graph.nq", "graph.trig"):
        assert (small / name).read_bytes() == (previous / name).read_bytes()
    assert not list((tmp_path).glob(".small-runs.*"))


def test_the_store_is_loaded_again_when_patching_would_cost_more(previous, data_copy, tmp_path, monkeypatch):
    monkeypatch.setattr(building, "PATCH_LIMIT", 0.0)
    edit(data_copy / "deployments.csv", ",2024-10-01,", ",2024-10-02,")
    again = building.build(data_copy, previous)
    assert again.store == "reloaded" and again.rebuilt == ["deployments", "provenance"]
    same_as_full(previous, data_copy, tmp_path)


def test_the_command_says_what_it_rebuilt_and_reused(previous, data_copy, capsys):
    code, out, _ = run_cli(["build", "--data", str(data_copy), "--out", str(previous)], capsys)
    assert code == 0 and f"nothing changed since the previous build: reused all {GRAPHS} graphs and the store" in out
    edit(data_copy / "deployments.csv", ",2024-10-01,", ",2024-10-02,")
    code, out, _ = run_cli(["build", "--data", str(data_copy), "--out", str(previous)], capsys)
    said = f"rebuilt 2 of {GRAPHS} graphs (deployments, provenance); reused the rest unchanged from the previous build"
    assert code == 0 and said in out
    code, out, _ = run_cli(["build", "--data", str(data_copy), "--out", str(previous), "--full"], capsys)
    assert code == 0 and "reused" not in out
