"""Photos: what a phone downloads for a photo-heavy article, and what 200 photos cost a build.

    .venv/bin/python benchmarks/bench_photos.py [--before ec0c596] [--photos 200] [--runs 3]

1. **Bytes a 360 px phone downloads.** A fixture article with a header photo, 12 camera
   photos (4000 × 3000 JPEG, 3–6 MB each, drawn here: gradients, shapes and sensor-like noise)
   and 2 PNG screenshots is built twice: by this code, and by the code of ``--before`` (a commit
   before photo processing, taken with ``git archive``; it publishes the originals byte for
   byte). Each site is served over http and opened in Chromium (Debian's, the tests' flags) at
   360 × 780 CSS px with device pixel ratio 2 and 3; the page is scrolled to the end, as a
   reader would, and the bytes of every response are added up (images and all), with the
   bytes before any scrolling (the first screen) beside them.
2. **Warm-build cost of N photos.** A synthetic archive of 50 articles gets N camera photos
   (2400 × 1600 JPEG) spread over its bodies. Timed in-process (``build(search=False)``,
   median of ``--runs``): the archive without the photos, the first build with an empty
   rendition cache (cold), and builds with the cache filled (warm). The cost of the photos
   is warm − without.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from PIL import Image, ImageDraw

from cio_forum_site import synthetic
from cio_forum_site.commands.build import build

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "src" / "cio_forum_site" / "theme"
sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_build import machine_speed  # noqa: E402

sys.path.insert(0, str(ROOT / "tests" / "fixtures" / "search"))
from harness import CHROMIUM, CHROMIUM_ARGS  # noqa: E402 (the browser as the tests drive it)

BEFORE = "ec0c596"  # main before photo processing: originals published as they are

ARTICLE = """\
---
title: 清瀬市CIO×都CIO座談会（写真で振り返る）
session: 7
date: 2023-02-14
municipalities: [清瀬市]
participants:
  - name: 山田 太郎
    organization: 清瀬市
    role: CIO
image: images/header.jpg
image_alt: 座談会の会場となった会議室
---

## 会場の様子

{body}
"""


@functools.cache
def _scene(size: tuple[int, int]) -> Image.Image:
    """Gradients with texture at several scales and sensor-like noise (os.urandom: fast),
    so that the renditions too compress like photos; drawn once a size."""
    gradients = [Image.linear_gradient("L"), Image.radial_gradient("L"),
                 Image.linear_gradient("L").transpose(Image.Transpose.ROTATE_90)]
    scene = Image.merge("RGB", [g.resize(size) for g in gradients])
    for scale, weight in ((32, 0.35), (8, 0.2), (1, 0.1)):  # texture at every scale, as in a photo
        small = (max(1, size[0] // scale), max(1, size[1] // scale))
        noise = Image.frombytes("RGB", small, os.urandom(small[0] * small[1] * 3))
        scene = Image.blend(scene, noise.resize(size, Image.Resampling.BICUBIC), weight)
    return scene


def draw_camera_photo(path: Path, size: tuple[int, int], seed: int) -> None:
    """A camera-sized JPEG that compresses like a photo (3–6 MB at 4000 × 3000); each seed
    draws different shapes on the scene, so every file has its own bytes."""
    w, h = size
    image = _scene(size).copy()
    draw = ImageDraw.Draw(image)
    for i in range(8):
        x, y = (seed * 811 + i * 997) % w, (seed * 613 + i * 389) % h
        draw.ellipse((x, y, x + w // 6, y + h // 5), fill=((i * 53) % 255, (seed * 29) % 255, 140))
    image.save(path, "JPEG", quality=92)


def draw_screenshot(path: Path, size=(2560, 1600)) -> None:
    image = Image.new("RGB", size, (246, 248, 252))
    draw = ImageDraw.Draw(image)
    for row in range(0, size[1], 48):
        draw.rectangle((120, row + 10, size[0] - 120 - (row * 7) % 600, row + 34), fill=(60, 70, 90))
    image.save(path, "PNG")


def photo_article(content: Path, photos: int = 12) -> None:
    (content / "images").mkdir(parents=True, exist_ok=True)
    draw_camera_photo(content / "images" / "header.jpg", (4000, 3000), 0)
    lines = []
    for i in range(1, photos + 1):
        draw_camera_photo(content / "images" / f"photo-{i}.jpg", (4000, 3000), i)
        lines += [f"山田：{i}枚目の写真について話しました。" * 3, "",
                  f'![会場の様子 {i}](images/photo-{i}.jpg "写真{i}（架空の会場）")', ""]
    for i in (1, 2):
        draw_screenshot(content / "images" / f"screen-{i}.png")
        lines += [f"![申請画面の例 {i}](images/screen-{i}.png)", ""]
    (content / "0007-kiyose.md").write_text(ARTICLE.format(body="\n".join(lines)), "utf-8")


def old_build(rev: str, content: Path, out: Path, work: Path) -> None:
    """Build with the code of ``rev`` (git archive), as that code would publish the site."""
    code = work / f"code-{rev}"
    if not code.exists():
        code.mkdir()
        tar = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "src"], check=True,
                             capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(code)], input=tar, check=True)
    old_content = work / "before-content"  # without image_alt:, a field that code did not know
    shutil.copytree(content, old_content)
    for file in old_content.glob("*.md"):
        text = file.read_text("utf-8")
        file.write_text("".join(x for x in text.splitlines(True) if not x.startswith("image_alt:")), "utf-8")
    subprocess.run([sys.executable, "-c",
                    "import sys; from pathlib import Path; "
                    "from cio_forum_site.commands.build import build; "
                    "build(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), search=False)",
                    str(old_content), str(code / "src/cio_forum_site/theme"), str(out)],
                   check=True, env={"PYTHONPATH": str(code / "src"), "PATH": "/usr/bin:/bin"})


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def phone_bytes(site: Path, dpr: int) -> dict:
    """Bytes downloaded by a 360 px phone for the article: first screen, then scrolled through."""
    from playwright.sync_api import sync_playwright

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    got: list[tuple[str, int]] = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": 360, "height": 780},
                                          device_scale_factor=dpr, is_mobile=True)
            page = context.new_page()
            page.on("response", lambda r: got.append(
                (r.request.resource_type, int(r.headers.get("content-length", "0")))))
            page.goto(f"http://127.0.0.1:{server.server_port}/articles/0007-kiyose/")
            page.wait_for_load_state("networkidle")
            first = sum(n for _, n in got)
            height = page.evaluate("document.documentElement.scrollHeight")
            for y in range(0, height + 780, 390):
                page.evaluate(f"window.scrollTo(0, {y})")
                page.wait_for_timeout(150)
            page.wait_for_load_state("networkidle")
            page.wait_for_timeout(1000)
            browser.close()
    finally:
        server.shutdown()
    return {"first_screen": first, "total": sum(n for _, n in got),
            "images": sum(n for kind, n in got if kind == "image"),
            "image_requests": sum(1 for kind, _ in got if kind == "image")}


def photo_archive(content: Path, photos: int) -> dict[Path, str]:
    """A 50-article synthetic archive; returns the body lines to add for ``photos`` photos."""
    synthetic.write(50, content)
    (content / "images").mkdir(exist_ok=True)
    files = sorted(content.glob("*.md"))
    additions: dict[Path, str] = {}
    for i in range(photos):
        draw_camera_photo(content / "images" / f"p{i:03}.jpg", (2400, 1600), i)
        file = files[i % len(files)]
        additions[file] = additions.get(file, "") + f"\n![会場の写真 {i}](images/p{i:03}.jpg)\n"
    return additions


def timed_build(content: Path, out: Path, cache: Path | None) -> tuple[float, int]:
    started = time.perf_counter()
    report = build(content, TEMPLATES, out, search=False, cache_dir=cache)
    return time.perf_counter() - started, report.images_encoded


def warm_cost(work: Path, photos: int, runs: int) -> dict:
    content = work / "archive" / "content"
    additions = photo_archive(content, photos)
    without = [timed_build(content, work / f"without-{r}", None)[0] for r in range(runs)]
    originals = {file: file.read_text("utf-8") for file in additions}
    for file, extra in additions.items():
        file.write_text(originals[file] + extra, "utf-8")
    cache = work / "cache"
    cold, encoded_cold = timed_build(content, work / "cold", cache)
    warm = [timed_build(content, work / f"warm-{r}", cache) for r in range(runs)]
    assert all(encoded == 0 for _, encoded in warm), "a warm build encoded photos"
    return {"without": statistics.median(without), "cold": cold, "encoded_cold": encoded_cold,
            "warm": statistics.median(w for w, _ in warm), "photos": photos,
            "source_mb": sum(p.stat().st_size for p in (content / "images").iterdir()) / 1e6}


def report_phone(work: Path, before: str) -> None:
    content = work / "article" / "content"
    photo_article(content)
    sources = sum(p.stat().st_size for p in (content / "images").iterdir())
    print(f"fixture article: 15 photos, {sources / 1e6:.1f} MB of originals")
    old_build(before, content, work / "before", work)
    build(content, TEMPLATES, work / "after", search=False)
    print("360 px phone   |  first screen |  scrolled to the end (images, requests)")
    for dpr in (2, 3):
        for label in ("before", "after"):
            r = phone_bytes(work / label, dpr)
            print(f"DPR {dpr} {label:6} | {r['first_screen'] / 1e3:10,.0f} kB | "
                  f"{r['total'] / 1e3:10,.0f} kB ({r['images'] / 1e3:,.0f} kB, {r['image_requests']})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--before", default=BEFORE, help="the commit to compare with")
    parser.add_argument("--photos", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-yardstick", action="store_true", help="skip the machine-speed yardstick")
    parser.add_argument("--no-phone", action="store_true", help="only the warm-build cost")
    args = parser.parse_args()
    if not args.no_yardstick:
        print(f"machine speed yardstick: {machine_speed():.2f} s")
    with tempfile.TemporaryDirectory(prefix="bench-photos-") as tmp:
        work = Path(tmp)
        if not args.no_phone:
            report_phone(work, args.before)
        c = warm_cost(work, args.photos, args.runs)
        print(f"{c['photos']} photos ({c['source_mb']:.0f} MB of 2400 × 1600 JPEG) in 50 articles:")
        print(f"  build without photos {c['without']:.2f} s | cold (empty cache, {c['encoded_cold']} encoded) "
              f"{c['cold']:.2f} s | warm {c['warm']:.2f} s → warm cost {c['warm'] - c['without']:.2f} s "
              f"({(c['warm'] - c['without']) / c['photos'] * 1000:.1f} ms a photo)")


if __name__ == "__main__":
    main()
