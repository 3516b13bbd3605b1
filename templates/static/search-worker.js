// The search itself, in a module Web Worker so that typing never waits for it.
//
// Pagefind runs here too. In a worker there is no <html lang="ja">, so Pagefind does not
// cut our query strings with Intl.Segmenter (its "ja" behaviour): the strings we pass are
// already tokens of the MeCab index and must reach the index unchanged.
//
// Messages in:  {type: "search", id, query, filters, sort, limit}  and  {type: "more", id, limit}
// Messages out: {type: "results", id, results, complete, total, shown}  or  {type: "error", …}

import {
  Lexicon, MARKER, combine, excerpt, intersect, matches, normalize, plan, queryParts, segment,
} from "./search-core.js";

let bundle = ""; // absolute URL of the Pagefind bundle, ending in "/"
let ready = null; // Promise of {pagefind, manifest, lexicon}
let current = null; // the search being shown: its state, for "more"

const BATCH = 6; // article texts fetched at once while checking candidates

self.onmessage = (event) => {
  const message = event.data;
  if (message.type === "init") {
    bundle = message.bundle;
    ready = start();
    ready.catch(() => {}); // reported with the first search
  } else if (message.type === "search") {
    run(message).catch((error) => fail(message.id, error));
  } else if (message.type === "more") {
    more(message).catch((error) => fail(message.id, error));
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
  const stop = new Set(manifest.stop);
  const stopSorted = [...manifest.stop].sort();
  return { pagefind, manifest, lexicon, stop, stopSorted, lookups: new Map(), texts: new Map() };
}

// ---- Pagefind lookups -----------------------------------------------------------------------

/** Article ids (and those matched in their text, not only in meta) for one Pagefind search,
 *  cached per search string and filters. */
function lookup(env, term, options) {
  const key = `${term}\u0000${JSON.stringify(options)}`;
  if (!env.lookups.has(key)) {
    env.lookups.set(key, env.pagefind.search(term, options).then((found) => {
      const ids = new Set();
      const inText = new Set();
      for (const r of found.results) {
        ids.add(r.id);
        if (r.words && r.words.length) inText.add(r.id);
      }
      return { ids, inText };
    }));
  }
  return env.lookups.get(key);
}

function someStopStartsWith(env, prefix) {
  const list = env.stopSorted;
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid] < prefix) lo = mid + 1;
    else hi = mid;
  }
  return lo < list.length && list[lo].startsWith(prefix);
}

/** One lookup of a plan step: a Set of ids, or null when the index cannot narrow it down
 *  (the key is in more than half of the articles and was left out). */
async function step(env, kind, text, options) {
  if (kind === "is") {
    if (env.stop.has(text)) return null;
    return (await lookup(env, `"${text}"`, options)).ids;
  }
  if (kind === "ends") {
    if (env.stop.has(text) || env.stop.has(text + MARKER)) return null;
    const [a, b] = await Promise.all([
      lookup(env, `"${text}"`, options), lookup(env, `"${text}${MARKER}"`, options)]);
    return new Set([...a.ids, ...b.ids]);
  }
  // "begins" and "inside": a prefix search finds tokens and suffixes that begin with it
  if (someStopStartsWith(env, text)) return null;
  return (await lookup(env, text, options)).ids;
}

/** The articles in which ``part`` may occur, and those in which it surely does. */
async function candidatesOf(env, part, options) {
  await env.lexicon.ensure(part);
  const steps = plan(part, env.lexicon);
  if (!steps.possible) return { ids: new Set(), sure: new Set() };
  const wanted = [];
  for (const j of steps.ends) wanted.push(["ends", part.slice(0, j)]);
  for (const [i, j] of steps.is) wanted.push(["is", part.slice(i, j)]);
  for (const i of steps.begins) wanted.push(["begins", part.slice(i)]);
  if (steps.inside) wanted.push(["inside", part]);
  const results = new Map();
  await Promise.all(wanted.map(async ([kind, text]) => {
    results.set(`${kind}:${text}`, await step(env, kind, text, options));
  }));
  const ids = combine(part, steps, (kind, text) => results.get(`${kind}:${text}`));
  let sure = new Set();
  if (steps.inside && !someStopStartsWith(env, part)) {
    // a token of the article's text contains the part: no need to read the text
    sure = (await lookup(env, part, options)).inText;
  }
  return { ids, sure };
}

// ---- a search ---------------------------------------------------------------------------------

async function run(message) {
  const env = await ready;
  const { id, query, filters, sort, limit } = message;
  const options = {};
  if (filters && Object.keys(filters).length) options.filters = filters;
  const parts = queryParts(query);
  const state = { id, parts, order: [], next: 0, results: [], sure: new Set(), pending: 0 };
  current = state;
  if (!parts.length && !options.filters) {
    post(state, true);
    return;
  }

  let ids = null;
  let sure = null;
  for (const part of parts) {
    const found = await candidatesOf(env, part, options);
    ids = intersect(ids, found.ids);
    sure = intersect(sure, found.sure);
    if (ids && ids.size === 0) break;
  }
  if (current !== state) return;

  // the order: Pagefind's ranking for the query's tokens, or by date
  const byDate = await lookupOrder(env, null, { ...options, sort: { date: sort === "old" ? "asc" : "desc" } });
  let order = byDate;
  if (sort !== "new" && sort !== "old" && parts.length) {
    const pieces = [];
    for (const part of parts) pieces.push(...segment(part, env.lexicon));
    const ranked = await lookupOrder(env, pieces.join(" "), options);
    const seen = new Set(ranked);
    order = ranked.concat(byDate.filter((x) => !seen.has(x)));
  }
  state.order = ids === null ? order : order.filter((x) => ids.has(x));
  state.sure = sure || new Set();
  state.total = state.order.length;
  await fill(env, state, limit);
}

async function lookupOrder(env, term, options) {
  const found = await env.pagefind.search(term, options);
  return found.results.map((r) => r.id);
}

async function more(message) {
  const env = await ready;
  if (!current || current.id !== message.id) return;
  await fill(env, current, message.limit);
}

/** Check candidates in order until ``limit`` results are known (or none are left). */
async function fill(env, state, limit) {
  while (state.results.length < limit && state.next < state.order.length) {
    const batch = state.order.slice(state.next, state.next + BATCH);
    state.next += batch.length;
    const records = await Promise.all(batch.map((pageId) => text(env, pageId)));
    if (current !== state) return;
    for (const record of records) {
      if (!state.parts.length || matches(record.normalized, state.parts)) {
        state.results.push(result(record, state.parts));
      }
    }
  }
  post(state, state.next >= state.order.length);
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

function result(record, parts) {
  return {
    url: record.url,
    title: record.title,
    date: record.date,
    iso: record.iso,
    kind: record.kind,
    municipalities: record.municipalities,
    excerpt: excerpt(record.text, record.normalized, record.body, parts),
  };
}

function post(state, complete) {
  if (current !== state) return;
  // Articles not yet read but sure to match (their tokens contain every part) count too.
  let unread = 0;
  for (let k = state.next; k < state.order.length; k++) if (state.sure.has(state.order[k])) unread++;
  self.postMessage({
    type: "results",
    id: state.id,
    results: state.results,
    complete,
    known: state.results.length + unread,
    candidates: state.order.length - state.next,
  });
}
