"""What one build keeps for the next, beside the search cache (``search/cache.py``).

Each cache is one file in the cache folder (``.cache/`` beside ``content/`` unless
``--cache`` says otherwise), a pickle of ``(version, value)``. The version names everything
that decides the value: this package's source code, the libraries that shape the output,
the Python version, and whatever the caller adds (the output folder, the working
directory …). A file of another version, a broken or unreadable one is simply no cache:
it can make a build slower, never different, and never make one fail. A cache is
replaced as a whole (written beside, then ``os.replace``).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import sys
from functools import cache
from importlib import metadata
from pathlib import Path

PACKAGE = Path(__file__).parent
LIBRARIES = ("jinja2", "markupsafe", "markdown-it-py", "mdurl", "pyyaml", "fugashi",
             "unidic-lite", "pagefind-bin")


@cache
def code_version() -> str:
    """This package's source, templates and data, the libraries' versions and Python's."""
    digest = hashlib.blake2b(digest_size=16)
    for path in sorted(PACKAGE.rglob("*")):
        if path.is_file() and path.suffix not in (".pyc",) and "__pycache__" not in path.parts:
            digest.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    for name in LIBRARIES:
        digest.update(f"{name}={_installed(name)}\0".encode())
    digest.update(f"python={sys.version_info[:3]}".encode())
    return digest.hexdigest()


def _installed(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "?"


def load(folder: Path | None, name: str, version: str):
    """The value kept under ``name``, or None (no cache, another version, unreadable)."""
    if folder is None:
        return None
    try:
        stored_version, value = pickle.loads((folder / name).read_bytes())
    except Exception:  # a broken cache of any kind is no cache
        return None
    return value if stored_version == version else None


def save(folder: Path | None, name: str, version: str, value) -> None:
    """Replace the cache ``name`` with ``value``. A cache that cannot be written is skipped."""
    if folder is None:
        return
    target = folder / name
    partial = folder / f".{name}.{os.getpid()}.partial"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        partial.write_bytes(pickle.dumps((version, value), protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(partial, target)
    except (OSError, pickle.PicklingError):
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)


class KeptDict:
    """A dict kept as a whole (``name``) and, beside it, what changed since (``name`` +
    ``CHANGES``): a build that changes a few entries of thousands writes those entries,
    not the whole again; once the changes are many, the whole is written again."""

    CHANGES = ".changes"

    def __init__(self, folder: Path | None, name: str, version: str):
        self.folder, self.name, self.version = folder, name, version
        self._whole: dict = {}
        self._token = ""  # names the whole the changes were made against

    def load(self) -> dict:
        """The dict as the last ``save`` left it ({} when there is none)."""
        kept = load(self.folder, self.name, self.version)
        if not (isinstance(kept, tuple) and len(kept) == 2 and isinstance(kept[1], dict)):
            return {}
        self._token, self._whole = kept
        value = dict(self._whole)
        changes = load(self.folder, self.name + self.CHANGES, f"{self.version} {self._token}")
        if isinstance(changes, dict):
            for key, entry in changes.items():
                if entry is None:
                    value.pop(key, None)
                else:
                    value[key] = entry
        return value

    def save(self, value: dict, same=lambda a, b: a is b) -> None:
        """Keep ``value``: as the changes since the whole (``same(old, new)``: whether an
        entry is unchanged) when they are few, else as a new whole."""
        changes = {k: v for k, v in value.items()
                   if k not in self._whole or not same(self._whole[k], v)}
        changes.update((k, None) for k in self._whole.keys() - value.keys())
        if self._token and len(changes) <= max(16, len(self._whole) // 20):
            save(self.folder, self.name + self.CHANGES, f"{self.version} {self._token}",
                 changes)
            return
        self._token, self._whole = os.urandom(8).hex(), dict(value)
        save(self.folder, self.name, self.version, (self._token, self._whole))
        with contextlib.suppress(OSError, TypeError):
            (self.folder / (self.name + self.CHANGES)).unlink(missing_ok=True)
