"""Pagefind's file format: gzip of ``pagefind_dcd`` followed by CBOR (definite lengths,
shortest integers, as minicbor writes it). ``pagefind_format.py`` writes the index with
``encode``; ``parse`` reads a file back (the tests compare the index with the binary's).
"""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

SIGNATURE = b"pagefind_dcd"


class UnexpectedBundle(Exception):
    """The bundle is not laid out as this module knows Pagefind 1.x to lay it out."""


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
