"""Stage timings for build reports."""

from __future__ import annotations

import time


class Laps:
    """Records, under a name, the seconds since the previous lap (or since creation)."""

    def __init__(self, timings: dict[str, float]):
        self.timings = timings
        self.clock = time.perf_counter()

    def __call__(self, name: str) -> None:
        now = time.perf_counter()
        self.timings[name] = now - self.clock
        self.clock = now
