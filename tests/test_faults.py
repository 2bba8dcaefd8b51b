"""Nothing lost: a build killed at any point, or stopped by a full disk, leaves the previous
build whole (byte for byte), and the next build succeeds and clears what was left.

A push to a server killed mid-way is tested in test_remote.py
(test_a_server_killed_mid_push_is_reported_and_a_second_push_completes_it: it reports which
graphs are new, unknown and old, and a second push completes it).
"""

from __future__ import annotations

import errno
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

import pyoxigraph as ox
import pytest

from graph_builder.build import parts
from graph_builder.cli.main import main

pytestmark = pytest.mark.slow
KILLS = 4
EARLIEST, LATEST = 0.25, 1.2  # seconds after the start: from start-up to publishing (a build takes about 1 s)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def leftovers(out: Path) -> list[str]:
    """What a build left beside its output folder: staging folders, set-aside builds, locks."""
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}."))


def whole(out: Path, previous: dict[str, bytes]) -> str:
    """'previous' if `out` is byte for byte the previous build, 'new' if it is a whole new
    build of the same registers; fails otherwise (a half-written or missing build)."""
    assert out.is_dir(), f"{out} is missing"
    now = snapshot(out)
    if now == previous:
        return "previous"
    for name in ("graph.nq", "graph.trig"):
        assert now.get(name) == previous[name], f"{name} differs from the previous build's"
    manifest = json.loads(now["manifest.json"])
    assert manifest["registers"] == json.loads(previous["manifest.json"])["registers"]
    store = ox.Store.read_only(str(out / "store"))
    assert len(store) == previous["graph.nq"].count(b"\n")
    del store
    return "new"


@pytest.fixture()
def out(built, tmp_path) -> Path:
    """A copy of the session's build: the previous build a new one must not damage."""
    target = tmp_path / "out"
    shutil.copytree(built.out_dir, target)
    return target


def nhskg(*args: str, cwd: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "graph_builder", *args], cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def build_again(out: Path, cwd: Path) -> None:
    """The next build after a killed one succeeds (it clears what the killed one left)."""
    done = subprocess.run(
        [sys.executable, "-m", "graph_builder", "build", "--out", str(out)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr


def test_a_build_killed_at_random_points_leaves_a_whole_build(out, tmp_path):
    seed = int(os.environ.get("NHSKG_FAULT_SEED", time.time_ns() % 1_000_000))
    rng, step = random.Random(seed), (LATEST - EARLIEST) / KILLS
    delays = [rng.uniform(EARLIEST + i * step, EARLIEST + (i + 1) * step) for i in range(KILLS)]  # early to late
    previous, seen = snapshot(out), []
    for delay in delays:
        with nhskg("build", "--full", "--out", str(out), cwd=tmp_path) as process:  # --full: nothing changed
            time.sleep(delay)
            process.send_signal(signal.SIGKILL)
            process.wait()
        killed = process.returncode == -signal.SIGKILL  # else it had finished before the signal
        state = whole(out, previous)  # whole, whichever it is
        seen.append(f"{delay:.2f} s: {'killed' if killed else 'had finished'}, {state}")
        if state == "new":
            previous = snapshot(out)
        if not killed:
            assert process.returncode == 0 and state == "new", seen
    assert any("killed" in s for s in seen), f"no kill landed during a build (seed {seed}): {seen}"
    seen.append(f"left: {leftovers(out)}")  # staging folders of the killed builds, cleared by the next one
    build_again(out, tmp_path)
    assert whole(out, previous) == "new" and leftovers(out) == [], (seed, seen)


PUBLISH_KILLER = """
import os, shutil, signal, sys
from graph_builder.cli import main as cli
from graph_builder.core import folders as publishing

mode, after = sys.argv[1], int(sys.argv[2])  # killed after this many steps of the publishing step
real_publish, done = publishing.swap_folder, []

def step(name, real):
    def run(*args):
        result = real(*args)
        done.append(name)
        if len(done) == after:
            print(name, flush=True)  # the step the kill follows
            os.kill(os.getpid(), signal.SIGKILL)
        return result
    return run

def publish(staging, out_dir):
    print(staging, flush=True)
    if after == 0:
        os.kill(os.getpid(), signal.SIGKILL)
    # every change to the folders: an exchange, a rename, a deletion
    publishing.exchange = step("exchange", publishing.exchange) if mode == "exchange" else lambda a, b: False
    os.replace, shutil.rmtree = step("replace", os.replace), step("rmtree", shutil.rmtree)
    real_publish(staging, out_dir)

publishing.swap_folder = publish
cli.main(sys.argv[3:])
"""


def killed_while_publishing(mode: str, after: int, out: Path, cwd: Path) -> tuple[Path, list[str]]:
    """Build into `out`, killed once `after` steps of publishing are done: the staging folder
    and the steps done (the killer fails the test if the build is not killed)."""
    done = subprocess.run(
        [sys.executable, "-c", PUBLISH_KILLER, mode, str(after), "build", "--out", str(out)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == -signal.SIGKILL, f"not killed (exit {done.returncode}): {done.stdout}{done.stderr}"
    staging, *steps = done.stdout.split()
    return Path(staging), steps


@pytest.mark.parametrize("after", [0, 1])
def test_a_build_killed_while_publishing_leaves_a_whole_build(after, out, tmp_path):
    """Killed as the finished build is swapped in (where folders are exchanged in one step):
    just before, the folder holds the previous build byte for byte; just after the exchange,
    the whole new build, and the previous one, whole, in the staging folder, which the next
    build clears."""
    previous = snapshot(out)
    staging, steps = killed_while_publishing("exchange", after, out, tmp_path)
    if after == 0:
        assert whole(out, previous) == "previous"
        return
    assert whole(out, previous) == "new" and snapshot(staging) == previous
    assert steps == ["exchange"]  # the swap was one step
    build_again(out, tmp_path)
    assert whole(out, previous) == "new" and leftovers(out) == []


def test_the_next_build_puts_back_a_build_set_aside_when_killed(out, data_copy, tmp_path, capsys):
    """Where folders cannot be exchanged, a build killed between renaming the old build aside
    and the new one in leaves no folder; the next build, even one that fails, puts it back."""
    previous = snapshot(out)
    _, steps = killed_while_publishing("fallback", 1, out, tmp_path)
    assert steps == ["replace"]
    assert not out.exists() and any(name.startswith(".out.previous-") for name in leftovers(out))
    (data_copy / "sources.csv").write_text("key\n", encoding="utf-8")
    code = 0
    try:
        main(["build", "--data", str(data_copy), "--out", str(out)])
    except SystemExit as exc:
        code = int(exc.code or 0)
    assert code == 2 and "sources.csv:1" in capsys.readouterr().err
    assert snapshot(out) == previous and leftovers(out) == []


@pytest.mark.parametrize("where", ["writing graph.nq", "fsync of manifest.json"])
def test_a_full_disk_leaves_no_partial_output(where, out, tmp_path, monkeypatch, capsys):
    previous = snapshot(out)
    real_copy, real_fsync = parts._copy, os.fsync

    def copy(src: IO[bytes], target: IO[bytes], offset: int, length: int) -> None:
        name = os.readlink(f"/proc/self/fd/{target.fileno()}").rpartition("/")[2]
        if where == "writing graph.nq" and name.startswith(".graph.nq.") and target.tell() > 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))  # some parts in: the temporary file is on disk
        real_copy(src, target, offset, length)

    def fsync(fd: int) -> None:
        if where.startswith("fsync") and os.readlink(f"/proc/self/fd/{fd}").rpartition("/")[2].startswith(
            ".manifest.json."
        ):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_fsync(fd)

    monkeypatch.setattr(parts, "_copy", copy)
    monkeypatch.setattr(os, "fsync", fsync)
    code = 0
    try:  # --full: nothing changed, so an incremental build would link graph.nq, not write it
        main(["build", "--out", str(out), "--full"])
    except SystemExit as exc:
        code = int(exc.code or 0)
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "No space left on device" in err, err
    assert "the previous build is untouched" in err
    assert snapshot(out) == previous and leftovers(out) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


SIZE_LIMITED = """
import resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead
resource.setrlimit(resource.RLIMIT_FSIZE, (4 << 20, 4 << 20))
from graph_builder.cli.main import main
main(sys.argv[1:])
"""


def test_a_file_size_limit_from_the_system_leaves_no_partial_output(out, tmp_path):
    """The kernel refuses writes past 4 MB (RLIMIT_FSIZE, as a disk that fills up): graph.nq
    and the store's files cannot be written whole."""
    previous = snapshot(out)
    done = subprocess.run(
        [sys.executable, "-c", SIZE_LIMITED, "build", "--full", "--out", str(out)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    assert "File too large" in done.stderr and "the previous build is untouched" in done.stderr
    assert snapshot(out) == previous and leftovers(out) == []
