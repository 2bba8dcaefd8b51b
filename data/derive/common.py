"""Shared helpers of the derive scripts: where ../shared is, and canonical CSV writing."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent
SHARED_DEFAULT = DATA_DIR.parent.parent / "shared" / "data"


def write_register(
    name: str,
    columns: Sequence[str],
    rows: Iterable[dict[str, str]],
    key: Sequence[str],
) -> Path:
    """Write rows to data/<name> in canonical order (sorted by key), atomically."""
    out = DATA_DIR / name
    ordered = sorted(rows, key=lambda r: tuple(r.get(k, "") for k in key))
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(columns), lineterminator="\n", extrasaction="raise")
    w.writeheader()
    for r in ordered:
        w.writerow({c: r.get(c, "") for c in columns})
    tmp = out.with_suffix(".csv.tmp")
    tmp.write_text(buf.getvalue(), encoding="utf-8")
    os.replace(tmp, out)
    return out
