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

from graph_builder import parts
from graph_builder.cli import main

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
    return subprocess.Popen([sys.executable, "-m", "graph_builder", *args], cwd=cwd, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


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
    done = subprocess.run([sys.executable, "-m", "graph_builder", "build", "--out", str(out)], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert whole(out, previous) == "new" and leftovers(out) == [], (seed, seen)


PUBLISH_KILLER = """
import os, signal, sys
from pathlib import Path
from typing import IO
from graph_builder import cli, publish as publishing

fallback = sys.argv[1] == "fallback"
real_replace, real_publish = os.replace, publishing.publish

def replace_then_die(src, dst):
    real_replace(src, dst)
    os.kill(os.getpid(), signal.SIGKILL)

def publish(staging, out_dir):
    os.replace = replace_then_die  # every rename of the publishing step is the last thing done
    real_publish(staging, out_dir)

publishing.publish = publish
if fallback:  # as where folders cannot be exchanged in one step
    publishing.exchange = lambda a, b: False
cli.main(sys.argv[2:])
"""


def test_a_build_killed_while_publishing_leaves_a_whole_build(out, tmp_path):
    """Killed right after any rename of the publishing step: the folder holds a whole build
    (where the folders are exchanged in one step, there is no such rename)."""
    previous = snapshot(out)
    done = subprocess.run([sys.executable, "-c", PUBLISH_KILLER, "exchange", "build", "--out", str(out)],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode in (0, -signal.SIGKILL), done.stderr
    assert whole(out, previous) in ("previous", "new")


def test_the_next_build_puts_back_a_build_set_aside_when_killed(out, data_copy, tmp_path, capsys):
    """Where folders cannot be exchanged, a build killed between renaming the old build aside
    and the new one in leaves no folder; the next build, even one that fails, puts it back."""
    previous = snapshot(out)
    done = subprocess.run([sys.executable, "-c", PUBLISH_KILLER, "fallback", "build", "--out", str(out)],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == -signal.SIGKILL, done.stderr
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
                ".manifest.json."):
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
from graph_builder.cli import main
main(sys.argv[1:])
"""


def test_a_file_size_limit_from_the_system_leaves_no_partial_output(out, tmp_path):
    """The kernel refuses writes past 4 MB (RLIMIT_FSIZE, as a disk that fills up): graph.nq
    and the store's files cannot be written whole."""
    previous = snapshot(out)
    done = subprocess.run([sys.executable, "-c", SIZE_LIMITED, "build", "--full", "--out", str(out)], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    assert "File too large" in done.stderr and "the previous build is untouched" in done.stderr
    assert snapshot(out) == previous and leftovers(out) == []
