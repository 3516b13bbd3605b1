"""Work split over every core with forked processes, which inherit the parent's data, so
nothing is pickled on the way in; only each share's result comes back."""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

_task: Callable | None = None  # what the forked workers inherit


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
    try:
        with mp.get_context("fork").Pool(shares) as pool:
            return pool.map(_run_share, [(share, shares) for share in range(shares)])
    finally:
        _task = None
