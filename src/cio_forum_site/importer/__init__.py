"""Blog text → content file: the pure parser behind the ``import`` command.

Entry points: ``parse_blog_text(text)`` → ``ImportResult``; ``to_content_file(result)`` → text.
"""

from cio_forum_site.importer.parse import ImportResult, parse_blog_text, to_content_file

__all__ = ["ImportResult", "parse_blog_text", "to_content_file"]
