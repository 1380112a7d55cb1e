"""Regenerate instances/2025.yaml: the 14th China-Italy Science, Technology & Innovation Week.

Organisations are real; people and requests are illustrative (seeded, repeatable):
    python instances/make_2025.py > instances/2025.yaml
"""

from __future__ import annotations

import random
import sys

import yaml

SEED = 2025
SECTORS = ["energy", "AI", "biotech"]

# (organisation, country, city it is based in or None for national bodies, sectors, people)
ITALIAN = [
    ("Fondazione IDIS-Città della Scienza", None, ["energy", "AI", "biotech"], 5),
    ("CNR - Consiglio Nazionale delle Ricerche", None, ["energy", "AI", "biotech"], 6),
    ("ENEA", None, ["energy"], 5),
    ("GSE - Gestore dei Servizi Energetici", None, ["energy"], 3),
    ("INFN - Istituto Nazionale di Fisica Nucleare", None, ["AI", "energy"], 4),
    ("Enterprise Europe Network - ELSE Lombardia", None, ["energy", "AI", "biotech"], 3),
    ("Enterprise Europe Network - BRIDG€conomies Campania", None, ["biotech", "AI"], 2),
    ("ART-ER Emilia-Romagna", None, ["energy", "AI"], 3),
    ("Lazio Innova", None, ["biotech", "AI"], 2),
    ("Sviluppo Campania", None, ["biotech", "energy"], 2),
    ("Politecnico di Milano", None, ["AI", "energy"], 5),
    ("Politecnico di Torino", None, ["energy", "AI"], 4),
    ("Università di Bologna", None, ["biotech", "AI"], 4),
    ("Sapienza Università di Roma", None, ["biotech", "energy"], 4),
    ("Università di Napoli Federico II", None, ["biotech", "AI"], 4),
    ("Università di Padova", None, ["biotech", "energy"], 3),
    ("Istituto Italiano di Tecnologia", None, ["AI", "biotech"], 5),
    ("Enel Green Power", None, ["energy"], 3),
    ("Leonardo S.p.A.", None, ["AI"], 2),
    ("Chiesi Farmaceutici", None, ["biotech"], 2),
    ("Menarini Group", None, ["biotech"], 2),
    ("Ansaldo Energia", None, ["energy"], 2),
    ("Prysmian Group", None, ["energy"], 2),
    ("Bioindustry Park Silvano Fumero", None, ["biotech"], 2),
    ("Kilometro Rosso Innovation District", None, ["AI", "energy"], 2),
]
CHINESE = [
    ("Ministry of Science and Technology (MOST)", None, ["energy", "AI", "biotech"], 4),
    ("China Association for Science and Technology (CAST)", None, ["energy", "AI", "biotech"], 3),
    ("Beijing Municipal Science & Technology Commission", "Beijing", ["energy", "AI", "biotech"], 4),
    ("Beijing Association for Science and Technology (BAST)", "Beijing", ["energy", "AI", "biotech"], 4),
    ("Tsinghua University", "Beijing", ["AI", "energy"], 5),
    ("Peking University", "Beijing", ["biotech", "AI"], 4),
    ("Chinese Academy of Sciences", "Beijing", ["energy", "AI", "biotech"], 5),
    ("Beihang University", "Beijing", ["AI", "energy"], 3),
    ("Zhongguancun Science Park", "Beijing", ["AI", "biotech"], 3),
    ("Baidu", "Beijing", ["AI"], 2),
    ("State Grid Corporation of China", "Beijing", ["energy"], 3),
    ("Sinovac Biotech", "Beijing", ["biotech"], 2),
    ("Beijing Genomics Institute Research", "Beijing", ["biotech"], 2),
    ("Zhejiang University", "Hangzhou", ["AI", "biotech", "energy"], 5),
    ("Westlake University", "Hangzhou", ["biotech", "AI"], 3),
    ("Zhejiang Lab", "Hangzhou", ["AI"], 3),
    ("Hangzhou Science and Technology Bureau", "Hangzhou", ["energy", "AI", "biotech"], 3),
    ("Alibaba DAMO Academy", "Hangzhou", ["AI"], 2),
    ("Hikvision", "Hangzhou", ["AI"], 2),
    ("Hangzhou Tigermed", "Hangzhou", ["biotech"], 2),
    ("Zhejiang Energy Group", "Hangzhou", ["energy"], 3),
    ("Future Sci-Tech City Administration", "Hangzhou", ["AI", "biotech"], 2),
]
ITALIAN_FIRST = [
    "Giulia",
    "Marco",
    "Francesca",
    "Luca",
    "Chiara",
    "Alessandro",
    "Sara",
    "Matteo",
    "Elena",
    "Davide",
    "Martina",
    "Andrea",
    "Valentina",
    "Stefano",
    "Federica",
    "Paolo",
    "Silvia",
    "Nicolò",
    "Beatrice",
    "Lorenzo",
    "Ilaria",
    "Gabriele",
    "Elisa",
    "Tommaso",
]
ITALIAN_LAST = [
    "Rossi",
    "Bianchi",
    "Esposito",
    "Ferrari",
    "Romano",
    "Colombo",
    "Ricci",
    "Marino",
    "Greco",
    "Bruno",
    "Gallo",
    "Conti",
    "De Luca",
    "Costa",
    "Giordano",
    "Mancini",
    "Rizzo",
    "Lombardi",
    "Moretti",
    "Barbieri",
    "Fontana",
    "Santoro",
    "Mariani",
    "Caruso",
]
CHINESE_NAMES = [
    ("王", "Wang"),
    ("李", "Li"),
    ("张", "Zhang"),
    ("刘", "Liu"),
    ("陈", "Chen"),
    ("杨", "Yang"),
    ("黄", "Huang"),
    ("赵", "Zhao"),
    ("吴", "Wu"),
    ("周", "Zhou"),
    ("徐", "Xu"),
    ("孙", "Sun"),
    ("马", "Ma"),
    ("朱", "Zhu"),
    ("胡", "Hu"),
    ("郭", "Guo"),
]
CHINESE_GIVEN = [
    ("伟", "Wei"),
    ("娜", "Na"),
    ("静", "Jing"),
    ("敏", "Min"),
    ("磊", "Lei"),
    ("洋", "Yang"),
    ("婷", "Ting"),
    ("勇", "Yong"),
    ("杰", "Jie"),
    ("芳", "Fang"),
    ("浩", "Hao"),
    ("蕾", "Lei"),
    ("晨", "Chen"),
    ("涛", "Tao"),
    ("琳", "Lin"),
    ("鹏", "Peng"),
]

BEIJING_DAYS = ["2025-11-13", "2025-11-14"]
HANGZHOU_DAY = "2025-11-15"


def _slug(org: str) -> str:
    words = [w for w in org.replace("(", " ").replace(")", " ").replace("-", " ").split() if w[0].isalpha()]
    caps = [w for w in words if w.isupper() and len(w) > 1]
    base = caps[0] if caps else "".join(w[0] for w in words[:4])
    return "".join(ch for ch in base.lower() if ch.isalnum())[:8]


def build() -> dict[str, object]:
    rng = random.Random(SEED)
    participants: list[dict[str, object]] = []
    sectors_of: dict[str, list[str]] = {}
    side_of: dict[str, str] = {}
    cities_of: dict[str, set[str]] = {}
    used_ids: set[str] = set()

    def add_person(org: str, country: str, base_city: str | None, sectors: list[str], k: int) -> None:
        slug = _slug(org)
        pid = f"{country.lower()}-{slug}-{k:02d}"
        while pid in used_ids:
            slug += "x"
            pid = f"{country.lower()}-{slug}-{k:02d}"
        used_ids.add(pid)
        if country == "IT":
            name = f"{rng.choice(ITALIAN_FIRST)} {rng.choice(ITALIAN_LAST)}"
            languages = ["it", "en"]
        else:
            (fam_zh, fam), (giv_zh, giv) = rng.choice(CHINESE_NAMES), rng.choice(CHINESE_GIVEN)
            name = f"{fam_zh}{giv_zh} ({fam} {giv})"
            languages = ["zh", "en"] if rng.random() < 0.8 else ["zh"]
        person: dict[str, object] = {
            "id": pid,
            "name": name,
            "organisation": org,
            "country": country,
            "languages": languages,
        }
        available: list[dict[str, str]] = []
        roll = rng.random()
        if base_city == "Beijing":
            cities = {"Beijing"}
            days = BEIJING_DAYS if roll < 0.7 else [rng.choice(BEIJING_DAYS)]
            available = [{"date": d, "city": "Beijing"} for d in days]
        elif base_city == "Hangzhou":
            cities = {"Hangzhou"}
            available = [{"date": HANGZHOU_DAY, "city": "Hangzhou"}]
        elif roll < 0.55:
            cities = {"Beijing", "Hangzhou"}  # the whole week: no availability list needed
        elif roll < 0.85:
            cities = {"Beijing"}
            available = [{"date": d, "city": "Beijing"} for d in BEIJING_DAYS]
        else:
            cities = {"Beijing", "Hangzhou"}
            available = [{"date": BEIJING_DAYS[1], "city": "Beijing"}, {"date": HANGZHOU_DAY, "city": "Hangzhou"}]
        if available and rng.random() < 0.25:
            # a partial day: morning only or afternoon only
            entry = available[rng.randrange(len(available))]
            if rng.random() < 0.5:
                entry.update(start="09:30", end="12:30")
            else:
                entry.update(start="14:00", end="17:30" if entry["city"] == "Beijing" else "17:00")
        if available:
            person["available"] = available
        if rng.random() < 0.15:
            person["max_meetings"] = rng.choice([4, 6, 8])
        participants.append(person)
        sectors_of[pid] = sectors
        side_of[pid] = country
        cities_of[pid] = cities

    for org, city, sectors, count in ITALIAN:
        for k in range(1, count + 1):
            add_person(org, "IT", city, sectors, k)
    for org, city, sectors, count in CHINESE:
        for k in range(1, count + 1):
            add_person(org, "CN", city, sectors, k)

    italians = [p["id"] for p in participants if p["country"] == "IT"]
    chinese = [p["id"] for p in participants if p["country"] == "CN"]
    # A few people are in great demand (ministries, national labs): skewed popularity.
    in_demand = {
        "Ministry of Science and Technology (MOST)",
        "Chinese Academy of Sciences",
        "ENEA",
        "CNR - Consiglio Nazionale delle Ricerche",
        "Zhejiang University",
    }
    org_of = {str(p["id"]): str(p["organisation"]) for p in participants}
    weight = {pid: (2.5 if org_of[pid] in in_demand else 1.0) * rng.uniform(0.5, 1.5) for pid in italians + chinese}

    def pick(pool: list[str], sector: str, exclude: set[str], city: str | None) -> str | None:
        fits = [
            p for p in pool if sector in sectors_of[p] and p not in exclude and (city is None or city in cities_of[p])
        ]
        if not fits:
            return None
        return rng.choices(fits, weights=[weight[p] for p in fits])[0]

    meetings: list[dict[str, object]] = []
    seen_pairs: set[frozenset[str]] = set()
    while len(meetings) < 460:
        sector = rng.choice(SECTORS)
        it = pick(italians, sector, set(), None)
        if it is None:
            continue
        cn = pick(chinese, sector, {it}, None)
        if cn is None or not (cities_of[it] & cities_of[cn]):
            continue
        members = [it, cn]
        if rng.random() < 0.10:  # small group meetings of 3-4
            for _ in range(rng.choice([1, 2])):
                extra = pick(italians + chinese, sector, set(members), None)
                if extra is not None and cities_of[extra] & cities_of[it] & cities_of[cn]:
                    members.append(extra)
        key = frozenset(members)
        if key in seen_pairs:
            continue
        seen_pairs.add(key)
        meeting: dict[str, object] = {
            "id": f"r{len(meetings) + 1:04d}",
            "participants": members,
            "priority": rng.choices([1, 2, 3, 4, 5], weights=[20, 30, 25, 15, 10])[0],
        }
        if (len(members) > 2 and rng.random() < 0.5) or rng.random() < 0.04:
            meeting["slots"] = 2
        meeting["topic"] = sector
        common = cities_of[it] & cities_of[cn]
        if len(common) > 1 and rng.random() < 0.08:
            meeting["city"] = rng.choice(sorted(common))
        meetings.append(meeting)

    return {
        "event": {
            "name": "14th China-Italy Science, Technology & Innovation Week",
            "timezone": "Asia/Shanghai",
            "slot_minutes": 30,
        },
        "venues": [
            {
                "id": "bj-main",
                "city": "Beijing",
                "name": "Beijing main venue",
                "days": [
                    {"date": d, "sessions": [{"start": "09:30", "end": "12:30"}, {"start": "14:00", "end": "17:30"}]}
                    for d in BEIJING_DAYS
                ],
                "rooms": [
                    {"id": "BJ-T", "count": 30, "capacity": 2},
                    {"id": "BJ-R1", "capacity": 4},
                    {"id": "BJ-R2", "capacity": 4},
                    {"id": "BJ-R3", "capacity": 6},
                    {"id": "BJ-R4", "capacity": 8},
                ],
            },
            {
                "id": "hz-main",
                "city": "Hangzhou",
                "name": "Hangzhou Future Sci-Tech City hub",
                "days": [
                    {
                        "date": HANGZHOU_DAY,
                        "sessions": [{"start": "09:30", "end": "12:30"}, {"start": "14:00", "end": "17:00"}],
                    }
                ],
                "rooms": [
                    {"id": "HZ-T", "count": 20, "capacity": 2},
                    {"id": "HZ-R1", "capacity": 4},
                    {"id": "HZ-R2", "capacity": 6},
                    {"id": "HZ-R3", "capacity": 8},
                ],
            },
        ],
        "participants": participants,
        "meetings": meetings,
        **the_week(participants, sectors_of),
    }


def the_week(participants: list[dict[str, object]], sectors_of: dict[str, list[str]]) -> dict[str, object]:
    """The Week around the tables: plenary, seminars, workshops, the Hangzhou visit, a small pool of
    IT-ZH interpreters and the move to Hangzhou. Its own random stream: the requests stay as they were."""
    rng = random.Random(SEED + 13)

    def there(pid: str, date: str, city: str, start: str = "00:00", end: str = "24:00") -> bool:
        """Whether the person is in the city that date for all of [start, end)."""
        person = next(p for p in participants if p["id"] == pid)
        available = person.get("available")
        if available is None:
            return True
        return any(
            a["date"] == date
            and a["city"] == city
            and a.get("start", "00:00") <= start
            and end <= a.get("end", "24:00")
            for a in available  # type: ignore[attr-defined]
        )

    ids = [str(p["id"]) for p in participants]

    def sector_people(sector: str, date: str, start: str, end: str, share: float) -> list[str]:
        return [
            p for p in ids if sector in sectors_of[p] and there(p, date, "Beijing", start, end) and rng.random() < share
        ]

    day1, day2 = BEIJING_DAYS
    programme: list[dict[str, object]] = [
        {
            "id": "opening",
            "title": "Opening plenary of the Week",
            "kind": "plenary",
            "city": "Beijing",
            "venue": "Beijing main venue, auditorium",
            "date": day1,
            "start": "09:30",
            "end": "10:30",
            "attendees": [p for p in ids if there(p, day1, "Beijing", "09:30", "10:30")],
        },
        {
            "id": "sem-energy",
            "title": "Energy transition and smart grids",
            "kind": "seminar",
            "city": "Beijing",
            "venue": "Beijing main venue, hall B",
            "date": day1,
            "start": "14:00",
            "end": "15:30",
            "attendees": sector_people("energy", day1, "14:00", "15:30", 0.3),
            "buffer_minutes": 30,
        },
        {
            "id": "sem-ai",
            "title": "AI for science",
            "kind": "seminar",
            "city": "Beijing",
            "venue": "Beijing main venue, hall B",
            "date": day2,
            "start": "09:30",
            "end": "11:00",
            "attendees": sector_people("AI", day2, "09:30", "11:00", 0.3),
            "buffer_minutes": 30,
        },
        {
            "id": "sem-biotech",
            "title": "Biotech and health",
            "kind": "seminar",
            "city": "Beijing",
            "venue": "Beijing main venue, hall B",
            "date": day2,
            "start": "14:00",
            "end": "15:30",
            "attendees": sector_people("biotech", day2, "14:00", "15:30", 0.3),
            "buffer_minutes": 30,
        },
        {
            "id": "ws-hydrogen",
            "title": "Hydrogen and storage",
            "kind": "workshop",
            "city": "Beijing",
            "venue": "Beijing main venue, room W",
            "date": day2,
            "start": "16:00",
            "end": "17:30",
            "attendees": {"organisation": "ENEA"},
        },
        {
            "id": "ws-zju",
            "title": "Zhejiang University open labs",
            "kind": "workshop",
            "city": "Hangzhou",
            "venue": "Zhejiang University, Zijingang campus",
            "date": HANGZHOU_DAY,
            "start": "09:30",
            "end": "10:30",
            "attendees": {"organisation": "Zhejiang University"},
        },
        {
            "id": "visit-hz",
            "title": "Future Sci-Tech City",
            "kind": "visit",
            "city": "Hangzhou",
            "venue": "Future Sci-Tech City",
            "date": HANGZHOU_DAY,
            "start": "16:00",
            "end": "17:00",
            "attendees": [p for p in ids if p.startswith("it-") and there(p, HANGZHOU_DAY, "Hangzhou")],
        },
    ]
    interpreters = [
        {
            "id": "int-chen",
            "name": "陈丽 (Chen Li)",
            "languages": ["it", "zh", "en"],
            "available": [{"date": day1, "city": "Beijing"}, {"date": day2, "city": "Beijing"}],
        },
        {
            "id": "int-rossi",
            "name": "Marta Rossi",
            "languages": ["it", "zh"],
            "available": [{"date": day2, "city": "Beijing"}, {"date": HANGZHOU_DAY, "city": "Hangzhou"}],
            "max_meetings": 8,
        },
        {
            "id": "int-wang",
            "name": "王悦 (Wang Yue)",
            "languages": ["zh", "it"],
            "available": [{"date": HANGZHOU_DAY, "city": "Hangzhou", "start": "09:30", "end": "12:30"}],
        },
    ]
    travel = [{"from": "Beijing", "to": "Hangzhou", "min_hours": 16}]  # the evening train: Hangzhou from 09:30
    return {"programme": programme, "interpreters": interpreters, "travel": travel}


class _Dumper(yaml.SafeDumper):
    pass


def _flow_small(dumper: yaml.SafeDumper, data: dict[str, object]) -> yaml.Node:
    flow = all(not isinstance(v, dict | list) or k in ("participants", "languages") for k, v in data.items())
    flow = flow and "attendees" not in data
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=flow)


_Dumper.add_representer(dict, _flow_small)

if __name__ == "__main__":
    sys.stdout.write("# 14th China-Italy Science, Technology & Innovation Week, 13-15 November 2025.\n")
    sys.stdout.write("# Generated by instances/make_2025.py (seeded); organisations real, people illustrative.\n")
    yaml.dump(build(), sys.stdout, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=120)
