"""What MeCab made of each article, kept from one build to the next (解析結果のキャッシュ).

Cutting the articles with MeCab is most of the search stage (about 5 s of CPU at 1,000
articles), and a push usually adds or changes one article. Each article's keys are kept
under the key of its search document (``site/reuse.document_keys`` in a build: its fields
and its file's bytes, with the version of the code; else ``document_key``), so that a
build finds them without making the text MeCab would be given. The whole cache is for one
version of everything that decides what comes out (fugashi, unidic-lite, the rules in
``indexer.py`` and ``text.py``, the packing here), so an entry is only ever used for the
same input under the same rules.

The cache is one file, ``<folder>/search-keys.bin``, replaced as a whole after a build
(write beside, then ``os.replace``) with the entries that build used, so it never grows
beyond the archive. A missing, unreadable or outdated cache is simply empty: it can make a
build faster, never make one fail.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import pickle
import sys
import zlib
from dataclasses import fields
from importlib import metadata
from pathlib import Path

FILE_NAME = "search-keys.bin"
READINGS_FILE = "search-readings.bin"  # word → its reading (readings.py)
# The modules whose rules decide the keys, and this one (it packs them).
_RULES = ("indexer.py", "text.py", "readings.py", "cache.py", "../mecab.py")

# (the article's index keys, its words, each space-separated and packed; the key of the
# text MeCab cut)
Entry = tuple[bytes, bytes, str]


def pack(text: str) -> bytes:
    """``text`` as an entry holds it: UTF-8, compressed (a third of its size as a Python
    string: at 10,000 articles the keys a build keeps take 70 MB, not 200)."""
    return zlib.compress(text.encode("utf-8"), 1)


def unpack(data: bytes) -> str:
    return zlib.decompress(data).decode("utf-8")


def text_key(text: str) -> str:
    """The key of the text MeCab is given (it names the article's Pagefind page)."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def document_key(document) -> str:
    """A key of a search document made from its value (its fields, the article pickled):
    for callers that have no better key."""
    values = tuple(getattr(document, f.name) for f in fields(document))
    return hashlib.blake2b(pickle.dumps(values, protocol=5), digest_size=16).hexdigest()


def version() -> str:
    """Everything that decides the entries, as one string: a different one empties the cache."""
    here = Path(__file__).parent
    rules = hashlib.sha256(b"".join((here / name).read_bytes() for name in _RULES)).hexdigest()
    packages = [f"{name}={_installed(name)}" for name in ("fugashi", "unidic-lite")]
    return " ".join([*packages, f"rules={rules[:16]}", f"python={sys.version_info[:2]}"])


def _installed(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "?"


def load(folder: Path | None, name: str = FILE_NAME) -> dict:
    """The cached entries (none when there is no cache, or it is of another version);
    ``name`` READINGS_FILE for the words' readings."""
    if folder is None:
        return {}
    try:
        stored_version, entries = marshal.loads((folder / name).read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    return entries if stored_version == version() and isinstance(entries, dict) else {}


def save(folder: Path | None, entries: dict, name: str = FILE_NAME) -> None:
    """Replace the cache with ``entries``. A cache that cannot be written is skipped."""
    if folder is None:
        return
    target = folder / name
    partial = folder / f".{name}.{os.getpid()}.partial"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        partial.write_bytes(marshal.dumps((version(), entries)))
        os.replace(partial, target)
    except OSError:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
