"""Stage 1 — content: article files read and validated into frozen ``Article`` values.

Entry point: ``load_archive(content_dir)`` → (articles, every problem in every file).
"""

from cio_forum_site.content.files import load_archive

__all__ = ["load_archive"]
