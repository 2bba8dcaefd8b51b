"""On a terminal, long commands show progress on stderr (one display for all); in a pipe or
with --quiet they show none, and their output is the same."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from graph_builder.cli import store as cli_store
from graph_builder.store.push import GraphPush


def run_on_a_terminal(args: list[str], cwd: Path) -> tuple[int, str, str]:
    """`nhskg ARGS` with stderr on a pseudo-terminal: exit code, stdout, what the terminal got."""
    main, secondary = pty.openpty()
    got: list[bytes] = []

    def read() -> None:
        while True:
            try:
                data = os.read(main, 65536)
            except OSError:  # the other end closed
                return
            if not data:
                return
            got.append(data)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    with subprocess.Popen(
        [sys.executable, "-m", "graph_builder", *args], cwd=cwd, stdout=subprocess.PIPE, stderr=secondary
    ) as process:
        os.close(secondary)
        out, _ = process.communicate(timeout=300)
    reader.join(30)
    os.close(main)
    return process.returncode, out.decode(), b"".join(got).decode(errors="replace")


@pytest.mark.parametrize(
    ("command", "shown"),
    [
        (["export", "--view", "followers", "-o", "f.graphml"], "exporting the followers view to f.graphml"),
        (["validate", "partnerships.csv"], "validating 1 file"),
        (["build", "-o", "again"], "building"),
    ],
)
def test_long_commands_show_progress_on_a_terminal_only(command, shown, built, tmp_path):
    source = Path(__file__).parent / "validate_cases" / "partnership-in-programme" / "invalid.csv"
    (tmp_path / "partnerships.csv").write_bytes(source.read_bytes())
    where = (
        ["--build", str(built.out_dir)]
        if command[0] == "export"
        else (["--against", str(built.out_dir)] if command[0] == "validate" else [])
    )
    code, out, terminal = run_on_a_terminal([*command, *where], tmp_path)
    assert code in (0, 1), terminal
    assert shown in terminal and out and shown not in out
    code, _, quiet = run_on_a_terminal(["-q", *command, *where], tmp_path)
    assert code in (0, 1) and shown not in quiet
    piped = subprocess.run(
        [sys.executable, "-m", "graph_builder", *command, *where],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert shown not in piped.stderr


def test_push_progress_is_shown_graph_by_graph():
    seen: list[tuple[str, int, int | None]] = []
    shown = cli_store._each_graph(lambda what, done, total: seen.append((what, done, total)))
    assert shown is not None and cli_store._each_graph(None) is None
    item = GraphPush("https://w3id.org/nhs-dkg/graph/memberships", 10)
    shown("sending", item, 3, 16)
    shown("sent", item, 3, 16)
    assert seen == [("sending memberships", 2, 16), ("sent memberships", 3, 16)]
