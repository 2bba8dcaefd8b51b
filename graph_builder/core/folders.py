"""Publishing a folder: one build at a time (a lock beside it), leftovers of killed builds
cleared, and a finished folder (a build, the docs) swapped into place in one step where it
can be (`swap_folder`). Writing one file atomically is `files.py`."""

from __future__ import annotations

import errno
import os
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from graph_builder.core.errors import UsageError


@contextmanager
def exclusive(out_dir: Path) -> Iterator[None]:
    """Hold the build lock of `out_dir` (fcntl.flock on `.{name}.lock` beside it), or raise
    UsageError at once if another process holds it. The holder removes the file before it
    lets go, so a process that locked the file after it was removed tries again."""
    try:
        import fcntl
    except ImportError:  # not POSIX: builds are not serialised
        yield
        return
    path = out_dir.parent / f".{out_dir.name}.lock"
    while True:
        with open(path, "a+", encoding="utf-8") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                lock.seek(0)
                holder = lock.read().strip()
                who = f" (process {holder})" if holder.isdigit() else ""
                raise UsageError(
                    f"{out_dir}: another nhskg build is writing it{who}; wait for it to finish "
                    "or build into another --out"
                ) from None
            try:
                if os.stat(path).st_ino != os.fstat(lock.fileno()).st_ino:
                    continue  # locked a file the previous holder had just removed
            except FileNotFoundError:
                continue
            lock.truncate(0)
            lock.write(f"{os.getpid()}\n")
            lock.flush()
            try:
                yield
            finally:
                path.unlink(missing_ok=True)
            return


def clear_leftovers(out_dir: Path) -> None:
    """Delete the staging folders killed builds left beside `out_dir` (with the lock held, no
    build is using them). A build killed between setting the old build aside and renaming the
    new one in (where folders cannot be exchanged in one step) left no `out_dir`: put the old back."""
    building, previous = f".{out_dir.name}.building-", f".{out_dir.name}.previous-"
    left = [
        p
        for p in out_dir.parent.iterdir()
        if p.name.startswith((building, previous))
        and p.name.rpartition("-")[2].isdigit()
        and p.is_dir()
        and not p.is_symlink()
    ]
    aside = sorted((p for p in left if p.name.startswith(previous)), key=lambda p: p.stat().st_mtime)
    if aside and not out_dir.exists() and (aside[-1] / "manifest.json").is_file():
        os.replace(aside[-1], out_dir)
        left.remove(aside[-1])
    for path in left:
        shutil.rmtree(path, ignore_errors=True)


def check_out_dir(out_dir: Path) -> None:
    """Refuse to replace a folder that is not a previous build (it would be deleted)."""
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"{out_dir}: exists and is not a folder; choose another --out")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not (out_dir / "manifest.json").is_file():
        raise UsageError(
            f"{out_dir}: is not empty and holds no previous build (no manifest.json); choose another --out"
        )


def swap_folder(staging: Path, out_dir: Path) -> None:
    """Swap the finished folder into place, then delete the old one.

    Where the system can, the two folders are exchanged in one step, so `out_dir` always
    holds a whole build; elsewhere the old one is renamed aside and the new one renamed in
    (a build killed between the two leaves the old one aside; the next build puts it back).
    """
    if out_dir.exists() and exchange(staging, out_dir):
        shutil.rmtree(staging, ignore_errors=True)  # it now holds the previous build
        return
    old = out_dir.parent / f".{out_dir.name}.previous-{os.getpid()}"
    if out_dir.exists():
        os.replace(out_dir, old)
    os.replace(staging, out_dir)
    shutil.rmtree(old, ignore_errors=True)


def exchange(a: Path, b: Path) -> bool:
    """Exchange two folders in one step (Linux renameat2 with RENAME_EXCHANGE); False where
    the system or the file system cannot, and nothing was changed."""
    if sys.platform != "linux":
        return False
    import ctypes

    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):  # a C library without renameat2 (glibc < 2.28, musl < 1.2.?)
        return False
    renameat2.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint)
    at_fdcwd, rename_exchange = -100, 2  # <fcntl.h>, <linux/fs.h>
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))
