"""The shared line classifier: every shape of page is read line by line, and each line is
matched in its NFKC form (：（）１ become :()1), so full-width and ASCII text read the same.

What a line can be, before anything knows who speaks: a placeholder for an image, a leftover
of the blog platform (like/follow/support lines, 公開日, back-number lists), a possible
heading, a marked heading (■/【】), a part note (全2回の後半), a ``LABEL：words`` line.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

NUM = r"(?:\d+|[〇零一二三四五六七八九十百]+)"
_KANJI_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0}

HEADING_MAX = 40
LABEL_MAX = 8

_PUNCT = set("。、,.!?「」『』:;")
_PLACEHOLDER_RE = re.compile(
    r"^(?:見出し画像|[\[(【<]?\s*(?:画像|写真|図|イメージ|image|photo|img)\s*\d*\s*[\])】>]?"
    r"|\S+\.(?:png|jpe?g|gif|webp|svg|heic)|!\[[^\]]*\]\([^)]*\))$",
    re.IGNORECASE,
)
# A line that only names a picture: 窓口アプリの画面スクショ, 座談会の様子（写真）.
_PICTURE_NAME_RE = re.compile(r"^[^。、,.!?:]{0,30}(?:スクショ|スクリーンショット|写真|画像)\d*[)】\]]?$")
_PLATFORM_RE = re.compile(
    r"^(?:スキ|♡|いいね|フォロー|フォローする|フォロー中|サポート|サポートする|チップで応援する"
    r"|シェア|コメント|ログイン|会員登録|もっと見る|記事を読む|ログインして.*)(?:\s*\d+)?$"
    r"|^.{0,30}をフォロー(?:する|しませんか\??)?$"
    r"|^この記事が気に入ったら|^.{0,20}サポートをしてみませんか\??$|^(?:記事|クリエイター)を(?:応援|サポート)する$"
)
_HEADER_DATE_RE = re.compile(r"^[-・*]?\s*(公開日|最新更新日|更新日|投稿日|掲載日)\s*:?\s*(.*)$")
_BACK_NUMBERS_RE = re.compile(
    r"^(?:直近の|最近の|全ての|すべての|過去の)?バックナンバー(?:一覧|を見る|はこちら|をもっと見る)?$"
)
URL_RE = re.compile(r"^(?:https?://|www\.)\S+$")
PARTICIPANTS_RE = re.compile(r"^(?:参加者|出席者|登壇者|参加メンバー)\s*(?:\([^)]*\))?\s*:?$")
AGENDA_RE = re.compile(r"^[■□●◆【\[]?\s*(?:議題|テーマ|本日の議題|座談会の議題)\s*[】\]]?\s*:?$")
CREDIT_RE = re.compile(r"^(執筆者?|取材・文|文|ライター|編集者?)\s*:\s*(.+)$")
HASHTAGS_RE = re.compile(r"^#\S+(?:\s+#\S+)*$")
QUESTION_MARKS = ("―", "—")
QUESTION_FIX_RE = re.compile(r"^[─━－]+")
MARKED_RE = re.compile(r"^[■□●○◆◇▼▽★☆◎]\s*(.+)$")
BRACKETED_RE = re.compile(r"^【([^】]+)】$")
NOTE_RE = re.compile(r"^(.+?)\s*\(([^()]*)\)$")
INTRO_RE = re.compile(r"^(.+?)\s*\(以下[、,]?\s*[「『\"]([^」』\"]+)[」』\"]\)$")
RULE_RE = re.compile(r"^[-─━―—=*~〜_・]{3,}$")
INTERJECTIONS = {"はい", "いいえ", "ええ", "うん", "なるほど", "そうですね", "確かに", "(笑)"}
COLON_RE = re.compile(r"^([^:]{1,30}?)\s*:\s*(.*)$")
SENTENCE_END_RE = re.compile(r"(?:です|ます|でした|ました|ません|ください|でしょう|たい|ね|よ|か|な)$")
ROLE_RE = re.compile(r"(CIO補佐官|CIO|CDO|CISO|CTO)$")
# Positions end like this; family names (長谷部, 岡部) may end in 部, so 部/課 are not here.
POSITION_END_RE = re.compile(r"(?:長|官|監|CIO|CDO|CISO|補佐|参与|顧問|理事|委員|担当|役|員|者)$")
SESSION_RE = re.compile(rf"第\s*({NUM})\s*回")

# Part notes: 全2回の後半 / 第2回/全3回 / （後編） / 前半はこちら / part1はこちら.
PART_OF_RE = re.compile(rf"全\s*({NUM})\s*回の?\s*(前半|後半|前編|中編|後編|第\s*({NUM})\s*回|({NUM})\s*回目)")
PART_SLASH_RE = re.compile(rf"第\s*({NUM})\s*回\s*(?:/|\(|の)\s*全\s*({NUM})\s*回")
PART_TITLE_RE = re.compile(r"[(\[【〈]\s*(前半|後半|前編|中編|後編)\s*[)\]】〉]|(前半|後半|前編|中編|後編)$")
PART_NUMBER_RE = re.compile(r"(?<![A-Za-z])part\s*\.?\s*(\d+)", re.IGNORECASE)
PART_LINK_RE = re.compile(
    r"(前半|後半|前編|中編|後編|part\s*\.?\s*\d+)\s*(?:は|を)?\s*(?:こちら|コチラ)", re.IGNORECASE
)


@dataclass(frozen=True)
class Line:
    no: int  # 1-based line number in the blog text
    raw: str  # as written, stripped
    norm: str  # NFKC, stripped


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def read_lines(text: str) -> list[Line]:
    """The non-blank lines of a blog text, numbered as the editor's file is."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return [Line(i, raw.strip(), nfkc(raw.strip())) for i, raw in enumerate(text.split("\n"), 1)
            if raw.strip()]


def number(text: str) -> int | None:
    """``12``, ``十二`` or ``一二`` as an int: blog text writes numbers all three ways."""
    if text.isascii() and text.isdigit():
        return int(text)
    total = current = 0
    for ch in text:
        if ch in _KANJI_DIGITS:
            current = current * 10 + _KANJI_DIGITS[ch]
        elif ch in "十百":
            total += (current or 1) * (10 if ch == "十" else 100)
            current = 0
        else:
            return None
    return total + current


def has_punct(norm: str) -> bool:
    return any(c in _PUNCT for c in norm)


def is_placeholder(norm: str) -> bool:
    """An image's place in the text, or a line that only names a picture."""
    return bool(_PLACEHOLDER_RE.match(norm) or _PICTURE_NAME_RE.match(norm))


def is_platform(norm: str) -> bool:
    """Like/follow/support lines, rules and like counters: the platform's, not the article's."""
    return bool(_PLATFORM_RE.match(norm) or RULE_RE.match(norm) or norm.isdigit())


def header_date(norm: str) -> tuple[str, str] | None:
    """(公開日 or 最新更新日 …, the rest) for a page's date line: ``- 公開日: 2024年3月1日``."""
    m = _HEADER_DATE_RE.match(norm)
    return (m.group(1), m.group(2)) if m else None


def is_back_numbers(norm: str) -> bool:
    """直近のバックナンバー / 全てのバックナンバー: a list of other articles follows."""
    return bool(_BACK_NUMBERS_RE.match(norm))


def is_part_note(norm: str) -> bool:
    return bool(PART_OF_RE.search(norm) or PART_SLASH_RE.search(norm) or PART_LINK_RE.search(norm))


def heading_text(norm: str) -> bool:
    """Short, no sentence punctuation, not shaped like a sentence end: could be a heading."""
    return (
        0 < len(norm) <= HEADING_MAX
        and not has_punct(norm)
        and not norm.startswith(QUESTION_MARKS)
        and not URL_RE.match(norm)
        and not norm.isdigit()
        and not SENTENCE_END_RE.search(norm)
    )


def intro_label(norm: str) -> str | None:
    """The label a speaker line introduces: 清瀬市CIO：山田 太郎（以下「山田」） → 山田."""
    m = COLON_RE.match(norm)
    intro = INTRO_RE.match(m.group(2) if m else norm)
    return intro.group(2).strip() if intro else None


def marked_heading(norm: str) -> str | None:
    """The text of a ■/●/【】 line if it is short enough to be a heading."""
    m = MARKED_RE.match(norm) or BRACKETED_RE.match(norm)
    if m and len(m.group(1)) <= HEADING_MAX + 20 and "。" not in m.group(1):
        return m.group(1).strip()
    return None
