"""Writing a file atomically: the whole new file, or the previous one, never half of one.

    write_atomic(path, ["text", "more text"])        # str chunks, UTF-8, "\\n" line ends
    size = write_chunks_atomic(path, (b"..." for _ in parts))   # bytes, as they are made
    with atomic_file(path) as out:                   # a binary handle: tell(), flush() ...
        out.write(b"...")

Each writes to a temporary file beside `path` (`.{name}.{random}.tmp`), fsyncs it, then
renames it onto `path` in one step; a failure (or an exception from the chunks) removes
the temporary file and leaves `path` as it was.

Permissions: the temporary file is created with mode 0o666 by `os.open`, so the kernel
applies the process umask (and a default ACL of the folder, where there is one) exactly as
a plain `open(path, "w")` of a new file would; the process umask is never read or changed
(changing it, even for an instant, is not thread-safe). A file that is replaced gets the
same permissions as a new one, not the old file's. Swapping a whole folder into place is
`folders.swap_folder`.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

_ATTEMPTS = 100  # names tried before giving up (each collision is a 1 in 2**48 chance)


def _create_beside(path: Path) -> tuple[int, Path]:
    """A new, empty temporary file in `path`'s folder, opened for writing (as open() makes it)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
    for _ in range(_ATTEMPTS):
        tmp = path.parent / f".{path.name}.{secrets.token_hex(6)}.tmp"
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"{path.parent}: no free temporary file name after {_ATTEMPTS} tries")


@contextmanager
def atomic_file(path: Path) -> Iterator[BinaryIO]:
    """A binary handle on a temporary file that replaces `path` (fsynced) when the block ends
    without an exception; with one, the temporary file is removed and `path` is unchanged."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = _create_beside(path)
    try:
        with open(fd, "wb", buffering=1 << 20) as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_chunks_atomic(path: Path, chunks: Iterable[bytes]) -> int:
    """Write pieces, as they are made, in place of `path`; the number of bytes written."""
    written = 0
    with atomic_file(path) as out:
        for chunk in chunks:
            out.write(chunk)
            written += len(chunk)
    return written


def write_atomic(path: Path, chunks: Iterable[str]) -> None:
    """Write text (UTF-8, lines as given: no newline translation) in place of `path`."""
    write_chunks_atomic(path, (chunk.encode("utf-8") for chunk in chunks))
