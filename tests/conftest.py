"""Shared fixtures: the shipped build (once per session), ../shared when present."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

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
