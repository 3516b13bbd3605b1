"""Screenshots for docs/screenshots/: a 60-article synthetic archive (fictional people) built
with the real build, served on 127.0.0.1 and photographed in Debian's Chromium at 360 px and
1280 px; an article printed to PDF, its first page turned into a PNG with pdftoppm.

    .venv/bin/python tests/tools/screenshots.py [OUT]     # OUT defaults to docs/screenshots
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE.parent / "fixtures" / "search"))

from harness import CHROMIUM, CHROMIUM_ARGS, serve, wait_for_results  # noqa: E402

from cio_forum_site.commands.build import build  # noqa: E402
from cio_forum_site.synthetic import write  # noqa: E402

WIDTHS = {"360": 740, "1280": 900}  # width → viewport height
ARTICLE = "articles/0019-setagaya-shibuya-hinohara/"


def pages(base: str) -> dict[str, str]:
    return {
        "home": base,
        "article": base + ARTICLE,
        "municipalities": base + "municipalities/",
        "search": base + "search/?q=" + quote("セキュリティ"),
    }


def main(out: Path) -> None:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        content, site = Path(tmp) / "content", Path(tmp) / "site"
        write(60, content)
        build(content, ROOT / "src" / "cio_forum_site" / "theme", site)
        with serve(site, "/") as (base, _), sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for width, height in WIDTHS.items():
                page = browser.new_page(viewport={"width": int(width), "height": height})
                for name, url in pages(base).items():
                    page.goto(url)
                    if name == "search":
                        wait_for_results(page, "セキュリティ")
                    full = name != "article"
                    page.screenshot(path=str(out / f"{name}-{width}.png"), full_page=full)
                    if name == "article":  # and the dialogue itself, from its first 議題
                        page.evaluate("window.scrollTo(0, document.querySelector('.article-body h2')"
                                      ".getBoundingClientRect().top + scrollY - 16)")
                        page.screenshot(path=str(out / f"dialogue-{width}.png"))
                page.close()
            page = browser.new_page()
            page.goto(base + ARTICLE)
            pdf = Path(tmp) / "article.pdf"
            page.pdf(path=str(pdf), format="A4", print_background=True)
            browser.close()
        subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile",
                        str(pdf), str(out / "article-print")], check=True)
    print(f"screenshots in {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots")
