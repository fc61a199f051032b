"""The plain-language summary and the caveats of an evaluation report."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from skindesk.core.diagnoses import canonical_code
from skindesk.core.evaluation.labelmap import LabelTarget
from skindesk.core.modelcard import ModelCard

if TYPE_CHECKING:  # only for type hints: evaluate imports this module
    from skindesk.core.evaluation.dataset import EvalDataset
    from skindesk.core.evaluation.evaluate import ScoredImages

_AUC_WORDS = ((0.9, "excellent"), (0.8, "good"), (0.7, "fair"), (0.6, "poor"),
              (0.0, "hardly better than chance"))


def fmt_ci(ci: list[float | None] | None) -> str:
    """'95% CI 0.70-0.95', or 'no CI' when undefined."""
    if not ci or ci[0] is None or ci[1] is None:
        return "no CI"
    return f"95% CI {ci[0]:.2f}–{ci[1]:.2f}"


def auc_in_words(auc: float) -> str:
    """A rough verbal grade of a ROC AUC."""
    return next(word for limit, word in _AUC_WORDS if auc >= limit)


def _malignant_noun(scored: ScoredImages, label_map: dict[str, LabelTarget]) -> str:
    codes = {canonical_code(label) for label in scored.labels if label_map[label].malignant}
    return "melanomas" if codes == {"mel"} else "malignant lesions"


def _point_sentence(point: dict[str, Any], noun: str) -> str:
    counts = point["counts"]
    parts = []
    if counts["malignant"]:
        parts.append(f"found {counts['malignant_flagged']} of {counts['malignant']} {noun} "
                     f"(sensitivity {point['sensitivity']:.2f}, {fmt_ci(point['sensitivity_ci'])})")
    if counts["benign"]:
        parts.append(f"cleared {counts['benign_cleared']} of {counts['benign']} benign lesions "
                     f"(specificity {point['specificity']:.2f}, {fmt_ci(point['specificity_ci'])})")
    return " and ".join(parts)


def plain_summary(report: dict[str, Any], scored: ScoredImages, label_map: dict[str, LabelTarget]) -> str:
    """A few sentences a clinician can read without knowing the metrics."""
    noun = _malignant_noun(scored, label_map)
    text = [(f"On these {report['n']} images, the model {_point_sentence(report, noun)} at its "
            f"operating threshold of {report['threshold']:.4g} on P(malignant).")]
    if report.get("roc_auc") is not None:
        text.append(f"Its ability to rank {noun} above benign lesions is "
                    f"{auc_in_words(report['roc_auc'])}: ROC AUC {report['roc_auc']:.2f} "
                    f"({fmt_ci(report['roc_auc_ci'])}; 0.5 is chance, 1.0 perfect).")
    if report.get("ece") is not None:
        text.append(f"Its P(malignant) is off by {report['ece']:.2f} on average from the observed "
                    "rate of malignancy (expected calibration error, 0 is perfect).")
    chosen = report.get("operating_point")
    if chosen:
        text.append(f"With a threshold of {chosen['threshold']:.4g} chosen on these same images "
                    f"({chosen['method']}), it would have {_point_sentence(chosen, noun)}; "
                    "expect somewhat lower numbers on new images.")
    return " ".join(text)


def build_notes(
    report: dict[str, Any],
    scored: ScoredImages,
    card: ModelCard,
    label_map: dict[str, LabelTarget],
    dataset: EvalDataset,
) -> list[str]:
    """Caveats a reader must know to interpret the numbers."""
    notes = []
    outside = Counter(label for label in scored.labels if label_map[label].model_class is None)
    if outside and report.get("n_per_class"):
        listed = ", ".join(f"{n} labelled '{label}'" for label, n in sorted(outside.items()))
        notes.append(f"Images whose label is not a class of this model ({listed}) count for the "
                     "benign/malignant metrics but not for accuracy or the per-class metrics.")
    elif outside:
        notes.append("None of the dataset's labels is a class of this model, so accuracy and "
                     "per-class metrics are not computed; the benign/malignant metrics are.")
    if card.metadata_input:
        notes.append("The model can use patient metadata (age, sex, site); it was evaluated "
                     "without it (all unknown).")
    if scored.failed:
        notes.append(f"{len(scored.failed)} file(s) could not be analysed and are left out "
                     "(listed at the end).")
    counts = report["counts"]
    if min(counts["malignant"], counts["benign"]) < 50:
        notes.append("Fewer than 50 malignant or benign images: the confidence intervals are "
                     "wide, and small differences between models mean little.")
    if report.get("per_lesion"):
        notes.append("Images are grouped by lesion: AUC intervals resample whole lesions, and "
                     "'per lesion' metrics average P(malignant) over each lesion's images.")
    if report.get("operating_point") and (dataset.split or "").lower() == "test":
        notes.append("A threshold was chosen on a TEST split: report test results at a "
                     "threshold chosen elsewhere (e.g. the validation split).")
    return notes
