"""Photos for the web (写真の書き出し): every image an article shows, resized at build time.

Editors put camera files (3–8 MB JPEGs) and screenshots (PNG) beside the articles. Each
image an article uses is published as a few renditions instead of the original:

- widths ``WIDTHS`` (never wider than the original), each as WebP and as a JPEG — a PNG for a
  PNG original or one with transparency — for browsers without WebP;
- for a header image (``image:``), also a ``SHARE_WIDTH`` px JPEG for ``og:image``;
- turned upright by the EXIF orientation; no metadata (EXIF, GPS, camera serial, XMP,
  comments) is kept, only the colour profile;
- named by content: ``images/x-960w.1a2b3c4d.webp``.

Bad files (not an image, truncated, an unsupported format, more than ``MAX_PIXELS`` pixels)
are problems at the article's ``path:line``, never a crash.

Renditions are kept between builds in ``<cache>/images/`` (beside the search cache), one
file per source, keyed by the source's bytes, the settings, this module and the Pillow /
codec versions: a warm build encodes nothing and writes the same bytes as a clean one.

``process_images(uses, content_dir, cache_dir)`` is the entry point; with ``encode=False``
it only checks that every image can be read (``cio-forum-site check``).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import marshal
import os
import posixpath
import struct
import warnings
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError, features

from cio_forum_site.content.files import content_file, content_key
from cio_forum_site.errors import ContentError

WIDTHS = (480, 960, 1600)  # px; the original's width instead of any wider one
SHARE_WIDTH = 1200  # og:image
MAX_PIXELS = 70_000_000  # a 61-megapixel camera fits; a decompression bomb does not
# What may be used (Pillow's name → the editors'); MPO is a camera JPEG with a second picture.
FORMATS = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "WEBP": "WebP"}
USABLE = "・".join(dict.fromkeys(FORMATS.values()))  # JPEG・PNG・WebP
WEBP = {"quality": 80, "method": 4}
JPEG = {"quality": 82, "optimize": True, "progressive": True}
PNG = {"optimize": True}
CACHE_FOLDER = "images"
MAX_WORKERS = 4  # photos decoded at once: each may take MAX_PIXELS × 4 bytes of memory


@dataclass(frozen=True)
class ImageUse:
    """One place an article shows an image: a body image or its header image."""

    article: str  # the article's path, for messages: content/0005-kiyose.md
    line: int
    target: str  # as written: images/kiyose.jpg
    alt: str = ""
    title: str = ""
    col: int = 0
    header: bool = False  # the ``image:`` field: also gets the og:image rendition


@dataclass(frozen=True)
class Rendition:
    url: str  # site-absolute: /images/kiyose-960w.1a2b3c4d.webp
    width: int
    height: int
    mime: str
    data: bytes = field(repr=False)

    @property
    def output_path(self) -> str:
        return self.url.lstrip("/")


@dataclass(frozen=True)
class Picture:
    """One source image as published: its renditions, smallest first."""

    source: str  # its path under content/
    webp: tuple[Rendition, ...]
    fallback: tuple[Rendition, ...]  # JPEG or PNG, the same widths
    share: Rendition | None  # the og:image JPEG, for header images

    @property
    def width(self) -> int:
        return self.fallback[-1].width

    @property
    def height(self) -> int:
        return self.fallback[-1].height

    @property
    def renditions(self) -> tuple[Rendition, ...]:
        return (*self.webp, *self.fallback, *((self.share,) if self.share else ()))


@dataclass
class ImageResult:
    pictures: dict[str, Picture]  # path under content/ → Picture
    errors: list[ContentError]
    encoded: int = 0  # sources encoded by this run (not from the cache)


def process_images(uses: Iterable[ImageUse], content_dir: Path, cache_dir: Path | None = None,
                   *, encode: bool = True) -> ImageResult:
    """Every used image as renditions, or the problems with it at each place it is used."""
    by_key: dict[str, list[ImageUse]] = {}
    errors: list[ContentError] = []
    files: dict[str, Path] = {}
    for use in uses:
        # A missing body image is only check's warning (the page shows it as written).
        file = content_file(content_dir, use.target, missing_ok=not use.header)
        if file is None:
            continue
        if isinstance(file, str):
            errors.append(ContentError(use.article, use.line, file, col=use.col))
            continue
        key = content_key(use.target)
        files[key] = file
        by_key.setdefault(key, []).append(use)
    cache = _Cache(cache_dir / CACHE_FOLDER if cache_dir and encode else None)
    jobs = sorted(by_key)

    def work(key: str) -> tuple[Picture | None, str | None, bool]:
        share = any(u.header for u in by_key[key])
        return _process(key, files[key], share, cache, encode)

    workers = max(1, min(len(jobs), os.cpu_count() or 1, MAX_WORKERS))
    with ThreadPoolExecutor(max_workers=workers) as pool:  # Pillow lets go of the GIL
        results = list(pool.map(work, jobs))
    result = ImageResult({}, errors)
    for key, (picture, problem, encoded) in zip(jobs, results, strict=True):
        result.encoded += encoded
        if problem:
            errors += [ContentError(u.article, u.line, problem, col=u.col) for u in by_key[key]]
        elif picture:
            result.pictures[key] = picture
    cache.keep_only_used()
    return result


def _process(key: str, file: Path, share: bool, cache: _Cache,
             encode: bool) -> tuple[Picture | None, str | None, bool]:
    try:
        data = file.read_bytes()
    except OSError as exc:
        return None, f"画像「{key}」を読めません: {exc.strerror or exc}", False
    entry_key = _entry_key(data, share)
    if encode and (entry := cache.get(entry_key)) is not None:
        return _picture(key, entry), None, False
    image = _decode(key, data, need=max(WIDTHS) if encode else 1)  # 1: check reads it small
    if isinstance(image, str):
        return None, image, False
    if not encode:
        return None, None, False
    entry = _encode(image, share)
    cache.put(entry_key, entry)
    return _picture(key, entry), None, True


# ---- reading: one function that refuses everything we cannot publish -------------------------


def _decode(key: str, data: bytes, need: int) -> Image.Image | str:
    """The image, decoded and upright (RGB or RGBA, no metadata), or the problem in Japanese."""
    name = posixpath.basename(key)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in FORMATS:
                return (f"画像「{name}」は {image.format} 形式で、使えません: "
                        f"{USABLE} のどれかで保存し直してください")
            if image.width * image.height > MAX_PIXELS:
                return _too_large(name, image.width, image.height)
            fmt = FORMATS[image.format]
            if need and fmt == "JPEG":  # let libjpeg decode at 1/2, 1/4 … of a large photo
                turned = image.getexif().get(0x0112, 1) in (5, 6, 7, 8)
                w, h = image.size
                image.draft(None, (need * w // h + 1, need) if turned else (need, need * h // w + 1))
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return _too_large(name, 0, 0)
    except UnidentifiedImageError:
        return (f"「{name}」は画像として読めません（画像でないファイルか、壊れています）: "
                f"{USABLE} の画像を置いてください")
    except (OSError, SyntaxError, ValueError, EOFError, struct.error):
        return f"画像「{name}」が壊れているか途中で切れています: 元のファイルを置き直してください"
    with contextlib.suppress(Exception):  # a broken orientation tag only leaves it as stored
        image = ImageOps.exif_transpose(image)
    alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    image = image.convert("RGBA" if alpha else "RGB")
    profile = image.info.get("icc_profile")
    image.info = {"icc_profile": profile} if profile else {}
    image.format = fmt
    return image


def _too_large(name: str, width: int, height: int) -> str:
    size = f"{width:,} × {height:,} px、" if width else ""
    return (f"画像「{name}」は大きすぎます（{size}上限は {MAX_PIXELS // 1_000_000:,} メガピクセル）: "
            "縮小してから置いてください")


# ---- writing --------------------------------------------------------------------------------

Entry = tuple[int, list[tuple[str, int, int, str, bytes]]]  # (version, [(kind, w, h, ext, data)])
MIME = {"webp": "image/webp", "jpg": "image/jpeg", "png": "image/png"}


def _widths(width: int) -> list[int]:
    return sorted({min(w, width) for w in WIDTHS})


def _encode(image: Image.Image, share: bool) -> list[tuple[str, int, int, str, bytes]]:
    """(kind, width, height, extension, bytes) for every rendition."""
    icc = {"icc_profile": image.info["icc_profile"]} if "icc_profile" in image.info else {}
    fallback_png = image.mode == "RGBA" or image.format == "PNG"
    out = []
    for width in _widths(image.width):
        resized = _resize(image, width)
        out.append(("webp", *resized.size, "webp", _save(resized, "WEBP", **WEBP, **icc)))
        if fallback_png:
            out.append(("fallback", *resized.size, "png", _save(resized, "PNG", **PNG, **icc)))
        else:
            out.append(("fallback", *resized.size, "jpg", _save(resized, "JPEG", **JPEG, **icc)))
    if share:
        flat = _resize(image, min(SHARE_WIDTH, image.width))
        if flat.mode == "RGBA":
            background = Image.new("RGB", flat.size, "white")
            background.paste(flat, mask=flat.getchannel("A"))
            flat = background
        out.append(("share", *flat.size, "jpg", _save(flat, "JPEG", **JPEG, **icc)))
    return out


def _resize(image: Image.Image, width: int) -> Image.Image:
    if width >= image.width:
        return image
    height = max(1, round(image.height * width / image.width))
    return image.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)


def _save(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def _picture(key: str, entry: list[tuple[str, int, int, str, bytes]]) -> Picture:
    folder, base = posixpath.split(key)
    stem = base.rsplit(".", 1)[0]
    found: dict[str, list[Rendition]] = {"webp": [], "fallback": [], "share": []}
    for kind, width, height, ext, data in entry:
        digest = hashlib.sha256(data).hexdigest()[:8]
        url = "/" + posixpath.join(folder, f"{stem}-{width}w.{digest}.{ext}")
        found[kind].append(Rendition(url, width, height, MIME[ext], data))
    share = found["share"][0] if found["share"] else None
    return Picture(key, tuple(found["webp"]), tuple(found["fallback"]), share)


# ---- the cache --------------------------------------------------------------------------------


@functools.cache
def version() -> str:
    """Everything besides the source that decides the renditions' bytes."""
    code = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]
    codecs = [f"{name}={features.version(name)}" for name in ("webp", "jpg", "zlib")]
    return " ".join([f"Pillow={Image.__version__}", *codecs, f"code={code}"])


def _entry_key(data: bytes, share: bool) -> str:
    digest = hashlib.blake2b(data, digest_size=20)
    digest.update(f"\0{version()}\0share={share}".encode())
    return digest.hexdigest()


class _Cache:
    """Renditions by entry key, one file each under ``folder``; after a build only the
    entries it used are kept. A missing or broken entry is simply encoded again."""

    def __init__(self, folder: Path | None):
        self.folder = folder
        self.used: set[str] = set()

    def get(self, key: str) -> list | None:
        if self.folder is None:
            return None
        self.used.add(key)
        try:
            stored_version, entry = marshal.loads((self.folder / f"{key}.bin").read_bytes())
        except (OSError, EOFError, ValueError, TypeError):
            return None
        return entry if stored_version == version() and isinstance(entry, list) else None

    def put(self, key: str, entry: list) -> None:
        if self.folder is None:
            return
        self.used.add(key)
        partial = self.folder / f".{key}.{os.getpid()}.partial"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            partial.write_bytes(marshal.dumps((version(), entry)))
            os.replace(partial, self.folder / f"{key}.bin")
        except OSError:
            with contextlib.suppress(OSError):
                partial.unlink(missing_ok=True)

    def keep_only_used(self) -> None:
        if self.folder is None or not self.folder.is_dir():
            return
        for file in self.folder.glob("*.bin"):
            if file.stem not in self.used:
                with contextlib.suppress(OSError):
                    file.unlink()
