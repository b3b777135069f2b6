"""The workspace: where inputs, outputs and the user's corrections live, and the lock that guards it."""

from __future__ import annotations

import fcntl
import os
from dataclasses import dataclass
from pathlib import Path

from bureaucli.errors import WorkspaceError
from bureaucli.settings import Settings, load_settings


@dataclass(frozen=True)
class Workspace:
    root: Path
    settings: Settings

    @classmethod
    def open(cls, root: Path | str) -> Workspace:
        """The workspace at `root`; it must have `data/raw/` (the tool never writes there)."""
        root = Path(root).resolve()
        if not (root / "data" / "raw").is_dir():
            raise WorkspaceError(
                f"{root} has no data/raw/ folder: put the scans in data/raw/ or point -C at the workspace"
            )
        return cls(root=root, settings=load_settings(root / "bureau.toml"))

    def with_settings(self, settings: Settings) -> Workspace:
        return Workspace(root=self.root, settings=settings)

    @property
    def raw_dir(self) -> Path:
        return self.root / "data" / "raw"

    @property
    def extracted_dir(self) -> Path:
        return self.root / "data" / "extracted"

    @property
    def corrections_dir(self) -> Path:
        return self.root / "data" / "corrections"

    @property
    def catalog_path(self) -> Path:
        return self.extracted_dir / "catalog.sqlite"

    @property
    def ocr_dir(self) -> Path:
        return self.extracted_dir / "ocr"

    @property
    def tables_dir(self) -> Path:
        return self.extracted_dir / "tables"

    def text_correction_path(self, document: str, page_no: int) -> Path:
        return self.corrections_dir / "text" / document / f"{page_no}.txt"

    def lock(self) -> WorkspaceLock:
        return WorkspaceLock(self.extracted_dir / ".bureau.lock")


class WorkspaceLock:
    """An exclusive advisory lock, so two runs never write one catalog at once.

    The kernel drops a flock when its process dies, so a crashed run never leaves the workspace locked.
    """

    def __init__(self, path: Path):
        self.path = path
        self._fd: int | None = None

    def __enter__(self) -> WorkspaceLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise WorkspaceError(
                f"another bureau command (pid {holder}) is working on {self.path.parents[2]}; "
                "wait for it to finish, then run this again"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        self._fd = fd
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
