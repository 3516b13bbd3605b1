"""cio-forum-site: 東京都・区市町村CIOフォーラムマガジンのアーカイブを作る静的サイトジェネレーター.

The pipeline, one module per stage:

    content  (load + validate files into frozen dataclasses)
    archive  (the archive as a whole: indexes by municipality, 年度, series, tag; pure)
    render   (a list of routes: url, output path, template, context)
    search   (tokenize with MeCab, index with Pagefind)
    output   (the one place that writes files, atomically)

``build.build()`` runs them in order; ``cli`` only parses arguments.
"""

__version__ = "0.1.0"
