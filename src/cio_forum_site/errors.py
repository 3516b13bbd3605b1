"""Problems found in content, reported as values (all of them at once)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

SEVERITY_WORDS = {"error": "エラー", "warning": "警告"}


@dataclass(frozen=True, order=True)
class ContentError:
    """One problem at ``path:line``; ``line`` and ``col`` are 1-based, 0 when unknown."""

    path: str
    line: int
    message: str
    col: int = 0
    severity: str = "error"  # "error" or "warning"

    def __str__(self) -> str:
        """The one form ``build`` and ``check`` print: ``path:line:col: エラー: message``."""
        return f"{self.path}:{self.line}:{self.col}: {SEVERITY_WORDS[self.severity]}: {self.message}"


class BuildFailed(Exception):
    """Raised by a stage when content has errors; carries every one of them."""

    def __init__(self, errors: list[ContentError]):
        super().__init__(f"{len(errors)} error(s)")
        self.errors = errors


def display_path(path: Path, base: Path | None = None) -> str:
    """A path as the editor knows it: relative to ``base`` (or the cwd) when possible."""
    for root in (base, Path.cwd()):
        if root is None:
            continue
        try:
            return path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            continue
    return path.as_posix()
