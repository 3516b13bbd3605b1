"""Read the parts of Pagefind's output that the browser side needs to know about.

Pagefind's ``pagefind.<lang>_<hash>.pf_meta`` is gzip-compressed CBOR behind a 12-byte
signature. It lists the index chunks with the range of keys each holds. A Pagefind prefix
search loads only the chunk whose range contains the search string, so a prefix whose
extensions run on into the next chunk would miss them; the worker preloads every chunk a
prefix can reach, from these ranges.
"""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

SIGNATURE = b"pagefind_dcd"


class _Reader:
    """A minimal CBOR decoder: what minicbor writes for Pagefind's metadata."""

    def __init__(self, data: bytes):
        self.data = data
        self.at = 0

    def _take(self, n: int) -> bytes:
        piece = self.data[self.at : self.at + n]
        if len(piece) != n:
            raise ValueError("truncated CBOR")
        self.at += n
        return piece

    def _length(self, info: int) -> int | None:
        if info < 24:
            return info
        if info == 31:
            return None  # indefinite length
        size = {24: 1, 25: 2, 26: 4, 27: 8}.get(info)
        if size is None:
            raise ValueError(f"bad CBOR length {info}")
        return int.from_bytes(self._take(size), "big")

    def value(self):
        initial = self._take(1)[0]
        major, info = initial >> 5, initial & 31
        if major == 7:
            if info == 20:
                return False
            if info == 21:
                return True
            if info in (22, 23):
                return None
            if info == 25:
                return _half(self._take(2))
            if info == 26:
                return struct.unpack(">f", self._take(4))[0]
            if info == 27:
                return struct.unpack(">d", self._take(8))[0]
            raise ValueError(f"unsupported CBOR simple value {info}")
        length = self._length(info)
        if major == 0:
            return length
        if major == 1:
            return -1 - length
        if major in (2, 3):
            raw = self._take(length) if length is not None else b"".join(self._chunks())
            return raw if major == 2 else raw.decode("utf-8")
        if major == 4:
            if length is None:
                return list(self._until_break())
            return [self.value() for _ in range(length)]
        if major == 5:
            if length is None:
                items = list(self._until_break())
                return dict(zip(items[::2], items[1::2], strict=True))
            return {self.value(): self.value() for _ in range(length)}
        if major == 6:
            return self.value()  # a tag: keep the tagged value
        raise ValueError(f"unsupported CBOR major type {major}")

    def _until_break(self):
        while self.data[self.at] != 0xFF:
            yield self.value()
        self.at += 1

    def _chunks(self):
        while self.data[self.at] != 0xFF:
            yield self._take(self._length(self._take(1)[0] & 31))
        self.at += 1


def _half(raw: bytes) -> float:
    bits = int.from_bytes(raw, "big")
    exp, frac = (bits >> 10) & 0x1F, bits & 0x3FF
    value = frac * 2.0**-24 if exp == 0 else (frac + 1024) * 2.0 ** (exp - 25)
    return -value if bits & 0x8000 else value


def read_cbor(data: bytes):
    return _Reader(data).value()


def index_chunks(bundle: Path) -> list[list[str]]:
    """[from, to] of every index chunk, in key order, from the bundle's metadata file."""
    metas = sorted(bundle.glob("pagefind.*.pf_meta"))
    if len(metas) != 1:
        raise ValueError(f"expected one Pagefind metadata file in {bundle}, found {len(metas)}")
    data = gzip.decompress(metas[0].read_bytes())
    if not data.startswith(SIGNATURE):
        raise ValueError(f"{metas[0].name} is not Pagefind metadata")
    meta = read_cbor(data[len(SIGNATURE) :])
    return [[chunk[0], chunk[1]] for chunk in meta[2]]
