"""Site settings from ``site.toml`` at the repository root (all optional)."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

from cio_forum_site.errors import ContentError, display_path


@dataclass(frozen=True)
class Site:
    title: str = "東京都・区市町村CIOフォーラムマガジン アーカイブ"
    short_title: str = "CIOフォーラムマガジン"
    description: str = (
        "東京都CIOと区市町村のCIOが、行政のデジタル化・標準化・セキュリティ・人材について"
        "語り合う座談会のアーカイブです。"
    )
    base_url: str = ""  # e.g. https://example.org/cio/ ; "" for a site that works anywhere
    language: str = "ja"
    per_page: int = 20
    # the footer: who publishes the site, where to ask, the copyright line
    publisher: str = "東京都・区市町村CIOフォーラム"  # 発行
    contact_url: str = ""  # e.g. the magazine's page or a contact form (http(s):// or mailto:)
    contact_text: str = "お問い合わせ"
    copyright: str = ""  # "" → © and the publisher

    @property
    def copyright_line(self) -> str:
        return self.copyright or f"© {self.publisher}"

    def with_base_url(self, base_url: str | None) -> Site:
        if base_url is None:
            return self
        return replace(self, base_url=base_url.rstrip("/") + "/" if base_url else "")

    @property
    def locale(self) -> str:
        """The language as Open Graph writes it: ja → ja_JP."""
        return {"ja": "ja_JP", "en": "en_US"}.get(self.language, self.language.replace("-", "_"))

    @property
    def base_path(self) -> str:
        """The path the site is served under: /cio/ for https://example.org/cio/ ("" if unknown)."""
        return (urlsplit(self.base_url).path or "/") if self.base_url else ""


def base_url_problem(value: str) -> str | None:
    """Why ``value`` cannot be a base URL, or None ("" is fine: a site that works anywhere)."""
    if value == "":
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return f"公開URLは https://example.org/cio/ のように http(s):// から書いてください（{value!r}）"
    if parts.query or parts.fragment or re.search(r"\s", value):
        return f"公開URLに ? や # や空白は使えません（{value!r}）"
    return None


def contact_url_problem(value: str) -> str | None:
    """Why ``value`` cannot be the footer's contact link, or None."""
    parts = urlsplit(value)
    if value == "" or (parts.scheme in ("http", "https") and parts.netloc) or (parts.scheme == "mailto" and parts.path):
        return None
    return f"連絡先は https://… か mailto:… で書いてください（{value!r}）"


def load_site(path: Path) -> tuple[Site, list[ContentError]]:
    """Read site.toml; a missing file means the defaults."""
    if not path.is_file():
        return Site(), []
    shown = display_path(path)
    try:
        text = path.read_text("utf-8")
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        at = re.search(r"at line (\d+)", str(exc))
        return Site(), [ContentError(shown, int(at[1]) if at else 0, f"site.toml を読めません: {exc}")]

    def line_of(key: str) -> int:
        match = re.search(rf"^[ \t]*{re.escape(key)}[ \t]*=", text, re.MULTILINE)
        return text.count("\n", 0, match.start()) + 1 if match else 0

    known = Site.__dataclass_fields__
    errors = [ContentError(shown, line_of(k), f"知らない設定 `{k}` です") for k in data if k not in known]
    values = {}
    for key, value in data.items():
        if key not in known:
            continue
        expected = type(getattr(Site(), key))
        if not isinstance(value, expected) or isinstance(value, bool):
            errors.append(ContentError(shown, line_of(key), f"`{key}` の値の型が違います"))
            continue
        problem = (base_url_problem(value) if key == "base_url"
                   else contact_url_problem(value) if key == "contact_url"
                   else "1以上の数にしてください" if key == "per_page" and value < 1 else None)
        if problem:
            errors.append(ContentError(shown, line_of(key), f"`{key}`: {problem}"))
            continue
        values[key] = value
    site = Site(**{k: v for k, v in values.items() if k != "base_url"})
    return site.with_base_url(values.get("base_url")), errors
