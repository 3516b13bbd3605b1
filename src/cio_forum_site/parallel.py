"""Work split over every core with forked processes, which inherit the parent's data, so
nothing is pickled on the way in; only each share's result comes back."""

from __future__ import annotations

import contextlib
import ctypes
import gc
import multiprocessing as mp
import os
import select
import signal
import threading
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

_task: Callable | None = None  # what the forked workers inherit


_PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int) -> None:
    """In a forked worker: be killed when the parent dies (Linux ``PR_SET_PDEATHSIG``), so
    that no worker outlives a killed build; if the parent is already gone, exit now."""
    with contextlib.suppress(OSError, AttributeError):  # not Linux: no such call
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(1)


def die_with(pid: int) -> None:
    """In a worker that is not a fork of process ``pid`` (one from the forkserver): exit at
    once when ``pid`` has ended, as ``die_with_parent`` does for a forked worker. A thread
    waits on a pidfd (Linux 5.3 and later; elsewhere it looks every second)."""
    def watch() -> None:
        try:
            fd = os.pidfd_open(pid)
        except (AttributeError, OSError):
            while _alive(pid):
                time.sleep(1)
        else:
            select.select([fd], [], [])
        os._exit(1)

    threading.Thread(target=watch, name="die-with", daemon=True).start()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _run_share(share_and_shares: tuple[int, int]):
    assert _task is not None
    return _task(*share_and_shares)


def workers_for(items: int, minimum: int) -> int:
    """How many processes to use: one when there is little work or no ``fork``."""
    if items < minimum or "fork" not in mp.get_all_start_methods():
        return 1
    return max(1, min(os.cpu_count() or 1, 4))


def by_share(task: Callable[[int, int], T], shares: int) -> list[T]:
    """``[task(0, shares), task(1, shares), …]``, each in its own forked process when
    ``shares`` > 1 (``task(share, shares)`` takes every ``shares``-th item from ``share``)."""
    global _task
    if shares <= 1:
        return [task(0, 1)]
    _task = task
    # The workers' garbage collections would write into every object they inherit, and so
    # copy every page of the parent's memory: frozen, those objects are never visited.
    gc.freeze()
    try:
        with mp.get_context("fork").Pool(shares, die_with_parent, (os.getpid(),)) as pool:
            return pool.map(_run_share, [(share, shares) for share in range(shares)])
    finally:
        gc.unfreeze()
        _task = None


class Background:
    """``task()`` in a forked process, started at once (it inherits this one's data, so
    nothing is pickled on the way in); ``result()`` waits for its value, or raises its
    exception here. Leaving the ``with`` block ends it if it still runs."""

    def __init__(self, task: Callable[[], T]):
        context = mp.get_context("fork")
        self._receive, send = context.Pipe(duplex=False)
        gc.freeze()  # as in by_share: the child's collections would copy every page
        try:
            self._process = context.Process(target=_in_background,
                                            args=(task, send, os.getpid()), daemon=False)
            self._process.start()
        finally:
            gc.unfreeze()
        send.close()

    def result(self):
        """The task's value; its exception is raised, and BackgroundEnded when it died."""
        try:
            done, value = self._receive.recv()
        except EOFError:
            raise BackgroundEnded(self._process.exitcode) from None
        finally:
            self._process.join()
        if not done:
            raise value
        return value

    def __enter__(self) -> Background:
        return self

    def __exit__(self, *exc) -> None:
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()
        self._receive.close()


class BackgroundEnded(Exception):
    """A background task's process ended without a result (killed, or out of memory)."""


def _in_background(task: Callable, send, parent: int) -> None:
    die_with_parent(parent)
    _forget_forkserver()
    try:
        send.send((True, task()))
    except BaseException as exc:  # noqa: BLE001 - any failure is the caller's to raise
        send.send((False, exc))


def _forget_forkserver() -> None:
    """In a fork: forget the parent's forkserver, which multiprocessing's state names but
    which is not this process's child (``ensure_running`` would ``waitpid`` it and fail
    with ECHILD); a pool here starts a forkserver of its own."""
    from multiprocessing import forkserver

    server = forkserver._forkserver
    for name in [n for n in vars(server) if n.startswith("_forkserver_")] + ["_inherited_fds"]:
        setattr(server, name, None)  # address, alive fd, pid (and authkey, Python 3.12 on)
