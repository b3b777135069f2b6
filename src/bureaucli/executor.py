"""One interface for page-parallel work: run a function over tasks and get (task, result) as each finishes.

Tasks travel to workers as small picklable records (paths and settings, never pixels). A task that raises
does not stop the others: its exception is yielded in place of a result. Every executor keeps only a
bounded number of tasks in flight, so memory stays flat however many pages a corpus has; Ctrl-C (or
closing the iterator early) cancels the work not yet started, and every result finished before it was
already yielded.

`LocalExecutor` runs tasks in a process pool on this machine, `DaskExecutor` on a dask.distributed
cluster (the optional `bureaucli[dask]` extra), whose workers must see the task's paths as this
machine does.
"""

from __future__ import annotations

import os
import signal
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from types import ModuleType, TracebackType
from typing import Any, Protocol, Self, TypeVar

from bureaucli.errors import BureauError, ExitCode, MissingDependencyError

T = TypeVar("T")
R = TypeVar("R")

DASK_INSTALL_HINT = "pip install 'bureaucli[dask]'"
CONNECT_TIMEOUT = 10.0
"""Seconds to keep trying to reach a dask scheduler before giving up."""
CLUSTER_SIZE_REFRESH = 5.0
"""Seconds between looks at how many threads a dask cluster has (workers may join or leave mid-run)."""


class SchedulerError(BureauError):
    """The dask scheduler cannot be reached, or was lost during the run."""

    exit_code = ExitCode.USAGE_ERROR


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


class _Completions(Protocol):
    """Futures added one by one, handed back as they finish (the shape of dask's `as_completed`)."""

    def add(self, future: Any) -> None: ...

    def next_batch(self) -> list[Any]:
        """Block until at least one added future has finished; return every finished one not yet returned."""
        ...


class _BoundedExecutor(_ClosingContext):
    """The submit-and-drain loop shared by the pools: never more than `_in_flight_limit()` tasks submitted
    and not yet yielded, so the task iterable is consumed only as fast as results come back."""

    @abstractmethod
    def _submit(self, fn: Callable[[T], R], task: T) -> Any: ...

    @abstractmethod
    def _completions(self) -> _Completions: ...

    @abstractmethod
    def _in_flight_limit(self) -> int: ...

    @abstractmethod
    def _abandon(self, futures: list[Any]) -> None:
        """Cancel futures whose results will not be collected."""

    def map_unordered(
        self, fn: Callable[[T], R], tasks: Iterable[T]
    ) -> Iterator[tuple[T, R | BaseException]]:
        in_flight: dict[Any, T] = {}
        completions = self._completions()
        try:
            for task in tasks:
                future = self._submit(fn, task)
                in_flight[future] = task
                completions.add(future)
                if len(in_flight) >= self._in_flight_limit():
                    yield from self._drain(in_flight, completions)
            while in_flight:
                yield from self._drain(in_flight, completions)
        finally:
            if in_flight:
                self._abandon(list(in_flight))

    def _drain(
        self, in_flight: dict[Any, T], completions: _Completions
    ) -> Iterator[tuple[T, Any | BaseException]]:
        """Wait for at least one task to finish and yield every finished one."""
        for future in completions.next_batch():
            task = in_flight.pop(future)
            yield task, self._outcome(future)

    def _outcome(self, future: Any) -> Any | BaseException:
        error = future.exception()
        return future.result() if error is None else error


def _ignore_interrupt(initializer: Callable[[], None] | None) -> None:
    """Worker start-up: Ctrl-C is handled once, by the parent, which cancels what is pending."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if initializer is not None:
        initializer()


class _FirstCompleted:
    """`_Completions` over concurrent.futures."""

    def __init__(self) -> None:
        self._pending: set[Future[Any]] = set()

    def add(self, future: Future[Any]) -> None:
        self._pending.add(future)

    def next_batch(self) -> list[Future[Any]]:
        done, self._pending = wait(self._pending, return_when=FIRST_COMPLETED)
        return list(done)


class LocalExecutor(_BoundedExecutor):
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

    def _completions(self) -> _FirstCompleted:
        return _FirstCompleted()

    def _in_flight_limit(self) -> int:
        return self.max_in_flight

    def _abandon(self, futures: list[Any]) -> None:
        for future in futures:
            future.cancel()
        self._discard_pool()

    def _discard_pool(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def close(self) -> None:
        self._discard_pool()


def _import_distributed() -> ModuleType:
    try:
        import distributed
    except ImportError as exc:
        raise MissingDependencyError(
            f"a dask scheduler was given, but dask.distributed is not installed; install it: {DASK_INSTALL_HINT}"
        ) from exc
    return distributed


class DaskExecutor(_BoundedExecutor):
    """Tasks run on a dask.distributed cluster, at most `max_in_flight` at once (default: two per worker
    thread, followed as workers join and leave).

    A task that raises is tried again `retries` times; a task whose worker dies is moved to another
    worker by the scheduler itself (up to its `distributed.scheduler.allowed-failures`). A lost
    scheduler raises `SchedulerError` instead of yielding every pending task as failed.
    """

    def __init__(
        self,
        address: str,
        retries: int = 0,
        max_in_flight: int | None = None,
        connect_timeout: float = CONNECT_TIMEOUT,
    ):
        self._distributed = _import_distributed()
        self.address = address
        self.retries = retries
        self.max_in_flight = max_in_flight
        self._threads = 0
        self._threads_seen_at = float("-inf")
        try:  # checked first: a Client given a bad address hangs for seconds when it is collected
            self._distributed.comm.get_address_host(address)
        except ValueError as exc:
            raise SchedulerError(
                f"{address!r} is not a dask scheduler address like tcp://HOST:8786 ({exc})"
            ) from exc
        try:
            self._client = self._distributed.Client(address, timeout=connect_timeout, set_as_default=False)
        except OSError as exc:
            raise SchedulerError(
                f"no dask scheduler answered at {address} within {connect_timeout:g} s; "
                "is `dask scheduler` running there?"
            ) from exc

    def _submit(self, fn: Callable[[T], R], task: T) -> Any:
        # pure=False: two equal tasks (a page given twice) are still two runs with two results
        return self._client.submit(fn, task, pure=False, retries=self.retries)

    def _completions(self) -> _Completions:
        return self._distributed.as_completed(loop=self._client.loop)

    def _in_flight_limit(self) -> int:
        if self.max_in_flight:
            return self.max_in_flight
        if time.monotonic() - self._threads_seen_at > CLUSTER_SIZE_REFRESH:
            try:
                self._threads = sum(self._client.nthreads().values())
            except OSError as exc:
                raise self._lost(str(exc)) from exc
            self._threads_seen_at = time.monotonic()
        return 2 * max(1, self._threads)

    def _outcome(self, future: Any) -> Any | BaseException:
        if future.cancelled():  # not by us: we only cancel what we no longer wait for
            try:
                future.result()
            except Exception as exc:
                raise self._lost(getattr(exc, "reason", None) or type(exc).__name__) from exc
        return super()._outcome(future)

    def _lost(self, reason: str) -> SchedulerError:
        return SchedulerError(
            f"lost the dask scheduler at {self.address} ({reason}); "
            "the work finished so far is saved, run the same command again to resume"
        )

    def _abandon(self, futures: list[Any]) -> None:
        if self._client.status == "running":
            self._client.cancel(futures)

    def close(self) -> None:
        self._client.close()


def make_executor(workers: int, scheduler: str = "", retries: int = 0) -> Executor:
    """A dask cluster's executor when a scheduler address is given, else a serial executor for one
    worker or a local process pool (0 workers means one per CPU)."""
    if scheduler:
        return DaskExecutor(scheduler, retries=retries, connect_timeout=CONNECT_TIMEOUT)
    count = workers or max(1, os.cpu_count() or 1)
    return SerialExecutor() if count == 1 else LocalExecutor(count)
