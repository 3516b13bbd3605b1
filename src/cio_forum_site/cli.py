"""Command line: parses arguments, runs a command, maps errors to exit codes.

Exit codes (the table is in README.md): 0 success; 1 problems in the content (all
printed); 2 a usage error (argparse), a refused run, a tool that failed, or an internal
error (a bug: one line of apology and where to report it; ``--verbose`` adds the
traceback); 130 interrupted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import traceback
from pathlib import Path

from cio_forum_site import __version__
from cio_forum_site.commands.common import Refused
from cio_forum_site.errors import BuildFailed, ContentError, display_path
from cio_forum_site.output import OutputRefused
from cio_forum_site.search.indexer import SearchBuildError
from cio_forum_site.site.root import SiteRoot, find_site_root

EXAMPLES = {
    "build": "例: cio-forum-site build\n例: cio-forum-site build --drafts --out /tmp/drafts-site",
    "new": "例: cio-forum-site new --municipality 清瀬市 --date 2024-05-20\n"
           "例: cio-forum-site new --municipality 武蔵野市 --municipality 立川市 --title \"題名\"",
    "check": "例: cio-forum-site check\n例: cio-forum-site check --format json > problems.json",
    "serve": "例: cio-forum-site serve\n例: cio-forum-site serve --port 8001",
    "import": "例: cio-forum-site import 清瀬市の座談会.txt\n例: cio-forum-site import blog/*.txt --content content",
    "init": "例: cio-forum-site init cio-archive",
}
WORKFLOW = """ふだんの使い方:
  cio-forum-site init cio-archive            新しいサイトのフォルダを作る（最初に一度だけ）
  cio-forum-site new --municipality 清瀬市   新しい記事のファイルを作る
  cio-forum-site serve                       書きながらブラウザで確かめる
  cio-forum-site check                       記事に問題がないか確かめる
  cio-forum-site import ブログの記事.txt     ブログの記事を読み込む
  cio-forum-site build                       サイトを作る
サイトのフォルダ（site.toml のあるフォルダ）とその中のどのフォルダからでも使えます。
それぞれの説明は cio-forum-site new --help のように表示できます。"""


CONTENT_HELP = "記事のフォルダ（既定: サイトのフォルダの content）"


def print_errors(errors: list[ContentError]) -> None:
    for error in errors:
        print(error, file=sys.stderr)
    print(f"{len(errors)}件の問題があります。直してからもう一度実行してください。", file=sys.stderr)


def site_root(args: argparse.Namespace) -> SiteRoot:
    """The site's folder: --root, or the nearest folder up from here holding site.toml."""
    if args.root is not None and not Path(args.root).is_dir():
        raise Refused(f"--root に指定したフォルダ {Path(args.root).resolve()} がありません")
    return find_site_root(Path.cwd(), Path(args.root) if args.root is not None else None)


def content_folder(args: argparse.Namespace, root: SiteRoot) -> Path:
    """--content, else the site's content/; BuildFailed naming the folder when it is missing."""
    folder = Path(args.content) if args.content is not None else root.content
    if not folder.is_dir():
        hint = "" if args.content is not None else f"（{root.how_found()}）"
        raise BuildFailed([ContentError(display_path(folder), 0,
                                        f"記事のフォルダ {folder.resolve()} がありません{hint}")])
    return folder


def folder_to_write(args: argparse.Namespace, root: SiteRoot) -> Path:
    """The content folder ``new`` and ``import`` write into; Refused naming it when missing."""
    folder = Path(args.content) if args.content is not None else root.content
    if not folder.is_dir():
        hint = "--content で記事のフォルダを指定してください" if args.content is not None else root.how_found()
        raise Refused(f"記事のフォルダ {folder.resolve()} がありません: {hint}")
    return folder


def templates_folder(args: argparse.Namespace, root: SiteRoot) -> Path:
    """The site's own templates (overriding the default theme file by file). A folder named
    with --templates must exist; the site's ``templates/`` may be absent."""
    if args.templates is None:
        return root.templates
    folder = Path(args.templates)
    if not folder.is_dir():
        raise BuildFailed([ContentError(args.templates, 0,
                                        f"テンプレートのフォルダ {folder.resolve()} がありません")])
    return folder


def cmd_build(args: argparse.Namespace) -> int:
    from cio_forum_site.commands.build import build
    from cio_forum_site.commands.common import progress_reporter

    root = site_root(args)
    out = Path(args.out) if args.out is not None else root.build
    with progress_reporter(args.quiet) as progress:  # a progress bar on a terminal only
        report = build(
            content_folder(args, root), templates_folder(args, root), out,
            base_url=args.base_url, search=not args.no_search, progress=progress,
            cache_dir=None if args.no_cache else Path(args.cache) if args.cache else root.cache,
            site_file=root.config, drafts=args.drafts,
        )
    if args.verbose and not args.quiet:
        print("  ".join(f"{stage} {seconds:.2f}秒" for stage, seconds in report.timings.items()))
    if not args.quiet:
        seconds = sum(report.timings.values())
        drafts = f"（下書き{report.drafts}本は除きました）" if report.drafts else ""
        print(f"{report.articles}本の記事{drafts}から{report.pages}ページを {display_path(out)} に"
              f"書き出しました（{seconds:.1f}秒）")
    return 0


def cmd_new(args: argparse.Namespace) -> int:
    from cio_forum_site.commands.new import create_article, find_municipalities, same_meeting

    folder = folder_to_write(args, site_root(args))
    path = create_article(folder, args.municipality, date=args.date, title=args.title)
    print(display_path(path))
    if args.date and args.municipality:
        day = dt.date.fromisoformat(args.date)
        for other in same_meeting(folder, find_municipalities(args.municipality), day, excluding=path):
            print(f"警告: 同じ開催日（{args.date}）と区市町村の記事が {display_path(other)} にもあります。"
                  f"同じ座談会なら、そちらを使い、{display_path(path)} は消してください", file=sys.stderr)
    if not args.quiet:
        print("このファイルを開いて、参加者と本文を書いてください（下書き: draft: true の間は公開されません）。"
              "cio-forum-site serve で下書きも見られます。書けたら draft: true の行を消し、"
              "cio-forum-site check で確かめます。", file=sys.stderr)
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from cio_forum_site.commands.check import format_json, format_text, run_check

    root = site_root(args)
    report = run_check(content_folder(args, root), site_file=root.config)
    errors = sum(p.severity == "error" for p in report.problems)
    warnings = len(report.problems) - errors
    sys.stdout.write((format_json if args.format == "json" else format_text)(report.problems))
    if not args.quiet and args.format == "text":
        if report.problems:
            print(f"エラー {errors}件、警告 {warnings}件（{report.files}本の記事を確かめました）", file=sys.stderr)
        else:
            print(f"問題はありません（{report.files}本の記事を確かめました）", file=sys.stderr)
        if report.drafts:
            print(f"下書き（draft: true）が{report.drafts}本あります。公開されません", file=sys.stderr)
    return 1 if errors else 0


def cmd_serve(args: argparse.Namespace) -> int:
    from cio_forum_site.commands.serve import serve

    root = site_root(args)
    return serve(content_folder(args, root), templates_folder(args, root), port=args.port,
                 base_url=args.base_url, quiet=args.quiet, verbose=args.verbose,
                 site_file=root.config, cache_dir=root.cache, drafts=not args.no_drafts)


def cmd_import(args: argparse.Namespace) -> int:
    from cio_forum_site.commands.import_ import import_files

    folder = folder_to_write(args, site_root(args))
    results = import_files([Path(f) for f in args.files], folder)
    for done in results:
        if done.written:
            print(f"{done.source} → {display_path(done.written)}")
            if args.verbose and done.result:
                fm = done.result.front_matter
                facts = [f"第{fm['session']}回" if fm.get("session") else "インタビュー",
                         str(fm.get("date") or "開催日なし"), "・".join(fm.get("municipalities", [])),
                         f"参加者{len(fm.get('participants', []))}人"]
                print("  " + "、".join(f for f in facts if f))
        for note in done.notes if done.written else ():
            print(f"  確認してください: {note}")
        if done.refused:
            print(f"エラー: {done.refused}", file=sys.stderr)
        for error in done.errors:
            print(error, file=sys.stderr)
    if not args.quiet and any(r.written for r in results):
        print("書き出したファイルを確かめてから、cio-forum-site check で確認してください。", file=sys.stderr)
    return max((r.exit_code for r in results), default=0)


def cmd_init(args: argparse.Namespace) -> int:
    from cio_forum_site.commands.init import init_site

    folder = Path(args.folder)
    for path in init_site(folder):
        if args.verbose:
            print(display_path(path))
    if not args.quiet:
        print(f"新しいサイトを {display_path(folder)} に作りました。次のように始めます:\n"
              f"  cd {display_path(folder)}\n"
              "  cio-forum-site serve    # 例の記事を http://127.0.0.1:8000/ で表示します\n"
              "  cio-forum-site build    # build/ にサイトを作ります")
    return 0


def _init_command(commands, common) -> None:
    p = commands.add_parser(
        "init", help="新しいサイトのフォルダを作る", epilog=EXAMPLES["init"],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="新しいサイトのフォルダを作ります: site.toml（設定）、content/（例の記事が1本）、\n"
                    "templates/（テーマを上書きするときに使う）、.gitignore、requirements.txt、\n"
                    ".github/workflows/site.yml（GitHub Pages に公開するワークフロー）。\n"
                    "すぐに cio-forum-site build でサイトを作れます。空でないフォルダには何も書きません。",
    )
    p.add_argument("folder", metavar="DIR", help="新しいサイトのフォルダ（ないか、空のフォルダ）")
    common(p)
    p.set_defaults(run=cmd_init)


def _editor_commands(commands, common) -> None:
    """new, check, serve and import: the editors' commands."""
    raw = argparse.RawDescriptionHelpFormatter

    n = commands.add_parser(
        "new", help="新しい記事のファイルを作る", formatter_class=raw, epilog=EXAMPLES["new"],
        description="記事のフォルダに新しい座談会の記事ファイルを作り、その場所を表示します。\n"
                    "回の番号は今ある記事の次の番号、ファイル名は番号と区市町村の名前から決まります"
                    "（例: 0030-kiyose.md）。\n分かっていることはオプションで渡すと書き込みます。"
                    "残りの書き方は、ファイルの中に説明として書いてあります。\n"
                    "同じ名前のファイルがあるときは、何も書きません。",
    )
    n.add_argument("--municipality", metavar="NAME", action="append", default=[],
                   help="区市町村の正式な名前。2つ以上なら繰り返します（例: --municipality 清瀬市）")
    n.add_argument("--date", metavar="YYYY-MM-DD", help="開催日（例: 2024-05-20）")
    n.add_argument("--title", metavar="TEXT",
                   help="記事の題名（省略すると「清瀬市CIO×都CIOの座談会」のように付けます）")
    n.add_argument("--content", default=None, help=CONTENT_HELP)
    common(n)
    n.set_defaults(run=cmd_new)

    c = commands.add_parser(
        "check", help="記事に問題がないか確かめる", formatter_class=raw, epilog=EXAMPLES["check"],
        description="サイトを作るときと同じ確認をし、さらに間違いの可能性があるところを警告します:\n"
                    "  欠けているシリーズの回、全角・半角や大文字・小文字だけが違うタグ、\n"
                    "  参加者にいない名前の話者の行、一度も発言しない参加者、見つからない画像やリンク先。\n"
                    "問題は全て、1行に1件「ファイル:行:桁: エラー か 警告: 説明」の形で表示します"
                    "（行や桁が分からないときは 0）。\n"
                    "エラーが1件でもあれば終了コードは 1、警告だけなら 0 です。",
    )
    c.add_argument("--content", default=None, help=CONTENT_HELP)
    c.add_argument("--format", choices=("text", "json"), default="text",
                   help="text（既定）か json（path, line, col, severity, message を持つ一覧）")
    common(c)
    c.set_defaults(run=cmd_check)

    s = commands.add_parser(
        "serve", help="書きながらブラウザで確かめる（プレビュー）", formatter_class=raw,
        epilog=EXAMPLES["serve"],
        description="サイトを作り、http://127.0.0.1:8000/ で表示します（このパソコンからだけ見られます）。\n"
                    "記事やテンプレートを保存するたびに作り直し、開いているブラウザのページを自動で"
                    "読み込み直します。\n記事に問題があるときは、ターミナルとブラウザにその内容を"
                    "表示し、直すまで前回のページを表示し続けます。\n止めるときは Ctrl-C を押します。",
    )
    s.add_argument("--port", type=int, default=8000, help="ポート番号（既定: 8000。0 なら空いている番号）")
    s.add_argument("--content", default=None, help=CONTENT_HELP)
    s.add_argument("--templates", default=None,
                   help="既定のテーマを置き換えるテンプレートのフォルダ（既定: サイトのフォルダの templates。なくてもよい）")
    s.add_argument("--no-drafts", action="store_true",
                   help="下書き（draft: true）を表示しない（既定では、印を付けて表示します）")
    s.add_argument("--base-url", default=None, help="公開するURL（例: https://example.org/cio/）")
    common(s)
    s.set_defaults(run=cmd_serve)

    i = commands.add_parser(
        "import", help="ブログの記事（テキスト）を読み込む", formatter_class=raw,
        epilog=EXAMPLES["import"],
        description="マガジンのブログの記事をテキストとして保存したファイル（UTF-8）から、記事のファイル"
                    "（例: content/0005-kiyose.md）を作ります。\n"
                    "題名・開催日・回・区市町村・参加者・執筆者などを読み取り、自動で決められなかったことは"
                    "「確認してください」として表示します。\n同じ名前のファイルがあるときは書きません。",
    )
    i.add_argument("files", metavar="FILE", nargs="+", help="ブログの記事を保存したテキストファイル")
    i.add_argument("--content", default=None, help=CONTENT_HELP)
    common(i)
    i.set_defaults(run=cmd_import)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="cio-forum-site",
        description="東京都・区市町村CIOフォーラムマガジンのアーカイブサイトを作ります。",
        epilog=WORKFLOW, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    top.add_argument("--version", action="version", version=__version__)
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--quiet", "-q", action="store_true", help="結果の要約を表示しない")
        p.add_argument("--verbose", "-v", action="store_true", help="詳しく表示する")
        p.add_argument("--root", metavar="DIR", default=None,
                       help="サイトのフォルダ（既定: 今のフォルダから上にたどって最初に site.toml があるフォルダ）")

    b = commands.add_parser(
        "build", help="サイトを作る",
        description="content/ の記事から build/ にサイトを作ります。問題があれば全て表示し、"
                    "build/ はそのまま残します。",
        epilog=EXAMPLES["build"], formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    b.add_argument("--content", default=None, help=CONTENT_HELP)
    b.add_argument("--templates", default=None,
                   help="既定のテーマを置き換えるテンプレートのフォルダ（既定: サイトのフォルダの templates。なくてもよい）")
    b.add_argument("--out", default=None, help="出力先のフォルダ（既定: サイトのフォルダの build）")
    b.add_argument("--drafts", action="store_true",
                   help="下書き（draft: true の記事）も含めて作る（公開用には使わない）")
    b.add_argument("--base-url", default=None, help="公開するURL（例: https://example.org/cio/）")
    b.add_argument("--no-search", action="store_true", help="検索インデックスを作らない（速い）")
    b.add_argument("--cache", metavar="DIR", default=None,
                   help="次回のビルドのために、記事と検索の解析結果、縮小した画像、出力の記録を残すフォルダ（既定: サイトのフォルダの .cache）")
    b.add_argument("--no-cache", action="store_true",
                   help="何も残さず、前回のものも使わない（全記事の読み直しと解析、全ページの作成、全画像の縮小をやり直す）")
    common(b)
    b.set_defaults(run=cmd_build)
    _editor_commands(commands, common)
    _init_command(commands, common)
    for p in (top, *commands.choices.values()):
        _in_japanese(p)
    return top


class _JapaneseUsage(argparse.RawDescriptionHelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, prefix if prefix is not None else "使い方: ")


def _in_japanese(p: argparse.ArgumentParser) -> None:
    """argparse's own words in --help (usage, options, -h) in Japanese, like the rest."""
    p.formatter_class = _JapaneseUsage
    p._positionals.title = "引数"
    p._optionals.title = "オプション"
    for action in p._actions:
        if action.dest == "help":
            action.help = "この説明を表示する"
        elif action.dest == "version":
            action.help = "バージョンを表示する"


INTERNAL_ERROR = ("申し訳ありません。cio-forum-site の内部エラーです（{what}）。記事の問題ではありません: "
                  "実行したコマンドとこの行を、cio-forum-site のリポジトリの Issues で報告してください"
                  "（--verbose で詳しい情報を表示します）")


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)  # a usage error exits 2 here
    try:
        return args.run(args)
    except BuildFailed as failed:
        print_errors(failed.errors)
        return 1
    except (OutputRefused, Refused) as refused:
        print(f"エラー: {refused}", file=sys.stderr)
        return 2
    except SearchBuildError as failed:  # MeCab or Pagefind failed; the output is left as it was
        print(f"エラー: 検索インデックスを作れませんでした: {failed}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader of the output stopped (`| head`): nothing to say
        # Python would report the failed flush of stdout at exit: stdout goes nowhere now
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141  # as a shell reports a command ended by SIGPIPE
    except Exception as exc:  # a bug: never a content problem, never a bare traceback
        first = (str(exc).splitlines() or [""])[0][:200]
        print(INTERNAL_ERROR.format(what=f"{type(exc).__name__}: {first}" if first else type(exc).__name__),
              file=sys.stderr)
        if getattr(args, "verbose", False):
            traceback.print_exc()
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
