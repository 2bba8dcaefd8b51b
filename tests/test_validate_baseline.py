"""A baseline of accepted findings (`--baseline`, `--write-baseline`) and JSON Lines reports.

A register owner's legacy register carries known problems: the baseline records them, so
validation fails only on new ones, shrinks as they are fixed, and does not care about the
order of the rows. `--format jsonl` writes one result a line and a summary line last.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import reportread
from clirun import run_cli as run

from graph_builder.validate import report as reporting

DATA = Path(__file__).resolve().parent.parent / "data"
CASES = Path(__file__).parent / "validate_cases"


def _faulty(folder: Path, fixed: bool = False, new: bool = False, reverse: bool = False) -> Path:
    """The shipped partnerships with known problems: RAP's status misspelt (a row the register
    refuses) and REP's pairing starting before its programme (a shape violation)."""
    header, *rows = (DATA / "partnerships.csv").read_text(encoding="utf-8").splitlines()
    changed = []
    for row in rows:
        if row.startswith("RAP,RAL,") or (new and row.startswith("RE9,RLN,")):
            row = row.replace(",confirmed,", ",confirmd,")
        if row.startswith("REP,RQ6,") and not fixed:
            row = row.replace(",2017-09,", ",2015-09,")
        changed.append(row)
    path = folder / "partnerships.csv"
    path.write_text("\n".join([header, *(changed[::-1] if reverse else changed)]) + "\n", encoding="utf-8")
    return path


def _validate(path: Path, built, capsys, *args: str) -> tuple[int, dict, str]:
    code, out, err = run(["validate", str(path), "--against", str(built.out_dir), "--format", "json", *args], capsys)
    return code, (json.loads(out) if out else {}), err


def test_a_baseline_hides_known_findings_shrinks_and_ignores_row_order(tmp_path, capsys, built):
    path, baseline = _faulty(tmp_path), tmp_path / "accepted.jsonl"
    code, document, _ = _validate(path, built, capsys)
    assert code == 1 and document["counts"]["Violation"] == 2, document

    code, document, err = _validate(path, built, capsys, "--write-baseline", str(baseline))
    assert code == 0 and document["results"] == [] and document["baseline"]["hidden"] == 2, err
    header, *entries = baseline.read_text(encoding="utf-8").splitlines()
    assert json.loads(header)["nhskg"] == "validate baseline" and entries == sorted(entries) and len(entries) == 2
    text = "\n".join(entries)
    assert ":2" not in text and "line" not in text and "partnerships.csv" not in text, text  # no line numbers
    assert {json.loads(e)["shape"].rpartition("#")[2] for e in entries} == {
        "register:partnerships",
        "PartnershipWithinProgramme-start",
    }

    code, out, _ = run(["validate", str(path), "--against", str(built.out_dir), "--baseline", str(baseline)], capsys)
    assert code == 0 and "2 findings hidden by the baseline" in out, out

    reordered = _faulty(tmp_path, reverse=True)
    code, document, _ = _validate(reordered, built, capsys, "--baseline", str(baseline))
    assert code == 0 and document["baseline"] == {"file": str(baseline), "hidden": 2, "no_longer_occur": []}

    fixed = _faulty(tmp_path, fixed=True)
    code, document, _ = _validate(fixed, built, capsys, "--baseline", str(baseline))
    [gone] = document["baseline"]["no_longer_occur"]
    assert code == 0 and document["baseline"]["hidden"] == 1
    assert gone["shape"].endswith("#PartnershipWithinProgramme-start") and gone["focus"].endswith(
        "/dhn-ff18+dhn-taunton"
    )
    code, out, _ = run(["validate", str(fixed), "--against", str(built.out_dir), "--baseline", str(baseline)], capsys)
    assert "1 baseline entry no longer occurs" in out and "PartnershipWithinProgramme-start" in out, out

    worse = _faulty(tmp_path, fixed=True, new=True)
    code, document, err = _validate(worse, built, capsys, "--baseline", str(baseline))
    [result] = document["results"]
    assert code == 1 and document["conforms"] is False and "not in the baseline" in err
    assert result["shape"] == "register:partnerships" and result["source"] == f"{worse}:3", result


@pytest.mark.parametrize("fmt", list(reporting.REPORT_FORMATS))
def test_every_format_says_what_the_baseline_hid_and_its_verdict_follows(fmt, tmp_path, capsys, built):
    baseline = tmp_path / "accepted.jsonl"
    accepted = _faulty(tmp_path)
    run(["validate", str(accepted), "--against", str(built.out_dir), "--write-baseline", str(baseline)], capsys)
    path = _faulty(tmp_path, fixed=True, new=True)
    code, out, _ = run(
        ["validate", str(path), "--against", str(built.out_dir), "--baseline", str(baseline), "--format", fmt], capsys
    )
    assert code == 1 and reportread.passes(fmt, out) is False
    assert reportread.results(fmt, out) == 1, out
    assert reportread.hidden(fmt, out) == (1, 1), out  # hidden, entries that no longer occur


def test_the_whole_graph_with_a_baseline(tmp_path, capsys, built):
    baseline = tmp_path / "whole.jsonl"
    args = ["validate", "--whole", "--against", str(built.out_dir), "--format", "json", "--fail-on", "warning"]
    code, out, _ = run(args, capsys)
    found = len(json.loads(out)["results"])
    assert code == 1 and found > 0
    code, out, _ = run([*args, "--write-baseline", str(baseline)], capsys)
    assert code == 0 and len(baseline.read_text(encoding="utf-8").splitlines()) == found + 1
    code, out, _ = run([*args, "--baseline", str(baseline)], capsys)
    assert code == 0 and json.loads(out)["baseline"]["hidden"] == found


BROKEN = {
    "not-json": ('{"nhskg": "validate baseline", "version": 1}\n{"shape": "x"\n', ":2: "),
    "no-header": ('{"shape": "x", "severity": "Violation"}\n', ":1: "),
    "unknown-field": ('{"nhskg": "validate baseline", "version": 1}\n{"shape": "x", "line": 3}\n', ":2: "),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_a_baseline_that_cannot_be_read_is_one_located_line(name, tmp_path, capsys, built):
    content, where = BROKEN[name]
    baseline = tmp_path / "broken.jsonl"
    baseline.write_text(content, encoding="utf-8")
    valid = CASES / "partnership-exemplar" / "valid.csv"
    code, out, err = run(["validate", str(valid), "--against", str(built.out_dir), "--baseline", str(baseline)], capsys)
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1, err
    assert err.startswith(f"nhskg: {baseline}{where}") or err.startswith(f"{baseline}{where}"), err
    code, _, err = run(
        ["validate", str(valid), "--against", str(built.out_dir), "--baseline", str(tmp_path / "nope")], capsys
    )
    assert code == 2 and "nope" in err and len(err.strip().splitlines()) == 1, err


# ---------------------------------------------------------------------------------------
#  JSON Lines
# ---------------------------------------------------------------------------------------


def test_jsonl_has_the_json_results_one_a_line_and_a_summary(tmp_path, capsys, built):
    path = _faulty(tmp_path, new=True)
    args = ["validate", str(path), "--against", str(built.out_dir), "--format"]
    _, whole, _ = run([*args, "json"], capsys)
    code, out, _ = run([*args, "jsonl"], capsys)
    document, lines = json.loads(whole), [json.loads(line) for line in out.splitlines()]
    *results, summary = lines
    assert code == 1 and results == document["results"] and len(results) == 3
    assert summary == {k: v for k, v in document.items() if k != "results"}, summary


def test_jsonl_to_a_file_is_complete_or_absent(tmp_path, capsys, built, monkeypatch):
    path, report = _faulty(tmp_path, new=True), tmp_path / "report.jsonl"
    args = ["validate", str(path), "--against", str(built.out_dir), "--format", "jsonl", "-o", str(report)]
    assert run(args, capsys)[0] == 1 and len(report.read_text(encoding="utf-8").splitlines()) == 4
    report.unlink()
    written = []

    def interrupted(result: dict) -> str:
        if written:
            raise KeyboardInterrupt
        written.append(result)
        return json.dumps(result) + "\n"

    monkeypatch.setattr(reporting, "_jsonl_line", interrupted)
    code, _, _ = run(args, capsys)
    assert code != 0 and written and not report.exists() and list(tmp_path.glob(".report.jsonl*")) == []
