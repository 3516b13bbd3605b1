"""Generated article files for the property tests (``test_properties.py``) and the long run
(``benchmarks/fuzz_hardening.py``): front matter from the schema with good and bad values,
arbitrary YAML-like text, Markdown-like bodies, and arbitrary bytes.

``run_one(site, data)`` is the property: it writes one generated file beside a valid
article, runs ``check`` and ``build`` (in this process) and returns what went wrong, if
anything: an exception other than a reported content error, a problem without a path or
a line, or ``check`` and ``build`` disagreeing on the errors.
"""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass
from pathlib import Path

import yaml
from hypothesis import strategies as st
from PIL import Image

from cio_forum_site.commands.build import build
from cio_forum_site.commands.check import run_check
from cio_forum_site.content.slugs import slugify
from cio_forum_site.errors import BuildFailed

VALID = """---
title: 架空市CIO×都CIO座談会
session: 1
date: 2021-10-15
municipalities: [清瀬市]
participants:
  - name: 山田 太郎
    organization: 清瀬市
tags: [窓口]
---

## 窓口

山田：窓口の手続きを見直しています。
"""

FUZZED = "0002-fuzz.md"
THEME = Path(__file__).resolve().parents[1] / "src" / "cio_forum_site" / "theme"

# ---- values ------------------------------------------------------------------------------------

YAMLISH = st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Zs", "Cc"))
scalars = st.one_of(
    st.text(YAMLISH, max_size=30), st.integers(), st.integers(min_value=-10, max_value=200),
    st.floats(allow_nan=True), st.booleans(), st.none(),
    st.dates(min_value=dt.date(1, 1, 1)).map(str),
)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=8)
names = st.sampled_from(["清瀬市", "国分寺市", "八丈町", "東京都", "国分時市", "ｷﾖｾ市", ""])
long_text = st.integers(min_value=90, max_value=3_000).map(lambda n: "長" * n)
targets = st.sampled_from(["images/a.png", "/etc/passwd", "../../../../etc/passwd", "images/../../x.png",
                           "https://example.org/a.png", "a" * 2_100, "images/%2e%2e/%2e%2e/x", "", "C:\\x"])
participant = st.fixed_dictionaries({"name": st.one_of(st.text(max_size=12), long_text, values)}, optional={
    "speaker": st.text(max_size=6), "organization": st.text(max_size=10), "role": values,
    "nickname": st.text(max_size=4)})

FIELDS = {
    "title": st.one_of(st.text(max_size=40), long_text, values),
    "kind": st.one_of(st.sampled_from(["roundtable", "interview", "talk"]), values),
    "session": st.one_of(st.integers(min_value=-3, max_value=10**30), values),
    "date": st.one_of(st.dates().map(str), st.text(max_size=12), values),
    "published": st.one_of(st.dates().map(str), values),
    "municipalities": st.one_of(st.lists(names, max_size=3), names, values),
    "participants": st.one_of(st.lists(st.one_of(participant, values), max_size=3), values),
    "topics": st.one_of(st.lists(st.text(max_size=20), max_size=3), values),
    "tags": st.one_of(st.lists(st.one_of(st.text(max_size=20), long_text), max_size=3), values),
    "series": st.one_of(st.text(max_size=10), values),
    "part": st.one_of(st.integers(min_value=-2, max_value=10**9), values),
    "parts": st.one_of(st.integers(min_value=-2, max_value=10**9), values),
    "credits": st.one_of(st.fixed_dictionaries({}, optional={"author": values, "editor": values}), values),
    "summary": st.one_of(st.text(max_size=50), long_text, values),
    "image": st.one_of(targets, values),
    "unknown_field": values,
}

# ---- files -----------------------------------------------------------------------------------


@st.composite
def schema_front_matter(draw) -> str:
    """Front matter with some of the fields of the schema, each good or bad, as YAML."""
    chosen = draw(st.lists(st.sampled_from(sorted(FIELDS)), unique=True, max_size=len(FIELDS)))
    data = {key: draw(FIELDS[key]) for key in chosen}
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


YAML_PIECES = ["title: ", "date: 2021-10-15", "tags: [", "]", "{", "}", ": ", "- ", "&a ", "*a", "!!bool ",
               "!!int ", "!!timestamp ", "!!binary ", "!!python/object ", "<<: ", "? ", "'", '"', "\n", "  ",
               "\t", "#", "|", ">", "%YAML 1.1\n", "---", "...", "1" * 5_000, "[" * 50, "日本語", "\\x00"]
yaml_like = st.lists(st.one_of(st.sampled_from(YAML_PIECES), st.text(YAMLISH, max_size=8)),
                     max_size=25).map("".join)

BODY_PIECES = ["## 見出し", "### 小見出し", "山田：発言です。", "山田", "高田：補足です。", "― 質問ですか？",
               "```", "~~~", "`code`", "![図](images/a.png)", "![図](../../../etc/passwd)",
               "[前半](/articles/0001-kiyose/)", "[x](#nowhere)", "[ref]: ../../../../x", "<script>alert(1)</script>",
               "| a | b |", "> 引用", "* 項目", "&amp;", "写真（架空市提供）", "清瀬市CIO：山田（以下「山田」）",
               "区市町村の窓口で" * 500, "a" * 5_000, "![" + "a" * 3_000 + "](x)", "[" * 200, "\u3000", "\r", ""]
body = st.lists(st.one_of(st.sampled_from(BODY_PIECES), st.text(max_size=40)), max_size=15).map("\n".join)


# Good values: a front matter made of them passes ``check``, so the file reaches rendering,
# the feeds and the search text (MeCab) with whatever the body and the odd field hold.
GOOD = {
    "title": st.text(YAMLISH, min_size=1, max_size=60).filter(str.strip),
    "summary": st.text(YAMLISH, max_size=120),
    "topics": st.lists(st.text(YAMLISH, min_size=1, max_size=20).filter(str.strip), max_size=3),
    "tags": st.lists(st.text(YAMLISH, min_size=1, max_size=15).filter(str.strip), max_size=3),
    "municipalities": st.lists(st.sampled_from(["清瀬市", "国分寺市", "八丈町", "千代田区"]),
                               min_size=1, max_size=3, unique=True),
    "participants": st.lists(st.fixed_dictionaries(
        {"name": st.sampled_from(["山田 太郎", "高田 花子", "ＤＸ 次郎"])},
        optional={"organization": st.sampled_from(["清瀬市", "東京都", "架空"]),
                  "role": st.sampled_from(["CIO", "CIO補佐官", "司会"]),
                  "position": st.text(YAMLISH, max_size=20)}), min_size=1, max_size=3,
        unique_by=lambda p: p["name"]),
}


@st.composite
def near_valid_front_matter(draw) -> str:
    """A valid article's front matter with a few good values changed and at most one field
    from the schema's good-or-bad values."""
    data = yaml.safe_load(VALID.split("---")[1]) | {"session": 2}
    for key in draw(st.lists(st.sampled_from(sorted(GOOD)), unique=True, max_size=3)):
        data[key] = draw(GOOD[key])
    for key in draw(st.lists(st.sampled_from(sorted(FIELDS)), unique=True, max_size=1)):
        data[key] = draw(FIELDS[key])
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


@st.composite
def article_files(draw) -> bytes:
    """One article file's bytes: mostly text with front matter (about half of it nearly
    valid, so that it is built), sometimes anything."""
    kind = draw(st.sampled_from(["near"] * 5 + ["schema", "schema", "yaml", "bytes", "encoded"]))
    if kind == "bytes":
        return draw(st.binary(max_size=300))
    head = {"near": near_valid_front_matter, "schema": schema_front_matter}.get(
        kind, lambda: yaml_like)()
    head = draw(head)
    text = f"---\n{head}\n---\n{draw(body)}\n"
    if kind == "encoded":
        encoding = draw(st.sampled_from(["utf-16", "cp932", "utf-8-sig"]))
        return text.encode(encoding, errors="replace")
    return text.encode("utf-8", errors="surrogatepass")


# ---- the property -------------------------------------------------------------------------------


@dataclass
class Site:
    root: Path

    @property
    def content(self) -> Path:
        return self.root / "content"

    @classmethod
    def make(cls, root: Path) -> Site:
        (root / "content" / "images").mkdir(parents=True, exist_ok=True)
        (root / "content" / "0001-kiyose.md").write_text(VALID, "utf-8")
        Image.new("RGB", (8, 6), (40, 90, 160)).save(root / "content" / "images" / "a.png")
        return cls(root)


def _key(problem) -> tuple:
    return (problem.path, problem.line, problem.col, problem.message)


def run_one(site: Site, data: bytes) -> str | None:
    """Check and build one generated file; None when all is well, else what is wrong."""
    (site.content / FUZZED).write_bytes(data)
    out = site.root / "build"
    if out.exists():
        shutil.rmtree(out)
    report = run_check(site.content)
    errors = {_key(p) for p in report.problems if p.severity == "error"}
    for problem in report.problems:
        if not problem.path or problem.line < 1:
            return f"a problem without a path or a line: {problem}"
    try:
        build(site.content, site.root / "templates", out, search=False)
        built: set[tuple] = set()
    except BuildFailed as failed:
        built = {_key(p) for p in failed.errors}
    if built != errors:
        return f"check and build disagree:\ncheck {sorted(errors)}\nbuild {sorted(built)}"
    if not built:  # what reaches the search stage: MeCab gets it in bounded pieces
        text = data.decode("utf-8", errors="replace")
        slugify(text[:200])
        mecab_cut(text)
    return None


_tagger = None


def mecab_cut(text: str) -> str:
    """What the search stage does to an article's text (``mecab.wakati``)."""
    global _tagger
    from cio_forum_site import mecab
    from cio_forum_site.search.text import normalize

    if _tagger is None:
        import fugashi

        _tagger = fugashi.Tagger("-Owakati")
    return mecab.wakati(_tagger, normalize(text))
