"""``cio-forum-site new``: a new article file to start from.

``new_article_text`` is pure: the front matter filled in from what the editor gave, and
comments showing how to write the rest; it starts as a draft (``draft: true``), so that
nothing half-written is published. ``create_article`` picks the next session number and the
file name, and writes the file without ever replacing one. ``same_meeting`` finds the
articles already written for that municipality and date (read leniently), for a warning.
"""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from collections.abc import Sequence
from pathlib import Path

import yaml

from cio_forum_site.commands.common import Refused, used_numbers
from cio_forum_site.content import municipalities
from cio_forum_site.content.files import article_files
from cio_forum_site.content.frontmatter import split_front_matter
from cio_forum_site.content.municipalities import Municipality
from cio_forum_site.errors import display_path


def find_municipalities(names: Sequence[str]) -> list[Municipality]:
    """The municipalities named, in the order given; Refused with a suggestion otherwise."""
    found: list[Municipality] = []
    for name in names:
        place = municipalities.find(name)
        if place is None:
            if unicodedata.normalize("NFKC", name).strip() in ("東京都", "都"):
                raise Refused("東京都は区市町村ではありません: --municipality には区市町村の名前を書いてください"
                              "（都の参加者は記事の participants に書きます）")
            guess = municipalities.suggest(name)
            hint = f"「{guess}」のことですか？" if guess else "正式な名称で書いてください（例: 国分寺市）"
            raise Refused(f"「{name}」は東京都の区市町村にありません。{hint}")
        if place not in found:
            found.append(place)
    return found


def parse_date(text: str) -> dt.date:
    try:
        if len(text) == 10:
            return dt.date.fromisoformat(text)
    except ValueError:
        pass
    raise Refused(f"--date「{text}」は日付になっていません: 2024-05-20 のように、実在する日を YYYY-MM-DD で書いてください")


def default_title(places: Sequence[Municipality]) -> str:
    """The blog's usual title: 清瀬市CIO×都CIOの座談会."""
    return "".join(f"{m.name}CIO×" for m in places) + "都CIOの座談会"


def _scalar(text: str) -> str:
    """``text`` as a YAML value on one line: plain when that reads back the same, else quoted."""
    try:
        plain_ok = yaml.safe_load(f"k: {text}") == {"k": text} and "#" not in text
    except yaml.YAMLError:
        plain_ok = False
    return text if plain_ok else json.dumps(text, ensure_ascii=False)


def new_article_text(session: int, places: Sequence[Municipality], *,
                     date: dt.date | None = None, title: str | None = None) -> str:
    """A new roundtable file: what is known is filled in, the rest is shown in comments."""
    title = title.strip() if title else ""
    title = title or (default_title(places) if places else "")
    names = ", ".join(m.name for m in places)
    lines = [
        "---",
        "# 新しい記事です。# で始まる行は説明なので、消してもかまいません。",
        "# 書き方の詳しい説明: docs/content-format.md",
        "draft: true                # 下書き。書き終えたらこの行を消すと公開されます",
        f"title: {_scalar(title)}" if title else "title:                    # 記事の題名（必須）",
        "kind: roundtable           # roundtable（座談会）または interview（インタビュー）",
        f"session: {session}                # 第{session}回",
        f"date: {date.isoformat()}           # 開催日" if date
        else "date:                     # 開催日（必須）。例: 2024-05-20",
        "# published: 2024-06-03    # 公開日（任意）",
        f"municipalities: [{names}]" if places
        else "municipalities: []        # 区市町村の正式な名前（必須）。例: [清瀬市, 立川市]",
        "participants:              # 参加者を表示する順に。行頭の # を消して書きます",
        "#  - name: 山田 太郎         # 姓と名の間に空白",
        f"#    organization: {places[0].name if places else '清瀬市'}",
        "#    position: 副市長",
        "#    role: CIO",
        "#    # speaker: 山田         # 本文での話者の書き方（書かなければ姓）",
        "#  - name: 佐藤 花子",
        "#    organization: 東京都",
        "#    role: CIO",
        "topics: []                 # 議題。空なら本文の ## 見出しを使います",
        "tags: []                   # 例: [標準化, 人材育成]",
        "# series: kiyose-2024      # 前半・後半に分けた記事は、同じ series を書き",
        "# part: 1                  # 何回目か",
        "# parts: 2                 # 全何回か",
        "credits:",
        "  author:                  # 執筆",
        "  editor:                  # 編集",
        "# summary:                 # 要約。書かなければ本文の最初の段落を使います",
        "# image: images/example.jpg  # 見出しの画像（content/ からの相対パス）",
        "#",
        "# 本文は下の --- の後に書きます。例:",
        "#   ## 業務標準化への対応        ← 議題の見出し（目次になります）",
        "#   山田                          ← 話者の名前だけの行。次の行から発言",
        "#   標準化の期限に向けて、庁内の体制を見直しました。",
        "#   佐藤：都としても支えていきます。  ← 名前：発言 の形でも書けます",
        "#   ― 人材の面ではいかがですか。   ← 聞き手の質問は ― で始めます",
        "---",
        "",
    ]
    return "\n".join(lines)


def article_slug(session: int, places: Sequence[Municipality]) -> str:
    """``0030-kiyose``; ``0030-musashino-tachikawa`` for two; ``0030`` when none is known."""
    return "-".join([f"{session:04d}", *(m.slug for m in places)])


def same_meeting(content_dir: Path, places: Sequence[Municipality], day: dt.date,
                 *, excluding: Path | None = None) -> list[Path]:
    """Article files with the same date and a municipality in common: most likely the same
    meeting. Read leniently (a file with errors elsewhere still counts)."""
    found = []
    codes = {m.code for m in places}
    for file in article_files(content_dir) if content_dir.is_dir() else ():
        if excluding is not None and file == excluding:
            continue
        fields = _lenient_front_matter(file)
        when = fields.get("date")
        if str(when) != day.isoformat():
            continue
        named = fields.get("municipalities")
        names = named if isinstance(named, list) else [named]
        if any((m := municipalities.find(str(n))) is not None and m.code in codes for n in names):
            found.append(file)
    return found


def _lenient_front_matter(file: Path) -> dict:
    try:
        text = file.read_bytes().decode("utf-8", errors="replace").lstrip("\ufeff")
    except OSError:
        return {}
    split = split_front_matter(text.replace("\r\n", "\n").replace("\r", "\n"))
    if isinstance(split, str):
        return {}
    try:
        data = yaml.safe_load(split[0])
    except yaml.YAMLError:
        return {}
    return data if isinstance(data, dict) else {}


def create_article(content_dir: Path, names: Sequence[str], *, date: str | None = None,
                   title: str | None = None) -> Path:
    """Write the new file and return its path. Never replaces a file."""
    places = find_municipalities(names)
    day = parse_date(date) if date is not None else None
    if not content_dir.is_dir():
        raise Refused(f"記事のフォルダ {content_dir} がありません: --content で記事のフォルダを指定してください")
    session = max(used_numbers(content_dir), default=0) + 1
    path = content_dir / f"{article_slug(session, places)}.md"
    text = new_article_text(session, places, date=day, title=title)
    try:
        with path.open("x", encoding="utf-8", newline="\n") as file:
            file.write(text)
    except FileExistsError:
        raise Refused(f"{display_path(path)} はもうあるため、書きませんでした") from None
    return path
