"""A non-editable wheel install finds its ontology and registers from any folder."""

from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_wheel_install_builds_from_another_folder(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist), str(REPO)],
        check=True,
        capture_output=True,
    )
    wheel = next(dist.glob("*.whl"))
    env_dir = tmp_path / "venv"
    # The dependencies come from this interpreter's site-packages; the package itself
    # only from the wheel (installed into the venv, which comes first on sys.path).
    venv.create(env_dir, system_site_packages=True, with_pip=True)
    py = env_dir / "bin" / "python"
    subprocess.run([str(py), "-m", "pip", "install", "--no-deps", "--no-index", "--quiet", str(wheel)], check=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = subprocess.run(
        [
            str(py),
            "-c",
            "import graph_builder, graph_builder.resources as r; print(graph_builder.__file__); print(r.data_dir())",
        ],
        cwd=elsewhere,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.splitlines()
    assert str(env_dir) in where[0], where
    assert "_resources" in where[1], where
    proc = subprocess.run(
        [str(env_dir / "bin" / "nhskg"), "build", "--out", str(elsewhere / "out")],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "NHS trusts" in proc.stdout
    assert (elsewhere / "out" / "graph.trig").stat().st_size > 100_000
