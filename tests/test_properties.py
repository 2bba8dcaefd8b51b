"""Property-based tests (hypothesis) of the register readers and the submission validator.

- any bytes as a register file are built or refused (exit 2), never a crash, and what is
  built is valid RDF, as the build writes it: N-Quads and TriG (build/parts.py);
- any bytes as a submission give exit 0, 1 or 2, never a traceback, and every report's
  verdict is the exit code's;
- any valid organisations.csv row comes back unchanged from the `organisation` question,
  through the builder and the build's writer.

Example counts are modest (the suite runs on two cores); set HYPOTHESIS_PROFILE=thorough
for a longer search. No example database is written into the repository.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import reportread
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from graph_builder.build import ontology, parts
from graph_builder.cli.main import main
from graph_builder.core import iri as mint
from graph_builder.core import terms as t
from graph_builder.core.errors import InputError, NhskgError
from graph_builder.core.files import write_atomic
from graph_builder.questions.catalogue import run
from graph_builder.registers import BUILDERS, Builder, Context
from graph_builder.registers.base import Triple
from graph_builder.registers.columns import Column, check_value
from graph_builder.registers.load import build_register, register_statements
from graph_builder.registers.organisations import KINDS, OrganisationsBuilder
from graph_builder.validate import report
from graph_builder.validate import run as validating

# hypothesis reads every loaded module's attributes to report a failing example; with warnings as
# errors, mypy_extensions' deprecated TypedDict would turn the report into an INTERNALERROR
pytestmark = pytest.mark.filterwarnings("ignore:mypy_extensions.TypedDict is deprecated:DeprecationWarning")
settings.register_profile(
    "default",
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "thorough",
    max_examples=1000,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
SCALE = 1 if os.environ.get("HYPOTHESIS_PROFILE", "default") == "default" else 25  # for the tests' own counts

ORGANISATIONS = next(b for b in BUILDERS if isinstance(b, OrganisationsBuilder))
SOURCES = ("ods-etr-2016", "nhsx-etr-2022", "hf-trust-stp-2018", "nhse-geomaps-2023", "article-001")
CELLS = st.sampled_from(
    [
        "",
        "RAL",
        "RQ6",
        "R0B",
        "QMJ",
        "E54000028",
        "Y56",
        "00L",
        "hsj-12",
        "ods-etr-2016",
        "global-digital-exemplar",
        "exemplar",
        "fast-follower",
        "confirmed",
        "proposed",
        "dropped",
        "acute-trust",
        "icb",
        "2016",
        "2016-09",
        "2016-09-01",
        "2019-02-30",
        "5000000",
        "-5",
        "7.5",
        "51.5",
        "nan",
        "1e3",
        "NULL",
        "NA",
        "-",
        "epic",
        "tpp",
        "oracle-cerner-corporation",
        "supplier",
        "live",
        "nhs-england",
        "nhs-app-pilot",
        "x;y",
        "a,b",
        'q"uote',
        "line\nbreak",
        "\u0662\u0660\u0661\u0666",
        "\u0663",
        "1_0",
        "inf",
        "+5",
        ".5",
        "5.",
    ]
)  # odd numbers
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("properties")


class Quiet:
    """A fixture's value with a short repr: hypothesis prints the arguments of a failing example."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def __repr__(self) -> str:
        return f"<{type(self.value).__name__}>"


@pytest.fixture(scope="module")
def ctx(reference_ctx) -> Quiet:
    return Quiet(reference_ctx)


def csv_text(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


@st.composite
def register_files(draw: st.DrawFn) -> tuple[int, bytes]:
    """A register (its index in BUILDERS) and bytes for its file: anything, its header and
    anything, or its header and rows of plausible and odd cells."""
    index = draw(st.integers(0, len(BUILDERS) - 1))
    header = [c.name for c in BUILDERS[index].columns]
    shape = draw(st.sampled_from(["bytes", "header and bytes", "rows"]))
    if shape == "bytes":
        return index, draw(st.binary(max_size=400))
    if shape == "header and bytes":
        return index, csv_text([header]).encode() + draw(st.binary(max_size=400))
    width = st.integers(len(header) - 1, len(header) + 1)
    rows = draw(st.lists(width.flatmap(lambda n: st.lists(CELLS | TEXT, min_size=n, max_size=n)), max_size=4))
    return index, csv_text([header, *rows]).encode("utf-8", "surrogatepass")


@given(case=register_files())
@example(
    case=(
        BUILDERS.index(next(b for b in BUILDERS if b.name == "successions")),  # found by a search:
        b'event,kind,date,predecessor,successor,source,note\n,,,,"\n",,\n,,,,"\n",,\n',
    )
)  # a key with a break
def test_any_bytes_as_a_register_are_built_or_refused(case, scratch, ctx):
    index, content = case
    builder = BUILDERS[index]
    path = scratch / builder.filename
    path.write_bytes(content)
    try:  # the rows with a problem are refused, the others built (as the build and submissions do)
        built = build_register(builder, path, builder.filename, ctx.value)
    except InputError as exc:  # no row could be read
        assert exc.exit_code == 2 and exc.problems
        assert all(str(p).startswith(builder.filename) and "\n" not in p.message for p in exc.problems)
        return
    assert all(str(p).startswith(builder.filename) and "\n" not in p.message for p in built.checked.problems)
    written = write(builder, built.statements, scratch)
    parsed = set(ox.parse(written.nquads.read_bytes(), format=ox.RdfFormat.N_QUADS))  # strict: every term is valid
    for q in parsed:
        assert well_typed(q.object), f"{q.object} is not a valid literal of its datatype"
    trig = parts.TRIG_PREFIXES.encode() + written.trig.read_bytes()
    assert set(ox.parse(trig, format=ox.RdfFormat.TRIG)) == parsed


def write(builder: Builder, statements: list[Triple], folder: Path) -> parts.Written:
    """A register's statements written as the build writes them: its part's N-Quads and TriG."""
    return parts.write_part(builder.graph, (f"{s} {p} {o}" for s, p, o in statements), folder, builder.name)


_XSD = "http://www.w3.org/2001/XMLSchema#"
_LEXICAL = {  # the lexical forms of XSD 1.1 for the datatypes the builders write (ASCII digits only)
    "integer": re.compile(r"[+-]?[0-9]+"),
    "decimal": re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)"),
    "date": re.compile(r"-?[0-9]{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"),
    "gYearMonth": re.compile(r"-?[0-9]{4,}-(0[1-9]|1[0-2])"),
    "gYear": re.compile(r"-?[0-9]{4,}"),
    "anyURI": re.compile(r"[^\s]*"),
}


def well_typed(term: object) -> bool:
    """Whether a literal's text is a valid lexical form of its XSD datatype (others: True)."""
    if not isinstance(term, ox.Literal) or not term.datatype.value.startswith(_XSD):
        return True
    pattern = _LEXICAL.get(term.datatype.value.removeprefix(_XSD))
    if pattern is None:
        return term.datatype.value.removeprefix(_XSD) in ("string", "boolean")
    if not pattern.fullmatch(term.value):
        return False
    if term.datatype.value == _XSD + "date":
        try:
            date.fromisoformat(term.value)
        except ValueError:
            return False
    return True


LITERALS = {  # how the builders write a cell of each typed kind (registers/*.py)
    "date": t.date_lit,
    "day": t.date_lit,
    "int": lambda v: t.lit(v, "integer"),
    "money": t.decimal_lit,
    "decimal": t.decimal_lit,
    "float": t.decimal_lit,
}
NUMBERISH = st.text(alphabet=st.sampled_from("0123456789-+._eE naif\u0660\u0662\u0663\u06f1\u0967\uff11"), max_size=12)


@settings(max_examples=300 * SCALE)
@given(
    kind=st.sampled_from(sorted(LITERALS)),
    value=NUMBERISH
    | st.sampled_from(
        [
            "nan",
            "NaN",
            "inf",
            "-0",
            "1_0",
            "+5",
            ".5",
            "5.",
            "1e3",
            "\u0662\u0660\u0661\u0666",
            "\u0662\u0660\u0661\u0666-\u0660\u0661-\u0660\u0661",
            "2016-02-30",
            "0000",
            "\u0663.\u0665",
        ]
    ),
)
def test_a_typed_value_the_reader_accepts_is_a_valid_literal(kind, value):
    """Whatever a register cell of a typed column holds, if the reader accepts it, the builder
    writes a literal of valid lexical form (ASCII digits, a real date, no NaN)."""
    if not value or check_value(Column("x", kind), value) is not None:
        return
    written = LITERALS[kind](value)
    term = next(iter(ox.parse(f"<urn:s> <urn:p> {written} .".encode(), format=ox.RdfFormat.N_TRIPLES))).object
    assert well_typed(term), f"{kind} cell {value!r} accepted and written as {written}"


@pytest.fixture(scope="module")
def data_dir(scratch, shipped_data) -> Path:
    target = scratch / "data"
    shutil.copytree(shipped_data, target, ignore=shutil.ignore_patterns("derive", "README.md"))
    return target


@settings(max_examples=8 * SCALE)
@given(case=register_files())
def test_any_bytes_as_a_register_exit_0_or_2_from_the_cli(case, data_dir, scratch):
    index, content = case
    path = data_dir / BUILDERS[index].filename
    shipped = path.read_bytes()
    path.write_bytes(content)
    out, err = io.StringIO(), io.StringIO()
    try:
        code = _main(["build", "--data", str(data_dir), "--out", str(scratch / "out")], out, err)
    finally:
        path.write_bytes(shipped)
    assert code in (0, 2), err.getvalue()
    assert "Traceback" not in err.getvalue() and "internal error" not in err.getvalue()


def _main(args: list[str], out: io.StringIO, err: io.StringIO) -> int:
    from contextlib import redirect_stderr, redirect_stdout

    with redirect_stdout(out), redirect_stderr(err):
        try:
            main(args)
        except SystemExit as exc:
            return int(exc.code or 0)
    return 0


# --- submissions -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def reference(built) -> Quiet:
    found = validating.load_reference(built.out_dir)
    found.context()
    return Quiet(found)


@pytest.fixture(scope="module")
def shapes() -> Quiet:
    return Quiet(validating.load_shapes())


TOKENS = st.sampled_from(
    [
        "<https://w3id.org/nhs-dkg/id/org/RAL>",
        "<urn:a>",
        "_:b",
        "a",
        "<urn:p>",
        '"x"',
        "1",
        '"2016"^^<http://www.w3.org/2001/XMLSchema#date>',
        ".",
        ";",
        ",",
        "[",
        "]",
        "(",
        ")",
        "{",
        "}",
        "@prefix ndk: <https://w3id.org/nhs-dkg/def#> .",
        "ndk:Organisation",
        "ndk:odsCode",
        '"RAX"',
        "<https://w3id.org/nhs-dkg/graph/x>",
        "\n",
    ]
)


SHIPPED = Path(__file__).resolve().parent.parent / "data"
SUBJECTS = st.sampled_from(
    [
        "<https://w3id.org/nhs-dkg/id/org/RAL>",
        "<https://w3id.org/nhs-dkg/id/org/RQ6>",
        "<https://w3id.org/nhs-dkg/id/partnership/x>",
        "_:b0",
        "_:b1",
    ]
)
PREDICATES = st.sampled_from(
    [
        f"<https://w3id.org/nhs-dkg/def#{p}>"
        for p in ("odsCode", "follower", "exemplar", "status", "startDate", "participant", "registerRow")
    ]
    + ["<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>", "<http://www.w3.org/2004/02/skos/core#prefLabel>"]
)
OBJECTS = (
    SUBJECTS
    | st.sampled_from(
        [
            "<https://w3id.org/nhs-dkg/def#Partnership>",
            "<https://w3id.org/nhs-dkg/def#NHSTrust>",
            "<https://w3id.org/nhs-dkg/def/status/confirmed>",
        ]
    )
    | (CELLS | TEXT).map(t.lit)
)


@st.composite
def submissions(draw: st.DrawFn) -> tuple[str, bytes]:
    """A file name and bytes: anything, tokens of Turtle, a register file, shipped register
    rows with one cell changed, or statements about the graph's own nodes."""
    suffix = draw(st.sampled_from([".csv", ".ttl", ".nt", ".nq", ".trig", ".jsonld", ".json", ".rdf", ".txt", ""]))
    shape = draw(st.sampled_from(["bytes", "tokens", "register", "edited rows", "statements"]))
    if shape == "bytes":
        content = draw(st.binary(max_size=300))
    elif shape == "tokens":
        content = " ".join(draw(st.lists(TOKENS, max_size=30))).encode()
    elif shape == "register":
        _, content = draw(register_files())
    elif shape == "edited rows":
        builder = draw(st.sampled_from(BUILDERS))
        header, *rows = csv.reader(io.StringIO((SHIPPED / builder.filename).read_text(encoding="utf-8")))
        chosen = [list(r) for r in draw(st.lists(st.sampled_from(rows), min_size=1, max_size=3))]
        row = draw(st.sampled_from(chosen))
        row[draw(st.integers(0, len(row) - 1))] = draw(CELLS | TEXT)
        content, suffix = csv_text([header, *chosen]).encode("utf-8", "surrogatepass"), ".csv"
    else:
        triples = draw(st.lists(st.tuples(SUBJECTS, PREDICATES, OBJECTS), min_size=1, max_size=6))
        content, suffix = (
            "".join(f"{s} {p} {o} .\n" for s, p, o in triples).encode(),
            draw(st.sampled_from([".ttl", ".nt"])),
        )
    return f"submission{suffix}", content


@settings(max_examples=40 * SCALE)
@given(case=submissions())
@example(
    case=(
        "found.ttl",
        b"<https://w3id.org/nhs-dkg/id/org/RAL> <https://w3id.org/nhs-dkg/def#registerRow> "
        b"<https://w3id.org/nhs-dkg/id/org/RAL> .\n",
    )
)  # found by a search: a row that is no number
@example(
    case=("submission.ttl", b'<https://w3id.org/nhs-dkg/id/org/RAL> <https://w3id.org/nhs-dkg/def#odsCode> "\x1f" .\n')
)  # found by CI: a control character in a value made the JUnit report invalid XML
def test_any_bytes_as_a_submission_exit_0_1_or_2(case, scratch, reference, shapes):
    name, content = case
    path = scratch / name
    path.write_bytes(content)
    try:
        found = validating.validate([path], reference.value, shapes.value)
    except NhskgError as exc:
        assert exc.exit_code == 2, exc
        assert "\n" not in str(exc) or isinstance(exc, InputError)
        event("refused (exit 2)")
        return
    event("validated (exit 1)" if found.failed("violation") else "validated (exit 0)")
    for fail_on in report.FAIL_ON:  # what a program reading each report concludes is what the exit code says
        for fmt in report.REPORT_FORMATS:
            rendered = report.render_report(found, fmt, fail_on)
            assert reportread.passes(fmt, rendered) is not found.failed(fail_on), (fmt, fail_on, rendered)
            if fmt in ("json", "turtle"):  # structured: every result (text and junit show a message as it is)
                assert reportread.results(fmt, rendered) == len(found.results), (fmt, rendered)


# --- round trip: a valid organisations.csv row comes back from the `organisation` question --------


@st.composite
def organisation_rows(draw: st.DrawFn) -> dict[str, str]:
    code = draw(st.from_regex(r"\A[A-Z0-9]{3,5}\Z") | st.from_regex(r"\A[EWSN][0-9]{8}\Z"))
    name = draw(
        st.text(
            alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r"), min_size=1, max_size=30
        ).filter(lambda s: s == s.strip())
    )
    when = st.just("") | st.dates().map(lambda d: d.isoformat())  # ODS dates are full dates ("day" columns)
    opened, closed = draw(when), draw(when)
    if opened and closed and closed < opened:
        opened, closed = closed, opened
    degrees = [
        draw(
            st.one_of(
                st.just(""),
                st.decimals(-limit, limit, places=draw(st.integers(0, 7)))
                .filter(lambda d: d.is_finite())
                .map(lambda d: format(d, "f")),
            )
        )
        for limit in (90, 180)
    ]
    return {
        "code": code,
        "name": name,
        "kind": draw(st.sampled_from(KINDS)),
        "ons_code": draw(st.just("") | st.from_regex(r"\A[EWSN][0-9]{8}\Z")),
        "open_date": opened,
        "close_date": closed,
        "latitude": degrees[0],
        "longitude": degrees[1],
        "country": draw(st.sampled_from(["", "england", "wales"])),
        "source": ";".join(draw(st.lists(st.sampled_from(SOURCES), min_size=1, max_size=2, unique=True))),
        "note": draw(
            st.just("") | st.text(max_size=20).filter(lambda s: s == s.strip() and "\x00" not in s and "\r" not in s)
        ),
    }


@pytest.fixture(scope="module")
def context_graphs(reference_ctx, scratch) -> Quiet:
    """The ontology (property labels) and the sources graph (source keys), as N-Quads text."""
    sources = next(b for b in BUILDERS if b.name == "sources")
    statements = list(register_statements(sources, reference_ctx.rows["sources"], reference_ctx))
    ontology_lines = (f"{q.s} {q.p} {q.o}" for q in ontology.quads())
    written = [
        parts.write_part(t.iri(mint.graph("ontology")), ontology_lines, scratch, "ontology"),
        write(sources, statements, scratch),
    ]
    return Quiet("".join(w.nquads.read_text(encoding="utf-8") for w in written))


def _empty_register(reference_ctx: Context) -> Context:
    return Context(ids={k: dict(v) for k, v in reference_ctx.ids.items() if k != "org"}, rows=dict(reference_ctx.rows))


@given(row=organisation_rows())
@example(
    row={
        "code": "R0B",
        "name": 'Line one\n"quoted", line two',
        "kind": "nhs-trust",
        "ons_code": "E54000028",
        "open_date": "1991-04-01",
        "close_date": "",
        "latitude": "-0.0",
        "longitude": "51.50",
        "country": "",
        "source": "ods-etr-2016;article-001",
        "note": "a \\ backslash, a tab\tand\nbreak",
    }
)  # a row over 3 lines
def test_a_valid_organisation_row_comes_back_unchanged(row, scratch, ctx, context_graphs):
    register = scratch / "organisations.csv"
    header = [c.name for c in ORGANISATIONS.columns]
    register.write_text(csv_text([header, [row[c] for c in header]]), encoding="utf-8")
    built = build_register(ORGANISATIONS, register, "organisations.csv", _empty_register(ctx.value))
    assert not built.checked.problems, built.checked.problems
    written = write(ORGANISATIONS, built.statements, scratch)
    build = scratch / "build"
    write_atomic(build / "graph.nq", [context_graphs.value, written.nquads.read_text(encoding="utf-8")])
    answer = run("organisation", {"code": row["code"]}, build=build).records()
    record = mint.relation("record", row["code"], row["source"])
    said: dict[tuple[str, str], set[str]] = {}
    sources: dict[str, set[str]] = {}
    for a in answer:
        kind = "record" if a["node"] == record else a["relation"]
        said.setdefault((kind, a["property"]), set()).add(a["value"])
        sources.setdefault(kind, set()).update(filter(None, (a.get("source") or "").split(";")))
    code_label = "ONS code" if mint.ONS_CODE.match(row["code"]) else "ODS code"
    expected = {
        ("organisation", code_label): {row["code"]},
        ("organisation", "preferred label"): {row["name"]},
        ("organisation", "organisation type"): {row["kind"]},
        ("record", "listed name"): {row["name"]},
        ("record", "organisation type"): {row["kind"]},
        ("record", "register row"): {"2"},
    }
    for column, label in (
        ("ons_code", "ONS code"),
        ("open_date", "open date"),
        ("close_date", "close date"),
        ("country", "country"),
        ("note", "note"),
    ):
        if row[column]:
            expected[("record", label)] = {row[column]}
    for column in ("open_date", "close_date"):
        if row[column]:
            expected[("organisation", column.replace("_", " "))] = {row[column]}
    for key, values in expected.items():
        assert said.get(key) == values, (key, said.get(key), values)
    for axis in ("latitude", "longitude"):
        given_value = row[axis]
        found = said.get(("record", axis))
        assert (found is None) == (given_value == ""), (axis, found)
        if found:
            assert [Decimal(v) for v in found] == [Decimal(given_value)], (axis, found, given_value)
    assert sources["record"] == set(row["source"].split(";"))
