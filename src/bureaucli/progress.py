"""Progress for long stages: a tqdm bar on a terminal, plain periodic lines when stderr is not a TTY."""

from __future__ import annotations

import sys
import time
from typing import Protocol


class Progress(Protocol):
    def update(self, n: int = 1) -> None: ...
    def close(self) -> None: ...


class NoProgress:
    def update(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


class LineProgress:
    """`ocr: 120/1000 pages, 3.1 pages/s, about 4 min 44 s left` every `every` seconds, for logs and CI."""

    def __init__(self, label: str, total: int, unit: str, every: float = 10.0):
        self.label, self.total, self.unit, self.every = label, total, unit, every
        self.done = 0
        self.started = self.last = time.monotonic()

    def update(self, n: int = 1) -> None:
        self.done += n
        now = time.monotonic()
        if now - self.last >= self.every:
            self.last = now
            self._print(now)

    def _print(self, now: float) -> None:
        rate = self.done / max(now - self.started, 1e-9)
        left = (self.total - self.done) / rate if rate else float("inf")
        eta = f", about {int(left // 60)} min {int(left % 60)} s left" if left != float("inf") else ""
        print(
            f"{self.label}: {self.done}/{self.total} {self.unit}, {rate:.1f} {self.unit}/s{eta}",
            file=sys.stderr,
        )

    def close(self) -> None:
        if self.done and time.monotonic() - self.started >= self.every:
            self._print(time.monotonic())


def make_progress(label: str, total: int, unit: str, quiet: bool) -> Progress:
    if quiet or total == 0:
        return NoProgress()
    if sys.stderr.isatty():
        from tqdm import tqdm

        return tqdm(total=total, desc=label, unit=f" {unit}", file=sys.stderr, dynamic_ncols=True)
    return LineProgress(label, total, unit)
