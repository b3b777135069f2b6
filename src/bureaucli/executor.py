"""One interface for page-parallel work: run a function over tasks and get (task, result) as each finishes.

Tasks travel to workers as small picklable records (paths and settings, never pixels). A task that raises
does not stop the others: its exception is yielded in place of a result. `LocalExecutor` keeps only a
bounded number of tasks in flight, so memory stays flat however many pages a corpus has; Ctrl-C (or
closing the iterator early) cancels the work not yet started, and every result finished before it was
already yielded.
"""

from __future__ import annotations

import os
import signal
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from types import TracebackType
from typing import Protocol, Self, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class Executor(Protocol):
    def map_unordered(
        self, fn: Callable[[T], R], tasks: Iterable[T]
    ) -> Iterator[tuple[T, R | BaseException]]:
        """Yield (task, result or the exception it raised) in the order tasks complete."""
        ...

    def close(self) -> None: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None: ...


class _ClosingContext(ABC):
    """Closes the executor when its `with` block ends."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    @abstractmethod
    def close(self) -> None: ...


class SerialExecutor(_ClosingContext):
    """Runs every task in this process, one after the other (workers=1, tests, debugging)."""

    def map_unordered(
        self, fn: Callable[[T], R], tasks: Iterable[T]
    ) -> Iterator[tuple[T, R | BaseException]]:
        for task in tasks:
            try:
                outcome: R | BaseException = fn(task)
            except Exception as exc:  # one failed task must not stop the others
                outcome = exc
            yield task, outcome

    def close(self) -> None:
        """Nothing to release."""


def _ignore_interrupt(initializer: Callable[[], None] | None) -> None:
    """Worker start-up: Ctrl-C is handled once, by the parent, which cancels what is pending."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if initializer is not None:
        initializer()


class LocalExecutor(_ClosingContext):
    """A pool of worker processes on this machine with at most `max_in_flight` tasks submitted at once."""

    def __init__(
        self, workers: int, max_in_flight: int | None = None, initializer: Callable[[], None] | None = None
    ):
        if workers < 1:
            raise ValueError("workers must be at least 1")
        self.workers = workers
        self.max_in_flight = max_in_flight or 2 * workers
        self._initializer = initializer
        self._pool: ProcessPoolExecutor | None = None

    def _live_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                self.workers, initializer=_ignore_interrupt, initargs=(self._initializer,)
            )
        return self._pool

    def _submit(self, fn: Callable[[T], R], task: T) -> Future[R]:
        try:
            return self._live_pool().submit(fn, task)
        except BrokenProcessPool:  # a worker died (killed, out of memory): start a fresh pool
            self._discard_pool()
            return self._live_pool().submit(fn, task)

    def map_unordered(
        self, fn: Callable[[T], R], tasks: Iterable[T]
    ) -> Iterator[tuple[T, R | BaseException]]:
        pending = iter(tasks)
        in_flight: dict[Future[R], T] = {}
        try:
            for task in pending:
                in_flight[self._submit(fn, task)] = task
                if len(in_flight) < self.max_in_flight:
                    continue
                yield from self._drain(in_flight)
            while in_flight:
                yield from self._drain(in_flight)
        finally:
            for future in in_flight:
                future.cancel()
            if in_flight:
                self._discard_pool()

    def _drain(self, in_flight: dict[Future[R], T]) -> Iterator[tuple[T, R | BaseException]]:
        """Wait for at least one task to finish and yield every finished one."""
        done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
        for future in done:
            task = in_flight.pop(future)
            error = future.exception()
            yield task, future.result() if error is None else error

    def _discard_pool(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def close(self) -> None:
        self._discard_pool()


def make_executor(workers: int) -> Executor:
    """A serial executor for one worker, else a local process pool (0 means one worker per CPU)."""
    count = workers or max(1, os.cpu_count() or 1)
    return SerialExecutor() if count == 1 else LocalExecutor(count)
