"""Stage 1 — content: read article files and validate them into ``Article`` values.

``parse_article(path, text)`` is pure and collects every problem as a ``ContentError``;
``read_article`` and ``load_archive`` are the thin wrappers that touch the disk.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from cio_forum_site import municipalities
from cio_forum_site.errors import ContentError, display_path
from cio_forum_site.model import Article, Credits, Heading, Participant, Prose, Question, Turn
from cio_forum_site.parallel import by_share, workers_for
from cio_forum_site.transcript import speaker_turns

FIELDS = (
    "title", "kind", "session", "date", "published", "municipalities", "participants",
    "topics", "tags", "series", "part", "parts", "credits", "summary", "image",
)
PARTICIPANT_FIELDS = ("name", "organization", "position", "role", "speaker")
CREDIT_FIELDS = ("author", "editor")
KINDS = ("roundtable", "interview")
SUMMARY_LENGTH = 120
PARALLEL_MIN = 300  # files; fewer are parsed in this process (forking costs ~0.1 s)
SLUG_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: faster


class _Loader(_BaseLoader):
    """SafeLoader that keeps dates as text, so that we can say which line is wrong."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class _Problems:
    """Collects the problems of one file; ``line`` numbers are file lines (1-based)."""

    def __init__(self, path: str):
        self.path = path
        self.items: list[ContentError] = []

    def add(self, line: int, message: str) -> None:
        self.items.append(ContentError(self.path, line, message))


def split_front_matter(text: str) -> tuple[str, str, int] | str:
    """(yaml text, body, first body line) or a message saying why there is none."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        return "front matter がありません: ファイルの1行目を `---` にして、YAML の項目を書いてください"
    for i in range(1, len(lines)):
        if lines[i].rstrip() in ("---", "..."):
            return "\n".join(lines[1:i]), "\n".join(lines[i + 1 :]), i + 2
    return "front matter が閉じられていません: 1行目の `---` に対応する `---` の行がありません"


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"真偽値 {str(value).lower()}"
    if isinstance(value, dict):
        return "「項目: 値」の組"
    if isinstance(value, list):
        return "リスト"
    if value is None:
        return "空"
    return f"「{value}」"


class _FrontMatter:
    """The YAML mapping with the line of every value, for messages."""

    def __init__(self, data: dict, node: yaml.MappingNode, offset: int, problems: _Problems):
        self.data = data
        self.node = node
        self.offset = offset
        self.problems = problems
        self.start_line = offset  # the opening `---`

    def line(self, *keys: str | int) -> int:
        node: yaml.Node = self.node
        for key in keys:
            if isinstance(node, yaml.MappingNode):
                found = next((v for k, v in node.value if k.value == key), None)
            elif isinstance(node, yaml.SequenceNode) and isinstance(key, int):
                found = node.value[key] if key < len(node.value) else None
            else:
                found = None
            if found is None:
                break
            node = found
        return node.start_mark.line + self.offset + 1

    def key_line(self, key: str) -> int:
        for k, _ in self.node.value:
            if k.value == key:
                return k.start_mark.line + self.offset + 1
        return self.start_line

    def text(self, key: str, *, required: bool = False, where: dict | None = None,
             path: tuple = ()) -> str:
        source = self.data if where is None else where
        value = source.get(key)
        label = ".".join(str(p) for p in (*path, key)) if path else key
        if value is None or value == "":
            if required and key in source:  # written, but left empty
                self.problems.add(self.line(*path, key), f"必須項目 `{label}` が空です")
            elif required:
                line = self.line(*path) if path else self.start_line
                self.problems.add(line, f"必須項目 `{label}` がありません")
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.problems.add(
                self.line(*path, key), f"`{label}` は文字列で書いてください（{_describe(value)} になっています）"
            )
            return ""
        return str(value).strip()

    def integer(self, key: str) -> int | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            self.problems.add(
                self.line(key), f"`{key}` は1以上の整数で書いてください（{_describe(value)} になっています）"
            )
            return None
        return value

    def date(self, key: str, *, required: bool = False) -> dt.date | None:
        value = self.data.get(key)
        if value is None:
            if required and key in self.data:  # written, but left empty
                self.problems.add(self.line(key), f"必須項目 `{key}` が空です")
            elif required:
                self.problems.add(self.start_line, f"必須項目 `{key}` がありません")
            return None
        text = str(value).strip()
        match = DATE_RE.match(text)
        day = None
        if match and not isinstance(value, bool):
            try:
                day = dt.date(*(int(g) for g in match.groups()))
            except ValueError:
                day = None
        if day is None:
            self.problems.add(
                self.line(key),
                f"`{key}` が日付になっていません: 「{text}」（2021-10-15 のように、実在する日を YYYY-MM-DD で書いてください）",
            )
        return day

    def text_list(self, key: str) -> tuple[str, ...]:
        value = self.data.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.problems.add(self.line(key), f"`{key}` はリストで書いてください（{_describe(value)} になっています）")
            return ()
        items = []
        for i, item in enumerate(value):
            if isinstance(item, bool) or not isinstance(item, str | int | float) or str(item).strip() == "":
                self.problems.add(
                    self.line(key, i), f"`{key}` の{i + 1}番目は文字列で書いてください（{_describe(item)} になっています）"
                )
                continue
            items.append(str(item).strip())
        return tuple(items)


def _parse_yaml(text: str, offset: int, problems: _Problems) -> tuple[Any, Any]:
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
        return data, node
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + offset + 1 if mark else offset
        what = exc.problem or exc.context or "読めません"
        if exc.context and exc.context_mark and exc.problem_mark and exc.context_mark.line != exc.problem_mark.line:
            what += f"（{exc.context_mark.line + offset + 1}行目の {exc.context} の途中）"
        problems.add(line, f"front matter の YAML が正しくありません: {what}")
    except yaml.YAMLError as exc:
        problems.add(offset, f"front matter の YAML が正しくありません: {exc}")
    finally:
        loader.dispose()
    return None, None


def parse_article(path: str, text: str, *, slug: str | None = None) -> tuple[Article | None, list[ContentError]]:
    """Parse one article file's text. Returns the article (None if it has errors) and every problem."""
    problems = _Problems(path)
    slug = slug if slug is not None else Path(path).stem
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    split = split_front_matter(text)
    if isinstance(split, str):
        problems.add(1, split)
        return None, problems.items
    yaml_text, body, body_line = split
    data, node = _parse_yaml(yaml_text, 1, problems)
    if problems.items:
        return None, problems.items
    if not isinstance(data, dict):
        problems.add(1, "front matter は「項目: 値」の形で書いてください")
        return None, problems.items
    fm = _FrontMatter(data, node, 1, problems)
    fm.start_line = 1

    if not SLUG_RE.match(slug):
        problems.add(1, f"ファイル名「{slug}」は URL に使えません: 英数字と - だけにしてください（例: 0031-kiyose.md）")

    for key in data:
        if key not in FIELDS:
            close = difflib.get_close_matches(str(key), FIELDS, n=1)
            hint = f"。`{close[0]}` のことですか？" if close else ""
            problems.add(fm.key_line(key), f"知らない項目 `{key}` です{hint}")

    title = fm.text("title", required=True)
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
    for i, name in enumerate(fm.text_list("municipalities")):
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
    if kind == "roundtable" and "municipalities" in data and not fm.text_list("municipalities"):
        problems.add(fm.line("municipalities"), "座談会には `municipalities` を1つ以上書いてください")
    if kind == "roundtable" and "municipalities" not in data:
        problems.add(1, "必須項目 `municipalities` がありません（座談会には区市町村を1つ以上書きます）")

    participants = _participants(fm)
    topics = fm.text_list("topics")
    tags = fm.text_list("tags")
    series = fm.text("series") or None
    part = fm.integer("part")
    parts = fm.integer("parts")
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
            problems.add(fm.line("credits"), f"`credits` は author と editor を持つ組で書いてください（{_describe(raw_credits)} になっています）")
    summary = fm.text("summary")
    image = fm.text("image") or None

    transcript = speaker_turns(body, participants, first_line=body_line)
    if problems.items or date is None:
        return None, problems.items
    if not topics:
        topics = tuple(b.text for b in transcript.blocks if isinstance(b, Heading) and b.level == 2)
    if not summary:
        summary = first_paragraph(transcript.blocks)
    article = Article(
        slug=slug, path=path, title=title, kind=kind, session=session, date=date,
        published=published, municipalities=tuple(places), participants=participants,
        topics=topics, tags=tags, series=series, part=part, parts=parts, credits=credits,
        summary=summary, image=image, blocks=transcript.blocks,
        suspect_labels=transcript.suspects,
        field_lines={str(k.value): k.start_mark.line + 2 for k, _ in node.value},
    )
    return article, problems.items


def _participants(fm: _FrontMatter) -> tuple[Participant, ...]:
    raw = fm.data.get("participants")
    if raw is None:
        return ()
    if not isinstance(raw, list):
        fm.problems.add(fm.line("participants"), f"`participants` はリストで書いてください（{_describe(raw)} になっています）")
        return ()
    people: list[Participant] = []
    seen: dict[str, int] = {}
    for i, item in enumerate(raw):
        where = ("participants", i)
        if isinstance(item, str):
            item = {"name": item}
        if not isinstance(item, dict):
            fm.problems.add(fm.line(*where), f"参加者{i + 1}人目は name などの項目で書いてください（{_describe(item)} になっています）")
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
        if speaker in seen:
            fm.problems.add(
                fm.line(*where),
                f"話者ラベル「{speaker}」が{seen[speaker] + 1}人目の参加者と重なっています: どちらかに `speaker` を書いて区別してください",
            )
        seen.setdefault(speaker, i)
        people.append(Participant(name=name, speaker=speaker, **values))
    return tuple(people)


_MARKUP = re.compile(r"[*_`]|!?\[([^\]]*)\]\([^)]*\)")


def first_paragraph(blocks) -> str:
    """要約の既定値: the first paragraph of the body, as plain text, shortened."""
    for block in blocks:
        if isinstance(block, Prose | Turn | Question):
            paragraph = block.markdown.strip().split("\n\n")[0]
            text = _MARKUP.sub(lambda m: m.group(1) or "", paragraph)
            text = " ".join(text.split())
            if len(text) > SUMMARY_LENGTH:
                text = text[: SUMMARY_LENGTH - 1] + "…"
            if text:
                return text
    return ""


def decode(raw: bytes, path: str) -> tuple[str | None, list[ContentError]]:
    """UTF-8 text, or a message that says which encoding it looks like."""
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
            guess = "UTF-16 で保存されているようです。"
        else:
            try:
                raw.decode("cp932")
                guess = "Shift_JIS で保存されているようです。"
            except UnicodeDecodeError:
                guess = ""
        return None, [ContentError(path, line, f"UTF-8 のテキストではありません。{guess}文字コードを UTF-8 にして保存し直してください")]


def read_article(file: Path, base: Path | None = None) -> tuple[Article | None, list[ContentError]]:
    """The file wrapper around ``parse_article``."""
    return parse_bytes(file, file.read_bytes(), base)


def parse_bytes(file: Path, raw: bytes, base: Path | None = None) -> tuple[Article | None, list[ContentError]]:
    """``parse_article`` for the bytes of ``file``, decoded with a clear message if need be."""
    path = display_path(file, base)
    text, errors = decode(raw, path)
    if text is None:
        return None, errors
    return parse_article(path, text, slug=file.stem)


def article_files(content_dir: Path) -> list[Path]:
    return sorted(p for p in content_dir.glob("*.md") if p.is_file() and not p.name.startswith((".", "_")))


FileCache = dict[Path, tuple[bytes, "Article | None", list[ContentError]]]


def load_archive(
    content_dir: Path,
    base: Path | None = None,
    *,
    cache: FileCache | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> tuple[list[Article], list[ContentError]]:
    """Every article in ``content_dir``, and every problem in every file (incl. across files).

    With ``cache`` (kept by ``serve`` between rebuilds), a file is parsed again only when
    its bytes have changed; files that are gone are forgotten."""
    articles: list[Article] = []
    errors: list[ContentError] = []
    if not content_dir.is_dir():
        return [], [ContentError(display_path(content_dir, base), 0, "記事のフォルダがありません")]
    files = article_files(content_dir)
    raws: dict[Path, tuple[bytes, bytes]] = {}  # file → (bytes, digest)
    for file in files:
        try:
            raw = file.read_bytes()
        except OSError:  # deleted or renamed between listing and reading
            continue
        raws[file] = (raw, hashlib.blake2b(raw, digest_size=16).digest())
    fresh: FileCache = {}
    misses = []
    for file, (_, digest) in raws.items():
        hit = cache.get(file) if cache is not None else None
        if hit is not None and hit[0] == digest:
            fresh[file] = hit
        else:
            misses.append(file)

    def parse_share(share: int, shares: int) -> list[tuple[Article | None, list[ContentError]]]:
        return [parse_bytes(file, raws[file][0], base) for file in misses[share::shares]]

    shares = workers_for(len(misses), PARALLEL_MIN)
    for share, results in enumerate(by_share(parse_share, shares)):
        for file, (article, problems) in zip(misses[share::shares], results, strict=True):
            fresh[file] = (raws[file][1], article, problems)
    for i, file in enumerate(f for f in files if f in fresh):
        _, article, problems = fresh[file]
        errors.extend(problems)
        if article is not None:
            articles.append(article)
        if progress:
            progress("load", i + 1, len(fresh))
    if cache is not None:
        cache.clear()
        cache.update(fresh)
    errors.extend(check_archive(articles, content_dir))
    return articles, errors


def check_archive(articles: list[Article], content_dir: Path) -> list[ContentError]:
    """Problems that only show across files: shared session numbers, missing images."""
    errors = []
    first_by_session: dict[int, Article] = {}
    for article in articles:
        if article.session is None:
            continue
        first = first_by_session.setdefault(article.session, article)
        if first is not article:
            errors.append(ContentError(
                article.path, article.line_of("session"),
                f"第{article.session}回は {first.path} でも使われています: 回の番号は記事ごとに変えてください",
            ))
    for article in articles:
        if article.image and not (content_dir / article.image).is_file():
            errors.append(ContentError(
                article.path, article.line_of("image"),
                f"画像「{article.image}」が見つかりません（content/ からの相対パスで書いてください）",
            ))
    return errors



__all__ = ["parse_article", "read_article", "load_archive", "ContentError", "Prose", "Question"]
