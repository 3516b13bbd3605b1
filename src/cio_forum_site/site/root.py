"""The site's folder: where ``site.toml`` is, as Hugo and Zola find it.

``find_site_root(start)`` walks up from ``start`` (the current folder) to the nearest folder
holding ``site.toml``; ``content/``, ``templates/``, ``build/`` and ``.cache/`` are resolved
against it, so every command works from any folder inside the site. ``--root DIR`` names the
folder instead. A folder tree with no ``site.toml`` at all is taken as it is: its root is the
current folder (``found`` is then False, for messages).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

CONFIG_NAME = "site.toml"


@dataclass(frozen=True)
class SiteRoot:
    folder: Path  # absolute
    found: bool  # a site.toml was found there (or the folder was named with --root)

    @property
    def config(self) -> Path:
        return self.folder / CONFIG_NAME

    @property
    def content(self) -> Path:
        return self.folder / "content"

    @property
    def templates(self) -> Path:
        return self.folder / "templates"

    @property
    def build(self) -> Path:
        return self.folder / "build"

    @property
    def cache(self) -> Path:
        return self.folder / ".cache"

    def how_found(self) -> str:
        """How this folder was chosen, for messages that name a folder inside it."""
        if self.found:
            return f"サイトのフォルダ: {self.folder}"
        return (f"{CONFIG_NAME} が見つからないため、今のフォルダ {self.folder} をサイトのフォルダとしました。"
                f"サイトのフォルダ（{CONFIG_NAME} のあるフォルダ）の中で実行するか、--root で指定してください")


def find_site_root(start: Path, explicit: Path | None = None) -> SiteRoot:
    """The folder named with --root, else the nearest folder at or above ``start`` holding
    site.toml, else ``start`` itself."""
    if explicit is not None:
        return SiteRoot(explicit.resolve(), True)
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / CONFIG_NAME).is_file():
            return SiteRoot(folder, True)
    return SiteRoot(start, False)
