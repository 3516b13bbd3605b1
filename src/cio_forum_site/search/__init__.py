"""Stage 4 — search: tokenize every article with MeCab and index the tokens with Pagefind.

The entry point is ``build_search(site_dir, documents)``; ``documents(archive)`` makes the
documents from the archive. How the pieces fit (see also ``indexer.py`` and
``theme/static/search-core.js``):

- Build time: each article's searchable text (title, participants, topics, municipalities,
  body) is normalized (``text.normalize``) and cut into tokens by MeCab (fugashi +
  unidic-lite). Pagefind indexes, per article, the set of its tokens and of their proper
  suffixes, so that the browser can ask for "a token that is / starts with / ends with /
  contains this string". The build also writes a lexicon of the tokens (for the browser's
  segmenter) and each article's text (for exact matching and excerpts). The work per
  article runs on every core in lean worker processes (``indexer.py``); the build writes
  the Pagefind index itself as the keys arrive (``pagefind_format.py``; of the Pagefind
  binary only the browser client is taken, ``pagefind.py``); what MeCab made of each text
  is kept for the next build, keyed by the article's content (``cache.py``).
  Every word of the lexicon also gets its reading (``readings.py``: unidic-lite's kana, or
  a participant's ``kana:`` for their name), written as buckets by reading.
- Query time (in a Web Worker): the query is normalized the same way and split into parts;
  each part is segmented over the lexicon, Pagefind finds the articles that have the
  tokens of some segmentation, and each candidate's text is checked for the exact string.
  A part in kana also stands for the written forms that read so (whole words). The
  candidates are ranked by where the words are (title, participants, topics,
  municipalities; words said often; newer first, from the ``HEAD`` and ``OFTEN`` keys),
  counted (exactly when the index decides it), and read in that order a page at a time; an
  excerpt names its speaker; a query that finds nothing is put right when one character
  away from words of the archive.
"""

from __future__ import annotations

from cio_forum_site.search.documents import SearchDocument, documents
from cio_forum_site.search.indexer import SearchBuildError, SearchReport, build_search

__all__ = ["SearchBuildError", "SearchDocument", "SearchReport", "build_search", "documents"]
