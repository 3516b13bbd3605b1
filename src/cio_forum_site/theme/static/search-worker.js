// The search itself, in a module Web Worker so that typing never waits for it.
//
// Pagefind runs here too. In a worker there is no <html lang="ja">, so Pagefind does not
// cut our query strings with Intl.Segmenter (its "ja" behaviour): the strings we pass are
// already tokens of the MeCab index and must reach the index unchanged.
//
// Messages in:  {type: "search", id, query, filters, sort, limit}  and  {type: "more", id, limit}
// Messages out: {type: "results", id, results, complete, known, exact}  or  {type: "error", …}

import {
  Lexicon, Readings, combine, excerpt, intersect, lowerBound, nearStrings, normalize, pairsOf,
  plan, pickParagraph, queryParts, readingAlternatives, segment, union,
} from "./search-core.js";

let bundle = ""; // absolute URL of the Pagefind bundle, ending in "/"
let ready = null; // Promise of {pagefind, manifest, lexicon}
let current = null; // the search being shown: its state, for "more"

const BATCH = 10; // at most this many article texts are fetched at once

self.onmessage = (event) => {
  const message = event.data;
  if (message.type === "init") {
    bundle = message.bundle;
    ready = start();
    ready.then(warmUp).catch(() => {}); // a failure is reported with the first search
  } else if (message.type === "search") {
    run(message).catch((error) => fail(message.id, error));
  } else if (message.type === "more") {
    more(message).catch((error) => fail(message.id, error));
  } else if (message.type === "counts") {
    counts(message).catch((error) => fail(message.id, error));
  }
};

function fail(id, error) {
  self.postMessage({ type: "error", id, message: String(error && error.message || error) });
}

async function fetchGzipJson(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  const stream = response.body.pipeThrough(new DecompressionStream("gzip"));
  return new Response(stream).json();
}

async function start() {
  const [pagefind, manifest] = await Promise.all([
    import(`${bundle}pagefind.js`),
    fetchGzipJson(`${bundle}ja/manifest.json.gz`),
  ]);
  await pagefind.options({ basePath: bundle, exactDiacritics: true, excerptLength: 0 });
  await pagefind.init();
  const lexicon = new Lexicon(manifest.buckets, (b) => fetchGzipJson(`${bundle}ja/lex/${b}.json.gz`));
  const readings = manifest.readingBuckets
    ? new Readings(manifest.readingBuckets, (b) => fetchGzipJson(`${bundle}ja/yomi/${b}.json.gz`))
    : null;
  return {
    pagefind,
    manifest,
    lexicon,
    readings,
    stop: new Set(manifest.stop),
    stopSorted: [...manifest.stop].sort(),
    stopPairs: new Set(manifest.stopPairs),
    shards: new Map(Object.entries(manifest.shards || {})),
    lookups: new Map(),
    preloaded: new Map(), // index chunk → Promise of its loading
    texts: new Map(),
  };
}

/** While the reader types: one real lookup, of the key every article has (its first shard),
 *  so that the browser has compiled Pagefind's search and our handling of its results
 *  before the first query (the first query's lookups otherwise run as cold code, several
 *  times slower). It costs one index chunk. */
async function warmUp(env) {
  if (!env.manifest.documents) return;
  const every = env.manifest.every;
  await lookup(env, env.shards.has(every) ? `"${every}${env.manifest.shard}0"` : `"${every}"`, {});
}

// ---- Pagefind lookups -----------------------------------------------------------------------

/** Article ids (and those matched in their text, not only in meta) for one Pagefind search,
 *  cached per search string and filters. */
function lookup(env, term, options) {
  const key = `${term}\u0000${JSON.stringify(options)}`;
  if (!env.lookups.has(key)) {
    const searches = shardsOf(env, term).map((t) => env.pagefind.search(t, options));
    env.lookups.set(key, Promise.all(searches).then((founds) => {
      const ids = new Set();
      const inText = new Set();
      for (const found of founds) {
        for (const r of found.results) {
          ids.add(r.id);
          if (r.words && r.words.length) inText.add(r.id);
        }
      }
      return { ids, inText };
    }));
  }
  return env.lookups.get(key);
}

/** The Pagefind searches that make up a search for ``term``: the term itself or, for an
 *  exact key the build indexed in shards (a key of very many articles: Pagefind's time
 *  grows with the square of a word's pages), one per shard. */
function shardsOf(env, term) {
  const exact = /^"(.+)"$/su.exec(term);
  const count = exact ? env.shards.get(exact[1]) : undefined;
  if (!count) return [term];
  return Array.from({ length: count }, (_, k) => `"${exact[1]}${env.manifest.shard}${k}"`);
}

function someStopStartsWith(env, prefix) {
  const k = lowerBound(env.stopSorted, prefix);
  return k < env.stopSorted.length && env.stopSorted[k].startsWith(prefix);
}

const stripMarks = (text) => text.normalize("NFD").replace(/\p{M}/gu, "");

/** The index chunk whose key range holds ``key`` (Pagefind compares keys without
 *  diacritics). */
function chunkOf(env, key) {
  const chunks = env.manifest.chunks;
  const low = stripMarks(key);
  let lo = 0;
  let hi = chunks.length - 1;
  while (lo < hi) { // the last chunk that begins at or before the key
    const mid = (lo + hi + 1) >> 1;
    if (chunks[mid][0] <= low) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Load index chunks (by number), each once; resolves when all of them are loaded (also
 *  those another lookup began to load). */
function loadChunks(env, numbers) {
  const fresh = [...new Set(numbers)].filter((c) => !env.preloaded.has(c));
  if (fresh.length) {
    const terms = fresh.flatMap((c) => env.manifest.chunks[c].filter(Boolean));
    const loading = env.pagefind.preload(terms.join(" "));
    for (const c of fresh) env.preloaded.set(c, loading);
  }
  return Promise.all(numbers.map((c) => env.preloaded.get(c)));
}

/** Pagefind loads only the index chunk whose key range holds a search string, so a prefix
 *  search would miss the extensions that sit in the following chunks. Load every chunk
 *  that keys beginning with ``prefix`` can be in first. */
async function preloadPrefix(env, prefix) {
  const chunks = env.manifest.chunks;
  const high = `${stripMarks(prefix)}\uffff`;
  const numbers = [];
  for (let c = chunkOf(env, prefix); c < chunks.length && (!numbers.length || chunks[c][0] < high); c++) {
    numbers.push(c);
  }
  await loadChunks(env, numbers);
}

/** One lookup of a plan step: a Set of ids, or null when the index cannot narrow it down
 *  (a key in more than half of the articles was left out of it). */
async function step(env, kind, text, options) {
  const { marker } = env.manifest;
  if (kind === "exact") {
    if (env.stop.has(text)) return null;
    return (await lookup(env, `"${text}"`, options)).ids;
  }
  if (kind === "suffix") {
    if (env.stop.has(text + marker)) return null;
    return (await lookup(env, `"${text}${marker}"`, options)).ids;
  }
  // "prefix" and "inside": the articles with a token (or a suffix of one) that begins with it
  const found = await containing(env, text, options);
  return found && found.ids;
}

const EXTENSIONS = 16; // at most this many keys beginning with a string are looked up one by one

/** The articles with an index key that begins with ``text`` ({ids, inText}), or null when
 *  a left-out key begins with it. The lexicon lists those keys: when they are few, each is
 *  looked up exactly, which costs Pagefind far less than one prefix search for all of them
 *  (its time grows with the square of the pages it gathers, ranking keys and pairs among
 *  them); otherwise one prefix search. */
async function containing(env, text, options) {
  if (someStopStartsWith(env, text)) return null;
  const keys = env.lexicon.extensions(text, EXTENSIONS);
  if (keys === null) {
    await preloadPrefix(env, text);
    return lookup(env, text, options);
  }
  const ids = new Set();
  const inText = new Set();
  for (const found of await Promise.all(keys.map((k) => lookup(env, `"${k}"`, options)))) {
    for (const x of found.ids) ids.add(x);
    for (const x of found.inText) inText.add(x);
  }
  return { ids, inText };
}

async function pairStep(env, left, right, options) {
  const key = left + env.manifest.pair + right;
  if (env.stopPairs.has(key)) return null;
  return (await lookup(env, `"${key}"`, options)).ids;
}

/** The articles in which ``part`` may occur, and those in which it surely does. */
async function candidatesOf(env, part, options) {
  await env.lexicon.ensure(part);
  const steps = plan(part, env.lexicon);
  if (!steps.length) return { ids: new Set(), sure: new Set() };
  const found = new Map();
  const pairs = new Map();
  await Promise.all([
    ...steps.map(async (s) => {
      const text = part.slice(s.i, s.j);
      found.set(`${s.kind}:${text}`, await step(env, s.kind, text, options));
    }),
    ...pairsOf(part, steps).map(async ([left, right]) => {
      pairs.set(`${left} ${right}`, await pairStep(env, left, right, options));
    }),
  ]);
  const ids = combine(part, steps,
    (kind, text) => found.get(`${kind}:${text}`),
    (left, right) => pairs.get(`${left} ${right}`));
  let sure = new Set();
  if (steps[0].kind === "inside" && found.get(`inside:${part}`)) {
    // a token of the article's text contains the part: no need to read the text
    sure = (await containing(env, part, options)).inText;
  }
  return { ids, sure };
}

/** A query part and its alternatives: the part as typed (found wherever the string occurs)
 *  and, for a part in kana, the written forms that read so (found where their words are
 *  whole words of the article). ``ids``: the candidates of the part; ``sure``: those that
 *  surely match without reading their text. */
async function partOf(env, text, options) {
  // the string as typed and its readings are looked up side by side (fewer round trips)
  const [literal, found] = await Promise.all([
    candidatesOf(env, text, options),
    readingAlternatives(text, env.readings).then((alts) => Promise.all(
      alts.map(async (alt) => ({ alt, found: await alternativeOf(env, alt, options) })))),
  ]);
  const alts = [{ text, ids: null }];
  let { ids, sure } = literal;
  for (const { alt, found: f } of found) {
    alts.push({ text: alt.text, ids: f.ids });
    ids = union(ids, f.ids);
    sure = union(sure, f.sure);
  }
  return { text, alts, ids, sure };
}

async function alternativeOf(env, alt, options) {
  await env.lexicon.ensure(alt.text);
  const words = alt.words.filter((w) => env.lexicon.hasWord(w));
  const [candidates, ...exact] = await Promise.all([
    candidatesOf(env, alt.text, options), ...words.map((w) => step(env, "exact", w, options))]);
  let { ids } = candidates;
  for (const found of exact) ids = intersect(ids, found);
  const sure = ids && alt.words.length === 1 && words.length === 1 ? ids : new Set();
  return { ids, sure };
}

/** The texts of the alternatives found in an article (to mark), or null when some part
 *  is not found in it. */
function marksIn(pageId, normalized, parts) {
  const texts = [];
  for (const part of parts) {
    const here = part.alts.filter((alt) => (alt.ids === null || alt.ids.has(pageId))
      && normalized.some((p) => p.includes(alt.text)));
    if (!here.length) return null;
    texts.push(...here.map((alt) => alt.text));
  }
  return texts;
}

// ---- counts per filter option ---------------------------------------------------------------

/** How many articles each filter option would leave for the current query: for a field,
 *  the query's matches under the other fields' filters, with that option. ``fields``:
 *  filter → the values to count. Answers {type: "counts", id, counts: {filter: {value:
 *  [n, exact]}}}; exact when every article counted is known to match (read, or sure). */
async function counts(message) {
  const env = await ready;
  const state = current;
  if (!state || state.id !== message.id) return;
  const out = {};
  for (const [field, values] of Object.entries(message.fields)) {
    const others = { ...state.filters };
    delete others[field];
    const base = field in state.filters ? await matchesUnder(env, state, others) : known(state);
    if (current !== state) return;
    out[field] = {};
    for (const value of values) {
      const pages = (await lookup(env, `"${env.manifest.every}"`, { filters: { [field]: value } })).ids;
      let n = 0;
      let exact = true;
      for (const x of pages) {
        const how = base.get(x);
        if (how === undefined) continue;
        n++;
        if (how !== "yes") exact = false;
      }
      out[field][value] = [n, exact];
    }
  }
  if (current === state) self.postMessage({ type: "counts", id: state.id, counts: out });
}

/** The current search's candidates: page → "yes" (read and matched, or sure) or "maybe". */
function known(state) {
  const base = new Map();
  const matched = new Set(state.matched || []);
  state.order.forEach((x, k) => {
    if (k < state.next) {
      if (matched.has(x)) base.set(x, "yes");
    } else base.set(x, state.sure.has(x) ? "yes" : "maybe");
  });
  return base;
}

/** The same for the query under other filters (computed again, lookups cached). */
async function matchesUnder(env, state, filters) {
  const options = Object.keys(filters).length ? { filters } : {};
  let ids = null;
  let sure = null;
  for (const text of state.texts) {
    const part = await partOf(env, text, options);
    ids = intersect(ids, part.ids);
    sure = intersect(sure, part.sure);
  }
  if (ids === null) {
    ids = new Set(await dateOrder(env, options, "new"));
    sure = state.texts.length ? sure : ids;
  }
  if (filters.speaker) sure = new Set();
  const base = new Map();
  for (const x of ids) base.set(x, sure && sure.has(x) ? "yes" : "maybe");
  return base;
}

// ---- suggestions ------------------------------------------------------------------------------

/** For a query that finds nothing: the same query with one part put right — a part one
 *  character away from words of the archive (``nearStrings``) — that finds something.
 *  Null when there is none. */
async function suggestion(env, texts, options) {
  for (let k = 0; k < texts.length; k++) {
    const part = texts[k];
    await env.lexicon.ensure(part);
    const near = nearStrings(part, env.lexicon);
    for (const text of near) {
      const query = texts.map((t, j) => (j === k ? text : t));
      if (await hasResults(env, query, options)) return query.join(" ");
    }
  }
  return null;
}

/** Whether every part of ``query`` occurs in some article (reads candidates until one
 *  matches; at most a page of them). */
async function hasResults(env, query, options) {
  let ids = null;
  const parts = [];
  for (const text of query) {
    const part = await partOf(env, text, options);
    parts.push(part);
    ids = intersect(ids, part.ids);
    if (ids && ids.size === 0) return false;
  }
  const order = ids === null ? [] : [...ids].slice(0, BATCH);
  for (const pageId of order) {
    const record = await text(env, pageId);
    if (marksIn(pageId, record.normalized, parts)) return true;
  }
  return false;
}

// ---- a search ---------------------------------------------------------------------------------

async function run(message) {
  const env = await ready;
  const { id, query, filters, sort, limit } = message;
  const options = {};
  if (filters && Object.keys(filters).length) options.filters = filters;
  const speaker = (filters && filters.speaker) || "";
  const texts = queryParts(query);
  const state = { id, texts: [], parts: [], order: [], next: 0, results: [], sure: new Set(),
    speaker, filters: options.filters || {} };
  state.texts = texts;
  current = state;
  if (!texts.length && !options.filters) {
    post(state, true);
    return;
  }

  // The parts and the articles by date side by side: one wait, not one after the other.
  const [parts, byDate] = await Promise.all([
    Promise.all(texts.map((text) => partOf(env, text, options))),
    dateOrder(env, options, sort),
  ]);
  let ids = null;
  let sure = null;
  for (const part of parts) {
    state.parts.push(part);
    ids = intersect(ids, part.ids);
    sure = intersect(sure, part.sure);
    if (ids && ids.size === 0) break;
  }
  if (current !== state) return;

  if (ids && ids.size === 0) {
    if (texts.length) state.suggestion = await suggestion(env, texts, options);
    post(state, true);
    return;
  }
  // The order: by date, or by where the words are (then by date).
  const order = ids === null ? byDate : byDate.filter((x) => ids.has(x));
  if (sort !== "new" && sort !== "old" && texts.length) {
    const weight = await weights(env, state.parts, options);
    const at = new Map(order.map((x, k) => [x, k]));
    order.sort((a, b) => (weight.get(b) || 0) - (weight.get(a) || 0) || at.get(a) - at.get(b));
  }
  state.order = order;
  // no words: every article listed matches; a speaker's words: read to know
  state.sure = !texts.length ? new Set(order) : speaker ? new Set() : sure || new Set();
  await fill(env, state, limit);
}

/** The ranking: per part, 2 for an article with it in the title, participants, topics or
 *  municipalities (the head), 1 for one that says it MANY times or more (indexer.py); the
 *  newer first among equals (the order they come in). */
async function weights(env, parts, options) {
  const weight = new Map();
  const add = (ids, w) => { for (const x of ids || []) weight.set(x, (weight.get(x) || 0) + w); };
  // every lookup at once; then added up in the same order as before
  const found = await Promise.all(parts.map((part) => Promise.all(part.alts.map((alt) => Promise.all([
    fieldIds(env, alt.text, env.manifest.head, options),
    fieldIds(env, alt.text, env.manifest.often, options),
  ])))));
  for (const alts of found) {
    let head = new Set();
    let often = new Set();
    for (const [h, o] of alts) {
      head = union(head, h);
      often = union(often, o);
    }
    add(head, 2);
    add(often, 1);
  }
  return weight;
}

/** The articles that have every word of ``text`` marked with ``mark`` (none when a word
 *  is not a word of the lexicon, or its key was left out). */
async function fieldIds(env, text, mark, options) {
  if (!mark) return new Set();
  const words = segment(text, env.lexicon);
  if (words.some((word) => !env.lexicon.hasWord(word) || env.stop.has(word + mark))) return new Set();
  let ids = null;
  for (const found of await Promise.all(words.map((word) => lookup(env, `"${word}${mark}"`, options)))) {
    ids = intersect(ids, found.ids);
  }
  return ids || new Set();
}

/** Every article (those the filters leave), newest first or, for ``sort`` "old", oldest
 *  first. The build lists them by date in the manifest: asking Pagefind to list and sort
 *  all of them took longer than the rest of a search at 10,000 articles. EVERY is the key
 *  all articles have: searching for it with the filters gives the articles they leave. */
async function dateOrder(env, options, sort) {
  let ids = [...(env.manifest.order || [])];
  if (options.filters) {
    const allowed = (await lookup(env, `"${env.manifest.every}"`, options)).ids;
    ids = ids.filter((x) => allowed.has(x));
  }
  return sort === "old" ? ids.reverse() : ids;
}

async function more(message) {
  const env = await ready;
  if (!current || current.id !== message.id) return;
  await fill(env, current, message.limit);
}

/** Check candidates in order until ``limit`` results are known (or none are left). */
async function fill(env, state, limit) {
  while (state.results.length < limit && state.next < state.order.length) {
    // as many as are still wanted (they usually all match), at most BATCH at once
    const wanted = Math.min(BATCH, limit - state.results.length);
    const batch = state.order.slice(state.next, state.next + wanted);
    state.next += batch.length;
    const records = await Promise.all(batch.map((pageId) => text(env, pageId)));
    if (current !== state) return;
    records.forEach((record, k) => {
      const normalized = state.speaker ? said(record, state.speaker) : record.normalized;
      const marks = marksIn(batch[k], normalized, state.parts);
      if (marks) {
        state.results.push(result(record, normalized, marks));
        (state.matched ||= []).push(batch[k]);
      }
    });
  }
  if (state.next >= state.order.length && !state.results.length && state.parts.length) {
    state.suggestion = await suggestion(env, state.parts.map((p) => p.text), {});
  }
  post(state, state.next >= state.order.length);
}

/** The normalized paragraphs with only what ``name`` says left in them. */
function said(record, name) {
  const who = record.speakers.findIndex(([n]) => n === name);
  const out = record.normalized.map(() => "");
  for (const [first, end, speaker] of record.turns) {
    if (speaker === who) for (let k = first; k < end; k++) out[k] = record.normalized[k];
  }
  return out;
}

async function text(env, pageId) {
  if (!env.texts.has(pageId)) {
    env.texts.set(pageId, fetchGzipJson(`${bundle}ja/t/${pageId}.json.gz`).then((record) => {
      record.normalized = record.text.map(normalize);
      return record;
    }));
  }
  return env.texts.get(pageId);
}

function result(record, normalized, parts) {
  const at = pickParagraph(normalized, record.body, parts);
  const turn = record.turns.find(([first, end]) => first <= at && at < end);
  return {
    speaker: turn ? record.speakers[turn[2]][1] : "",
    url: record.url,
    title: record.title,
    date: record.date,
    iso: record.iso,
    kind: record.kind,
    municipalities: record.municipalities,
    excerpt: excerpt(record.text, normalized, record.body, parts),
  };
}

function post(state, complete) {
  if (current !== state) return;
  self.postMessage({
    type: "results",
    id: state.id,
    results: state.results,
    complete, // every candidate has been read
    suggestion: state.suggestion || null, // a query that finds something, when this finds nothing
    ...count(state),
  });
}

/** How many articles match: exact when every candidate not yet read is sure to match (the
 *  index alone decides it: a word of theirs is the part, or contains it); otherwise an
 *  estimate, from the share of the candidates read so far that matched. */
function count(state) {
  let sure = 0;
  for (let k = state.next; k < state.order.length; k++) if (state.sure.has(state.order[k])) sure++;
  const unsure = state.order.length - state.next - sure;
  const found = state.results.length + sure;
  if (unsure === 0) return { count: found, exact: true };
  const read = state.next;
  const share = read ? state.results.length / read : 1;
  return { count: Math.max(found, found + Math.round(unsure * share)), exact: false };
}
