"""Front matter: the YAML block at the top of an article file, with the line of every value.

``split_front_matter`` finds the block; ``parse_yaml`` reads it without losing positions;
``FrontMatter`` reads typed fields and records a ``path:line`` problem for each bad one.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import yaml

from cio_forum_site.errors import ContentError

DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: faster


class _Loader(_BaseLoader):
    """SafeLoader that keeps dates as text, so that we can say which line is wrong."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class Problems:
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


def describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"真偽値 {str(value).lower()}"
    if isinstance(value, dict):
        return "「項目: 値」の組"
    if isinstance(value, list):
        return "リスト"
    if value is None:
        return "空"
    return f"「{value}」"


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
                self.line(*path, key), f"`{label}` は文字列で書いてください（{describe(value)} になっています）"
            )
            return ""
        return str(value).strip()

    def integer(self, key: str) -> int | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            self.problems.add(
                self.line(key), f"`{key}` は1以上の整数で書いてください（{describe(value)} になっています）"
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
            self.problems.add(self.line(key), f"`{key}` はリストで書いてください（{describe(value)} になっています）")
            return ()
        items = []
        for i, item in enumerate(value):
            if isinstance(item, bool) or not isinstance(item, str | int | float) or str(item).strip() == "":
                self.problems.add(
                    self.line(key, i), f"`{key}` の{i + 1}番目は文字列で書いてください（{describe(item)} になっています）"
                )
                continue
            items.append(str(item).strip())
        return tuple(items)


def parse_yaml(text: str, offset: int, problems: Problems) -> tuple[Any, Any]:
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
