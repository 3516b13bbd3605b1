"""cio-forum-site: 東京都・区市町村CIOフォーラムマガジンのアーカイブを作る静的サイトジェネレーター.

The pipeline, one module per stage:

    content  (load + validate files into frozen dataclasses)
    archive  (the archive as a whole: indexes by municipality, 年度, series, tag; pure)
    render   (a list of routes: url, output path, template, context)
    search   (tokenize with MeCab, index with Pagefind)
    output   (the one place that writes files, atomically)

``build.build()`` runs them in order; ``cli`` only parses arguments.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("cio-forum-site")  # one source: pyproject.toml, as installed
except PackageNotFoundError:  # run from a source tree that was never installed
    __version__ = "0+unknown"
