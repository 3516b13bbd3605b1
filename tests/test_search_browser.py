"""Search in headless Chromium: the fixture archive built with the real build (MeCab, the
Pagefind binary), served on 127.0.0.1 under a sub-path, and /search/?q=… driven with
Playwright. The segmenter and the normalization of search-core.js are checked in the same
browser against MeCab and against the Python side."""

from __future__ import annotations

import gzip
import json
import random
import re
import sys
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from conftest import FIXTURES, TEMPLATES

from cio_forum_site.commands.build import build
from cio_forum_site.search import indexer
from cio_forum_site.search.indexer import EVERY
from cio_forum_site.search.text import KEY_RUN, normalize, query_parts

sys.path.insert(0, str(FIXTURES / "search"))
from harness import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    CONTENT,
    TokenTruth,
    Truth,
    fixture_documents,
    load_queries,
    load_table,
    search,
    serve,
    wait_for_results,
)

pytestmark = pytest.mark.browser
PREFIX = "/archive/"  # the site is served under a sub-path, as on GitHub Pages


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("search-site") / "build"
    build(CONTENT, TEMPLATES, out)
    return out


@pytest.fixture(scope="module")
def served(site):
    with serve(site, PREFIX) as (base, sent):
        yield base, sent


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda e: errors.append(str(e)))
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    yield tab
    context.close()
    assert errors == []


@pytest.fixture(scope="module")
def truth() -> Truth:
    return Truth(fixture_documents())


def paths(base: str, urls) -> set[str]:
    return {PREFIX + u for u in urls}


def test_every_query_of_the_query_set_finds_exactly_the_articles_that_contain_it(
        served, page, truth):
    base, _ = served
    queries = load_queries()
    assert len(queries) >= 40
    assert {c for c, _ in queries} >= {"compound", "katakana", "surname", "place",
                                       "mixed-width", "multi-part", "no-hit", "inside-a-word"}
    page.goto(base + "search/")
    wrong = []
    for category, query in queries:
        got = search(page, query)
        want = paths(base, truth(query))
        if set(got) != want or len(got) != len(set(got)):
            wrong.append((category, query, sorted(want - set(got)), sorted(set(got) - want)))
        if category == "no-hit":
            assert not want, query  # the fixture really has no such article
    assert wrong == []


def test_results_show_title_date_municipalities_and_a_marked_excerpt(served, page):
    base, _ = served
    page.goto(base + "search/?q=" + quote("ゼロトラスト"))
    wait_for_results(page, "ゼロトラスト")
    results = page.locator("#search-results > li")
    assert results.count() == 1
    hit = results.first
    link = hit.locator("h2 a")
    assert link.inner_text().startswith("武蔵野市CIO×都CIOの座談会")
    assert link.evaluate("a => a.href") == base + "articles/0102-musashino/"
    meta = hit.locator(".card-meta").inner_text()
    assert "令和3年6月8日" in meta and "武蔵野市" in meta and "座談会" in meta
    marks = hit.locator(".card-summary mark").all_inner_texts()
    assert marks and all(m == "ゼロトラスト" for m in marks)
    assert "1件" in page.inner_text("#search-status")


def test_excerpts_are_the_text_as_written(served, page):
    """No artificial spaces between words: each excerpt, without its ellipses, is a piece of
    the article's own text, width and all (ｻﾃﾗｲﾄｵﾌｨｽ stays half-width)."""
    base, _ = served
    originals = {d.url: d.paragraphs() for d in fixture_documents()}
    page.goto(base + "search/")
    for query in ("人材育成", "ｻﾃﾗｲﾄｵﾌｨｽ", "Web会議", "薬師寺", "dx推進", "マイナンバーカード 避難所"):
        search(page, query)
        for hit in page.locator("#search-results > li").all():
            url = hit.locator("h2 a").evaluate("a => a.href").removeprefix(base)
            excerpt = hit.locator(".card-summary").inner_text()
            pieces = [p for p in excerpt.split("…") if p]
            assert pieces and all(any(piece in para for para in originals[url]) for piece in pieces), (
                query, excerpt)
            marked = hit.locator(".card-summary mark").all_inner_texts()
            assert marked and all(
                any(normalize(m) == part for part in query_parts(query)) for m in marked), marked


def test_the_query_stays_in_the_url_and_aria_busy_tracks_the_search(served, page):
    base, _ = served
    page.goto(base + "search/?q=" + quote("テレワーク"))
    wait_for_results(page, "テレワーク")
    assert page.locator("#search-results a").count() == 2
    assert page.input_value("#search-q") == "テレワーク"  # read from ?q= on load
    # typing, without submitting: the URL follows and the results follow
    page.evaluate("""() => {
        window.busy = [];
        new MutationObserver(() => busy.push(
            document.getElementById('search-results').getAttribute('aria-busy'))
        ).observe(document.getElementById('search-results'), {attributes: true});
    }""")
    page.press("#search-q", "End")
    page.type("#search-q", " 課題", delay=20)
    wait_for_results(page, "テレワーク 課題")
    assert "q=" + quote("テレワーク").replace("%20", "+") in page.url
    assert page.evaluate("busy")[-2:] == ["true", "false"]
    # a query that finds nothing
    page.fill("#search-q", "新幹線")
    page.press("#search-q", "Enter")
    wait_for_results(page, "新幹線")
    assert page.locator("#search-results a").count() == 0
    assert "見つかりませんでした" in page.inner_text("#search-status")
    assert page.get_attribute("#search-results", "aria-busy") == "false"
    # back to the shared URL of a search
    page.goto(page.url)
    wait_for_results(page, "新幹線")
    assert page.input_value("#search-q") == "新幹線"


def test_width_and_case_never_matter(served, page):
    base, _ = served
    page.goto(base + "search/")
    variants = ["ＤＸ推進", "dx推進", "Dx推進", "ｄｘ推進"]
    results = {v: search(page, v) for v in variants}
    assert len({tuple(sorted(r)) for r in results.values()}) == 1
    assert len(results["dx推進"]) == 2
    assert search(page, "ｶﾞﾊﾞﾒﾝﾄｸﾗｳﾄﾞ") == search(page, "ガバメントクラウド")


def test_filters_and_sort(served, page, truth):
    base, _ = served
    docs = {d.url: d for d in fixture_documents()}

    def run(params: str, query: str) -> list[str]:
        page.goto(base + "search/?" + params + "&q=" + quote(query))
        wait_for_results(page, query)
        while page.is_visible("#search-more"):
            page.click("#search-more")
            page.wait_for_function(
                "document.getElementById('search-results').getAttribute('aria-busy') === 'false'")
        return [u.removeprefix(PREFIX) for u in page.eval_on_selector_all(
            "#search-results a", "links => links.map(a => new URL(a.href).pathname)")]

    assert run("municipality=" + quote("小平市"), "テレワーク") == ["articles/0114-kodaira/"]
    assert page.input_value("select[name=municipality]") == "小平市"
    got = run("year=" + quote("令和3年度"), "真柴")
    want = {u for u in truth("真柴") if docs[u].fiscal_year == "令和3年度"}
    assert set(got) == want and len(want) == 2
    assert set(run("tag=" + quote("セキュリティ"), "対策")) == {
        u for u in truth("対策") if "セキュリティ" in docs[u].tags}
    newest = run("sort=new", "久遠寺")
    assert newest == sorted(truth("久遠寺"), key=lambda u: docs[u].date_iso, reverse=True)
    assert run("sort=old", "久遠寺") == newest[::-1]
    # filters alone list the articles, newest first
    only = run("municipality=" + quote("武蔵野市"), "")
    assert only == ["articles/0102-musashino/"]


def test_only_the_sites_own_files_are_loaded(served, browser):
    base, sent = served
    context = browser.new_context()
    tab = context.new_page()
    requests, failed = [], []
    tab.on("request", lambda r: requests.append(r.url))
    tab.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    sent.clear()
    tab.goto(base + "search/?q=" + quote("ガバメントクラウド"))
    wait_for_results(tab, "ガバメントクラウド")
    context.close()
    assert failed == []
    assert all(u.startswith(base) or u.startswith("data:") for u in requests), requests
    loaded = [path for path, _ in sent]
    assert any(p.startswith(PREFIX + "pagefind/index/") for p in loaded)
    assert any(p.startswith(PREFIX + "pagefind/ja/t/") for p in loaded)
    assert not any(p.endswith(".pf_fragment") for p in loaded)  # the text records serve instead


def core_module(site: Path) -> str:
    return next((site / "static").glob("search-core.*.js")).name


def test_browser_normalization_agrees_with_python(served, site, page):
    base, _ = served
    texts = [p for d in fixture_documents() for p in d.paragraphs()]
    texts += ["ＤＸ　推進", "Microsoft\u3000Teams", "a\u00a0b", "ｶﾞﾊﾞﾒﾝﾄ", "㍻と㈱", "İstanbul",
              "Ｗｉ－Ｆｉ ５Ｇ", "\ufeff前\u200b後", "ΣΑΣ", "x\ty\nz", " 前後 "]
    queries = [q for _, q in load_queries()] + ["　", "「新幹線」、", "a.b-c", "ＤＸ dx"]
    page.goto(base + "search/")
    got = page.evaluate("""async ([url, texts, queries]) => {
        const core = await import(url);
        return [texts.map(core.normalize), queries.map(core.queryParts),
                texts.map((t) => { const a = core.alignedNormalize(t); return a && a.norm; })];
    }""", [base + "static/" + core_module(site), texts, queries])
    assert got[0] == [normalize(t) for t in texts]
    assert got[1] == [query_parts(q) for q in queries]
    aligned = [a for a in got[2] if a is not None]
    assert len(aligned) >= len(texts) - 3 and all(a in got[0] for a in aligned)


def browser_segments(page, base: str, site: Path, parts: list[str]) -> dict[str, list[str]]:
    return page.evaluate("""async ([url, bundle, parts]) => {
        const core = await import(url);
        const get = async (u) => new Response(
            (await fetch(u)).body.pipeThrough(new DecompressionStream('gzip'))).json();
        const manifest = await get(bundle + 'ja/manifest.json.gz');
        const lexicon = new core.Lexicon(manifest.buckets,
                                         (b) => get(bundle + 'ja/lex/' + b + '.json.gz'));
        const out = {};
        for (const part of parts) {
            await lexicon.ensure(part);
            out[part] = core.segment(part, lexicon);
        }
        return [out, [...lexicon.words.keys()]];
    }""", [base + "static/" + core_module(site), base + "pagefind/", parts])


def test_the_segmenter_cuts_queries_as_mecab_does(served, site, page):
    """On the query set, wherever MeCab's tokens for a query are tokens of the archive
    (which is what the browser knows), the browser cuts the query into the same tokens.
    Also on 300 runs of 1–4 tokens taken from the archive's text."""
    import fugashi

    base, _ = served
    tagger = fugashi.Tagger("-Owakati")
    parts = sorted({p for _, q in load_queries() for p in query_parts(q)})
    rng = random.Random(7)
    runs = set()
    for doc in fixture_documents():
        for para in doc.paragraphs():
            tokens = tagger.parse(normalize(para)).split()
            for _ in range(3):
                k = rng.randint(1, 4)
                start = rng.randrange(max(1, len(tokens) - k + 1))
                run = tokens[start:start + k]
                if run and all(KEY_RUN.fullmatch(t) for t in run):
                    runs.add("".join(run))
    runs = sorted(runs)[:300] if len(runs) > 300 else sorted(runs)
    page.goto(base + "search/")
    segments, vocabulary = browser_segments(page, base, site, parts + runs)
    vocabulary = set(vocabulary)
    mecab = {p: KEY_RUN.findall(tagger.parse(p)) for p in parts + runs}
    known = [p for p in parts if set(mecab[p]) <= vocabulary]
    assert len(known) >= 60
    assert [(p, segments[p]) for p in known if segments[p] != mecab[p]] == []
    agree = sum(segments[r] == mecab[r] for r in runs) / len(runs)
    assert len(runs) >= 200 and agree >= 0.97, [
        (r, segments[r], mecab[r]) for r in runs if segments[r] != mecab[r]]


def test_a_larger_archive_with_stop_keys_and_many_index_chunks(tmp_path, browser, monkeypatch):
    """60 synthetic articles: keys in more than half of them are left out of the index,
    keys in more than 6 are indexed in shards, small index chunks make prefix lookups span
    chunks, and the lexicon comes in many buckets. Random strings taken from the text
    (inside words and across them), token runs and no-hit strings must still find exactly
    the articles that contain them."""
    from cio_forum_site import synthetic

    monkeypatch.setattr(indexer, "INDEX_CHUNK_SIZE", 300)
    monkeypatch.setattr(indexer, "LEXICON_BUCKET_BYTES", 400)  # the lexicon in many buckets
    monkeypatch.setattr(indexer, "SHARD_PAGES", 6)
    content = tmp_path / "content"
    synthetic.write(60, content)
    out = tmp_path / "build"
    build(content, TEMPLATES, out)
    truth = Truth(fixture_documents(content))
    rng = random.Random(11)
    texts = [p for d in truth.docs for p in d.paragraphs() if len(p) > 20]
    queries = set()
    while len(queries) < 40:
        text = normalize(rng.choice(texts))
        length = rng.randint(2, 7)
        start = rng.randrange(len(text) - length)
        query = text[start:start + length]
        if KEY_RUN.fullmatch(query):
            queries.add(query)
    queries |= {"の", "ます", "新幹線", "区市町村 連携", "ｾｷｭﾘﾃｨ", "ＤＸ", "榊原", "ワーク"}
    assert len(list((out / "pagefind" / "ja" / "lex").iterdir())) > 20
    assert len(list((out / "pagefind" / "index").iterdir())) > 20
    manifest = json.loads(gzip.decompress((out / "pagefind/ja/manifest.json.gz").read_bytes()))
    assert manifest["shards"][EVERY] == 10 and len(manifest["shards"]) > 100
    with serve(out, PREFIX) as (base, _):
        context = browser.new_context()
        tab = context.new_page()
        tab.goto(base + "search/")
        wrong = []
        for query in sorted(queries):
            got = set(search(tab, query))
            want = paths(base, truth(query))
            if got != want:
                wrong.append((query, sorted(want - got), sorted(got - want)))
        context.close()
    assert wrong == []


def test_a_search_shares_as_a_link_under_any_sub_path(served, browser):
    base, _ = served
    context = browser.new_context()
    tab = context.new_page()
    tab.goto(base + "articles/0101-hachioji/")
    search_link = tab.locator("header a", has_text="検索")
    assert search_link.count() == 1  # the header links to the search page
    search_link.click()
    tab.wait_for_url(re.compile(re.escape(base) + r"search/"))
    tab.fill("#search-q", "鷲見")
    tab.press("#search-q", "Enter")
    wait_for_results(tab, "鷲見")
    shared = tab.url
    # built without a base URL, links name index.html (so the files also work from disk)
    assert re.match(re.escape(base) + r"search/(index\.html)?\?q=", shared)
    other = browser.new_context().new_page()
    other.goto(shared)
    wait_for_results(other, "鷲見")
    assert other.locator("#search-results a").evaluate_all("l => l.map(a => a.href)") == [
        base + "articles/0101-hachioji/"]
    context.close()


def test_an_archive_without_articles_finds_nothing(tmp_path, browser):
    (tmp_path / "content").mkdir()
    build(tmp_path / "content", TEMPLATES, tmp_path / "out")
    with serve(tmp_path / "out", PREFIX) as (base, _):
        tab = browser.new_page()
        failed = []
        tab.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
        tab.goto(base + "search/?q=" + quote("テレワーク"))
        wait_for_results(tab, "テレワーク")
        assert "見つかりませんでした" in tab.inner_text("#search-status")
        assert tab.locator("#search-results a").count() == 0 and failed == []
        tab.close()


def test_the_plan_covers_every_way_a_part_can_lie_over_tokens(served, site, page):
    """plan/combine on a lexicon made by hand, loaded bucket by bucket: the part
    バメントク lies over the end of ガバメント (whose bucket is never loaded) and the token ク."""
    base, _ = served
    page.goto(base + "search/")
    result = page.evaluate("""async (url) => {
        const core = await import(url);
        const words = [["ガバメント", 900], ["ク", 100], ["ト", 50]];
        const count = 64;
        const buckets = Array.from({length: count}, () => ({words: [], suffixes: []}));
        for (const w of words) {
            buckets[w[0].codePointAt(0) % count].words.push(w);
            for (let j = 1; j < w[0].length; j++) {
                buckets[w[0][j].codePointAt(0) % count].suffixes.push(w[0].slice(j));
            }
        }
        const lexicon = new core.Lexicon(count, (b) => buckets[b]);
        const part = "バメントク";
        await lexicon.ensure(part);
        const steps = core.plan(part, lexicon).map((s) => [s.i, s.j, s.kind]);
        const sets = {"suffix:バメント": new Set(["a", "b"]), "exact:ク": new Set(["a", "c"]),
                      "prefix:ク": new Set(["a", "b", "c"]), "suffix:バメン": new Set(["b"]),
                      "exact:ト": new Set(["b"])};
        const found = core.combine(part, core.plan(part, lexicon),
            (kind, text) => sets[`${kind}:${text}`] ?? new Set(), () => null);
        return {steps, found: [...found].sort(), loadedGa: lexicon.hasWord("ガバメント"),
                segments: core.segment("クトクト", lexicon)};
    }""", base + "static/" + core_module(site))
    assert result["loadedGa"] is False  # its bucket was not needed
    # only the end of ガバメント is longer than any token loaded: the plan must still see it
    assert [0, 4, "suffix"] in result["steps"] and [4, 5, "exact"] in result["steps"]
    assert result["found"] == ["a"]  # a token ending in バメント (a, b) and then ク (a, c)
    assert result["segments"] == ["ク", "ト", "ク", "ト"]


def test_a_query_in_kana_finds_the_words_that_read_so(served, page, truth):
    """The reading set: a query in hiragana or katakana finds the articles that contain it
    as typed and those with a word that reads so, as whole words (しば is inside ましば: no
    match); participants' `kana:` wins over MeCab's reading of their names. The excerpt
    marks the word as written."""
    base, _ = served
    rows = load_table("readings.tsv")
    assert len(rows) >= 15
    tokens = TokenTruth(fixture_documents())
    page.goto(base + "search/")
    wrong = []
    for query, forms in rows:
        written = [w for w in forms.split(",") if w]
        want = set(truth(query)).union(*(tokens(w) for w in written))
        if written:
            assert want - set(truth(query)), query  # the reading finds more than the kana
        got = search(page, query)
        if set(got) != paths(base, want) or len(got) != len(set(got)):
            wrong.append((query, sorted(paths(base, want) - set(got)),
                          sorted(set(got) - paths(base, want))))
        marks = {normalize(m) for m in page.locator("#search-results mark").all_inner_texts()}
        if written and got and not marks <= {normalize(w) for w in written} | {query}:
            wrong.append((query, "marks", sorted(marks)))
    assert wrong == []


COUNT = re.compile(r"「(.+)」を含む記事: (約)?(\d+)件$")


def test_the_status_counts_the_articles_that_match(served, page, truth):
    """The count set: the first page already says how many articles match — exactly when the
    index alone decides it (a word of the archive is the query or contains it), else 約N —
    and once every result is shown the count is exact. Never 「10件以上」."""
    base, _ = served
    rows = load_table("counts.tsv")
    wrong = []
    for query, first in rows:
        page.goto(base + "search/?q=" + quote(query))
        wait_for_results(page, query)
        shown = COUNT.match(page.inner_text("#search-status"))
        want = len(truth(query))
        assert shown and shown.group(1) == query, page.inner_text("#search-status")
        if first == "exact" and (shown.group(2) or int(shown.group(3)) != want):
            wrong.append((query, "first page", shown.group(0), want))
        if not shown.group(2) and int(shown.group(3)) != want:
            wrong.append((query, "exact but wrong", shown.group(0), want))
        while page.is_visible("#search-more"):
            page.click("#search-more")
            page.wait_for_function(
                "document.getElementById('search-results').getAttribute('aria-busy') === 'false'")
        final = COUNT.match(page.inner_text("#search-status"))
        if final.group(2) or int(final.group(3)) != want:
            wrong.append((query, "all shown", final.group(0), want))
        assert page.locator("#search-results > li").count() == want
    assert wrong == []
    assert any(len(truth(q)) > 10 for q, f in rows if f == "exact")  # counted before read


def expected_order(docs, truth: Truth, query: str) -> list[str]:
    """The ranking, from the text as MeCab cuts it: per part, 2 when its words are words of
    the head, 1 when each of them is said 3 times or more in the body; then newer first."""
    import fugashi

    tagger = fugashi.Tagger("-Owakati")

    def words(paragraphs: list[str]) -> list[str]:
        return [w for p in paragraphs for w in tagger.parse(normalize(p)).split()]

    weight = {}
    for index, doc in enumerate(docs):
        if doc.url not in truth(query):
            continue
        head = set(words(doc.paragraphs()[:doc.head_size]))
        body = words(doc.paragraphs()[doc.head_size:])
        score = 0
        for part in query_parts(query):
            mine = tagger.parse(part).split()
            score += 2 * all(w in head for w in mine)
            score += all(body.count(w) >= 3 for w in mine)
        weight[doc.url] = (-score, index)
    return sorted(weight, key=weight.get)


def test_results_rank_by_where_the_words_are(served, page, truth):
    """The ranking set: title, participants, topics and municipalities before the body; then
    words said often; then the newer first."""
    base, _ = served
    docs = fixture_documents()
    page.goto(base + "search/")
    wrong = []
    for (query,) in load_table("ranking.tsv"):
        want = [PREFIX + u for u in expected_order(docs, truth, query)]
        got = search(page, query)
        if got != want:
            wrong.append((query, got, want))
    assert wrong == []
    # a participant's surname: where they took part before where they are only mentioned
    got = search(page, "五十嵐")  # took part in 0102; mentioned in 0114, which is newer
    took_part = {d.url for d in docs if any(p.startswith("五十嵐 ") for p in d.participants)}
    k = len(took_part)
    assert {u.removeprefix(PREFIX) for u in got[:k]} == took_part and len(got) > k
    # テレワーク: the articles whose 議題 has it first
    got = search(page, "テレワーク")
    assert {u.removeprefix(PREFIX) for u in got[:2]} == {
        d.url for d in docs if any("テレワーク" in normalize(t) for t in d.topics)}


def test_a_query_that_finds_nothing_offers_one_that_does(served, page):
    """The suggestion set: a query one character away from words of the archive offers the
    query put right, as a link in the status line that runs it."""
    base, _ = served
    page.goto(base + "search/")
    wrong = []
    for query, offered in load_table("suggestions.tsv"):
        assert search(page, query) == []
        links = page.locator("#search-status a[data-suggestion]")
        got = links.all_inner_texts()
        if got != ([offered] if offered else []):
            wrong.append((query, got, offered))
        elif offered:
            assert f"「{offered}」で検索" in page.inner_text("#search-status")
            href = links.first.get_attribute("href")
            assert href == "?" + urlencode({"q": offered})
    assert wrong == []
    # the link runs the search it offers
    search(page, "薬師時")
    page.click("#search-status a[data-suggestion]")
    wait_for_results(page, "薬師寺")
    assert page.input_value("#search-q") == "薬師寺"
    assert page.locator("#search-results > li").count() == 5


def said_by(docs) -> dict[str, list[tuple[str, str]]]:
    """url → [(paragraph, speaker's name)] for every paragraph said by a participant."""
    from cio_forum_site.search.documents import body_turns

    return {d.url: [(p, who.name) for p, who in body_turns(d.article) if who] for d in docs}


def test_excerpts_name_the_speaker_and_the_speaker_filter_keeps_their_words(served, page):
    """The speaker set: an excerpt from a speaker turn names the speaker (名前（所属・役職）);
    the 発言者 filter finds the articles where that participant says the query."""
    base, _ = served
    docs = fixture_documents()
    turns = said_by(docs)
    labels = {}
    for d in docs:
        for p in d.article.participants:
            labels[p.name] = p
    page.goto(base + "search/")
    named = 0
    for query in ("ゼロトラスト", "セキュリティ", "人材育成", "窓口"):
        search(page, query)
        for hit in page.locator("#search-results > li").all():
            url = hit.locator("h2 a").evaluate("a => a.href").removeprefix(base)
            pieces = [p for p in hit.locator(".card-summary").inner_text().split("…") if p]
            speaker = hit.locator(".search-speaker")
            if speaker.count():
                named += 1
                label = speaker.inner_text().removeprefix("発言: ")
                name = label.split("（")[0]
                person = labels[name]
                assert label == f"{name}（{person.organization}{person.role or person.position}）"
                assert all(any(piece in p for p, who in turns[url] if who == name)
                           for piece in pieces), (query, label, pieces)
            else:  # not from a turn: from the title, a heading, a question or prose
                assert not any(all(piece in p for piece in pieces) for p, _ in turns[url]
                               if len(pieces[0]) > 20), (query, pieces)
    assert named >= 5
    wrong = []
    for speaker, query in load_table("speakers.tsv"):
        want = {d.url for d in docs if any(
            normalize(query) in normalize(p) for p, who in turns[d.url] if who == speaker)}
        page.goto(base + "search/?" + urlencode({"speaker": speaker, "q": query}))
        wait_for_results(page, query)
        while page.is_visible("#search-more"):
            page.click("#search-more")
            page.wait_for_function(
                "document.getElementById('search-results').getAttribute('aria-busy') === 'false'")
        got = {u.removeprefix(PREFIX) for u in page.eval_on_selector_all(
            "#search-results a", "links => links.map(a => new URL(a.href).pathname)")}
        if got != want:
            wrong.append((speaker, query, sorted(want - got), sorted(got - want)))
        assert page.input_value("select[name=speaker]") == speaker
        for label in page.locator(".search-speaker").all_inner_texts():
            if query:
                assert label.startswith(f"発言: {speaker}（"), label
    assert wrong == []


def test_each_filter_option_shows_its_count_for_the_query(served, page, truth):
    """区市町村, 年度 and テーマ options say how many articles each would leave for the
    current query (within the other filters; a field's own choice aside): 小平市 (1)."""
    base, _ = served
    docs = fixture_documents()
    values = {"municipality": lambda d: d.municipalities, "year": lambda d: (d.fiscal_year,),
              "tag": lambda d: d.tags}

    def shown() -> dict[str, dict[str, str]]:
        if not page.eval_on_selector("#search-options", "d => d.open"):
            page.click("#search-options > summary")  # 絞り込み, folded unless a filter is set
        page.focus("select[name=municipality]")  # the counts are asked for at the filters
        page.wait_for_function("""() => [...document.querySelectorAll(
            'select[name=municipality] option')].slice(1).every((o) => / \\(/.test(o.text))""")
        return {name: {o["value"]: o["text"] for o in page.eval_on_selector_all(
            f"select[name={name}] option",
            "os => os.slice(1).map((o) => ({value: o.value, text: o.text}))")}
            for name in values}

    for query, chosen in (("テレワーク", {}), ("真柴", {}), ("対策", {"municipality": "新宿区"}),
                          ("職員", {"year": "令和6年度", "tag": "人材育成"}), ("", {"tag": "防災"})):
        page.goto(base + "search/?" + urlencode({**chosen, "q": query}))
        wait_for_results(page, query)
        got = shown()
        for name, of in values.items():
            others = {k: v for k, v in chosen.items() if k != name}
            pool = [d for d in docs if (not query or d.url in truth(query))
                    and all(v in values[k](d) for k, v in others.items())]
            for value, text in got[name].items():
                n = sum(value in of(d) for d in pool)
                assert text in (f"{value} ({n})", f"{value} (約{n})"), (query, chosen, text, n)
        # after every result is shown, the counts are exact
        while page.is_visible("#search-more"):
            page.click("#search-more")
            page.wait_for_function(
                "document.getElementById('search-results').getAttribute('aria-busy') === 'false'")
        page.focus("#search-q")
        page.focus("select[name=municipality]")  # asked again: more results are known now
        page.wait_for_function("""() => [...document.querySelectorAll('.search-filters option')]
            .every((o) => !o.text.includes('約'))""")
    assert page.input_value("select[name=tag]") == "防災"  # the value is the name, not the label
