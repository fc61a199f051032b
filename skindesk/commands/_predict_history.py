"""``predict --patient ID [--lesion L] [--visit ID] [--save]``: results into the history.

The patient is looked up before the model loads, so a mistyped identifier
fails at once. The patient's sex and age (from the date of birth) and the
lesion's site fill in whatever ``--sex``, ``--age`` and ``--site`` leave
out. With ``--save`` each analysed image is stored with its result; the
visit (today's, unless ``--visit``) and a new lesion are created with the
first saved result, so a run where every image fails leaves no trace.
"""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any

from skindesk.core.errors import SettingsError, UserError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The history options of ``predict``."""
    group = parser.add_argument_group("patient history")
    group.add_argument("--patient", metavar="ID", help="patient identifier (see 'history')")
    group.add_argument("--lesion", metavar="LABEL", help="the patient's lesion, e.g. L1")
    group.add_argument("--visit", metavar="ID", type=int, help="visit id (default: today's)")
    group.add_argument("--save", action="store_true", help="save the results to the history")


class PredictHistory:
    """The patient context of one ``predict`` run, and saving its results."""

    def __init__(self, args: argparse.Namespace) -> None:
        from skindesk.core.history import HistoryService

        if (args.lesion or args.visit or args.save) and not args.patient:
            raise SettingsError("--lesion, --visit and --save need --patient ID")
        if args.visit is not None and not args.save:
            raise SettingsError("--visit only applies with --save")
        self.args = args
        self.service = HistoryService()
        try:
            self.patient = self.service.patient_by_identifier(args.patient)
            lesions = self.service.get_patient_record(self.patient.id).lesions
            self.lesion = next((x for x in lesions if x.label == args.lesion), None)
            if (
                args.visit is not None
                and self.service.get_visit(args.visit).patient_id != self.patient.id
            ):
                raise UserError(f"visit {args.visit} is not one of this patient's visits")
        except BaseException:
            self.service.close()
            raise
        self.visit_id: int | None = args.visit

    def metadata_values(self) -> dict[str, Any]:
        """age, sex and site for the model: the options, else the patient's record."""
        args, patient = self.args, self.patient
        age = args.age
        if age is None and patient.birth_date:
            born, today = date.fromisoformat(patient.birth_date), date.today()
            age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
        site = args.site if args.site is not None else (self.lesion.site if self.lesion else None)
        return {"age": age, "sex": args.sex or patient.sex, "site": site}

    def save(self, result: Any) -> int | None:
        """Save one analysed file; return the analysis id (None when not saving or it failed)."""
        if not self.args.save or result.prediction is None:
            return None
        if self.visit_id is None:
            self.visit_id = self.service.visit_for_today(self.patient.id).id
        lesion_id = None
        if self.args.lesion:
            if self.lesion is None:
                self.lesion = self.service.add_or_get_lesion(
                    self.patient.id, self.args.lesion, self.args.site
                )
            lesion_id = self.lesion.id
        spacing = getattr(self.args, "pixel_spacing", None)
        analysis = self.service.save_analysis(
            self.patient.id, result.path, result, visit_id=self.visit_id, lesion_id=lesion_id,
            image_details={"pixel_spacing_mm": spacing},
        )  # fmt: skip
        return analysis.id

    def close(self) -> None:
        """Close the history database."""
        self.service.close()
