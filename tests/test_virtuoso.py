"""Virtuoso 7 as the build's server: what docs/store.md says it needs, checked on the
`virtuoso_server` fixture (servers.py): the grants, its Graph Store Protocol endpoint, both
push methods, and a default graph that is the build's graphs, not Virtuoso's own too."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pyoxigraph as ox
import pytest
import servers
from servers import Server

from graph_builder.questions.catalogue import run_sparql
from graph_builder.store.embedded import open_store
from graph_builder.store.endpoint import Endpoint
from graph_builder.store.push import count_graphs, pieces, push

pytestmark = pytest.mark.slow
DOCS = Path(__file__).resolve().parent.parent / "docs" / "store.md"


def test_push_by_sparql_update_sends_each_graph_in_pieces(virtuoso_server: Server, built) -> None:
    """Virtuoso compiles an INSERT DATA to SQL and refuses the memberships graph (17,574
    triples) whole ("SP030 … memory exhausted"); in pieces, in one request, it takes it."""
    report = push(built.out_dir, virtuoso_server.endpoint, method="update", retries=0)
    assert report.counted == open_store(built.out_dir).graph_sizes()


def test_the_default_graph_is_the_builds_graphs_not_virtuosos_own(virtuoso_server: Server, built) -> None:
    """Virtuoso's own default graph holds its system graphs too; the layout names the build's."""
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    local = run_sparql(count, build=built.out_dir).rows
    assert run_sparql(count, endpoint=virtuoso_server.endpoint).rows == local
    assert virtuoso_server.endpoint.dataset == "graphs"
    everything = Endpoint(virtuoso_server.endpoint.query_url, "", "", dataset="server")
    cell = run_sparql(count, endpoint=everything).rows[0][0]
    assert isinstance(cell, ox.Literal) and int(cell.value) > int(str(local[0][0].value))  # type: ignore[union-attr]


def test_the_docs_give_the_grants_the_fixture_gives() -> None:
    """docs/store.md shows the isql-vt statements that servers.py runs, word for word."""
    text = DOCS.read_text()
    shown = re.search(r"```sql\n(.*?)```", text, re.S)
    assert shown is not None, "docs/store.md has no ```sql block with the Virtuoso grants"
    assert shown.group(1).split("\n")[:-1] == list(servers.VIRTUOSO_GRANTS)
    assert "--layout virtuoso" in text and "/sparql-graph-crud" in text


def test_pieces_keep_triples_that_share_a_blank_node_together() -> None:
    lines = [b"<urn:s%d> <urn:p> <urn:o> .\n" % i for i in range(5)]
    lines[1] = b"<urn:s> <urn:p> _:b1 .\n"
    lines[3] = b'_:b1 <urn:p> "x" .\n'
    parts = pieces(b"".join(lines), size=2)
    assert b"".join(sorted(parts)) != b"" and sorted(b"".join(parts).splitlines()) == sorted(
        b"".join(lines).splitlines()
    )
    together = [p for p in parts if b"_:b1" in p]
    assert len(together) == 1 and together[0].count(b"\n") >= 2
    assert all(p.count(b"\n") <= 2 for p in parts)


def shown_commands(first: str) -> str:
    """The indented shell block of docs/store.md that starts with the line `first`."""
    lines = DOCS.read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == first)
    block = []
    for line in lines[start:]:
        if not line.startswith("    "):
            break
        block.append(line.removeprefix("    "))
    return "\n".join(block) + "\n"


def as_on_the_fixture(commands: str, server: Server, built) -> str:
    """The docs' commands with the fixture's ports, password, build and load folder."""
    port = server.endpoint.query_url.split(":")[-1].split("/")[0]
    assert isinstance(server, servers.Virtuoso)
    return (
        commands.replace("127.0.0.1:1111", f"127.0.0.1:{server.sql_port}")
        .replace("127.0.0.1:8890", f"127.0.0.1:{port}")
        .replace('"$VIRTUOSO_DBA_PASSWORD"', "dba")
        .replace("/data/load", str(server.run_dir))
        .replace("build/graph.nq", str(built.out_dir / "graph.nq"))
        .replace("nhskg push ", f"nhskg push --build {built.out_dir} ")
    )


def test_the_docs_commands_grant_push_and_ask(virtuoso_server: Server, built, tmp_path: Path) -> None:
    """The page's grants, push and query lines, run as shown (the fixture's port, password)."""
    grants = re.search(r"```sql\n(.*?)```", DOCS.read_text(), re.S)
    assert grants is not None
    (tmp_path / "grants.sql").write_text(grants.group(1))
    script = as_on_the_fixture(
        shown_commands('isql-vt 127.0.0.1:1111 dba "$VIRTUOSO_DBA_PASSWORD" < grants.sql'), virtuoso_server, built
    )
    done = subprocess.run(
        ["bash", "-euc", script], cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "count matches" in done.stdout and done.stdout.count("\n") > 10


def test_the_docs_bulk_loader_loads_the_build(virtuoso_server: Server, built, tmp_path: Path) -> None:
    """Every graph dropped, then the page's ld_dir script run as shown: the build's counts."""
    server = virtuoso_server
    assert isinstance(server, servers.Virtuoso)
    graphs = sorted(open_store(built.out_dir).graph_sizes())
    server.isql(*(f"SPARQL DROP SILENT GRAPH <{g}>;" for g in graphs))
    assert count_graphs(server.endpoint, graphs, 30) == {}
    script = as_on_the_fixture(shown_commands("cp build/graph.nq /data/load/"), server, built)
    done = subprocess.run(
        ["bash", "-euc", script], cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0 and "Error" not in done.stdout, done.stdout + done.stderr
    assert count_graphs(server.endpoint, graphs, 30) == open_store(built.out_dir).graph_sizes()
