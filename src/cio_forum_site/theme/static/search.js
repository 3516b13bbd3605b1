// The search page: reads ?q= (and the filters) on load, keeps them in the URL as the
// reader searches, and shows what search-worker.js finds.
//
// Contract (for tests): the results are links to article pages inside #search-results,
// which has aria-busy="true" while a search runs and aria-busy="false" once the results
// for the current query are shown (also when there are none).

const PAGE = 10; // results shown at first, and added by 続きを表示
const DELAY = 150; // ms of quiet typing before searching

const form = document.getElementById("search-form");
const input = document.getElementById("search-q");
const list = document.getElementById("search-results");
const status = document.getElementById("search-status");
const moreButton = document.getElementById("search-more");
const root = new URL(form.dataset.searchRoot || "../", location.href);
const bundle = new URL(form.dataset.searchBundle, location.href).href;

const FIELDS = { municipality: "municipality", year: "fiscal_year", tag: "tag", speaker: "speaker" };

// An archive without articles has no index (Pagefind indexes nothing): nothing to start.
const empty = form.dataset.searchEmpty === "true";
const worker = empty ? null
  : new Worker(new URL("./search-worker.js", import.meta.url), { type: "module" });
worker?.postMessage({ type: "init", bundle });

let searchId = 0;
let shownQuery = null;
let limit = PAGE;
let timer = 0;

function readForm() {
  const data = new FormData(form);
  const filters = {};
  for (const [field, filter] of Object.entries(FIELDS)) {
    const value = data.get(field);
    if (value) filters[filter] = value;
  }
  return { query: (data.get("q") || "").trim(), filters, sort: data.get("sort") || "" };
}

function writeUrl() {
  const params = new URLSearchParams();
  for (const [name, value] of new FormData(form)) if (value) params.set(name, value);
  const search = params.toString();
  const url = location.pathname + (search ? `?${search}` : "") + location.hash;
  if (url !== location.pathname + location.search + location.hash) {
    history.replaceState(null, "", url);
  }
}

function start() {
  clearTimeout(timer);
  writeUrl();
  const { query, filters, sort } = readForm();
  const key = JSON.stringify([query, filters, sort]);
  if (key === shownQuery) return;
  shownQuery = key;
  searchId += 1;
  limit = PAGE;
  lastMessage = null;
  clearCounts();
  if (!query && !Object.keys(filters).length) {
    list.replaceChildren();
    list.setAttribute("aria-busy", "false");
    moreButton.hidden = true;
    status.textContent = "言葉を入れて検索してください。";
    return;
  }
  if (!worker) {
    list.replaceChildren();
    list.setAttribute("aria-busy", "false");
    status.textContent = "まだ記事がありません。見つかりませんでした。";
    return;
  }
  list.setAttribute("aria-busy", "true");
  status.textContent = "検索しています…";
  performance.mark("search:start"); // read by benchmarks/bench_search.py
  worker.postMessage({ type: "search", id: searchId, query, filters, sort, limit });
}

function render(message) {
  const items = message.results.map((r) => {
    const li = document.createElement("li");
    li.className = "card search-hit";
    const meta = document.createElement("p");
    meta.className = "card-meta";
    const badge = document.createElement("span");
    badge.className = "badge badge-kind";
    badge.textContent = r.kind;
    const time = document.createElement("time");
    time.dateTime = r.iso;
    time.textContent = r.date;
    meta.append(badge, " ", time);
    if (r.municipalities.length) meta.append(` ・ ${r.municipalities.join("・")}`);
    const title = document.createElement("h2");
    title.className = "card-title";
    const link = document.createElement("a");
    link.href = new URL(r.url, root).href;
    link.textContent = r.title;
    title.append(link);
    const text = document.createElement("p");
    text.className = "card-summary";
    text.innerHTML = r.excerpt; // built and escaped by search-core.js
    li.append(title, meta); // the title first, as in every list of articles
    if (r.speaker) {
      const speaker = document.createElement("p");
      speaker.className = "search-speaker";
      speaker.textContent = `発言: ${r.speaker}`;
      li.append(speaker);
    }
    li.append(text);
    return li;
  });
  list.replaceChildren(...items);
  const { query } = readForm();
  const count = message.exact ? `${message.count}件` : `約${message.count}件`;
  if (!message.results.length) {
    status.textContent = query ? `「${query}」を含む記事は見つかりませんでした。` : "見つかりませんでした。";
    if (message.suggestion) status.append(suggestionLink(message.suggestion));
  } else {
    status.textContent = query ? `「${query}」を含む記事: ${count}` : `記事: ${count}`;
  }
  moreButton.hidden = message.complete;
  list.setAttribute("aria-busy", "false");
  performance.mark("search:shown");
}

/** 「<a data-suggestion href="?q=…">…</a>」で検索: a link that runs the suggested search. */
function suggestionLink(suggested) {
  const params = new URLSearchParams(location.search);
  params.set("q", suggested);
  const link = document.createElement("a");
  link.dataset.suggestion = "";
  link.href = `?${params}`;
  link.textContent = suggested;
  link.addEventListener("click", (event) => {
    event.preventDefault();
    input.value = suggested;
    start();
    input.focus();
  });
  const offer = document.createDocumentFragment();
  offer.append("「", link, "」で検索");
  return offer;
}

// ---- counts per filter option: asked for when the reader comes to the filters ----------------

const filters = form.querySelector(".search-filters");
const COUNTED = ["municipality", "year", "tag"]; // 発言者 is not counted: its list is long
let counted = ""; // the search and the results the counts were asked for
let lastMessage = null;

function askCounts() {
  const key = lastMessage && `${searchId}:${lastMessage.results.length}`;
  if (!worker || !lastMessage || counted === key) return;
  counted = key;
  const fields = {};
  for (const name of COUNTED) {
    const select = form.elements[name];
    fields[FIELDS[name]] = [...select.options].map((o) => o.value).filter(Boolean);
  }
  worker.postMessage({ type: "counts", id: searchId, fields });
}

function showCounts(counts) {
  for (const name of COUNTED) {
    const got = counts[FIELDS[name]] || {};
    for (const option of form.elements[name].options) {
      if (!option.value) continue;
      const [n, exact] = got[option.value] || [0, true];
      option.textContent = `${option.value} (${exact ? "" : "約"}${n})`;
    }
  }
}

function clearCounts() {
  for (const name of COUNTED) {
    for (const option of form.elements[name].options) {
      if (option.value) option.textContent = option.value;
    }
  }
}

for (const type of ["focusin", "pointerover", "touchstart"]) {
  filters.addEventListener(type, askCounts, { passive: true });
}
// The filters sit in a <details> (絞り込み): opening it is coming to the filters too.
const filterDetails = filters.closest("details");
if (filterDetails) filterDetails.addEventListener("toggle", () => { if (filterDetails.open) askCounts(); });

if (worker) worker.onmessage = (event) => {
  const message = event.data;
  if (message.id !== searchId) return; // an older search
  if (message.type === "counts") showCounts(message.counts);
  if (message.type === "results") {
    lastMessage = message;
    render(message);
  }
  else if (message.type === "error") {
    list.replaceChildren();
    moreButton.hidden = true;
    status.textContent = `検索できませんでした: ${message.message}`;
    list.setAttribute("aria-busy", "false");
  }
};

if (worker) worker.onerror = (event) => {
  status.textContent = `検索を始められませんでした: ${event.message || "worker error"}`;
  list.setAttribute("aria-busy", "false");
};

form.addEventListener("submit", (event) => {
  event.preventDefault();
  start();
});
input.addEventListener("input", (event) => {
  clearTimeout(timer);
  if (!event.isComposing) timer = setTimeout(start, DELAY); // not while an IME is converting
});
input.addEventListener("compositionend", () => {
  clearTimeout(timer);
  timer = setTimeout(start, DELAY);
});
form.addEventListener("change", (event) => {
  if (event.target !== input) start();
});
moreButton.addEventListener("click", () => {
  limit += PAGE;
  list.setAttribute("aria-busy", "true");
  worker.postMessage({ type: "more", id: searchId, limit });
});

// ?q= and the filters from the URL
const params = new URLSearchParams(location.search);
for (const element of form.elements) {
  if (element.name && params.has(element.name)) element.value = params.get(element.name);
}
// 絞り込み is folded away until a filter or an order is set
const options = document.getElementById("search-options");
if (options && [...options.querySelectorAll("select")].some((s) => s.value)) options.open = true;
start();
