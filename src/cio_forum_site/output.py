"""Stage 5 — output: the one place that writes the site to disk.

Everything is written into a staging folder beside the output; only when every stage
has succeeded is it swapped into place in one step (``_swap``). A failed, refused or
killed run leaves the existing output exactly as it was; what a killed run leaves beside
it is removed by the next build (``clear_debris``).
"""

from __future__ import annotations

import ctypes
import fcntl
import os
import shutil
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

MARKER = ".cio-forum-site"  # marks a folder as our output, so we never replace anything else


def files_under(root: Path | str) -> Iterator[tuple[str, str]]:
    """(path under ``root`` with "/" between folders, path) of every file below ``root``."""
    start = len(os.path.join(root, ""))  # the path of a file below root begins so
    for folder, _, names in os.walk(root):
        for name in names:
            path = os.path.join(folder, name)
            yield path[start:].replace(os.sep, "/"), path


class OutputRefused(Exception):
    """The output folder is not ours to replace."""


class Stage:
    """A staging folder that pages and assets are written into."""

    spared = False  # (staged_output) the output it replaced is kept as the spare

    def __init__(self, path: Path):
        self.path = path

    def _target(self, relative: str) -> Path:
        """Where ``relative`` goes: its folder made, nothing there yet."""
        target = self.path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def write_text(self, relative: str, text: str) -> None:
        self.write_bytes(relative, text.encode("utf-8"))

    def write_bytes(self, relative: str, data: bytes) -> None:
        self._target(relative).write_bytes(data)

    def copy_file(self, source: Path, relative: str) -> None:
        shutil.copyfile(source, self._target(relative))

    def link_file(self, source: Path, relative: str) -> None:
        """Put ``source``, a file of the previous output that is carried over unchanged, at
        ``relative``: a hard link where the file system allows it, a copy otherwise. Nothing
        is ever written into a linked file (it is the previous output's file too)."""
        target = self._target(relative)
        try:
            os.link(source, target)
        except OSError:
            shutil.copy2(source, target)

    def adopt(self, source: Path, relative: str) -> None:
        """Move the folder ``source`` (in a ``side_stage`` of the same output) to
        ``relative``."""
        os.replace(source, self._target(relative))

    def reserve(self, paths: list[str]) -> None:
        """Called before forked processes write ``paths`` (what they do to this object is
        not seen here)."""

    def finish(self) -> None:
        """Called once everything is in the stage, before it becomes the output."""


class SpareStage(Stage):
    """A stage made from the spare: the output before the last one, kept by the last build
    (``staged_output``). Its files that are still as that build recorded them stay where
    they are; a file the build writes or carries replaces the one there (unlinked first:
    it may be a link to a file of the current output, which is never written into), one
    carried over that is already there (the same file) is left alone, and ``finish``
    removes the files the build did not make. An edit at 1,000 articles so makes a few
    folders and links instead of 1,500 of each, and deletes as few."""

    def __init__(self, path: Path, recorded: Mapping[str, tuple[int, int, int]]):
        super().__init__(path)
        self.present: dict[str, int] = {}  # path → inode: files of the spare not yet used
        self.folders: set[str] = set()  # folders known to exist
        for relative, file in files_under(path):
            st = os.lstat(file)
            if relative != MARKER and recorded.get(relative) == (
                    st.st_ino, st.st_size, st.st_mtime_ns):
                self.present[relative] = st.st_ino
                self.folders.add(os.path.dirname(file))
            else:  # changed since, or not known: not to be trusted
                os.unlink(file)
        self._trash: list[Path] = []

    def _target(self, relative: str) -> Path:
        target = self.path / relative
        if self.present.pop(relative, None) is not None:
            os.unlink(target)
            return target
        if (folder := str(target.parent)) not in self.folders:
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
            except (FileExistsError, NotADirectoryError):  # the spare has a file there
                for parent in reversed(Path(relative).parents):
                    if (self.path / parent).is_file():
                        self.present.pop(parent.as_posix(), None)
                        os.unlink(self.path / parent)
                target.parent.mkdir(parents=True, exist_ok=True)
            self.folders.add(folder)
        if target.is_dir():  # the spare has a folder where this build has a file
            self._discard(relative)
        return target

    def _discard(self, relative: str) -> None:
        """Move the spare's folder at ``relative`` aside, to be deleted in the background."""
        trash = self.path.with_name(f"{self.path.name}-trash{len(self._trash)}")
        os.replace(self.path / relative, trash)
        self._trash.append(trash)
        _remove_later(trash)
        self.present = {r: i for r, i in self.present.items() if not r.startswith(relative + "/")}

    def reserve(self, paths: list[str]) -> None:
        for relative in paths:  # their folders made, the spare's files there removed
            self._target(relative)

    def link_file(self, source: Path, relative: str) -> None:
        inode = self.present.get(relative)
        if inode is not None and inode == os.stat(source).st_ino:
            del self.present[relative]  # the same file is already there
            return
        super().link_file(source, relative)

    def adopt(self, source: Path, relative: str) -> None:
        if (self.path / relative).exists():  # the spare's (the last search bundle but one)
            self._discard(relative)
        super().adopt(source, relative)

    def finish(self) -> None:
        """Remove the spare's files that the build did not make, and folders left empty."""
        emptied = set()
        for relative in self.present:
            os.unlink(self.path / relative)
            emptied.add(os.path.dirname(relative))
        self.present = {}
        _remove_empty_folders(self.path, emptied)


def _remove_empty_folders(root: Path, folders: set[str]) -> None:
    """Remove each of ``folders`` (paths under ``root``) and its parents below ``root``
    while they are empty."""
    for folder in sorted(folders, key=len, reverse=True):
        while folder:
            try:
                os.rmdir(root / folder)
            except OSError:  # not empty (or already gone)
                break
            folder = os.path.dirname(folder)


class PatchStage(Stage):
    """A stage for an output folder that no one else reads while it changes (the preview's
    own): the files that change are written into the staging folder, those carried over
    stay where they are (``link_file`` of a file onto itself notes it), and
    ``patched_output`` moves the new ones in."""

    def __init__(self, path: Path, out_dir: Path):
        super().__init__(path)
        self.out_dir = out_dir
        self.kept: set[str] = set()

    def link_file(self, source: Path, relative: str) -> None:
        if Path(source) == self.out_dir / relative:
            self.kept.add(relative)
        else:
            super().link_file(source, relative)


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
def staged_output(out_dir: Path, spare: Path | None = None,
                  recorded: Mapping[str, tuple[int, int, int]] | None = None,
                  keep: bool = True) -> Iterator[Stage]:
    """Yield a Stage; on success swap it in for ``out_dir``, on any error discard it.

    The staging folder is locked (``flock``) while this process (or a worker it forked)
    lives, so a later build knows the folders a killed one left behind and removes them
    (``clear_debris``) first.

    ``spare``: where the output replaced by a build is kept for the next one, instead of
    being deleted; ``recorded``: the spare's files as the build that wrote them noted them
    (path → inode, size, modification time). The stage is then the spare itself, moved
    into place (``SpareStage``), and ``stage.spared`` says afterwards whether the output
    that was replaced is the new spare; ``keep``: whether it is worth keeping (False when
    no record of it says what its files are: it is deleted)."""
    out_dir = out_dir.resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    clear_debris(out_dir)
    staging = _staging(out_dir)
    claimed = False
    if spare is not None and spare.is_dir():
        if staging.exists():
            shutil.rmtree(staging)
        try:
            if recorded:
                os.replace(spare, staging)
                claimed = True
        except OSError:  # e.g. on another file system than the output
            pass
        if not claimed:  # of no use: deleted while this build runs
            _remove_later(spare)
            spare = None
    with _locked_folder(staging, made=claimed) as staging:
        stage = SpareStage(staging, recorded or {}) if claimed else Stage(staging)
        yield stage
        stage.finish()
        (staging / MARKER).unlink(missing_ok=True)
        (staging / MARKER).write_text("cio-forum-site の出力フォルダです。\n", "utf-8")
        stage.spared = _swap(staging, out_dir, spare if keep else None)


def _staging(out_dir: Path, name: str = "") -> Path:
    """This process's staging folder beside ``out_dir`` (``name``: another of its own)."""
    return out_dir.with_name(f"{STAGING_PREFIX.format(out_dir.name)}{os.getpid()}{name}")


@contextmanager
def _locked_folder(folder: Path, made: bool = False) -> Iterator[Path]:
    """``folder``, made anew (unless ``made``: it is already there, ours) and locked
    (``flock``) while the block runs, then removed (if it is still there)."""
    if not made:
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir()
    lock = _lock(folder)
    try:
        yield folder
    finally:
        if lock is not None:
            os.close(lock)
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def side_stage(out_dir: Path, name: str) -> Iterator[Path]:
    """A folder beside ``out_dir`` for part of the output made in another process (a fork
    of this one, started inside the block: it holds the lock too), moved into the stage
    with ``Stage.adopt``; locked as a staging folder is (``clear_debris`` removes it after
    a kill), and removed on leaving the block."""
    out_dir = out_dir.resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    with _locked_folder(_staging(out_dir, f"-{name}")) as folder:
        yield folder


@contextmanager
def patched_output(out_dir: Path) -> Iterator[Stage]:
    """Like ``staged_output``, for an output folder that only this process uses (the
    preview's): on success only the files that changed are moved in, one by one, and those
    the build no longer makes are removed; the folders of the pages that did not change are
    neither made again nor deleted (at 1,000 articles, 1,500 of them). A failed build
    leaves the folder as it was. Without an output folder yet, ``staged_output``."""
    given, out_dir = out_dir, out_dir.resolve()
    if not (out_dir / MARKER).is_file():
        with staged_output(out_dir) as stage:
            yield stage
        return
    clear_debris(out_dir)
    with _locked_folder(_staging(out_dir)) as staging:
        stage = PatchStage(staging, given)  # carried files are named under ``given``
        yield stage
        made = set()
        for relative, path in files_under(staging):
            (out_dir / relative).parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, out_dir / relative)
            made.add(relative)
        emptied = set()
        for relative, path in files_under(out_dir):
            if relative not in made and relative not in stage.kept and relative != MARKER:
                os.unlink(path)
                emptied.add(os.path.dirname(relative))
        _remove_empty_folders(out_dir, emptied)


STAGING_PREFIX = ".{}.staging-"  # + the pid of the build that writes it
OLD_PREFIX = ".{}.old-"  # the previous output, during a swap without RENAME_EXCHANGE


def _lock(folder: Path) -> int | None:
    """An open descriptor holding an exclusive lock on ``folder`` (None if it cannot be
    taken: it is someone else's); the lock lasts until the descriptor is closed or every
    process holding it has died."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


def clear_debris(out_dir: Path) -> None:
    """Remove what killed builds left beside ``out_dir``: staging folders and previous
    outputs that no living build holds. If a kill came between the two renames of a swap
    without RENAME_EXCHANGE (``out_dir`` missing, its previous content at ``.NAME.old-PID``),
    the previous output is put back first."""
    names = (STAGING_PREFIX.format(out_dir.name), OLD_PREFIX.format(out_dir.name))
    try:
        found = sorted(p for p in out_dir.parent.iterdir() if p.name.startswith(names))
    except OSError:
        return
    for path in found:
        if path.is_symlink() or not path.is_dir():
            continue
        lock = _lock(path)
        if lock is None:  # a build that is running now
            continue
        try:
            if path.name.startswith(names[1]) and not out_dir.exists():
                os.replace(path, out_dir)
            else:
                shutil.rmtree(path, ignore_errors=True)
        finally:
            os.close(lock)


def _swap(staging: Path, out_dir: Path, spare: Path | None = None) -> bool:
    """Put ``staging`` at ``out_dir``. With an existing output, both are exchanged in one
    step (Linux ``renameat2(RENAME_EXCHANGE)``), so there is no moment at which neither is
    there; the old output, now at the staging path, is then kept at ``spare`` (True) or
    removed (False). Elsewhere, two renames (see ``clear_debris`` for a kill between
    them)."""
    old = out_dir.with_name(f"{OLD_PREFIX.format(out_dir.name)}{os.getpid()}")
    if out_dir.exists() and _exchange(staging, out_dir):
        # the old output, now here, is deleted while the build notes what it wrote
        # (``finish_removals``); after a kill, the next build removes it (``clear_debris``)
        if _keep(staging, spare):
            return True
        if _keep(staging, old):
            _remove_later(old)
        return False
    if out_dir.exists():
        os.replace(out_dir, old)
    try:
        os.replace(staging, out_dir)
    except OSError:
        if old.exists():
            os.replace(old, out_dir)
        raise
    if old.exists():
        if _keep(old, spare):
            return True
        shutil.rmtree(old, ignore_errors=True)
    return False


def _keep(folder: Path, at: Path | None) -> bool:
    """Move ``folder`` to ``at`` (which must not exist); False when it could not be."""
    if at is None:
        return False
    try:
        at.parent.mkdir(parents=True, exist_ok=True)
        os.replace(folder, at)
    except OSError:
        return False
    return True


def _remove_later(folder: Path) -> None:
    """Delete ``folder`` in a thread (joined by ``finish_removals``)."""
    removal = threading.Thread(target=shutil.rmtree, args=(folder,),
                               kwargs={"ignore_errors": True}, name="remove-old-output")
    removal.start()
    _removals.append(removal)


_removals: list[threading.Thread] = []  # old outputs being deleted


def finish_removals() -> None:
    """Wait until the old outputs replaced by this process are deleted."""
    while _removals:
        _removals.pop().join()


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Exchange two paths atomically; False where the system cannot (then nothing moved)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    done = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return done == 0
