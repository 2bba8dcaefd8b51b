"""The results files of benchmarks/run.py: one JSON and one Markdown table per day and machine.

Each `--orgs` run adds (or replaces) its section; the Markdown is written again from all
sections, with the issue's targets as met / the distance to them.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from oracle import oracle_md
from question_targets import LOOKUPS
from question_targets import targets_md as question_targets_md


def write_report(folder: Path, machine: dict[str, Any], section: dict[str, Any]) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    stem = folder / f"{date.today().isoformat()}-{machine['name']}"
    json_path, md_path = stem.with_suffix(".json"), stem.with_suffix(".md")
    doc: dict[str, Any] = json.loads(json_path.read_text()) if json_path.is_file() else {"sections": {}}
    doc["machine"] = machine
    old = doc["sections"].get(str(section["orgs"]), {})
    if old and set(section["cases"]) != set(old.get("cases", {})):  # a partial run keeps the other cases
        section["cases"] = {**old.get("cases", {}), **section["cases"]}
    doc["sections"][str(section["orgs"])] = section
    doc["sections"] = dict(sorted(doc["sections"].items(), key=lambda kv: int(kv[0])))
    json_path.write_text(json.dumps(doc, indent=1) + "\n")
    md_path.write_text(markdown(doc))
    return json_path, md_path


def _s(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}" if value < 10 else f"{value:.1f}" if value < 100 else f"{value:.0f}"


def markdown(doc: dict[str, Any]) -> str:
    m = doc["machine"]
    lines = [
        f"# Benchmarks, {m['name']} ({m['cores']} cores, {m['memory_gib']} GiB), commit {m['commit']}",
        "",
        f"Python {m['python']}, " + ", ".join(f"{k} {v}" for k, v in m["versions"].items()) + ". "
        "Synthetic registers of benchmarks/generate.py (seed in each section). Every figure is a fresh "
        "process unless it says in-process; wall seconds are the median of the runs (min-max), CPU "
        "seconds the median, RSS the peak. The machine is shared: the load average is given.",
        "",
    ]
    for orgs, sec in doc["sections"].items():
        lines += section_md(int(orgs), sec)
    return "\n".join(lines) + "\n"


def section_md(orgs: int, sec: dict[str, Any]) -> list[str]:
    info = sec["registers"]
    rows = sum(info["rows"].values())
    gen = info.get("generate", {})
    out = [
        f"## {orgs:,} organisations",
        "",
        f"{rows:,} register rows ({', '.join(f'{k} {v:,}' for k, v in info['rows'].items())}); "
        f"{sum(info['faults'].values()):,} faulty rows in {len(info['faults'])} classes; generated in "
        f"{_s(gen.get('wall'))} s. {sec['runs']} runs; load average {_load(sec)}; whole run "
        f"{_s(sec.get('seconds'))} s.",
        "",
    ]
    cases = sec["cases"]
    if "build" in cases:
        out += [
            "### Build (registers → graph)",
            "",
            "| variant | wall s (min-max) | CPU s | peak RSS MB | quads |",
            "|---|---|---|---|---|",
        ]
        for name, r in cases["build"].items():
            if name.startswith("phases"):
                continue
            if "skipped" in r:
                out.append(f"| {name} | {r['skipped']} | | | |")
                continue
            err = f" **failed: {r['error'][:80]}**" if r.get("error") else ""
            out.append(
                f"| {name}{err} | {_s(r['wall_median'])} ({_s(r['wall_min'])}-{_s(r['wall_max'])}) | "
                f"{_s(r['cpu_median'])} | {r['rss_mb_max']:,.0f} | "
                + (f"{r['quads']:,} |" if isinstance(r.get("quads"), int) else f"{r['lines']:,} lines |")
                if isinstance(r.get("quads", r.get("lines")), int)
                else f"| {name}{err} | {_s(r['wall_median'])} ({_s(r['wall_min'])}-{_s(r['wall_max'])}) | "
                f"{_s(r['cpu_median'])} | {r['rss_mb_max']:,.0f} | - |"
            )
        phases = cases["build"].get("phases (nhskg, last run, wall s)", {})
        if phases:
            out += [
                "",
                "Where `nhskg build`'s time goes (wall seconds of the last run, from its manifest; the store "
                "loads on a second core meanwhile, and the build then waits for what is left of it): "
                + ", ".join(f"{k} {_s(v)} s" for k, v in phases.items())
                + ".",
            ]
        out.append("")
    if "incremental" in cases:
        out += incremental_md(cases["incremental"])
    if "validate" in cases:
        out += validate_md(cases["validate"])
    if "oracle" in cases:
        out += oracle_md(cases["oracle"])
    if "questions" in cases:
        out += questions_md(cases["questions"]) + question_targets_md(orgs, cases["questions"])
    if "export" in cases and "skipped" not in cases["export"]:
        view = cases["export"].get("view", "all")
        out += [
            f"### Export (`nhskg export --format F --view {view}`, fresh process)",
            "",
            "| format | wall s | peak RSS MB | bytes |",
            "|---|---|---|---|",
        ]
        for fmt, r in cases["export"].items():
            if not isinstance(r, dict):
                continue
            err = f" failed: {r['error'][:60]}" if r.get("error") else ""
            out.append(f"| {fmt}{err} | {_s(r['wall_median'])} | {r['rss_mb_max']:,.0f} | {r.get('bytes', '-')} |")
        out.append("")
    if "startup" in cases:
        out += ["### Start-up", "", "| command | wall s (min-max) | peak RSS MB |", "|---|---|---|"]
        for name, r in cases["startup"].items():
            out.append(
                f"| `{name}` | {_s(r['wall_median'])} ({_s(r['wall_min'])}-{_s(r['wall_max'])}) | "
                f"{r['rss_mb_max']:,.0f} |"
            )
        out.append("")
    out += targets_md(cases, orgs)
    return out


def incremental_md(inc: dict[str, Any]) -> list[str]:
    out = [
        "### Incremental build (`nhskg build` again over the last build, fresh process, one run each)",
        "",
        "| change | wall s | CPU s | peak RSS MB | rebuilt | statements rebuilt | store |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, r in inc.items():
        err = f" **failed: {r.get('stderr', '')[-80:]}**" if r.get("rc") else ""
        out.append(
            f"| {name}{err} | {_s(r['wall'])} | {_s(r['cpu'])} | {r['rss_mb']:,.0f} | "
            f"{', '.join(r.get('rebuilt', []))} | {r.get('statements rebuilt', 0):,} | {r.get('store', '-')} |"
        )
    return [*out, ""]


def validate_md(v: dict[str, Any]) -> list[str]:
    if "skipped" in v:
        return ["### Validate", "", v["skipped"], ""]
    out = [
        "### Validate (same shapes)",
        "",
        "| what | wall s | CPU s | peak RSS MB | results (by severity) |",
        "|---|---|---|---|---|",
    ]
    for name, r in v.items():
        if isinstance(r, dict) and "skipped" in r:
            out.append(f"| {name} | - | - | - | {r['skipped']} |")
            continue
        if not isinstance(r, dict) or ("rss_mb" not in r and "rss_mb_max" not in r):
            continue
        wall = r.get("wall_median", r.get("wall"))
        cpu = r.get("cpu_median", r.get("cpu"))
        rss = r.get("rss_mb_max", r.get("rss_mb", 0))
        found = ", ".join(f"{k} {n:,}" for k, n in r.get("by_severity", {}).items()) or r.get("error", "-")[:80]
        out.append(f"| {name} | {_s(wall)} | {_s(cpu)} | {rss:,.0f} | {found} |")
    same = v.get("same results as naive pySHACL")
    rows = v.get("1% submission: rows", {})
    out += ["", "Submission: " + ", ".join(f"{k} {n:,} rows" for k, n in rows.items()) + "."]
    if same:
        out.append(
            "Same (severity, focus node, shape, path, value) results as naive pySHACL: "
            + ", ".join(f"{k} {'yes' if x is True else 'NO' if x is False else x}" for k, x in same.items())
            + "."
        )
    return [*out, ""]


def _load(sec: dict[str, Any]) -> str:
    a, b = sec.get("load_average_start", [0]), sec.get("load_average_end", [0])
    return f"{a[0]:.1f} at the start, {b[0]:.1f} at the end"


def questions_md(q: dict[str, Any]) -> list[str]:
    if "error" in q:
        return ["### Saved questions", "", f"The questions worker failed: {q['error'][-300:]}", ""]
    inproc, whole, rl = q["in_process"], q["whole_process"], q.get("rdflib", {})
    stopped = f", stopped after {rl['timeout_after_s']:g} s" if rl.get("timeout_after_s") else ""
    out = [
        "### Saved questions",
        "",
        "In-process p50 / p95 ms: the catalogue (`catalogue.run`; the build's store opened in "
        f"{inproc.get('load_seconds')} s), the same SPARQL straight on pyoxigraph on the same persistent store, "
        f"and on an in-memory store (graph.nq loaded in {inproc.get('memory_load_seconds')} s). Whole process: "
        "`nhskg query NAME`, median s. Plain rdflib: graph.nq parsed into a Dataset in "
        f"{rl.get('parse_seconds', '-')} s{stopped}, then each query once (ms).",
        "",
        "| question | engine | rows | catalogue p50 / p95 | pyoxigraph same store | ratio | pyoxigraph in memory "
        "| nhskg query s | rdflib ms |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    entries = dict(inproc["questions"])
    for name in whole:  # measured in their own processes only (the analyses, from 1M)
        entries.setdefault(name, {"engine": "networkx/python", "error": "measured whole-process only"})
    for name, e in sorted(entries.items()):
        cat, raw, mem = e.get("catalogue", {}), e.get("pyoxigraph", {}), e.get("pyoxigraph in memory", {})
        ratio = f"{cat['p50_ms'] / raw['p50_ms']:.2f}" if cat and raw and raw["p50_ms"] > 0 else "-"
        w = whole.get(name, {})
        r = rl.get("questions", {}).get(name, {}).get("ms", "-" if e["engine"] == "sparql" else "n/a")
        shown = f"{cat['p50_ms']} / {cat['p95_ms']}" if cat else f"error: {e.get('error', '')[:60]}"
        wall = _s(w.get("wall_median")) + (" (failed)" if w.get("error") else "")
        out.append(
            f"| {name} | {e['engine']} | {e.get('rows', '-')} | {shown} | {raw.get('p50_ms', '-')} | {ratio} | "
            f"{mem.get('p50_ms', '-')} | {wall} | {r} |"
        )
    return [*out, ""]


def targets_md(cases: dict[str, Any], orgs: int) -> list[str]:
    rows: list[tuple[str, str, str]] = []
    b = cases.get("build", {})
    ours = b.get("nhskg build", {}).get("wall_median")
    for peer, target, want in (
        ("morph-kgc 2.10 (RML)", "build ≥ 5x faster than morph-kgc", 5.0),
        ("hand-written N-Quads writer", "build within 2x of the hand-written writer", 0.5),
    ):
        theirs = b.get(peer, {}).get("wall_median")
        if ours and theirs:
            ratio = theirs / ours
            met = ratio >= want
            rows.append(
                (
                    target,
                    f"{ratio:.2f}x ({_s(theirs)} s vs {_s(ours)} s)",
                    "met" if met else f"not met: {want / ratio:.1f}x short",
                )
            )
    v = cases.get("validate", {})
    naive = v.get("naive pySHACL, whole graph", {})
    for what, key in (
        ("whole graph", "whole graph: nhskg validate_reference"),
        ("1% submission", "1% submission: nhskg validate"),
    ):
        ours_v = v.get(key, {}).get("wall_median", v.get(key, {}).get("wall"))
        if v.get(key, {}).get("error"):
            rows.append((f"validate ({what}) ≥ 10x faster than naive pySHACL", "-", v[key]["error"][:80]))
            continue
        if ours_v and naive.get("wall") and not naive.get("error"):
            ratio = naive["wall"] / ours_v
            rows.append(
                (
                    f"validate ({what}) ≥ 10x faster than naive pySHACL",
                    f"{ratio:.1f}x ({_s(ours_v)} s vs {_s(naive['wall'])} s)",
                    "met" if ratio >= 10 else f"not met: {10 / ratio:.1f}x short",
                )
            )
        elif ours_v and naive.get("error"):
            bound = naive.get("wall", 0) / ours_v
            rows.append(
                (
                    f"validate ({what}) ≥ 10x faster than naive pySHACL",
                    f"≥ {bound:.1f}x ({_s(ours_v)} s vs > {_s(naive.get('wall'))} s)",
                    f"naive pySHACL {naive['error']}",
                )
            )
        elif ours_v and naive.get("skipped"):
            rows.append(
                (
                    f"validate ({what}) ≥ 10x faster than naive pySHACL",
                    f"{_s(ours_v)} s",
                    "naive pySHACL not run at this size: see the ratio at 10,000 organisations",
                )
            )
    if "skipped" in v:
        rows.append(("validate ≥ 10x faster than naive pySHACL", "-", v["skipped"][:60]))
    rows += _validate_limits(v, orgs)
    inc, full = cases.get("incremental", {}), b.get("nhskg build", {})
    total = full.get("quads") or 0
    for name, r in inc.items():
        if name != "nothing changed" and r.get("rc") == 0 and full.get("wall_median") and total:
            share = r.get("statements rebuilt", 0) / total
            rows.append(
                (
                    f"incremental build, {name}: time in proportion to it",
                    f"{_s(r['wall'])} s = {r['wall'] / full['wall_median']:.0%} of a full build, "
                    f"for {share:.1%} of the statements rebuilt",
                    f"store {r.get('store')}",
                )
            )
    q = cases.get("questions", {}).get("in_process", {}).get("questions", {})
    failed = sorted(n for n, e in q.items() if e.get("error"))
    ratios = [
        (e["catalogue"]["p50_ms"] / e["pyoxigraph"]["p50_ms"], n)
        for n, e in q.items()
        if e.get("catalogue") and e.get("pyoxigraph") and e["pyoxigraph"]["p50_ms"] > 0
    ]
    if ratios:
        worst, name = max(ratios)
        over = sum(r > 1.5 for r, _ in ratios)
        status = "met" if worst <= 1.5 else f"not met ({over} over)"
        if failed:
            status = f"{status} for the {len(ratios)} answered; {len(failed)} of {len(q)} timed out (30 s) or failed"
        rows.append(("every question within 1.5x of raw pyoxigraph", f"worst {worst:.2f}x ({name})", status))
    looks = [(q[n]["catalogue"]["p50_ms"], n) for n in LOOKUPS if q.get(n, {}).get("catalogue")]
    stuck = [n for n in LOOKUPS if q.get(n, {}).get("error")]
    if looks or stuck:
        worst_ms, name = max(looks) if looks else (0.0, "")
        measured = f"worst {worst_ms:.1f} ms ({name})" if looks else "-"
        met = worst_ms <= 50 and not stuck
        status = "met" if met else f"not met: {worst_ms / 50:.1f}x over" if looks else "not met"
        if stuck:
            status += f"; {', '.join(stuck)} timed out"
        rows.append(("lookups p50 ≤ 50 ms in-process", measured, status))
    rss = [r.get("rss_mb_max", 0) for k, r in b.items() if k.startswith("nhskg build")][:1]
    rss += [r.get("rss_mb_max", 0) for r in cases.get("questions", {}).get("whole_process", {}).values()]
    rss += [r.get("rss_mb_max", 0) for r in cases.get("export", {}).values() if isinstance(r, dict)]
    rss += [r.get("rss_mb", 0) for r in inc.values() if isinstance(r, dict)]
    rss += [
        r.get("rss_mb_max", r.get("rss_mb", 0))
        for k, r in v.items()
        if k.startswith(("whole graph: nhskg", "1%")) and isinstance(r, dict)
    ]
    if rss:
        peak = max(rss)
        rows.append(
            (
                "peak memory ≤ 2 GB (build, validate, questions, export, incremental)",
                f"{peak:,.0f} MB",
                "met" if peak <= 2048 else f"not met: {peak / 2048:.1f}x over",
            )
        )
    helped = cases.get("startup", {}).get("nhskg --help", {}).get("wall_median")
    if helped is not None:
        rows.append(("`nhskg --help` ≤ 0.3 s", f"{helped:.2f} s", "met" if helped <= 0.3 else "not met"))
    return [
        "### Targets (issue 8)",
        "",
        "| target | measured | status |",
        "|---|---|---|",
        *[f"| {a} | {b_} | {c} |" for a, b_, c in rows],
        "",
    ]


# The limits on validation (issue 16): (case key, organisations, seconds, what)
_VALIDATE_LIMITS = (
    ("whole graph: nhskg validate_reference", 100_000, 60, "whole graph at 100,000 organisations ≤ 60 s"),
    ("whole graph: nhskg validate_reference", 1_000_000, 600, "whole graph at 1,000,000 organisations ≤ 10 min"),
    ("1% submission: nhskg validate", 100_000, 10, "1% submission at 100,000 organisations ≤ 10 s"),
)


def _validate_limits(v: dict[str, Any], orgs: int) -> list[tuple[str, str, str]]:
    """The validation times the issue sets at this size, each met or by how much not."""
    rows = []
    for key, size, limit, what in _VALIDATE_LIMITS:
        r = v.get(key, {})
        seconds = r.get("wall_median", r.get("wall"))
        if size != orgs or not seconds:
            continue
        if r.get("error"):
            rows.append((f"validate: {what}", "-", str(r["error"])[:80]))
            continue
        met = seconds <= limit and not r.get("timeout")
        verdict = "met" if met else f"not met: {seconds / limit:.1f}x over"
        rows.append((f"validate: {what}", f"{_s(seconds)} s", verdict))
    return rows
