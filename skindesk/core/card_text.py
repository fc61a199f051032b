"""A model card's figures in words, shared by the Model card tab and the PDF reports.

One wording everywhere, so the report a clinician signs says exactly what
the screen said (rounded figures with their confidence interval, never a raw
dict), and no GUI import is needed to write a PDF.
"""

from __future__ import annotations

from typing import Any

_RATES = (("accuracy", "Accuracy"), ("macro_recall", "Mean recall over classes"),
          ("balanced_accuracy", "Balanced accuracy"),
          ("sensitivity", "Sensitivity at the threshold"),
          ("specificity", "Specificity at the threshold"))


def performance_lines(perf: dict[str, Any]) -> list[str]:
    """The card's ``reported_performance`` as readable lines (``["Not reported."]`` if empty)."""
    lines = [f"{label}: {perf[key]:.1%}" for key, label in _RATES if _is_number(perf.get(key))]
    if _is_number(perf.get("roc_auc")):
        lines.append(f"ROC AUC, malignant vs benign: {perf['roc_auc']:.2f}{_interval(perf.get('roc_auc_ci'), '.2f')}")
    if perf.get("n"):
        lines.append(f"Test images: {perf['n']:,}")
    if perf.get("dataset"):
        lines.append(f"Test set: {perf['dataset']}")
    if perf.get("source"):
        lines.append(f"Source: {perf['source']}")
    return lines or ["Not reported."]


def licence_lines(licence: dict[str, Any]) -> list[str]:
    """The card's ``license`` section as lines (``["Not stated."]`` if empty)."""
    lines = []
    if licence.get("name"):
        holder = f" ({licence['holder']})" if licence.get("holder") else ""
        lines.append(f"Model: {licence['name']}{holder}")
    if licence.get("training_data_license"):
        lines.append(f"Training data: {licence['training_data_license']}")
    if licence.get("note"):
        lines.append(str(licence["note"]))
    return lines or ["Not stated."]


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


# Readable names of the threshold's recorded details, in the order they are shown.
_THRESHOLD_DETAILS = (("target_sensitivity", "Target sensitivity"), ("sensitivity", "Sensitivity there"),
                      ("specificity", "Specificity there"), ("roc_auc_on_dataset", "ROC AUC there"),
                      ("positives", "Malignant images there"), ("negatives", "Benign images there"),
                      ("chosen_on", "Date chosen"))


def threshold_lines(threshold: Any) -> list[str]:
    """The card's operating threshold: its value, how and where it was chosen, what it gave there."""
    lines = [f"Flags a lesion for review when P(malignant) ≥ {_figure(threshold.value)}."]
    if threshold.method:
        lines.append(_sentence(f"How it was chosen: {threshold.method}"))
    if threshold.dataset:
        lines.append(_sentence(f"Chosen on: {threshold.dataset}"))
    details = dict(threshold.details)
    for key, label in _THRESHOLD_DETAILS:
        if key in details:
            lines.append(_sentence(f"{label}: {_figure(details.pop(key))}"))
    lines += [_sentence(f"{key.replace('_', ' ').capitalize()}: {value}") for key, value in details.items()]
    return lines


def _sentence(text: str) -> str:
    return text if text.endswith((".", "!", "?")) else text + "."


def _figure(value: Any) -> str:
    """A number as people read it: 0.196, 0.9, 30 (never 0.19635100001 or 30.0)."""
    if not _is_number(value):
        return str(value)
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.3f}".rstrip("0").rstrip(".") if abs(value) >= 0.001 else f"{value:.2g}"


# The patient details a card's metadata input can read, in the order the app shows them.
PATIENT_FIELDS = ("age", "sex", "site")


def metadata_fields(card: Any) -> list[str]:
    """The patient details (``age``, ``sex``, ``site``) the model reads; empty for an image-only model."""
    spec = getattr(card, "metadata_input", None) or {}
    used = {feature.get("field") for feature in spec.get("features", ())}
    return [name for name in PATIENT_FIELDS if name in used]


def inputs_lines(card: Any) -> list[str]:
    """What the model's result depends on: the image alone, or the image and named patient details.

    A clinician who typed an age should know whether it changed the result.
    """
    height, width = card.input_size
    image = f"The image, resized to {width}×{height} pixels"
    fields = metadata_fields(card)
    if not fields:
        return [f"{image}, only.",
                "Age, sex and site are recorded with each analysis but do not change this model's result."]
    named = ", ".join(fields[:-1]) + " and " + fields[-1] if len(fields) > 1 else fields[0]
    return [f"{image}, and the patient's {named}.",
            "Unknown details are allowed; filling them in can change the result."]


# Readable names of the test sets and subgroups scripts/report_default_model.py records.
_TEST_SETS = {"isic2017_test": "ISIC 2017 test split", "kaggle_test": "Kaggle benign/malignant test split",
              "ham10000_holdout": "HAM10000 lesion-level hold-out"}
_SUBGROUPS = {"flagged_malignant_not_ham": "malignant images not from HAM10000 flagged",
              "flagged_malignant_ham": "malignant HAM10000 images flagged",
              "specific_benign_not_ham": "benign images not from HAM10000 left unflagged",
              "specific_benign_ham": "benign HAM10000 images left unflagged"}


def every_test_set_lines(results: dict[str, Any] | None) -> list[str]:
    """One sentence per test set of the card's ``test_results`` (empty when it has none).

    Every test set is shown, not only the headline one, so a clinician sees
    where the threshold flags many benign lesions as well as where it works.
    """
    lines = []
    for key, result in (results or {}).items():
        if not isinstance(result, dict):
            continue
        name = _TEST_SETS.get(key, key.replace("_", " "))
        parts = [_auc_text(result)] if _is_number(result.get("roc_auc")) else []
        if _is_number(result.get("sensitivity")) and _is_number(result.get("specificity")):
            parts.append(f"at the threshold sensitivity {result['sensitivity']:.0%}, "
                         f"specificity {result['specificity']:.0%}")
        if _is_number(result.get("balanced_accuracy")):
            parts.append(f"balanced accuracy over the classes {result['balanced_accuracy']:.0%}")
        parts += [_subgroup_text(label, result[sub]) for sub, label in _SUBGROUPS.items()
                  if isinstance(result.get(sub), dict) and _is_number(result[sub].get("rate"))
                  and result[sub].get("n", 0) >= 20]
        size = f" ({result['n']:,} images)" if _is_number(result.get("n")) else ""
        lines.append(_sentence(f"{name}{size}: " + "; ".join(parts or ["no figures recorded"])))
    return lines


def _auc_text(result: dict[str, Any]) -> str:
    return f"ROC AUC {result['roc_auc']:.2f}{_interval(result.get('roc_auc_ci'), '.2f')}"


def _subgroup_text(label: str, group: dict[str, Any]) -> str:
    return f"{group['rate']:.0%} of {group['n']:,} {label}{_interval(group.get('ci'), '.0%')}"


def _interval(ci: Any, spec: str) -> str:
    """' (95% CI low–high)', or '' when the interval is missing or has a gap."""
    if not ci or len(ci) != 2 or not all(_is_number(v) for v in ci):
        return ""
    return f" (95% CI {ci[0]:{spec}}–{ci[1]:{spec}})"
