"""Derive the FOI-sourced rows of data/deployments.csv and data/bodies.csv (re-runnable).

Source: NHS England's FOI list of the primary EPR supplier of every secondary-care
trust in England, as at 1 October 2024 (source key `nhse-epr-foi-2024`,
`sources/nhse-epr-suppliers-foi-2024/trust_primary_epr_supplier.csv`). It derives:

- deployments.csv: one row per trust (209), as_of 2024-10-01, no system (the list names
  companies, not products, and no product mapping is made). `Supplier (Primary EPR)` is
  read as provision `supplier` with the supplier's body key and status `live`;
  "Generic or In House EPR Provider" as provision `in-house`, status `live`;
  "No EPR - in process of getting one" as provision `none`, status `planned`.
- bodies.csv: one row of kind `supplier` per company the list names (24), keyed by a
  slug of the list's own spelling. The two values above are provisions, not suppliers.

Rows whose source is exactly `nhse-epr-foi-2024` are regenerated; every other row already
in the two registers (the hand-written ones) is kept unchanged. A hand row with the key
of a derived row wins over it.

Usage: python data/derive/epr_foi.py [--shared ../shared/data]
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from pathlib import Path

from common import DATA_DIR, SHARED_DEFAULT, write_register

SOURCE = "nhse-epr-foi-2024"
AS_OF = "2024-10-01"
FOI_CSV = Path("sources") / "nhse-epr-suppliers-foi-2024" / "trust_primary_epr_supplier.csv"

IN_HOUSE = "Generic or In House EPR Provider"
NO_EPR = "No EPR - in process of getting one"

BODY_COLUMNS = ["key", "name", "kind", "source", "note"]
BODY_KEY = ("key",)
DEPLOYMENT_COLUMNS = [
    "organisation",
    "system",
    "supplier",
    "provision",
    "status",
    "as_of",
    "source",
    "note",
]
DEPLOYMENT_KEY = ("organisation", "system", "supplier", "as_of", "source")

ODS_CODE = re.compile(r"^[A-Z0-9]{3,5}$")

_KEPT_APART = "no source here says they are the same company"
SUPPLIER_NOTES = {
    # Neutral notes only: the FOI list names companies; no merger or product is asserted.
    "oracle-cerner-corporation": (
        f"Kept apart from Cerner (body cerner), named in pages of 2014 to 2019: {_KEPT_APART}."
    ),
    "altera-digital-health": f"Kept apart from Allscripts (body allscripts): {_KEPT_APART}.",
    "epic-systems-corporation": f"Kept apart from Epic (body epic): {_KEPT_APART}.",
    "meditech-group-limited": f"Kept apart from Meditech (body meditech): {_KEPT_APART}.",
    "dedalus-healthcare-ltd": f"Kept apart from iSoft and CSC (bodies isoft, csc): {_KEPT_APART}.",
}


def squash(text: str) -> str:
    """Collapse runs of whitespace (the FOI writes "No EPR -  in process ...")."""
    return " ".join(text.split())


def slug(name: str) -> str:
    """Slug key of a supplier name: lower case, runs of other characters become '-'."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def read_foi(shared: Path) -> list[dict[str, str]]:
    path = shared / FOI_CSV
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    codes = [r["Organisation Code"].strip() for r in rows]
    bad = [c for c in codes if not ODS_CODE.match(c)]
    if bad:
        sys.exit(f"{path}: not ODS codes: {bad}")
    if len(set(codes)) != len(codes):
        sys.exit(f"{path}: duplicate organisation codes")
    return rows


def derive(foi: list[dict[str, str]]) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """Return (deployments, bodies) derived from the FOI rows."""
    deployments: list[dict[str, str]] = []
    bodies: dict[str, dict[str, str]] = {}
    for r in foi:
        code = r["Organisation Code"].strip()
        value = squash(r["Supplier (Primary EPR)"])
        row = {"organisation": code, "system": "", "as_of": AS_OF, "source": SOURCE}
        if value in (IN_HOUSE, NO_EPR):
            provision, status = ("in-house", "live") if value == IN_HOUSE else ("none", "planned")
            row |= {
                "supplier": "",
                "provision": provision,
                "status": status,
                "note": f'FOI value "{value}".',
            }
        elif value:
            key = slug(value)
            row |= {"supplier": key, "provision": "supplier", "status": "live", "note": ""}
            bodies.setdefault(
                key,
                {
                    "key": key,
                    "name": value,
                    "kind": "supplier",
                    "source": SOURCE,
                    "note": SUPPLIER_NOTES.get(key, ""),
                },
            )
        else:
            sys.exit(f"{code}: empty supplier value")
        deployments.append(row)
    return deployments, list(bodies.values())


def read_register(name: str, columns: list[str]) -> list[dict[str, str]]:
    path = DATA_DIR / name
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames != columns:
            sys.exit(f"{path}: columns {reader.fieldnames} != {columns}")
        return list(reader)


def merge(
    name: str,
    columns: list[str],
    key: tuple[str, ...],
    derived: list[dict[str, str]],
) -> tuple[int, int]:
    """Keep the register's rows of other sources, replace its FOI rows by `derived`."""
    kept = [r for r in read_register(name, columns) if r["source"] != SOURCE]
    kept_keys = {tuple(r[k] for k in key) for r in kept}
    fresh = []
    for r in derived:
        if tuple(r[k] for k in key) in kept_keys:
            print(f"{name}: hand row kept over derived row {[r[k] for k in key]}", file=sys.stderr)
        else:
            fresh.append(r)
    write_register(name, columns, kept + fresh, key=key)
    return len(kept), len(fresh)


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--shared", type=Path, default=SHARED_DEFAULT)
    args = ap.parse_args()
    deployments, bodies = derive(read_foi(args.shared))
    for name, columns, key, rows in (
        ("deployments.csv", DEPLOYMENT_COLUMNS, DEPLOYMENT_KEY, deployments),
        ("bodies.csv", BODY_COLUMNS, BODY_KEY, bodies),
    ):
        kept, fresh = merge(name, columns, key, rows)
        print(f"{name}: {kept} rows of other sources kept, {fresh} FOI rows written")


if __name__ == "__main__":
    main()
