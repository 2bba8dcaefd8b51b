"""The fixed registers of the synthetic set (programmes, bodies, systems, sources) and their names.

The programme `gde-procurement-framework` starts before its parent: the one faulty row of
programmes.csv (the register has seven rows, so "about 1%" is one row).
"""

from __future__ import annotations

Row = tuple[str, ...]
GDE = "global-digital-exemplar"
ACUTE_EPR = ("cerner-millennium", "epic", "meditech-expanse", "lorenzo", "system-c-careflow")
MH_EPR = ("rio", "system-c-careflow", "lorenzo")
SYSTEMS = (  # key, name, category, supplier
    ("cerner-millennium", "Cerner Millennium", "epr", "cerner"),
    ("emis-web", "EMIS Web", "other", "emis"),
    ("epic", "Epic", "epr", "epic"),
    ("lorenzo", "Lorenzo", "epr", "dxc"),
    ("meditech-expanse", "Meditech Expanse", "epr", "meditech"),
    ("ortivus-mobimed", "Ortivus MobiMed", "other", "ortivus"),
    ("rio", "RiO", "epr", "servelec"),
    ("system-c-careflow", "System C CareFlow", "epr", "system-c"),
    ("systmone", "SystmOne", "other", "tpp"),
    ("vision", "Vision", "other", "cegedim"),
)
SUPPLIER_OF = {key: supplier for key, _, _, supplier in SYSTEMS}
SUPPLIERS = ("cegedim", "cerner", "dxc", "emis", "epic", "meditech", "ortivus", "servelec", "system-c", "tpp")
PLACES = (  # key, name, cohort, announced
    ("greater-manchester", "Greater Manchester", "lhcre-wave-1", "2018-05-23"),
    ("one-london", "One London", "lhcre-wave-1", "2018-05-23"),
    ("thames-valley-and-surrey", "Thames Valley and Surrey", "lhcre-wave-1b", "2018-06-27"),
    ("wessex", "Wessex", "lhcre-wave-1", "2018-05-23"),
    ("yorkshire-and-humber", "Yorkshire and Humber", "lhcre-wave-1b", "2018-06-27"),
)


def programmes(src: str) -> list[Row]:
    return [
        ("digital-aspirant", "Digital Aspirant programme", "programme", "", "", "", "2019-12", "", src, ""),
        (
            "fast-follower",
            "Fast Follower programme",
            "sub-programme",
            GDE,
            "paperless-2020",
            "",
            "",
            "",
            src,
            "",
        ),
        (
            "gde-procurement-framework",
            "GDE procurement framework",
            "procurement-framework",
            GDE,
            "",
            "",
            "2015-01",
            "",
            src,
            "Starts before its parent (synthetic fault).",
        ),
        (
            GDE,
            "Global Digital Exemplar programme",
            "programme",
            "",
            "paperless-2020",
            "nhs-england",
            "2016-09",
            "",
            src,
            "",
        ),
        (
            "local-health-and-care-record-exemplar",
            "Local Health and Care Record Exemplars",
            "programme",
            "",
            "",
            "",
            "2018-05-23",
            "",
            src,
            "",
        ),
        ("nhs-app-pilot", "NHS App pilot", "pilot", "", "", "", "2018-09-06", "", src, ""),
        (
            "paperless-2020",
            "Paperless 2020",
            "funding-stream",
            "",
            "",
            "national-information-board",
            "",
            "",
            src,
            "",
        ),
    ]


def bodies(src: str) -> list[Row]:
    rows: list[Row] = [
        ("nhs-england", "NHS England", "national-body", src, ""),
        ("national-information-board", "National Information Board", "national-body", src, ""),
    ]
    rows += [(k, k.replace("-", " ").title(), "supplier", src, "") for k in SUPPLIERS]
    rows += [(k, name, "place", src, "") for k, name, _, _ in PLACES]
    return sorted(rows)


def people(src: str) -> list[Row]:
    return [("synthetic-cio", "Synthetic CIO", "", src, "")]


def posts(src: str) -> list[Row]:
    return [
        (
            "synthetic-cio-nhs-england",
            "synthetic-cio",
            "Chief Information Officer",
            "chief-information-officer",
            "nhs-england",
            "2016-07",
            "",
            src,
            "",
        )
    ]


def documents(src: str) -> list[Row]:
    return [("synthetic-review", "Synthetic review of NHS IT", "review", "synthetic-cio", "2016", GDE, src, "")]


def sources(src: str, seed: int, old: str) -> list[Row]:
    note = (
        f"SYNTHETIC: made up by benchmarks/generate.py (seed {seed}) for benchmarks; not real data. "
        "No file is at this path."
    )
    return [
        (
            src,
            "dataset",
            f"Synthetic NHS registers (seed {seed})",
            "nhs-dkg benchmarks",
            "2022-10-01",
            "",
            f"synthetic/seed-{seed}",
            "",
            note,
        ),
        (
            old,
            "dataset",
            f"Synthetic older organisation listing (seed {seed})",
            "nhs-dkg benchmarks",
            "2017-04-01",
            "",
            f"synthetic/seed-{seed}-2016",
            "",
            note,
        ),
    ]
