"""``cio-forum-site init DIR``: a new site that builds at once.

The files come from the package's ``skeleton/`` folder (named without leading dots there, so
that packaging keeps them): site.toml, one example article in content/, a templates/ folder
that explains overrides, a .gitignore, requirements.txt naming this version, and a GitHub
Actions workflow that checks, builds and publishes to GitHub Pages. Nothing is ever
replaced: a folder that holds anything is refused.
"""

from __future__ import annotations

from pathlib import Path

from cio_forum_site import __version__
from cio_forum_site.commands.common import Refused

SKELETON = Path(__file__).resolve().parent.parent / "skeleton"
# in the package → in the new site
FILES = {
    "site.toml": "site.toml",
    "content/0001-kiyose.md": "content/0001-kiyose.md",
    "templates/README.md": "templates/README.md",
    "gitignore": ".gitignore",
    "requirements.txt": "requirements.txt",
    "github/workflows/site.yml": ".github/workflows/site.yml",
}


def init_site(folder: Path) -> list[Path]:
    """Write a new site into ``folder`` (absent or empty); the files written, in order."""
    if folder.exists() and not folder.is_dir():
        raise Refused(f"{folder} はフォルダではありません: 新しいフォルダの名前を指定してください")
    if folder.is_dir() and any(folder.iterdir()):
        raise Refused(f"{folder} は空ではないため、何も書きませんでした: 新しいフォルダか空のフォルダを指定してください")
    written = []
    for source, target in FILES.items():
        text = (SKELETON / source).read_text("utf-8")
        if source == "requirements.txt":
            text = text.replace("{version}", __version__)
        path = folder / target
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8", newline="\n") as file:
            file.write(text)
        written.append(path)
    return written
