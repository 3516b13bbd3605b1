"""The synthetic transcript text: one article body, composed from the sentence templates
of ``vocabulary.py``, in all four speaker-line forms of docs/content-format.md."""

from __future__ import annotations

import random
import re

from cio_forum_site.content.dates import wareki
from cio_forum_site.content.municipalities import all_municipalities
from cio_forum_site.synthetic.people import BUREAU, KIND_SUFFIX, OFFICE, Person, fiscal_year
from cio_forum_site.synthetic.plan import Event
from cio_forum_site.synthetic.realistic import RealisticWords
from cio_forum_site.synthetic.vocabulary import (
    COMMON_T,
    LAST_QUESTION,
    MUNI_QUESTIONS_T,
    OPENERS_T,
    QUESTIONS_T,
    SLOT,
    SUBHEADINGS,
    TECH,
    TOKYO_QUESTIONS_T,
    TOKYO_T,
    VENUES,
    WORDS,
)

SAME_LINE_MAX = 190  # longest `LABEL：words` line (form 4)


class Writer:
    """Composes one article body."""

    def __init__(self, rng: random.Random, event: Event, topics: list[str], last: bool,
                 words: RealisticWords | None = None):
        self.rng = rng
        self.words = words  # the realistic vocabulary, when asked for
        self.event = event
        self.topics = topics
        self.last = last
        self.fy = fiscal_year(event.date)
        self.tech = [t for t, since, _ in TECH if since <= self.fy]
        self.tools = [t for t, since, tool in TECH if tool and since <= self.fy]
        self.asked: list[str] = []
        self.introduced: set[str] = set()
        self.lines: list[str] = []
        self.size = 0
        self.topic = topics[0]
        self.forms_used: list[int] = []

    # -- words

    def fill(self, template: str, speaker: Person | None) -> str:
        rng = self.rng
        # Only people who have already spoken can be referred to.
        others = [
            p for p in self.event.people if p is not speaker and p.label in self.introduced
        ]

        def slot(match: re.Match[str]) -> str:
            name = match.group(1)
            if name == "self":
                return speaker.self_ref if speaker else "都"
            if name == "muni":
                if speaker is not None and speaker.muni is not None:
                    return speaker.muni.name
                if self.event.munis:
                    return rng.choice(self.event.munis).name
                return "区市町村"
            if name in ("omuni", "omuni2"):
                return rng.choice(all_municipalities()).name
            if name == "other":
                return rng.choice(others).label if others else "皆"
            if name in ("tech", "tech2"):
                return rng.choice(self.tech)
            if name == "tool":
                return rng.choice(self.tools)
            if name == "num":
                return str(rng.randint(2, 9))
            if name == "pct":
                return str(rng.randrange(10, 95, 5))
            if name == "hours":
                return f"{rng.randrange(1, 60) * 100:,}"
            if name == "topic":
                return self.topic
            word = rng.choice(WORDS[name])
            return (self.words.swap(name) or word) if self.words else word

        return SLOT.sub(slot, template)

    def paragraph(self, speaker: Person, opener: bool) -> str:
        rng = self.rng
        parts = []
        if opener and rng.random() < 0.45:
            parts.append(self.fill(rng.choice(OPENERS_T), speaker))
        pool = COMMON_T
        if speaker.side != "muni":
            pool = COMMON_T + TOKYO_T + TOKYO_T
        if not any(label != speaker.label for label in self.introduced):
            pool = tuple(t for t in pool if "{other}" not in t)
        parts.extend(self.fill(t, speaker) for t in rng.sample(pool, rng.randint(2, 5)))
        return "".join(parts)

    # -- lines

    def emit(self, *lines: str) -> None:
        for line in lines:
            self.lines.append(line)
            self.size += len(line) + 1

    def speaker_line(self, p: Person) -> tuple[str, int]:
        """The line that opens a turn, and which of the four forms it uses (1–4)."""
        rng = self.rng
        colon = "：" if rng.random() < 0.75 else ":"
        lp, rp = ("（", "）") if rng.random() < 0.75 else ("(", ")")
        first = p.label not in self.introduced
        self.introduced.add(p.label)
        if first and rng.random() < 0.5:
            return f"{self._role(p)}{colon}{p.label}{lp}以下「{p.label}」{rp}", 3
        form = rng.choices((1, 2, 3, 4), weights=(3, 2, 2, 3))[0]
        if form == 1:
            return p.label, 1
        if form == 2:
            return f"{p.label}{lp}{self._note(p)}{rp}", 2
        if form == 3:
            return f"{self._role(p)}{colon}{p.label}", 3
        return f"{p.label}{colon}", 4

    def _role(self, p: Person) -> str:
        if p.side == "tokyo":
            return self.rng.choice(("都CIO", "東京都CIO", "副知事"))
        if p.side == "bureau":
            return "デジタルサービス局" + (p.position or "")
        assert p.muni is not None
        return self.rng.choice((f"{p.muni.name}CIO", f"{p.muni.name}{p.position}", "CIO"))

    def _note(self, p: Person) -> str:
        if p.side == "tokyo":
            return self.rng.choice(("東京都", "都CIO", "副知事"))
        if p.side == "bureau":
            return self.rng.choice(("デジタルサービス局", BUREAU))
        assert p.muni is not None
        return self.rng.choice((p.muni.name, p.position or p.muni.name, f"{p.muni.name}CIO"))

    def turn(self, p: Person, brief: bool = False) -> None:
        rng = self.rng
        head, form = self.speaker_line(p)
        self.forms_used.append(form)
        paragraphs = [self.paragraph(p, True)]
        more = 0 if brief else rng.choices((0, 1, 2), (4, 4, 2))[0]
        paragraphs += [self.paragraph(p, False) for _ in range(more)]
        if form == 4:
            # A short answer on the speaker line, sometimes the whole first paragraph — but
            # kept under 200 characters: transcript.recognise() ignores longer lines.
            if rng.random() < 0.5 or len(head + paragraphs[0]) > SAME_LINE_MAX:
                self.emit(head + self.fill(rng.choice(OPENERS_T), p))
            else:
                self.emit(head + paragraphs.pop(0))
        else:
            self.emit(head)
            if rng.random() < 0.2:
                self.emit("")  # the words after a blank line: still the same turn
        for i, para in enumerate(paragraphs):
            if i or form == 4:
                self.emit("")
            self.emit(para)
        self.emit("")

    def question(self, speaker: Person) -> None:
        """An interviewer's question, put to ``speaker`` (who answers next)."""
        rng = self.rng
        if speaker.side == "muni":
            pool = QUESTIONS_T + MUNI_QUESTIONS_T
        else:
            pool = QUESTIONS_T + TOKYO_QUESTIONS_T
        fresh = [t for t in pool if t not in self.asked] or list(pool)
        template = rng.choice(fresh)
        self.asked.append(template)
        line = self.fill(template, speaker)
        if len(self.event.people) > 1 and rng.random() < 0.3:
            line = f"― {speaker.label}さん、" + line[2:]
        self.emit(line, "")

    # -- the body

    def body(self, target: int) -> str:
        rng = self.rng
        event = self.event
        people = event.people
        interview = event.kind == "interview"
        if rng.random() < 0.7:
            # The lead, and where it was recorded (prose before the first heading: after a
            # turn it would count as that speaker's words).
            place = rng.choice(VENUES)
            if event.munis and rng.random() < 0.3:
                m = rng.choice(event.munis)
                place = m.name[: -len(KIND_SUFFIX[m.kind])] + OFFICE[m.kind]
            self.emit(self.lead(), "", f"（{wareki(event.date)}、{place}にて収録）", "")
        if self.last:  # leave room for everyone's closing words
            target -= 60 + 220 * len(people)
        per_section = target / len(self.topics)
        previous: Person | None = None
        for index, topic in enumerate(self.topics):
            self.topic = topic
            self.emit(f"## {topic}", "")
            goal = per_section * (index + 1)
            # In the first section everyone speaks once, in a shuffled order.
            order = people[:] if index == 0 else []
            rng.shuffle(order)
            asked = False
            subheading = rng.random() < 0.12
            while self.size < goal or order:
                if order:
                    speaker = order.pop()
                else:
                    choices = [p for p in people if p is not previous] or people
                    weights = [1.2 if p.side == "muni" else 0.9 for p in choices]
                    speaker = rng.choices(choices, weights)[0]
                if subheading and asked and self.size > goal - per_section / 2:
                    self.emit(f"### {rng.choice(SUBHEADINGS)}", "")
                    subheading = False
                if interview or not asked or rng.random() < 0.15:
                    self.question(speaker)
                    asked = True
                self.turn(speaker)
                previous = speaker
        if self.last:
            self.emit(LAST_QUESTION, "")
            for p in people:
                self.turn(p, brief=True)
        while self.lines and not self.lines[-1]:
            self.lines.pop()
        return "\n".join(self.lines) + "\n"

    def lead(self) -> str:
        event = self.event
        day = wareki(event.date)
        topics = "、".join(self.topics[:2])
        if event.kind == "interview":
            p = event.people[0]
            return f"{day}、{p.organization}の{p.position}に、{topics}について話を伺いました。"
        names = "・".join(m.name for m in event.munis)
        return (
            f"{day}、{names}のCIOと都CIOが集まり、{topics}などをテーマに語り合いました。"
            f"その模様を{'前後編に分けて' if event.parts > 1 else ''}お届けします。"
        )
