"""Hostile input: each is refused with exit 2, a one-line reason, and in well under a second.

Every case names the command that meets it (build for register files, validate for
submissions, sparql and query for queries and parameters) and is run twice, in this
process: once through the step that refuses it (`own`: reading the registers, loading the
submission, checking the query), whose time must stay under `LIMIT` seconds, and once
through the whole command (`nhskg ...`, exit code and message). Imports are warm and the
files are made before the clock starts, so the times are the refusals' own work, stable on
a loaded machine (`nhskg validate` gets the build's graph and the shapes loaded once: it
reads them before the files it is given). Set NHSKG_SECURITY_TABLE=FILE to write the table
of times (SECURITY.md).
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from graph_builder.cli.main import main
from graph_builder.core.errors import InputError, NhskgError
from graph_builder.questions.catalogue import read_query, run
from graph_builder.registers.load import read_registers
from graph_builder.store.policy import check_read_only
from graph_builder.validate import intake as submission
from graph_builder.validate import run as validating

LIMIT = 1.0  # seconds of a refusal's own work
COMMAND_LIMIT = 10.0  # seconds of the whole command in this process (reference graph, shapes, store)
TIMES: list[tuple[str, str, str, float, float]] = []  # case, what, reason, own, whole command

ORG_HEADER = "code,name,kind,ons_code,open_date,close_date,latitude,longitude,country,source,note\n"
ORG_ROW = "RAL,ROYAL FREE LONDON NHS FOUNDATION TRUST,acute-trust,,,,,,,ods-etr-2016,\n"
PARTNERSHIPS = "follower,exemplar,programme,status,start,end,source,note\n"
LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + "".join(f' <!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">\n' for i in range(1, 10))
    + ']>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    '<rdf:Description rdf:about="urn:a"><rdf:value>&lol9;</rdf:value></rdf:Description></rdf:RDF>\n'
)
XXE = (
    '<?xml version="1.0"?>\n<!DOCTYPE r [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>\n'
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    '<rdf:Description rdf:about="urn:a"><rdf:value>&xxe;</rdf:value></rdf:Description></rdf:RDF>\n'
)


def cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str, float]:
    started = time.perf_counter()
    code = 0
    try:
        main(args)
    except SystemExit as exc:
        code = int(exc.code or 0)
    seconds = time.perf_counter() - started
    out, err = capsys.readouterr()
    return code, out, err, seconds


def timed(step: Callable[[], object]) -> tuple[NhskgError | None, float]:
    """Run the refusing step; the error it raised (None if it did not) and its time."""
    started = time.perf_counter()
    try:
        step()
    except NhskgError as exc:
        return exc, time.perf_counter() - started
    return None, time.perf_counter() - started


def message(error: NhskgError | None) -> str:
    """What an error says, without the file names (the test's folder names would match too)."""
    if isinstance(error, InputError):
        return "; ".join(p.message for p in error.problems)
    return str(error)


def one_reason(err: str, expected: str) -> str:
    """The one line of standard error that gives the reason; no traceback, nothing else but
    the closing count line of an input error."""
    lines = err.strip().splitlines()
    assert "Traceback" not in err and "internal error" not in err, err
    reasons = [line for line in lines if expected in line]
    assert len(reasons) == 1, err
    others = [line for line in lines if line not in reasons]
    assert all(line.startswith("nhskg: 1 problem") for line in others), err
    return reasons[0]


def record(case: str, what: str, reason: str, own: float, whole: float) -> None:
    TIMES.append((case, what, reason, own, whole))


@pytest.fixture(scope="module", autouse=True)
def table() -> Iterator[None]:
    yield
    target = os.environ.get("NHSKG_SECURITY_TABLE")
    if target and TIMES:
        lines = [
            "| hostile input | refused by | reason given (one line) | refusal | whole command |",
            "|---|---|---|---:|---:|",
        ]
        for case, what, reason, own, whole in sorted(TIMES, key=lambda t: (t[1].split()[0], t[0])):
            shown = reason.replace("|", "\\|")
            shown = shown.replace("\x00", "\\x00")
            lines.append(f"| {case} | `{what}` | {shown} | {own * 1000:.1f} ms | {whole * 1000:.0f} ms |")
        Path(target).write_text("\n".join(lines) + "\n", encoding="utf-8")


# --------------------------------------------------------------------------------------------
#  Register files (nhskg build): the reader refuses them, every problem located
# --------------------------------------------------------------------------------------------


def _unblock_fifo_after(path: Path, seconds: float) -> None:
    """If a reader blocks on the FIFO (the protection is gone), open it for writing every few
    seconds while it exists, so the test fails instead of hanging."""

    def release() -> None:
        while path.exists():
            time.sleep(seconds)
            with contextlib.suppress(OSError):  # nobody is reading: nothing to release
                os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))

    threading.Thread(target=release, daemon=True).start()


def _fifo(path: Path) -> None:
    path.unlink()
    os.mkfifo(path)
    _unblock_fifo_after(path, 5.0)


def _directory(path: Path) -> None:
    path.unlink()
    path.mkdir()
    (path / "x.csv").write_text(ORG_HEADER + ORG_ROW, encoding="utf-8")


def _sparse(path: Path) -> None:
    with path.open("wb") as f:
        f.truncate((1 << 30) + 1)


def _ten_mb_field(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text
        + ORG_ROW.replace("ROYAL FREE", "ROYAL FREE" + "x" * 10_000_000, 1).replace("ods-etr-2016", "ods-etr-2021"),
        encoding="utf-8",
    )


def _bytes(content: bytes) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(content)


def _append(content: bytes) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(path.read_bytes() + content)


REGISTERS: dict[str, tuple[str, Callable[[Path], None], str]] = {
    # case: (register file, how it is spoilt, the reason given)
    "a 10 MB field": ("organisations.csv", _ten_mb_field, "field larger than field limit"),
    "a NUL byte": ("organisations.csv", _append(b"RAL,NUL\x00,acute-trust,,,,,,,ods-etr-2016,\n"), "NUL byte"),
    "invalid UTF-8": (
        "organisations.csv",
        _append(b"RAL,\xff\xfe,acute-trust,,,,,,,ods-etr-2016,\n"),
        "not valid UTF-8",
    ),
    "a carriage return alone": (
        "organisations.csv",
        _bytes((ORG_HEADER + ORG_ROW).replace("\n", "\r").encode()),
        "carriage return that does not end a line",
    ),
    "a header only": ("organisations.csv", _bytes(ORG_HEADER.encode()), "has a header but no rows"),
    "a directory": ("organisations.csv", _directory, "is a directory"),
    "a FIFO": ("organisations.csv", _fifo, "is not a regular file"),
    "a file over 1 GiB (sparse)": ("organisations.csv", _sparse, "the limit is 1,073,741,824"),
}


@pytest.mark.parametrize("case", list(REGISTERS))
def test_hostile_register_files_are_refused(case, data_copy, tmp_path, capsys):
    name, spoil, reason = REGISTERS[case]
    spoil(data_copy / name)
    error, own = timed(lambda: read_registers(data_copy))
    assert error is not None and error.exit_code == 2 and reason in message(error), error
    out = tmp_path / "out"
    code, _, err, whole = cli(["build", "--data", str(data_copy), "--out", str(out)], capsys)
    assert code == 2, err
    line = one_reason(err, reason)
    assert line.startswith(os.path.relpath(data_copy / name)), line
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["data"]
    record(f"register CSV: {case}", "nhskg build", line.split(": ", 1)[1], own, whole)
    assert own < LIMIT and whole < COMMAND_LIMIT, (own, whole)


# --------------------------------------------------------------------------------------------
#  Submissions (nhskg validate): refused before any parser sees them, or by a bounded parse
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def reference(built) -> validating.Reference:
    found = validating.load_reference(built.out_dir)
    found.context()  # the registers a CSV submission is built against, read before the clock starts
    return found


@pytest.fixture()
def preloaded(reference, monkeypatch) -> None:
    """`nhskg validate` with the build's graph and the shapes loaded once for the module: they
    are read before any submission (about 0.7 s a run), and are not the refusal's work."""
    shapes = validating.load_shapes()
    monkeypatch.setattr(validating, "load_reference", lambda against: reference)
    monkeypatch.setattr(validating, "load_shapes", lambda folder, mode: shapes)


def _big_literal(path: Path) -> None:
    with path.open("wb") as f:
        f.write(b'<urn:a> <urn:b> "')
        chunk = b"x" * (1 << 20)
        for _ in range(100):
            f.write(chunk)
        f.write(b'" .\n')


def _text(content: str) -> Callable[[Path], None]:
    return lambda path: path.write_text(content, encoding="utf-8")


def _partnerships(rows: bytes) -> Callable[[Path], None]:
    shipped = (Path(__file__).resolve().parent.parent / "data" / "partnerships.csv").read_bytes()
    lines = shipped.split(b"\n")
    return lambda path: path.write_bytes(b"\n".join(lines[:3]) + b"\n" + rows + b"\n".join(lines[3:]))


def _submission_fifo(path: Path) -> None:
    os.mkfifo(path)
    _unblock_fifo_after(path, 5.0)


SUBMISSIONS: dict[str, tuple[str, Callable[[Path], None], str]] = {
    # case: (file name, how it is made, the reason given)
    "RDF/XML, billion laughs": ("laughs.rdf", _text(LAUGHS), "RDF/XML is not accepted"),
    "RDF/XML, external entity": ("xxe.owl", _text(XXE), "RDF/XML is not accepted"),
    "DOCTYPE with entities in a .ttl": ("laughs.ttl", _text(LAUGHS), "declares an XML DOCTYPE"),
    "external ENTITY in a .nt": (
        "xxe.nt",
        _text('<!ENTITY xxe SYSTEM "file:///etc/passwd">\n<urn:a> <urn:b> "&xxe;" .\n'),
        "declares an XML ENTITY",
    ),
    "JSON-LD, remote @context": (
        "remote.jsonld",
        _text(json.dumps({"@context": "http://127.0.0.1:9/context.jsonld", "@id": "urn:a", "name": "x"})),
        "nothing is fetched",
    ),
    "JSON-LD, file: @context": (
        "file.jsonld",
        _text(json.dumps({"@context": ["file:///etc/passwd"], "@id": "urn:a"})),
        "nothing is fetched",
    ),
    "JSON-LD, nested remote @context": (
        "nested.jsonld",
        _text(
            json.dumps({"@context": {}, "@graph": [{"@context": {"@import": "https://example.org/c"}, "@id": "urn:a"}]})
        ),
        "nothing is fetched",
    ),
    "JSON-LD nested 100,000 deep": (
        "deep.jsonld",
        _text('{"@id": "urn:a", "urn:p": ' + "[" * 100_000 + "]" * 100_000 + "}"),
        "nests JSON",
    ),
    "a literal of 100 MB": ("big.nt", _big_literal, "over the limit of 52,428,800"),
    "register CSV, 10 MB field": (
        "partnerships.csv",
        _partnerships(b'RAP,RAL,global-digital-exemplar,confirmed,,,"' + b"x" * 10_000_000 + b'",\n'),
        "field larger than field limit",
    ),
    "register CSV, NUL byte": (
        "nul.csv",
        _partnerships(b"RAP,RAL\x00,global-digital-exemplar,x,,,hsj-12,\n"),
        "NUL byte",
    ),
    "register CSV, invalid UTF-8": (
        "utf8.csv",
        _partnerships(b"RAP,\xff,global-digital-exemplar,x,,,hsj-12,\n"),
        "not valid UTF-8",
    ),
    "register CSV, a lone CR": (
        "cr.csv",
        _partnerships(b"RAP,RAL,global-digital-exemplar,x,,,hsj-12,\r"),
        "carriage return that does not end a line",
    ),
    "register CSV, header only": ("header.csv", _bytes(PARTNERSHIPS.encode()), "has a header but no rows"),
    "invalid UTF-8 in Turtle": ("utf8.ttl", _bytes(b'<urn:a> <urn:b> "\xff" .\n'), "not valid UTF-8"),
    "NUL byte in N-Triples": (
        "nul.nt",
        _bytes(b'<urn:a> <urn:b> "\x00" .\n<urn:a\x00> <urn:b> <urn:c> .\n'),
        "Invalid IRI code point",
    ),
    "a directory": ("folder.ttl", lambda path: path.mkdir(), "is not a file"),
    "a FIFO": ("fifo.ttl", _submission_fifo, "is not a file"),
}


@pytest.mark.parametrize("case", list(SUBMISSIONS))
def test_hostile_submissions_are_refused(case, reference, preloaded, built, tmp_path, capsys):
    name, make, reason = SUBMISSIONS[case]
    path = tmp_path / name
    make(path)
    error, own = timed(lambda: submission.load_submission([path], reference.context))
    assert error is not None and error.exit_code == 2 and reason in message(error), error
    code, out, err, whole = cli(["validate", str(path), "--against", str(built.out_dir)], capsys)
    assert code == 2 and out == "", err
    line = one_reason(err, reason)
    assert line.startswith(str(path)), line
    record(f"submission: {case}", "nhskg validate", line.removeprefix(str(path)).lstrip(":0123456789 "), own, whole)
    assert own < LIMIT and whole < COMMAND_LIMIT, (own, whole)


def _nested_turtle(opening: str, closing: str, depth: int) -> str:
    return f"<https://w3id.org/nhs-dkg/id/org/RAL> <urn:p> {opening * depth}{closing * depth} .\n"


def _nested(case: str, depth: int) -> str:
    """Blank nodes, or collections, nested `depth` deep (the innermost `()` is rdf:nil, no node:
    collections take one level of parentheses more)."""
    if case == "collections":
        return _nested_turtle("(", ")", depth + 1)
    return _nested_turtle("[ <urn:p> ", "]", depth).replace("[ <urn:p> ]", "[ <urn:p> <urn:o> ]")


NESTED = {case: _nested(case, 10_000) for case in ("collections", "blank nodes")}


@pytest.mark.parametrize("case", list(NESTED))
def test_deeply_nested_turtle_is_refused(case, reference, tmp_path):
    path = tmp_path / "nested.ttl"
    path.write_text(NESTED[case], encoding="utf-8")
    error, own = timed(lambda: submission.load_submission([path], reference.context))
    assert error is not None and error.exit_code == 2 and "nest" in message(error), error
    assert own < LIMIT


@pytest.mark.parametrize("case", list(NESTED))
def test_deeply_nested_turtle_does_not_crash(case, preloaded, built, tmp_path, capsys):
    """10,000 levels, ten times Python's recursion limit: the whole command refuses them with
    exit 2 and one line naming the file (no traceback, no exit 3: nothing recurses); a nest at
    the limit is read and validated (exit 0: it says nothing wrong about RAL)."""
    deep, at_limit = tmp_path / "deep.ttl", tmp_path / "at-limit.ttl"
    deep.write_text(NESTED[case], encoding="utf-8")
    at_limit.write_text(_nested(case, submission.MAX_NESTING), encoding="utf-8")
    code, out, err, _ = cli(["validate", str(deep), "--against", str(built.out_dir)], capsys)
    assert code == 2 and out == "", err
    line = one_reason(err, "nests blank nodes or collections")
    assert line.startswith(f"{deep}:") and f"10,000 deep; the limit is {submission.MAX_NESTING}" in line, line
    code, out, err, _ = cli(["validate", str(at_limit), "--against", str(built.out_dir)], capsys)
    assert code == 0 and err == "" and out.startswith("PASS: 1 file conforms"), out + err


class _Listener:
    """A TCP port that records whether anything connected to it."""

    def __init__(self) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen()
        self.socket.settimeout(0.2)
        self.port = int(self.socket.getsockname()[1])
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.socket.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.socket.close()


@pytest.fixture()
def listener() -> Iterator[_Listener]:
    found = _Listener()
    yield found
    found.close()


def test_user_shapes_cannot_call_a_service(listener, built, tmp_path, capsys):
    shapes = tmp_path / "shapes"
    shapes.mkdir()
    (shapes / "evil.ttl").write_text(
        f"""@prefix sh: <http://www.w3.org/ns/shacl#> .
<urn:ex:Shape> a sh:NodeShape ;
  sh:target [ a sh:SPARQLTarget ;
              sh:select "SELECT ?this WHERE {{ SERVICE <http://127.0.0.1:{listener.port}/q> {{ ?this ?p ?o }} }}" ] ;
  sh:property [ sh:path <urn:ex:p> ; sh:minCount 1 ] .
""",
        encoding="utf-8",
    )
    data = Path(__file__).resolve().parent.parent / "data" / "partnerships.csv"
    code, _, err, _ = cli(["validate", str(data), "--against", str(built.out_dir), "--shapes", str(shapes)], capsys)
    assert listener.connections == 0, "validate connected to the SERVICE named in a shape"
    assert code == 2 and "SERVICE" in err


def test_user_shapes_cannot_use_service_in_a_constraint(built, tmp_path, capsys):
    """pySHACL refuses SERVICE in a SPARQL constraint itself."""
    shapes = tmp_path / "shapes"
    shapes.mkdir()
    (shapes / "evil.ttl").write_text(
        """@prefix sh: <http://www.w3.org/ns/shacl#> .
<urn:ex:Shape> a sh:NodeShape ; sh:targetClass <https://w3id.org/nhs-dkg/def#Partnership> ;
  sh:sparql [ a sh:SPARQLConstraint ; sh:message "x" ;
    sh:select "SELECT $this WHERE { SERVICE <http://127.0.0.1:9/q> { ?s ?p ?o } }" ] .
""",
        encoding="utf-8",
    )
    data = Path(__file__).resolve().parent.parent / "data" / "partnerships.csv"
    code, _, err, _ = cli(["validate", str(data), "--against", str(built.out_dir), "--shapes", str(shapes)], capsys)
    assert code == 2 and "federated query (SERVICE)" in err and "Traceback" not in err


# --------------------------------------------------------------------------------------------
#  Queries (nhskg sparql) and parameters (nhskg query): parsed, never pattern-matched
# --------------------------------------------------------------------------------------------

QUERIES: dict[str, tuple[str, str]] = {
    "SERVICE": ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }", "uses SERVICE"),
    "SERVICE in a subquery": (
        "SELECT * WHERE { { SELECT ?s WHERE { SERVICE SILENT <http://x.org/q> { ?s ?p ?o } } } }",
        "uses SERVICE",
    ),
    "LOAD": ("LOAD <http://127.0.0.1:9/data.ttl>", "is an update"),
    "LOAD INTO GRAPH": ("LOAD SILENT <file:///etc/passwd> INTO GRAPH <urn:g>", "is an update"),
    "FROM <url>": ("SELECT * FROM <http://127.0.0.1:9/data.ttl> WHERE { ?s ?p ?o }", "uses FROM"),
    "FROM NAMED <file:>": ("SELECT * FROM NAMED <file:///etc/passwd> WHERE { GRAPH ?g { ?s ?p ?o } }", "uses FROM"),
    "INSERT DATA": ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", "is an update"),
    "DELETE WHERE": ("DELETE WHERE { ?s ?p ?o }", "is an update"),
    "DROP ALL": ("DROP ALL", "is an update"),
    "CLEAR, in lower case": ("clear all", "is an update"),
    "a query, then an update": ("SELECT * WHERE { ?s ?p ?o } ; DROP ALL", "not a valid SPARQL query"),
    "groups nested 3,000 deep": ("SELECT * WHERE " + "{" * 3000 + "}" * 3000, "not a valid SPARQL query"),
    "over 100,000 characters": ("SELECT * WHERE { ?s ?p ?o } #" + "x" * 200_000, "characters long"),
}


@pytest.mark.parametrize("case", list(QUERIES))
def test_hostile_queries_are_refused(case, built, capsys):
    query, reason = QUERIES[case]
    error, own = timed(lambda: check_read_only(read_query(query)))
    assert error is not None and error.exit_code == 2 and reason in str(error), error
    code, out, err, whole = cli(["sparql", query, "--build", str(built.out_dir)], capsys)
    assert code == 2 and out == "", err
    line = one_reason(err, reason)
    record(f"SPARQL: {case}", "nhskg sparql", line.removeprefix("nhskg: "), own, whole)
    assert own < LIMIT and whole < COMMAND_LIMIT, (own, whole)


def test_a_query_file_that_is_a_fifo_is_not_opened(built, tmp_path, capsys):
    fifo = tmp_path / "query.rq"
    os.mkfifo(fifo)
    _unblock_fifo_after(fifo, 5.0)
    code, _, err, whole = cli(["sparql", str(fifo), "--build", str(built.out_dir)], capsys)
    assert code == 2 and "is not a regular file" in err and whole < LIMIT
    record(
        "SPARQL: a query file that is a FIFO",
        "nhskg sparql",
        "(never opened) " + one_reason(err, "is not a regular file").removeprefix("nhskg: ")[:60],
        whole,
        whole,
    )


PARAMETERS: dict[str, tuple[str, dict[str, str], str | None, str]] = {
    # case: (question, parameters, --as-of, the reason given)
    "code escaping its IRI": ("followers-of", {"code": "RQ6> } ; DROP ALL #"}, None, "is not an ODS code"),
    "code escaping a literal": ("followers-of", {"code": 'RQ6" } UNION { ?s ?p ?o } #'}, None, "is not an ODS code"),
    "code with a newline": ("organisation", {"code": "RQ6\n}"}, None, "is not an ODS code"),
    "choice escaping its literal": ("exemplars-by-area", {"kind": 'icb" || true || "'}, None, "is not one of"),
    "programme key escaping its IRI": ("funding", {"programme": "x> ?p ?o } #"}, None, "is not a programme key"),
    "--as-of escaping its date": ("who-follows-whom", {}, '2018-01-01"^^<x> } DROP ALL #', "is not a date"),
}


@pytest.mark.parametrize("case", list(PARAMETERS))
def test_parameters_that_try_to_escape_their_term_are_refused(case, built, capsys):
    name, params, as_of, reason = PARAMETERS[case]
    error, own = timed(lambda: run(name, params, as_of, build=built.out_dir))
    assert error is not None and error.exit_code == 2 and reason in str(error), error
    args = [name, *(f"--param={k}={v}" for k, v in params.items()), *(["--as-of", as_of] if as_of else [])]
    code, out, err, whole = cli(["query", *args, "--build", str(built.out_dir)], capsys)
    assert code == 2 and out == "", err
    line = one_reason(err, reason)
    record(f"parameter: {case}", "nhskg query", line.removeprefix("nhskg: "), own, whole)
    assert own < LIMIT and whole < COMMAND_LIMIT, (own, whole)
