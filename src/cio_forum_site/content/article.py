"""One article file's text → an ``Article`` and every problem in it (pure; no disk)."""

from __future__ import annotations

import difflib
import re
import unicodedata
from pathlib import Path

from cio_forum_site.content import municipalities
from cio_forum_site.content.frontmatter import (
    FrontMatter,
    Problems,
    describe,
    parse_yaml,
    split_front_matter,
)
from cio_forum_site.content.model import (
    Article,
    Credits,
    Heading,
    Participant,
    Prose,
    Turn,
)
from cio_forum_site.content.targets import (
    TARGET_LIMIT,
    body_targets,
    image_field_problem,
    target_problem,
)
from cio_forum_site.content.transcript import speaker_turns
from cio_forum_site.errors import ContentError

FIELDS = (
    "title", "kind", "session", "date", "published", "municipalities", "participants",
    "topics", "tags", "series", "part", "parts", "credits", "summary", "image", "image_alt",
    "draft",
)
PARTICIPANT_FIELDS = ("name", "organization", "position", "role", "speaker", "person", "kana")
CREDIT_FIELDS = ("author", "editor")
KINDS = ("roundtable", "interview")
SUMMARY_LENGTH = 120
QUESTION_MARKS = ("―", "—", "－")  # a paragraph starting so is the interviewer's question
TITLE_LIMIT = 200  # characters; names, tags and topics: frontmatter.TEXT_LIMIT
SUMMARY_LIMIT = 1_000
PARTS_LIMIT = 100  # the most parts a series may have
SLUG_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
PERSON_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")  # `person:` is a person page's URL
KANA_RE = re.compile(r"^[\u3041-\u3096\u30a1-\u30fa\u30fc ]+$")  # hiragana, katakana, ー, spaces
KANA_LENGTH = 40


def parse_article(path: str, text: str, *, slug: str | None = None) -> tuple[Article | None, list[ContentError]]:
    """Parse one article file's text. Returns the article (None if it has errors) and every problem."""
    problems = Problems(path)
    slug = slug if slug is not None else Path(path).stem
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    split = split_front_matter(text)
    if isinstance(split, str):
        problems.add(1, split)
        return None, problems.items
    yaml_text, body, body_line = split
    data, node = parse_yaml(yaml_text, 1, problems)
    if problems.items:
        return None, problems.items
    if not isinstance(data, dict):
        problems.add(1, "front matter は「項目: 値」の形で書いてください")
        return None, problems.items
    fm = FrontMatter(data, node, 1, problems)
    fm.start_line = 1

    if not SLUG_RE.match(slug):
        problems.add(1, f"ファイル名「{slug}」は URL に使えません: 英数字と - だけにしてください（例: 0031-kiyose.md）")

    for key in data:
        if key not in FIELDS:
            close = difflib.get_close_matches(str(key), FIELDS, n=1)
            hint = f"。`{close[0]}` のことですか？" if close else ""
            problems.add(fm.key_line(key), f"知らない項目 `{key}` です{hint}")

    title = fm.text("title", required=True, limit=TITLE_LIMIT)
    kind = fm.text("kind") or "roundtable"
    if kind not in KINDS:
        problems.add(fm.line("kind"), f"`kind` は roundtable（座談会）か interview（インタビュー）です（「{kind}」になっています）")
        kind = "roundtable"
    session = fm.integer("session")
    if kind == "roundtable" and "session" not in data:
        problems.add(1, "必須項目 `session` がありません（座談会には第何回かを書きます）")
    date = fm.date("date", required=True)
    published = fm.date("published")

    places = []
    names = fm.text_list("municipalities", "区市町村の名前")
    for i, name in enumerate(names):
        found = municipalities.find(name)
        if found is None:
            line = fm.line("municipalities", i) if isinstance(data.get("municipalities"), list) else fm.line("municipalities")
            if unicodedata.normalize("NFKC", name) in ("東京都", "都"):
                problems.add(line, "東京都は区市町村ではありません: `municipalities` から外し、参加者の `organization` に書いてください")
                continue
            guess = municipalities.suggest(name)
            hint = f"「{guess}」のことですか？" if guess else "正式な名称で書いてください（例: 国分寺市）"
            problems.add(line, f"「{name}」は東京都の区市町村にありません。{hint}")
        elif found not in places:
            places.append(found)
    if kind == "roundtable" and "municipalities" in data and not names:
        problems.add(fm.line("municipalities"), "座談会には `municipalities` を1つ以上書いてください")
    if kind == "roundtable" and "municipalities" not in data:
        problems.add(1, "必須項目 `municipalities` がありません（座談会には区市町村を1つ以上書きます）")

    participants = _participants(fm)
    topics = fm.text_list("topics", "話題")
    tags = fm.text_list("tags", "タグ")
    series = fm.text("series") or None
    part = fm.integer("part", PARTS_LIMIT)
    parts = fm.integer("parts", PARTS_LIMIT)
    if part is not None and series is None:
        problems.add(fm.line("part"), "`part` を書くときは `series` も書いてください")
    if part is not None and parts is not None and part > parts:
        problems.add(fm.line("part"), f"`part` ({part}) が `parts` ({parts}) より大きくなっています")
    credits = Credits()
    raw_credits = data.get("credits")
    if raw_credits is not None:
        if isinstance(raw_credits, dict):
            for key in raw_credits:
                if key not in CREDIT_FIELDS:
                    problems.add(fm.line("credits", key), f"`credits` の知らない項目 `{key}` です（author か editor）")
            credits = Credits(
                author=fm.text("author", where=raw_credits, path=("credits",)),
                editor=fm.text("editor", where=raw_credits, path=("credits",)),
            )
        else:
            problems.add(fm.line("credits"), f"`credits` は author と editor を持つ組で書いてください（{describe(raw_credits)} になっています）")
    summary = fm.text("summary", limit=SUMMARY_LIMIT)
    image = fm.text("image", limit=TARGET_LIMIT) or None
    image_alt = fm.text("image_alt")
    if image and (problem := image_field_problem(image)):
        problems.add(fm.line("image"), problem)
    for target in body_targets(text.split("\n"), body_line):
        if problem := target_problem(target, f"/articles/{slug}/"):
            problems.add(target.line, problem, target.col)
    draft = data.get("draft")
    if draft is not None and not isinstance(draft, bool):
        problems.add(fm.line("draft"), f"`draft` は true（下書き: 公開しない）か false です（「{draft}」になっています）")

    transcript = speaker_turns(body, participants, first_line=body_line)
    if problems.items or date is None:
        return None, problems.items
    if not topics:
        topics = tuple(b.text for b in transcript.blocks if isinstance(b, Heading) and b.level == 2)
    choices = () if summary else summary_choices(transcript.blocks)
    if not summary:
        summary = choices[0] if choices else ""
    article = Article(
        slug=slug, path=path, title=title, kind=kind, session=session, date=date,
        published=published, municipalities=tuple(places), participants=participants,
        topics=topics, tags=tags, series=series, part=part, parts=parts, credits=credits,
        summary=summary, summary_choices=choices, image=image, image_alt=image_alt, blocks=transcript.blocks,
        suspect_labels=transcript.suspects,
        wordless_labels=transcript.wordless, draft=bool(draft),
        field_lines={str(k.value): k.start_mark.line + 2 for k, _ in node.value},
    )
    return article, problems.items


def _participants(fm: FrontMatter) -> tuple[Participant, ...]:
    raw = fm.data.get("participants")
    if raw is None:
        return ()
    if not isinstance(raw, list):
        fm.problems.add(fm.line("participants"), f"`participants` はリストで書いてください（{describe(raw)} になっています）")
        return ()
    people: list[Participant] = []
    seen: dict[str, int] = {}
    for i, item in enumerate(raw):
        where = ("participants", i)
        if isinstance(item, str):
            item = {"name": item}
        if not isinstance(item, dict):
            fm.problems.add(fm.line(*where), f"参加者{i + 1}人目は name などの項目で書いてください（{describe(item)} になっています）")
            continue
        for key in item:
            if key not in PARTICIPANT_FIELDS:
                close = difflib.get_close_matches(str(key), PARTICIPANT_FIELDS, n=1)
                hint = f"。`{close[0]}` のことですか？" if close else ""
                fm.problems.add(fm.line(*where, key), f"参加者の知らない項目 `{key}` です{hint}")
        name = fm.text("name", required=True, where=item, path=where)
        values = {k: fm.text(k, where=item, path=where) for k in PARTICIPANT_FIELDS[1:]}
        if not name:
            continue
        speaker = values.pop("speaker") or re.split(r"[ \u3000]", name, maxsplit=1)[0]
        values["kana"] = _kana(fm, where, values["kana"])
        values["person"] = _person(fm, where, values["person"])
        if speaker in seen:
            fm.problems.add(
                fm.line(*where),
                f"話者ラベル「{speaker}」が{seen[speaker] + 1}人目の参加者と重なっています: どちらかに `speaker` を書いて区別してください",
            )
        seen.setdefault(speaker, i)
        people.append(Participant(name=name, speaker=speaker, **values))
    return tuple(people)


def _kana(fm: FrontMatter, where: tuple, raw: str) -> str:
    """`kana:` (the reading of the name, family and given name separated by a space), in
    one form (NFKC, single spaces); an invalid value is reported and dropped."""
    kana = " ".join(unicodedata.normalize("NFKC", raw).split())
    if kana and (not KANA_RE.match(kana) or len(kana) > KANA_LENGTH):
        fm.problems.add(fm.line(*where, "kana"),
                        f"`kana` 「{raw}」は名前の読みをひらがなかカタカナで書いてください（{KANA_LENGTH}字まで。例: やまだ たろう）")
        return ""
    return kana


def _person(fm: FrontMatter, where: tuple, person: str) -> str:
    """`person:` (who this is across articles: their page's URL); an invalid value is
    reported and dropped."""
    if person and not PERSON_RE.match(person):
        fm.problems.add(fm.line(*where, "person"),
                        f"`person` 「{person}」は人物ページの URL になります: 英小文字・数字と - だけで書いてください（例: yamada-taro）")
        return ""
    return person


_MARKUP = re.compile(r"[*_`]|!?\[([^\]]*)\]\([^)]*\)")


def summary_choices(blocks, limit: int = 6) -> tuple[str, ...]:
    """要約の候補: the body's first paragraphs as plain text, shortened; never the interviewer's
    question (``― …ですか。``), which makes a poor card text and description. The archive
    takes the first that does not recur across articles (``site.archive``)."""
    found: list[str] = []
    for block in blocks:
        if not isinstance(block, Prose | Turn):
            continue
        for paragraph in block.markdown.strip().split("\n\n"):
            text = " ".join(_MARKUP.sub(lambda m: m.group(1) or "", paragraph).split())
            if not text or text.startswith(QUESTION_MARKS):
                continue
            found.append(text[: SUMMARY_LENGTH - 1] + "…" if len(text) > SUMMARY_LENGTH else text)
            if len(found) == limit:
                return tuple(found)
    return tuple(found)

