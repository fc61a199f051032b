"""Exporting one patient: record as JSON, image copies, and a CSV of analyses.

The folder holds ``patient.json`` (the full record), ``images/`` (the
stored images, named by content hash so no stored text becomes a file name)
and ``analyses.csv`` (one row per analysis, for spreadsheets). Files are
owner-only, like the store they come from.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
from pathlib import Path
from typing import Any

from skindesk import DISCLAIMER, __version__
from skindesk.core.history._saving import now_utc
from skindesk.core.history.errors import HistoryError
from skindesk.core.history.models import PatientRecord
from skindesk.core.history.store import FILE_MODE, FOLDER_MODE, ImageStore

EXPORT_FORMAT = "skindesk-patient-export"
CSV_COLUMNS = (
    "analysis_id", "created_at", "visit_at", "lesion", "site", "image_file", "original_name",
    "model_id", "top_class", "malignant_probability", "threshold", "flagged",
    "preprocessing_applied", "verdict", "diagnosis", "histopathology", "note",
)  # fmt: skip
# A spreadsheet runs a cell that starts with one of these as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def export_record(record: PatientRecord, store: ImageStore, out_dir: Path) -> Path:
    """Write the export into ``out_dir`` (new or empty); return the JSON file's path.

    Raises:
        HistoryError: ``out_dir`` is a file or a folder that is not empty.
    """
    if out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())):
        raise HistoryError(f"{out_dir} is not an empty folder; choose a new one for the export")
    (out_dir / "images").mkdir(parents=True, exist_ok=True, mode=FOLDER_MODE)
    files = _copy_images(record, store, out_dir)
    data = {
        "format": EXPORT_FORMAT,
        "format_version": 1,
        "app_version": __version__,
        "exported_at": now_utc(),
        "note": DISCLAIMER,
        "image_files": files,
        "record": record.to_dict(),
    }
    _write_private(out_dir / "analyses.csv", _csv_text(record, files))
    json_path = out_dir / "patient.json"
    _write_private(json_path, json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False))
    return json_path


def _copy_images(record: PatientRecord, store: ImageStore, out_dir: Path) -> dict[str, str | None]:
    """Copy each image; return {image id: exported path, or None when missing in the store}."""
    files: dict[str, str | None] = {}
    for image in record.images:
        try:
            source = store.path_of(image.store_path)
        except ValueError:
            source = None
        if source is None or not source.is_file():
            files[str(image.id)] = None
            continue
        relative = f"images/{source.name}"
        shutil.copyfile(source, out_dir / relative)
        os.chmod(out_dir / relative, FILE_MODE)
        files[str(image.id)] = relative
    return files


def _csv_text(record: PatientRecord, files: dict[str, str | None]) -> str:
    import io

    visits = {v.id: v for v in record.visits}
    lesions = {lesion.id: lesion for lesion in record.lesions}
    images = {image.id: image for image in record.images}
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for a in record.analyses:
        lesion = lesions.get(a.lesion_id) if a.lesion_id is not None else None
        visit = visits.get(a.visit_id) if a.visit_id is not None else None
        assessment = record.assessments.get(a.id)
        row: list[Any] = [
            a.id, a.created_at, visit.visit_at if visit else "",
            lesion.label if lesion else "", lesion.site or "" if lesion else "",
            files.get(str(a.image_id)) or "", images[a.image_id].original_name,
            a.model_id, a.top_class, f"{a.malignant_probability:.6f}", f"{a.threshold:.6f}",
            int(a.flagged), int(a.preprocessing_applied),
            assessment.verdict or "" if assessment else "",
            assessment.diagnosis if assessment else "",
            assessment.histopathology if assessment else "",
            assessment.note if assessment else "",
        ]  # fmt: skip
        writer.writerow([_cell(value) for value in row])
    return buffer.getvalue()


def _cell(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
