"""Site settings from ``site.toml`` at the repository root (all optional)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

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

    def with_base_url(self, base_url: str | None) -> Site:
        if base_url is None:
            return self
        return replace(self, base_url=base_url.rstrip("/") + "/" if base_url else "")


def load_site(path: Path) -> tuple[Site, list[ContentError]]:
    """Read site.toml; a missing file means the defaults."""
    if not path.is_file():
        return Site(), []
    shown = display_path(path)
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        return Site(), [ContentError(shown, 0, f"site.toml を読めません: {exc}")]
    known = Site.__dataclass_fields__
    errors = [ContentError(shown, 0, f"知らない設定 `{k}` です") for k in data if k not in known]
    values = {}
    for key, value in data.items():
        if key not in known:
            continue
        expected = type(getattr(Site(), key))
        if not isinstance(value, expected) or isinstance(value, bool):
            errors.append(ContentError(shown, 0, f"`{key}` の値の型が違います"))
            continue
        values[key] = value
    site = Site(**{k: v for k, v in values.items() if k != "base_url"})
    return site.with_base_url(values.get("base_url")), errors
