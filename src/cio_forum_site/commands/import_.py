"""``cio-forum-site import``: blog articles saved as plain text → content files.

The parsing is ``importer.parse_blog_text`` (pure); this module reads the files, writes
``content/<suggested_slug>.md`` without ever replacing a file, and checks each new file
the way the build will, so the editor learns at once what is still to fix. A text that
gives no date at all gets the day it was saved (its modification time) as a listed guess,
so that every imported file builds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from cio_forum_site.commands.common import Refused
from cio_forum_site.content.files import decode, load_archive
from cio_forum_site.content.frontmatter import split_front_matter
from cio_forum_site.errors import ContentError, display_path
from cio_forum_site.importer import ImportResult, parse_blog_text, to_content_file


@dataclass
class Imported:
    """What happened to one input file."""

    source: str  # the input, as the editor named it
    written: Path | None = None
    result: ImportResult | None = None
    notes: tuple[str, ...] = ()  # the importer's `undecided`: to check by hand
    errors: list[ContentError] = field(default_factory=list)  # unreadable input, or the new file's
    refused: str | None = None  # why nothing was written

    @property
    def exit_code(self) -> int:
        return 2 if self.refused else 1 if self.errors else 0


def read_blog_text(file: Path) -> tuple[str | None, list[ContentError]]:
    shown = display_path(file)
    if file.is_dir():
        return None, [ContentError(shown, 0, "フォルダです: ブログの記事を保存したテキストファイルを指定してください")]
    try:
        raw = file.read_bytes()
    except FileNotFoundError:
        return None, [ContentError(shown, 0, "ファイルがありません")]
    except OSError as exc:
        return None, [ContentError(shown, 0, f"ファイルを読めません（{exc.strerror}）")]
    text, errors = decode(raw, shown)
    if text is not None and not text.strip():
        return None, [ContentError(shown, 0, "ファイルが空です")]
    return text, errors


def _saved_on(file: Path) -> dt.date | None:
    """The day the blog text was saved: the meeting was before it (a last-resort date)."""
    try:
        return dt.date.fromtimestamp(file.stat().st_mtime)
    except (OSError, ValueError, OverflowError):
        return None


def _title_of(file: Path) -> str | None:
    try:
        split = split_front_matter(file.read_text("utf-8"))
        data = yaml.safe_load(split[0]) if not isinstance(split, str) else None
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    return data.get("title") if isinstance(data, dict) else None


def _target(result: ImportResult, content_dir: Path) -> tuple[Path, tuple[str, ...]]:
    """content/<slug>.md. Interviews are named by month, and one month may have several:
    a file of that name with another title makes this one interview-2024-02-2.md (a file
    with the same title is this article, imported before, and is never replaced)."""
    slug = result.suggested_slug
    target = content_dir / f"{slug}.md"
    if result.front_matter.get("kind") != "interview":
        return target, ()
    n = 1
    while target.exists() and _title_of(target) not in (None, result.front_matter.get("title")):
        n += 1
        target = content_dir / f"{slug}-{n}.md"
    if n == 1:
        return target, ()
    return target, (f"同じ月のインタビュー {display_path(content_dir / f'{slug}.md')} があるため、"
                    f"{target.name} にしました",)


def import_file(file: Path, content_dir: Path) -> Imported:
    """Read one blog text and write its content file (never over an existing one)."""
    shown = display_path(file)
    text, errors = read_blog_text(file)
    if text is None:
        return Imported(shown, errors=errors)
    result = parse_blog_text(text, shown, saved=_saved_on(file))
    target, renamed = _target(result, content_dir)
    done = Imported(shown, result=result, notes=result.undecided + renamed)
    try:
        with target.open("x", encoding="utf-8", newline="\n") as out:
            out.write(to_content_file(result))
    except FileExistsError:
        done.refused = (f"{display_path(target)} はもうあるため、書きませんでした（{shown}）: "
                        "同じ記事なら読み込みは不要です。別の記事なら、今あるファイルの名前を変えてから"
                        "もう一度実行してください")
        return done
    done.written = target
    return done


def import_files(files: Sequence[Path], content_dir: Path) -> list[Imported]:
    """Import every file, then check the new files as the build will (including against
    the articles already there: a session number used twice, for example)."""
    if not content_dir.is_dir():
        raise Refused(f"記事のフォルダ {content_dir} がありません: --content で記事のフォルダを指定してください")
    results = [import_file(file, content_dir) for file in files]
    written = {display_path(r.written): r for r in results if r.written}
    if written:
        _, problems = load_archive(content_dir)
        for problem in problems:
            if problem.path in written:
                written[problem.path].errors.append(problem)
            else:  # e.g. 第5回は content/0005-new.md でも使われています, reported on the old file
                for path, imported in written.items():
                    if path in problem.message:
                        imported.errors.append(problem)
    return results
