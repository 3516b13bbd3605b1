"""Shared pieces of the editor commands (new, check, serve, import).

- ``Refused``: a command would clobber something or was asked the impossible (exit 2).
- ``Loader``: reads the content folder like ``content.load_archive``, but keeps every
  file's parse result keyed by its bytes, so a rebuild re-reads only what changed; it can
  report progress.
- ``progress_reporter``: a rich progress bar on a terminal, nothing otherwise.
- ``used_numbers``: the session numbers already taken, read leniently (files with errors
  count too), for ``new`` and ``import``.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from cio_forum_site.content.files import FileCache, article_files, load_archive
from cio_forum_site.content.frontmatter import split_front_matter
from cio_forum_site.content.model import Article
from cio_forum_site.errors import ContentError

Progress = Callable[[str, int, int], None]

STAGE_LABELS = {"load": "記事を読み込み中", "render": "ページを作成中", "search": "検索を準備中"}


class Refused(Exception):
    """The command would overwrite something or cannot do what it was asked (exit 2)."""


class Loader:
    """``load_archive`` with a per-file cache: a file is parsed again only when its bytes
    change. One Loader lives as long as ``serve`` does; ``build`` uses a fresh one."""

    def __init__(self, progress: Progress | None = None):
        self.progress = progress
        self.problems: list[ContentError] = []  # of the last call
        self.file_cache: FileCache = {}  # also tells build which articles are unchanged

    def __call__(self, content_dir: Path) -> tuple[list[Article], list[ContentError]]:
        articles, self.problems = load_archive(content_dir, cache=self.file_cache,
                                               progress=self.progress)
        return articles, self.problems


@contextmanager
def progress_reporter(quiet: bool, stream=None) -> Iterator[Progress | None]:
    """A ``progress(stage, done, total)`` callback drawing a rich progress bar on stderr
    when it is a terminal (and not --quiet); None otherwise, so logs stay clean."""
    stream = stream or sys.stderr
    if quiet or not stream.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=Console(file=stream), transient=True) as bar:
        tasks: dict[str, int] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(STAGE_LABELS.get(stage, stage), total=total)
            bar.update(tasks[stage], completed=done, total=total)

        yield update


_SESSION_RE = re.compile(r"^session\s*:\s*['\"]?(\d+)['\"]?\s*(?:#.*)?$")
_NUMBER_PREFIX_RE = re.compile(r"^(\d+)-")


def used_numbers(content_dir: Path) -> dict[int, Path]:
    """Session number → a file that uses it, from the ``session:`` lines and the numbers
    the file names start with. Read leniently: a file with errors still holds its number."""
    used: dict[int, Path] = {}
    if not content_dir.is_dir():
        return used
    for file in article_files(content_dir):
        if m := _NUMBER_PREFIX_RE.match(file.name):
            used.setdefault(int(m.group(1)), file)
        try:
            text = file.read_bytes().decode("utf-8", errors="replace").lstrip("\ufeff")
        except OSError:
            continue
        split = split_front_matter(text.replace("\r\n", "\n").replace("\r", "\n"))
        if isinstance(split, str):
            continue
        for line in split[0].split("\n"):
            if m := _SESSION_RE.match(line):
                used.setdefault(int(m.group(1)), file)
    return used
