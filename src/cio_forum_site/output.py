"""Stage 5 — output: the one place that writes the site to disk.

Everything is written into a staging folder beside the output; only when every stage
has succeeded is it swapped into place with ``os.replace``. A failed or refused run
leaves the existing output exactly as it was.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

MARKER = ".cio-forum-site"  # marks a folder as our output, so we never replace anything else


class OutputRefused(Exception):
    """The output folder is not ours to replace."""


class Stage:
    """A staging folder that pages and assets are written into."""

    def __init__(self, path: Path):
        self.path = path

    def write_text(self, relative: str, text: str) -> None:
        self.write_bytes(relative, text.encode("utf-8"))

    def write_bytes(self, relative: str, data: bytes) -> None:
        target = self.path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)

    def copy_file(self, source: Path, relative: str) -> None:
        target = self.path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)

    def link_file(self, source: Path, relative: str) -> None:
        """Put ``source``, a file of the previous output that is carried over unchanged, at
        ``relative``: a hard link where the file system allows it, a copy otherwise. Nothing
        is ever written into a linked file (it is the previous output's file too)."""
        target = self.path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(source, target)
        except OSError:
            shutil.copy2(source, target)

    def copy_tree(self, source: Path, relative: str) -> None:
        if source.is_dir():
            shutil.copytree(source, self.path / relative, dirs_exist_ok=True)


def check_output(out_dir: Path, *protected: Path) -> None:
    """Refuse an output folder that holds sources or that some other program made."""
    out = out_dir.resolve()
    for source in protected:
        src = source.resolve()
        if out == src or out in src.parents or src in out.parents:
            raise OutputRefused(f"出力先 {out_dir} が {source} と重なっています: 別のフォルダを指定してください")
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / MARKER).exists())):
        raise OutputRefused(
            f"出力先 {out_dir} には cio-forum-site 以外のファイルがあるため、置き換えません"
        )


@contextmanager
def staged_output(out_dir: Path) -> Iterator[Stage]:
    """Yield a Stage; on success swap it in for ``out_dir``, on any error discard it."""
    out_dir = out_dir.resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = out_dir.with_name(f".{out_dir.name}.staging-{os.getpid()}")
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir()
    try:
        stage = Stage(staging)
        yield stage
        (staging / MARKER).write_text("cio-forum-site の出力フォルダです。\n", "utf-8")
        _swap(staging, out_dir)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def _swap(staging: Path, out_dir: Path) -> None:
    old = out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}")
    if out_dir.exists():
        os.replace(out_dir, old)
    try:
        os.replace(staging, out_dir)
    except OSError:
        if old.exists():
            os.replace(old, out_dir)
        raise
    if old.exists():
        shutil.rmtree(old, ignore_errors=True)
