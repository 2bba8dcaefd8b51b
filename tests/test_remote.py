"""A real Oxigraph server: push the shipped build, ask every saved question, break it mid-push.

The `oxigraph_server` fixture (conftest.py, servers.py) runs `oxigraph serve` on a free
loopback port with a store in a temporary folder, stopped at the end (serve.start: the
process also dies with pytest). A small threaded HTTP server stands in for servers that
misbehave. tests/test_engines.py asks the same of Virtuoso and Jena.
"""

from __future__ import annotations

import base64
import contextlib
import json
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyoxigraph as ox
import pytest
from clirun import run_cli as cli
from servers import Server, free_port

from graph_builder.core.errors import ServerError, UsageError
from graph_builder.questions.answers import render_answer
from graph_builder.questions.catalogue import run, run_sparql
from graph_builder.registers import BUILDERS
from graph_builder.store import push as pushing
from graph_builder.store import serve
from graph_builder.store.embedded import open_store
from graph_builder.store.endpoint import Credentials, Endpoint
from graph_builder.store.push import PushFailed, push
from graph_builder.store.remote import RemoteStore
from graph_builder.store.values import bind_values

pytestmark = pytest.mark.slow
AS_OF = "2018-01-31"


@pytest.fixture(scope="module")
def build_dir(built) -> Path:
    return built.out_dir


@pytest.fixture(scope="module")
def pushed(oxigraph_server: Server, build_dir) -> tuple[Endpoint, pushing.PushReport]:
    """The shared Oxigraph server, pushed to once more here (replacing each graph by itself)."""
    return oxigraph_server.endpoint, push(build_dir, oxigraph_server.endpoint)


# --- push -------------------------------------------------------------------------------


def test_push_replaces_every_graph_and_reads_the_counts_back(pushed, build_dir):
    _, report = pushed
    sizes = open_store(build_dir).graph_sizes()
    assert [g.graph for g in report.graphs] == sorted(sizes)
    assert all(g.state == "new" for g in report.graphs)
    assert report.counted == sizes
    assert report.triples == sum(sizes.values())


def server_quads(endpoint: Endpoint) -> tuple[int, set[bytes]]:
    """How many quads the server holds, and those without blank nodes (which a PUT renames)."""
    import urllib.request

    request = urllib.request.Request(endpoint.store_url, headers={"Accept": "application/n-quads"})
    with urllib.request.urlopen(request, timeout=30) as response:
        lines = response.read().splitlines()
    return len(lines), {line for line in lines if b"_:" not in line}


def test_push_again_then_query_on_the_command_line(pushed, build_dir, capsys):
    """The issue's test: `nhskg push --endpoint URL`, then `nhskg query … --endpoint URL` gives
    the embedded CSV; and pushing again changes nothing on the server."""
    endpoint, _ = pushed
    url = endpoint.query_url.removesuffix("/query")
    before = server_quads(endpoint)
    code, out, err = cli(["push", "--endpoint", url, "--build", str(build_dir)], capsys)
    assert (code, err) == (0, "") and out.startswith(f"Pushed {len(BUILDERS) + 2} graphs") and "count matches" in out
    assert server_quads(endpoint) == before
    local = cli(["query", "who-follows-whom", "--format", "csv", "--build", str(build_dir)], capsys)
    there = cli(["query", "who-follows-whom", "--format", "csv", "--endpoint", url], capsys)
    assert there == local and local[0] == 0 and local[1].count("\r\n") == 15


def test_the_update_method_replaces_graphs_too(tmp_path, build_dir):
    running = serve.start(None, f"127.0.0.1:{free_port()}", read_write=True)  # in memory
    try:
        endpoint = Endpoint.from_options(running.url)
        report = push(build_dir, endpoint, method="update")
        assert report.counted == open_store(build_dir).graph_sizes()
        assert render_answer(run("who-follows-whom", endpoint=endpoint), "csv").count("\r\n") == 15
    finally:
        running.stop()


def test_a_server_killed_mid_push_is_reported_and_a_second_push_completes_it(tmp_path, build_dir):
    """The server dies while the memberships graph (the 7th, 17,574 triples) is being sent."""
    location, bind = tmp_path / "db", f"127.0.0.1:{free_port()}"
    running = serve.start(location, bind, read_write=True)
    endpoint = Endpoint.from_options(running.url)
    timers: list[threading.Timer] = []

    def kill_during_memberships(event: str, item: pushing.GraphPush, done: int, total: int) -> None:
        if event == "sending" and item.graph.endswith("/memberships"):
            timers.append(threading.Timer(0.05, running.process.kill))
            timers[-1].start()

    try:
        with pytest.raises(PushFailed) as failure:
            push(build_dir, endpoint, retries=2, backoff=0.05, timeout=10, progress=kill_during_memberships)
    finally:
        for timer in timers:
            timer.join()
        running.stop()
    error = failure.value
    lines = str(error).splitlines()
    graphs = sorted(open_store(build_dir).graph_sizes())
    assert error.exit_code == 4 and "(3 tries)" in lines[0]
    assert (error.url, error.status, error.retryable) == (endpoint.store_url, None, True)  # no answer
    assert [line.split()[1] for line in lines[1:-1]] == graphs
    states = [line.split()[0] for line in lines[1:-1]]
    killed = graphs.index("https://w3id.org/nhs-dkg/graph/memberships")
    assert states[:killed] == ["new"] * killed
    # killed while sending (unknown), or just after it was taken (new, then the next is refused)
    assert states[killed] in ("unknown", "new") and set(states[killed + 1 :]) <= {"old", "unknown"}
    assert states.count("unknown") <= 1 and "push again" in lines[-1]

    restarted = serve.start(location, bind, read_write=True)  # the same store, as after a restart
    try:
        assert all(g.state == "new" for g in push(build_dir, endpoint).graphs)
        assert pushing.count_graphs(endpoint, graphs, 10) == open_store(build_dir).graph_sizes()
    finally:
        restarted.stop()


def test_a_server_error_is_retried_and_leaves_the_graph_unknown(fake, build_dir):
    Fake.answer = (503, "text/plain", b"overloaded", 0.0)
    with pytest.raises(PushFailed) as failure:
        push(build_dir, Endpoint.from_options(fake), retries=2, backoff=0.01)
    lines = str(failure.value).splitlines()
    assert len(Fake.seen) == 3 and "HTTP 503" in lines[0] and "(3 tries)" in lines[0]
    error = failure.value
    assert (error.url, error.status, error.retryable, error.exit_code) == (f"{fake}/store", 503, True, 4)
    assert lines[1].startswith("unknown ") and all(line.startswith("old ") for line in lines[2:-1])


def test_the_cli_reports_a_failed_push_one_line_per_graph_exit_4(build_dir, capsys):
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    code, _, err = cli(["push", "--endpoint", url, "--build", str(build_dir), "--retries", "1"], capsys)
    lines = err.splitlines()
    assert code == 4 and "Traceback" not in err
    assert lines[0].startswith("nhskg: the push stopped:") and "connection refused" in lines[0]
    assert all(line.startswith("old ") for line in lines[1:-1]) and len(lines) == len(BUILDERS) + 4


# --- questions against the server -----------------------------------------------------------


# every saved question in every variant: tests/test_engines.py (Oxigraph, Virtuoso, Jena)


@pytest.mark.parametrize("fmt", ["json", "table"])
def test_the_other_formats_agree_too(fmt, pushed, build_dir):
    endpoint, _ = pushed
    params = {"code": "RQ6"}
    assert render_answer(run("followers-of", params, AS_OF, endpoint=endpoint), fmt) == render_answer(
        run("followers-of", params, AS_OF, build=build_dir), fmt
    )


@pytest.mark.parametrize(
    "query",
    [
        "ASK { ?p a <https://w3id.org/nhs-dkg/def#Partnership> }",
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
        "CONSTRUCT { <https://w3id.org/nhs-dkg/id/org/RQ6> ?p ?o } "
        "WHERE { <https://w3id.org/nhs-dkg/id/org/RQ6> ?p ?o }",
    ],
)
def test_ad_hoc_queries_agree(query, pushed, build_dir):
    endpoint, _ = pushed
    local, there = run_sparql(query, build=build_dir), run_sparql(query, endpoint=endpoint)
    assert there.boolean == local.boolean and there.columns == local.columns
    assert sorted(map(str, there.rows)) == sorted(map(str, local.rows))


def test_an_unknown_code_is_checked_against_the_server(pushed):
    endpoint, _ = pushed
    with pytest.raises(UsageError, match="has no organisation with the code ZZZ9"):
        run("followers-of", {"code": "ZZZ9"}, endpoint=endpoint)


def test_updates_are_refused_before_the_server_is_asked(capsys):
    url = f"http://127.0.0.1:{free_port()}"
    code, _, err = cli(["sparql", "DROP ALL", "--endpoint", url], capsys)
    assert code == 2 and "is an update" in err


# --- parameters as VALUES ---------------------------------------------------------------


def test_parameters_become_a_values_block_in_each_where_group():
    query = (
        '# a { comment\nPREFIX select: <urn:x#>\nSELECT ?code ?n WHERE { ?o select:label "{" .\n'
        "  { SELECT ?code WHERE { ?o <urn:{> ?code } } OPTIONAL { ?o ?p ?code } }"
    )
    bound = bind_values(query, {ox.Variable("code"): ox.Literal('RQ6" } ; DROP ALL #')})
    block = ' VALUES (?code) { ("RQ6\\" } ; DROP ALL #") }'
    assert bound == query.replace("WHERE {", "WHERE {" + block)
    with pytest.raises(ValueError, match="SELECT and ASK"):
        bind_values("CONSTRUCT { ?s ?p ?code } WHERE { ?s ?p ?code }", {ox.Variable("code"): ox.Literal("x")})


# --- URLs, credentials and servers that fail --------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.org/sparql",
        "localhost:7878",
        "http://",
        "http://host:99999",
        "not a url",
        "http://bob:s3cret@example.org/",
    ],
)
def test_a_bad_url_is_exit_2(url, capsys):
    code, _, err = cli(["query", "exemplars", "--endpoint", url], capsys)
    assert code == 2 and err.count("\n") == 1 and "s3cret" not in err


def test_connection_refused_is_one_line_exit_4(capsys):
    code, out, err = cli(["query", "exemplars", "--endpoint", f"http://127.0.0.1:{free_port()}"], capsys)
    assert (code, out) == (4, "") and err.count("\n") == 1 and "connection refused" in err


def test_connection_refused_has_no_status_and_may_be_retried():
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(ServerError, match="connection refused") as refused:
        RemoteStore(Endpoint.from_options(url), timeout=5).select("ASK { ?s ?p ?o }")
    assert (refused.value.url, refused.value.status, refused.value.retryable) == (f"{url}/query", None, True)


class Fake(BaseHTTPRequestHandler):
    """Answers every request as the test says: status, content type, body, delay."""

    answer: tuple[int, str, bytes, float] = (200, "text/html", b"<html>hello</html>", 0.0)
    seen: list[dict[str, str]] = []  # noqa: RUF012 - shared with the test on purpose

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        Fake.seen.append(dict(self.headers))
        status, kind, body, delay = Fake.answer
        time.sleep(delay)
        with contextlib.suppress(OSError):
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    do_PUT = do_POST

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def fake():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Fake)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    Fake.seen = []
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ((200, "text/html", b"<html>hello</html>", 0.0), "not SPARQL results (text/html"),
        ((200, "application/sparql-results+json", b'{"nothing": 1}', 0.0), "not SPARQL results"),
        ((500, "text/plain", b"disk full\nat line 2", 0.0), "HTTP 500: the server failed: disk full at line 2"),
        ((503, "text/plain", b"", 0.0), "HTTP 503"),
        ((404, "text/plain", b"", 0.0), "no such endpoint"),
        ((200, "application/sparql-results+json", b"{}", 3.0), "no answer"),
    ],
)
def test_a_failing_server_is_one_line_exit_4(answer, expected, fake, capsys):
    Fake.answer = answer
    code, out, err = cli(["query", "exemplars", "--endpoint", fake, "--timeout", "1"], capsys)
    assert (code, out) == (4, "") and err.count("\n") == 1 and expected in err, err


@pytest.mark.parametrize(
    ("answer", "status", "retryable"),
    [
        ((200, "text/html", b"<html>hello</html>", 0.0), 200, False),
        ((500, "text/plain", b"disk full", 0.0), 500, True),
        ((503, "text/plain", b"", 0.0), 503, True),
        ((429, "text/plain", b"", 0.0), 429, True),
        ((404, "text/plain", b"", 0.0), 404, False),
        ((400, "text/plain", b"", 0.0), 400, False),
        ((200, "application/sparql-results+json", b"{}", 3.0), None, True),
    ],
)
def test_a_server_error_says_its_url_status_and_whether_to_retry(answer, status, retryable, fake):
    Fake.answer = answer
    with pytest.raises(ServerError) as failed:
        RemoteStore(Endpoint.from_options(fake), timeout=1).select("ASK { ?s ?p ?o }")
    error = failed.value
    assert (error.url, error.status, error.retryable, error.exit_code) == (f"{fake}/query", status, retryable, 4)


def test_basic_auth_comes_from_the_environment_and_is_never_shown(fake, capsys, monkeypatch):
    monkeypatch.setenv("NHSKG_USER", "analyst")
    monkeypatch.setenv("NHSKG_PASSWORD", "s3cret-pw")
    pair = base64.b64encode(b"analyst:s3cret-pw").decode()
    Fake.answer = (401, "text/plain", f"bad credentials s3cret-pw Basic {pair}".encode(), 0.0)
    code, out, err = cli(["query", "exemplars", "--endpoint", fake], capsys)
    assert code == 4 and "HTTP 401" in err
    assert Fake.seen[-1]["Authorization"] == f"Basic {pair}"
    assert "s3cret-pw" not in out + err and pair not in out + err


def test_a_token_is_sent_as_a_bearer_and_never_shown(fake, build_dir, capsys, monkeypatch):
    monkeypatch.setenv("NHSKG_TOKEN", "tok-123456")
    Fake.answer = (403, "text/plain", b"token tok-123456 refused", 0.0)
    code, _, err = cli(["push", "--endpoint", fake, "--build", str(build_dir), "--retries", "0"], capsys)
    assert code == 4 and "HTTP 403" in err and "tok-123456" not in err
    assert Fake.seen[-1]["Authorization"] == "Bearer tok-123456"
    assert len(Fake.seen) == 1  # 403 is not retried


def test_credentials_need_both_halves_and_one_kind():
    with pytest.raises(UsageError, match="NHSKG_PASSWORD"):
        Credentials.from_options(user="bob", env={})
    with pytest.raises(UsageError, match="not both"):
        Credentials.from_options(token="t", env={"NHSKG_USER": "u", "NHSKG_PASSWORD": "p"})
    assert "pw" not in repr(Endpoint.from_options("http://h", credentials=Credentials("u", "pw")))


# --- nhskg serve -----------------------------------------------------------------------------


def fingerprint(folder: Path) -> dict[str, bytes]:
    return {str(f.relative_to(folder)): f.read_bytes() for f in sorted(folder.rglob("*")) if f.is_file()}


def test_serve_answers_read_only_and_leaves_the_build_unchanged(build_dir):
    before = fingerprint(build_dir / "store")
    bind = f"127.0.0.1:{free_port()}"
    process = subprocess.Popen(
        [sys.executable, "-m", "graph_builder", "serve", "--build", str(build_dir), "--bind", bind],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        lines = [process.stdout.readline() for _ in range(3)]  # type: ignore[union-attr]
        assert lines[0].startswith("Serving read-only")
        assert f"SPARQL endpoint: http://{bind}/query" in lines[1]
        endpoint = Endpoint.from_options(f"http://{bind}")
        local = render_answer(run("followers-of", {"code": "RQ6"}, build=build_dir), "csv")
        assert render_answer(run("followers-of", {"code": "RQ6"}, endpoint=endpoint), "csv") == local
        with pytest.raises(PushFailed, match="HTTP 403") as refused:
            push(build_dir, endpoint, retries=0)
        lines = str(refused.value).splitlines()
        assert "the server is read-only (if it is `nhskg serve`, start it with --read-write)" in lines[0]
        assert lines[-1].startswith("no graph was changed on the server") and "push again" not in str(refused.value)
    finally:
        process.terminate()
        process.wait(20)
        process.stdout.close()  # type: ignore[union-attr]
        process.stderr.close()  # type: ignore[union-attr]
    assert process.returncode == 0
    with pytest.raises(OSError):
        socket.create_connection(bind.split(":"), timeout=1).close()  # the server went with it
    assert fingerprint(build_dir / "store") == before


def test_serve_read_write_works_on_a_copy(build_dir, tmp_path):
    before = fingerprint(build_dir / "store")
    running = serve.serve_build(build_dir, f"127.0.0.1:{free_port()}", read_write=True)
    scratch = running.scratch
    try:
        endpoint = Endpoint.from_options(running.url)
        update = urlopen_update(endpoint, "INSERT DATA { GRAPH <urn:g> { <urn:s> <urn:p> 1 } }")
        assert update == 204
        assert run_sparql("ASK { <urn:s> ?p ?o }", endpoint=endpoint).boolean is True
    finally:
        running.stop()
    assert scratch is not None and not scratch.exists()
    assert fingerprint(build_dir / "store") == before
    assert run_sparql("ASK { <urn:s> ?p ?o }", build=build_dir).boolean is False


def urlopen_update(endpoint: Endpoint, update: str) -> int:
    import urllib.request

    request = urllib.request.Request(
        endpoint.update_url, data=update.encode(), method="POST", headers={"Content-Type": "application/sparql-update"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return int(response.status)


def test_serve_refuses_a_port_in_use_and_a_bad_bind(build_dir):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(UsageError, match="in use"):
            serve.serve_build(build_dir, f"127.0.0.1:{port}")
    with pytest.raises(UsageError, match="HOST:PORT"):
        serve.parse_bind("example.org")


def test_a_remote_timeout_is_a_server_error(fake):
    Fake.answer = (200, "application/sparql-results+json", json.dumps({"boolean": True}).encode(), 2.0)
    with pytest.raises(ServerError, match="no answer"):
        RemoteStore(Endpoint.from_options(fake), timeout=0.5).select("ASK { ?s ?p ?o }", timeout=0.5)
