"""Shared fixtures: the shipped build (once per session), ../shared when present, and the
SPARQL servers holding it (servers.py: Oxigraph, Virtuoso, Jena; each started once)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import servers

from graph_builder.build import run as building
from graph_builder.core import resources
from graph_builder.registers import Context
from graph_builder.registers.load import read_registers

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "data"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite the expected.ttl of every golden case from the current builders",
    )


@pytest.fixture(scope="session")
def shipped_data() -> Path:
    return resources.data_dir()


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory, shipped_data: Path) -> building.BuildResult:
    """The shipped registers built once into a temporary folder."""
    out = tmp_path_factory.mktemp("build") / "build"
    return building.build(shipped_data, out)


@pytest.fixture(scope="session")
def store(built: building.BuildResult) -> ox.Store:
    """The shipped build's graph.nq in a store in memory (default graph: the union)."""
    s = ox.Store()
    assert built.out_dir is not None
    s.load(path=str(built.out_dir / "graph.nq"), format=ox.RdfFormat.N_QUADS)
    return s


@pytest.fixture(scope="session")
def reference_ctx(shipped_data: Path) -> Context:
    ctx, _ = read_registers(shipped_data)
    return ctx


@pytest.fixture()
def data_copy(tmp_path: Path, shipped_data: Path) -> Path:
    """A writable copy of the shipped registers, to break on purpose."""
    dest = tmp_path / "data"
    shutil.copytree(shipped_data, dest, ignore=shutil.ignore_patterns("derive", "README.md"))
    return dest


@pytest.fixture(scope="session")
def shared() -> Path:
    if not (SHARED / "sources").is_dir():
        pytest.skip(f"../shared is absent ({SHARED}); CI has it")
    return SHARED


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory, built: building.BuildResult) -> Iterator[servers.Server]:
    """A read-write Oxigraph server holding the shipped build (pushed)."""
    with servers.running(servers.Oxigraph("oxigraph", tmp_path_factory.mktemp("oxigraph"), built.out_dir)) as server:
        yield server
    assert server.process is not None and server.process.poll() is not None


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory: pytest.TempPathFactory, built: building.BuildResult) -> Iterator[servers.Server]:
    """Virtuoso 7 holding the shipped build (pushed by the Graph Store Protocol)."""
    servers.missing("virtuoso-t", "isql-vt")
    with servers.running(servers.Virtuoso("virtuoso", tmp_path_factory.mktemp("virtuoso"), built.out_dir)) as server:
        yield server
    assert server.process is not None and server.process.poll() is not None


@pytest.fixture(scope="session")
def jena_server(tmp_path_factory: pytest.TempPathFactory, built: building.BuildResult) -> Iterator[servers.Server]:
    """Jena ARQ behind tests/jena/JenaEndpoint.java, over the build's graph.nq (read-only)."""
    servers.missing("java", "javac", files=(servers.JAVA / "jena-arq.jar",))
    with servers.running(servers.Jena("jena", tmp_path_factory.mktemp("jena"), built.out_dir)) as server:
        yield server
    assert server.process is not None and server.process.poll() is not None
