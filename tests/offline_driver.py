"""Run nhskg commands in this process under an audit hook that reports every network attempt
and every file opened outside the allowed folders (tests/test_offline.py runs it).

    python tests/offline_driver.py ALLOWED.json -- build --out DIR
    python tests/offline_driver.py ALLOWED.json -- export -o a.dot --build B ++ export -o a.ttl --build B

ALLOWED.json is a JSON list of folders and files the commands may open (their inputs, their
outputs and the test's temporary folder); Python's own install, site-packages and the
package's resources are added here. Commands are separated by `++`. The hook cannot be
removed, hence a process of its own. Each forbidden event is printed to standard error as
one line `FORBIDDEN <event> <detail>`; a network attempt is also stopped (the hook raises).
The exit status is the first non-zero exit status of the commands (0 if all succeed).
"""

from __future__ import annotations

import json
import os
import site
import sys
import sysconfig

NETWORK = (
    "socket.connect",
    "socket.getaddrinfo",
    "socket.gethostbyname",
    "socket.gethostbyaddr",
    "socket.sendto",
    "socket.sendmsg",
    "socket.bind",
    "urllib.Request",
    "http.client.connect",
    "ftplib.connect",
    "smtplib.connect",
    "webbrowser.open",
)
PROCESSES = ("subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "os.startfile")


def _real(path: str) -> str:
    return os.path.realpath(os.path.abspath(path))


def allowed_roots(extra: list[str]) -> tuple[str, ...]:
    import graph_builder
    from graph_builder.core import resources

    package = os.path.dirname(os.path.abspath(graph_builder.__file__))
    roots = {
        sys.prefix,
        sys.base_prefix,
        sys.exec_prefix,
        sys.base_exec_prefix,
        package,
        *(sysconfig.get_paths()[k] for k in ("stdlib", "platstdlib", "purelib", "platlib")),
        *site.getsitepackages(),
        site.getusersitepackages(),
        *(str(resources.resource_dir(kind)) for kind in ("ontology", "shapes", "queries", "data")),
        *extra,
    }
    return tuple(sorted({_real(r) for r in roots}))


def main() -> int:
    allowed_file, _, rest = sys.argv[1], sys.argv[2], sys.argv[3:]
    with open(allowed_file, encoding="utf-8") as f:
        extra = json.load(f)
    roots = allowed_roots(extra)
    seen: list[str] = []

    def inside(path: str) -> bool:
        real = _real(path)
        return any(real == r or real.startswith(r.rstrip(os.sep) + os.sep) for r in roots)

    def hook(event: str, args: tuple[object, ...]) -> None:
        if event == "open":
            target = args[0]
            if isinstance(target, int) or target is None:
                return  # an open file descriptor (a pipe, a temporary file): already allowed
            path = os.fsdecode(target)  # type: ignore[arg-type]
            if not inside(path):
                seen.append(f"FORBIDDEN open {path}")
        elif event in NETWORK:
            seen.append(f"FORBIDDEN {event} {args!r}"[:300])
            raise RuntimeError(f"network access refused by the test's audit hook: {event}")
        elif event.startswith(PROCESSES):
            seen.append(f"FORBIDDEN {event} {args!r}"[:300])
            raise RuntimeError(f"starting a process refused by the test's audit hook: {event}")

    sys.addaudithook(hook)
    from graph_builder.cli.main import main as nhskg

    commands: list[list[str]] = [[]]
    for arg in rest:
        if arg == "++":
            commands.append([])
        else:
            commands[-1].append(arg)
    status = 0
    for command in commands:
        try:
            nhskg(command)
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        status = status or code
    sys.stdout.flush()
    for line in seen:
        print(line, file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
