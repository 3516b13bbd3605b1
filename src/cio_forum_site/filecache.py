"""A build's cache between builds: one file of marshalled entries for one version of
everything that decides them. A missing, unreadable or outdated file is an empty cache, and
one that cannot be written is skipped: a cache makes a build faster, never different, and
never makes one fail. The file is replaced as a whole (written beside, then renamed) with
exactly the entries the build used, so it never grows beyond the archive."""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import sys
from importlib import metadata
from pathlib import Path


def text_key(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def version(packages: tuple[str, ...], rules: tuple[Path, ...]) -> str:
    """The installed ``packages``, the contents of the ``rules`` files and Python, as one string."""
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in rules)).hexdigest()[:16]
    return " ".join([*(f"{name}={_installed(name)}" for name in packages),
                     f"rules={digest}", f"python={sys.version_info[:2]}"])


def _installed(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "?"


def load(path: Path | None, expected_version: str) -> dict:
    if path is None:
        return {}
    try:
        stored_version, entries = marshal.loads(path.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    return entries if stored_version == expected_version and isinstance(entries, dict) else {}


def save(path: Path | None, current_version: str, entries: dict) -> None:
    if path is None:
        return
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial.write_bytes(marshal.dumps((current_version, entries)))
        os.replace(partial, path)
    except OSError:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
