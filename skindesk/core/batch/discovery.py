"""Finding the images in a folder, by content, one file at a time.

Files are listed lazily, directory by directory, in name order (ignoring
case; sub-folders walked in their place among the files), so a folder of
100,000 files never becomes a list in memory and two walks of the same
folder give the same order. Whether a file is an image is decided by its
first bytes (:func:`~skindesk.core.imageio.sniff_image_format`), never its
name: a PNG called ``.txt`` is found, a text file called ``.jpg`` is not.
Hidden files and folders (names starting with ``.``, such as macOS ``._*``
resource forks) are ignored.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path

from skindesk.core.errors import ImageLoadError, UserError
from skindesk.core.imageio import sniff_image_format

#: Names that promise an image: a file called so that is not one is a failure,
#: any other non-image (``notes.txt``, ``labels.csv``) is merely skipped.
IMAGE_SUFFIXES = frozenset({
    ".jpg", ".jpeg", ".jpe", ".jfif", ".png", ".bmp", ".dib",
    ".tif", ".tiff", ".webp", ".dcm", ".dicom",
})  # fmt: skip


class ScanFolderError(UserError):
    """The folder to scan is missing or cannot be read."""


@dataclass(frozen=True)
class Found:
    """One file met during a walk and what its content is.

    Attributes:
        path: Absolute path of the file.
        relpath: Path relative to the scanned folder, with ``/`` separators;
            the file's key in scan journals and reports.
        format: The image format its first bytes show, or None if none.
        reason: Why it is not an image (None for images).
    """

    path: str
    relpath: str
    format: str | None = None
    reason: str | None = None

    @property
    def is_image(self) -> bool:
        """True when the content looked like a supported image."""
        return self.format is not None

    @property
    def named_like_image(self) -> bool:
        """True when the file name has an image extension."""
        return Path(self.relpath).suffix.lower() in IMAGE_SUFFIXES


def check_folder(folder: str | os.PathLike[str]) -> Path:
    """The absolute, resolved folder, or a :class:`ScanFolderError` saying why not."""
    path = Path(folder).expanduser()
    if not path.exists():
        raise ScanFolderError(f"folder not found: {path}")
    if not path.is_dir():
        raise ScanFolderError(f"not a folder: {path}")
    if not os.access(path, os.R_OK | os.X_OK):
        raise ScanFolderError(f"cannot read the folder {path} (permission denied)")
    return path.resolve()


def iter_files(
    folder: str | os.PathLike[str],
    *,
    recursive: bool = False,
    include: Iterable[str] | None = None,
) -> Iterator[Found]:
    """Walk ``folder`` lazily, yielding each file that matches ``include``.

    Args:
        folder: The folder to walk.
        recursive: Also walk sub-folders (depth first, in name order).
            Symbolic links to folders are followed once; loops are cut.
        include: Shell patterns (``*.jpg``, ``mel/*``), matched without regard
            to case against the file name, or against the relative path when
            the pattern contains ``/``. None or empty: every file.

    Yields:
        :class:`Found` entries whose content is not yet looked at; a folder
        that cannot be listed yields one entry with its ``reason``.

    Raises:
        ScanFolderError: ``folder`` itself is missing or unreadable.
    """
    root = check_folder(folder)
    patterns = [p.lower() for p in include or () if p]
    yield from _walk(root, "", recursive, patterns, set())


def _walk(
    directory: Path, prefix: str, recursive: bool, patterns: list[str], seen: set[tuple[int, int]]
) -> Iterator[Found]:
    try:
        info = directory.stat()
        seen.add((info.st_dev, info.st_ino))
        with os.scandir(directory) as entries:
            listing = sorted(
                ((e.name, _is_dir(e)) for e in entries if not e.name.startswith(".")),
                key=lambda entry: (entry[0].casefold(), entry[0]),
            )
    except OSError as error:
        reason = f"cannot list the folder ({error.strerror or error})"
        yield Found(str(directory), prefix.rstrip("/") or ".", reason=reason)
        return
    for name, is_dir in listing:
        path = directory / name
        relpath = prefix + name
        if is_dir:
            if recursive and _unseen(path, seen):
                yield from _walk(path, relpath + "/", recursive, patterns, seen)
        elif _matches(name, relpath, patterns):
            yield Found(str(path), relpath)


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()  # follows links; cached from the listing for the rest
    except OSError:
        return False


def _unseen(path: Path, seen: set[tuple[int, int]]) -> bool:
    try:
        info = path.stat()
    except OSError:
        return True  # _walk reports why it cannot be listed
    return (info.st_dev, info.st_ino) not in seen


def _matches(name: str, relpath: str, patterns: list[str]) -> bool:
    if not patterns:
        return True
    return any(fnmatchcase(relpath.lower() if "/" in p else name.lower(), p) for p in patterns)


def classify(found: Found) -> Found:
    """Look at a file's first bytes: a copy of ``found`` with ``format`` or ``reason`` set."""
    if found.reason is not None:
        return found
    try:
        image_format = sniff_image_format(found.path)
        if image_format is None:
            return Found(found.path, found.relpath, reason=_not_image_reason(found.path))
    except ImageLoadError as error:
        return Found(found.path, found.relpath, reason=error.reason)
    return Found(found.path, found.relpath, format=image_format)


def _not_image_reason(path: str) -> str:
    try:
        empty = os.path.getsize(path) == 0
    except OSError:
        empty = False
    return "empty file (0 bytes)" if empty else "not an image (unrecognised content)"


def discover(
    folder: str | os.PathLike[str],
    *,
    recursive: bool = False,
    include: Iterable[str] | None = None,
) -> Iterator[Found]:
    """Every matching file of ``folder`` with its content classified (see :func:`iter_files`)."""
    for found in iter_files(folder, recursive=recursive, include=include):
        yield classify(found)


def count_files(
    folder: str | os.PathLike[str],
    *,
    recursive: bool = False,
    include: Iterable[str] | None = None,
) -> int:
    """How many entries :func:`iter_files` yields, without keeping them."""
    return sum(1 for _ in iter_files(folder, recursive=recursive, include=include))
