"""A non-editable wheel install finds its ontology and registers from any folder."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def _see_the_dependencies_of_this_interpreter(py: Path) -> None:
    """Let the venv at `py` import the dependencies installed for the interpreter running
    the tests, without the package itself.

    `system_site_packages=True` would give the *base* interpreter's packages, which on a
    fresh machine are none (the tests run in a venv). A `.pth` line naming this
    interpreter's site-packages puts them on the new venv's path after its own
    site-packages, so the wheel installed there is the `graph_builder` that is imported;
    the editable install's own `.pth` there is not read (only a site folder's are)."""
    own = subprocess.run(
        [str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    ours = {sysconfig.get_paths()[key] for key in ("purelib", "platlib")}
    (Path(own) / "test-dependencies.pth").write_text("".join(f"{folder}\n" for folder in sorted(ours)))


@pytest.mark.slow
def test_wheel_install_builds_from_another_folder(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist), str(REPO)],
        check=True,
        capture_output=True,
    )
    wheel = next(dist.glob("*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        assert any(name.endswith(".dist-info/licenses/LICENSE") for name in archive.namelist()), "no LICENSE"
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    py = env_dir / "bin" / "python"
    _see_the_dependencies_of_this_interpreter(py)
    subprocess.run([str(py), "-m", "pip", "install", "--no-deps", "--no-index", "--quiet", str(wheel)], check=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = subprocess.run(
        [
            str(py),
            "-c",
            "import graph_builder, graph_builder.core.resources as r; "
            "print(graph_builder.__file__); print(r.data_dir())",
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
