"""The report's tables as rows of text, shared by the PDF and HTML reports."""

from __future__ import annotations

from typing import Any

from skindesk.core.evaluation.summary import fmt_ci


def _num(value: float | None, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def meta_rows(report: dict[str, Any]) -> list[list[str]]:
    """What was evaluated: model, dataset, date."""
    model, data = report["model"], report["dataset"]
    labels = ", ".join(f"{label} {n}" for label, n in data["label_counts"].items())
    split = f" (split: {data['split']})" if data.get("split") else ""
    return [
        ["Model", f"{model.get('name', model['id'])} [{model['id']}]"],
        ["Model sha256", model["sha256"]],
        ["Dataset", f"{data['path']}{split}"],
        ["Images", (f"{data['n_evaluated']} analysed of {data['n_images']} "
                   f"({data['n_failed']} failed); labels: {labels}")],
        ["Created", f"{report.get('created', '')} with SkinDesk {report.get('app_version', '')}"],
    ]


def _point_rows(point: dict[str, Any], suffix: str) -> list[list[str]]:
    counts = point["counts"]
    return [
        [f"Sensitivity{suffix}", _num(point["sensitivity"]),
         (f"{fmt_ci(point['sensitivity_ci'])}; {counts['malignant_flagged']} of "
         f"{counts['malignant']} malignant flagged")],
        [f"Specificity{suffix}", _num(point["specificity"]),
         (f"{fmt_ci(point['specificity_ci'])}; {counts['benign_cleared']} of "
         f"{counts['benign']} benign cleared")],
    ]


def key_metric_rows(report: dict[str, Any]) -> list[list[str]]:
    """Headline numbers: AUC, sensitivity/specificity, calibration, accuracy."""
    counts, boot = report["counts"], report["bootstrap"]
    rows = [
        ["Measure", "Value", "95% CI / detail"],
        ["Images", str(report["n"]), f"{counts['malignant']} malignant, {counts['benign']} benign"],
        ["ROC AUC (malignant vs benign)", _num(report.get("roc_auc")),
         (f"{fmt_ci(report.get('roc_auc_ci'))} (stratified bootstrap, {boot['resamples']} "
         f"resamples by {boot['unit']})")],
        ["Operating threshold", f"{report['threshold']:.4g}", report.get("threshold_method") or ""],
        *_point_rows(report, ""),
        ["Calibration error (ECE)", _num(report.get("ece")), "P(malignant), 10 equal-width bins"],
    ]
    if report.get("n_per_class"):
        rows += [["Accuracy (top class)", _num(report.get("accuracy")),
                  f"over {report['n_per_class']} images of the model's classes"],
                 ["Balanced accuracy", _num(report.get("balanced_accuracy")),
                  "mean recall over classes"]]
    chosen = report.get("operating_point")
    if chosen:
        rows.append(["Threshold chosen here", f"{chosen['threshold']:.4g}", chosen["method"]])
        rows += _point_rows(chosen, " at chosen threshold")
    lesion = report.get("per_lesion")
    if lesion:
        rows.append(["Lesions", str(lesion["n"]), lesion["aggregation"]])
        rows.append(["ROC AUC per lesion", _num(lesion.get("roc_auc")),
                     f"{fmt_ci(lesion.get('roc_auc_ci'))} (bootstrap by lesion)"])
        rows += _point_rows(lesion, " per lesion")
    return rows


def per_class_rows(report: dict[str, Any]) -> list[list[str]]:
    """One row per model class present in the dataset."""
    rows = [["class", "precision", "recall", "F1", "support"]]
    for label, m in (report.get("per_class") or {}).items():
        rows.append([label, _num(m["precision"]), _num(m["recall"]), _num(m["f1"]),
                     str(m["support"])])
    return rows


def failed_rows(report: dict[str, Any], limit: int) -> list[list[str]]:
    """The files that failed, at most ``limit`` of them."""
    failed = report["dataset"]["failed_files"]
    rows = [["file", "reason"]] + [[f["path"], f["error"]] for f in failed[:limit]]
    if len(failed) > limit:
        rows.append([f"... and {len(failed) - limit} more (see the JSON output)", ""])
    return rows
