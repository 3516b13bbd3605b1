// Japanese search, the parts that need no browser: normalization, the segmenter, the plan
// of Pagefind lookups for a query, matching and excerpts. Used by search-worker.js and by
// the tests under node. The rules mirror src/cio_forum_site/search/text.py exactly.

export const MARKER = "\u16a0"; // ᚠ ends every suffix key in the index (indexer.py)

// Letters and digits of scripts that separate words with spaces (after lower-casing).
const SPACED = "0-9a-z\u00b5\u00df-\u00f6\u00f8-\u024f\u0370-\u03ff\u0400-\u04ff";
const WHITESPACE =
  "\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff";
const WS_RUN = new RegExp(`[${WHITESPACE}]+`, "gu");
const WS_DROP = new RegExp(`(?<![${SPACED}]) | (?![${SPACED}])`, "gu");
const WS_ONLY = new RegExp(`^[${WHITESPACE}]+$`, "u");
const SPACED_CHAR = new RegExp(`^[${SPACED}]$`, "u");
const KEY_RUN = /[\p{L}\p{N}]+/gu;

/** The form in which text is searched: NFKC, lower case, no spaces between Japanese
 *  words ("山田 太郎" → "山田太郎"), one space between Latin words ("microsoft teams"). */
export function normalize(text) {
  return text.normalize("NFKC").toLowerCase().replace(WS_RUN, " ").replace(WS_DROP, "");
}

/** The parts of a query, each of which must be found: the runs of letters and digits
 *  (spaces of either width and punctuation separate parts). */
export function queryParts(query) {
  const parts = query.normalize("NFKC").toLowerCase().match(KEY_RUN) || [];
  return [...new Set(parts)];
}

/** ``normalize`` that also says where each normalized character came from, for
 *  highlighting in the original text: normalized character k comes from
 *  ``text.slice(start[k], end[k])``. Null when the text cannot be aligned character by
 *  character (then callers show the normalized text). */
export function alignedNormalize(text) {
  const clusters = text.match(/[^\p{M}\uff9e\uff9f][\p{M}\uff9e\uff9f]*|[\p{M}\uff9e\uff9f]+/gsu) || [];
  const pieces = [];
  let at = 0;
  for (const c of clusters) {
    pieces.push({ at, end: at + c.length, text: c.normalize("NFKC").toLowerCase() });
    at += c.length;
  }
  let norm = "";
  const start = [];
  const end = [];
  for (let k = 0; k < pieces.length; k++) {
    const piece = pieces[k];
    if (WS_ONLY.test(piece.text)) {
      let next = k + 1;
      while (next < pieces.length && WS_ONLY.test(pieces[next].text)) next++;
      const before = norm.slice(-1);
      const after = next < pieces.length ? pieces[next].text.slice(0, 1) : "";
      if (before && after && SPACED_CHAR.test(before) && SPACED_CHAR.test(after)) {
        norm += " ";
        start.push(piece.at);
        end.push(pieces[next - 1].end);
      }
      k = next - 1;
      continue;
    }
    for (let i = 0; i < piece.text.length; i++) {
      start.push(piece.at);
      end.push(piece.end);
    }
    norm += piece.text;
  }
  if (norm !== normalize(text)) return null;
  return { norm, start, end };
}

// ---- the lexicon and the segmenter ------------------------------------------------------

export const TOKEN_PENALTY = 500; // per token: fewer, longer tokens win; frequency breaks ties
export const UNKNOWN_COST = 3000; // a character that begins no token

/** The tokens MeCab found in the archive, loaded bucket by bucket (by first character). */
export class Lexicon {
  constructor(bucketCount, loadBucket) {
    this.bucketCount = bucketCount;
    this.loadBucket = loadBucket; // async (n) => {words: [[w, cost]…], suffixes: [s…]}
    this.loaded = new Map(); // bucket → Promise
    this.words = new Map(); // token → cost
    this.suffixes = new Set();
    this.byFirst = new Map(); // first character → sorted tokens
    this.suffixByFirst = new Map(); // first character → sorted proper suffixes
    this.maxLength = 1; // of the tokens and suffixes loaded so far
  }

  bucketOf(ch) {
    return ch.codePointAt(0) % this.bucketCount;
  }

  /** Load the buckets of every character of ``text``. */
  async ensure(text) {
    const wanted = new Set([...text].map((ch) => this.bucketOf(ch)));
    await Promise.all([...wanted].map((b) => this.ensureBucket(b)));
  }

  ensureBucket(b) {
    if (!this.loaded.has(b)) {
      this.loaded.set(b, Promise.resolve(this.loadBucket(b)).then((data) => this.add(data)));
    }
    return this.loaded.get(b);
  }

  add({ words, suffixes }) {
    const touched = new Set(); // the lists this bucket adds to (a first character's words
    // all come in one bucket, but a bucket may come twice)
    for (const [w, cost] of words) {
      this.words.set(w, cost);
      this.maxLength = Math.max(this.maxLength, w.length);
      touched.add(push(this.byFirst, w[0], w));
    }
    for (const s of suffixes) {
      this.suffixes.add(s);
      this.maxLength = Math.max(this.maxLength, s.length);
      touched.add(push(this.suffixByFirst, s[0], s));
    }
    for (const list of touched) list.sort();
  }

  hasWord(w) {
    return this.words.has(w);
  }

  /** Some token ends with ``s`` and is longer. */
  isProperSuffix(s) {
    return this.suffixes.has(s);
  }

  /** Some token begins with ``p``. */
  startsWith(p) {
    return hasPrefix(this.byFirst.get(p[0]), p);
  }

  /** Some token begins with ``p`` and is longer. */
  isProperPrefix(p) {
    return hasPrefix(this.byFirst.get(p[0]), p, true);
  }

  /** ``s`` lies inside some token. */
  inside(s) {
    return this.startsWith(s) || hasPrefix(this.suffixByFirst.get(s[0]), s);
  }

  /** The index keys that begin with ``p`` — the tokens that do, and every proper suffix
   *  of a token that does, followed by MARKER — or null when there are more than
   *  ``limit`` of them. */
  extensions(p, limit) {
    const words = withPrefix(this.byFirst.get(p[0]), p, limit + 1);
    const suffixes = withPrefix(this.suffixByFirst.get(p[0]), p, limit + 1 - words.length);
    if (words.length + suffixes.length > limit) return null;
    return [...words, ...suffixes.map((s) => s + MARKER)];
  }
}

/** Up to ``limit`` strings of ``sorted`` that begin with ``p``. */
function withPrefix(sorted, p, limit) {
  const out = [];
  if (!sorted) return out;
  for (let k = lowerBound(sorted, p); k < sorted.length && out.length < limit
    && sorted[k].startsWith(p); k++) {
    out.push(sorted[k]);
  }
  return out;
}

/** The first position in ``sorted`` whose string is not less than ``value``. */
export function lowerBound(sorted, value) {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Add ``value`` to the list of ``key``; returns the list. */
function push(map, key, value) {
  const list = map.get(key);
  if (list) {
    list.push(value);
    return list;
  }
  const made = [value];
  map.set(key, made);
  return made;
}

/** Whether a string in ``sorted`` begins with ``p`` (and is longer, if ``proper``). */
function hasPrefix(sorted, p, proper = false) {
  if (!sorted) return false;
  let lo = lowerBound(sorted, p);
  if (proper && lo < sorted.length && sorted[lo] === p) lo++;
  return lo < sorted.length && sorted[lo].startsWith(p);
}

// Characters MeCab groups into one unknown word when no dictionary word starts there
// (unidic's char.def: katakana, Latin letters and digits are grouped; kanji are not).
const GROUPS = [/[\u30a1-\u30fa\u30fc-\u30ff\u31f0-\u31ff]/u, /[a-z\u00c0-\u024f]/u, /[0-9]/u];

function unknownLength(text, i) {
  const group = GROUPS.find((g) => g.test(text[i]));
  if (!group) return 1;
  let j = i + 1;
  while (j < text.length && group.test(text[j])) j++;
  return j - i;
}

/** Segment a normalized part the way MeCab segmented the archive: the cheapest path
 *  through tokens of the lexicon; where no token starts, an unknown word as MeCab makes
 *  it (a run of katakana, of Latin letters or of digits; else one character). */
export function segment(text, lexicon) {
  const n = text.length;
  const best = new Array(n + 1).fill(Infinity);
  const from = new Array(n + 1).fill(-1);
  best[0] = 0;
  const relax = (i, j, cost) => {
    const total = best[i] + cost + TOKEN_PENALTY;
    if (total < best[j]) {
      best[j] = total;
      from[j] = i;
    }
  };
  for (let i = 0; i < n; i++) {
    if (best[i] === Infinity) continue;
    let known = false;
    for (let j = i + 1; j <= Math.min(n, i + lexicon.maxLength); j++) {
      const cost = lexicon.words.get(text.slice(i, j));
      if (cost !== undefined) {
        relax(i, j, cost);
        known = true;
      }
    }
    if (!known) relax(i, i + unknownLength(text, i), UNKNOWN_COST);
  }
  const tokens = [];
  for (let j = n; j > 0; j = from[j]) tokens.push(text.slice(from[j], j));
  return tokens.reverse();
}

// ---- readings (readings.py) -------------------------------------------------------------

const KANA = /^[\u3041-\u3096\u30a1-\u30fa\u30fc]+$/u;

/** Whether a query part is all kana (then it is also looked up by reading). */
export function isKana(text) {
  return KANA.test(text);
}

/** Hiragana as katakana (readings are compared in katakana). */
export function toKatakana(text) {
  return text.replace(/[\u3041-\u3096]/gu, (c) => String.fromCharCode(c.charCodeAt(0) + 0x60));
}

/** The readings of the archive's words: reading → [[written, cost]…], loaded bucket by
 *  bucket (by the reading's first character). */
export class Readings {
  constructor(bucketCount, loadBucket) {
    this.bucketCount = bucketCount;
    this.loadBucket = loadBucket;
    this.loaded = new Map();
    this.entries = new Map();
    this.maxLength = 1;
  }

  ensure(ch) {
    const b = ch.codePointAt(0) % this.bucketCount;
    if (!this.loaded.has(b)) {
      this.loaded.set(b, Promise.resolve(this.loadBucket(b)).then((bucket) => {
        for (const [reading, written] of Object.entries(bucket)) {
          this.entries.set(reading, written);
          this.maxLength = Math.max(this.maxLength, reading.length);
        }
      }));
    }
    return this.loaded.get(b);
  }
}

export const MAX_READINGS = 12; // written forms tried for one kana part, cheapest first

/** The written forms of a kana part: every way to cut it (in katakana) into readings of
 *  whole words, with as few words as possible; at most MAX_READINGS, cheapest first. Each
 *  is {text, words}: ``words`` are the written words, ``text`` them joined. */
export async function readingAlternatives(part, readings) {
  if (!readings || !isKana(part)) return [];
  const kana = toKatakana(part);
  const n = kana.length;
  // best[i]: the fewest words that make kana[0, i), and the cheapest ways to do it
  const best = Array.from({ length: n + 1 }, () => null);
  best[0] = { count: 0, ways: [{ words: [], cost: 0 }] };
  // every bucket a word can start in, at once (one round trip, not one per position)
  await Promise.all([...new Set(kana)].map((ch) => readings.ensure(ch)));
  for (let i = 0; i < n; i++) {
    if (!best[i]) continue;
    for (let j = i + 1; j <= Math.min(n, i + readings.maxLength); j++) {
      const written = readings.entries.get(kana.slice(i, j));
      if (!written) continue;
      const count = best[i].count + 1;
      if (best[j] && best[j].count < count) continue;
      if (!best[j] || best[j].count > count) best[j] = { count, ways: [] };
      for (const way of best[i].ways) {
        for (const [w, cost] of written) {
          best[j].ways.push({ words: [...way.words, w], cost: way.cost + cost });
        }
      }
      best[j].ways.sort((a, b) => a.cost - b.cost);
      best[j].ways.length = Math.min(best[j].ways.length, MAX_READINGS);
    }
  }
  if (!best[n]) return [];
  const seen = new Set([part]);
  const out = [];
  for (const way of best[n].ways) {
    const text = way.words.join("");
    if (seen.has(text)) continue;
    seen.add(text);
    out.push({ text, words: way.words });
  }
  return out;
}

// ---- what to ask Pagefind --------------------------------------------------------------

const HIRAGANA = /^[\u3041-\u309f]+$/u;

/** Whether a token stands in the index's pair keys (indexer.py: not all hiragana). */
export function pairable(token) {
  return !HIRAGANA.test(token);
}

/** The ways ``part`` can lie in the archive's tokens, whatever way MeCab cut it there.
 *  An occurrence either lies inside one token ("inside"), or runs over several: it begins
 *  with the end of a token — the whole token ("exact") or a proper suffix ("suffix") —
 *  goes on with whole tokens ("exact") and ends with the start of a token — the whole
 *  token ("exact") or a proper prefix ("prefix"). Returns the steps {i, j, kind} that lie
 *  on such a path (part.slice(i, j) is the step's text); none when the part occurs
 *  nowhere in the archive. */
export function plan(part, lexicon) {
  const n = part.length;
  const steps = [];
  if (lexicon.inside(part)) steps.push({ i: 0, j: n, kind: "inside" });
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j <= Math.min(n, i + lexicon.maxLength); j++) {
      if (i === 0 && j === n) continue; // one token holding the whole part: "inside"
      const text = part.slice(i, j);
      if (lexicon.hasWord(text)) steps.push({ i, j, kind: "exact" });
      if (i === 0 && lexicon.isProperSuffix(text)) steps.push({ i, j, kind: "suffix" });
      if (j === n && lexicon.isProperPrefix(text)) steps.push({ i, j, kind: "prefix" });
    }
  }
  const from = new Array(n + 1).fill(false); // a path from 0 reaches here
  const to = new Array(n + 1).fill(false); // a path to n leaves from here
  from[0] = true;
  to[n] = true;
  for (const s of steps) if (from[s.i]) from[s.j] = true; // steps are in order of i
  for (let k = steps.length - 1; k >= 0; k--) if (to[steps[k].j]) to[steps[k].i] = true;
  return steps.filter((s) => from[s.i] && to[s.j]);
}

// Sets of article ids: null means "every article" (nothing known), undefined "none yet".

export function union(a, b) {
  if (a === undefined) return b;
  if (b === undefined) return a;
  if (a === null || b === null) return null;
  const out = new Set(a);
  for (const x of b) out.add(x);
  return out;
}

export function intersect(a, b) {
  if (a === undefined || b === undefined) return undefined;
  if (a === null) return b;
  if (b === null) return a;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  const out = new Set();
  for (const x of small) if (large.has(x)) out.add(x);
  return out;
}

/** The pair lookups ``combine`` will ask for: [left, right] tokens that meet in a path. */
export function pairsOf(part, steps) {
  const endingAt = new Map();
  for (const s of steps) {
    if (s.kind !== "exact") continue;
    const text = part.slice(s.i, s.j);
    if (pairable(text)) push(endingAt, s.j, text);
  }
  const pairs = [];
  for (const s of steps) {
    const right = part.slice(s.i, s.j);
    if (s.kind !== "exact" || !pairable(right)) continue;
    for (const left of endingAt.get(s.i) || []) pairs.push([left, right]);
  }
  return pairs;
}

/** The articles in which ``part`` may occur: the union over the paths of ``steps`` of the
 *  articles that have every token of the path and every pair of adjacent whole tokens.
 *  ``look(kind, text)`` and ``lookPair(left, right)`` give a Set of ids, or null when the
 *  index cannot narrow it down. */
export function combine(part, steps, look, lookPair) {
  const n = part.length;
  const states = Array.from({ length: n + 1 }, () => new Map()); // last whole token → ids
  states[0].set("", null);
  let found;
  for (const s of steps) {
    const text = part.slice(s.i, s.j);
    if (s.kind === "inside") {
      found = union(found, look("inside", text));
      continue;
    }
    for (const [previous, ids] of states[s.i]) {
      let here = intersect(ids, look(s.kind, text));
      if (s.kind === "exact" && previous && pairable(text)) {
        here = intersect(here, lookPair(previous, text));
      }
      if (s.j === n) found = union(found, here);
      else {
        const key = s.kind === "exact" && pairable(text) ? text : "";
        states[s.j].set(key, union(states[s.j].get(key), here));
      }
    }
  }
  return found === undefined ? new Set() : found;
}

// ---- matching and excerpts ----------------------------------------------------------------

/** The paragraph an excerpt is cut from: one with the longest part, in the body before
 *  the title and the people, a sentence (40 characters or more) before a heading; -1 when
 *  no paragraph has a part. */
export function pickParagraph(normalized, body, parts) {
  const keys = [...normalized.keys()];
  const order = keys.filter((k) => k >= body).concat(keys.filter((k) => k < body));
  let pick = -1;
  for (const part of [...parts].sort((a, b) => b.length - a.length)) {
    for (const k of order) {
      if (normalized[k].indexOf(part) < 0) continue;
      if (pick < 0) pick = k;
      if (normalized[k].length >= 40) return k;
    }
    if (pick >= 0) return pick;
  }
  return pick;
}

/** Whether every part occurs in the article (its paragraphs, normalized). */
export function matches(normalizedParagraphs, parts) {
  return parts.every((part) => normalizedParagraphs.some((p) => p.includes(part)));
}

const ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escapeHtml(text) {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** An excerpt of about ``length`` characters around an occurrence of a part, as HTML
 *  with every occurrence of every part in it marked. It is cut from the original text, so
 *  it reads as written. ``paragraphs`` are the original paragraphs, ``normalized`` their
 *  normalized forms, ``body`` the index of the first body paragraph: the body is preferred
 *  over the title and the people, and a sentence over a heading. */
export function excerpt(paragraphs, normalized, body, parts, length = 110) {
  const pick = pickParagraph(normalized, body, parts);
  const longest = [...parts].sort((a, b) => b.length - a.length);
  const at = pick < 0 ? -1
    : normalized[pick].indexOf(longest.find((p) => normalized[pick].includes(p)));
  if (pick < 0) {
    const first = paragraphs[body] ?? paragraphs[0] ?? "";
    return escapeHtml(first.slice(0, length)) + (first.length > length ? "…" : "");
  }
  const aligned = alignedNormalize(paragraphs[pick]);
  const norm = aligned ? aligned.norm : normalized[pick];
  const source = aligned ? paragraphs[pick] : normalized[pick];
  const from = (k) => (aligned ? aligned.start[k] : k); // where normalized char k begins
  const to = (k) => (aligned ? aligned.end[k - 1] : k); // where normalized char k-1 ends
  const marks = [];
  for (const part of parts) {
    for (let k = norm.indexOf(part); k >= 0; k = norm.indexOf(part, k + 1)) {
      marks.push([k, k + part.length]);
    }
  }
  marks.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const merged = [];
  for (const [s, e] of marks) {
    const last = merged[merged.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else merged.push([s, e]);
  }
  const end = Math.min(norm.length, Math.max(0, at - Math.floor(length / 3)) + length);
  const start = Math.max(0, end - length);
  let html = start > 0 ? "…" : "";
  let cursor = from(start);
  for (const [s, e] of merged) {
    if (e <= start || s >= end) continue;
    const ms = Math.max(s, start);
    const me = Math.min(e, end);
    html += escapeHtml(source.slice(cursor, from(ms)));
    html += `<mark>${escapeHtml(source.slice(from(ms), to(me)))}</mark>`;
    cursor = to(me);
  }
  html += escapeHtml(source.slice(cursor, end > start ? to(end) : cursor));
  if (end < norm.length) html += "…";
  return html;
}

// ---- suggestions ------------------------------------------------------------------------------

/** Strings one character away from ``part`` (a character changed, added or left out)
 *  that put a word of the lexicon (of two characters or more) where the part has a typo:
 *  宮阪 → 宮坂, 国分時 → 国分寺, 人財育成 → 人材育成. A changed character first, then one
 *  left out, then one added; the most frequent word first; at most ``limit``. Only the
 *  lexicon buckets of the part's own characters are consulted. */
const LEFT_OUT = 100000; // after every changed character
const ADDED = 200000;

export function nearStrings(part, lexicon, limit = 6) {
  const found = new Map(); // string → cost of the word that made it
  const offer = (text, cost) => {
    if (text !== part && !(found.get(text) <= cost)) found.set(text, cost);
  };
  for (let o = 0; o < part.length; o++) {
    for (const w of lexicon.byFirst.get(part[o]) || []) {
      if (w.length < 2) continue;
      const cost = lexicon.words.get(w);
      const span = part.slice(o, o + w.length);
      if (span.length === w.length && differsByOne(span, w)) {
        offer(part.slice(0, o) + w + part.slice(o + w.length), cost); // changed
      }
      const shorter = part.slice(o, o + w.length - 1);
      if (w.length >= 3 && shorter.length === w.length - 1 && dropsOne(w, shorter)) {
        offer(part.slice(0, o) + w + part.slice(o + w.length - 1), LEFT_OUT + cost);
      }
      const longer = part.slice(o, o + w.length + 1);
      if (longer.length === w.length + 1 && dropsOne(longer, w)) {
        offer(part.slice(0, o) + w + part.slice(o + w.length + 1), ADDED + cost);
      }
    }
  }
  return [...found].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, limit).map(([text]) => text);
}

function differsByOne(a, b) {
  let diff = 0;
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k] && ++diff > 1) return false;
  return diff === 1;
}

/** ``short`` is ``long`` with one character left out. */
function dropsOne(long, short) {
  let k = 0;
  while (k < short.length && long[k] === short[k]) k++;
  return long.slice(k + 1) === short.slice(k);
}
