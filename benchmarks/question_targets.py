"""Issue 15's national-scale targets for the saved questions, as met or the distance to them.

Each question's in-process p50 (the catalogue, on the build's store) against ≤ 1 s at
100,000 organisations and ≤ 5 s at 1,000,000 (analyses measured in their own processes only
at 1M are judged on `nhskg query` wall time instead, which includes start-up); the parameter
lookups against ≤ 20 ms (the 1M target, shown at every size); whole-process `nhskg query`
against ≤ 1.5 s (the 100k target); the analyses' peak memory against 2 GB. With `--before`,
the older tree's figures, measured in the same run, stand beside.
"""

from __future__ import annotations

from typing import Any

LOOKUP_MS = 20.0
LOOKUPS = ("followers-of", "exemplar-of", "successor-of", "organisation")
WHOLE_S = 1.5
ANALYSIS_MB = 2048.0


def question_ms(orgs: int) -> float:
    """The in-process p50 target of a saved question at this size (ms)."""
    return 5000.0 if orgs >= 1_000_000 else 1000.0


def _status(measured: float | None, target: float, error: str | None) -> str:
    if error:
        return "timed out" if "timeout" in error.lower() or "stopped after" in error else "failed"
    if measured is None:
        return "-"
    return "met" if measured <= target else f"not met: {measured / target:.1f}x over"


def _p50(entry: dict[str, Any]) -> float | None:
    cat = entry.get("catalogue")
    return cat["p50_ms"] if cat else None


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


def _cell(entry: dict[str, Any], whole: dict[str, Any]) -> tuple[float | None, str | None, str]:
    """(ms, error, how) of one question: in-process p50, else the whole-process median."""
    if entry.get("catalogue"):
        return _p50(entry), None, "in-process"
    if whole and "wall_median" in whole and entry.get("error") == "measured whole-process only":
        return whole["wall_median"] * 1000, whole.get("error"), "whole process"
    return None, entry.get("error") or whole.get("error"), "in-process"


def targets_md(orgs: int, q: dict[str, Any]) -> list[str]:
    """The per-question table and the summary rows of issue 15's targets."""
    if "in_process" not in q:
        return []
    inproc, whole = q["in_process"]["questions"], q.get("whole_process", {})
    before, whole_before = q.get("in_process_before", {}).get("questions", {}), q.get("whole_process_before", {})
    names = sorted(set(inproc) | set(whole))
    target = question_ms(orgs)
    out = [
        f"### Targets (issue 15), {orgs:,} organisations",
        "",
        f"Each question's p50 against ≤ {target / 1000:g} s (lookups: ≤ {LOOKUP_MS:g} ms, the 1M target); "
        f"`nhskg query` median against ≤ {WHOLE_S:g} s (the 100k target); peak RSS of `nhskg query` "
        f"against {ANALYSIS_MB / 1024:g} GB. 'before': the `--before` tree in the same run.",
        "",
        "| question | p50 ms | before ms | status | nhskg query s | before s | status | peak MB |",
        "|---|---|---|---|---|---|---|---|",
    ]
    summary = {"met": 0, "not met": 0}
    for name in names:
        entry, w = inproc.get(name, {"error": "measured whole-process only"}), whole.get(name, {})
        ms, error, how = _cell(entry, w)
        want = LOOKUP_MS if name in LOOKUPS else target
        status = _status(ms, want, error) + ("" if how == "in-process" else " (whole process)")
        summary["met" if status == "met" else "not met"] += 1
        b_ms, b_err, _ = _cell(before.get(name, {}), whole_before.get(name, {})) if before else (None, None, "")
        shown_before = "timed out" if b_err and "time" in b_err else _ms(b_ms)
        wall, bw = w.get("wall_median"), whole_before.get(name, {}).get("wall_median")
        w_status = _status(wall, WHOLE_S, w.get("error")) if w else "-"
        rss = w.get("rss_mb_max")
        out.append(
            f"| {name} | {_ms(ms)} | {shown_before} | {status} | {'-' if wall is None else f'{wall:.2f}'} | "
            f"{'-' if bw is None else f'{bw:.2f}'} | {w_status} | {'-' if rss is None else f'{rss:,.0f}'} |"
        )
    peaks = [r.get("rss_mb_max", 0) for r in whole.values()]
    peak = max(peaks) if peaks else None
    out += [
        "",
        f"{summary['met']} of {len(names)} questions within their time target. Peak memory of a question: "
        + ("-" if peak is None else f"{peak:,.0f} MB ({'met' if peak < ANALYSIS_MB else 'not met'}: < 2 GB)")
        + ".",
        "",
    ]
    return out
