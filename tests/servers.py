"""SPARQL servers for the tests: Oxigraph, Virtuoso 7 and Jena, started alike (conftest.py).

Each starts on 127.0.0.1 on a free port with every file in a temporary folder, is waited for
until it answers `ASK {}`, holds the shipped build (pushed with `nhskg push`, or loaded from
graph.nq at start for Jena, which is read-only here), and is stopped by its PID at the end:

- `Oxigraph`: `oxigraph serve --union-default-graph` (store/serve.py, as `nhskg serve`);
- `Virtuoso`: Debian's `virtuoso-opensource` with a throw-away virtuoso.ini, the SPARQL
  update grants given through `isql-vt`, pushed by the Graph Store Protocol;
- `Jena`: Debian's `libapache-jena-java` has no Fuseki, so tests/jena/JenaEndpoint.java (a
  SPARQL 1.1 Protocol endpoint over ARQ, laid out as Fuseki's) is compiled with javac
  against a repaired class path (`jena_classpath`).

A server missing from the machine skips its tests, unless NHSKG_ENGINES=required (CI) makes
that a failure. `restart` replaces a server that hung or crashed with a fresh one.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import pytest

from graph_builder.registers import dataset_graphs
from graph_builder.store import serve
from graph_builder.store.endpoint import Endpoint
from graph_builder.store.push import push

HERE = Path(__file__).resolve().parent
JAVA = Path("/usr/share/java")
VIRTUOSO_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")
VIRTUOSO_GRANTS = (
    'GRANT SPARQL_UPDATE TO "SPARQL";',
    'GRANT EXECUTE ON DB.DBA.SPARQL_INSERT_DICT_CONTENT TO "SPARQL";',
    'GRANT EXECUTE ON DB.DBA.SPARQL_DELETE_DICT_CONTENT TO "SPARQL";',
    "DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 7);",
)
"""What lets `nhskg push` write to Virtuoso, as dba through isql-vt (docs/store.md shows these)."""

JENA_JARS = (
    "jena-arq",
    "jena-base",
    "jena-core",
    "jena-dboe-base",
    "jena-dboe-index",
    "jena-dboe-storage",
    "jena-dboe-trans-data",
    "jena-dboe-transaction",
    "jena-iri",
    "commons-cli",
    "commons-codec",
    "commons-compress",
    "commons-csv",
    "commons-io",
    "commons-lang3",
    "dexx.collection",
    "gson",
    "guava",
    "httpclient",
    "httpcore",
    "jackson-annotations",
    "jackson-core",
    "jackson-databind",
    "jakarta.json-api",
    "jsonld-java",
    "titanium-json-ld",
    "protobuf",
    "thrift",
    "slf4j-api",
    "slf4j-nop",
    "jcl-over-slf4j",
)
"""Named one by one: /usr/share/java/* holds two SLF4J bindings, which overflow the stack."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def missing(*commands: str, files: tuple[Path, ...] = ()) -> None:
    """Skip (or, with NHSKG_ENGINES=required, fail) when a command or file is not installed."""
    absent = [c for c in commands if not shutil.which(c)] + [str(f) for f in files if not f.exists()]
    if absent:
        why = f"not installed: {', '.join(absent)} (.ci/run installs them)"
        if os.environ.get("NHSKG_ENGINES") == "required":
            pytest.fail(why)
        pytest.skip(why)


def answers(endpoint: Endpoint, within: float) -> bool:
    """Whether the server answers `ASK {}` on its query URL within `within` seconds."""
    request = urllib.request.Request(
        endpoint.query_url,
        data=b"query=ASK%20%7B%7D",
        headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/sparql-results+json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=within) as response:
            return b"true" in response.read()
    except OSError:
        return False


@dataclass
class Server:
    """A server process of the tests: started in `folder`, waited for, stopped by its PID."""

    name: str
    folder: Path
    build: Path
    endpoint: Endpoint = field(init=False)
    process: subprocess.Popen[bytes] | None = None
    log: IO[bytes] | None = None
    starts: int = 0

    def start(self) -> None:
        """Start a fresh instance in a new subfolder, wait until it answers, give it the build."""
        self.starts += 1
        run = self.folder / f"run{self.starts}"
        run.mkdir(parents=True)
        command, self.endpoint = self.prepare(run, free_port())
        self.log = (run / "server.log").open("wb")
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=self.log,
            cwd=run,
            preexec_fn=_die_with_parent,  # an interrupted test run leaves no server behind
        )
        self.wait_until_answering(run)
        self.ready(run)

    @property
    def run_dir(self) -> Path:
        """The folder of the running instance (a fresh one at each start)."""
        return self.folder / f"run{self.starts}"

    def prepare(self, run: Path, port: int) -> tuple[list[str], Endpoint]:
        raise NotImplementedError

    def ready(self, run: Path) -> None:
        """What a started server needs before it is asked (grants, the build)."""

    def wait_until_answering(self, run: Path, within: float = 120.0) -> None:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} stopped at start (exit {self.process.returncode}): {self.tail(run)}")
            if answers(self.endpoint, 2.0):
                return
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"{self.name} did not answer ASK {{}} within {within:g} s: {self.tail(run)}")

    def tail(self, run: Path) -> str:
        text = (run / "server.log").read_text("utf-8", "replace") if (run / "server.log").exists() else ""
        return " | ".join(text.strip().splitlines()[-5:]) or "no output"

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None and answers(self.endpoint, 10.0)

    def stop(self) -> None:
        """Stop the process by its PID: SIGTERM, then SIGKILL after 15 s."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.log is not None:
            self.log.close()

    def restart(self) -> None:
        self.stop()
        self.start()


@dataclass
class Oxigraph(Server):
    """`oxigraph serve`, read-write, over a store in the folder (store/serve.py); the build pushed."""

    running: serve.Server | None = None

    def start(self) -> None:
        self.starts += 1
        self.running = serve.start(self.folder / f"run{self.starts}", f"127.0.0.1:{free_port()}", read_write=True)
        self.process = self.running.process
        self.endpoint = Endpoint.from_options(self.running.url)
        push(self.build, self.endpoint)

    def stop(self) -> None:
        if self.running is not None:
            self.running.stop()


@dataclass
class Virtuoso(Server):
    """Virtuoso 7 from a throw-away virtuoso.ini; `nhskg push` by the Graph Store Protocol."""

    sql_port: int = 0

    def prepare(self, run: Path, port: int) -> tuple[list[str], Endpoint]:
        self.sql_port = free_port()
        ini = virtuoso_ini(VIRTUOSO_INI.read_text(), run, self.sql_port, port)
        (run / "virtuoso.ini").write_text(ini)
        endpoint = Endpoint.from_options(f"http://127.0.0.1:{port}", layout="virtuoso", graphs=dataset_graphs())
        return ["virtuoso-t", "+foreground", "+configfile", str(run / "virtuoso.ini")], endpoint

    def ready(self, run: Path) -> None:
        self.isql(*VIRTUOSO_GRANTS)
        push(self.build, self.endpoint)

    def isql(self, *statements: str) -> str:
        """Run SQL statements as dba; their output, or a RuntimeError with it."""
        script = "\n".join(statements) + "\n"
        done = subprocess.run(
            ["isql-vt", f"127.0.0.1:{self.sql_port}", "dba", "dba"],
            input=script.encode(),
            capture_output=True,
            timeout=60,
            check=False,
        )
        output = (done.stdout + done.stderr).decode("utf-8", "replace")
        if done.returncode or "*** Error" in output:
            raise RuntimeError(f"isql-vt failed: {output.strip()[-500:]}")
        return output


def virtuoso_ini(text: str, run: Path, sql_port: int, http_port: int) -> str:
    """Debian's virtuoso.ini with every file in `run`, both ports on 127.0.0.1, and no
    server-side cut-off (Virtuoso answers a query cut by MaxQueryExecutionTime or
    ResultSetMaxRows with partial results, which would read as wrong answers)."""
    files = {
        ("Database", "DatabaseFile"): "virtuoso.db",
        ("Database", "ErrorLogFile"): "virtuoso.log",
        ("Database", "LockFile"): "virtuoso.lck",
        ("Database", "TransactionFile"): "virtuoso.trx",
        ("Database", "xa_persistent_file"): "virtuoso.pxa",
        ("TempDatabase", "DatabaseFile"): "virtuoso-temp.db",
        ("TempDatabase", "TransactionFile"): "virtuoso-temp.trx",
    }
    values = {key: str(run / name) for key, name in files.items()}
    values |= {
        ("Parameters", "ServerPort"): f"127.0.0.1:{sql_port}",
        ("HTTPServer", "ServerPort"): f"127.0.0.1:{http_port}",
        ("Parameters", "DirsAllowed"): f"., /usr/share/virtuoso-opensource-7/vad, {run}",
        ("Parameters", "NumberOfBuffers"): "20000",
        ("SPARQL", "ResultSetMaxRows"): "1000000",
        ("SPARQL", "MaxQueryExecutionTime"): "0",
        ("SPARQL", "MaxQueryCostEstimationTime"): "0",
    }
    lines, section = [], ""
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("["):
            section = stripped.strip("[]")
        key = stripped.split("=", 1)[0].strip()
        if "=" in stripped and not stripped.startswith(";") and (section, key) in values:
            line = f"{key} = {values[(section, key)]}"
        lines.append(line)
    return "\n".join(lines) + "\n"


@dataclass
class Jena(Server):
    """tests/jena/JenaEndpoint.java over the build's graph.nq, laid out as Fuseki's (read-only)."""

    def prepare(self, run: Path, port: int) -> tuple[list[str], Endpoint]:
        classes = self.folder / "classes"
        classpath = jena_classpath(self.folder / "jena-fix")
        if not (classes / "JenaEndpoint.class").exists():
            compile_java(HERE / "jena" / "JenaEndpoint.java", classes, classpath)
        command = ["java", "-Xmx1g", "-cp", f"{classes}:{classpath}", "JenaEndpoint", str(port)]
        endpoint = Endpoint.from_options(f"http://127.0.0.1:{port}/nhs-dkg", layout="fuseki", graphs=dataset_graphs())
        return [*command, str(self.build / "graph.nq")], endpoint


def compile_java(source: Path, classes: Path, classpath: str) -> None:
    done = subprocess.run(
        ["javac", "-d", str(classes), "-cp", classpath, str(source)], capture_output=True, timeout=300, check=False
    )
    if done.returncode:
        raise RuntimeError(f"javac {source.name} failed: {done.stderr.decode('utf-8', 'replace')[-800:]}")


def jena_classpath(fix: Path) -> str:
    """The class path of Debian's Jena 4.5, repaired: its Xerces classes went to the package
    `xerces` but their message bundles stayed under org/apache/jena/ext/xerces/ ("internal
    error" at start), so a copy of them goes where the classes look, first on the path."""
    if not (fix / "xerces").is_dir():
        prefix = "org/apache/jena/ext/xerces/"
        with zipfile.ZipFile(JAVA / "jena-core.jar") as jar:
            for name in jar.namelist():
                if name.startswith(prefix) and not name.endswith("/"):
                    target = fix / "xerces" / name.removeprefix(prefix)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(jar.read(name))
    jars = [str(JAVA / f"{name}.jar") for name in JENA_JARS]
    return ":".join([str(fix), *jars])


def _die_with_parent() -> None:  # pragma: no cover - runs in the child, before exec
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


@contextlib.contextmanager
def running(server: Server) -> Iterator[Server]:
    """Start `server`, yield it, stop it by its PID whatever happens."""
    try:
        server.start()
        yield server
    finally:
        server.stop()
