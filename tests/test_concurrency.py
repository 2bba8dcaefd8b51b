"""Two builds of one folder: one wins, the other stops at once with exit 2 and says why; the
folder holds a whole build either way. Ten queries at once on the embedded store all answer."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from graph_builder.questions.answers import render_answer
from graph_builder.questions.catalogue import run

pytestmark = pytest.mark.slow
NHSKG = [sys.executable, "-m", "graph_builder"]


@pytest.fixture()
def out(built, tmp_path) -> Path:
    target = tmp_path / "out"
    shutil.copytree(built.out_dir, target)
    return target


def assert_whole(out: Path, built) -> None:
    """A whole build of the shipped registers, and nothing left beside it."""
    for name in ("graph.nq", "graph.trig"):
        assert (out / name).read_bytes() == (built.out_dir / name).read_bytes()
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8"))["registers"]
    store = ox.Store.read_only(str(out / "store"))
    assert len(store) == built.statements
    del store
    assert [p.name for p in out.parent.iterdir() if p.name.startswith(".out.")] == []


def test_a_second_build_stops_at_once_while_the_first_holds_the_folder(out, built, tmp_path):
    lock = tmp_path / ".out.lock"
    with subprocess.Popen(
        [*NHSKG, "build", "--out", str(out)], cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    ) as first:
        deadline = time.monotonic() + 60
        while not (lock.is_file() and lock.read_text(encoding="utf-8").strip() == str(first.pid)):
            assert first.poll() is None and time.monotonic() < deadline, "the first build never took the lock"
            time.sleep(0.01)
        first.send_signal(signal.SIGSTOP)  # it holds the lock for as long as the second one runs
        try:
            second = subprocess.run(
                [*NHSKG, "build", "--out", str(out)], cwd=tmp_path, capture_output=True, text=True, timeout=60
            )
        finally:
            first.send_signal(signal.SIGCONT)
        _, first_err = first.communicate(timeout=120)
    assert second.returncode == 2, second.stderr
    assert second.stderr == (
        f"nhskg: {out}: another nhskg build is writing it (process {first.pid}); wait for it "
        "to finish or build into another --out\n"
    )
    assert first.returncode == 0, first_err
    assert_whole(out, built)


def test_two_builds_started_together(out, built, tmp_path):
    builds = [
        subprocess.Popen(
            [*NHSKG, "build", "--out", str(out)],
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    results = [(b.wait(timeout=120), b.communicate()[1]) for b in builds]
    codes = sorted(code for code, _ in results)
    assert codes in ([0, 2], [0, 0]), results  # [0, 0]: the second started after the first had finished
    for code, err in results:
        assert code == 0 or "another nhskg build is writing it" in err, err
    assert_whole(out, built)


def test_ten_queries_at_once_all_answer(built, tmp_path):
    expected = render_answer(run("who-follows-whom", build=built.out_dir), "csv").encode()  # CSV lines end in CRLF
    queries = [
        subprocess.Popen(
            [*NHSKG, "query", "who-follows-whom", "--format", "csv", "--build", str(built.out_dir)],
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(10)
    ]
    answers = [q.communicate(timeout=120) for q in queries]
    assert [q.returncode for q in queries] == [0] * 10, [err for _, err in answers]
    assert all(out == expected for out, _ in answers)
