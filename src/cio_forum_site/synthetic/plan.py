"""The synthetic archive's schedule: which events (roundtables, interviews) happen when,
with which municipalities, people and topics."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from cio_forum_site.content.municipalities import Municipality, all_municipalities
from cio_forum_site.synthetic.people import BUREAU_FOUNDED, Cast, Person, fiscal_year
from cio_forum_site.synthetic.vocabulary import TOPICS

SEED = 20190401  # every random choice of the archive starts from here
PERIOD_START = dt.date(2019, 4, 1)
PERIOD_END = dt.date(2026, 3, 31)


@dataclass
class Event:
    """One roundtable (one or two articles) or one interview."""

    kind: str  # "roundtable" or "interview"
    parts: int
    date: dt.date = PERIOD_START
    munis: list[Municipality] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    topics: list[list[tuple[str, tuple[str, ...], int]]] = field(default_factory=list)


def _weekday(day: dt.date) -> dt.date:
    """Move a weekend day to the Friday before (or the Monday after, at the period start)."""
    if day.weekday() < 5:
        return day
    back = day - dt.timedelta(days=day.weekday() - 4)
    if back >= PERIOD_START and back.month == day.month:
        return back
    return day + dt.timedelta(days=7 - day.weekday())


def plan_events(n: int, rng: random.Random) -> list[Event]:
    """The events, dated and cast, in date order."""
    n_interviews = round(n / 10) if n >= 5 else 0
    events = [Event("interview", 1) for _ in range(n_interviews)]
    remaining = n - n_interviews
    while remaining > 0:
        parts = 2 if remaining >= 2 and rng.random() < 0.18 else 1
        events.append(Event("roundtable", parts))
        remaining -= parts
    rng.shuffle(events)

    # Dates: evenly spread with jitter; the first event in April 2019 (平成31年), the second
    # in May 2019 (令和元年), the last in March 2026 — so era and fiscal-year edges occur.
    span = (PERIOD_END - PERIOD_START).days
    count = len(events)
    for k, event in enumerate(events):
        if k == 0:
            day = dt.date(2019, 4, rng.randint(8, 26))
        elif k == 1:
            day = dt.date(2019, 5, rng.randint(7, 28))
        elif k == count - 1 and count >= 3:
            day = dt.date(2026, 3, rng.randint(2, 25))
        else:
            day = PERIOD_START + dt.timedelta(days=int((k + rng.uniform(0.1, 0.9)) * span / count))
        event.date = _weekday(day)
    events.sort(key=lambda e: e.date)

    # Municipalities: walk a shuffled cycle of all 62 so that every one comes up early.
    order = list(all_municipalities())
    rng.shuffle(order)
    cursor = 0

    def draw(taken: list[Municipality]) -> Municipality:
        nonlocal cursor
        while True:
            m = order[cursor % len(order)]
            cursor += 1
            if m not in taken:
                return m

    for event in events:
        if event.kind == "roundtable":
            k = rng.choices((1, 2, 3), weights=(5, 4, 2))[0]
        else:
            k = 1 if rng.random() < 0.6 else 0
        for _ in range(k):
            event.munis.append(draw(event.munis))
    # If there were too few draws to cover all 62, add the rest to small roundtables.
    if cursor < len(order):
        missing = order[cursor:]
        for event in events:
            while missing and event.kind == "roundtable" and len(event.munis) < 3:
                event.munis.append(missing.pop(0))
    for event in events:
        event.munis.sort(key=lambda m: m.code)

    cast = Cast(rng, SEED)
    for event in events:
        people = [cast.muni_cio(m, event.date) for m in event.munis]
        if event.kind == "roundtable" or not people:
            people.append(cast.tokyo_cio(event.date))
        wants_bureau = rng.random() < (0.45 if event.kind == "roundtable" else 0.25)
        if event.date >= BUREAU_FOUNDED and wants_bureau:
            people.append(cast.bureau(event.date))
        for p in people:
            p.explicit_speaker = rng.random() < 0.1
        event.people = people

        fy = fiscal_year(event.date)
        available = [t for t in TOPICS if t[2] <= fy]
        chosen = rng.sample(available, rng.randint(3, 5) * event.parts)
        size = len(chosen) // event.parts
        event.topics = [chosen[i * size : (i + 1) * size] for i in range(event.parts)]
    return events
