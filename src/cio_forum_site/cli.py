"""Command line: parses arguments, runs a command, maps errors to exit codes.

Exit codes: 0 success, 1 problems in the content (all printed), 2 usage or refused.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cio_forum_site import __version__
from cio_forum_site.errors import BuildFailed, ContentError
from cio_forum_site.output import OutputRefused

EXAMPLES = {
    "build": "例: cio-forum-site build --content content --out build",
}


def print_errors(errors: list[ContentError]) -> None:
    for error in errors:
        print(error, file=sys.stderr)
    print(f"{len(errors)}件の問題があります。直してからもう一度実行してください。", file=sys.stderr)


def cmd_build(args: argparse.Namespace) -> int:
    from cio_forum_site.build import build

    report = build(
        Path(args.content), Path(args.templates), Path(args.out),
        base_url=args.base_url, search=not args.no_search,
    )
    if not args.quiet:
        seconds = sum(report.timings.values())
        print(f"{report.articles}本の記事から{report.pages}ページを {args.out} に書き出しました"
              f"（{seconds:.1f}秒）")
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="cio-forum-site",
        description="東京都・区市町村CIOフォーラムマガジンのアーカイブサイトを作ります。",
    )
    top.add_argument("--version", action="version", version=__version__)
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--quiet", "-q", action="store_true", help="結果の要約を表示しない")
        p.add_argument("--verbose", "-v", action="store_true", help="詳しく表示する")

    b = commands.add_parser(
        "build", help="サイトを作る",
        description="content/ の記事から build/ にサイトを作ります。問題があれば全て表示し、"
                    "build/ はそのまま残します。",
        epilog=EXAMPLES["build"], formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    b.add_argument("--content", default="content", help="記事のフォルダ（既定: content）")
    b.add_argument("--templates", default="templates", help="テンプレートのフォルダ（既定: templates）")
    b.add_argument("--out", default="build", help="出力先のフォルダ（既定: build）")
    b.add_argument("--base-url", default=None, help="公開するURL（例: https://example.org/cio/）")
    b.add_argument("--no-search", action="store_true", help="検索インデックスを作らない（速い）")
    common(b)
    b.set_defaults(run=cmd_build)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except BuildFailed as failed:
        print_errors(failed.errors)
        return 1
    except OutputRefused as refused:
        print(f"エラー: {refused}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
