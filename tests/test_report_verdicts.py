"""Every report format carries every result of a run, and its verdict agrees with the exit code.

A CI system that reads the report (text verdict line, JSON `conforms`/`failed`, Turtle
`sh:conforms`, JUnit failures) must reach the same verdict as one that reads the exit code,
on submissions with only register-level problems (rows the register's own checks reject),
only shape problems, both, none, and warnings only; with `--fail-on violation` and `warning`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import reportread
from clirun import run_cli as run
from rdflib import RDF, Graph, URIRef
from rdflib.namespace import SH

from graph_builder.validate import report as reporting

CASES = Path(__file__).parent / "validate_cases"
NDK = "https://w3id.org/nhs-dkg/def#"
PARTNERSHIPS = "follower,exemplar,programme,status,start,end,source,note\n"
GDE = "global-digital-exemplar,confirmed"
# One problem a row, so the counts hold however many problems of a row a register reports.
REJECTED = [
    "RAP,RAL,global-digital-exemplar,confirmd,,,dhn-nmuh;htn-nmuh,\n",  # misspelt status
    f"ZZ9,RQ6,{GDE},2017-09,,dhn-ff18;dhn-taunton,\n",  # unknown code
    f"RAE,RQ6,{GDE},2017-09,,nosuchsource,\n",  # unknown source
    f"REP,RQ6,{GDE},2017-13,,dhn-ff18;dhn-taunton,\n",  # bad date
]
SHAPE_VIOLATION = f"REP,RQ6,{GDE},2015-09,,dhn-ff18;dhn-taunton,\n"  # starts before its programme


def _write(folder: Path, rows: list[str]) -> Path:
    path = folder / "partnerships.csv"
    path.write_text(PARTNERSHIPS + "".join(rows), encoding="utf-8")
    return path


# case -> (the submission, its counts: violations, warnings)
SUBMISSIONS = {
    "register problems only": (lambda d: _write(d, REJECTED), (4, 0)),
    "shape problems only": (lambda d: CASES / "membership-kinds" / "invalid.csv", (2, 0)),
    "both": (lambda d: _write(d, [SHAPE_VIOLATION, REJECTED[0]]), (2, 0)),
    "none": (lambda d: CASES / "partnership-in-programme" / "valid.csv", (0, 0)),
    "warnings only": (lambda d: CASES / "partnership-follower" / "invalid.csv", (0, 1)),
}


def well_formed(out: str) -> None:
    """Every result of a Turtle report has the properties SHACL requires of it."""
    graph = Graph().parse(data=out, format="turtle")
    for result in graph.objects(None, SH.result):
        for prop in (SH.focusNode, SH.resultSeverity, SH.sourceConstraintComponent):
            assert len(list(graph.objects(result, prop))) == 1, (result, prop, out)
        assert isinstance(graph.value(result, SH.sourceConstraintComponent), URIRef)
        assert graph.value(result, SH.resultMessage) is not None


@pytest.mark.parametrize("fail_on", reporting.FAIL_ON)
@pytest.mark.parametrize("fmt", list(reporting.REPORT_FORMATS))
@pytest.mark.parametrize("case", list(SUBMISSIONS))
def test_verdict_of_every_format_agrees_with_the_exit_code(case, fmt, fail_on, tmp_path, capsys, built):
    make, (violations, warnings) = SUBMISSIONS[case]
    path = make(tmp_path)
    code, out, err = run(
        ["validate", str(path), "--against", str(built.out_dir), "--format", fmt, "--fail-on", fail_on], capsys
    )
    failed = violations > 0 or (fail_on == "warning" and warnings > 0)
    assert code == (1 if failed else 0), out + err
    verdict = reportread.passes(fmt, out)
    assert verdict is (code == 0), f"the {fmt} report says {'pass' if verdict else 'fail'}, exit {code}:\n{out}"
    assert reportread.results(fmt, out) == violations + warnings, out
    if fmt == "turtle":
        well_formed(out)


def test_register_problems_are_shacl_results_naming_file_and_row(tmp_path, capsys, built):
    """A rejected row is a sh:ValidationResult whose focus node is the row: its register and line."""
    path = _write(tmp_path, REJECTED)
    code, out, _ = run(["validate", str(path), "--against", str(built.out_dir), "--format", "turtle"], capsys)
    graph = Graph().parse(data=out, format="turtle")
    found = {}
    for result in graph.subjects(RDF.type, SH.ValidationResult):
        row = graph.value(result, SH.focusNode)
        line = graph.value(row, URIRef(NDK + "registerRow")).toPython()
        assert graph.value(row, URIRef(NDK + "inRegister")) == URIRef(
            "https://w3id.org/nhs-dkg/id/register/partnerships"
        )
        assert graph.value(result, SH.resultSeverity) == SH.Violation
        assert graph.value(result, SH.sourceConstraintComponent) == URIRef(NDK + "RegisterRowConstraintComponent")
        found[line] = str(graph.value(result, SH.resultMessage))
    assert code == 1 and sorted(found) == [2, 3, 4, 5]
    assert found[2].startswith(f"{path}:2: column 'status': 'confirmd'"), found
    assert all(message.startswith(f"{path}:{line}: column ") for line, message in found.items()), found
