"""Article photos as a magazine needs them (site/images.py, site/body.py).

The photos are drawn here with Pillow (shapes and gradients, no people): camera-like JPEGs
with EXIF (orientation, GPS, a camera serial), a PNG screenshot with transparency, and
small and broken files. Each test builds a tiny archive, parses the pages with lxml and
opens the published renditions with Pillow.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import lxml.html
import pytest
from conftest import TEMPLATES, page
from PIL import Image, ImageDraw

from cio_forum_site.commands.build import build
from cio_forum_site.commands.check import run_check
from cio_forum_site.errors import BuildFailed
from cio_forum_site.site.body import markdown
from cio_forum_site.site.images import Picture, Rendition

ARTICLE = """\
---
title: 清瀬市CIO×都CIO座談会
session: 7
date: 2023-02-14
municipalities: [清瀬市]
participants:
  - name: 山田 太郎
    organization: 清瀬市
    role: CIO
{header}---

## 庁舎での座談会

{body}
"""

GPS = 0x8825
SERIAL = 0xA431  # BodySerialNumber (Exif IFD)


def draw_photo(path: Path, size=(2400, 1600), orientation: int | None = None, fmt="JPEG") -> None:
    """A camera-like picture: a gradient sky, a table and screens; EXIF with GPS and a serial."""
    w, h = size
    image = Image.linear_gradient("L").resize(size).convert("RGB")
    draw = ImageDraw.Draw(image)
    draw.rectangle((w // 8, h * 2 // 3, w * 7 // 8, h * 5 // 6), fill=(140, 100, 60))  # a table
    for i in range(3):
        x = w // 6 + i * w // 4
        draw.rectangle((x, h // 6, x + w // 6, h // 2), fill=(30, 60 + 40 * i, 120))  # screens
    exif = Image.Exif()
    exif[0x010F] = "架空カメラ"  # Make
    if orientation:
        exif[0x0112] = orientation
    exif.get_ifd(0x8769)[SERIAL] = "SN-0001234"
    exif.get_ifd(GPS).update({1: "N", 2: (35.0, 46.0, 30.0), 3: "E", 4: (139.0, 31.0, 10.0)})
    image.save(path, fmt, exif=exif.tobytes(), quality=92)


def draw_screenshot(path: Path, size=(1280, 800)) -> None:
    image = Image.new("RGBA", size, (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 40, size[0] - 40, size[1] - 40), fill=(240, 244, 250, 255), outline="black")
    draw.rectangle((80, 100, size[0] // 2, 140), fill=(0, 90, 160, 255))
    image.save(path, "PNG")


def write_article(content: Path, body: str, header: str = "", slug: str = "0007-kiyose") -> Path:
    content.mkdir(parents=True, exist_ok=True)
    file = content / f"{slug}.md"
    file.write_text(ARTICLE.format(header=header, body=body), "utf-8")
    return file


def renditions(out: Path, page_url: str, srcset: str) -> list[tuple[Path, int]]:
    """(file, width descriptor) for every candidate of a srcset."""
    found = []
    for candidate in srcset.split(","):
        url, descriptor = candidate.split()
        found.append(((out / page_url.lstrip("/") / url).resolve(), int(descriptor.rstrip("w"))))
    return found


@pytest.fixture(scope="module")
def photo_site(tmp_path_factory) -> tuple[Path, Path]:
    """A photo article: header photo, a captioned photo, a turned photo, a screenshot and a
    small picture; built with a base URL (for og:image). Built once; tests only read it."""
    tmp_path = tmp_path_factory.mktemp("photos")
    content = tmp_path / "content"
    (content / "images").mkdir(parents=True)
    draw_photo(content / "images" / "header.jpg")
    draw_photo(content / "images" / "table.jpg", size=(3000, 2000))
    draw_photo(content / "images" / "turned.jpg", size=(1600, 1200), orientation=6)
    draw_screenshot(content / "images" / "screen.png")
    draw_photo(content / "images" / "small.jpg", size=(300, 200))
    body = ("山田：庁舎の会議室で話しました。\n\n"
            '![清瀬市役所での座談会の様子](images/table.jpg "会議室での座談会（架空の写真）")\n\n'
            "![縦に撮った写真](images/turned.jpg)\n\n"
            "画面はこうです ![申請画面の例](images/screen.png) 。\n\n"
            "![小さな図](images/small.jpg)\n")
    header = "image: images/header.jpg\nimage_alt: 座談会の会場となった庁舎\n"
    write_article(content, body, header)
    out = tmp_path / "out"
    build(content, TEMPLATES, out, base_url="https://example.org/cio/", search=False)
    return content, out


def test_body_photos_are_pictures_with_srcset_real_dimensions_alt_and_lazy_loading(photo_site):
    _, out = photo_site
    doc = page(out, "/articles/0007-kiyose/")
    body = doc.find_class("article-body")[0]
    images = body.findall(".//picture/img")
    assert [img.get("alt") for img in images] == [
        "清瀬市役所での座談会の様子", "縦に撮った写真", "申請画面の例", "小さな図"]
    for img in images:
        assert img.get("loading") == "lazy" and img.get("decoding") == "async"
        picture = img.getparent()
        webp = picture.find("source")
        assert webp.get("type") == "image/webp" and webp.get("sizes") == img.get("sizes")
        largest = None
        for srcset, formats in ((webp.get("srcset"), {"WEBP"}), (img.get("srcset"), {"JPEG", "PNG"})):
            for file, width in renditions(out, "/articles/0007-kiyose/", srcset):
                with Image.open(file) as opened:
                    assert opened.format in formats and opened.width == width
                    largest = opened.size
        assert (int(img.get("width")), int(img.get("height"))) == largest  # the real pixels
        assert (out / "articles/0007-kiyose" / img.get("src")).resolve().is_file()


def test_widths_are_480_960_1600_and_never_upscaled(photo_site):
    _, out = photo_site
    img = {i.get("alt"): i for i in page(out, "/articles/0007-kiyose/").iter("img")}

    def widths(alt: str) -> list[int]:
        return [w for _, w in renditions(out, "/articles/0007-kiyose/", img[alt].get("srcset"))]

    assert widths("清瀬市役所での座談会の様子") == [480, 960, 1600]
    assert widths("申請画面の例") == [480, 960, 1280]
    assert widths("小さな図") == [300]


def test_exif_orientation_is_applied_and_metadata_stripped(photo_site):
    _, out = photo_site
    img = next(i for i in page(out, "/articles/0007-kiyose/").iter("img") if i.get("alt") == "縦に撮った写真")
    assert (img.get("width"), img.get("height")) == ("1200", "1600")  # stored 1600×1200, turned
    for file in sorted((out / "images").iterdir()):
        with Image.open(file) as opened:
            assert dict(opened.getexif()) == {}, file.name
            assert "exif" not in opened.info and "xmp" not in opened.info and "comment" not in opened.info
        data = file.read_bytes()
        assert b"SN-0001234" not in data and "架空カメラ".encode() not in data


def test_jpeg_photos_fall_back_to_jpeg_and_screenshots_to_png_keeping_transparency(photo_site):
    _, out = photo_site
    img = {i.get("alt"): i for i in page(out, "/articles/0007-kiyose/").iter("img")}
    assert img["清瀬市役所での座談会の様子"].get("src").endswith(".jpg")
    screen = out / "articles/0007-kiyose" / img["申請画面の例"].get("src")
    with Image.open(screen) as opened:
        assert opened.format == "PNG" and opened.mode == "RGBA"


def test_a_caption_makes_a_figure_and_an_inline_image_stays_in_its_paragraph(photo_site):
    _, out = photo_site
    body = page(out, "/articles/0007-kiyose/").find_class("article-body")[0]
    figures = body.findall(".//figure")
    assert [f.findtext("figcaption") for f in figures] == ["会議室での座談会（架空の写真）", None, None]
    inline = next(i for i in body.iter("img") if i.get("alt") == "申請画面の例")
    assert inline.getparent().getparent().tag == "p"
    assert body.xpath(".//p//figure") == []


def test_the_header_photo_is_eager_and_shared_as_a_1200_px_og_image(photo_site):
    _, out = photo_site
    doc = page(out, "/articles/0007-kiyose/")
    header = doc.find_class("hero-image")[0].find("img")
    assert header.get("alt") == "座談会の会場となった庁舎"
    assert header.get("loading") == "eager" and header.get("fetchpriority") == "high"
    meta = {m.get("property"): m.get("content") for m in doc.iter("meta") if m.get("property")}
    assert meta["og:image"].startswith("https://example.org/cio/images/header-1200w.")
    file = out / meta["og:image"].removeprefix("https://example.org/cio/")
    with Image.open(file) as opened:
        assert opened.format == "JPEG" and opened.size == (1200, 800)
    assert (meta["og:image:width"], meta["og:image:height"]) == ("1200", "800")


def test_cards_with_room_show_the_header_photo(photo_site):
    _, out = photo_site
    card = page(out, "/").find_class("card")[0]
    img = card.find(".//picture/img")
    assert img.get("alt") == "" and img.get("loading") == "lazy" and img.get("width") == "1600"


def test_originals_are_published_only_when_linked_directly(photo_site, tmp_path: Path):
    content, out = photo_site
    assert sorted(p.name for p in (out / "images").iterdir() if "-" not in p.name) == []
    content = Path(shutil.copytree(content, tmp_path / "content"))
    file = content / "0007-kiyose.md"
    file.write_text(file.read_text("utf-8") + "\n[原寸の写真](images/table.jpg)\n", "utf-8")
    build(content, TEMPLATES, tmp_path / "out2", search=False)
    assert (tmp_path / "out2/images/table.jpg").read_bytes() == (content / "images/table.jpg").read_bytes()
    assert not (tmp_path / "out2/images/header.jpg").exists()


def test_a_warm_build_encodes_nothing_and_is_byte_identical_to_a_clean_one(tmp_path: Path):
    content = tmp_path / "content"
    (content / "images").mkdir(parents=True)
    draw_photo(content / "images" / "a.jpg", size=(2000, 1500), orientation=3)
    draw_screenshot(content / "images" / "b.png")
    write_article(content, "![会場](images/a.jpg)\n\n![画面](images/b.png \"画面の例\")\n",
                  "image: images/a.jpg\nimage_alt: 会場\n")
    cache = tmp_path / "cache"
    cold = build(content, TEMPLATES, tmp_path / "cold", cache_dir=cache, search=False)
    warm = build(content, TEMPLATES, tmp_path / "warm", cache_dir=cache, search=False)
    clean = build(content, TEMPLATES, tmp_path / "clean", search=False)
    assert (cold.images, cold.images_encoded, warm.images_encoded, clean.images_encoded) == (2, 2, 0, 2)

    def files(root: Path) -> dict[str, bytes]:
        return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}

    assert files(tmp_path / "warm") == files(tmp_path / "clean") == files(tmp_path / "cold")
    # the cache keeps exactly the entries the last build used
    (content / "images" / "b.png").unlink()
    write_article(content, "![会場](images/a.jpg)\n", "image: images/a.jpg\nimage_alt: 会場\n")
    build(content, TEMPLATES, tmp_path / "again", cache_dir=cache, search=False)
    assert len(list((cache / "images").glob("*.bin"))) == 1


# ---- bad images: a path:line error each, nothing crashes, build/ is left as it was ----------


def _truncated(path: Path) -> None:
    draw_photo(path, size=(800, 600))
    path.write_bytes(path.read_bytes()[:3000])


def _not_an_image(path: Path) -> None:
    path.write_text("これは写真ではありません。\n", "utf-8")


def _bomb(path: Path) -> None:
    """A real 20,000 × 20,000 px PNG (1 bit a pixel, all zero): 50 MB of pixels in ~50 kB."""
    w = h = 20_000
    raw = zlib.compressobj(9)
    row = b"\0" * (1 + w // 8)
    data = b"".join(raw.compress(row) for _ in range(h)) + raw.flush()

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", w, h, 1, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b""))


def _unsupported(path: Path) -> None:
    Image.new("RGB", (64, 48), "teal").save(path, "BMP")


BAD = {
    "truncated": ("images/cut.jpg", _truncated, "壊れているか途中で切れています"),
    "not-an-image": ("images/memo.jpg", _not_an_image, "画像として読めません"),
    "decompression-bomb": ("images/bomb.png", _bomb, "大きすぎます"),
    "unsupported-format": ("images/scan.bmp", _unsupported, "BMP 形式で、使えません: JPEG・PNG・WebP"),
    "outside-content": ("../secret.jpg", None, "content/ の外を指しています"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_a_bad_image_is_an_error_at_its_line_and_the_old_build_stays(tmp_path: Path, case: str):
    target, make, message = BAD[case]
    content = tmp_path / "site" / "content"
    (content / "images").mkdir(parents=True)
    draw_photo(content / "images" / "good.jpg", size=(640, 480))
    write_article(content, "![会場](images/good.jpg)\n")
    out = tmp_path / "out"
    build(content, TEMPLATES, out, search=False)
    before = sorted(p.relative_to(out) for p in out.rglob("*"))
    if make:
        make(content / target)
    else:
        draw_photo(tmp_path / "site" / "secret.jpg", size=(64, 48))
    file = write_article(content, f"山田：見てください。\n\n![会場の写真]({target})\n")
    with pytest.raises(BuildFailed) as failed:
        build(content, TEMPLATES, out, search=False)
    [error] = failed.value.errors
    line = file.read_text("utf-8").split("\n").index(f"![会場の写真]({target})") + 1
    col = 10 if case == "outside-content" else 1  # a target out of content/: at the target (targets.py)
    assert (error.path.endswith("content/0007-kiyose.md"), error.line, error.col) == (True, line, col)
    assert message in error.message
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == before
    # check reports it the same way, as an error
    problems = [p for p in run_check(content).problems if p.severity == "error"]
    assert [(p.line, message in p.message) for p in problems] == [(line, True)]


def test_a_bad_header_image_is_an_error_at_the_image_line(tmp_path: Path):
    content = tmp_path / "content"
    (content / "images").mkdir(parents=True)
    _not_an_image(content / "images" / "header.jpg")
    file = write_article(content, "本文です。\n", "image: images/header.jpg\nimage_alt: 会場\n")
    with pytest.raises(BuildFailed) as failed:
        build(content, TEMPLATES, tmp_path / "out", search=False)
    [error] = failed.value.errors
    assert error.line == file.read_text("utf-8").split("\n").index("image: images/header.jpg") + 1


def test_the_command_prints_path_line_and_exits_1_without_a_traceback(tmp_path: Path):
    content = tmp_path / "content"
    (content / "images").mkdir(parents=True)
    _truncated(content / "images" / "cut.jpg")
    write_article(content, "![会場](images/cut.jpg)\n")
    run = subprocess.run([sys.executable, "-m", "cio_forum_site", "build", "--content", str(content),
                          "--out", str(tmp_path / "out"), "--no-search"],
                         capture_output=True, text=True, cwd=tmp_path)
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert "content/0007-kiyose.md:14:" in run.stderr and "途中で切れています" in run.stderr


# ---- alt text: check warns about an empty one unless the image is marked decorative --------


def test_check_warns_about_missing_alt_text_unless_marked_decorative(tmp_path: Path):
    content = tmp_path / "content"
    (content / "images").mkdir(parents=True)
    draw_photo(content / "images" / "a.jpg", size=(640, 480))
    write_article(content, "![](images/a.jpg)\n\n![装飾](images/a.jpg)\n\n![会場](images/a.jpg)\n",
                  "image: images/a.jpg\n")
    problems = run_check(content).problems
    assert [(p.severity, p.line, p.col) for p in problems] == [("warning", 10, 8), ("warning", 15, 1)]
    assert "image_alt:" in problems[0].message and "![装飾](images/a.jpg)" in problems[1].message
    out = tmp_path / "out"
    build(content, TEMPLATES, out, search=False)
    alts = [i.get("alt") for i in page(out, "/articles/0007-kiyose/").find_class("article-body")[0].iter("img")]
    assert alts == ["", "", "会場"]


# ---- the markup itself, on string literals ---------------------------------------------------


def _picture() -> Picture:
    def r(width: int, ext: str) -> Rendition:
        return Rendition(f"/images/x-{width}w.0000.{ext}", width, width * 3 // 4, "", b"")

    return Picture("images/x.jpg", (r(480, "webp"), r(960, "webp")), (r(480, "jpg"), r(960, "jpg")), None)


def test_markup_of_a_captioned_photo():
    html = markdown('![会議の様子](images/x.jpg "第7回の会場")', "/articles/a/",
                    images={"images/x.jpg": _picture()})
    figure = lxml.html.fragment_fromstring(html)
    assert figure.tag == "figure" and figure.findtext("figcaption") == "第7回の会場"
    source, img = figure.find("picture")
    assert source.get("srcset") == "../../images/x-480w.0000.webp 480w, ../../images/x-960w.0000.webp 960w"
    assert img.get("src") == "../../images/x-960w.0000.jpg"
    assert (img.get("width"), img.get("height"), img.get("alt")) == ("960", "720", "会議の様子")
    assert "(min-width: 42rem) 40rem" in img.get("sizes")

