"""The Pagefind binary as a service: records go in while the rest are still being tokenized.

``pagefind --service`` reads requests on standard input and answers on standard output, each
message a base64-encoded JSON object followed by a comma (the protocol of Pagefind's Node and
Python APIs). Pagefind's own Python API waits a tenth of a second between reads of the
answers, so 1,000 records take over 100 s; here requests are written as soon as they are
ready and a thread reads every answer as it comes, so Pagefind indexes records while MeCab is
still cutting the next articles, and only building the index is left at the end.

The bundle comes back as data (``GetFiles``) and is written here: Pagefind's own
``WriteFiles`` answers before its writes are finished (they run on background tasks that
the service does not wait for), so a bundle it writes may be incomplete when it answers.
"""

from __future__ import annotations

import base64
import contextlib
import gzip
import json
import os
import re
import subprocess
import tempfile
import threading
from pathlib import Path

from cio_forum_site.search.bundle import parse as parse_pagefind_file

INDEX_CHUNK_SIZE = 4000  # Pagefind's default is 20000 (entries per index chunk)
TIMEOUT = 600  # seconds for Pagefind to write the bundle
LANGUAGE = "unknown"  # no stemming: the keys are MeCab's tokens, used as they are


class PagefindError(Exception):
    """Pagefind could not be started, answered with an error, or stopped."""


def pagefind_executable() -> Path:
    """The Pagefind binary from the ``pagefind[bin]`` wheel (never a download)."""
    try:
        import pagefind_bin
    except ImportError as exc:
        raise PagefindError(
            "Pagefind が見つかりません: `pip install 'pagefind[bin]'` で入れてください") from exc
    return pagefind_bin.get_executable()


class PagefindService:
    """One Pagefind process holding one index. ``add_record`` returns at once; the answers
    are checked by ``files``, which raises PagefindError on the first error."""

    def __init__(self, executable: Path | None = None):
        env = {k: v for k, v in os.environ.items() if not k.startswith("PAGEFIND_")}
        env["PAGEFIND_UNSTABLE_INDEX_CHUNK_SIZE"] = str(INDEX_CHUNK_SIZE)
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 (open while Pagefind runs)
        try:
            self._process = subprocess.Popen(
                [str(executable or pagefind_executable()), "--service"],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr, env=env,
                cwd=tempfile.gettempdir())  # no pagefind.yml of anyone else applies
        except OSError as exc:
            self._stderr.close()
            raise PagefindError(f"Pagefind を実行できませんでした: {exc}") from exc
        self._sent = 0
        self._answered = 0
        self._errors: list[str] = []
        self._ended = False
        self._bundle: list[dict] | None = None  # the answer to GetFiles
        self._files_requested = False
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._read_answers, daemon=True)
        self._reader.start()
        self._request({"type": "NewIndex", "config": None})

    def add_record(self, url: str, content: str, *, meta: dict[str, str],
                   filters: dict[str, list[str]], sort: dict[str, str]) -> None:
        """Index ``content`` (words separated by spaces) as the page at ``url``."""
        self._request({"type": "AddRecord", "index_id": 0, "url": url, "content": content,
                       "language": LANGUAGE, "meta": meta, "filters": filters, "sort": sort})

    def request_files(self) -> None:
        """Ask for the bundle (after the last record): Pagefind builds it while this
        process goes on; ``files`` waits for it."""
        if not self._files_requested:
            self._files_requested = True
            self._request({"type": "GetFiles", "index_id": 0})

    def files(self) -> dict[str, bytes]:
        """Pagefind's files (path in the bundle → content), built from every record."""
        self.request_files()
        with self._changed:
            finished = self._changed.wait_for(
                lambda: self._errors or self._ended or self._answered == self._sent, TIMEOUT)
        if self._errors:
            raise PagefindError("Pagefind が失敗しました:\n" + "\n".join(self._errors[:5]))
        if not finished:
            raise PagefindError(f"Pagefind が {TIMEOUT} 秒で終わりませんでした")
        if self._answered != self._sent or self._bundle is None:
            raise PagefindError(f"Pagefind が途中で終わりました {self._stderr_tail()}")
        return {f["path"]: base64.b64decode(f["content"]) for f in self._bundle}

    def close(self) -> None:
        """Stop the process (it exits when its input ends) and release everything."""
        if self._process.stdin and not self._process.stdin.closed:
            with contextlib.suppress(OSError):  # it may have stopped already
                self._process.stdin.close()
        try:
            self._process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._reader.join(timeout=5)
        self._stderr.close()

    def __enter__(self) -> PagefindService:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _request(self, payload: dict) -> None:
        self._sent += 1
        message = json.dumps({"message_id": self._sent, "payload": payload},
                             ensure_ascii=False, separators=(",", ":"))
        try:
            self._process.stdin.write(base64.b64encode(message.encode("utf-8")) + b",")
            self._process.stdin.flush()
        except (BrokenPipeError, ValueError):
            raise PagefindError(f"Pagefind が途中で終わりました {self._stderr_tail()}") from None

    def _read_answers(self) -> None:
        stdout = self._process.stdout
        pending = bytearray()
        while chunk := stdout.read1(1 << 16):
            start = len(pending)
            pending += chunk
            if pending.find(b",", start) < 0:
                continue
            *messages, rest = pending.split(b",")
            pending = bytearray(rest)
            errors = []
            for message in messages:
                payload = json.loads(base64.b64decode(message)).get("payload", {})
                if payload.get("type") == "Error":
                    errors.append(payload.get("message", "?"))
                elif payload.get("type") == "GetFiles":
                    self._bundle = payload.get("files", [])
            with self._changed:
                self._answered += len(messages)
                self._errors += errors
                self._changed.notify_all()
        with self._changed:
            self._ended = True
            self._changed.notify_all()

    def _stderr_tail(self, lines: int = 15) -> str:
        self._process.poll()
        self._stderr.seek(0)
        text = self._stderr.read().decode("utf-8", "replace").strip()
        code = self._process.returncode
        tail = "\n".join(text.splitlines()[-lines:])
        return f"(終了コード {code})\n{tail}" if code is not None else f"\n{tail}"


def index_chunks(files: dict[str, bytes]) -> list[list[str]]:
    """[from, to] of every index chunk, in key order, from Pagefind's metadata file. A
    Pagefind prefix search loads only the chunk whose key range holds the search string,
    so extensions that sit in the next chunks would be missed: the worker first loads
    every chunk a prefix can reach, from these ranges."""
    metas = [path for path in files if path.endswith(".pf_meta")]
    if len(metas) != 1:
        raise PagefindError(f"Pagefind の pf_meta が {len(metas)} 個あります（1個のはず）")
    meta = parse_pagefind_file(files[metas[0]], metas[0])
    return [[chunk[0], chunk[1]] for chunk in meta[2]]


_FRAGMENT_URL = re.compile(rb'"url":"/(\d+)\.html"')


def page_names(files: dict[str, bytes]) -> dict[int, str]:
    """Document index → Pagefind page (fragment) name, from the fragments in the bundle
    (a record's URL is ``/<index>.html``)."""
    names: dict[int, str] = {}
    for path, data in files.items():
        if not path.startswith("fragment/"):
            continue
        name = path.removeprefix("fragment/").removesuffix(".pf_fragment")
        match = _FRAGMENT_URL.search(gzip.decompress(data))
        if match is None:
            raise PagefindError(f"Pagefind の fragment {name} に URL がありません")
        names[int(match.group(1))] = name
    return names
