"""``cio-forum-site serve``: a live preview for editors.

Three parts, each in its own thread:

- ``Builder`` builds the pages with ``build.build`` into a temporary folder of its own (never
  the site's ``build/``, which stays exactly as the last ``cio-forum-site build`` left it;
  staged, swapped in only when everything succeeded). Drafts are built too, marked as such. A file is parsed again only when it changed
  (``workflow.Loader``). A failed build leaves the last good site in place and records
  the errors. Search is built by ``cio-forum-site build`` in a separate process, into a
  folder of its own, once the editing pauses, so that no edit waits for it.
- ``PreviewServer`` serves the output folder on 127.0.0.1 only. It looks the folder up on
  every request, because a rebuild swaps it by rename. Into every HTML response it
  injects a small script (never into the built files): it listens on
  ``/__livereload`` (Server-Sent Events), reloads the page after a good rebuild, and lays
  the errors over the page after a failed one.
- the watcher (``watchfiles``, in the main thread) wakes the builder when content,
  templates or site.toml change. Ctrl-C stops everything cleanly.

The files the search stage writes (never HTML) are served from a copy of the last search
build wherever the pages have no such file, so search keeps working while pages change; the
copy keeps older index files too, for pages that loaded the previous index.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import mimetypes
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from cio_forum_site.commands.common import Loader, Refused, progress_reporter
from cio_forum_site.errors import BuildFailed, ContentError, display_path
from cio_forum_site.output import OutputRefused

LIVE_PATH = "/__livereload"
URL_LIMIT = 2_000  # characters in a request's path; a longer one is answered 414
SCRIPT_PATH = "/__livereload.js"
KEEPALIVE_SECONDS = 15
WATCH_STEP_MS = 50  # quiet time after the last change before rebuilding
SEARCH_AFTER_QUIET_SECONDS = 1.0  # refresh search once no edit came for this long
SEARCH_NICENESS = 10  # the search refresh yields the processor to the page builds
WATCH_READY_MS = 300  # the watcher yields (nothing) at least this often


# ---- shared state: the last build's outcome, watched by the browser tabs -------------------


class LiveState:
    """What open tabs need to know: the id of the site being served and the errors of the
    last build (empty when it succeeded). Every change wakes the event streams."""

    def __init__(self) -> None:
        self._token = secrets.token_hex(4)  # a restarted server is a new site
        self._builds = 0
        self._errors: list[str] = []
        self._version = 0
        self._stopping = False
        self._changed = threading.Condition()

    def snapshot(self) -> tuple[int, dict]:
        with self._changed:
            return self._version, {"build": f"{self._token}-{self._builds}", "errors": list(self._errors)}

    def succeeded(self) -> None:
        with self._changed:
            self._builds += 1
            self._errors = []
            self._version += 1
            self._changed.notify_all()

    def failed(self, errors: list[ContentError]) -> None:
        with self._changed:
            self._errors = [str(e) for e in errors]
            self._version += 1
            self._changed.notify_all()

    def wait(self, version: int, timeout: float) -> bool:
        """True when the state moved past ``version`` (or we are stopping) within ``timeout``."""
        with self._changed:
            return self._changed.wait_for(lambda: self._version != version or self._stopping, timeout)

    @property
    def stopping(self) -> bool:
        return self._stopping

    def stop(self) -> None:
        with self._changed:
            self._stopping = True
            self._changed.notify_all()


# ---- the builder ------------------------------------------------------------------------------

STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}
_forks_watched = False
_in_quiet_build = False


def _child_defaults() -> None:
    """In a render worker forked during a page build: die on SIGTERM (the pool's way of
    ending it) and leave Ctrl-C to the preview, which waits for the build to finish."""
    if _in_quiet_build:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)


def _watch_forks() -> None:
    global _forks_watched
    if not _forks_watched:
        os.register_at_fork(after_in_child=_child_defaults)
        _forks_watched = True


@contextlib.contextmanager
def _quiet_children():
    """The build may fork render workers (``build.render_pages``). They would inherit the
    preview's signal handlers, and a SIGTERM arriving before Python has set itself up in
    the child would be lost, leaving the pool waiting for a worker forever. So the stop
    signals are blocked in this thread while building: a worker starts with them blocked,
    takes the defaults (``_child_defaults``), then unblocks them — nothing is lost."""
    global _in_quiet_build
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    _in_quiet_build = True
    try:
        yield
    finally:
        _in_quiet_build = False
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)


def _files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()} if root.is_dir() else set()


class Builder:
    """Rebuilds the pages on request, one build at a time, in this process (files that did
    not change are not parsed again, pages that did not change are carried over). Search is refreshed in a separate process, into a
    folder of its own, once the editing pauses: an edit never waits for it."""

    def __init__(self, content_dir: Path, templates_dir: Path, out_dir: Path, *,
                 base_url: str | None, state: LiveState, work_dir: Path, search_cache: Path,
                 say: Callable[[str], None], shout: Callable[[str], None], verbose: bool,
                 site_file: Path, mecab_cache: Path | None = None, drafts: bool = True):
        self.content_dir, self.templates_dir, self.out_dir = content_dir, templates_dir, out_dir
        self.base_url = base_url
        self.site_file, self.mecab_cache, self.drafts = site_file, mecab_cache, drafts
        self.state = state
        self.search_site = work_dir / "search-site"
        self.search_log = work_dir / "search.log"
        self.search_cache = search_cache
        self.say, self.shout, self.verbose = say, shout, verbose
        self.loader = Loader()
        self.page_files: set[str] = set()
        self.search_wanted = False
        self.search_available = importlib.util.find_spec("cio_forum_site.search") is not None
        self.search_process: subprocess.Popen | None = None
        self.search_started = 0.0
        self.wake = threading.Event()
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, name="builder", daemon=True)

    def request(self) -> None:
        self.wake.set()

    def start(self) -> None:
        if not self.search_available:
            self.say("検索の機能が入っていないため、検索はプレビューできません。ページのプレビューは使えます")
        self.thread.start()

    def stop(self, timeout: float = 30) -> None:
        """Let a page build in progress finish (so it cleans its staging folder), stop the
        search process, then stop."""
        self.stopped.set()
        self.wake.set()
        self.thread.join(timeout)
        process = self.search_process
        if process is not None and process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            process.wait(10)

    def _run(self) -> None:
        while not self.stopped.is_set():
            if self.search_process is not None:
                if self.search_process.poll() is not None:
                    self._search_done()
                    continue
                edited = self.wake.wait(0.05)
            elif self.search_wanted and self.search_available:
                edited = self.wake.wait(SEARCH_AFTER_QUIET_SECONDS)
                if not edited:
                    self._start_search()
                    continue
            else:
                edited = self.wake.wait()
            if self.stopped.is_set():
                break
            if edited:
                self.wake.clear()
                self.build_pages()

    def build_pages(self, progress=None) -> bool:
        from cio_forum_site.commands.build import build

        started = time.perf_counter()
        try:
            with _quiet_children():
                # photos: the build's rendition cache (.cache/images in the site's folder),
                # so that saving an article does not encode every photo again
                report = build(self.content_dir, self.templates_dir, self.out_dir,
                               base_url=self.base_url, search=False, progress=progress,
                               load=self.loader, site_file=self.site_file, drafts=self.drafts,
                               patch=True,
                               cache_dir=self.mecab_cache or self.content_dir.parent / ".cache")
        except BuildFailed as failed:
            self._failed(sorted(failed.errors))
            return False
        except OutputRefused as refused:
            self._failed([ContentError(display_path(self.out_dir), 0, str(refused))])
            return False
        except Exception as exc:  # a bug must not end the preview: say it, keep serving
            if self.verbose:
                self.shout(traceback.format_exc().rstrip())
            self._failed([ContentError(display_path(self.content_dir), 0,
                                       f"サイトを作れませんでした: {type(exc).__name__}: {exc}")])
            return False
        self.page_files = _files(self.out_dir)
        self.state.succeeded()
        self.search_wanted = True
        drafts = f"（下書き{report.drafts}本は除く）" if report.drafts else ""
        self.say(f"更新しました: {report.articles}本の記事{drafts}、{report.pages}ページ"
                 f"（{time.perf_counter() - started:.2f}秒）")
        return True

    def _failed(self, errors: list[ContentError]) -> None:
        self.search_wanted = False  # not for a site that did not build
        self.state.failed(errors)
        shown = "前回のページ" if self.out_dir.is_dir() else "この問題の一覧"
        self.shout(f"[{_stamp()}] {len(errors)}件の問題があるため、更新できませんでした。直して保存すると、"
                   f"自動で作り直します（それまでブラウザには{shown}を表示します）:")
        for error in errors:
            self.shout(str(error))

    def _start_search(self) -> None:
        """``cio-forum-site build`` with search, into a folder of our own, in the background."""
        self.search_wanted = False
        command = [sys.executable, "-m", "cio_forum_site", "build", "--quiet",
                   "--root", str(self.site_file.parent), "--content", str(self.content_dir),
                   "--out", str(self.search_site)]
        if self.templates_dir.is_dir():  # a site without templates/ uses the default theme
            command += ["--templates", str(self.templates_dir)]
        command += ["--cache", str(self.mecab_cache)] if self.mecab_cache else ["--no-cache"]
        if self.drafts:
            command.append("--drafts")
        if self.base_url is not None:
            command += ["--base-url", self.base_url]
        self.search_started = time.perf_counter()
        with self.search_log.open("w", encoding="utf-8") as log:  # a file: a pipe could fill up
            self.search_process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log,
                start_new_session=True,  # Ctrl-C is ours to handle: we stop it
            )
        # Behind the page builds: an edit saved while the search is refreshed is shown first
        # (its processes, started later, inherit this).
        with contextlib.suppress(OSError, AttributeError):
            os.setpriority(os.PRIO_PROCESS, self.search_process.pid, SEARCH_NICENESS)

    def _search_done(self) -> None:
        process, self.search_process = self.search_process, None
        if process.returncode != 0:
            errors = self.search_log.read_text("utf-8", errors="replace")
            if process.returncode == 1 and self.state.snapshot()[1]["errors"]:
                return  # the content has errors: the page build has shown them
            self.shout(f"[{_stamp()}] 検索インデックスを更新できませんでした:\n{errors.rstrip()}")
            return
        # Keep what the search stage wrote (never HTML), beside the pages: old files too,
        # for pages that loaded the previous index.
        for name in sorted(_files(self.search_site) - self.page_files):
            if name.endswith(".html"):
                continue
            target = self.search_cache / name
            target.parent.mkdir(parents=True, exist_ok=True)
            with contextlib.suppress(OSError):
                shutil.copyfile(self.search_site / name, target)
        if self.verbose:
            self.say(f"検索インデックスを更新しました（{time.perf_counter() - self.search_started:.2f}秒）")


# ---- the server ------------------------------------------------------------------------------


OVERLAY_STYLE = (
    "position:fixed;inset:0;z-index:2147483647;overflow:auto;background:rgba(255,255,255,.97);"
    "color:#1a1a1a;padding:2rem;font:16px/1.6 system-ui,sans-serif;"
)

LIVE_SCRIPT = """(function () {
  var state = window.__cioLive || {};
  var pageBuild = state.build;
  function overlay(errors) {
    var box = document.getElementById("cio-live-overlay");
    if (!errors || !errors.length) { if (box) { box.remove(); } return; }
    if (!box) {
      box = document.createElement("div");
      box.id = "cio-live-overlay";
      box.setAttribute("role", "alertdialog");
      box.setAttribute("aria-labelledby", "cio-live-overlay-title");
      box.setAttribute("style", __STYLE__);
      document.body.appendChild(box);
    }
    box.textContent = "";
    var title = document.createElement("h2");
    title.id = "cio-live-overlay-title";
    title.textContent = "記事に問題があるため、サイトを更新できませんでした";
    var note = document.createElement("p");
    note.textContent = "直して保存すると、自動で表示し直します。この下には前回のページが表示されています。";
    var list = document.createElement("ul");
    list.className = "cio-live-errors";
    list.setAttribute("style", "font-family:monospace;color:#a00;padding-left:1.2em");
    errors.forEach(function (text) {
      var item = document.createElement("li");
      item.textContent = text;
      list.appendChild(item);
    });
    var close = document.createElement("button");
    close.type = "button";
    close.textContent = "閉じて前回のページを見る";
    close.onclick = function () { box.remove(); };
    box.append(title, note, list, close);
  }
  function apply(s) {
    if (s.errors && s.errors.length) { overlay(s.errors); return; }
    if (s.build !== pageBuild) { location.reload(); return; }
    overlay([]);
  }
  apply(state);
  var source = new EventSource(__LIVE__);
  source.addEventListener("state", function (e) { apply(JSON.parse(e.data)); });
})();
""".replace("__STYLE__", json.dumps(OVERLAY_STYLE)).replace("__LIVE__", json.dumps(LIVE_PATH))

ERROR_PAGE = """<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><title>サイトを作れませんでした</title></head>
<body><h1>サイトを作れませんでした</h1>
<p>記事を直して保存すると、自動で表示します。</p>
</body></html>
"""

mimetypes.add_type("text/javascript", ".js")
mimetypes.add_type("text/javascript", ".mjs")
mimetypes.add_type("application/wasm", ".wasm")
mimetypes.add_type("application/json", ".json")


def inject(page: bytes, snapshot: dict) -> bytes:
    """The page with the live-reload script (and the current state) before </body>."""
    data = json.dumps(snapshot, ensure_ascii=False).replace("</", "<\\/")
    snippet = (f'<script>window.__cioLive = {data};</script>'
               f'<script src="{SCRIPT_PATH}"></script>\n').encode()
    at = page.lower().rfind(b"</body>")
    return page + snippet if at < 0 else page[:at] + snippet + page[at:]


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port: int, out_dir: Path, search_cache: Path, state: LiveState,
                 log: Callable[[str], None] | None):
        self.out_dir = out_dir
        self.search_cache = search_cache
        self.state = state
        self.log = log
        super().__init__(("127.0.0.1", port), PreviewHandler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/"


class PreviewHandler(BaseHTTPRequestHandler):
    server: PreviewServer
    server_version = "cio-forum-site-preview"

    def log_message(self, format: str, *args) -> None:  # noqa: A002 (the base class's name)
        if self.server.log:
            self.server.log(f"{self.address_string()} {format % args}")

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        if path == LIVE_PATH:
            self._events()
        elif path == SCRIPT_PATH:
            self._send(HTTPStatus.OK, LIVE_SCRIPT.encode(), "text/javascript; charset=utf-8")
        else:
            self._serve(head=False)

    def _send(self, status: int, body: bytes, content_type: str, *, head: bool = False,
              headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if not head:
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)

    def _find(self, parts: list[str], wants_dir: bool) -> tuple[Path | None, bool]:
        """(file, needs a trailing slash) for the request path, from the site (retrying
        briefly while a rebuild swaps it) and then from the search copy."""
        for _ in range(5):  # the swap is two renames: a few milliseconds at most
            if self.server.out_dir.is_dir():
                break
            time.sleep(0.01)
        for root in (self.server.out_dir, self.server.search_cache):
            candidate = root.joinpath(*parts)
            if candidate.is_dir():
                if not wants_dir:
                    return None, True
                candidate = candidate / "index.html"
            if candidate.is_file():
                return candidate, False
        return None, False

    def _serve(self, *, head: bool) -> None:
        if len(self.path) > URL_LIMIT:
            self._send(HTTPStatus.REQUEST_URI_TOO_LONG, "URL が長すぎます\n".encode(),
                       "text/plain; charset=utf-8", head=head)
            return
        url = urlsplit(self.path)
        decoded = unquote(url.path)
        parts = [p for p in decoded.split("/") if p not in ("", ".")]
        if ".." in parts or "\\" in decoded or "\0" in decoded:
            self._send(HTTPStatus.BAD_REQUEST, b"bad path\n", "text/plain", head=head)
            return
        try:
            file, redirect = self._find(parts, decoded.endswith("/") or not parts)
        except (OSError, ValueError):  # a name longer than a file name may be: no such page
            file, redirect = None, False
        if redirect:
            location = url.path + "/" + (f"?{url.query}" if url.query else "")
            self._send(HTTPStatus.MOVED_PERMANENTLY, b"", "text/plain", head=head,
                       headers={"Location": location})
            return
        status = HTTPStatus.OK
        if file is None:
            status = HTTPStatus.NOT_FOUND
            file = self.server.out_dir / "404.html"
            if not file.is_file() and not decoded.endswith((".html", "/")):
                self._send(status, "見つかりません\n".encode(), "text/plain; charset=utf-8", head=head)
                return
        try:
            body = file.read_bytes()
        except OSError:  # no site at all yet (the first build failed): the error page
            body = ERROR_PAGE.encode()
        content_type = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        if content_type == "text/html":
            _, snapshot = self.server.state.snapshot()
            body = inject(body, snapshot)
        if content_type.startswith("text/") or content_type in ("application/json", "text/javascript"):
            content_type += "; charset=utf-8"
        self._send(status, body, content_type, head=head)

    def _events(self) -> None:
        """Server-Sent Events: the state now, then at every change; a comment keeps the
        connection open."""
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        state = self.server.state
        try:
            self.wfile.write(b"retry: 500\n\n")
            seen = None
            while not state.stopping:
                version, snapshot = state.snapshot()
                if version != seen:
                    seen = version
                    data = json.dumps(snapshot, ensure_ascii=False)
                    self.wfile.write(f"event: state\ndata: {data}\n\n".encode())
                else:
                    self.wfile.write(b": ping\n\n")
                self.wfile.flush()
                state.wait(version, KEEPALIVE_SECONDS)
        except (BrokenPipeError, ConnectionResetError, OSError):
            return


# ---- the command -----------------------------------------------------------------------------


def _stamp() -> str:
    return time.strftime("%H:%M:%S")


def serve(content_dir: Path, templates_dir: Path, *, port: int = 8000,
          base_url: str | None = None, quiet: bool = False, verbose: bool = False,
          site_file: Path | None = None, cache_dir: Path | None = None,
          drafts: bool = True) -> int:
    """Build into a temporary folder (never the site's build/), serve it on 127.0.0.1,
    rebuild on every change until Ctrl-C. ``cache_dir`` is the MeCab cache the search
    builds share with ``cio-forum-site build``; drafts are shown unless ``drafts`` is false."""
    import watchfiles

    def say(message: str) -> None:
        if not quiet:
            print(f"[{_stamp()}] {message}", flush=True)

    def shout(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    if not content_dir.is_dir():
        raise Refused(f"記事のフォルダ {content_dir.resolve()} がありません")
    site_file = site_file or content_dir.parent / "site.toml"

    state = LiveState()
    work_dir = Path(tempfile.mkdtemp(prefix="cio-forum-site-serve-"))  # removed on exit
    out_dir = work_dir / "site"  # the pages being previewed
    search_cache = work_dir / "search-files"
    search_cache.mkdir()
    try:
        server = PreviewServer(port, out_dir, search_cache, state, say if verbose else None)
    except OSError as exc:
        shutil.rmtree(work_dir, ignore_errors=True)
        raise Refused(f"127.0.0.1 のポート {port} を使えません（{exc.strerror}）: "
                      "--port 8001 のように別の番号を指定してください") from None
    builder = Builder(content_dir, templates_dir, out_dir, base_url=base_url, state=state,
                      work_dir=work_dir, search_cache=search_cache, say=say, shout=shout,
                      verbose=verbose, site_file=site_file, mecab_cache=cache_dir, drafts=drafts)
    watched = [content_dir, *([templates_dir] if templates_dir.is_dir() else [])]
    if site_file.is_file():
        watched.append(site_file)

    stop = threading.Event()
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    main_pid = os.getpid()

    def on_signal(signum, frame):
        """Ctrl-C or SIGTERM stops the preview (after the build in progress)."""
        if os.getpid() == main_pid:  # forked render workers get the defaults, see _quiet_children
            raise KeyboardInterrupt

    server_thread = threading.Thread(target=server.serve_forever, name="server", daemon=True)
    try:
        _watch_forks()
        for sig in previous:
            signal.signal(sig, on_signal)
        # Watch before the first build, so that no edit made after it goes unseen: the
        # first (empty, on timeout) result says the watcher is running.
        changes_seen = watchfiles.watch(*watched, stop_event=stop, step=WATCH_STEP_MS,
                                        rust_timeout=WATCH_READY_MS, yield_on_timeout=True,
                                        raise_interrupt=True)
        next(changes_seen)
        with progress_reporter(quiet) as progress:
            builder.build_pages(progress=progress)
        server_thread.start()
        builder.start()
        print(f"プレビュー: {server.url}  （止めるときは Ctrl-C）", flush=True)
        for changes in changes_seen:
            if not changes:  # a timeout: nothing changed
                continue
            if verbose:
                for _, name in sorted(changes, key=lambda c: c[1]):
                    say(f"変更: {display_path(Path(name))}")
            builder.request()
    except KeyboardInterrupt:
        pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        stop.set()
        state.stop()
        if server_thread.is_alive():
            server.shutdown()
        server.server_close()
        builder.stop()
        shutil.rmtree(work_dir, ignore_errors=True)
    if not quiet:
        print("プレビューを止めました。", flush=True)
    return 0

