"""Front matter: the YAML block at the top of an article file, with the line of every value.

``split_front_matter`` finds the block; ``parse_yaml`` reads it without losing positions;
``FrontMatter`` reads typed fields and records a ``path:line`` problem for each bad one.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import yaml

from cio_forum_site.content.dates import ERAS
from cio_forum_site.content.yamlerrors import explain
from cio_forum_site.errors import ContentError

FIRST_DAY = ERAS[-1][0]  # 昭和元年12月25日: the first day 和暦 is shown for

DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: faster


class _Loader(_BaseLoader):
    """SafeLoader that keeps dates as text, so that we can say which line is wrong, and
    turns a value its tag cannot read (``!!bool "x"``, ``!!int "x"``, a 5,000-digit number)
    into a YAML error at that value instead of a KeyError or ValueError."""

    def construct_object(self, node, deep=False):
        try:
            return super().construct_object(node, deep)
        except yaml.YAMLError:
            raise
        except Exception as exc:  # KeyError, ValueError, AttributeError … from a tag's reader
            tag = node.tag.replace("tag:yaml.org,2002:", "!!")
            digits = "digits" if "digits" in str(exc) else type(exc).__name__
            raise yaml.constructor.ConstructorError(
                None, None, f"value-for-tag {tag} {digits}", node.start_mark) from None


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class Problems:
    """Collects the problems of one file; ``line`` numbers are file lines (1-based)."""

    def __init__(self, path: str):
        self.path = path
        self.items: list[ContentError] = []

    def add(self, line: int, message: str, col: int = 0) -> None:
        self.items.append(ContentError(self.path, line, message, col=col))


def split_front_matter(text: str) -> tuple[str, str, int] | str:
    """(yaml text, body, first body line) or a message saying why there is none."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        return "front matter がありません: ファイルの1行目を `---` にして、YAML の項目を書いてください"
    for i in range(1, len(lines)):
        if lines[i].rstrip() in ("---", "..."):
            return "\n".join(lines[1:i]), "\n".join(lines[i + 1 :]), i + 2
    return "front matter が閉じられていません: 1行目の `---` に対応する `---` の行がありません"


TEXT_LIMIT = 100  # characters in a name, a tag, a topic …; longer ones are refused
QUOTE_LIMIT = 40  # characters of a value quoted in a message


def short(text: str, limit: int = QUOTE_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def describe(value: Any) -> str:
    """What a value is, for messages; never the whole of a structure (it may be an alias bomb)."""
    if isinstance(value, bool):
        return f"真偽値 {str(value).lower()}"
    if isinstance(value, dict):
        return "「項目: 値」の組"
    if isinstance(value, list):
        return "リスト"
    if value is None:
        return "空"
    if isinstance(value, str | int | float):
        return f"「{short(str(value))}」"
    return f"{type(value).__name__} の値"


class FrontMatter:
    """The YAML mapping with the line of every value, for messages."""

    def __init__(self, data: dict, node: yaml.MappingNode, offset: int, problems: Problems):
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
             path: tuple = (), limit: int = TEXT_LIMIT) -> str:
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
                self.line(*path, key), f"`{label}` は文字列で書いてください（{describe(value)} になっています）"
            )
            return ""
        text = str(value).strip()
        if len(text) > limit:
            self.problems.add(self.line(*path, key),
                              f"`{label}` が長すぎます（{len(text)}文字）: {limit}文字までにしてください")
            return ""
        return text

    def integer(self, key: str, maximum: int | None = None) -> int | None:
        value = self.data.get(key)
        if value is None:
            return None
        if (isinstance(value, bool) or not isinstance(value, int) or value < 1
                or (maximum is not None and value > maximum)):
            upto = f"1から{maximum}まで" if maximum is not None else "1以上"
            self.problems.add(
                self.line(key), f"`{key}` は{upto}の整数で書いてください（{describe(value)} になっています）"
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
        text = str(value).strip() if isinstance(value, str | int) else ""
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
                f"`{key}` が日付になっていません: {describe(value)}（2021-10-15 のように、実在する日を YYYY-MM-DD で書いてください）",
            )
        elif day < FIRST_DAY:  # the site shows dates in 和暦, from 昭和 on
            self.problems.add(
                self.line(key),
                f"`{key}` の {day.isoformat()} は昭和より前です: 和暦で表せる {FIRST_DAY.isoformat()}（昭和元年）以降の日付を書いてください",
            )
            day = None
        return day

    def text_list(self, key: str, noun: str = "項目", limit: int = TEXT_LIMIT) -> tuple[str, ...]:
        value = self.data.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.problems.add(self.line(key), f"`{key}` はリストで書いてください（{describe(value)} になっています）")
            return ()
        items = []
        for i, item in enumerate(value):
            if isinstance(item, bool) or not isinstance(item, str | int | float) or str(item).strip() == "":
                self.problems.add(
                    self.line(key, i), f"`{key}` の{i + 1}番目は文字列で書いてください（{describe(item)} になっています）"
                )
                continue
            text = str(item).strip()
            if len(text) > limit:
                self.problems.add(self.line(key, i), f"`{key}` の{i + 1}番目が長すぎます（{len(text)}文字）: "
                                                     f"{noun}は{limit}文字までにしてください")
                continue
            items.append(text)
        return tuple(items)


def parse_yaml(text: str, offset: int, problems: Problems) -> tuple[Any, Any]:
    """The YAML's data and its node tree, or (None, None) and one problem at the one
    position where the fix goes (``yamlerrors.explain``)."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
        return data, node
    except yaml.YAMLError as exc:
        mark, message = explain(exc, text)
        line = mark.line + offset + 1 if mark else offset
        problems.add(line, f"front matter の YAML: {message}", mark.column + 1 if mark else 0)
    except RecursionError:
        problems.add(offset, "front matter の YAML の入れ子が深すぎます: [ や { を閉じ忘れていないか確かめてください")
    finally:
        loader.dispose()
    return None, None
