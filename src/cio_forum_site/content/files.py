"""The disk side of the content stage: files → ``Article`` values, in parallel, with a cache.

``load_archive(content_dir)`` is the stage's entry point: every article and every problem
in every file, including problems that only show across files.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote, urlsplit

from cio_forum_site.content.article import parse_article
from cio_forum_site.content.model import Article
from cio_forum_site.errors import ContentError, display_path
from cio_forum_site.parallel import by_share, workers_for

PARALLEL_MIN = 300  # files; fewer are parsed in this process (forking costs ~0.1 s)


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


def _hidden(name: str) -> bool:
    return name.startswith((".", "_"))


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def walk_content(content_dir: Path, base: Path | None = None
                 ) -> tuple[list[Path], list[str], list[ContentError]]:
    """(article files, other files to publish as paths under content/, problems).

    Symlinks are followed only while they stay inside content/: a file or folder reached
    through a link that leaves it is never read nor published, and is reported as an error
    naming the link. Names beginning with ``.`` or ``_`` are skipped."""
    root = content_dir.resolve()
    shown = display_path(content_dir, base)
    articles: list[Path] = []
    assets: list[str] = []
    problems: list[ContentError] = []
    seen: set[Path] = set()  # real folders walked (a link back up must not loop)

    def walk(folder: Path, relative: str) -> None:
        real = folder.resolve()
        if real in seen:
            return
        seen.add(real)
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            return
        for entry in entries:
            if _hidden(entry.name):
                continue
            rel = f"{relative}{entry.name}"
            path = folder / entry.name
            if entry.is_symlink():
                target = path.resolve()
                if not _inside(target, root):
                    problems.append(ContentError(
                        f"{shown}/{rel}", 0,
                        f"content/ の外（{target}）を指すリンクです: 公開も読み込みもしません。"
                        "ファイルを content/ の中に置くか、リンクを消してください"))
                    continue
            if entry.is_dir():
                walk(path, rel + "/")
            elif entry.is_file():
                if not relative and entry.name.endswith(".md"):
                    articles.append(path)
                elif not entry.name.endswith(".md"):
                    assets.append(rel)

    if content_dir.is_dir():
        walk(content_dir, "")
    return articles, assets, problems


def article_files(content_dir: Path) -> list[Path]:
    """The article files (``*.md`` directly in content/) that may be read."""
    return walk_content(content_dir)[0]


def content_assets(content_dir: Path) -> list[str]:
    """Files under content/ other than articles (images, PDFs …), published as they are."""
    return walk_content(content_dir)[1]


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
    files, _, errors = walk_content(content_dir, base)
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


def is_file_under(content_dir: Path, relative: str) -> bool:
    """Whether ``relative`` names a file inside content_dir (links followed, never out)."""
    try:
        file = (content_dir / relative).resolve()
        return _inside(file, content_dir.resolve()) and file.is_file()
    except (OSError, ValueError):  # a name too long for the file system, a NUL …
        return False


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
        if article.image and isinstance(problem := content_file(content_dir, article.image), str):
            errors.append(ContentError(article.path, article.line_of("image"), problem))
    return errors


_EXTERNAL = re.compile(r"^([a-z][a-z0-9+.-]*:|//)", re.IGNORECASE)


def content_key(target: str) -> str | None:
    """A file reference as written in an article (``images/a.jpg``, ``./images/a%20b.jpg``,
    ``/images/a.jpg``) as its path under content/ (``images/a.jpg``); None for an external
    URL. ``..`` is kept where it leads out (``../secret.png``), for ``content_file`` to refuse."""
    if not target or _EXTERNAL.match(target):
        return None
    path = unquote(urlsplit(target).path).lstrip("/")
    return posixpath.normpath(path) if path else None


def content_file(content_dir: Path, target: str, *, missing_ok: bool = False) -> Path | str | None:
    """The file under ``content_dir`` that ``target`` names, or what is wrong, in Japanese.
    The one place that decides whether a reference may be published: a path leading out of
    content/ (by ``..`` or through a symbolic link) is refused, as is a missing file (None
    instead with ``missing_ok``)."""
    key = content_key(target)
    if key is None:
        return f"「{target}」は content/ の中のファイルではありません"
    root = content_dir.resolve()
    file = (root / key).resolve()
    if key == ".." or key.startswith("../") or root not in file.parents:
        return (f"「{target}」は content/ の外を指しています: content/ の中に置いたファイルだけを"
                "使えます（content/ からのパスで書いてください）")
    if not file.is_file():
        if missing_ok and not file.exists():
            return None
        return f"画像「{target}」が見つかりません（content/ からの相対パスで書いてください）"
    return file
