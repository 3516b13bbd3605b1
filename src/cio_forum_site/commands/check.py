"""``cio-forum-site check``: every error the build would report, plus warnings.

Warnings (``check_archive_warnings``) are things the build accepts but an editor most
likely did not mean:

- a series with a missing part (and two articles claiming the same part);
- tags that differ only by width or case (ＤＸ推進 / DX推進);
- a body line shaped like a speaker label that names no participant;
- a participant who never speaks in a roundtable that has a transcript;
- speaker lines with no words (a participant list pasted into the body), once per article;
- an image or internal link in the body that points at nothing;
- an image without alt text (``![](x.jpg)``, or ``image:`` without ``image_alt:``) that is not
  marked decorative (alt text ``装飾``);
- an article to be published (no ``draft: true``) with no body, no participants (a
  roundtable) or no topics — what ``new`` leaves for the editor to fill in.

Images that cannot be published (not an image, truncated, too large, an unsupported format,
outside content/) are errors, as in the build: ``image_uses`` lists every image an article
shows, for both.

Every problem has a path, a line and a column (0 when unknown), so that editors and CI can
jump to it. ``run_check`` is the command: load, validate, warn, sort.
"""

from __future__ import annotations

import difflib
import functools
import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import yaml

from cio_forum_site.content.files import (
    article_files,
    content_file,
    content_key,
    is_file_under,
    load_archive,
)
from cio_forum_site.content.frontmatter import split_front_matter
from cio_forum_site.content.model import Article, Heading, Prose, Question, Turn
from cio_forum_site.content.slugs import tag_key
from cio_forum_site.content.targets import (
    LINK_RE,
    body_lines,
    body_targets,
    is_external,
)
from cio_forum_site.content.transcript import INTRO_RE, NAME_RE, NOTE_RE
from cio_forum_site.errors import ContentError
from cio_forum_site.site.archive import Archive, make_archive
from cio_forum_site.site.config import Site, load_site
from cio_forum_site.site.images import ImageUse, process_images

QUOTED_RE = re.compile(r"「([^」]+)」")
# Label-shaped lines that are not speakers: notes and captions in the text.
NOT_SPEAKERS = {"例", "注", "注記", "備考", "参考", "出典", "写真", "画像", "図", "表", "ポイント", "URL"}
INTERVIEWERS = {"聞き手", "司会", "インタビュアー", "編集部"}


def warning(path: str, line: int, col: int, message: str) -> ContentError:
    return ContentError(path, line, message, col=col, severity="warning")


def _short(text: str, limit: int = 24) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---- the source file, for positions -------------------------------------------------------


class Source:
    """One article file's text: its lines, where the body starts, and the front matter's
    YAML nodes, to say at which line and column a value is."""

    def __init__(self, text: str):
        text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
        self.lines = text.split("\n")
        self.body_line = len(self.lines) + 1
        self._yaml = ""
        split = split_front_matter(text)
        if isinstance(split, str):
            return
        self._yaml, _, self.body_line = split

    @functools.cached_property
    def node(self) -> yaml.Node | None:
        """The front matter's YAML nodes (composed on first use: only positions need them)."""
        try:
            return yaml.compose(self._yaml, Loader=yaml.SafeLoader) if self._yaml else None
        except yaml.YAMLError:
            return None

    def position(self, *keys: str | int) -> tuple[int, int] | None:
        """(line, col) of the value at ``keys`` in the front matter, e.g. ("tags", 1)."""
        node = self.node
        for key in keys:
            if isinstance(node, yaml.MappingNode):
                node = next((v for k, v in node.value if k.value == key), None)
            elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
                node = node.value[key]
            else:
                node = None
            if node is None:
                return None
        return node.start_mark.line + 2, node.start_mark.column + 1

    def body(self) -> Iterable[tuple[int, str]]:
        """(line number, text) of every body line outside fenced code (``targets.body_lines``)."""
        return body_lines(self.lines, self.body_line)


def _sources(articles: Iterable[Article], content_dir: Path,
             given: Mapping[str, str] | None) -> dict[str, Source]:
    sources = {}
    for article in articles:
        if given is not None and article.path in given:
            text = given[article.path]
        else:
            try:
                text = (content_dir / f"{article.slug}.md").read_text("utf-8")
            except (OSError, UnicodeDecodeError):
                text = ""
        sources[article.path] = Source(text)
    return sources


# ---- the warnings ---------------------------------------------------------------------------


def check_archive_warnings(articles: list[Article], content_dir: Path, *,
                           sources: Mapping[str, str] | None = None,
                           site: Site | None = None) -> list[ContentError]:
    """Warnings about valid articles. ``sources`` (path → file text) saves reading the
    files again; without it they are read from ``content_dir``."""
    texts = _sources(articles, content_dir, sources)
    archive = make_archive(articles)
    found: list[ContentError] = []
    found += series_warnings(archive, texts)
    found += tag_warnings(archive, texts)
    for article in archive.articles:
        source = texts[article.path]
        found += label_warnings(article, source)
        found += silent_participant_warnings(article, source)
        found += wordless_turn_warnings(article, source)
        found += unfinished_warnings(article, source)
    found += link_warnings(archive, texts, content_dir, site or Site())
    found += alt_warnings(image_uses(archive.articles, content_dir, texts))
    return found


def image_uses(articles: Iterable[Article], content_dir: Path,
               sources: Mapping[str, Source] | None = None) -> list[ImageUse]:
    """Every image the articles show: each header image (``image:``) and every body image
    under content/, where it is written (``path:line:col``), with its alt text and title.
    Without ``sources``, only the files of articles with body images are read again."""
    uses = []
    for article in articles:
        if article.image:
            line, col = (_at(sources[article.path], article, "image") if sources is not None
                         else (article.line_of("image"), 0))
            uses.append(ImageUse(article.path, line, article.image, article.image_alt, col=col,
                                 header=True))
        if not any("![" in getattr(block, "markdown", "") for block in article.blocks):
            continue  # most articles: no need to read the file again
        source = (sources[article.path] if sources is not None
                  else _sources([article], content_dir, None)[article.path])
        for number, line in source.body():
            for m in LINK_RE.finditer(line):
                target = m["target"].strip("<>").strip()
                if m["bang"] and content_key(target) is not None:
                    title = m["t1"] or m["t2"] or m["t3"] or ""
                    uses.append(ImageUse(article.path, number, target, _plain(m["text"]), title,
                                         col=m.start() + 1))
    return uses


def _plain(alt: str) -> str:
    """Alt text as Markdown shows it: escapes and emphasis marks removed."""
    return re.sub(r"\\(.)|[*_`]", lambda m: m.group(1) or "", alt).strip()


def alt_warnings(uses: Iterable[ImageUse]) -> list[ContentError]:
    """Images without alt text that are not marked decorative."""
    found = []
    for use in uses:
        if use.alt.strip():
            continue
        if use.header:
            hint = ("image_alt: に写真の説明を書いてください（例: image_alt: 清瀬市役所での座談会の様子）。"
                    "飾りの画像なら image_alt: 装飾 と書きます")
        else:
            hint = (f"![写真の説明]({use.target}) のように説明を書いてください。"
                    f"飾りの画像なら ![装飾]({use.target}) と書きます")
        found.append(warning(use.article, use.line, use.col,
                             f"画像「{use.target}」に代替テキスト（alt）がありません: {hint}"))
    return found


def _at(source: Source, article: Article, *keys: str | int) -> tuple[int, int]:
    return source.position(*keys) or (article.line_of(str(keys[0])), 1)


def series_warnings(archive: Archive, texts: Mapping[str, Source]) -> list[ContentError]:
    """A part missing from a series, two articles with the same part, differing ``parts``."""
    from cio_forum_site.site.pages import part_name

    found = []
    for series, members in sorted(archive.series.items()):
        parted = [a for a in members if a.part]
        if not parted:
            continue
        declared = sorted({a.parts for a in parted if a.parts})
        total = max([*declared, *(a.part for a in parted)])
        first: dict[int, Article] = {}
        for article in sorted(parted, key=lambda a: (a.part, a.sort_key())):
            other = first.setdefault(article.part, article)
            if other is not article:
                line, col = _at(texts[article.path], article, "part")
                found.append(warning(article.path, line, col,
                                     f"シリーズ「{series}」の part: {article.part} は {other.path} と重なっています: "
                                     "part の番号を確かめてください"))
        if len(declared) > 1:
            for article in parted:
                if article.parts and article.parts != total:
                    line, col = _at(texts[article.path], article, "parts")
                    found.append(warning(article.path, line, col,
                                         f"シリーズ「{series}」の parts（全何回か）が記事によって違います"
                                         f"（{'・'.join(map(str, declared))}）: そろえてください"))
        anchor = min(parted, key=lambda a: (a.part, a.sort_key()))
        line, col = _at(texts[anchor.path], anchor, "part")
        for n in range(1, total + 1):
            if n not in first:
                found.append(warning(anchor.path, line, col,
                                     f"シリーズ「{series}」の{part_name(n, total)}（part: {n}、全{total}回）の記事がありません: "
                                     "その回の記事を加えるか、series・part・parts を確かめてください"))
    return found


def tag_warnings(archive: Archive, texts: Mapping[str, Source]) -> list[ContentError]:
    """Spellings of one tag that differ only by width or case; the site shows the most
    used one, so every other spelling is reported where it is written."""
    where_used: dict[str, dict[str, Article]] = defaultdict(dict)  # key → spelling → first article
    for article in reversed(archive.articles):  # oldest first
        for tag in article.tags:
            where_used[tag_key(tag)].setdefault(tag, article)
    found = []
    for article in archive.articles:
        source = texts[article.path]
        for i, tag in enumerate(article.tags):
            key = tag_key(tag)
            preferred = archive.tag_of[key].name
            if tag == preferred or tag in article.tags[:i]:
                continue
            other = where_used[key][preferred]
            elsewhere = "この記事の中" if other is article else other.path
            line, col = _at(source, article, "tags", i)
            found.append(warning(article.path, line, col,
                                 f"タグ「{tag}」と「{preferred}」（{elsewhere}）は全角・半角や大文字・小文字だけが違います: "
                                 f"「{preferred}」にそろえてください"))
    return found


def _head(text: str) -> str:
    """What comes before the colon (or the note): 例 in 例：…, 写真 in 写真（架空市提供）."""
    who = unicodedata.normalize("NFKC", text).strip().partition(":")[0].strip()
    return m["who"].strip() if (m := NOTE_RE.match(who)) else who


def _label_in(text: str) -> str:
    """The name a label-shaped line gives: 鈴木 in 鈴木：… , 鈴木（架空市）, 架空市CIO：鈴木."""
    norm = unicodedata.normalize("NFKC", text).strip()
    _, colon, after = norm.partition(":")
    after = after.strip()
    if colon:
        if m := INTRO_RE.match(after):
            return m["label"].strip()
        if m := NOTE_RE.match(after):
            after = m["who"].strip()
        if after and NAME_RE.fullmatch(after):
            return after
    return _head(norm)


def label_warnings(article: Article, source: Source) -> list[ContentError]:
    """Lines shaped like a speaker label that name no participant (a typo, or someone
    missing from ``participants``)."""
    found = []
    known = [p.speaker for p in article.participants] + [p.name for p in article.participants]
    for line, text in article.suspect_labels:
        raw = source.lines[line - 1] if 0 < line <= len(source.lines) else text
        col = raw.find(text) + 1 if text in raw else 1
        label = _label_in(text)
        if {label, _head(text).upper()} & NOT_SPEAKERS:
            continue
        close = difflib.get_close_matches(label, known, n=1, cutoff=0.5)
        if label in INTERVIEWERS:
            hint = "聞き手の質問は、行の初めを ― にして書いてください（例: ― 今後の課題は何でしょうか。）"
        elif close:
            person = next(p for p in article.participants if close[0] in (p.speaker, p.name))
            hint = f"「{person.speaker}」（{person.name}）のことですか？"
        else:
            hint = "participants に加えるか、名前を確かめてください"
        found.append(warning(article.path, line, col,
                             f"「{_short(text)}」は話者の行のようですが、参加者に「{label}」がいません: {hint}"))
    return found


def silent_participant_warnings(article: Article, source: Source) -> list[ContentError]:
    """Participants with no turn in a roundtable's transcript. A roundtable written as a
    report (no turns at all) has no transcript to check."""
    if article.kind != "roundtable":
        return []
    spoke = {b.speaker for b in article.blocks if isinstance(b, Turn)}
    if not spoke:
        return []
    found = []
    for i, person in enumerate(article.participants):
        if person.speaker in spoke:
            continue
        line, col = source.position("participants", i, "name") or _at(source, article, "participants", i)
        found.append(warning(article.path, line, col,
                             f"参加者「{person.name}」の発言が本文にありません（話者の行は「{person.speaker}」と書きます）: "
                             "本文の話者の行を確かめるか、参加者から外してください"))
    return found


def wordless_turn_warnings(article: Article, source: Source) -> list[ContentError]:
    """Speaker lines with no words before the next speaker (a participant list pasted into
    the body): the site shows them as a plain list, or drops them when they name everyone.
    One warning per article, at the first such line."""
    if not article.wordless_labels:
        return []
    line, text = article.wordless_labels[0]
    raw = source.lines[line - 1] if 0 < line <= len(source.lines) else text
    col = raw.find(text) + 1 if text in raw else 1
    more = len(article.wordless_labels) - 1
    others = f"ほか{more}行" if more else ""
    return [warning(article.path, line, col,
                    f"話者の行「{_short(text)}」{others}の後に発言がありません: 参加者の一覧なら本文から消してください"
                    "（参加者は participants に書きます）。発言なら、話者の行の次の行に書いてください")]


def unfinished_warnings(article: Article, source: Source) -> list[ContentError]:
    """A published article that is still empty where ``new`` left it: no body, no
    participants (a roundtable), no topics. Drafts are not warned about."""
    if article.draft:
        return []
    later = "書き終えるまでは front matter に draft: true と書いておくと、公開されません"
    found = []
    if not any(isinstance(b, (Turn, Prose, Question)) for b in article.blocks):
        line = min(source.body_line, len(source.lines))
        found.append(warning(article.path, line, 1, f"本文がありません: 最後の --- の後に本文を書いてください（{later}）"))
    if article.kind == "roundtable" and not article.participants:
        line, col = _at(source, article, "participants")
        found.append(warning(article.path, line, col,
                             f"座談会の参加者（participants）がありません: 参加者を書いてください（{later}）"))
    if not article.topics:
        line, col = _at(source, article, "topics")
        found.append(warning(article.path, line, col,
                             f"議題（topics）がありません: topics に書くか、本文に ## の見出しを書いてください（{later}）"))
    return found


def _anchors(article: Article) -> set[str]:
    return {b.anchor for b in article.blocks if isinstance(b, Heading)}


class _SiteMap:
    """What the built site will have, to resolve internal links (computed on first use)."""

    def __init__(self, archive: Archive, site: Site):
        self.archive = archive
        self.site = site
        self._urls: set[str] | None = None

    @property
    def urls(self) -> set[str]:
        if self._urls is None:
            from cio_forum_site.site.opendata import OPEN_DATA_PATHS
            from cio_forum_site.site.pages import plan_routes
            from cio_forum_site.site.publish import publishing_routes

            routes = plan_routes(self.archive, self.site, related={})  # URLs only
            routes += publishing_routes(self.archive, self.site, routes)
            self._urls = {r.url for r in routes}
            self._urls |= {f"/{a.image}" for a in self.archive.articles if a.image}
            self._urls |= {f"/{path}" for path in OPEN_DATA_PATHS}
        return self._urls

    def resolves(self, path: str) -> bool:
        if path.endswith("/index.html"):
            path = path[: -len("index.html")]
        return path in self.urls or (not path.endswith("/") and path + "/" in self.urls)


def link_warnings(archive: Archive, texts: Mapping[str, Source], content_dir: Path,
                  site: Site) -> list[ContentError]:
    """Body links and images that point at nothing.

    Links are resolved as the browser will, from the article's page (/articles/<slug>/);
    images are files under content/, as for the ``image`` field.
    """
    sitemap = _SiteMap(archive, site)
    found = []
    for article in archive.articles:
        source = texts[article.path]
        for target in body_targets(source.lines, source.body_line):
            problem = (_image_problem(target.target, content_dir) if target.is_image
                       else _link_problem(target.target, article, sitemap, content_dir))
            if problem:
                found.append(warning(article.path, target.line, target.col, problem))
    return found


def _image_problem(target: str, content_dir: Path) -> str | None:
    """A missing image (one outside content/ is an error: ``image_uses``)."""
    if is_external(target):
        return None
    path = unquote(urlsplit(target).path).lstrip("/")
    if content_file(content_dir, target, missing_ok=True) is not None:
        return None
    return (f"画像「{target}」が見つかりません: content/{path} にファイルを置くか、"
            "content/ からのパスを確かめてください")


def _link_problem(target: str, article: Article, sitemap: _SiteMap, content_dir: Path) -> str | None:
    if is_external(target):
        return None  # external (https:, mailto:) — not ours to check
    here = article.url
    url = urlsplit(urljoin("http://site" + here, target))
    path, fragment = unquote(url.path), unquote(url.fragment)
    if target.startswith("#"):
        if fragment and fragment not in _anchors(article):
            return f"リンク先「{target}」がこのページにありません"
        return None
    if path.endswith(".md"):
        slug = Path(path).stem
        if is_file_under(content_dir, f"{slug}.md"):
            return (f"リンク「{target}」は記事のファイルを指しています: サイトでは /articles/{slug}/ と"
                    "書いてください")
    if not sitemap.resolves(path):
        return f"リンク先「{target}」のページがありません: URL を確かめてください"
    if fragment and path.startswith("/articles/"):
        other = sitemap.archive.by_slug.get(path.strip("/").split("/")[-1])
        if other is not None and fragment not in _anchors(other):
            return f"リンク先「{target}」の「#{fragment}」が {other.path} にありません"
    return None


# ---- the command ---------------------------------------------------------------------------


def with_columns(problems: Iterable[ContentError]) -> list[ContentError]:
    """Give every problem at a known line a column: where the value it quotes (「…」) is
    on that line, else the line's first character."""
    lines: dict[str, list[str] | None] = {}
    out = []
    for problem in problems:
        if problem.col or problem.line <= 0:
            out.append(problem)
            continue
        if problem.path not in lines:
            try:
                text = Path(problem.path).read_text("utf-8").lstrip("\ufeff")
                lines[problem.path] = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
            except (OSError, UnicodeDecodeError):
                lines[problem.path] = None
        file_lines = lines[problem.path]
        if not file_lines or problem.line > len(file_lines):
            out.append(problem)
            continue
        text = file_lines[problem.line - 1]
        col = len(text) - len(text.lstrip()) + 1
        for quoted in QUOTED_RE.findall(problem.message):
            if (at := text.find(quoted)) >= 0:
                col = at + 1
                break
        out.append(replace(problem, col=col))
    return out


def position_key(problem: ContentError) -> tuple:
    return (problem.path, problem.line, problem.col, problem.severity != "error", problem.message)


@dataclass(frozen=True)
class CheckReport:
    files: int  # article files looked at
    problems: list[ContentError]  # errors and warnings, in file order
    drafts: int = 0  # valid articles with draft: true (not published)


def run_check(content_dir: Path, site_file: Path | None = None) -> CheckReport:
    """Every error the build would report about the content and site.toml (by default
    beside ``content_dir``), and every warning, in file order."""
    site, errors = load_site(site_file or content_dir.parent / "site.toml")
    articles, problems = load_archive(content_dir)
    errors += problems
    warnings = check_archive_warnings(articles, content_dir, site=site) if content_dir.is_dir() else []
    if content_dir.is_dir():  # images the build could not publish (read, not encoded)
        errors += process_images(image_uses(articles, content_dir), content_dir, encode=False).errors
        errors = sorted(set(errors))
    files = len(article_files(content_dir)) if content_dir.is_dir() else 0
    return CheckReport(files, sorted(with_columns([*errors, *warnings]), key=position_key),
                       drafts=sum(a.draft for a in articles))


def format_text(problems: Iterable[ContentError]) -> str:
    return "".join(f"{p}\n" for p in problems)


def format_json(problems: Iterable[ContentError]) -> str:
    rows = [{"path": p.path, "line": p.line, "col": p.col, "severity": p.severity,
             "message": p.message} for p in problems]
    return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
