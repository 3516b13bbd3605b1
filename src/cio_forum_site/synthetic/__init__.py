"""A deterministic synthetic archive for tests and benchmarks (a development tool).

Entry points: ``generate(n)`` → {file name: text}; ``write(n, out)``;
``python -m cio_forum_site.synthetic N OUT``.
"""

from cio_forum_site.synthetic.files import generate, main, write

__all__ = ["generate", "main", "write"]
