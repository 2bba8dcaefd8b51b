"""Bad registers stop the build with exit 2, one located line per problem, nothing written."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pytest
from clirun import run_cli as run


def rewrite(path: Path, edit: Callable[[list[list[str]]], None]) -> None:
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    edit(rows)
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def set_cell(name: str, line: int, column: str, value: str):
    def edit(rows: list[list[str]]) -> None:
        rows[line - 1][rows[0].index(column)] = value

    return name, edit


CASES = {
    "bad-status": (
        set_cell("partnerships.csv", 2, "status", "confrmed"),
        "partnerships.csv:2: column 'status': 'confrmed' is not one of confirmed, proposed, dropped",
    ),
    "unknown-source": (
        set_cell("organisations.csv", 3, "source", "no-such-source"),
        "organisations.csv:3: column 'source': unknown source 'no-such-source'",
    ),
    "malformed-code": (
        set_cell("memberships.csv", 2, "member", "r@l"),
        "memberships.csv:2: column 'member': 'r@l' is not an ODS code",
    ),
    "malformed-date": (
        set_cell("successions.csv", 2, "date", "2019-02-30"),
        "successions.csv:2: column 'date': '2019-02-30' is not a real date",
    ),
    "unknown-organisation": (
        set_cell("memberships.csv", 2, "group", "ZZZ"),
        "memberships.csv:2: column 'group': 'ZZZ' is not a known organisation code",
    ),
    "negative-amount": (
        set_cell("claims.csv", 2, "value", "-5"),
        "claims.csv:2: column 'value'",
    ),
    "unknown-programme": (
        set_cell("participations.csv", 2, "programme", "no-such-programme"),
        "participations.csv:2: column 'programme': 'no-such-programme' is not a known programme key",
    ),
    "unknown-role": (
        set_cell("participations.csv", 2, "role", "leader"),
        "participations.csv:2: column 'role': 'leader' is not one of",
    ),
    "padded-text": (
        set_cell("organisations.csv", 2, "name", " NHS Northumberland CCG"),
        "organisations.csv:2: column 'name': ' NHS Northumberland CCG' has leading or trailing spaces",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_register_exits_2_with_located_message(case, data_copy, tmp_path, capsys):
    (name, edit), expected = CASES[case]
    rewrite(data_copy / name, edit)
    code, _, err = run(["build", "--data", str(data_copy), "--out", str(tmp_path / "out")], capsys)
    assert code == 2
    assert expected in err, err
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_every_problem_is_listed_not_just_the_first(data_copy, tmp_path, capsys):
    rewrite(data_copy / "partnerships.csv", set_cell("partnerships.csv", 2, "status", "x")[1])
    rewrite(data_copy / "partnerships.csv", set_cell("partnerships.csv", 3, "start", "soon")[1])
    rewrite(data_copy / "memberships.csv", set_cell("memberships.csv", 4, "end", "2020-13-01")[1])
    code, _, err = run(["build", "--data", str(data_copy), "--out", str(tmp_path / "out")], capsys)
    assert code == 2
    lines = [line for line in err.splitlines() if ".csv:" in line]
    assert len(lines) == 3, err
    assert any("partnerships.csv:3: column 'start'" in line for line in lines)
    assert any("memberships.csv:4: column 'end'" in line for line in lines)


def test_wrong_header_and_width_and_duplicate_key(data_copy, tmp_path, capsys):
    systems = data_copy / "systems.csv"
    text = systems.read_text(encoding="utf-8").splitlines()
    systems.write_text("\n".join(["key,nam,category,supplier,source,note", *text[1:]]) + "\n", encoding="utf-8")
    claims = data_copy / "claims.csv"
    claim_lines = claims.read_text(encoding="utf-8").count("\n")  # physical lines: a quoted cell may hold one
    with claims.open(encoding="utf-8", newline="") as f:
        first = list(csv.reader(f))[1]
    with claims.open("a", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerow(first)
    assess = data_copy / "assessments.csv"
    assess_lines = assess.read_text(encoding="utf-8").splitlines()
    assess.write_text("\n".join([*assess_lines, "RAL,emram"]) + "\n", encoding="utf-8")
    code, _, err = run(["build", "--data", str(data_copy), "--out", str(tmp_path / "out")], capsys)
    assert code == 2
    assert "systems.csv:1: header lacks the column(s) 'name'; has the unknown column(s) 'nam': systems.csv has" in err
    assert f"claims.csv:{claim_lines + 1}: duplicate key (key={first[0]!r}); first on line 2" in err, err
    assert f"assessments.csv:{len(assess_lines) + 1}: has 2 fields; the header has 7" in err


def test_a_header_a_column_short_names_the_register_and_the_column(data_copy, tmp_path, capsys):
    def without_note(rows: list[list[str]]) -> None:
        for row in rows:
            del row[-1]

    rewrite(data_copy / "partnerships.csv", without_note)
    code, _, err = run(["build", "--data", str(data_copy), "--out", str(tmp_path / "out")], capsys)
    assert code == 2
    assert "partnerships.csv:1: header lacks the column(s) 'note': partnerships.csv has the columns " in err, err
    assert len([line for line in err.splitlines() if ".csv:" in line]) == 1, err


def test_every_problem_of_a_row_and_of_every_register(data_copy, tmp_path, capsys):
    """An unknown code beside a misspelt status, and a reference problem in a register after a
    malformed one: each is said, in one run."""
    rewrite(data_copy / "organisations.csv", set_cell("organisations.csv", 2, "kind", "ccgx")[1])
    rewrite(data_copy / "partnerships.csv", set_cell("partnerships.csv", 2, "status", "confrmed")[1])
    rewrite(data_copy / "partnerships.csv", set_cell("partnerships.csv", 2, "follower", "ZZZ9")[1])
    rewrite(data_copy / "claims.csv", set_cell("claims.csv", 2, "source", "no-such-source")[1])
    code, _, err = run(["build", "--data", str(data_copy), "--out", str(tmp_path / "out")], capsys)
    assert code == 2
    lines = [line for line in err.splitlines() if ".csv:" in line]
    assert len(lines) == 4, err
    assert any("organisations.csv:2: column 'kind': 'ccgx' is not one of" in line for line in lines)
    assert any("partnerships.csv:2: column 'status': 'confrmed'" in line for line in lines)
    assert any(
        "partnerships.csv:2: column 'follower': 'ZZZ9' is not a known organisation code" in line for line in lines
    )
    assert any("claims.csv:2: column 'source': unknown source 'no-such-source'" in line for line in lines)


def test_a_refused_row_is_said_once_not_at_each_row_naming_it(data_copy, tmp_path, capsys):
    """00L's only organisations row is refused: the memberships naming 00L are not reported
    as naming an unknown code (nor is anything when a whole register cannot be read)."""
    orgs = data_copy / "organisations.csv"
    assert sum(line.startswith("00L,") for line in orgs.read_text(encoding="utf-8").splitlines()) == 1
    naming = [
        line
        for line in (data_copy / "memberships.csv").read_text(encoding="utf-8").splitlines()
        if line.startswith("00L,")
    ]
    assert naming
    rewrite(orgs, set_cell("organisations.csv", 2, "kind", "ccgx")[1])
    code, _, err = run(["build", "--data", str(data_copy), "--out", str(tmp_path / "out")], capsys)
    assert code == 2
    assert [line for line in err.splitlines() if ".csv:" in line] == [
        f"{_shown(orgs)}:2: column 'kind': 'ccgx' is not one of " + err.split("is not one of ", 1)[1].split("\n")[0]
    ], err
    orgs.write_text("code,name\n", encoding="utf-8")
    code, _, err = run(["build", "--data", str(data_copy), "--out", str(tmp_path / "out")], capsys)
    assert code == 2
    assert [line.split(": ", 1)[0] for line in err.splitlines() if ".csv:" in line] == [f"{_shown(orgs)}:1"], err


def _shown(path: Path) -> str:
    import os

    return os.path.relpath(path)


def test_failed_build_leaves_previous_build_untouched(data_copy, tmp_path, capsys):
    out = tmp_path / "out"
    code, _, _ = run(["build", "--data", str(data_copy), "--out", str(out)], capsys)
    assert code == 0
    before = snapshot(out)
    rewrite(data_copy / "partnerships.csv", set_cell("partnerships.csv", 2, "status", "x")[1])
    code, _, err = run(["build", "--data", str(data_copy), "--out", str(out)], capsys)
    assert code == 2 and "partnerships.csv:2" in err
    assert snapshot(out) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_refuses_to_replace_a_folder_that_is_not_a_build(data_copy, tmp_path, capsys):
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.txt").write_text("do not delete")
    code, _, err = run(["build", "--data", str(data_copy), "--out", str(precious)], capsys)
    assert code == 2
    assert "holds no previous build" in err
    assert (precious / "thesis.txt").read_text() == "do not delete"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"key,kind,title\rx\n", "sources.csv:1: has a carriage return that does not end a line"),
        (b"", "is empty"),
        (b"key,\xff\n", "not valid UTF-8"),
        (b"key\x00,kind\n", "NUL byte"),
    ],
)
def test_unreadable_register_files(content, message, data_copy, tmp_path, capsys):
    (data_copy / "sources.csv").write_bytes(content)
    code, _, err = run(["build", "--data", str(data_copy), "--out", str(tmp_path / "o")], capsys)
    assert code == 2
    assert message in err
    assert "sources.csv:" in err


def test_missing_register_and_missing_folder(data_copy, tmp_path, capsys):
    (data_copy / "claims.csv").unlink()
    code, _, err = run(["build", "--data", str(data_copy), "--out", str(tmp_path / "o")], capsys)
    assert code == 2 and "claims.csv: is missing" in err
    code, _, err = run(["build", "--data", str(tmp_path / "nope"), "--out", str(tmp_path / "o")], capsys)
    assert code == 2 and "not a folder of registers" in err


def test_the_closing_line_counts_in_english_and_says_nothing_was_written_only_for_writers(
    built, data_copy, tmp_path, capsys
):
    rewrite(data_copy / "partnerships.csv", set_cell("partnerships.csv", 2, "status", "x")[1])
    code, _, err = run(["build", "--data", str(data_copy), "--out", str(tmp_path / "o")], capsys)
    assert code == 2 and err.splitlines()[-1] == "nhskg: 1 problem; nothing was written", err
    broken = tmp_path / "broken.ttl"
    broken.write_text("this is not turtle", encoding="utf-8")
    code, _, err = run(["validate", str(broken), "--against", str(built.out_dir)], capsys)
    assert code == 2 and err.splitlines()[-1] == "nhskg: 1 problem", err  # validate writes nothing anyway
    code, _, err = run(["validate", str(broken), "--against", str(built.out_dir), "-o", str(tmp_path / "r")], capsys)
    assert code == 2 and err.splitlines()[-1] == "nhskg: 1 problem; nothing was written", err
    from graph_builder.cli.main import _writes

    assert _writes(["-q", "build"]) and _writes(["export", "-o", "x.graphml"]) and _writes(["docs", "-o", "site"])
    assert not _writes(["validate", "x.ttl"]) and _writes(["validate", "x.ttl", "--output=r.json"])
    assert not _writes(["query", "exemplars"]) and not _writes(["sparql", "ASK {}"])


@pytest.mark.parametrize(
    "args",
    [
        ["export", "--view", "followers", "-o"],
        ["validate", "data/partnerships.csv", "-o"],
        ["docs", "--output"],
        ["build", "-o"],
        ["build", "--out"],
    ],
)
def test_an_output_in_a_missing_folder_is_refused_not_created(args, tmp_path, capsys):
    target = tmp_path / "typo" / "dir" / "file"
    code, out, err = run([*args, str(target)], capsys)
    assert code == 2 and out == "" and len(err.splitlines()) == 1, err
    assert f"the folder {target.parent} does not exist; create it first or correct the path" in err
    assert not (tmp_path / "typo").exists()


def test_build_output_has_one_spelling_and_keeps_out(data_copy, tmp_path, capsys):
    for option in ("-o", "--output", "--out"):
        code, _, err = run(["-q", "build", "--data", str(data_copy), option, str(tmp_path / option)], capsys)
        assert code == 0 and (tmp_path / option / "manifest.json").is_file(), err
