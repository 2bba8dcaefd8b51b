"""The full build on the shipped registers: counts the sources give, history, determinism."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from graph_builder.build import run as building

ID = "https://w3id.org/nhs-dkg/id/"
DEF = "https://w3id.org/nhs-dkg/def#"


def select(store: ox.Store, query: str) -> list[tuple[str, ...]]:
    prefixes = (
        f"PREFIX ndk: <{DEF}> PREFIX org: <http://www.w3.org/ns/org#> "
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> PREFIX dcterms: <http://purl.org/dc/terms/> "
    )
    solutions = store.query(prefixes + query, use_default_graph_as_union=True)
    return [tuple(str(v.value) if v is not None else "" for v in row) for row in solutions]


def count(store: ox.Store, where: str) -> int:
    return int(select(store, f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}")[0][0])


def listed(store: ox.Store, source: str, kind: str) -> int:
    return count(
        store,
        f"""?r a ndk:OrganisationRecord ; dcterms:source <{ID}source/{source}> ;
        ndk:organisationType <https://w3id.org/nhs-dkg/def/organisation-type/{kind}> .""",
    )


def test_outputs_exist_and_parse(built):
    assert built.out_dir is not None
    names = sorted(p.name for p in built.out_dir.iterdir())
    assert names == ["graph.nq", "graph.trig", "keys", "manifest.json", "store"]
    s = ox.Store()
    s.load(path=str(built.out_dir / "graph.trig"), format=ox.RdfFormat.TRIG)
    assert len(s) == built.statements
    manifest = json.loads((built.out_dir / "manifest.json").read_text())
    assert {r["name"] for r in manifest["registers"]} >= {"organisations", "memberships", "successions"}


def test_counts_the_sources_give(store):
    assert listed(store, "hf-trust-stp-2018", "stp") == 44
    assert listed(store, "nhsx-ccg-stp-2022", "stp") == 42
    assert listed(store, "nhse-geomaps-2023", "icb") == 42
    assert listed(store, "nhsx-ccg-stp-2022", "ccg") == 106
    assert listed(store, "nhse-geomaps-2023", "region") == 7
    assert count(store, "?o a ndk:IntegratedCareBoard") == 42


def test_memberships_have_intervals(store):
    rows = select(
        store,
        f"""SELECT ?start ?end WHERE {{
        ?m org:member <{ID}org/RAL> ; org:organization <{ID}org/QMJ> ;
           org:memberDuring/<http://www.w3.org/2006/time#hasBeginning>/<http://www.w3.org/2006/time#inXSDDate> ?start ;
           org:memberDuring/<http://www.w3.org/2006/time#hasEnd>/<http://www.w3.org/2006/time#inXSDDate> ?end }}
        ORDER BY ?start""",
    )
    assert rows, "RAL is in North Central London (QMJ) in 2021/22 and 2023"
    assert all(start < end for start, end in rows)


@pytest.mark.parametrize("old", ["RLN", "RE9"])
def test_sunderland_and_south_tyneside_succeeded_by_r0b(store, old):
    rows = select(store, f"SELECT ?s WHERE {{ <{ID}org/{old}> ndk:succeededBy ?s }}")
    assert rows == [(f"{ID}org/R0B",)]
    rows = select(
        store,
        f"""SELECT ?date WHERE {{ ?e org:originalOrganization <{ID}org/{old}> ;
        org:resultingOrganization <{ID}org/R0B> ; ndk:eventDate ?date }}""",
    )
    assert rows == [("2019-04-01",)]


def test_disagreeing_dates_of_one_merger_are_both_kept(store):
    rows = select(
        store,
        f"""SELECT ?date WHERE {{ ?e org:originalOrganization <{ID}org/RR1> ;
        org:resultingOrganization <{ID}org/RRK> ; ndk:eventDate ?date }} ORDER BY ?date""",
    )
    assert [r[0] for r in rows] == ["2018-04-01", "2018-06"]


def test_every_row_level_node_cites_a_source(store):
    missing = select(
        store,
        """SELECT ?n WHERE { ?n ndk:registerRow ?r
        FILTER NOT EXISTS { ?n dcterms:source ?s } FILTER NOT EXISTS { ?n a ndk:Source } } LIMIT 5""",
    )
    assert missing == []


def test_same_registers_give_byte_identical_graph(built, shipped_data, tmp_path):
    again = building.build(shipped_data, tmp_path / "again")
    assert built.out_dir is not None and again.out_dir is not None
    for name in ("graph.trig", "graph.nq"):
        assert (built.out_dir / name).read_bytes() == (again.out_dir / name).read_bytes(), name


def test_registers_saved_by_excel_give_byte_identical_graph(built, shipped_data, tmp_path):
    """CRLF line ends (RFC 4180's, Excel's) and the BOM of Excel's "CSV UTF-8", in every
    register, a quoted cell holding a line break included: the same rows, the same bytes."""
    data = tmp_path / "excel"
    data.mkdir()
    for path in shipped_data.glob("*.csv"):
        (data / path.name).write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    assert any(b'"' in p.read_bytes() and b"\r\n" in p.read_bytes() for p in data.glob("*.csv"))
    again = building.build(data, tmp_path / "again")
    assert built.out_dir is not None and again.out_dir is not None
    for name in ("graph.trig", "graph.nq"):
        assert (built.out_dir / name).read_bytes() == (again.out_dir / name).read_bytes(), name


def test_the_build_reads_a_register_as_validate_does(data_copy, tmp_path):
    """One way to read a register: a file saved with two byte order marks keeps the second
    in its first column's name, for the build as for `read_registers` (validate's reading)."""
    from graph_builder.core.errors import InputError
    from graph_builder.registers.load import read_registers

    path = data_copy / "bodies.csv"
    path.write_bytes(b"\xef\xbb\xbf" * 2 + path.read_bytes())
    with pytest.raises(InputError) as read:
        read_registers(data_copy)
    with pytest.raises(InputError) as built:
        building.build(data_copy, tmp_path / "out")
    assert [str(p) for p in built.value.problems] == [str(p) for p in read.value.problems]
    assert "header lacks the column(s) 'key'" in str(built.value)


def test_the_summary_names_the_folder_of_registers_it_read(shipped_data, tmp_path, monkeypatch, capsys):
    """After `pip install .`, `nhskg build` in the repository reads the installed copy, not
    ./data: its first line says which folder it read, and how to build ./data instead."""
    from clirun import run_cli

    mine = tmp_path / "mine"
    shutil.copytree(shipped_data, mine, ignore=shutil.ignore_patterns("derive", "README.md"))
    code, out, _ = run_cli(["build", "--data", str(mine), "--out", str(tmp_path / "b1")], capsys)
    assert code == 0 and f" registers in {mine}/ into " in out.splitlines()[0], out
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").mkdir()
    code, out, _ = run_cli(["build", "--out", str(tmp_path / "b2")], capsys)
    first = out.splitlines()[0]
    assert code == 0 and f" registers in {shipped_data}/ (the copy installed with the package" in first, out
    assert "`--data data` builds yours" in first
    code, out, _ = run_cli(["build", "--data", "data", "--out", str(tmp_path / "b3")], capsys)
    assert code == 2  # the folder was read: its registers are missing


def test_cli_build_prints_what_was_built(shipped_data, tmp_path):
    out = tmp_path / "b"
    proc = subprocess.run(
        [sys.executable, "-m", "graph_builder", "build", "--data", str(shipped_data), "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    for label in (
        "triples per named graph",
        "NHS trusts",
        "STPs / ICSs",
        "ICBs",
        "CCGs",
        "regions",
        "national bodies",
        "IT suppliers",
        "memberships",
        "change events",
        "sources",
        "trusts by kind",
        "partnerships by status",
        "participations by role / cohort",
    ):
        assert label in proc.stdout, label
    assert (out / "graph.trig").is_file()


# --- against the raw material in ../shared (CI has it) -------------------------------------


def _etr_codes(path: Path) -> dict[str, tuple[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return {r[0]: (r[10], r[11]) for r in csv.reader(f) if r[10]}


def _iso(ods: str) -> str:
    return f"{ods[:4]}-{ods[4:6]}-{ods[6:]}" if ods else ""


@pytest.mark.shared
@pytest.mark.parametrize(
    ("source", "file"),
    [
        ("ods-etr-2016", "ods-etr-2016/etr_fy2016-17.csv"),
        ("nhsx-etr-2022", "nhsx-system-hierarchies-2022/etr_2022-03.csv"),
    ],
)
def test_every_trust_of_each_ods_list_is_present_with_its_dates(store, shared, source, file):
    expected = _etr_codes(shared / "sources" / file)
    rows = select(
        store,
        f"""SELECT ?code ?open ?close WHERE {{ ?r a ndk:OrganisationRecord ;
        dcterms:source <{ID}source/{source}> ; ndk:recordOf/ndk:odsCode ?code .
        OPTIONAL {{ ?r ndk:openDate ?open }} OPTIONAL {{ ?r ndk:closeDate ?close }} }}""",
    )
    got = {code: (opened, closed) for code, opened, closed in rows}
    assert got == {c: (_iso(o), _iso(x)) for c, (o, x) in expected.items()}


@pytest.mark.shared
def test_every_trust_of_the_2023_and_2024_lists_is_present(store, shared):
    base = shared / "sources"
    for source, path, column in (
        ("nhse-geomaps-2023", base / "nhse-leaflet-geomaps-2023/trusts_master.csv", "Provider Code"),
        ("nhse-epr-foi-2024", base / "nhse-epr-suppliers-foi-2024/trust_primary_epr_supplier.csv", "Organisation Code"),
    ):
        with path.open(encoding="utf-8", newline="") as f:
            expected = {r[column] for r in csv.DictReader(f)}
        rows = select(
            store,
            f"""SELECT ?code WHERE {{ ?r a ndk:OrganisationRecord ;
            dcterms:source <{ID}source/{source}> ; ndk:recordOf/ndk:odsCode ?code ;
            ndk:organisationType/skos:broader <https://w3id.org/nhs-dkg/def/organisation-type/nhs-trust> }}""",
        )
        assert {r[0] for r in rows} == expected, source


# --- the programme registers (issue 3): the counts the sources give ------------------------


def test_exemplars_16_acute_7_mental_health_3_ambulance(store):
    rows = select(
        store,
        """SELECT ?cohort (COUNT(DISTINCT ?org) AS ?n) WHERE {
        ?p a ndk:Participation ; ndk:role <https://w3id.org/nhs-dkg/def/participation-role/exemplar> ;
           ndk:participant ?org ; ndk:cohort ?c .
        BIND(STRAFTER(STR(?c), "/cohort/") AS ?cohort) } GROUP BY ?cohort ORDER BY ?cohort""",
    )
    got = dict(rows)
    assert int(got["acute-wave-1"]) + int(got["acute-wave-2"]) == 16
    assert int(got["acute-wave-1"]) == 12
    assert int(got["mental-health"]) == 7
    assert int(got["ambulance"]) == 3
    joint = select(
        store,
        """SELECT ?code WHERE { ?p ndk:role <https://w3id.org/nhs-dkg/def/participation-role/joint-exemplar> ;
        ndk:participant/ndk:odsCode ?code }""",
    )
    assert joint == [("RQM",)]


def test_partnerships_with_their_statuses(store):
    rows = select(
        store,
        """SELECT ?f ?e ?status WHERE { ?p a ndk:Partnership ;
        ndk:follower/ndk:odsCode ?f ; ndk:exemplar/ndk:odsCode ?e ; ndk:status ?s .
        BIND(STRAFTER(STR(?s), "/status/") AS ?status) }""",
    )
    by_pair = {(f, e): s for f, e, s in rows}
    assert by_pair[("RVW", "RQ6")] == by_pair[("REP", "RQ6")] == "confirmed"
    assert by_pair[("RXL", "RBA")] == "dropped"
    assert by_pair[("RW6", "RM3")] == "confirmed"
    statuses = [s for s in by_pair.values()]
    assert (statuses.count("confirmed"), statuses.count("proposed"), statuses.count("dropped")) == (7, 6, 1)
    follows = select(store, "SELECT ?f WHERE { ?f ndk:follows <https://w3id.org/nhs-dkg/id/org/RBA> }")
    assert follows == [(f"{ID}org/RLQ",)], "a dropped pairing has no direct follows edge"


def test_209_trusts_with_a_primary_epr_record_as_at_the_foi_date(store):
    n = count(
        store,
        f"""SELECT DISTINCT ?org WHERE {{ ?d a ndk:Deployment ; ndk:deployedAt ?org ;
        dcterms:source <{ID}source/nhse-epr-foi-2024> ;
        ndk:asOf "2024-10-01"^^<http://www.w3.org/2001/XMLSchema#date> }}""",
    )
    assert n == 209
    values = select(
        store,
        f"""SELECT ?prov (COUNT(*) AS ?n) WHERE {{ ?d a ndk:Deployment ;
        dcterms:source <{ID}source/nhse-epr-foi-2024> ; ndk:provision ?p .
        BIND(STRAFTER(STR(?p), "/epr-provision/") AS ?prov) }} GROUP BY ?prov""",
    )
    assert dict(values) == {"supplier": "173", "in-house": "16", "none": "20"}


def test_the_store_is_compacted_once_loaded(tmp_path, shipped_data, monkeypatch):
    """Loaded in slices, the store holds many overlapping RocksDB files that the read-only
    handles answering questions never compact (2-4x slower at 100,000 organisations;
    benchmarks/README.md): the build compacts it, and an incremental build its patched copy.
    (The file count after compaction varies with the loader threads' timing, so the test
    checks that the build asks for it; the benchmarks measure what it gives.)"""
    calls: list[str] = []
    real = ox.Store.optimize
    monkeypatch.setattr(ox.Store, "optimize", lambda store: calls.append("optimize") or real(store))
    building.build(shipped_data, tmp_path / "out")
    assert calls == ["optimize"]
    data = tmp_path / "data"
    shutil.copytree(shipped_data, data)
    header, *rows = (data / "people.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (data / "people.csv").write_text(header + "".join(reversed(rows)), encoding="utf-8")  # rebuilt, patched
    building.build(data, tmp_path / "out")
    assert calls == ["optimize", "optimize"]
