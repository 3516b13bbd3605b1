"""The Pagefind binary as a service: its client files, and its own index for the tests.

``pagefind --service`` reads requests on standard input and answers on standard output, each
message a base64-encoded JSON object followed by a comma (the protocol of Pagefind's Node and
Python APIs). Requests are written as soon as they are ready and a thread reads every answer
as it comes (Pagefind's own Python API waits a tenth of a second between reads).

The build writes the index itself (``pagefind_format.py``); of the binary it takes only the
client — ``pagefind.js`` and the WebAssembly — and their version (``Client``), from an index
of one record. ``tests/test_pagefind_format.py`` has the binary index the same records as the
build to compare the two.

The bundle comes back as data (``GetFiles``): Pagefind's own ``WriteFiles`` answers before
its writes are finished (they run on background tasks that the service does not wait for).
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import subprocess
import tempfile
import threading
from pathlib import Path

INDEX_CHUNK_SIZE = 4000  # entries per index chunk (Pagefind's default: 20,000)
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

    def __init__(self, executable: Path | None = None, chunk_size: int = INDEX_CHUNK_SIZE):
        env = {k: v for k, v in os.environ.items() if not k.startswith("PAGEFIND_")}
        env["PAGEFIND_UNSTABLE_INDEX_CHUNK_SIZE"] = str(chunk_size)
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


CLIENT = ("pagefind.js", "wasm.unknown.pagefind")  # what the search worker loads of Pagefind


class Client:
    """Pagefind's client — ``pagefind.js`` and the WebAssembly — and its version, from the
    binary: an index of one record is asked for at once, and thrown away."""

    def __init__(self, executable: Path | None = None):
        self.service = PagefindService(executable)
        self.service.add_record("/0.html", "x", meta={}, filters={}, sort={})
        self.service.request_files()

    def files(self) -> tuple[str, dict[str, bytes]]:
        """(version, path → content); raises PagefindError."""
        try:
            files = self.service.files()
        finally:
            self.service.close()
        try:
            version = json.loads(files["pagefind-entry.json"])["version"]
            return version, {path: files[path] for path in CLIENT}
        except (KeyError, TypeError, ValueError) as exc:
            raise PagefindError(f"Pagefind の出力に {exc} がありません") from None

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc) -> None:
        self.service.close()
