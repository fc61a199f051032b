"""Scanning a folder: every image analysed, every result journaled and yielded.

:func:`scan_folder` is the one entry point for front ends: the CLI prints
what it yields with a progress bar, the GUI posts it to its queue. Results
come in the stable order of :func:`~skindesk.core.batch.discovery.iter_files`;
with ``resume=True`` the files an earlier run of the same scan finished are
read back from its journal (``resumed=True``) instead of analysed again.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from skindesk.core.batch.discovery import Found, check_folder, iter_files
from skindesk.core.batch.items import ScanItem, ScanProgress, ScanSummary
from skindesk.core.batch.journal import ScanJournal, read_state, scan_id
from skindesk.core.batch.pipeline import BatchEngine, BatchPipeline
from skindesk.core.metadata import UNKNOWN, PatientMetadata
from skindesk.core.preprocess import Pipeline, get_preset
from skindesk.core.service import SkinDeskService

ProgressCallback = Callable[[ScanProgress], None]


class FolderScan:
    """One scan of a folder, set up and ready to run.

    Args:
        folder: The folder to scan.
        recursive: Include sub-folders.
        include: Shell patterns a file name must match (default: all files).
        model_id: Model to use (default: the default model).
        preprocessing: A pipeline or preset name run on each image first.
        metadata: Patient metadata given to the model for every image.
        resume: Continue the journal of an earlier run of the same scan.
        service: The :class:`SkinDeskService` to get the engine from.
        engine: Use this engine instead of asking the service (tests, tools).
        workers: Decoding threads (default: one per core, 2 to 8).

    Raises:
        ScanFolderError: The folder is missing or unreadable, or the same
            scan is running elsewhere.
        ModelError: The model is not installed.
        PreprocessingError: No such preset.
    """

    def __init__(
        self,
        folder: str | os.PathLike[str],
        *,
        recursive: bool = False,
        include: Iterable[str] | None = None,
        model_id: str | None = None,
        preprocessing: Pipeline | str | None = None,
        metadata: PatientMetadata = UNKNOWN,
        resume: bool = False,
        service: SkinDeskService | None = None,
        engine: BatchEngine | None = None,
        workers: int | None = None,
    ) -> None:
        self.folder = check_folder(folder)
        self.recursive = recursive
        self.include = sorted(set(include or ()))
        if engine is None:
            engine = (service or SkinDeskService()).engine(model_id)
        self.engine = engine
        steps = get_preset(preprocessing) if isinstance(preprocessing, str) else preprocessing
        self.preprocessing = steps if steps is not None and steps.enabled_steps() else None
        self.metadata = metadata
        self.workers = workers
        self.resume = resume
        self.identity = self._identity()
        self.scan_id = scan_id(self.identity)
        """The id that ``resume`` finds this scan by."""
        self.summary = ScanSummary()

    @property
    def unfinished_earlier_run(self) -> bool:
        """Whether an earlier run of this scan stopped before the end (``resume`` continues it)."""
        state = read_state(self.scan_id)
        return state is not None and state.get("state") != "complete"

    def _identity(self) -> dict[str, Any]:
        card = self.engine.card
        return {
            "folder": str(self.folder),
            "recursive": self.recursive,
            "include": self.include,
            "model": {"id": card.id, "sha256": card.sha256},
            "preprocessing": self.preprocessing.fingerprint() if self.preprocessing else None,
            "metadata": self.metadata.to_dict(),
        }

    def files(self) -> Iterator[Found]:
        """The files this scan looks at, in order (lazily)."""
        return iter_files(self.folder, recursive=self.recursive, include=self.include)

    def run(
        self,
        on_progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> Iterator[ScanItem]:
        """Analyse the folder, yielding one item per file; :attr:`summary` fills as it goes.

        Each chunk of results is journaled (durably) before it is yielded.
        Setting ``cancel`` stops after the current batch; what was yielded
        stays journaled for a later ``resume``.
        """
        load = getattr(self.engine, "load", None)
        if load is not None:
            load()  # verify and load the model before the clock starts
        journal = ScanJournal.open(self.identity, resume=self.resume)
        pipeline = self._pipeline()
        counter = _BackgroundCount(self)
        state = "interrupted"
        self.summary = summary = ScanSummary()
        report = _Reporter(summary, counter, on_progress)
        try:
            report()
            for chunk in pipeline.run(self._entries(journal), cancel):
                journal.append(item for item in chunk if not item.resumed)
                for item in chunk:
                    summary.add(item)
                    yield item
                report()
            summary.cancelled = pipeline.cancelled
            state = "cancelled" if summary.cancelled else "complete"
        finally:
            summary.finish()
            counter.stop()
            journal.write_state(self.identity, state)
            journal.close()

    def _pipeline(self) -> BatchPipeline:
        return BatchPipeline(
            self.engine,
            metadata=self.metadata,
            preprocessing=self.preprocessing,
            workers=self.workers,
        )

    def _entries(self, journal: ScanJournal) -> Iterator[Found | ScanItem]:
        """The files, with those finished in an earlier run replaced by their journaled item."""
        for found in self.files():
            yield journal.read(found.relpath) if found.relpath in journal.done else found


class _Reporter:
    """Calls ``on_progress`` with the summary's current counts."""

    def __init__(
        self, summary: ScanSummary, counter: _BackgroundCount, on_progress: ProgressCallback | None
    ) -> None:
        self.summary, self.counter, self.on_progress = summary, counter, on_progress

    def __call__(self) -> None:
        if self.on_progress is not None:
            s = self.summary
            self.on_progress(ScanProgress(s.total, self.counter.total, s.new_analysed, s.elapsed))


class _BackgroundCount:
    """Counts the scan's files on a side thread, so progress can show a total early."""

    def __init__(self, scan: FolderScan) -> None:
        self.total: int | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._count, args=(scan,), daemon=True, name="scan-count"
        )
        self._thread.start()

    def _count(self, scan: FolderScan) -> None:
        count = 0
        for count, _ in enumerate(scan.files(), start=1):
            if self._stop.is_set():
                return
        self.total = count

    def stop(self) -> None:
        """Give up counting (the scan is over)."""
        self._stop.set()


def scan_folder(
    folder: str | os.PathLike[str] | Path,
    *,
    recursive: bool = False,
    include: Iterable[str] | None = None,
    model_id: str | None = None,
    preprocessing: Pipeline | str | None = None,
    metadata: PatientMetadata = UNKNOWN,
    resume: bool = False,
    on_progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
    **options: Any,
) -> Iterator[ScanItem]:
    """Analyse every image of a folder, yielding one :class:`ScanItem` per file.

    A file that is not an image, or cannot be read or decoded, is yielded as
    failed or skipped with its reason; the scan goes on. See
    :class:`FolderScan` for the arguments (``options``: ``service``,
    ``engine``, ``workers``) and :meth:`FolderScan.run` for progress and
    cancellation. Use :class:`FolderScan` directly to get the summary.
    """
    scan = FolderScan(
        folder,
        recursive=recursive,
        include=include,
        model_id=model_id,
        preprocessing=preprocessing,
        metadata=metadata,
        resume=resume,
        **options,
    )
    yield from scan.run(on_progress, cancel)
