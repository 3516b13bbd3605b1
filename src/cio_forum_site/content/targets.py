"""Where an article points: its ``image`` and the targets of the links and images in its
body, and which of them leave the site (pure; no disk).

Images are files under content/ (``images/a.png``, or ``/images/a.png`` from the site's
root); links are URLs of the site, resolved from the article's page
(``/articles/<slug>/``). A target that climbs above content/ (``../../etc/passwd``), an
``image`` written as a file-system path (``/etc/passwd``), or a target longer than
TARGET_LIMIT is an error in both ``check`` and ``build``.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from cio_forum_site.content.transcript import FENCE_RE

TARGET_LIMIT = 2_000  # characters in a link or image target
# [text](target "title") and ![alt](target): the target, with its position.
LINK_RE = re.compile(
    r"(?P<bang>!?)\[(?P<text>(?:[^\[\]\\]|\\.|\[[^\]]*\])*)\]\(\s*(?P<target><[^>\n]*>|[^\s()]+(?:\([^\s()]*\)[^\s()]*)*)"
    r"(?:\s+(?:\"(?P<t1>[^\"]*)\"|'(?P<t2>[^']*)'|\((?P<t3>[^)]*)\)))?\s*\)"
)
REFERENCE_RE = re.compile(r"^ {0,3}\[[^\]]+\]:\s*(?P<target><[^>]*>|\S+)")
CODE_SPAN_RE = re.compile(r"(`+)(.+?)\1")
SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


@dataclass(frozen=True)
class Target:
    line: int  # file line, 1-based
    col: int  # 1-based
    target: str  # as written, without <>
    is_image: bool


def body_lines(lines: list[str], first: int) -> Iterator[tuple[int, str]]:
    """(line number, text) of every body line outside fenced code, with code spans blanked
    out (their columns kept); ``lines`` are the file's lines, the body starts at ``first``."""
    fence: str | None = None
    for number in range(first, len(lines) + 1):
        line = lines[number - 1]
        if fence is not None:
            if line.strip().startswith(fence):
                fence = None
            continue
        if m := FENCE_RE.match(line):
            fence = m.group(1)[0] * 3
            continue
        yield number, CODE_SPAN_RE.sub(lambda m: " " * len(m.group(0)), line)


def body_targets(lines: list[str], first: int) -> list[Target]:
    """Every link and image target in the body, where it is written."""
    found = []
    for number, line in body_lines(lines, first):
        if "](" in line:
            found += [Target(number, m.start("target") + 1, m["target"].strip("<>").strip(), bool(m["bang"]))
                      for m in LINK_RE.finditer(line)]
        if m := REFERENCE_RE.match(line):
            found.append(Target(number, m.start("target") + 1, m["target"].strip("<>").strip(), False))
    return found


def is_external(target: str) -> bool:
    return not target or bool(SCHEME_RE.match(target)) or target.startswith("//")


def _climbs(path: str) -> bool:
    """Whether a /-rooted path goes above its root (``/a/../../b``)."""
    depth = 0
    for part in path.split("/"):
        if part == "..":
            depth -= 1
            if depth < 0:
                return True
        elif part not in ("", "."):
            depth += 1
    return False


def image_path(target: str) -> str:
    """An image target as a path under content/ (``images/a.png``)."""
    return posixpath.normpath("/" + unquote(urlsplit(target).path).lstrip("/")).lstrip("/")


def target_problem(target: Target, page: str) -> str | None:
    """Why a body target is an error (too long, leaves the site), or None."""
    if len(target.target) > TARGET_LIMIT:
        kind = "画像" if target.is_image else "リンク"
        return f"{kind}の行き先が長すぎます（{len(target.target)}文字）: {TARGET_LIMIT}文字までにしてください"
    if is_external(target.target) or target.target.startswith("#"):
        return None
    path = unquote(urlsplit(target.target).path)
    if target.is_image:
        leaves = _climbs("/" + path.lstrip("/"))
    else:
        leaves = _climbs(path if path.startswith("/") else page + path)
    if leaves:
        return (f"「{target.target[:60]}」は content/ の外を指しています: 画像は content/ の中のファイルを、"
                "リンクはサイトのページを指してください")
    return None


def image_field_problem(image: str) -> str | None:
    """Why the ``image`` field is an error, or None: it must be a path under content/."""
    if len(image) > TARGET_LIMIT:
        return f"`image` が長すぎます（{len(image)}文字）: {TARGET_LIMIT}文字までにしてください"
    if (SCHEME_RE.match(image) or image.startswith(("/", "\\")) or "\\" in image
            or _climbs("/" + image)):
        return (f"`image` の「{image[:60]}」は content/ の外を指しています: content/ からの相対パスで"
                "書いてください（例: images/kiyose.png）")
    return None
