"""Publishing: feeds, sitemap, robots.txt, canonical/Open Graph/JSON-LD, fingerprinted assets,
and byte-identical output — read from the built files (XML and HTML parsed with lxml)."""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import lxml.etree
import pytest
from conftest import FIXTURES, ROOT, TEMPLATES, page, text_of

from cio_forum_site import synthetic
from cio_forum_site.commands.build import build
from cio_forum_site.errors import BuildFailed
from cio_forum_site.site.assets import plan_assets

BASE = "https://example.org/cio/"
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
ARCHIVE = FIXTURES / "archive" / "content"
HAS_SEARCH = importlib.util.find_spec("cio_forum_site.search") is not None


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The fixture archive, published at https://example.org/cio/."""
    out = tmp_path_factory.mktemp("published") / "build"
    build(ARCHIVE, TEMPLATES, out, base_url=BASE, search=False)
    return out


@pytest.fixture(scope="module")
def local_site(tmp_path_factory) -> Path:
    """The fixture archive with no base URL: a site that works at / and from file://."""
    out = tmp_path_factory.mktemp("local") / "build"
    build(ARCHIVE, TEMPLATES, out, search=False)
    return out


@pytest.fixture(scope="module")
def big_site(tmp_path_factory) -> Path:
    """30 synthetic articles, more than one feed holds."""
    root = tmp_path_factory.mktemp("big")
    synthetic.write(30, root / "content")
    build(root / "content", TEMPLATES, root / "build", base_url=BASE, search=False)
    return root / "build"


def html_pages(out: Path) -> dict[str, Path]:
    """Site URL (/articles/x/) → file, for every HTML page but the 404 page."""
    pages = {}
    for file in sorted(out.rglob("*.html")):
        rel = file.relative_to(out).as_posix()
        if rel == "404.html":
            continue
        pages["/" + rel.removesuffix("index.html")] = file
    return pages


def feed(out: Path, url: str) -> lxml.etree._Element:
    return lxml.etree.parse(str(out / url.lstrip("/"))).getroot()


def rfc3339(text: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(text)
    assert value.tzinfo is not None, text
    return value


# ---- feeds ------------------------------------------------------------------------------------


def test_feed_is_atom_with_one_entry_per_article_newest_first(site: Path):
    root = feed(site, "/feed.xml")
    assert root.tag == f"{ATOM}feed"
    assert root.findtext(f"{ATOM}id") == BASE + "feed.xml"
    assert root.find(f"{ATOM}link[@rel='self']").get("href") == BASE + "feed.xml"
    assert root.find(f"{ATOM}link[@rel='alternate']").get("href") == BASE
    assert root.findtext(f"{ATOM}author/{ATOM}name")
    entries = root.findall(f"{ATOM}entry")
    links = [e.find(f"{ATOM}link[@rel='alternate']").get("href") for e in entries]
    assert links == [BASE + "articles/interview-2020-04/", BASE + "articles/0103-mitaka-fuchu/",
                     BASE + "articles/0102-hinode/", BASE + "articles/0101-hinode/"]
    updated = [rfc3339(e.findtext(f"{ATOM}updated")) for e in entries]
    assert rfc3339(root.findtext(f"{ATOM}updated")) == max(updated)


def test_feed_entry_has_title_link_dates_summary_and_municipalities_as_categories(site: Path):
    entry = feed(site, "/feed.xml").findall(f"{ATOM}entry")[1]
    doc = page(site, "/articles/0103-mitaka-fuchu/")
    assert entry.findtext(f"{ATOM}title") == text_of(doc.find(".//h1"))
    assert entry.findtext(f"{ATOM}id") == BASE + "articles/0103-mitaka-fuchu/"
    assert rfc3339(entry.findtext(f"{ATOM}published")).date().isoformat() == \
        doc.find(".//time").get("datetime")
    assert rfc3339(entry.findtext(f"{ATOM}updated"))
    assert entry.findtext(f"{ATOM}summary") == doc.find(".//meta[@name='description']").get("content")
    assert [c.get("term") for c in entry.findall(f"{ATOM}category")] == ["三鷹市", "府中市"]


def test_feed_holds_the_20_latest_articles(big_site: Path):
    entries = feed(big_site, "/feed.xml").findall(f"{ATOM}entry")
    assert len(entries) == 20
    newest = [a.get("href") for a in page(big_site, "/backnumbers/").findall(".//h3/a")][:20]
    assert [e.find(f"{ATOM}link").get("href") for e in entries] == [
        urljoin(BASE + "backnumbers/", href) for href in newest]


def test_each_municipality_has_a_feed_of_its_own_articles(site: Path):
    for slug, titles in {"hinode": 2, "mitaka": 1, "fuchu": 1}.items():
        root = feed(site, f"/municipalities/{slug}/feed.xml")
        assert root.tag == f"{ATOM}feed"
        entries = root.findall(f"{ATOM}entry")
        assert len(entries) == titles
        name = text_of(page(site, f"/municipalities/{slug}/").find(".//h1"))
        for entry in entries:
            assert name in [c.get("term") for c in entry.findall(f"{ATOM}category")]
        link = page(site, f"/municipalities/{slug}/").find(".//link[@type='application/atom+xml'][@href='feed.xml']")
        assert link is not None


def test_every_page_announces_the_feed(site: Path):
    for url, file in html_pages(site).items():
        doc = page(site, url)
        hrefs = [urljoin(BASE + url.lstrip("/"), link.get("href"))
                 for link in doc.findall(".//link[@rel='alternate'][@type='application/atom+xml']")]
        assert BASE + "feed.xml" in hrefs, file


def test_without_base_url_feed_links_are_relative_to_the_feed_and_resolve(local_site: Path):
    for url in ("/feed.xml", "/municipalities/hinode/feed.xml"):
        root = feed(local_site, url)
        for entry in root.findall(f"{ATOM}entry"):
            href = entry.find(f"{ATOM}link").get("href")
            assert not urlsplit(href).scheme and not href.startswith("/"), href
            target = urlsplit(urljoin("http://site" + url, href)).path
            assert (local_site / target.lstrip("/") / "index.html").is_file(), href
            assert entry.findtext(f"{ATOM}id").startswith("urn:cio-forum-site:articles:")


# ---- sitemap and robots.txt ---------------------------------------------------------------


def test_sitemap_lists_every_page(site: Path):
    root = lxml.etree.parse(str(site / "sitemap.xml")).getroot()
    assert root.tag == f"{SITEMAP}urlset"
    locs = [loc.text for loc in root.iter(f"{SITEMAP}loc")]
    assert len(locs) == len(set(locs))
    assert sorted(locs) == sorted(BASE + url.lstrip("/") for url in html_pages(site))


def test_robots_txt_points_at_the_sitemap(site: Path):
    lines = (site / "robots.txt").read_text("utf-8").splitlines()
    assert "User-agent: *" in lines
    assert f"Sitemap: {BASE}sitemap.xml" in lines


def test_without_base_url_there_is_no_sitemap(local_site: Path):
    assert not (local_site / "sitemap.xml").exists()
    assert "Sitemap:" not in (local_site / "robots.txt").read_text("utf-8")


# ---- canonical, Open Graph, Twitter card, JSON-LD ---------------------------------------------


def test_every_page_has_canonical_open_graph_and_twitter_card(site: Path):
    for url, file in html_pages(site).items():
        doc = page(site, url)
        head = {m.get("property") or m.get("name"): m.get("content") for m in doc.findall(".//head/meta")}
        canonical = doc.find(".//head/link[@rel='canonical']")
        assert canonical is not None and canonical.get("href") == BASE + url.lstrip("/"), file
        assert head["og:url"] == canonical.get("href")
        assert head["og:title"] and head["og:description"] and head["og:site_name"], file
        assert head["og:type"] == ("article" if url.startswith("/articles/") else "website")
        assert head["og:locale"] == "ja_JP"
        assert head["twitter:card"] in ("summary", "summary_large_image")


def test_article_with_an_image_shares_it_by_absolute_url(site: Path):
    doc = page(site, "/articles/0102-hinode/")
    image = doc.find(".//meta[@property='og:image']").get("content")
    assert image.startswith(BASE + "images/hinode-800w.") and image.endswith(".jpg")
    assert (site / image.removeprefix(BASE)).is_file()  # a JPEG rendition, 800 px (never upscaled)
    assert doc.find(".//meta[@property='og:image:width']").get("content") == "800"
    assert doc.find(".//meta[@property='og:image:height']").get("content") == "450"
    assert doc.find(".//meta[@name='twitter:card']").get("content") == "summary_large_image"


def test_article_pages_carry_json_ld_article(site: Path):
    doc = page(site, "/articles/0103-mitaka-fuchu/")
    scripts = doc.findall(".//script[@type='application/ld+json']")
    assert len(scripts) == 1
    data = json.loads(scripts[0].text)
    assert data["@context"] == "https://schema.org" and data["@type"] == "Article"
    assert data["headline"] == text_of(doc.find(".//h1"))
    assert data["datePublished"] == doc.find(".//time").get("datetime")
    assert data["author"]["name"]
    assert [(a["@type"], a["name"]) for a in data["about"]] == [
        ("AdministrativeArea", "三鷹市"), ("AdministrativeArea", "府中市")]
    assert data["url"] == data["mainEntityOfPage"] == BASE + "articles/0103-mitaka-fuchu/"


def test_json_ld_author_is_the_writer(site: Path):
    data = json.loads(page(site, "/articles/0101-hinode/").find(
        ".//script[@type='application/ld+json']").text)
    assert data["author"] == {"@type": "Person", "name": "架空 記者"}


def test_without_base_url_pages_have_no_canonical_or_og_url(local_site: Path):
    doc = page(local_site, "/articles/0101-hinode/")
    assert doc.find(".//link[@rel='canonical']") is None
    assert doc.find(".//meta[@property='og:url']") is None
    assert doc.find(".//meta[@property='og:image']") is None
    assert doc.find(".//meta[@property='og:title']") is not None
    assert "url" not in json.loads(doc.find(".//script[@type='application/ld+json']").text)


def test_404_page_links_from_the_site_root_path_and_is_not_indexed(site: Path, local_site: Path):
    doc = page(site, "/404.html")
    hrefs = [a.get("href") for a in doc.findall(".//main//a")]
    assert hrefs and all(h.startswith("/cio/") for h in hrefs), hrefs
    assert doc.find(".//link[@rel='stylesheet']").get("href").startswith("/cio/static/style.")
    assert doc.find(".//meta[@name='robots']").get("content") == "noindex"
    assert doc.find(".//link[@rel='canonical']") is None
    # With no base URL the root path is unknown: links stay relative.
    assert page(local_site, "/404.html").find(".//main//a").get("href") == "index.html"


# ---- base URL settings ------------------------------------------------------------------------


def cli(*args: str, cwd: Path = ROOT, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cio_forum_site", *args], cwd=cwd, text=True,
                          capture_output=True, env=env, timeout=300)


def test_base_url_comes_from_site_toml_and_the_flag_overrides_it(tmp_path: Path):
    shutil.copytree(ARCHIVE, tmp_path / "content")
    (tmp_path / "site.toml").write_text('title = "架空アーカイブ"\nbase_url = "https://a.example/x/"\n', "utf-8")
    done = cli("build", "--root", str(tmp_path), "--templates", str(TEMPLATES),
               "--out", str(tmp_path / "a"), "--no-search", "-q")
    assert done.returncode == 0, done.stderr
    assert page(tmp_path / "a", "/").find(".//link[@rel='canonical']").get("href") == "https://a.example/x/"
    assert text_of(page(tmp_path / "a", "/").find(".//title")) == "架空アーカイブ"
    done = cli("build", "--root", str(tmp_path), "--templates", str(TEMPLATES),
               "--out", str(tmp_path / "b"), "--no-search", "-q", "--base-url", "https://b.example/y")
    assert done.returncode == 0, done.stderr
    assert page(tmp_path / "b", "/").find(".//link[@rel='canonical']").get("href") == "https://b.example/y/"


def test_a_bad_base_url_is_reported_with_where_it_came_from(tmp_path: Path):
    shutil.copytree(ARCHIVE, tmp_path / "content")
    done = cli("build", "--content", str(tmp_path / "content"), "--templates", str(TEMPLATES),
               "--out", str(tmp_path / "out"), "--no-search", "--base-url", "example.org/cio")
    assert done.returncode == 1
    assert done.stderr.startswith("--base-url:0:0: エラー: 公開URLは https://"), done.stderr
    assert "Traceback" not in done.stderr
    (tmp_path / "site.toml").write_text('language = "ja"\n\nbase_url = "/cio/"\nper_page = 0\n', "utf-8")
    done = cli("build", "--content", str(tmp_path / "content"), "--templates", str(TEMPLATES),
               "--out", str(tmp_path / "out"), "--no-search", cwd=tmp_path)
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert lines[0].startswith("site.toml:3:1: エラー: `base_url`: 公開URLは"), lines
    assert lines[1].startswith("site.toml:4:1: エラー: `per_page`:"), lines
    assert not (tmp_path / "out").exists()


# ---- fingerprinted assets ---------------------------------------------------------------------


def test_css_is_published_under_its_content_hash_and_pages_use_that_name(site: Path):
    source = (TEMPLATES / "static" / "style.css").read_bytes()
    digest = hashlib.sha256(source).hexdigest()[:8]
    published = site / "static" / f"style.{digest}.css"
    assert published.read_bytes() == source
    assert not (site / "static" / "style.css").exists()
    for url in html_pages(site):
        href = page(site, url).find(".//link[@rel='stylesheet']").get("href")
        assert urljoin("/x" + url, href) == f"/x/static/style.{digest}.css", url


def test_references_between_static_files_follow_their_hashed_names(tmp_path: Path):
    static = tmp_path / "static"
    (static / "fonts").mkdir(parents=True)
    (static / "fonts" / "a.woff2").write_bytes(b"\x00font")
    (static / "ui.css").write_text('@font-face { src: url("fonts/a.woff2") format("woff2"); }\n', "utf-8")
    (static / "helper.js").write_text("export const answer = 42;\n", "utf-8")
    (static / "app.js").write_text(
        'import { answer } from "./helper.js";\nconst w = new Worker("./helper.js?v");\n'
        'fetch("https://example.org/helper.js");\n', "utf-8")
    assets, errors = plan_assets(static)
    assert errors == []
    urls = {a.name: a.url for a in assets}
    assert sorted(urls) == ["app.js", "fonts/a.woff2", "helper.js", "ui.css"]
    helper = urls["helper.js"].rsplit("/", 1)[1]
    app = next(a for a in assets if a.name == "app.js").data.decode()
    assert f'from "./{helper}"' in app and f'new Worker("./{helper}?v")' in app
    assert 'fetch("https://example.org/helper.js")' in app
    css = next(a for a in assets if a.name == "ui.css").data.decode()
    assert f'url("{urls["fonts/a.woff2"].removeprefix("/static/")}")' in css
    for asset in assets:  # each name carries the hash of the bytes published under it
        assert hashlib.sha256(asset.data).hexdigest()[:8] in asset.url
    # A change in the helper changes the name of the file that imports it.
    (static / "helper.js").write_text("export const answer = 43;\n", "utf-8")
    again = {a.name: a.url for a in plan_assets(static)[0]}
    assert again["helper.js"] != urls["helper.js"] and again["app.js"] != urls["app.js"]
    assert again["ui.css"] == urls["ui.css"]


def test_static_files_that_import_each_other_are_reported(tmp_path: Path):
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    (templates / "static" / "a.js").write_text('// a\nimport "./b.js";\n', "utf-8")
    (templates / "static" / "b.js").write_text('import "./a.js";\n', "utf-8")
    with pytest.raises(BuildFailed) as failed:
        build(ARCHIVE, templates, tmp_path / "out", search=False)
    messages = [str(e) for e in failed.value.errors]
    assert any(m.startswith(f"{templates.as_posix()}/static/a.js:2:1: エラー: b.js と互いに参照") for m in messages), messages


# ---- deterministic output ---------------------------------------------------------------------


def tree(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def build_in(workdir: Path, content: Path, seed: str, *extra: str) -> Path:
    """Build with the CLI from a folder of its own, with its own hash seed."""
    workdir.mkdir(parents=True)
    env = {**os.environ, "PYTHONHASHSEED": seed}
    env.pop("SOURCE_DATE_EPOCH", None)
    done = cli("build", "--content", str(content), "--templates", str(TEMPLATES),
               "--out", str(workdir / "site"), "--base-url", BASE, "-q", *extra, cwd=workdir, env=env)
    assert done.returncode == 0, done.stderr
    return workdir / "site"


def assert_identical(a: Path, b: Path) -> None:
    first, second = tree(a), tree(b)
    assert sorted(first) == sorted(second)
    assert [name for name in first if first[name] != second[name]] == []
    for name, data in first.items():  # no absolute path of the build machine in the output
        assert str(a).encode() not in data and str(ROOT).encode() not in data, name


def test_two_builds_are_byte_identical(tmp_path: Path):
    synthetic.write(40, tmp_path / "content")
    a = build_in(tmp_path / "one", tmp_path / "content", "1", "--no-search")
    b = build_in(tmp_path / "two", tmp_path / "content", "2", "--no-search")
    assert_identical(a, b)
    assert len(tree(a)) > 40


@pytest.mark.skipif(not HAS_SEARCH, reason="the search stage (search.py) has not landed yet")
def test_two_builds_with_the_search_index_are_byte_identical(tmp_path: Path):
    a = build_in(tmp_path / "one", ROOT / "content", "1")
    b = build_in(tmp_path / "two", ROOT / "content", "2")
    assert any(name.startswith("pagefind/") for name in tree(a))
    assert_identical(a, b)


def test_an_empty_feed_is_dated_by_source_date_epoch_not_the_clock(tmp_path: Path):
    (tmp_path / "content").mkdir()
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}
    done = cli("build", "--content", str(tmp_path / "content"), "--templates", str(TEMPLATES),
               "--out", str(tmp_path / "out"), "--no-search", "-q", env=env)
    assert done.returncode == 0, done.stderr
    updated = feed(tmp_path / "out", "/feed.xml").findtext(f"{ATOM}updated")
    assert rfc3339(updated) == dt.datetime.fromtimestamp(1700000000, dt.UTC)
