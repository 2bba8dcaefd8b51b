"""Derive data/sources.csv from ../shared/data (re-runnable).

Dataset rows come from each SOURCE.md; web-page rows from the key table of FACTS.md;
article rows from articles/README.md. Titles of web pages are not in the material,
so the title is the page's URL slug written as words (said in the note).

Usage: python data/derive/sources.py [--shared ../shared/data]
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from urllib.parse import urlparse

from common import SHARED_DEFAULT, write_register

COLUMNS = ["key", "kind", "title", "publisher", "date", "url", "path", "licence", "note"]

DATASETS = [
    {
        "key": "ods-etr-2016",
        "title": "ODS etr.csv (NHS trusts, England and Wales), FY2016/17 snapshot",
        "publisher": "NHS Digital Organisation Data Service (copy in jah-photoshop/nhsparse)",
        "date": "2016",
        "url": "https://github.com/jah-photoshop/nhsparse/blob/12ebc71b6a80e8905723830928522421b13e8aa9/etr.csv",
        "path": "sources/ods-etr-2016/etr_fy2016-17.csv",
        "licence": "Open Government Licence (ODS reference data); repository states none",
        "note": "Date inferred FY2016/17 by the material; the last two rows (R0A, R0B) were appended by the repository author and are not used.",
    },
    {
        "key": "nhsx-etr-2022",
        "title": "ODS etr.csv (NHS trusts) with trust to STP/ICS code, FY2021/22",
        "publisher": "NHSX SystemHierarchies (copy of NHS Digital ODS etr.csv)",
        "date": "2022-03-17",
        "url": "https://github.com/nhsx-mirror/SystemHierarchies/blob/c38ca0a10e436fa11bcab1063cc34809a21e4b86/data/etr.csv",
        "path": "sources/nhsx-system-hierarchies-2022/etr_2022-03.csv",
        "licence": "MIT (repository); Open Government Licence (ODS data)",
        "note": "Column 3 is the NHS England region, column 4 the STP/ICS Q-code.",
    },
    {
        "key": "nhsx-ccg-stp-2022",
        "title": "CCG to STP/ICS to NHS England region mapping, January 2022",
        "publisher": "NHSX SystemHierarchies (derived from NHS Digital GP practice registration mapping)",
        "date": "2022-01-01",
        "url": "https://github.com/nhsx-mirror/SystemHierarchies/blob/c4d6cff5a8ca65ee287814ee312d0cdfa0c35833/data/gp-reg-pat-prac-map.csv",
        "path": "sources/nhsx-system-hierarchies-2022/ccg_stp_region_2022-01.csv",
        "licence": "MIT (repository); Open Government Licence (NHS Digital data)",
        "note": "106 CCGs, 42 STPs/ICSs, 7 regions; also stp_region_2022-01.csv, derived from the same file.",
    },
    {
        "key": "nhsx-dspt-2022",
        "title": "Data Security and Protection Toolkit status of trusts, CCGs and CSUs, February 2022",
        "publisher": "NHSX SystemHierarchies (copy of the DSPT metric file)",
        "date": "2022-02-08",
        "url": "https://github.com/nhsx-mirror/SystemHierarchies/blob/f153e3d88a641999a88d8d75697ff277f2f03153/data/data_DSPTmetric_20220208.csv",
        "path": "sources/nhsx-system-hierarchies-2022/dspt_status_2022-02-08.csv",
        "licence": "MIT (repository); Open Government Licence (DSPT data)",
        "note": "Used for the successor codes and close dates of closed trusts and CCGs.",
    },
    {
        "key": "hf-trust-stp-2018",
        "title": "Trust to STP lookup (44 STPs, 2017/18 footprints)",
        "publisher": "The Health Foundation (HFAnalyticsLab/Winter_pressures)",
        "date": "2018-02-25",
        "url": "https://github.com/HFAnalyticsLab/Winter_pressures/blob/82b89d3a99b212e1a8bde94fefac92a0efa7f114/Trust-STP-lookup.csv",
        "path": "sources/hf-trust-stp-2018/Trust-STP-lookup.csv",
        "licence": "MIT",
        "note": "Acute trusts only. RLN, RR7, RTF, RE9 were in no STP list and were allocated by main site by the authors; RFS and RVR appeared in more than one STP plan.",
    },
    {
        "key": "nhse-geomaps-2023",
        "title": "Trusts to ICB master list and ICB master list (April-June 2023)",
        "publisher": "NHS England (nhsengland/leaflet-geomaps-NHS)",
        "date": "2023-06",
        "url": "https://github.com/nhsengland/leaflet-geomaps-NHS/tree/e47c2a5d67e26055db2e1a3af9fe524f8dc9f578",
        "path": "sources/nhse-leaflet-geomaps-2023/trusts_master.csv",
        "licence": "MIT",
        "note": "Also ICS_master.csv (42 ICBs, April 2023, from the ONS Geoportal lookup). ICBs are joined by name (case-insensitive).",
    },
    {
        "key": "nhse-epr-foi-2024",
        "title": "Primary EPR supplier of secondary-care NHS trusts (EPR Suppliers 01.10.24)",
        "publisher": "NHS England (FOI release, copy in regulate-tech/nhstech)",
        "date": "2024-10-01",
        "url": "https://github.com/regulate-tech/nhstech/blob/3a65448ba94b6fd44a1eb393e6d7577314456726/subject-mrc/data/source/requests/secondary_trusts_primary_epr_suppliers_20240101.xlsx",
        "path": "sources/nhse-epr-suppliers-foi-2024/trust_primary_epr_supplier.csv",
        "licence": "not stated in the file (FOI release; repository GPL-3.0)",
        "note": "Names the supplier (company), not the product.",
    },
    {
        "key": "facts-md",
        "title": "FACTS.md: sourced facts on exemplars, fast followers, EPRs, HIMSS stages and blueprints",
        "publisher": "project material compiled from archived pages",
        "date": "",
        "url": "",
        "path": "sources/FACTS.md",
        "licence": "",
        "note": "Cited only for statements FACTS.md makes itself (name-to-code joins, notes on unshipped files); each page it read has its own key.",
    },
]

PUBLISHERS = {
    "www.hsj.co.uk": "HSJ",
    "learninghealthcareproject.org": "Learning Healthcare Project",
    "www.digitalhealth.net": "Digital Health News",
    "digitalhealth.net": "Digital Health News",
    "www.digitalhealth.net.": "Digital Health News",
    "dhi-publishing-new-theme.onyx-sites.io": "Digital Health News (mirror)",
    "www.nationalhealthexecutive.com": "National Health Executive",
    "healthcare.governmentcomputing.com": "Government Computing",
    "htn.co.uk": "Health Tech Newspaper",
    "transform.england.nhs.uk": "NHS England Transformation Directorate",
    "www.stsft.nhs.uk": "South Tyneside and Sunderland NHS Foundation Trust",
    "healthcareitnews.com": "Healthcare IT News",
    "digitalhealthnews.eu": "Digital Health News EU",
    "www.cerner.com": "Cerner",
    "www.computerweekly.com": "Computer Weekly",
    "en.wikipedia.org": "Wikipedia",
    "digital.nhs.uk": "NHS Digital",
    "www.england.nhs.uk": "NHS England",
    "understandingpatientdata.org.uk": "Understanding Patient Data",
    "www.ed.ac.uk": "University of Edinburgh",
    "sagapedia.com": "Sagapedia (Wikipedia mirror)",
    "github.com": "GitHub",
}

EXTRA_PAGES = [
    # Cited in FACTS.md section 5 by URL rather than by key.
    ("sagapedia-uhb", "https://sagapedia.com/en/University_Hospitals_Birmingham_NHS_Foundation_Trust"),
    ("hf-winter-pressures-readme", "https://github.com/HFAnalyticsLab/Winter_pressures"),
]

ARTICLE_META = {
    # file -> (publisher, date, title) from articles/README.md and the text itself; a text
    # without a headline gets a title in the project's own words, and its note says so
    "000_94e09c4d98d9d644.txt": ("", "", "NHS needs at least another £4.2bn of IT investment, says NHS England CIO"),
    "001_b2d413e21c46e8b4.txt": (
        "British Journal of Healthcare Computing",
        "2017",
        "Implementing digital transformation",
    ),
    "002_78c08770675dbc6d.txt": ("HSJ", "2017", "Exclusive: All trusts will buy new IT via NHS 'exemplars'"),
    "003_dca5bee111f80d61.txt": (
        "Computer Weekly",
        "2018-09-06",
        "Health secretary Matt Hancock to boost NHS IT with £200m fund",
    ),
    "004_9decf5010548777f.txt": ("Digital Health", "2016-11", "STPs the only game in town (report from EHI Live 2016)"),
}
ARTICLE_NOTES = {
    "000_94e09c4d98d9d644.txt": "The title is the project's own wording: the text has no headline. Report of a speech by NHS England's CIO at EHi Live; the text names no publication and no year (2017 or 2018 per the articles README).",
    "001_b2d413e21c46e8b4.txt": "Will Smart's first blog for the British Journal of Healthcare Computing, headed 'EXCLUSIVE: Implementing digital transformation'. Early 2017 per the articles README.",
    "002_78c08770675dbc6d.txt": "Mid 2017 per the articles README.",
    "003_dca5bee111f80d61.txt": "",
    "004_9decf5010548777f.txt": "The title is the project's own wording, after the CIO's words 'only game in town': the text has no headline. November 2016 per the articles README.",
}


def slug_title(url: str) -> str:
    parts = [re.sub(r"\.(article|html?)$", "", p) for p in urlparse(url).path.split("/")]
    named = [p for p in parts if p and not p.isdigit()]
    last = named[-1] if named else urlparse(url).query
    words = re.sub(r"[-_]+", " ", last).strip()
    return words[:1].upper() + words[1:] if words else url


def url_date(url: str) -> str:
    m = re.search(r"/(20\d\d)/(\d\d)/(?:(\d\d)/)?", url)
    if not m:
        return ""
    return f"{m.group(1)}-{m.group(2)}" + (f"-{m.group(3)}" if m.group(3) else "")


def page_row(key: str, url: str) -> dict[str, str]:
    host = urlparse(url).netloc
    return {
        "key": key,
        "kind": "web-page",
        "title": slug_title(url),
        "publisher": PUBLISHERS.get(host, host),
        "date": url_date(url),
        "url": url,
        "path": "",
        "licence": "",
        "note": "Title is the page address written as words; date, where given, is the one in the address.",
    }


def fact_pages(facts: str) -> list[dict[str, str]]:
    rows = []
    for line in facts.splitlines():
        m = re.match(r"^\| ([A-Z0-9][A-Z0-9-]*) \| (\S+)(.*)\|$", line)
        if m and m.group(1) != "key":
            rows.append(page_row(m.group(1).lower(), m.group(2)))
    return rows


def article_rows() -> list[dict[str, str]]:
    rows = []
    for i, (name, (publisher, date, title)) in enumerate(sorted(ARTICLE_META.items())):
        rows.append(
            {
                "key": f"article-{i:03d}",
                "kind": "article",
                "title": title,
                "publisher": publisher,
                "date": date,
                "url": "",
                "path": f"articles/{name}",
                "licence": "",
                "note": ARTICLE_NOTES[name],
            }
        )
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=SHARED_DEFAULT)
    args = ap.parse_args()
    facts = (args.shared / "sources" / "FACTS.md").read_text(encoding="utf-8")
    rows = [{**d, "kind": "dataset" if d["key"] != "facts-md" else "compilation"} for d in DATASETS]
    rows += fact_pages(facts)
    rows += [page_row(k, u) for k, u in EXTRA_PAGES]
    rows += article_rows()
    write_register("sources.csv", COLUMNS, rows, key=("key",))


if __name__ == "__main__":
    main()
