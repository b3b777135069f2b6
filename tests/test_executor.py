"""The executor contract (serial, local process pool, dask cluster) and OCR on a dask cluster.

The dask tests share one two-worker LocalCluster on the loopback interface and skip where
dask.distributed is not installed; the OCR tests read three small typewritten pages rendered once.
"""

from __future__ import annotations

import functools
import importlib
import os
import shutil
import signal
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from bureaucli.catalog import Catalog
from bureaucli.cli import cli
from bureaucli.errors import ExitCode, MissingDependencyError
from bureaucli.executor import (
    DaskExecutor,
    Executor,
    LocalExecutor,
    SchedulerError,
    SerialExecutor,
    make_executor,
)
from bureaucli.ocr import OcrPageResult, OcrTask, PageImageRef, ocr_page
from bureaucli.pipeline import ingest_stage, ocr_stage
from bureaucli.settings import OcrSettings
from bureaucli.workspace import Workspace

REPO_ROOT = Path(__file__).resolve().parents[1]
KINDS = ("serial", "local", "dask")
# Every dask scheduler serves HTTP (metrics, health) and moves off 8787 when another one holds it.
pytestmark = pytest.mark.filterwarnings("ignore:Port 8787 is already in use:UserWarning")

# --- task functions (module level, so worker processes can unpickle them) ------------------------------


def sleep_then_square(n: int) -> int:
    """n², after n tenths of a second."""
    time.sleep(n / 10)
    return n * n


def fail_on_odd(n: int) -> int:
    if n % 2:
        raise ValueError(f"odd {n}")
    return n


def touch_then_sleep(path: Path) -> str:
    path.touch()
    time.sleep(0.3)
    return path.name


def fail_first_attempt(marker: Path) -> str:
    """Raises the first time it runs (leaving `marker` behind), succeeds after."""
    if not marker.exists():
        marker.touch()
        raise RuntimeError("first attempt")
    return "second attempt"


def ocr_killing_worker_once(task: OcrTask, victim: str) -> OcrPageResult:
    """ocr_page, except that the first attempt at page `victim` kills the worker process running it."""
    marker = Path(task.out_dir) / f"{task.page_id}.killed"
    if task.page_id == victim and not marker.exists():
        marker.touch()
        os.kill(os.getpid(), signal.SIGKILL)
    return ocr_page(task)


# --- fixtures --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as local_cluster:
        yield local_cluster


@pytest.fixture
def build(request: pytest.FixtureRequest) -> Iterator[Callable[..., Executor]]:
    """build(kind, **options): an executor of that kind, closed when the test ends."""
    made: list[Executor] = []

    def make(kind: str, **options: Any) -> Executor:
        if kind == "dask":
            executor: Executor = DaskExecutor(request.getfixturevalue("cluster").scheduler_address, **options)
        else:
            executor = SerialExecutor() if kind == "serial" else LocalExecutor(2, **options)
        made.append(executor)
        return executor

    yield make
    for executor in made:
        executor.close()


@pytest.fixture(scope="module")
def scans(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Three small typewritten pages at 200 dpi: clean, worn, and worn in two columns."""
    if shutil.which("tesseract") is None:
        pytest.skip("Tesseract is not installed")
    sys.path.insert(0, str(REPO_ROOT / "tools"))
    try:
        typewriter = importlib.import_module("typewriter")
    finally:
        sys.path.remove(str(REPO_ROOT / "tools"))
    text = (
        "ПРОТОКОЛ № 5\nзаседания бюро Слободского райкома ВКП(б)\n\n"
        "1. СЛУШАЛИ: Персональное дело тов. Мохова Игната Петровича, директора завода.\n"
        "ПОСТАНОВИЛИ: Мохова И.П. из рядов ВКП(б) исключить.\n\n"
        "2. СЛУШАЛИ: Персональное дело тов. Кирилловой Анны Семеновны, учительницы.\n"
        "ПОСТАНОВИЛИ: Объявить Кирилловой А.С. строгий выговор.\n"
    )
    folder = tmp_path_factory.mktemp("scans")
    paths = []
    for number, (layout, quality) in enumerate((("plain", "clean"), ("plain", "worn"), ("columns", "worn"))):
        page = typewriter.render(text, layout=layout, quality=quality, dpi=200, seed=number)[0]
        paths.append(folder / f"{number + 1:04d}.png")
        page.image.save(paths[-1], dpi=(200, 200))
    return paths


def ocr_tasks(scans: list[Path], out_dir: Path) -> list[OcrTask]:
    settings = OcrSettings()
    return [
        OcrTask(f"p{number}", PageImageRef(str(path), "image", 0, 200.0), str(out_dir), settings)
        for number, path in enumerate(scans, start=1)
    ]


def workspace_with(scans: list[Path], root: Path) -> Path:
    """A workspace whose data/raw/ holds the scans as the pages of one protocol."""
    folder = root / "data" / "raw" / "f1_op1_d1" / "protocol_5"
    folder.mkdir(parents=True)
    for path in scans:
        shutil.copy(path, folder / path.name)
    return root


def client_of(cluster: Any) -> Any:
    from distributed import Client

    return Client(cluster.scheduler_address, set_as_default=False)


def bureau(root: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["-C", str(root), *args], catch_exceptions=False)


# --- the contract every executor keeps ------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_every_task_gives_its_own_result_whatever_the_order(kind, build):
    tasks = [3, 0, 2, 1, 0, 4]
    outcomes = list(build(kind).map_unordered(sleep_then_square, tasks))
    assert sorted(outcomes) == sorted((n, n * n) for n in tasks)


@pytest.mark.parametrize("kind", ["local", "dask"])
def test_results_arrive_as_tasks_finish(kind, build):
    outcomes = [task for task, _ in build(kind).map_unordered(sleep_then_square, [6, 0, 0, 0])]
    assert outcomes[0] == 0


@pytest.mark.parametrize("kind", KINDS)
def test_exceptions_are_yielded_not_raised(kind, build):
    outcomes = dict(build(kind).map_unordered(fail_on_odd, range(6)))
    assert {n: outcomes[n] for n in (0, 2, 4)} == {0: 0, 2: 2, 4: 4}
    for n in (1, 3, 5):
        assert isinstance(outcomes[n], ValueError) and str(outcomes[n]) == f"odd {n}"


@pytest.mark.parametrize(("kind", "limit"), [("serial", 1), ("local", 4), ("dask", 4)])
def test_tasks_are_taken_only_as_results_come_back(kind, limit, build):
    """At most `limit` tasks in flight: two per worker by default (two local workers, two dask threads)."""
    taken: list[int] = []

    def tasks() -> Iterator[int]:
        for n in range(12):
            taken.append(n)
            yield n

    received = 0
    for _ in build(kind).map_unordered(fail_on_odd, tasks()):
        received += 1
        assert len(taken) <= received - 1 + limit
    assert received == 12


@pytest.mark.parametrize("kind", ["local", "dask"])
def test_closing_early_cancels_pending_tasks(kind, build, tmp_path):
    executor = build(kind, max_in_flight=20)
    results = executor.map_unordered(touch_then_sleep, [tmp_path / f"{n}.started" for n in range(20)])
    next(results)
    results.close()
    executor.close()
    time.sleep(1.0)  # a cancelled task that still started would have touched its file by now
    assert len(list(tmp_path.glob("*.started"))) <= 10  # two running, a few queued on the workers


def test_make_executor_picks_by_workers_and_scheduler(monkeypatch):
    with make_executor(1) as serial, make_executor(2) as local:
        assert isinstance(serial, SerialExecutor) and isinstance(local, LocalExecutor)
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if dask were not installed
    with pytest.raises(MissingDependencyError, match=r"pip install 'bureaucli\[dask\]'") as missing:
        make_executor(2, "tcp://head:8786")
    assert missing.value.exit_code == ExitCode.USAGE_ERROR


# --- dask: errors and retries ---------------------------------------------------------------------------


def test_bad_scheduler_address_is_a_usage_error_on_run(scans, tmp_path):
    pytest.importorskip("distributed")
    result = bureau(workspace_with(scans[:1], tmp_path), "run", "--scheduler", "tpc://head:8786")
    assert result.exit_code == ExitCode.USAGE_ERROR
    assert "'tpc://head:8786' is not a dask scheduler address" in result.stderr


def test_unreachable_scheduler_is_one_line_naming_it(scans, tmp_path, monkeypatch):
    pytest.importorskip("distributed")
    monkeypatch.setattr("bureaucli.executor.CONNECT_TIMEOUT", 1.0)
    root = workspace_with(scans[:1], tmp_path)
    assert bureau(root, "-q", "ingest").exit_code == 0
    result = bureau(root, "ocr", "--scheduler", "tcp://127.0.0.1:1")
    assert result.exit_code == ExitCode.USAGE_ERROR
    assert result.stderr.strip() == (
        "Error: no dask scheduler answered at tcp://127.0.0.1:1 within 1 s; is `dask scheduler` running there?"
    )


def test_dask_retries_a_task_that_raised(build, tmp_path):
    markers = [tmp_path / "once", tmp_path / "never"]
    retried = dict(build("dask", retries=1).map_unordered(fail_first_attempt, markers[:1]))
    assert retried == {markers[0]: "second attempt"}
    (_, error), *_ = build("dask", retries=0).map_unordered(fail_first_attempt, markers[1:])
    assert isinstance(error, RuntimeError)


# --- dask: OCR ------------------------------------------------------------------------------------------


@pytest.mark.ocr
def test_dask_cluster_reads_pages_byte_for_byte_like_the_local_pool(scans, cluster, tmp_path):
    outputs = {}
    for name, option in (("local", ("--workers", "2")), ("dask", ("--scheduler", cluster.scheduler_address))):
        root = workspace_with(scans, tmp_path / name)
        assert bureau(root, "-q", "ingest").exit_code == 0
        result = bureau(root, "ocr", *option)
        assert result.exit_code == 0, result.output
        assert "ocr: 3 page(s) OCR'd" in result.stdout
        ocr_dir = root / "data" / "extracted" / "ocr"
        outputs[name] = {str(p.relative_to(ocr_dir)): p.read_bytes() for p in sorted(ocr_dir.rglob("*.t??"))}
    assert len(outputs["dask"]) == 6 and outputs["dask"] == outputs["local"]
    again = bureau(tmp_path / "dask", "ocr", "--scheduler", cluster.scheduler_address)
    assert "ocr: 0 page(s) OCR'd, 3 cached" in again.stdout
    with client_of(cluster) as client:  # ocr_page limited Tesseract to one thread on each worker
        assert set(client.run(os.getenv, "OMP_THREAD_LIMIT").values()) == {os.getenv("OMP_THREAD_LIMIT", "1")}


class _ShutDownSchedulerAfterFirstPage:
    """A progress bar that, once the driver has saved the first page, closes the whole cluster."""

    def __init__(self, cluster: Any):
        self.cluster = cluster

    def update(self, n: int = 1) -> None:
        if self.cluster is not None:
            self.cluster.close()
            self.cluster = None

    def close(self) -> None:
        pass


@pytest.mark.ocr
def test_ocr_resumes_after_the_scheduler_dies(scans, tmp_path):
    distributed = pytest.importorskip("distributed")
    ws = Workspace.open(workspace_with(scans, tmp_path))
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
        ) as doomed,
        Catalog(ws.catalog_path) as catalog,
    ):
        address = doomed.scheduler_address
        ingest_stage(ws, catalog)
        dask_ws = ws.with_settings(ws.settings.replace("ocr", scheduler=address))
        with pytest.raises(SchedulerError, match=f"lost the dask scheduler at {address}"):
            ocr_stage(dask_ws, catalog, progress=lambda total: _ShutDownSchedulerAfterFirstPage(doomed))
        saved = catalog.query("SELECT count(*) AS n FROM ocr_results")[0]["n"]
    assert 1 <= saved < 3
    result = bureau(ws.root, "ocr", "--workers", "1")
    assert f"ocr: {3 - saved} page(s) OCR'd" in result.stdout and f"{saved} cached" in result.stdout


@pytest.mark.ocr
def test_a_worker_killed_mid_run_still_gives_every_page(scans, cluster, build, tmp_path):
    tasks = ocr_tasks(scans, tmp_path)
    kill_on_p2 = functools.partial(ocr_killing_worker_once, victim="p2")
    outcomes = dict(build("dask", retries=1).map_unordered(kill_on_p2, tasks))
    assert (tmp_path / "p2.killed").exists()
    assert all(isinstance(outcomes[task], OcrPageResult) for task in tasks), outcomes
    assert sorted(p.name for p in tmp_path.glob("p?.txt")) == ["p1.txt", "p2.txt", "p3.txt"]
    with client_of(cluster) as client:  # the nanny restarts the killed worker for the tests after
        client.wait_for_workers(2, timeout=30)
