"""The synthetic population behind benchmarks/generate.py: organisations in code order.

Every attribute of an organisation is a pure function of (seed, kind, index), hashed with
splitmix64, so any organisation can be made again without keeping the others and the
registers can be written in one streaming pass, in canonical (code) order.

Kinds and codes (the code formats the shapes check, shapes/organisations.ttl):

- regions: the 7 NHS England regions, `Y56`..`Y63`;
- ICBs (listed as an STP in the older list and an ICB in the newer one, as the real ICBs
  that kept their STP code): `Q` and two letters or digits, 42 of them;
- CCGs: two digits and a letter (`15D`), all closed 2022-06-30 (CCGs ended then);
- NHS trusts: `R` or `T` and two letters or digits (at most 2,592 codes exist);
- GP practices: real GP codes have 6 characters (`A81001`), which the register refuses
  (codes are 3 to 5 characters), and the register has no GP-practice kind. They are
  written with the 5-character code shape of a merged CCG (`A1B2C`, first letter never
  Q, R, T or Y so they cannot collide with the other kinds) and kind `ccg`, the closest
  kind: GP practices were the member practices of CCGs, and a CCG is a commissioner
  that, like a practice, belongs to an ICB. Each such row says so in its note.

Successions follow a fixed pattern in blocks of 40 organisations of one kind: index 10
closes (closure), 20 is acquired by 21, 37 and 38 merge into 39 (opened by the merger).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from dataclasses import dataclass

MASK = (1 << 64) - 1
REGIONS = (
    ("Y56", "London", "E40000003"),
    ("Y58", "South West", "E40000006"),
    ("Y59", "South East", "E40000005"),
    ("Y60", "Midlands", "E40000008"),
    ("Y61", "East of England", "E40000007"),
    ("Y62", "North West", "E40000010"),
    ("Y63", "North East and Yorkshire", "E40000009"),
)
N_ICB = 42
DIGITS = "0123456789"
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
ALNUM = DIGITS + LETTERS
GP_FIRST = "".join(c for c in LETTERS if c not in "QRTY")
TRUST_KINDS = (  # (kind, share in thousandths), cumulative below
    ("acute-trust", 600),
    ("mental-health-trust", 200),
    ("community-trust", 80),
    ("ambulance-trust", 40),
    ("mental-health-and-community-trust", 40),
    ("specialist-trust", 30),
    ("care-trust", 10),
)
PLACES = (
    "Ashford",
    "Barnfield",
    "Calder",
    "Dunmore",
    "Eastwick",
    "Fernley",
    "Glenholm",
    "Harrowgate",
    "Ilford Vale",
    "Kingsmere",
    "Larkhill",
    "Marston",
    "Northcote",
    "Oakridge",
    "Penbury",
    "Queensway",
    "Ravensworth",
    "Stanmoor",
    "Thornbury",
    "Upwell",
    "Valley",
    "Westfield",
    "Yarrow",
    "Ambleside",
    "Brookside",
    "Coldharbour",
    "Dalesford",
    "Elmstead",
    "Foxton",
    "Greendale",
)
SURNAMES = (
    "Abbott",
    "Bennett",
    "Carter",
    "Dawson",
    "Ellis",
    "Foster",
    "Graham",
    "Hughes",
    "Irving",
    "Jarvis",
    "Kaur",
    "Lawson",
    "Mitchell",
    "Nolan",
    "Osborne",
    "Patel",
    "Quinn",
    "Rahman",
    "Shaw",
    "Turner",
)
GP_NOTE = "Synthetic GP practice: the register has no GP-practice kind; ccg is the closest kind."


def mix(*parts: int) -> int:
    """splitmix64 over a few integers: a deterministic 64-bit hash."""
    x = 0x9E3779B97F4A7C15
    for p in parts:
        x = (x + p + 0x9E3779B97F4A7C15) & MASK
        x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & MASK
        x ^= x >> 31
    return x


@dataclass(slots=True)
class Org:
    """One organisation (one code) and the facts every register needs about it."""

    code: str
    kind: str  # the register's kind column
    family: str  # region, icb, ccg, trust, site, gp
    index: int  # index within its family, in code order
    name: str
    opened: str
    closed: str = ""
    ons: str = ""
    lat: str = ""
    lon: str = ""
    icb: int = 0  # index of its ICB
    h: int = 0  # its hash, for further choices
    event: tuple[str, str, str] | None = None  # (kind, date, successor code) if it is a predecessor
    slot: int = 0  # position in its block of 40 (successions)


class Population:
    """How many of each kind, and each organisation by family and index."""

    def __init__(self, orgs: int, seed: int) -> None:
        self.seed = seed
        self.n_ccg = max(10, min(orgs // 100, 1000))
        self.n_trust = max(40, min(orgs // 40, 2400))
        self.n_gp = max(0, orgs - len(REGIONS) - N_ICB - self.n_ccg - self.n_trust)
        self.icb_codes = _spread(["Q" + a + b for a in ALNUM for b in ALNUM], N_ICB)
        self.ccg_codes = _spread([a + b + c for a in DIGITS for b in DIGITS for c in LETTERS], self.n_ccg)
        self.trust_codes = _spread([f + a + b for f in "RT" for a in ALNUM for b in ALNUM], self.n_trust)
        self.gp_space = len(GP_FIRST) * 10 * 26 * 10 * 26

    def u(self, *parts: int) -> float:
        """A uniform number in [0, 1) for (seed, parts)."""
        return mix(self.seed, *parts) / 2.0**64

    # --- the families -------------------------------------------------------------------

    def regions(self) -> Iterator[Org]:
        for i, (code, name, ons) in enumerate(REGIONS):
            yield Org(code, "region", "region", i, f"NHS England {name}", "2020-04-01", ons=ons, h=mix(self.seed, 1, i))

    def icbs(self) -> Iterator[Org]:
        for i, code in enumerate(self.icb_codes):
            place = f"{PLACES[i % len(PLACES)]}" + ("" if i < len(PLACES) else " and District")
            ons = f"E54{i + 50:06d}"
            yield Org(
                code,
                "icb",
                "icb",
                i,
                f"NHS {place} Integrated Care Board",
                "",  # no open date: the STP it was (same code) had members before 2022
                ons=ons,
                icb=i,
                h=mix(self.seed, 2, i),
            )

    def ccgs(self) -> Iterator[Org]:
        for i, code in enumerate(self.ccg_codes):
            h = mix(self.seed, 3, i)
            place = PLACES[h % len(PLACES)]
            yield Org(
                code,
                "ccg",
                "ccg",
                i,
                f"NHS {place} CCG",
                "2013-04-01",
                "2022-06-30",
                ons=f"E38{i:06d}",
                icb=h % N_ICB,
                h=h,
            )

    def trusts(self) -> Iterator[Org]:
        for i, code in enumerate(self.trust_codes):
            org = self.trust(i)
            yield org
            if org.h % 100 == 13:  # about 1%: a trust's site listed as if it were a trust (fault)
                yield Org(
                    code + "01",
                    org.kind,
                    "site",
                    i,
                    org.name.replace(" NHS", " Hospital Site NHS"),
                    org.opened,
                    lat=org.lat,
                    lon=org.lon,
                    icb=org.icb,
                    h=org.h,
                )

    def trust(self, i: int) -> Org:
        h = mix(self.seed, 4, i)
        kind = _trust_kind(h % 1000)
        place = PLACES[(h >> 10) % len(PLACES)]
        label = {
            "acute-trust": "Hospitals",
            "ambulance-trust": "Ambulance Service",
            "care-trust": "Care",
            "community-trust": "Community Health",
            "specialist-trust": "Specialist Hospital",
        }
        what = label.get(kind, "Health and Care" if "community" in kind else "Mental Health")
        suffix = "NHS Foundation Trust" if (h >> 20) % 3 else "NHS Trust"
        org = Org(
            self.trust_codes[i],
            kind,
            "trust",
            i,
            f"{place} {what} {suffix}",
            f"{1991 + (h >> 24) % 25}-04-01",
            icb=(h >> 32) % N_ICB,
            h=h,
        )
        self._place(org, h)
        self._history(org, self.n_trust, 4)
        return org

    def gps(self) -> Iterator[Org]:
        for i in range(self.n_gp):
            yield self.gp(i)

    def gp_code(self, i: int) -> str:
        """The i-th GP code: spread over the whole code space, in order."""
        v = (i * self.gp_space) // max(self.n_gp, 1)
        v, e = divmod(v, 26)
        v, d = divmod(v, 10)
        v, c = divmod(v, 26)
        v, b = divmod(v, 10)
        return GP_FIRST[v] + DIGITS[b] + LETTERS[c] + DIGITS[d] + LETTERS[e]

    def gp(self, i: int) -> Org:
        h = mix(self.seed, 5, i)
        code = self.gp_code(i)
        style = (h >> 8) % 3
        surname = SURNAMES[h % len(SURNAMES)]
        place = PLACES[(h >> 16) % len(PLACES)]
        name = (f"{surname} Medical Practice", f"The {place} Surgery", f"{place} Health Centre")[style]
        org = Org(
            code,
            "ccg",
            "gp",
            i,
            name,
            f"{1974 + (h >> 24) % 46}-{1 + (h >> 30) % 12:02d}-01",
            icb=(h >> 36) % N_ICB,
            h=h,
        )
        self._place(org, h)
        self._history(org, self.n_gp, 5)
        return org

    def all(self) -> Iterator[Org]:
        """Every organisation, in code order (the canonical order of organisations.csv)."""
        streams = (self.regions(), self.icbs(), self.ccgs(), self.trusts(), self.gps())
        return heapq.merge(*streams, key=lambda o: o.code)

    # --- shared attributes ----------------------------------------------------------------

    def _place(self, org: Org, h: int) -> None:
        lat = 50.4 + ((h >> 40) % 5000) / 1000
        lon = -5.2 + ((h >> 20) % 6500) / 1000
        org.lat, org.lon = f"{lat:.4f}", f"{lon:.4f}"

    def event_date(self, family: int, successor: int) -> str:
        return f"{2015 + mix(self.seed, family, successor, 7) % 8}-04-01"

    def _history(self, org: Org, count: int, family: int) -> None:
        """Closed organisations and their successors, in blocks of 40 (see the module doc)."""
        slot = org.index % 40
        org.slot = slot
        if slot == 10:
            date = self.event_date(family, org.index)
            org.event = ("closure", date, "")
        elif slot == 20 and org.index + 1 < count:
            org.event = ("acquisition", self.event_date(family, org.index + 1), self.code_of(family, org.index + 1))
        elif slot in (37, 38) and org.index + 39 - slot < count:
            succ = org.index + 39 - slot
            org.event = ("merger", self.event_date(family, succ), self.code_of(family, succ))
        elif slot == 39 and org.index >= 2:
            org.opened = self.event_date(family, org.index)
        elif slot == 21 and org.opened >= self.event_date(family, org.index):  # an acquirer was open before
            org.opened = f"{int(self.event_date(family, org.index)[:4]) - 10}-04-01"
        if org.event:
            year = int(org.event[1][:4])
            org.closed = f"{year}-03-31"
            fault = self.succession_fault(family, org.index + 1) if slot == 20 else ""
            if slot in (37, 38):
                fault = self.succession_fault(family, org.index + 39 - slot)
            if fault == "successor-opened-before-predecessor-closed":
                org.closed = f"{year}-05-31"
            elif fault == "predecessor-closed-long-before":
                org.closed = f"{year - 1}-09-30"
            if org.opened >= org.closed:
                org.opened = f"{year - 20}-04-01"

    def succession_fault(self, family: int, successor: int) -> str:
        """The fault of the change event whose successor this is: about 1% of events per class."""
        block, slot = divmod(successor, 40)
        r = block % 33  # 1 block in 33: 1% of the events (a third of them are mergers, a third acquisitions)
        if slot == 39 and r == 0:
            return "successor-opened-before-predecessor-closed"
        if slot == 21 and r in (1, 2):
            return ("predecessor-closed-long-before", "split-with-one-successor")[r - 1]
        return ""

    def code_of(self, family: int, index: int) -> str:
        return self.trust_codes[index] if family == 4 else self.gp_code(index)


def _trust_kind(share: int) -> str:
    """The kind of trust at `share` thousandths along TRUST_KINDS."""
    for kind, part in TRUST_KINDS:
        if share < part:
            return kind
        share -= part
    return TRUST_KINDS[0][0]


def _spread(codes: list[str], n: int) -> list[str]:
    """n codes spread evenly over a sorted list of possible codes (in order)."""
    codes = sorted(codes)
    if n > len(codes):
        raise ValueError(f"only {len(codes)} codes of this kind exist; asked for {n}")
    return [codes[(i * len(codes)) // n] for i in range(n)]
