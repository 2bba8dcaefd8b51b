"""National scale, measured: build, validate, questions, export and start-up on synthetic registers.

    python benchmarks/run.py --orgs 10000                      # every case, 3 runs each
    python benchmarks/run.py --orgs 100000 --runs 5 --cases build,questions
    python benchmarks/run.py --orgs 10000 --before /tmp/before  # also time an older graph_builder tree
    python benchmarks/run.py --orgs 10000 --cases oracle        # Jena's SHACL against validate --whole

Each measurement is a fresh process (wall and CPU time, peak RSS from wait4); a case is
run --runs times and reported as median, min and max. The registers come from
benchmarks/generate.py (made once per --orgs/--seed into benchmarks/data/, git-ignored).
Peers of the build: morph-kgc 2.10 with the RML mapping of benchmarks/rml/ (in its own
virtual environment, benchmarks/.venv-morph, made on first use: it pins rdflib < 7.3
and pyoxigraph < 0.4), rdflib Graph.add + serialize and a hand-written N-Quads writer
(benchmarks/mapping.py). Results: benchmarks/results/<date>-<machine>.json and .md
(one file per day and machine; each --orgs adds or replaces its section).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from oracle import run_oracle  # noqa: E402
from report import LOOKUPS, write_report  # noqa: E402

CASES = ("build", "validate", "questions", "export", "startup", "incremental", "oracle")
ON_DEMAND = ("oracle",)  # run only when named in --cases (oracle.py: a minute at 10,000 organisations)
VENV = HERE / ".venv-morph"
RML = HERE / "rml" / "registers.rml.ttl"
PY = sys.executable


def measure(
    cmd: list[str],
    budget: float,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    stdin: Path | None = None,
) -> dict[str, Any]:
    """One fresh process (standard input from `stdin`): wall and CPU seconds, peak RSS (MB), exit
    code; killed past `budget` s."""
    started = time.perf_counter()
    given = stdin.open("rb") if stdin else None
    proc = subprocess.Popen(
        cmd, cwd=cwd, env=env, stdin=given, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
    )
    if given:
        given.close()  # the child holds its own copy
    timer = threading.Timer(budget, lambda: os.killpg(proc.pid, signal.SIGKILL))
    timer.start()
    out: list[bytes] = []
    reader = threading.Thread(target=lambda: out.append(proc.stdout.read() if proc.stdout else b""))
    errs: list[bytes] = []
    err_reader = threading.Thread(target=lambda: errs.append(proc.stderr.read() if proc.stderr else b""))
    reader.start()
    err_reader.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    timer.cancel()
    reader.join()
    err_reader.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    result = {
        "wall": round(wall, 3),
        "cpu": round(usage.ru_utime + usage.ru_stime, 3),
        "rss_mb": round(usage.ru_maxrss / 1024, 1),
        "rc": proc.returncode,
        "stdout": out[0].decode(errors="replace") if out else "",
    }
    if wall >= budget:
        result["timeout"] = True
    if proc.returncode != 0:
        result["stderr"] = (errs[0].decode(errors="replace") if errs else "")[-1500:]
    return result


def repeat(
    cmd: list[str], runs: int, budget: float, before: Any = None, ok: tuple[int, ...] = (0,), **kw: Any
) -> dict[str, Any]:
    """`runs` fresh processes (after `before()` each): median, min, max of wall; median CPU; max RSS."""
    samples = []
    for _ in range(runs):
        if before:
            before()
        m = measure(cmd, budget, **kw)
        samples.append(m)
        if m["rc"] not in ok:
            break
    walls = [m["wall"] for m in samples]
    summary = {
        "wall_median": round(statistics.median(walls), 3),
        "wall_min": min(walls),
        "wall_max": max(walls),
        "cpu_median": round(statistics.median(m["cpu"] for m in samples), 3),
        "rss_mb_max": max(m["rss_mb"] for m in samples),
        "runs": len(samples),
        "rc": samples[-1]["rc"],
    }
    if samples[-1]["rc"] not in ok:
        summary["error"] = (
            f"timeout after {budget:g} s" if samples[-1].get("timeout") else samples[-1].get("stderr", "")[-600:]
        )
    return summary


def nhskg(*args: str) -> list[str]:
    return [PY, "-m", "graph_builder", *args]


# --- the cases ---------------------------------------------------------------------------


def case_build(args: argparse.Namespace, data: Path, work: Path) -> dict[str, Any]:
    out = work / "build"
    variants: dict[str, tuple[list[str], dict[str, Any]]] = {
        "nhskg build": (nhskg("-q", "build", "--data", str(data), "--out", str(out)), {}),
    }
    if args.before:
        env = {**os.environ, "PYTHONPATH": str(args.before)}
        variants["nhskg build (before)"] = (  # cwd elsewhere, or the working tree's package is imported first
            nhskg("-q", "build", "--data", str(data), "--out", str(work / "build-before")),
            {"env": env, "cwd": work},
        )
    peers = work / "peers"
    peers.mkdir(parents=True, exist_ok=True)
    variants["hand-written N-Quads writer"] = (
        [PY, str(HERE / "mapping.py"), "--write", "handwritten", str(data), str(peers / "handwritten.nq")],
        {},
    )
    morph = None if "morph" in args.skip.split(",") else morph_python()
    if morph:
        ini = peers / "morph.ini"
        ini.write_text(
            f"[CONFIGURATION]\noutput_file = {peers / 'morph.nq'}\noutput_format = N-QUADS\n"
            f"na_values = ,\nnumber_of_processes = 1\n\n[DataSource]\nmappings = {RML}\n"
        )
        variants["morph-kgc 2.10 (RML)"] = ([str(morph), "-m", "morph_kgc", str(ini)], {"cwd": data})
    variants["rdflib Graph.add + serialize"] = (
        [PY, str(HERE / "mapping.py"), "--write", "rdflib", str(data), str(peers / "rdflib.nq")],
        {},
    )
    results: dict[str, Any] = {}
    for name, (cmd, kw) in variants.items():
        if args.skip and any(s in name for s in args.skip.split(",")):
            continue
        if name.startswith("rdflib") and args.orgs > args.rdflib_max_orgs:
            results[name] = {
                "skipped": f"not run above {args.rdflib_max_orgs:,} organisations (--rdflib-max-orgs): "
                "9.7 s at 10,000 and 82 s, 3.3 GB at 100,000 organisations (2026-11-22 results)"
            }
            continue
        target = out if name == "nhskg build" else work / "build-before"
        clean = (lambda t=target: shutil.rmtree(t, ignore_errors=True)) if name.startswith("nhskg") else None
        runs = 1 if name.startswith("rdflib") or name.endswith("(before)") else args.runs  # reference points
        results[name] = repeat(cmd, runs, args.budget, before=clean, **kw)
        print(f"  build / {name}: {results[name]['wall_median']} s", flush=True)
    for name, file in (
        ("hand-written N-Quads writer", "handwritten.nq"),
        ("morph-kgc 2.10 (RML)", "morph.nq"),
        ("rdflib Graph.add + serialize", "rdflib.nq"),
    ):
        if name in results and (peers / file).is_file():
            if args.orgs < 1_000_000:  # distinct statements, loaded into an in-memory store
                results[name]["quads"] = worker("count", str(peers / file))["quads"]
            else:  # that would take minutes and 10 GB here: lines, not distinct statements
                results[name]["lines"] = _lines(peers / file)
    if (out / "manifest.json").is_file():
        results["nhskg build"]["quads"] = json.loads((out / "manifest.json").read_text())["statements"]
    if (out / "manifest.json").is_file():  # where the last run's time went, as the build records it
        results["phases (nhskg, last run, wall s)"] = json.loads((out / "manifest.json").read_text())["timings"]
    shutil.rmtree(peers, ignore_errors=True)
    return results


def case_validate(args: argparse.Namespace, data: Path, work: Path) -> dict[str, Any]:
    build = ensure_build(args, data, work)
    keys = {name: work / f"keys-{name}.json" for name in ("whole", "files", "naive")}
    out: dict[str, Any] = {}
    if args.orgs > args.whole_max_orgs:
        whole = {"skipped": f"not run above {args.whole_max_orgs:,} organisations (--whole-max-orgs)"}
    else:
        whole = measure(
            [PY, str(HERE / "workers.py"), "validate-whole", str(build), str(keys["whole"])], args.whole_budget
        )
    out["whole graph: nhskg validate_reference"] = _with_json(whole)
    if whole.get("timeout"):
        out["whole graph: nhskg validate_reference"]["error"] = f"did not finish in {args.whole_budget:g} s"
    files = submission(data, work / "submission")
    report = work / "report.json"
    out["1% submission: nhskg validate"] = repeat(
        nhskg("validate", *map(str, files), "--against", str(build), "--format", "json", "-o", str(report)),
        args.runs,
        args.budget,
        ok=(0, 1),
    )
    out["1% submission: rows"] = {f.name: sum(1 for _ in f.open()) - 1 for f in files}
    if report.is_file():
        out["1% submission: nhskg validate"]["by_severity"] = json.loads(report.read_text())["counts"]
    if args.orgs > args.naive_max_orgs:  # the in-process run is for the comparison with naive pySHACL
        out["naive pySHACL, whole graph"] = {
            "skipped": (
                f"not run above {args.naive_max_orgs:,} organisations (--naive-max-orgs): 1,108 s at 10,000; "
                "over 10 GB and unfinished after 300 s at 100,000"
            )
        }
        return out
    found = measure(
        [PY, str(HERE / "workers.py"), "validate-files", str(build), str(keys["files"]), *map(str, files)], args.budget
    )
    out["1% submission: nhskg validate (in-process)"] = _with_json(found)
    naive = measure([PY, str(HERE / "workers.py"), "naive-shacl", str(build), str(keys["naive"])], args.naive_budget)
    out["naive pySHACL, whole graph"] = _with_json(naive)
    if naive.get("timeout"):
        out["naive pySHACL, whole graph"]["error"] = f"did not finish in {args.naive_budget:g} s"
    if all(k.is_file() for k in keys.values()):
        naive_keys = {tuple(k) for k in json.loads(keys["naive"].read_text())}
        ours = {tuple(k) for k in json.loads(keys["whole"].read_text())}
        described = set(json.loads(keys["files"].with_suffix(".described.json").read_text()))
        mine = {tuple(k) for k in json.loads(keys["files"].read_text())}
        theirs = {k for k in naive_keys if k[1].strip("<>") in described}
        out["same results as naive pySHACL"] = {
            "whole graph": ours == naive_keys,
            "whole graph: only nhskg": len(ours - naive_keys),
            "whole graph: only naive": len(naive_keys - ours),
            "submission": mine == theirs,
            "submission: only nhskg": len(mine - theirs),
            "submission: only naive": len(theirs - mine),
        }
    return out


def _lines(path: Path) -> int:
    with path.open("rb") as f:
        return sum(block.count(b"\n") for block in iter(lambda: f.read(1 << 24), b""))


def _with_json(m: dict[str, Any]) -> dict[str, Any]:
    lines = [line for line in m.pop("stdout", "").splitlines() if line.startswith("{")]
    return {**m, **(json.loads(lines[-1]) if lines else {})}


def submission(data: Path, folder: Path) -> list[Path]:
    """1% of the rows (every 100th) of the registers a region would submit, with their headers."""
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for name in ("organisations", "memberships", "deployments", "participations", "assessments"):
        with (data / f"{name}.csv").open(encoding="utf-8") as f:
            header, rows = next(f), [line for i, line in enumerate(f) if i % 100 == 50]
        if rows:  # a register under 51 rows gives none (and a file without rows is refused)
            (folder / f"{name}.csv").write_text(header + "".join(rows), encoding="utf-8")
            files.append(folder / f"{name}.csv")
    return files


def ensure_build(args: argparse.Namespace, data: Path, work: Path) -> Path:
    build = work / "build"
    if not (build / "graph.nq").is_file():
        measure(nhskg("-q", "build", "--data", str(data), "--out", str(build)), args.budget)
    return build


def case_questions(args: argparse.Namespace, data: Path, work: Path) -> dict[str, Any]:
    build = ensure_build(args, data, work)
    memory = "memory" if args.orgs <= args.memory_max_orgs else "no-memory"
    found = _questions(args, data, build, memory, {})
    if "error" in found or not args.before:
        return found
    # the older tree, in the same run, on its own build (work/build-before: made here unless there)
    kw = {"env": {**os.environ, "PYTHONPATH": str(args.before)}, "cwd": work}
    before_build = work / "build-before"
    if not (before_build / "graph.nq").is_file():
        measure(nhskg("-q", "build", "--data", str(data), "--out", str(before_build)), args.budget, **kw)
    before = _questions(args, data, before_build, "no-memory", kw)
    found["in_process_before"] = before.get("in_process", before)
    found["whole_process_before"] = before.get("whole_process", {})
    return found


def _questions(args: argparse.Namespace, data: Path, build: Path, memory: str, kw: dict[str, Any]) -> dict[str, Any]:
    """Every saved question in-process (one worker) and as `nhskg query` (fresh processes);
    `kw` (env, cwd) runs an older tree (--before)."""
    # From 1M the analyses that read whole classes (every node, every deployment) are measured
    # in their own processes only: in one process their stopped queries' memory adds up (8 GB).
    from graph_builder.questions.catalogue import catalogue

    analyses = {q.name for q in catalogue() if q.engine != "sparql"} - set(LOOKUPS)
    only = ",".join(q.name for q in catalogue() if q.name not in analyses) if args.orgs >= 1_000_000 else ""
    inproc = worker("questions", str(build), str(data), str(args.repeat), memory, only, **kw)
    if "questions" not in inproc:
        return {"error": inproc.get("error", "the questions worker failed")[-1500:]}
    params = json.loads((data / "benchmark.json").read_text())["params"]
    whole: dict[str, Any] = {}
    for name in [q.name for q in catalogue()]:
        if args.orgs >= 1_000_000 and name not in analyses | set(LOOKUPS):  # the 30 minutes
            continue
        flags = [f"--param={k}={v}" for k, v in params.get(name, {}).items()]
        whole[name] = repeat(
            nhskg("query", name, *flags, "--build", str(build), "--format", "csv"), args.runs, args.budget, **kw
        )
        print(f"  questions / nhskg query {name}: {whole[name]['wall_median']} s", flush=True)
    if kw or args.orgs > args.rdflib_max_orgs:
        skipped = {"skipped": f"not run above {args.rdflib_max_orgs:,} organisations (--rdflib-max-orgs)"}
        return {"in_process": inproc, "whole_process": whole, "rdflib": skipped}
    rdflib_run = measure([PY, str(HERE / "workers.py"), "rdflib-questions", str(build), str(data)], args.rdflib_budget)
    lines = [line for line in rdflib_run["stdout"].splitlines() if line.startswith("{")]
    rdflib_result = json.loads(lines[-1]) if lines else {}
    rdflib_result.update({"wall": rdflib_run["wall"], "rss_mb": rdflib_run["rss_mb"]})
    if rdflib_run.get("timeout"):
        rdflib_result["timeout_after_s"] = args.rdflib_budget
    return {"in_process": inproc, "whole_process": whole, "rdflib": rdflib_result}


def case_export(args: argparse.Namespace, data: Path, work: Path) -> dict[str, Any]:
    from graph_builder.export.model import EXPORT_FORMATS

    build = ensure_build(args, data, work)
    results: dict[str, Any] = {}
    # The all view at 100,000 organisations is 100,000 nodes (4-5 minutes a format); from there
    # the followers view (the programme's pairings), and from 1M three formats of it.
    view = "all" if args.orgs < 100_000 else "followers"
    formats = tuple(EXPORT_FORMATS) if args.orgs < 1_000_000 else ("graphml", "html", "png")
    results["view"] = view
    for fmt in formats:
        target = work / f"export.{fmt}"
        results[fmt] = repeat(
            nhskg(
                "-q",
                "export",
                "--format",
                fmt,
                "--view",
                view,
                "-o",
                str(target),
                "--build",
                str(build),
                "--timeout",
                str(args.export_budget),
            ),
            args.runs,
            args.export_budget,
        )
        if target.is_file():
            results[fmt]["bytes"] = target.stat().st_size
            target.unlink()
    return results


def case_incremental(args: argparse.Namespace, data: Path, work: Path) -> dict[str, Any]:
    """A build again over the last one: nothing changed, then a small and a large register
    changed (their last row removed). Each once: a second run would find nothing changed."""
    build = ensure_build(args, data, work)
    changed = work / "data-changed"
    shutil.rmtree(changed, ignore_errors=True)
    changed.mkdir()
    for f in data.iterdir():
        os.link(f, changed / f.name)
    results: dict[str, Any] = {}
    changes = [("nothing changed", None), ("one small register changed", "participations")]
    if args.orgs <= args.large_change_max_orgs:  # at 1M it reloads 47M statements: 10 minutes
        changes.append(("one large register changed", "deployments"))
    for name, register in changes:
        if register:
            target = changed / f"{register}.csv"
            lines = (data / target.name).read_text(encoding="utf-8").splitlines(keepends=True)
            target.unlink()  # a hard link to the original: write a new file, not into it
            target.write_text("".join(lines[:-1]), encoding="utf-8")
        run = measure(nhskg("-q", "build", "--data", str(changed), "--out", str(build)), args.budget)
        if (build / "manifest.json").is_file() and run["rc"] == 0:
            manifest = json.loads((build / "manifest.json").read_text())
            run.update({k: manifest[k] for k in ("rebuilt", "store", "timings")})
            run["statements rebuilt"] = sum(p["statements"] for p in manifest["parts"] if p["name"] in run["rebuilt"])
        run.pop("stdout", None)
        results[name] = run
        print(f"  incremental / {name}: {run['wall']} s", flush=True)
    shutil.rmtree(changed, ignore_errors=True)
    return results


def case_oracle(args: argparse.Namespace, data: Path, work: Path) -> dict[str, Any]:
    """Apache Jena's SHACL and `nhskg validate --whole` on the whole graph, findings compared (oracle.py)."""
    return run_oracle(ensure_build(args, data, work), work / "oracle", measure, args.budget)


def case_startup(args: argparse.Namespace, data: Path, work: Path) -> dict[str, Any]:
    return {
        "nhskg --help": repeat(nhskg("--help"), max(args.runs, 5), 60),
        "nhskg questions": repeat(nhskg("questions"), max(args.runs, 5), 60),
    }


# --- helpers -----------------------------------------------------------------------------


def worker(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> dict[str, Any]:
    run = subprocess.run(
        [PY, str(HERE / "workers.py"), *args], capture_output=True, text=True, check=False, env=env, cwd=cwd
    )
    if run.returncode != 0:
        return {"error": run.stderr[-1500:]}
    found: dict[str, Any] = json.loads(run.stdout.strip().splitlines()[-1])
    return found


def morph_python() -> Path | None:
    """morph-kgc's own virtual environment (made on first use); None if it cannot be made."""
    python = VENV / "bin" / "python"
    if not python.is_file():
        print("  making benchmarks/.venv-morph (morph-kgc 2.10) ...", flush=True)
        made = (
            subprocess.run([PY, "-m", "venv", str(VENV)], check=False).returncode == 0
            and subprocess.run(
                [str(python), "-m", "pip", "install", "-q", "morph-kgc>=2.10,<2.11"], check=False
            ).returncode
            == 0
        )
        if not made:
            return None
    return python


def registers(args: argparse.Namespace) -> tuple[Path, dict[str, Any]]:
    data = args.data or HERE / "data" / f"orgs-{args.orgs}-seed-{args.seed}"
    if not (data / "benchmark.json").is_file():
        print(f"generating {data} ...", flush=True)
        gen = measure(
            [PY, str(HERE / "generate.py"), "--orgs", str(args.orgs), "--seed", str(args.seed), "--out", str(data)],
            args.budget,
        )
        if gen["rc"] != 0:
            raise SystemExit(f"generate.py failed: {gen.get('stderr')}")
        info = json.loads((data / "benchmark.json").read_text())
        info["generate"] = {k: gen[k] for k in ("wall", "cpu", "rss_mb")}
        (data / "benchmark.json").write_text(json.dumps(info, indent=2) + "\n")
    return data, json.loads((data / "benchmark.json").read_text())


def machine() -> dict[str, Any]:
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    versions = {}
    for name in ("pyoxigraph", "rdflib", "pyshacl"):
        try:
            versions[name] = __import__(name).__version__
        except (ImportError, AttributeError):
            versions[name] = "?"
    commit = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    return {
        "name": f"{platform.machine()}-{os.cpu_count()}cpu-{round(mem)}gib",
        "python": platform.python_version(),
        "cores": os.cpu_count(),
        "memory_gib": round(mem, 1),
        "versions": versions,
        "commit": commit,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orgs", type=int, required=True)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--runs", type=int, help="fresh processes per measurement (3; 1 from 1M organisations)")
    parser.add_argument(
        "--cases",
        default=",".join(c for c in CASES if c not in ON_DEMAND),
        help=f"comma-separated: {', '.join(CASES)} (default: all but {', '.join(ON_DEMAND)})",
    )
    parser.add_argument("--data", type=Path, help="registers to use instead of generating them")
    parser.add_argument("--before", type=Path, help="a folder holding an older graph_builder package to time too")
    parser.add_argument("--skip", default="", help="comma-separated build variants to leave out (e.g. rdflib)")
    parser.add_argument("--repeat", type=int, help="in-process repetitions per question (20; 5 from 1M)")
    parser.add_argument("--budget", type=float, default=1800, help="seconds one process may take")
    parser.add_argument(
        "--naive-budget",
        type=float,
        default=1800,
        help="seconds for each whole-graph validation (nhskg's and naive pySHACL)",
    )
    parser.add_argument(
        "--whole-budget", type=float, help="seconds for nhskg's whole-graph validation (900; 1200 from 1M)"
    )
    parser.add_argument(
        "--whole-max-orgs", type=int, default=1_000_000, help="largest set nhskg's whole-graph validation is run on"
    )
    parser.add_argument("--naive-max-orgs", type=int, default=10_000, help="largest set naive pySHACL is run on")
    parser.add_argument("--rdflib-max-orgs", type=int, default=10_000, help="largest set plain rdflib is run on")
    parser.add_argument(
        "--large-change-max-orgs",
        type=int,
        default=100_000,
        help="largest set whose incremental case also changes a large register",
    )
    parser.add_argument(
        "--memory-max-orgs",
        type=int,
        default=100_000,
        help="largest set whose graph is also loaded into an in-memory store",
    )
    parser.add_argument("--export-budget", type=float, help="seconds one export may take (300; 60 from 1M)")
    parser.add_argument("--rdflib-budget", type=float, default=300, help="seconds for the rdflib questions run")
    parser.add_argument("--results", type=Path, default=HERE / "results")
    parser.add_argument("--work", type=Path, help="scratch folder (default benchmarks/data/work-N; emptied)")
    parser.add_argument(
        "--keep-work",
        action="store_true",
        help="neither empty the scratch folder first nor after: reuse the build a crashed run left",
    )
    args = parser.parse_args(argv)
    at_scale = args.orgs >= 1_000_000  # what fits the 30 minutes for the whole run there
    for name, usual, there in (
        ("runs", 3, 1),
        ("repeat", 20, 5),
        ("whole_budget", 900, 1200),
        ("export_budget", 300, 60),
    ):
        if getattr(args, name) is None:
            setattr(args, name, there if at_scale else usual)
    unknown = set(args.cases.split(",")) - set(CASES)
    if unknown:
        parser.error(f"unknown case(s) {', '.join(sorted(unknown))}; choose from {', '.join(CASES)}")
    started = time.perf_counter()
    data, info = registers(args)
    work = args.work or HERE / "data" / f"work-{args.orgs}"
    if not args.keep_work:
        shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True, exist_ok=True)
    section: dict[str, Any] = {
        "orgs": args.orgs,
        "seed": args.seed,
        "runs": args.runs,
        "registers": info,
        "load_average_start": os.getloadavg(),
        "cases": {},
    }
    cases = {
        "build": case_build,
        "validate": case_validate,
        "questions": case_questions,
        "export": case_export,
        "startup": case_startup,
        "incremental": case_incremental,
        "oracle": case_oracle,
    }
    for name in [c for c in CASES if c in args.cases.split(",")]:
        print(f"{name} ...", flush=True)
        section["cases"][name] = cases[name](args, data, work)
        section["load_average_end"] = os.getloadavg()
        section["seconds"] = round(time.perf_counter() - started, 1)
        json_path, md_path = write_report(args.results, machine(), section)  # each case kept as it ends
    if not args.keep_work:
        shutil.rmtree(work, ignore_errors=True)
    print(f"wrote {json_path} and {md_path} ({section['seconds']} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
