"""Synthetic but realistic instances for benchmarks and tests (FORMAT.md, seeded, repeatable).

Two cities over three days, morning and afternoon sessions, tables of two and rooms of
4-8 sized to the crowd; popularity is heavy-tailed (a few people draw 100+ requests);
availability is partial; some people have max_meetings caps; about 10% of requests are
group meetings of 3-4, 5% last two slots and 5% are bound to a city.
"""

from __future__ import annotations

import itertools
import json
import math
import random
from typing import Any

import yaml

from scheduler.errors import InputError, Problem
from scheduler.store import MAX_FILE_BYTES

DATES = ["2025-11-13", "2025-11-14", "2025-11-15"]
CITIES = [("Beijing", "bj"), ("Hangzhou", "hz")]
SESSIONS = [{"start": "09:30", "end": "12:30"}, {"start": "14:00", "end": "17:30"}]
TOPICS = ["energy", "AI", "biotech", "materials", "space", "health", "agrifood", "mobility"]
BYTES_PER_PERSON = 170
BYTES_PER_REQUEST = 95
"""The YAML written per person and per request, rounded up from measured files (about 161 and 90)."""


def distinct_requests(participants: int) -> int:
    """How many different requests (pairs and groups of 3-4) this many people can make."""
    return sum(math.comb(participants, size) for size in (2, 3, 4))


JSON_OVER_YAML = 1.15
"""JSON (one value per line) is about 15% larger than the same instance in YAML."""


def estimated_bytes(participants: int, requests: int, as_json: bool = False) -> int:
    """About how big the instance file will be, a little over rather than under."""
    yaml_bytes = 2_000 + participants * BYTES_PER_PERSON + requests * BYTES_PER_REQUEST
    return int(yaml_bytes * JSON_OVER_YAML) if as_json else yaml_bytes


def check_sizes(participants: int, requests: int, as_json: bool = False) -> None:
    """Refuse at once what could never be generated (or never read back), instead of working on it for hours."""
    if participants < 2:
        raise InputError([Problem((), f"{participants} people: need at least 2")], "--participants")
    if requests < 0:
        raise InputError([Problem((), f"{requests} requests: need 0 or more")], "--requests")
    possible = distinct_requests(participants)
    if requests > possible:
        raise InputError(
            [
                Problem(
                    (),
                    f"{requests:,} requests among {participants:,} people: at most {possible:,} different ones exist",
                )
            ],
            "--requests",
        )
    size = estimated_bytes(participants, requests, as_json)
    if size > MAX_FILE_BYTES:
        message = (
            f"{requests:,} requests among {participants:,} people make a file of about {size / 1e6:,.0f} MB, "
            f"over the {MAX_FILE_BYTES:,} bytes that solve and check read; ask for fewer"
        )
        raise InputError([Problem((), message)], "--requests")


def generate(participants: int, requests: int, seed: int = 0) -> dict[str, Any]:
    """An instance as plain data, ready for yaml.safe_dump or Instance.model_validate."""
    check_sizes(participants, requests)
    rng = random.Random(seed)
    people = [_person(rng, k) for k in range(participants)]
    # Heavy-tailed popularity (log-normal): a handful of people attract most requests.
    popularity = list(itertools.accumulate(rng.lognormvariate(0.0, 1.25) for _ in people))
    topics_of = [set(rng.sample(TOPICS, 2)) for _ in people]
    meetings: list[dict[str, Any]] = []
    seen: set[frozenset[int]] = set()
    attempts = 0
    while len(meetings) < requests and attempts < requests * 20:
        attempts += 1
        requester = rng.randrange(participants)
        size = 2 if rng.random() >= 0.10 else rng.choice([3, 4])
        members = {requester}
        while len(members) < min(size, participants):
            members.add(rng.choices(range(participants), cum_weights=popularity)[0])
        key = frozenset(members)
        if key in seen:
            continue
        seen.add(key)
        request: dict[str, Any] = {
            "id": f"r{len(meetings) + 1:06d}",
            "participants": [people[k]["id"] for k in sorted(members, key=lambda k: k != requester)],
            "priority": rng.choices([1, 2, 3, 4, 5], weights=[30, 30, 20, 12, 8])[0],
        }
        if rng.random() < 0.05:
            request["slots"] = 2
        request["topic"] = rng.choice(sorted(topics_of[requester]))
        if rng.random() < 0.05:
            request["city"] = rng.choice(CITIES)[0]
        meetings.append(request)
    tables = max(2, math.ceil(participants / 10))
    rooms_each = max(1, math.ceil(participants / 300))
    venues = [
        {
            "id": f"{code}-main",
            "city": city,
            "name": f"{city} main venue",
            "days": [{"date": date, "sessions": SESSIONS} for date in DATES],
            "rooms": [
                {"id": f"{code.upper()}-T", "count": tables, "capacity": 2},
                {"id": f"{code.upper()}-S", "count": rooms_each, "capacity": 4},
                {"id": f"{code.upper()}-M", "count": rooms_each, "capacity": 6},
                {"id": f"{code.upper()}-L", "count": rooms_each, "capacity": 8},
            ],
        }
        for city, code in CITIES
    ]
    return {
        "event": {
            "name": f"Synthetic brokerage event ({participants} x {requests}, seed {seed})",
            "timezone": "Asia/Shanghai",
            "slot_minutes": 30,
        },
        "venues": venues,
        "participants": people,
        "meetings": meetings,
    }


def _person(rng: random.Random, k: int) -> dict[str, Any]:
    country = "IT" if k % 2 == 0 else "CN"
    person: dict[str, Any] = {
        "id": f"{country.lower()}-{k:05d}",
        "name": f"Participant {k}",
        "organisation": f"Organisation {k // 3}",
        "country": country,
    }
    roll = rng.random()
    if roll < 0.35:
        pass  # the whole event, either city
    elif roll < 0.65:
        city = rng.choice(CITIES)[0]
        person["available"] = [{"date": d, "city": city} for d in DATES]
    elif roll < 0.90:
        days = sorted(rng.sample(DATES, rng.choice([1, 2])))
        person["available"] = [{"date": d, "city": rng.choice(CITIES)[0]} for d in days]
    else:
        date = rng.choice(DATES)
        window = rng.choice(SESSIONS)
        person["available"] = [{"date": date, "city": rng.choice(CITIES)[0], **window}]
    if rng.random() < 0.20:
        person["max_meetings"] = rng.choice([6, 8, 10, 12, 15])
    return person


def instance_text(data: dict[str, Any], as_json: bool = False) -> str:
    """The instance as YAML (libyaml's emitter where present), or as JSON, which is YAML too."""
    if as_json:
        return json.dumps(data, indent=0, ensure_ascii=False) + "\n"
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return yaml.dump(data, Dumper=dumper, sort_keys=False, allow_unicode=True, width=120)
