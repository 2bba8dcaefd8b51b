"""One atomic file write (core/files.py): the whole new file or the old one, and the
permissions a plain open() gives a new file under the process umask."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph_builder.core.files import write_atomic, write_chunks_atomic


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def umask_027() -> Iterator[None]:
    previous = os.umask(0o027)
    yield
    os.umask(previous)


def test_a_new_file_gets_the_mode_open_gives_it(tmp_path: Path, umask_027: None) -> None:
    with open(tmp_path / "plain.txt", "w", encoding="utf-8") as f:
        f.write("x")
    write_atomic(tmp_path / "atomic.txt", ["x"])
    assert mode(tmp_path / "atomic.txt") == mode(tmp_path / "plain.txt") == 0o640


def test_a_replaced_file_gets_the_mode_of_a_new_one(tmp_path: Path, umask_027: None) -> None:
    target = tmp_path / "out.bin"
    target.write_bytes(b"old")
    target.chmod(0o600)
    assert write_chunks_atomic(target, [b"new", b" bytes"]) == 9
    assert target.read_bytes() == b"new bytes" and mode(target) == 0o640


def test_the_umask_is_never_changed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Setting the umask, even for an instant, would give a file another thread creates then
    the wrong mode (with umask 0 for a moment: world-writable)."""

    def refuse(mask: int) -> int:
        raise AssertionError(f"os.umask({mask:#o}) called")

    monkeypatch.setattr(os, "umask", refuse)
    write_atomic(tmp_path / "a.txt", ["a\n", "b\n"])
    assert (tmp_path / "a.txt").read_bytes() == b"a\nb\n"


def test_a_failure_part_way_leaves_the_old_file_and_no_leftover(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old", encoding="utf-8")

    def chunks() -> Iterator[str]:
        yield "half"
        raise RuntimeError("the producer failed")

    with pytest.raises(RuntimeError):
        write_atomic(target, chunks())
    assert target.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]


def test_text_is_utf8_with_line_ends_as_given(tmp_path: Path) -> None:
    write_atomic(tmp_path / "sub" / "t.txt", ["é\r\n", "z\n"])
    assert (tmp_path / "sub" / "t.txt").read_bytes() == "é\r\nz\n".encode()
