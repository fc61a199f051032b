"""The content-addressed image store: one file per distinct image content.

An image with sha256 ``abcdef...`` lives at ``<root>/ab/abcdef....jpg``
(the extension from its content, not its name), so the same picture saved
for two analyses is kept once. Files are written to a temporary name,
flushed to disk and renamed into place (``os.replace`` is atomic), so the
store never holds a half-written image under its final name. Thumbnails
are a disposable cache under :func:`paths.cache_dir`.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from skindesk import paths
from skindesk.core.imageio import sniff_image_format

FILE_MODE = 0o600
FOLDER_MODE = 0o700
TEMP_PREFIX = ".tmp-"
THUMBNAIL_SIZE = 256
_EXTENSIONS = {"JPEG": ".jpg", "PNG": ".png", "BMP": ".bmp", "TIFF": ".tif", "WEBP": ".webp",
               "DICOM": ".dcm"}  # fmt: skip
_CHUNK = 1 << 20


def _private_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True, mode=FOLDER_MODE)
    os.chmod(path, FOLDER_MODE)
    return path


def _fsync_dir(path: Path) -> None:
    # A rename is only durable once its folder is flushed; Windows cannot open folders.
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


class ImageStore:
    """Image files by content hash under ``root`` (default ``data_dir()/images``)."""

    def __init__(self, root: Path | None = None, thumbnails: Path | None = None) -> None:
        self.root = _private_dir(root or paths.data_dir() / "images")
        self.thumbnail_root = thumbnails or paths.cache_dir() / "thumbnails"

    def put(self, source: Path | str) -> tuple[str, str, bool]:
        """Copy an image file into the store (once per content).

        The hash is taken of the bytes actually written, so a source that
        changes while it is copied cannot end up under the wrong name.

        Returns:
            (sha256, path relative to the store root with forward slashes,
            whether a new file was written).
        """
        source = Path(source)
        ext = _EXTENSIONS.get(sniff_image_format(source) or "", ".bin")
        fd, temp_name = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=self.root)
        try:
            sha = _copy_hashing(source, fd)
            existing = self.files_of(sha)
            if existing:
                os.unlink(temp_name)
                return sha, self.relative(existing[0]), False
            folder = _private_dir(self.root / sha[:2])
            os.replace(temp_name, folder / f"{sha}{ext}")
            _fsync_dir(folder)
            return sha, f"{sha[:2]}/{sha}{ext}", True
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp_name)
            raise

    def path_of(self, relative: str) -> Path:
        """The file of a stored image from its relative path."""
        path = (self.root / relative).resolve()
        if self.root.resolve() not in path.parents:
            raise ValueError(f"store path outside the store: {relative!r}")
        return path

    def relative(self, path: Path) -> str:
        """A stored file's path relative to the store root, with forward slashes."""
        return path.relative_to(self.root).as_posix()

    def files_of(self, sha256: str) -> list[Path]:
        """The stored file(s) with this content (normally one)."""
        folder = self.root / sha256[:2]
        return sorted(folder.glob(f"{sha256}.*")) if folder.is_dir() else []

    def remove(self, sha256: str) -> None:
        """Delete an image's stored file(s) and cached thumbnails."""
        thumbs = self.thumbnail_root / sha256[:2]
        cached = list(thumbs.glob(f"{sha256}-*.png")) if thumbs.is_dir() else []
        for path in self.files_of(sha256) + cached:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
        for folder in (self.root / sha256[:2], thumbs):
            with contextlib.suppress(OSError):  # only succeeds once the folder is empty
                folder.rmdir()

    def iter_files(self) -> Iterator[Path]:
        """Every file in the store, temporary leftovers of interrupted saves included."""
        for path in sorted(self.root.rglob("*")):
            if path.is_file():
                yield path

    def thumbnail(self, sha256: str, size: int = THUMBNAIL_SIZE) -> Path:
        """A PNG thumbnail (at most ``size`` pixels a side), made once and cached."""
        from PIL import Image

        from skindesk.core.imageio import load_image

        target = self.thumbnail_root / sha256[:2] / f"{sha256}-{int(size)}.png"
        if target.exists():
            return target
        files = self.files_of(sha256)
        if not files:
            raise FileNotFoundError(f"no stored image {sha256}")
        image = Image.fromarray(load_image(files[0]).rgb)
        image.thumbnail((size, size))
        folder = _private_dir(target.parent)
        fd, temp_name = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=".png", dir=folder)
        try:
            with os.fdopen(fd, "wb") as handle:
                image.save(handle, format="PNG")
            os.replace(temp_name, target)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp_name)
            raise
        return target


def _copy_hashing(source: Path, fd: int) -> str:
    digest = hashlib.sha256()
    with open(source, "rb") as src, os.fdopen(fd, "wb") as dst:
        for chunk in iter(lambda: src.read(_CHUNK), b""):
            digest.update(chunk)
            dst.write(chunk)
        dst.flush()
        os.fsync(dst.fileno())
    return digest.hexdigest()
