"""Serve a build over HTTP with the Oxigraph server (`pip install oxigraph`, the same version as pyoxigraph).

    server = serve_build(Path("build"))            # read-only, http://127.0.0.1:7878
    print(server.url)                              # SPARQL 1.1 endpoints: /query, /store (GET)
    server.wait()                                  # until it stops; server.stop() ends it

Read-only by default: `oxigraph serve-read-only --location build/store`, which opens the
store as the embedded engine does, without changing a byte, and can share it with any
number of readers. `read_write=True` serves a copy of the store (in `copy_to`, or a temporary
folder removed when the server stops), so pushes and updates never touch the build. The
default graph is the union of the named graphs (`--union-default-graph`), so the saved
queries run as they are from any SPARQL client.

`start` is the general form (any location, or none for an in-memory read-write server);
the tests use it for their server. The server process ends with the Python process that
started it (Linux: PR_SET_PDEATHSIG), so an interrupted test run leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import ctypes
import ipaddress
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from graph_builder.core.errors import ServerError, UsageError
from graph_builder.store.embedded import store_dir

DEFAULT_BIND = "127.0.0.1:7878"


def oxigraph_binary() -> str:
    """The `oxigraph` command of this environment, or a UsageError saying how to install it."""
    beside = Path(sys.executable).parent / "oxigraph"
    found = str(beside) if beside.is_file() else shutil.which("oxigraph")
    if not found:
        raise UsageError(
            "the Oxigraph server is not installed; run `pip install oxigraph` (the same version as pyoxigraph)"
        )
    return found


def parse_bind(bind: str) -> tuple[str, int]:
    """HOST:PORT (IPv6 as [::1]:PORT) → (host, port), or a UsageError."""
    host, sep, port = bind.strip().rpartition(":")
    host = host.strip("[]")
    try:
        number = int(port)
        if host != "localhost":
            ipaddress.ip_address(host)
    except ValueError:
        number = -1
    if not sep or not host or not 0 < number < 65536:
        raise UsageError(f"--bind {bind!r} is not HOST:PORT with an IP address, e.g. {DEFAULT_BIND}")
    return host, number


@dataclass
class Server:
    """A running Oxigraph server."""

    process: subprocess.Popen[bytes]
    host: str
    port: int
    location: Path | None
    read_write: bool
    log: IO[bytes]
    scratch: Path | None = None
    """A temporary copy of the store, removed when the server stops."""

    @property
    def url(self) -> str:
        """The base URL (the endpoint for `nhskg query --endpoint`)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def wait(self) -> int:
        """Block until the server stops; its exit status."""
        return self.process.wait()

    def stop(self, grace: float = 10.0) -> None:
        """Stop the server (SIGTERM, then SIGKILL after `grace` seconds) and remove any scratch copy."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(grace)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        if self.scratch:
            shutil.rmtree(self.scratch, ignore_errors=True)

    def last_words(self) -> str:
        """The server's error message (its `Error:` line), else the last line it wrote."""
        self.log.flush()
        self.log.seek(0)
        lines = [line.strip() for line in self.log.read().decode("utf-8", "replace").splitlines() if line.strip()]
        errors = [line for line in lines if line.startswith("Error")]
        return (errors or lines or ["no message"])[-1]


def start(
    location: Path | None,
    bind: str = DEFAULT_BIND,
    read_write: bool = False,
    ready_within: float = 20.0,
    timeout_s: int | None = None,
) -> Server:
    """Start `oxigraph serve` (read-write) or `serve-read-only` and wait until it accepts connections."""
    host, port = parse_bind(bind)
    if location is None and not read_write:
        raise UsageError("a read-only server needs a store location")
    command = [
        oxigraph_binary(),
        "serve" if read_write else "serve-read-only",
        "--bind",
        f"{host}:{port}",
        "--union-default-graph",
    ]
    if location is not None:
        command += ["--location", str(location)]
    if timeout_s:
        command += ["--timeout-s", str(timeout_s)]
    _check_free(host, port)
    log = tempfile.TemporaryFile()  # noqa: SIM115 - kept open for the life of the server; Server.stop closes it
    process = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=log,
        preexec_fn=_die_with_parent if sys.platform == "linux" else None,
    )
    server = Server(process, host, port, location, read_write, log)
    deadline = time.monotonic() + ready_within
    while time.monotonic() < deadline:
        if process.poll() is not None:
            words = server.last_words()
            server.stop()
            if "in use" in words.lower():
                raise UsageError(f"cannot listen on {host}:{port} (in use); choose another --bind")
            raise ServerError(f"the Oxigraph server stopped at once (exit {process.returncode}): {words}", server.url)
        with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.5):
            if process.poll() is None:
                return server
        time.sleep(0.05)
    server.stop()
    raise ServerError(
        f"the Oxigraph server did not accept connections on {host}:{port} within {ready_within:g} s", server.url
    )


def _check_free(host: str, port: int) -> None:
    """A UsageError (exit 2) if something already listens on host:port."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server does: TIME_WAIT is no obstacle
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise UsageError(f"cannot listen on {host}:{port} ({exc.strerror}); choose another --bind") from None


def serve_build(
    build_dir: Path, bind: str = DEFAULT_BIND, read_write: bool = False, copy_to: Path | None = None
) -> Server:
    """Serve a build's store: read-only in place, or read-write on a copy (see module doc)."""
    store = store_dir(build_dir)
    if store is None:
        raise UsageError(f"{build_dir}: holds no store/ to serve; run `nhskg build` first (or pass --build DIR)")
    if not read_write:
        return start(store, bind)
    scratch = None
    if copy_to is None:
        copy_to = scratch = Path(tempfile.mkdtemp(prefix="nhskg-serve-"))
    elif copy_to.exists() and any(copy_to.iterdir()):
        raise UsageError(f"{copy_to}: is not empty; --copy-to needs a new or empty folder")
    target = copy_to / "store"
    shutil.copytree(store, target, ignore=shutil.ignore_patterns("LOCK"))
    try:
        server = start(target, bind, read_write=True)
    except BaseException:
        if scratch:
            shutil.rmtree(scratch, ignore_errors=True)
        raise
    server.scratch = scratch
    return server


def _die_with_parent() -> None:  # pragma: no cover - runs in the child, before exec
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
