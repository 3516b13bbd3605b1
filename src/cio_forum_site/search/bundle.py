"""Make Pagefind's bundle byte-identical from one build to the next.

Pagefind 1.5 writes its filter indexes from hash maps (upstream issue Pagefind/pagefind#638:
fragments are stable since 1.3, "filter/metadata indexes" are not). The same input gives,
from run to run:

- the values inside each ``filter/<hash>.pf_filter`` in a different order, so the file gets a
  different content hash, hence a different name;
- the lists of filters and of sort orders inside ``pagefind.<hash>.pf_meta`` in a different
  order, so it too gets a different name, which ``pagefind-entry.json`` names.

``stabilize_files(files)`` (a bundle in memory) and ``stabilize(bundle)`` (on disk) put those
lists in order (by name / by value; a sort order's own list of pages is left as it is),
rename the changed files after a hash of their new content, and rewrite the references to
them. The files stay what Pagefind's own JavaScript reads: gzip of
``pagefind_dcd`` followed by CBOR (definite lengths, shortest integers, as minicbor writes).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import struct
from collections.abc import MutableMapping
from pathlib import Path

SIGNATURE = b"pagefind_dcd"


class UnexpectedBundle(Exception):
    """The bundle is not laid out as this module knows Pagefind 1.x to lay it out."""


def stabilize(bundle: Path) -> None:
    """Rewrite the nondeterministic parts of the Pagefind bundle at ``bundle`` in place."""
    before = {p.relative_to(bundle).as_posix(): p.read_bytes() for p in bundle.rglob("*")
              if p.is_file()}
    after = dict(before)
    stabilize_files(after)
    for path in before.keys() - after.keys():
        (bundle / path).unlink()
    for path, data in after.items():
        if before.get(path) != data:
            (bundle / path).write_bytes(data)


def stabilize_files(files: MutableMapping[str, bytes]) -> None:
    """The same, for a bundle as a mapping of paths (``filter/x.pf_filter``) to contents."""
    if "pagefind-entry.json" not in files:
        return
    entry = json.loads(files["pagefind-entry.json"].decode("utf-8"))
    languages = entry.get("languages", {})
    for language in languages.values():
        language["hash"] = _stabilize_language(files, language["hash"])
    entry["languages"] = dict(sorted(languages.items()))
    text = json.dumps(entry, ensure_ascii=False, separators=(",", ":"))  # as serde_json writes it
    if text.encode("utf-8") != files["pagefind-entry.json"]:
        files["pagefind-entry.json"] = text.encode("utf-8")


def _stabilize_language(files: MutableMapping[str, bytes], meta_hash: str) -> str:
    """Order one language's filters and meta index; returns the meta index's (new) hash."""
    meta_path = f"pagefind.{meta_hash}.pf_meta"
    meta = parse(files[meta_path], meta_path)
    if not (isinstance(meta, list) and len(meta) >= 5 and isinstance(meta[3], list)
            and isinstance(meta[4], list)):
        raise UnexpectedBundle(f"{meta_path}: Pagefind の索引の形が想定と違います")
    filters, sorts = meta[3], meta[4]
    for pair in filters:  # [filter name, filter file hash]
        pair[1] = _stabilize_filter(files, pair[1])
    filters.sort(key=lambda pair: pair[0])
    sorts.sort(key=lambda pair: pair[0])  # [sort name, pages in order]: keep the pages' order
    return write_hashed(files, meta_path, meta_hash, meta, "pagefind.{}.pf_meta", 15)


def _stabilize_filter(files: MutableMapping[str, bytes], filter_hash: str) -> str:
    path = f"filter/{filter_hash}.pf_filter"
    index = parse(files[path], path)  # [filter name, [[value, [pages]], …]]
    if not (isinstance(index, list) and len(index) == 2 and isinstance(index[1], list)):
        raise UnexpectedBundle(f"{path}: Pagefind の絞り込みの索引の形が想定と違います")
    index[1].sort(key=lambda value: value[0])
    return write_hashed(files, path, filter_hash, index, "filter/{}.pf_filter", 7)


def write_hashed(files: MutableMapping[str, bytes], old: str, old_hash: str, value,
                 pattern: str, digits: int) -> str:
    """Put ``value`` in place of ``old`` under a name made from its content's hash, with
    Pagefind's ``<language>_`` prefix; returns the new hash."""
    data = encode(value)
    new_hash = f"{old_hash.rpartition('_')[0]}_{hashlib.sha256(data).hexdigest()[:digits]}"
    target = pattern.format(new_hash)
    blob = gzip.compress(SIGNATURE + data, compresslevel=9, mtime=0)
    if target != old or files[old] != blob:
        files[target] = blob
        if target != old:
            del files[old]
    return new_hash


def read(path: Path):
    """The value in a Pagefind file on disk."""
    return parse(path.read_bytes(), path.name)


def parse(blob: bytes, name: str):
    """The value in a Pagefind file: gzip of the signature, then CBOR."""
    data = gzip.decompress(blob)
    if not data.startswith(SIGNATURE):
        raise UnexpectedBundle(f"{name}: Pagefind のファイルではありません")
    value, end = decode(data, len(SIGNATURE))
    if end != len(data):
        raise UnexpectedBundle(f"{name}: 余分なデータがあります")
    return value


# ---- the CBOR that minicbor writes: unsigned and negative integers, byte and text strings,
# ---- arrays and maps, all of definite length -------------------------------------------------


def decode(data: bytes, i: int = 0):
    """(value, index after it) for the CBOR item at ``data[i]``."""
    head = data[i]
    major, info = head >> 5, head & 31
    i += 1
    if info < 24:
        arg = info
    elif info <= 27:
        size = 1 << (info - 24)
        arg = int.from_bytes(data[i : i + size], "big")
        i += size
    else:
        raise UnexpectedBundle(f"CBOR の形（{head:#04x}）を読めません")
    if major == 0:
        return arg, i
    if major == 1:
        return -1 - arg, i
    if major == 2:
        return bytes(data[i : i + arg]), i + arg
    if major == 3:
        return data[i : i + arg].decode("utf-8"), i + arg
    if major == 4:
        items = []
        for _ in range(arg):
            item, i = decode(data, i)
            items.append(item)
        return items, i
    if major == 5:
        pairs = {}
        for _ in range(arg):
            key, i = decode(data, i)
            pairs[key], i = decode(data, i)
        return pairs, i
    raise UnexpectedBundle(f"CBOR の形（{head:#04x}）を読めません")


def _head(major: int, arg: int) -> bytes:
    if arg < 24:
        return bytes([major << 5 | arg])
    for info, fmt in ((24, ">B"), (25, ">H"), (26, ">I"), (27, ">Q")):
        if arg < 1 << (8 * struct.calcsize(fmt)):
            return bytes([major << 5 | info]) + struct.pack(fmt, arg)
    raise ValueError(arg)


def encode(value) -> bytes:
    if isinstance(value, bool) or value is None:
        raise ValueError(f"unexpected CBOR value {value!r}")
    if isinstance(value, int):
        return _head(0, value) if value >= 0 else _head(1, -1 - value)
    if isinstance(value, bytes):
        return _head(2, len(value)) + value
    if isinstance(value, str):
        data = value.encode("utf-8")
        return _head(3, len(data)) + data
    if isinstance(value, list):
        return _head(4, len(value)) + b"".join(encode(v) for v in value)
    if isinstance(value, dict):
        return _head(5, len(value)) + b"".join(encode(k) + encode(v) for k, v in value.items())
    raise ValueError(f"unexpected CBOR value {value!r}")
