"""SQL for stored images, analyses and assessments (bound parameters only)."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from skindesk.core.history.models import Analysis, Assessment, StoredImage

IMAGE_COLUMNS = (
    "images.id, images.patient_id, sha256, store_path, original_name, acquired_at, device, "
    "pixel_spacing_mm, images.created_at"
)
ANALYSIS_COLUMNS = (
    "analyses.id, image_id, visit_id, lesion_id, model_id, model_sha256, preprocessing_json, "
    "preprocessing_applied, probabilities_json, top_class, malignant_probability, threshold, "
    "flagged, warnings_json, measurements_json, app_version, analyses.created_at, "
    "analyses.metadata_json"
)
ASSESSMENT_COLUMNS = (
    "assessments.id, analysis_id, verdict, diagnosis, note, assessments.updated_at, "
    "histopathology, histopathology_date"
)
_PATIENT_ANALYSES = (
    "FROM analyses JOIN images ON images.id = analyses.image_id WHERE images.patient_id = ?"
)


def _json(value: Any) -> str:
    # allow_nan=False: NaN is not JSON, and other readers of an export would choke on it.
    return json.dumps(value, ensure_ascii=False, allow_nan=False, sort_keys=True)


def _analysis(row: tuple[Any, ...]) -> Analysis:
    (aid, image_id, visit_id, lesion_id, model_id, model_sha, prep, applied, probs, top, p_mal,
     threshold, flagged, warnings, measurements, app_version, created, metadata) = row  # fmt: skip
    return Analysis(
        aid, image_id, visit_id, lesion_id, model_id, model_sha, json.loads(prep), bool(applied),
        json.loads(probs), top, p_mal, threshold, bool(flagged), json.loads(warnings),
        json.loads(measurements) if measurements is not None else None, app_version, created,
        json.loads(metadata) if metadata is not None else None,
    )  # fmt: skip


class AnalysisQueries:
    """Images, analyses and assessments on one connection."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def image_by_sha(self, patient_id: int, sha256: str) -> StoredImage | None:
        """The patient's stored image with this content, or None."""
        row = self.conn.execute(
            f"SELECT {IMAGE_COLUMNS} FROM images WHERE patient_id = ? AND sha256 = ?",
            (patient_id, sha256),
        ).fetchone()
        return StoredImage(*row) if row else None

    def insert_image(
        self, patient_id: int, sha256: str, store_path: str, details: dict[str, Any], now: str
    ) -> int:
        """Add an image row; ``details`` has original_name, acquired_at, device, pixel_spacing_mm."""
        cur = self.conn.execute(
            "INSERT INTO images (patient_id, sha256, store_path, original_name, acquired_at, "
            "device, pixel_spacing_mm, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (patient_id, sha256, store_path, details["original_name"], details["acquired_at"],
             details["device"], details["pixel_spacing_mm"], now),
        )  # fmt: skip
        return int(cur.lastrowid or 0)

    def images_of(self, patient_id: int) -> list[StoredImage]:
        """A patient's stored images in the order they were added."""
        rows = self.conn.execute(
            f"SELECT {IMAGE_COLUMNS} FROM images WHERE patient_id = ? ORDER BY id", (patient_id,)
        ).fetchall()
        return [StoredImage(*row) for row in rows]

    def all_images(self) -> list[StoredImage]:
        """Every image row (for consistency checks and backups)."""
        rows = self.conn.execute(f"SELECT {IMAGE_COLUMNS} FROM images ORDER BY id").fetchall()
        return [StoredImage(*row) for row in rows]

    def sha_in_use(self, sha256: str) -> bool:
        """True when any image row (of any patient) has this content."""
        row = self.conn.execute("SELECT 1 FROM images WHERE sha256 = ? LIMIT 1", (sha256,))
        return row.fetchone() is not None

    def insert_analysis(self, values: dict[str, Any]) -> int:
        """Add an analysis from a dict of the table's columns (JSON ones as Python values)."""
        v = values
        cur = self.conn.execute(
            "INSERT INTO analyses (image_id, visit_id, lesion_id, model_id, model_sha256, "
            "preprocessing_json, preprocessing_applied, probabilities_json, top_class, "
            "malignant_probability, threshold, flagged, warnings_json, measurements_json, "
            "app_version, created_at, metadata_json) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (v["image_id"], v["visit_id"], v["lesion_id"], v["model_id"], v["model_sha256"],
             _json(v["preprocessing"]), int(v["preprocessing_applied"]),
             _json(v["probabilities"]), v["top_class"], float(v["malignant_probability"]),
             float(v["threshold"]), int(v["flagged"]), _json(v["warnings"]),
             None if v["measurements"] is None else _json(v["measurements"]),
             v["app_version"], v["created_at"],
             None if v.get("metadata") is None else _json(v["metadata"])),
        )  # fmt: skip
        return int(cur.lastrowid or 0)

    def get_analysis(self, analysis_id: int) -> Analysis | None:
        """The analysis with this id, or None."""
        row = self.conn.execute(
            f"SELECT {ANALYSIS_COLUMNS} FROM analyses WHERE id = ?", (analysis_id,)
        ).fetchone()
        return _analysis(row) if row else None

    def analysis_patient(self, analysis_id: int) -> int | None:
        """The id of the patient an analysis belongs to, or None."""
        row = self.conn.execute(
            "SELECT images.patient_id FROM analyses JOIN images ON images.id = analyses.image_id "
            "WHERE analyses.id = ?",
            (analysis_id,),
        ).fetchone()
        return int(row[0]) if row else None

    def analyses_of(self, patient_id: int) -> list[Analysis]:
        """A patient's analyses, oldest first."""
        rows = self.conn.execute(
            f"SELECT {ANALYSIS_COLUMNS} {_PATIENT_ANALYSES} ORDER BY analyses.created_at, "
            "analyses.id",
            (patient_id,),
        ).fetchall()
        return [_analysis(row) for row in rows]

    def analyses_of_lesion(self, lesion_id: int) -> list[Analysis]:
        """A lesion's analyses, oldest first."""
        rows = self.conn.execute(
            f"SELECT {ANALYSIS_COLUMNS} FROM analyses WHERE lesion_id = ? ORDER BY created_at, id",
            (lesion_id,),
        ).fetchall()
        return [_analysis(row) for row in rows]

    def upsert_assessment(self, analysis_id: int, values: dict[str, Any], now: str) -> None:
        """Create or replace the assessment of an analysis."""
        self.conn.execute(
            "INSERT INTO assessments (analysis_id, verdict, diagnosis, note, histopathology, "
            "histopathology_date, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (analysis_id) DO UPDATE SET verdict = excluded.verdict, "
            "diagnosis = excluded.diagnosis, note = excluded.note, "
            "histopathology = excluded.histopathology, "
            "histopathology_date = excluded.histopathology_date, updated_at = excluded.updated_at",
            (analysis_id, values["verdict"], values["diagnosis"], values["note"],
             values["histopathology"], values["histopathology_date"], now),
        )  # fmt: skip

    def get_assessment(self, analysis_id: int) -> Assessment | None:
        """The assessment of an analysis, or None."""
        row = self.conn.execute(
            f"SELECT {ASSESSMENT_COLUMNS} FROM assessments WHERE analysis_id = ?", (analysis_id,)
        ).fetchone()
        return Assessment(*row) if row else None

    def assessments_of(self, patient_id: int) -> dict[int, Assessment]:
        """A patient's assessments by analysis id."""
        rows = self.conn.execute(
            f"SELECT {ASSESSMENT_COLUMNS} FROM assessments "
            "JOIN analyses ON analyses.id = assessments.analysis_id "
            "JOIN images ON images.id = analyses.image_id WHERE images.patient_id = ?",
            (patient_id,),
        ).fetchall()
        return {row[1]: Assessment(*row) for row in rows}
