"""Derive organisations.csv, memberships.csv and successions.csv from ../shared/data.

Re-runnable: reads the raw files under --shared (never copied into the repository) and
rewrites the three registers in canonical order with common.write_register.

organisations.csv, one row per (code, source listing):
- ods-etr-2016 (etr_fy2016-17.csv, no header, 24 fields): every row but the last two
  (R0A, R0B: appended by the repository author, no dates or geography). Kind `nhs-trust`
  (the file gives no kind); name as given; open/close date from fields 11/12
  (YYYYMMDD -> YYYY-MM-DD); country `wales` when field 3 is W00, else `england`.
- nhsx-etr-2022 (etr_2022-03.csv, no header, 27 fields): all rows, same treatment.
- hf-trust-stp-2018 (Trust-STP-lookup.csv, UTF-8 with BOM): the 137 trusts, kind
  `acute-trust` (the file covers acute trusts only), name as given; and the 44 STP
  footprints of 2017/18, kind `stp`, code and ons_code both the ONS E54 code (the sources
  give them no ODS code; they are not mapped to the 2022 Q-codes).
- nhsx-ccg-stp-2022 (ccg_stp_region_2022-01.csv and stp_region_2022-01.csv): 106 CCGs
  (code CCG_CODE, ons_code ONS_CCG_CODE), 42 STPs/ICSs (code STP_CODE, ons_code
  ONS_STP_CODE), 7 regions (code COMM_REGION_CODE, ons_code ONS_COMM_REGION_CODE).
- nhse-geomaps-2023 (trusts_master.csv, ICS_master.csv): 212 trusts, kind from
  `Provider type`, latitude/longitude as given; 42 ICBs (code ICB23CDH, ons_code ICB23CD);
  7 regions (code NHSER23CDH, ons_code NHSER23CD).
- nhse-epr-foi-2024 (trust_primary_epr_supplier.csv): 209 trusts, kind from
  `Trust Type (Primary)` (surrounding spaces stripped), name as given.
- nhsx-dspt-2022 (dspt_status_2022-02-08.csv): only organisations with a Close date whose
  code no other listing has (the CCGs closed 2021-03-31), so that their successions
  resolve; open/close dates from Start/Close; ons_code from CCG20CD for a CCG; kind `ccg`
  for Sector CCG, `nhs-trust` for Sector Trust.
- The 2016 NHS England regions (Y54..Y57) are written only if HF 2018's `NHS England
  Region` names join one-to-one onto the 2016 Y-codes through the trusts both files list.
  They do not (the HF region column disagrees with the trusts' geography, e.g. the Royal
  Free in Midlands and East), so no 2016 region and no 2016 trust -> region membership is
  written; the ODS files give those codes without names. W00 (Wales) is not an NHS
  England region: no membership to it in any year.

memberships.csv (start/end = the period the source describes):
- hf-trust-stp-2018: trust -> 2017/18 STP footprint (ONS code), 2017-04-01 to 2018-03-31.
  Notes on the six trusts the HF authors allocated by hand (from the HF README).
- nhsx-etr-2022: trust -> STP/ICS (field 4, not Q99) and trust -> region (field 3, not
  W00), 2021-04-01 to 2022-03-31, for trusts open in that period. A trust that closed
  (or opened) inside the period gets its ODS close (open) date as end (start), with a
  note.
- nhsx-ccg-stp-2022: CCG -> STP and STP -> region, 2022-01-01 to 2022-01-31 (the month of
  the GP registration extract).
- nhse-geomaps-2023: trust -> ICB (ICB name joined case-insensitively to ICS_master
  ICB23NM; every trust must match), trust -> region (Region name joined to NHSER23NM) and
  ICB -> region, 2023-04-01 to 2023-06-30.

successions.csv:
- nhsx-dspt-2022: each closed organisation with a Successor.Code. Date = the day after
  the Close date (the successor's takeover date). Predecessors with the same successor
  and date form one `merger` event `<successor>-<yyyy>-<mm>` (the kind is inferred, and
  the note says so: the file gives only successor codes). A predecessor with several
  successors (RW6 -> RM3 and R0A) is one `split` event named after the predecessor,
  `<predecessor>-<yyyy>-<mm>`.
- ODS close dates (both etr files) of trusts the DSPT gives no successor for: a `closure`
  row with no successor, dated the close date, event `<code>-<yyyy>-<mm>`, citing the
  listing(s). Successors are never guessed (e.g. none for RD3 and RDZ).
- FACTS.md, checked at run time to still say so: RLN and RE9 -> R0B merger (dhn-stsft;
  the day is R0B's open date 2019-04-01 in nhsx-etr-2022); RR1 -> RRK acquisition as two
  disagreeing claims (1 Apr 2018 per sagapedia-uhb, June 2018 per the HF README), each
  note naming the other; RBA closed 2020-03-31 per FACTS.md, successor not verified.

Before writing, the script checks that (code, source), (member, group, source) and
(event, predecessor, successor) are unique and that every reference resolves to a code in
organisations.csv; it stops with an error otherwise, then prints row counts.

Usage: python data/derive/organisations.py [--shared ../shared/data]
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from pathlib import Path

from common import SHARED_DEFAULT, write_register

Row = dict[str, str]

ORG_COLUMNS = [
    "code",
    "name",
    "kind",
    "ons_code",
    "open_date",
    "close_date",
    "latitude",
    "longitude",
    "country",
    "source",
    "note",
]
MEMBER_COLUMNS = ["member", "group", "start", "end", "source", "note"]
SUCCESSION_COLUMNS = ["event", "kind", "date", "predecessor", "successor", "source", "note"]
ORG_KEY = ("code", "source")
MEMBER_KEY = ("member", "group", "source")
SUCCESSION_KEY = ("event", "predecessor", "successor")

ETR_2016 = "sources/ods-etr-2016/etr_fy2016-17.csv"
NHSX = "sources/nhsx-system-hierarchies-2022"
ETR_2022 = f"{NHSX}/etr_2022-03.csv"
CCG_2022 = f"{NHSX}/ccg_stp_region_2022-01.csv"
STP_2022 = f"{NHSX}/stp_region_2022-01.csv"
DSPT_2022 = f"{NHSX}/dspt_status_2022-02-08.csv"
HF_2018 = "sources/hf-trust-stp-2018/Trust-STP-lookup.csv"
GEO_TRUSTS = "sources/nhse-leaflet-geomaps-2023/trusts_master.csv"
GEO_ICS = "sources/nhse-leaflet-geomaps-2023/ICS_master.csv"
FOI_2024 = "sources/nhse-epr-suppliers-foi-2024/trust_primary_epr_supplier.csv"
FACTS = "sources/FACTS.md"

PERIOD_2016 = ("2016-04-01", "2017-03-31")
PERIOD_2018 = ("2017-04-01", "2018-03-31")
PERIOD_ETR_2022 = ("2021-04-01", "2022-03-31")
PERIOD_CCG_2022 = ("2022-01-01", "2022-01-31")
PERIOD_2023 = ("2023-04-01", "2023-06-30")

GEO_KINDS = {
    "ACUTE": "acute-trust",
    "MENTAL HEALTH": "mental-health-trust",
    "COMMUNITY": "community-trust",
    "AMBULANCE": "ambulance-trust",
    "CARE TRUST": "care-trust",
}
FOI_KINDS = {
    "Acute": "acute-trust",
    "Mental Health": "mental-health-trust",
    "Mental Health and Community (Combined)": "mental-health-and-community-trust",
    "Community": "community-trust",
    "Ambulance": "ambulance-trust",
}
DSPT_KINDS = {"CCG": "ccg", "Trust": "nhs-trust"}

HF_ALLOCATED = "Not in any STP list: allocated by main site by the HF authors (README)."
HF_SPLIT = "In more than one STP plan: allocated by main acute site by the HF authors (README)."
HF_MEMBER_NOTES = {
    "RLN": HF_ALLOCATED,
    "RR7": HF_ALLOCATED,
    "RTF": HF_ALLOCATED,
    "RE9": HF_ALLOCATED,
    "RFS": HF_SPLIT,
    "RVR": HF_SPLIT,
}


# --- reading ---------------------------------------------------------------------------


def read_records(path: Path) -> list[list[str]]:
    """Rows of a header-less CSV (the ODS etr files)."""
    with path.open(encoding="utf-8", newline="") as f:
        return [[cell.strip() for cell in record] for record in csv.reader(f)]


def read_dicts(path: Path, encoding: str = "utf-8") -> list[Row]:
    """Rows of a CSV with a header row."""
    with path.open(encoding=encoding, newline="") as f:
        # Surrounding white space (including no-break spaces) is layout, not data.
        return [{k: v.strip() for k, v in r.items()} for r in csv.DictReader(f)]


def ods_date(value: str) -> str:
    """YYYYMMDD -> YYYY-MM-DD; empty stays empty."""
    if not value:
        return ""
    if len(value) != 8 or not value.isdigit():
        raise ValueError(f"not an ODS date: {value!r}")
    return f"{value[:4]}-{value[4:6]}-{value[6:]}"


def next_day(iso: str) -> str:
    return (date.fromisoformat(iso) + timedelta(days=1)).isoformat()


def org(code: str, name: str, kind: str, source: str, **extra: str) -> Row:
    return {"code": code, "name": name, "kind": kind, "source": source, **extra}


def member(code: str, group: str, period: tuple[str, str], source: str, note: str = "") -> Row:
    return {
        "member": code,
        "group": group,
        "start": period[0],
        "end": period[1],
        "source": source,
        "note": note,
    }


# --- organisations ---------------------------------------------------------------------


def etr_orgs(records: list[list[str]], source: str) -> list[Row]:
    """One nhs-trust row per ODS etr record."""
    return [
        org(
            r[0],
            r[1],
            "nhs-trust",
            source,
            open_date=ods_date(r[10]),
            close_date=ods_date(r[11]),
            country="wales" if r[2] == "W00" else "england",
        )
        for r in records
    ]


def hf_orgs(hf: list[Row]) -> list[Row]:
    """HF 2018 acute trusts and the 44 STP footprints (ONS code as code)."""
    src = "hf-trust-stp-2018"
    rows = [org(r["code"], r["Trust"], "acute-trust", src) for r in hf]
    footprints = {r["STP_code"]: r["STP"] for r in hf}
    rows += [
        org(
            code,
            name,
            "stp",
            src,
            ons_code=code,
            note="2017/18 STP footprint; the sources give it no ODS code, so the code is its ONS code.",
        )
        for code, name in footprints.items()
    ]
    return rows


def ccg_stp_orgs(ccgs: list[Row], stps: list[Row]) -> list[Row]:
    """CCGs, STPs/ICSs and commissioning regions of January 2022."""
    src = "nhsx-ccg-stp-2022"
    rows = [org(r["CCG_CODE"], r["CCG_NAME"], "ccg", src, ons_code=r["ONS_CCG_CODE"]) for r in ccgs]
    rows += [org(r["STP_CODE"], r["STP_NAME"], "stp", src, ons_code=r["ONS_STP_CODE"]) for r in stps]
    regions = {(r["COMM_REGION_CODE"], r["COMM_REGION_NAME"], r["ONS_COMM_REGION_CODE"]) for r in stps}
    rows += [org(code, name, "region", src, ons_code=ons) for code, name, ons in regions]
    return rows


def geomaps_orgs(trusts: list[Row], ics: list[Row]) -> list[Row]:
    """2023 trusts (kind, lat/long), ICBs and regions."""
    src = "nhse-geomaps-2023"
    rows = [
        org(
            r["Provider Code"],
            r["Provider name"],
            GEO_KINDS[r["Provider type"]],
            src,
            latitude=r["Latitude"],
            longitude=r["Longitude"],
        )
        for r in trusts
    ]
    rows += [org(r["ICB23CDH"], r["ICB23NM"], "icb", src, ons_code=r["ICB23CD"]) for r in ics]
    regions = {(r["NHSER23CDH"], r["NHSER23NM"], r["NHSER23CD"]) for r in ics}
    rows += [org(code, name, "region", src, ons_code=ons) for code, name, ons in regions]
    return rows


def foi_orgs(foi: list[Row]) -> list[Row]:
    """2024 FOI trusts with their primary trust type."""
    return [
        org(
            r["Organisation Code"],
            r["Organisation"],
            FOI_KINDS[r["Trust Type (Primary)"].strip()],
            "nhse-epr-foi-2024",
        )
        for r in foi
    ]


def dspt_orgs(dspt: list[Row], listed: set[str]) -> list[Row]:
    """Closed organisations that only the DSPT file lists."""
    rows: dict[str, Row] = {}
    for r in dspt:
        if r["Close"] and r["Code"] not in listed:
            rows[r["Code"]] = org(
                r["Code"],
                r["Name"],
                DSPT_KINDS[r["Sector"]],
                "nhsx-dspt-2022",
                ons_code=r["CCG20CD"] if r["Sector"] == "CCG" else "",
                open_date=r["Start"],
                close_date=r["Close"],
                note="Closed; listed only in the DSPT file.",
            )
    return list(rows.values())


def hf_region_names_2016(hf: list[Row], etr16: list[list[str]]) -> dict[str, str]:
    """2016 Y-code -> HF region name, only if the join through shared trusts is one-to-one."""
    y_code = {r[0]: r[2] for r in etr16}
    pairs = {(y_code[r["code"]], r["NHS England Region"]) for r in hf if r["code"] in y_code}
    codes = Counter(code for code, _ in pairs)
    names = Counter(name for _, name in pairs)
    if any(n > 1 for n in codes.values()) or any(n > 1 for n in names.values()):
        return {}
    return dict(pairs)


def region_2016_orgs(names: dict[str, str]) -> list[Row]:
    return [
        org(
            code,
            name,
            "region",
            "ods-etr-2016;hf-trust-stp-2018",
            note="Code from ods-etr-2016; name from the one-to-one join of the trusts both "
            "files list to hf-trust-stp-2018's NHS England Region.",
        )
        for code, name in names.items()
    ]


# --- memberships -----------------------------------------------------------------------


def hf_memberships(hf: list[Row]) -> list[Row]:
    return [
        member(
            r["code"],
            r["STP_code"],
            PERIOD_2018,
            "hf-trust-stp-2018",
            HF_MEMBER_NOTES.get(r["code"], ""),
        )
        for r in hf
    ]


def clip_period(open_date: str, close_date: str, period: tuple[str, str]) -> tuple[tuple[str, str] | None, str]:
    """The part of period the trust was open, and a note when it is shorter."""
    start, end = period
    if (close_date and close_date < start) or (open_date and open_date > end):
        return None, ""
    notes = []
    if open_date > start:
        start = open_date
        notes.append("Start is the trust's ODS open date.")
    if close_date and close_date < end:
        end = close_date
        notes.append("End is the trust's ODS close date.")
    return (start, end), " ".join(notes)


def etr_2022_memberships(records: list[list[str]]) -> list[Row]:
    """Trust -> STP/ICS (field 4) and trust -> region (field 3), Welsh codes left out."""
    src = "nhsx-etr-2022"
    rows = []
    for r in records:
        period, note = clip_period(ods_date(r[10]), ods_date(r[11]), PERIOD_ETR_2022)
        if period is None:
            continue
        if r[3] and r[3] != "Q99":
            rows.append(member(r[0], r[3], period, src, note))
        if r[2] and r[2] != "W00":
            rows.append(member(r[0], r[2], period, src, note))
    return rows


def region_2016_memberships(etr16: list[list[str]], names: dict[str, str]) -> list[Row]:
    return [
        member(r[0], r[2], PERIOD_2016, "ods-etr-2016;hf-trust-stp-2018") for r in etr16 if r[2] in names and not r[11]
    ]


def ccg_stp_memberships(ccgs: list[Row], stps: list[Row]) -> list[Row]:
    src = "nhsx-ccg-stp-2022"
    rows = [member(r["CCG_CODE"], r["STP_CODE"], PERIOD_CCG_2022, src) for r in ccgs]
    rows += [member(r["STP_CODE"], r["COMM_REGION_CODE"], PERIOD_CCG_2022, src) for r in stps]
    return rows


def geomaps_memberships(trusts: list[Row], ics: list[Row]) -> list[Row]:
    """Trust -> ICB and trust -> region by name joins to ICS_master; ICB -> region."""
    src = "nhse-geomaps-2023"
    icb_by_name = {r["ICB23NM"].casefold(): r["ICB23CDH"] for r in ics}
    region_by_name = {r["NHSER23NM"].casefold(): r["NHSER23CDH"] for r in ics}
    rows = []
    for r in trusts:
        icb = icb_by_name.get(r["ICB"].casefold())
        region = region_by_name.get(r["Region"].casefold())
        if icb is None or region is None:
            sys.exit(f"{GEO_TRUSTS}: {r['Provider Code']}: ICB {r['ICB']!r} or region {r['Region']!r} not in {GEO_ICS}")
        rows.append(
            member(
                r["Provider Code"],
                icb,
                PERIOD_2023,
                src,
                "ICB joined by name to ICS_master ICB23NM.",
            )
        )
        rows.append(
            member(
                r["Provider Code"],
                region,
                PERIOD_2023,
                src,
                "Region joined by name to ICS_master NHSER23NM.",
            )
        )
    rows += [member(r["ICB23CDH"], r["NHSER23CDH"], PERIOD_2023, src) for r in ics]
    return rows


# --- successions -----------------------------------------------------------------------


def event_slug(code: str, when: str) -> str:
    return f"{code.lower()}-{when[:7]}"


def dspt_successions(dspt: list[Row]) -> list[Row]:
    """Mergers (one event per successor and date) and splits from Successor.Code."""
    successors: dict[str, list[str]] = defaultdict(list)
    closed: dict[str, str] = {}
    for r in dspt:
        if r["Close"] and r["Successor.Code"]:
            successors[r["Code"]].append(r["Successor.Code"])
            closed[r["Code"]] = r["Close"]
    rows = []
    note = (
        "Successor.Code in the DSPT file; date is the day after its Close date {close}. "
        "The kind ({kind}) is inferred: the file gives only the successor code(s)."
    )
    for code, succs in successors.items():
        when = next_day(closed[code])
        split = len(succs) > 1
        for succ in succs:
            rows.append(
                {
                    "event": event_slug(code if split else succ, when),
                    "kind": "split" if split else "merger",
                    "date": when,
                    "predecessor": code,
                    "successor": succ,
                    "source": "nhsx-dspt-2022",
                    "note": note.format(close=closed[code], kind="split" if split else "merger"),
                }
            )
    return rows


def etr_closures(listings: dict[str, list[list[str]]], has_successor: set[str]) -> list[Row]:
    """Closure rows for ODS close dates that no source gives a successor for."""
    sources: dict[tuple[str, str], list[str]] = defaultdict(list)
    for source, records in listings.items():
        for r in records:
            if r[11] and r[0] not in has_successor:
                sources[(r[0], ods_date(r[11]))].append(source)
    return [
        {
            "event": event_slug(code, closed),
            "kind": "closure",
            "date": closed,
            "predecessor": code,
            "successor": "",
            "source": ";".join(srcs),
            "note": "ODS close date; the source names no successor.",
        }
        for (code, closed), srcs in sources.items()
    ]


def require(text: str, *snippets: str) -> None:
    """Stop if FACTS.md no longer says what the hand-written rows rest on."""
    for s in snippets:
        if s not in text:
            sys.exit(f"{FACTS}: expected text not found: {s!r}")


def facts_successions(facts: str, r0b_open: str) -> list[Row]:
    """The three changes FACTS.md states in prose."""
    require(
        facts,
        "merged with South Tyneside into R0B, Apr 2019 (DHN-STSFT)",
        "merged into (acquired by) University Hospitals Birmingham NHS FT (RRK)",
        "1 Apr 2018 per Wikipedia mirror",
        'listed under the "June 2018" ODS update',
        "RBA closed 2020-03-31 (etr 2020/21 in psychty repo, not shipped); successor not verified here",
    )
    if r0b_open != "2019-04-01":
        sys.exit(f"{ETR_2022}: R0B open date is {r0b_open}, not 2019-04-01")
    r0b_note = (
        "City Hospitals Sunderland and South Tyneside merged into R0B in April 2019 "
        "(dhn-stsft via FACTS.md); the day is R0B's ODS open date in nhsx-etr-2022."
    )
    rrk = {"kind": "acquisition", "predecessor": "RR1", "successor": "RRK"}
    return [
        {
            "event": "r0b-2019-04",
            "kind": "merger",
            "date": "2019-04-01",
            "predecessor": code,
            "successor": "R0B",
            "source": "dhn-stsft;nhsx-etr-2022",
            "note": r0b_note,
        }
        for code in ("RLN", "RE9")
    ] + [
        {
            **rrk,
            "event": "rrk-2018-04",
            "date": "2018-04-01",
            "source": "sagapedia-uhb",
            "note": "Heart of England merged into (acquired by) UHB on 1 April 2018 per the "
            "Wikipedia mirror; disagrees with event rrk-2018-06 (June 2018, HF README).",
        },
        {
            **rrk,
            "event": "rrk-2018-06",
            "date": "2018-06",
            "source": "hf-winter-pressures-readme",
            "note": "Listed under the June 2018 ODS update in the HF README; disagrees with "
            "event rrk-2018-04 (1 April 2018, sagapedia-uhb).",
        },
        {
            "event": "rba-2020-03",
            "kind": "closure",
            "date": "2020-03-31",
            "predecessor": "RBA",
            "successor": "",
            "source": "facts-md",
            "note": "FACTS.md: RBA closed 2020-03-31 (etr 2020/21 in psychty repo, not shipped); "
            "successor not verified here.",
        },
    ]


# --- checks and main -------------------------------------------------------------------


def check_unique(name: str, rows: list[Row], key: tuple[str, ...]) -> None:
    dupes = [k for k, n in Counter(tuple(r[c] for c in key) for r in rows).items() if n > 1]
    if dupes:
        sys.exit(f"{name}: duplicate key {key}: {dupes[:5]}")


def check_refs(name: str, rows: list[Row], columns: Iterable[str], codes: set[str]) -> None:
    missing = {r[c] for r in rows for c in columns if r[c] and r[c] not in codes}
    if missing:
        sys.exit(f"{name}: codes not in organisations.csv: {sorted(missing)}")


def report(orgs: list[Row], members: list[Row], successions: list[Row]) -> None:
    print("organisations.csv rows by source and kind:")
    for (src, kind), n in sorted(Counter((r["source"], r["kind"]) for r in orgs).items()):
        print(f"  {src:32} {kind:34} {n:4}")
    print("memberships.csv rows by source:")
    for src, n in sorted(Counter(r["source"] for r in members).items()):
        print(f"  {src:32} {n:4}")
    events = {r["event"]: r["kind"] for r in successions}
    print(
        f"successions.csv: {len(successions)} rows, {len(events)} events "
        f"{dict(sorted(Counter(events.values()).items()))}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=SHARED_DEFAULT)
    sh: Path = ap.parse_args().shared

    etr16 = read_records(sh / ETR_2016)[:-2]
    etr22 = read_records(sh / ETR_2022)
    hf = read_dicts(sh / HF_2018, encoding="utf-8-sig")
    ccgs, stps = read_dicts(sh / CCG_2022), read_dicts(sh / STP_2022)
    dspt = read_dicts(sh / DSPT_2022)
    geo_trusts, ics = read_dicts(sh / GEO_TRUSTS), read_dicts(sh / GEO_ICS)
    foi = read_dicts(sh / FOI_2024)
    facts = (sh / FACTS).read_text(encoding="utf-8")
    regions16 = hf_region_names_2016(hf, etr16)

    orgs = (
        etr_orgs(etr16, "ods-etr-2016")
        + etr_orgs(etr22, "nhsx-etr-2022")
        + hf_orgs(hf)
        + ccg_stp_orgs(ccgs, stps)
        + geomaps_orgs(geo_trusts, ics)
        + foi_orgs(foi)
        + region_2016_orgs(regions16)
    )
    orgs += dspt_orgs(dspt, {r["code"] for r in orgs})

    members = (
        hf_memberships(hf)
        + etr_2022_memberships(etr22)
        + ccg_stp_memberships(ccgs, stps)
        + geomaps_memberships(geo_trusts, ics)
        + region_2016_memberships(etr16, regions16)
    )

    merged = dspt_successions(dspt)
    r0b_open = next(ods_date(r[10]) for r in etr22 if r[0] == "R0B")
    successions = (
        merged
        + facts_successions(facts, r0b_open)
        + etr_closures({"ods-etr-2016": etr16, "nhsx-etr-2022": etr22}, {r["predecessor"] for r in merged})
    )

    check_unique("organisations.csv", orgs, ORG_KEY)
    check_unique("memberships.csv", members, MEMBER_KEY)
    check_unique("successions.csv", successions, SUCCESSION_KEY)
    codes = {r["code"] for r in orgs}
    check_refs("memberships.csv", members, ("member", "group"), codes)
    check_refs("successions.csv", successions, ("predecessor", "successor"), codes)

    write_register("organisations.csv", ORG_COLUMNS, orgs, ORG_KEY)
    write_register("memberships.csv", MEMBER_COLUMNS, members, MEMBER_KEY)
    write_register("successions.csv", SUCCESSION_COLUMNS, successions, SUCCESSION_KEY)
    print(f"2016 regions named from HF: {sorted(regions16) or 'none (join not one-to-one)'}")
    report(orgs, members, successions)


if __name__ == "__main__":
    main()
