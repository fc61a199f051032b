"""What the Models dialog does, without Tk: one object between its widgets and the core.

The slow methods (:meth:`ModelWorkbench.evaluate`, :meth:`~ModelWorkbench.inspect`,
:meth:`~ModelWorkbench.install`, :meth:`~ModelWorkbench.write_pdf`) run in
worker threads and import the engine lazily, so opening the dialog costs
nothing; the rest only read and write small files. Nothing here touches Tk.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from skindesk import paths
from skindesk.core.errors import ModelError, UserError
from skindesk.core.evaluation.store import StoredEvaluation, list_evaluations, save_evaluation
from skindesk.core.modelcard import ModelCard
from skindesk.core.registry import ModelRegistry

if TYPE_CHECKING:
    from skindesk.core.model_import.inspection import ModelInspection
    from skindesk.core.model_import.install import ImportOptions

Progress = Callable[[int, int], None]
Stage = Callable[[str], None]

LABEL_HINT = ("Name the class folders (or the CSV's labels) benign and malignant, or diagnosis "
              "codes such as mel, nv, bcc; or map them with skindesk evaluate --label-map.")


def _unmapped_message(labels: dict[str, int], card: ModelCard) -> str:
    from skindesk.core.evaluation.labelmap import LabelMapError, infer_label_map

    unknown = []
    for label in labels:
        try:
            infer_label_map([label], card)
        except LabelMapError:
            unknown.append(f"'{label}'")
    return (f"Cannot tell what the dataset label(s) {', '.join(unknown)} mean for {card.name} "
            f"(classes {', '.join(card.class_ids)}). {LABEL_HINT}")


@dataclass(frozen=True)
class ModelEntry:
    """One installed model as the dialog lists it."""

    card: ModelCard
    bundled: bool
    default: bool


class ModelWorkbench:
    """The Models dialog's operations on installed models.

    Args:
        registry: Where models are found (the default registry when None).
        service_factory: Creates the analysis service for evaluations (the real one when None).
    """

    def __init__(self, registry: ModelRegistry | None = None,
                 service_factory: Callable[[], Any] | None = None) -> None:
        self.registry = registry or ModelRegistry()
        self._service_factory = service_factory

    # Models -------------------------------------------------------------------------
    def models(self) -> list[ModelEntry]:
        """Installed models, bundled first, each marked when it is the default."""
        default = self.default_id()
        found = self.registry.installed()
        found.sort(key=lambda m: (not m.bundled, m.card.name.lower()))
        return [ModelEntry(m.card, m.bundled, m.card.id == default) for m in found]

    def default_id(self) -> str:
        """The default model's id ('' when none is installed)."""
        try:
            return self.registry.default_id()
        except ModelError:
            return ""

    def set_default(self, model_id: str) -> None:
        """Make ``model_id`` the default model (raises ModelError when not installed)."""
        self.registry.set_default(model_id)

    def card(self, model_id: str) -> ModelCard:
        """The current card of ``model_id`` (read again from disk)."""
        return self.registry.get(model_id)

    def read_only_reason(self, model_id: str) -> str | None:
        """Why ``model_id``'s card cannot be changed, or None when it can."""
        from skindesk.core.evaluation.threshold import writable_card

        try:
            writable_card(model_id, self.registry)
        except ModelError:
            return ("Bundled models are read-only: import a copy of the model file "
                    "(Import model…) to give it its own threshold.")
        return None

    # Evaluations --------------------------------------------------------------------
    def evaluations(self, model_id: str) -> list[StoredEvaluation]:
        """``model_id``'s stored evaluations, newest first."""
        return list_evaluations(model_id)

    def evaluate(self, dataset: str | Path, model_id: str, on_stage: Stage | None = None,
                 on_progress: Progress | None = None,
                 cancel: threading.Event | None = None) -> StoredEvaluation | None:
        """Evaluate ``model_id`` on a labelled folder or CSV and store the report (worker thread).

        Returns:
            The stored evaluation, or None when cancelled.

        Raises:
            UserError: Unreadable dataset, labels that cannot be mapped, no image analysed.
        """
        from skindesk.core.evaluation.dataset import load_dataset
        from skindesk.core.evaluation.evaluate import evaluate_scores, predict_dataset
        from skindesk.core.evaluation.labelmap import LabelMapError, infer_label_map

        stage = on_stage or (lambda _text: None)
        stage("Reading the dataset…")
        data = load_dataset(dataset)
        card = self.registry.get(model_id)
        try:
            label_map = infer_label_map(data.label_counts(), card)
        except LabelMapError:
            raise UserError(_unmapped_message(data.label_counts(), card)) from None
        service = self._service()
        stage(f"Loading {card.name}…")
        service.engine(card.id).load()
        stage(f"Analysing {len(data.images)} images…")
        scored = predict_dataset(data, card, service, on_progress, cancel)
        if cancel is not None and cancel.is_set():
            return None
        if not scored.paths:
            raise UserError(f"none of the {len(data.images)} images could be analysed")
        stage("Computing the metrics…")
        report = evaluate_scores(scored, card, label_map, data)
        return save_evaluation(report, scored)

    def _service(self) -> Any:
        if self._service_factory is not None:
            return self._service_factory()
        from skindesk.core.service import SkinDeskService

        return SkinDeskService(self.registry)

    def operating_point(self, stored: StoredEvaluation, target_sensitivity: float | None,
                        youden: bool = False) -> dict[str, Any]:
        """The threshold chosen on ``stored``'s images, with sensitivity/specificity and CIs."""
        from skindesk.core.evaluation.threshold import choose_operating_point

        scores, malignant = stored.scores()
        chosen = choose_operating_point(scores, malignant, target_sensitivity, youden)
        assert chosen is not None  # a target or youden was given
        return chosen

    def save_operating_point(self, model_id: str, chosen: dict[str, Any],
                             stored: StoredEvaluation) -> Path:
        """Write ``chosen`` into ``model_id``'s card, naming the dataset; the card's path."""
        from skindesk.core.evaluation.threshold import save_chosen_threshold

        return save_chosen_threshold(model_id, chosen, stored.report, self.registry)

    def write_pdf(self, stored: StoredEvaluation, target: str | Path | None = None) -> Path:
        """Write ``stored``'s PDF report at ``target`` (default: in the cache); its path."""
        from skindesk.core.evaluation.report_pdf import write_pdf_report

        if target is None:
            target = paths.cache_dir() / "reports" / f"{stored.model_id}-{stored.path.stem}.pdf"
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        return write_pdf_report(stored.report, target)

    # Import -------------------------------------------------------------------------
    def _engine_process(self) -> Any:
        """The service's engine process, if its models run in one (then so does importing)."""
        return getattr(self._service(), "process", None)

    def inspect(self, path: str | Path) -> ModelInspection:
        """Load a model file and read what it tells (worker thread)."""
        from skindesk.core.model_import.inspection import inspect_model

        process = self._engine_process()
        if process is not None:  # TensorFlow loads the file there, never in the GUI's process
            return process.call("inspect_model", str(path))
        return inspect_model(path)

    def plan(self, inspection: ModelInspection, options: ImportOptions) -> dict[str, Any]:
        """The card to write; raises MissingOptionsError listing what must be asked."""
        from skindesk.core.model_import.install import plan_card

        return plan_card(inspection, options)

    def install(self, inspection: ModelInspection,
                card_data: dict[str, Any]) -> tuple[ModelCard, dict[str, Any]]:
        """Install the model and run its smoke prediction (worker thread)."""
        from skindesk.core.model_import.install import install_model

        process = self._engine_process()
        if process is not None:
            return process.call("install_model", str(inspection.path), card_data)
        return install_model(inspection, card_data)
