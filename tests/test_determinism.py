"""The same registers give byte-identical files, whatever the process: two builds in different
working folders, with different PYTHONHASHSEED, time zones and locales, give the same
graph.trig and graph.nq, the same exports in every deterministic format, and the same
validation reports (text and JUnit but for the time they took)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
SUBMITTED = {  # what each process validates: register rows and RDF, with faults and blank nodes
    "partnerships.csv": "follower,exemplar,programme,status,start,end,source,note\n"
    "RAE,RQ6,global-digital-exemplar,confirmed,2017-09,,dhn-ff18;dhn-taunton,\n"
    "RAP,RAL,global-digital-exemplar,confrmed,2017-09,,dhn-nmuh,\n",
    "organisations.csv": "code,name,kind,ons_code,open_date,close_date,latitude,longitude,country,source,note\n"
    "RAL,ROYAL FREE LONDON NHS FOUNDATION TRUST,acute-trust,,,,-0.165324,51.553224,,"
    "nhse-geomaps-2023,\n",
    "submitted.ttl": """@prefix ndk: <https://w3id.org/nhs-dkg/def#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix time: <http://www.w3.org/2006/time#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<https://w3id.org/nhs-dkg/id/org/RAL> ndk:odsCode "RAX" .
<https://w3id.org/nhs-dkg/id/membership/RAL/QMJ/submitted> a org:Membership ;
    org:member <https://w3id.org/nhs-dkg/id/org/RAL> ; org:organization <https://w3id.org/nhs-dkg/id/org/QMJ> ;
    org:memberDuring [ a time:Interval ; time:hasBeginning [ a time:Instant ; time:inXSDDate "2021"^^xsd:gYear ] ] .
""",
}
ENVIRONMENTS = [
    {"PYTHONHASHSEED": "1", "TZ": "UTC", "LC_ALL": "C.UTF-8"},
    {"PYTHONHASHSEED": "4242", "TZ": "Pacific/Auckland", "LC_ALL": "C"},
]
SCRIPT = """
import sys
from pathlib import Path
from graph_builder.validate import report
from graph_builder.validate import run as validating
from graph_builder.cli.main import main
from graph_builder.export.model import EXPORT_FORMATS, property_graph
from graph_builder.store.embedded import open_store

try:
    main(["--quiet", "build", "--out", "build"])
except SystemExit as exc:
    if exc.code:
        raise
out = Path("outputs")
out.mkdir()
store = open_store(Path("build"))
everything = property_graph(store, "all")
for name, spec in EXPORT_FORMATS.items():
    if name not in ("png", "svg"):  # png is not deterministic; svg is slow at this size: below
        (out / f"all.{name}").write_bytes(spec.writer()(everything))
(out / "followers.svg").write_bytes(EXPORT_FORMATS["svg"].writer()(property_graph(store, "followers")))
found = validating.validate([Path(p) for p in sys.argv[1:]], validating.load_reference(Path("build")),
                            validating.load_shapes())
for fmt in report.REPORT_FORMATS:
    (out / f"report.{fmt}").write_text(report.render_report(found, fmt), encoding="utf-8")
"""
_SECONDS = re.compile(rb"\d+\.\d+ s\)|time=\"[0-9.]+\"")


def produce(folder: Path, environment: dict[str, str]) -> dict[str, bytes]:
    folder.mkdir()
    for name, content in SUBMITTED.items():
        (folder / name).write_text(content, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, *SUBMITTED],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **environment},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    files = {f"build/{n}": (folder / "build" / n).read_bytes() for n in ("graph.trig", "graph.nq")}
    files.update({f"outputs/{p.name}": p.read_bytes() for p in sorted((folder / "outputs").iterdir())})
    return files


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> list[dict[str, bytes]]:
    root = tmp_path_factory.mktemp("determinism")
    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = [pool.submit(produce, root / f"run-{i}", env) for i, env in enumerate(ENVIRONMENTS)]
        return [run.result() for run in runs]


def names() -> list[str | object]:
    from graph_builder.export.model import EXPORT_FORMATS
    from graph_builder.validate.report import REPORT_FORMATS

    return (
        ["build/graph.trig", "build/graph.nq", "outputs/followers.svg"]
        + [f"outputs/all.{f}" for f in EXPORT_FORMATS if f not in ("png", "svg")]
        + [f"outputs/report.{f}" for f in REPORT_FORMATS]
    )


@pytest.mark.parametrize("name", names())
def test_byte_identical(name, outputs):
    first, second = (run[name] for run in outputs)
    if name in ("outputs/report.text", "outputs/report.junit"):  # they say how long the run took
        first, second = _SECONDS.sub(b"<time>", first), _SECONDS.sub(b"<time>", second)
    assert len(first) > 100
    assert first == second, f"{name} differs between the two processes"


def test_the_reports_found_something(outputs):
    """The submission has faults, so the reports compared above are not empty ones."""
    text = outputs[0]["outputs/report.text"].decode()
    assert "FAIL: " in text and "in 3 files" in text and "partnerships.csv:3" in text and "QMJ/submitted" in text
