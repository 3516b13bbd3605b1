"""The synthetic articles' front matter: the fields of one article, written as YAML."""

from __future__ import annotations

import datetime as dt
import json
import random
import re

from cio_forum_site.synthetic.people import AUTHORS, EDITORS, Person
from cio_forum_site.synthetic.plan import Event
from cio_forum_site.synthetic.vocabulary import TAGS

_PLAIN = re.compile(r"[^\s:#,\[\]{}&*!|>'\"%@`?-][^:#,\[\]{}&*!|>'\"%@`]*")


def scalar(text: str) -> str:
    """``text`` as a YAML scalar: plain when that is safe, double-quoted otherwise."""
    if _PLAIN.fullmatch(text) and text == text.strip():
        return text
    return json.dumps(text, ensure_ascii=False)


def _flow(items: list[str]) -> str:
    return "[" + ", ".join(scalar(i) for i in items) + "]"


def front_matter(fields: list[tuple[str, object]]) -> str:
    out = ["---"]
    for key, value in fields:
        if isinstance(value, list) and value and isinstance(value[0], Person):
            out.append(f"{key}:")
            for p in value:
                out.append(f"  - name: {scalar(p.name)}")
                out.append(f"    organization: {scalar(p.organization)}")
                if p.position:
                    out.append(f"    position: {scalar(p.position)}")
                if p.role:
                    out.append(f"    role: {scalar(p.role)}")
                if p.explicit_speaker:
                    out.append(f"    speaker: {scalar(p.label)}")
        elif isinstance(value, list):
            out.append(f"{key}: {_flow(value)}")
        elif isinstance(value, dict):
            out.append(f"{key}:")
            out.extend(f"  {k}: {scalar(v)}" for k, v in value.items())
        elif isinstance(value, (int, dt.date)):
            out.append(f"{key}: {value}")
        else:
            out.append(f"{key}: {scalar(str(value))}")
    out.append("---")
    return "\n".join(out) + "\n"



def article_fields(
    rng: random.Random,
    event: Event,
    topics: list[str],
    topic_rows: list[tuple[str, tuple[str, ...], int]],
    session: int,
    part: int,
    series: str | None,
    published: dt.date,
) -> list[tuple[str, object]]:
    names = "・".join(m.name for m in event.munis)
    suffix = ("（前編）", "（後編）")[part - 1] if series else ""
    if event.kind == "interview":
        p = event.people[0]
        who = "都CIO" if p.side == "tokyo" else f"{p.organization}CIO"
        title = rng.choice((f"{who}に聞く「{topics[0]}」", f"{who}インタビュー　{topics[0]}"))
        summary = f"{p.organization}の{p.position}に、{topics[0]}や{topics[1]}について聞きました。"
    else:
        title = rng.choice(
            (
                f"{names}CIO×都CIO座談会「{topics[0]}」{suffix}",
                f"{topics[0]}を語る　{names}CIO×都CIO{suffix}",
                f"{names}と東京都のCIO座談会{suffix}",
            )
        )
        summary = f"{names}と東京都のCIOが、{topics[0]}や{topics[1]}について語り合いました。"
    wanted = {tag for row in topic_rows for tag in row[1]}
    wanted.update(rng.sample(TAGS, rng.randint(0, 2)))
    tags = [t for t in TAGS if t in wanted][:6]

    fields: list[tuple[str, object]] = [("title", title)]
    if event.kind == "interview":
        fields.append(("kind", "interview"))
    else:
        if rng.random() < 0.6:
            fields.append(("kind", "roundtable"))
        fields.append(("session", session))
    fields.append(("date", event.date))
    if rng.random() < 0.8:
        fields.append(("published", published))
    if event.munis or rng.random() < 0.5:
        fields.append(("municipalities", [m.name for m in event.munis]))
    fields.append(("participants", event.people))
    if rng.random() < 0.5:
        fields.append(("topics", topics))
    fields.append(("tags", tags))
    if series:
        fields += [("series", series), ("part", part)]
        if rng.random() < 0.8:
            fields.append(("parts", event.parts))
    if rng.random() < 0.85:
        fields.append(("credits", {"author": rng.choice(AUTHORS), "editor": rng.choice(EDITORS)}))
    if rng.random() < 0.7:
        fields.append(("summary", summary))
    return fields
