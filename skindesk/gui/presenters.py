"""Words for the clinician: results and model cards as display text (no Tk).

The wording is decision support: it reports what the model estimates and
where that lies against the model's operating threshold, and never states
a diagnosis.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from skindesk.core.card_text import (
    every_test_set_lines,
    inputs_lines,
    licence_lines,
    metadata_fields,
    performance_lines,
    threshold_lines,
)


@dataclass(frozen=True)
class Bar:
    """One class in the probability chart."""

    class_id: str
    label: str
    probability: float
    malignant: bool
    top: bool


@dataclass(frozen=True)
class ResultSummary:
    """Everything the result panel shows for one prediction."""

    headline: str
    malignancy_line: str
    malignant_probability: float
    threshold: float
    flagged: bool
    flag_label: str
    bars: tuple[Bar, ...]
    warnings: tuple[str, ...]
    footnote: str


def percent(probability: float) -> str:
    """0.8123 -> '81%'; tiny values are '<1%' rather than a misleading '0%'."""
    if 0 < probability < 0.005:
        return "<1%"
    if 0.995 < probability < 1:
        return ">99%"
    return f"{probability * 100:.0f}%"


def probability_text(p: float, decimals: int = 2) -> str:
    """A probability for reading: 0.62; 0.004 for small ones; never a rounded 0 or 1."""
    if p <= 0 or p >= 1:
        return f"{p:.{decimals}f}"
    floor = 10.0 ** -(decimals + 1)
    if p < floor:
        return f"<{floor:.{decimals + 1}f}"
    if p > 1 - floor:
        return f">{1 - floor:.{decimals + 1}f}"
    if p < 10.0 ** -decimals or p > 1 - 10.0 ** -decimals:
        decimals += 1  # 0.004 rather than 0.00; 0.996 rather than 1.00
    return f"{p:.{decimals}f}"


def probability_pair(p: float, threshold: float) -> tuple[str, str]:
    """Both numbers with enough decimals that they never look equal when they differ."""
    for decimals in (2, 3, 4):
        texts = probability_text(p, decimals), probability_text(threshold, decimals)
        if texts[0] != texts[1] or p == threshold:
            break
    return texts


def malignancy_reading(probability: float, threshold: float, flagged: bool) -> str:
    """P(malignant) against the operating threshold, in plain language."""
    if not flagged:
        relation = "below"
    elif probability > threshold:
        relation = "above"
    else:
        relation = "at"
    p_text, t_text = probability_pair(probability, threshold)
    return (
        f"P(malignant) {p_text} is {relation} the threshold ({t_text}) "
        "at which this model flags lesions for review."
    )


def summarise(prediction: Any, card: Any, warnings: list[dict[str, Any]] | None = None) -> ResultSummary:
    """Display text for a ``Prediction`` read through its model's ``ModelCard``."""
    probs = prediction.probabilities
    classes = {c.id: c for c in card.classes}
    bars = tuple(
        Bar(
            class_id=cid,
            label=classes[cid].name if cid in classes else cid,
            probability=float(p),
            malignant=bool(classes[cid].malignant) if cid in classes else False,
            top=cid == prediction.top_class,
        )
        for cid, p in sorted(probs.items(), key=lambda item: -item[1])
    )
    top_name = card.class_name(prediction.top_class)
    top_p = probs.get(prediction.top_class, 0.0)
    timings = getattr(prediction, "timings_ms", {}) or {}
    total_ms = sum(timings.values())
    footnote = f"Model {prediction.model_id}" + (f" · {total_ms:.0f} ms" if total_ms else "")
    return ResultSummary(
        headline=f"Most likely: {top_name} ({percent(top_p)})",
        malignancy_line=malignancy_reading(
            prediction.malignant_probability, prediction.threshold, prediction.flagged
        ),
        malignant_probability=float(prediction.malignant_probability),
        threshold=float(prediction.threshold),
        flagged=bool(prediction.flagged),
        flag_label="Flagged for review" if prediction.flagged else "Not flagged",
        bars=bars,
        warnings=tuple(str(w.get("message", w.get("code", w))) for w in warnings or ()),
        footnote=footnote,
    )


def patient_line(fields: Any, card: Any) -> str:
    """'Analysed with: age 63 · male · back' from a PatientFields, naming only what ``card``'s model reads.

    For an image-only model it says so, so a typed age is not taken for part of the result's basis.
    """
    used = metadata_fields(card)
    if not used:
        return "Image only: age, sex and site do not change this model's result."
    words = {"age": f"age {fields.age}" if fields.age.strip() else "age unknown",
             "sex": fields.sex or "sex unknown", "site": fields.site or "site unknown"}
    return "Analysed with: " + " · ".join(words[name] for name in used)


def preprocessing_line(record: Any) -> str:
    """'Preprocessing: hair removal (dark) → CLAHE (clip 1.5)', or 'Preprocessing: none'."""
    if not record or not record.get("applied"):
        return "Preprocessing: none"
    return f"Preprocessing: {record.get('description') or 'applied'}"


# The colour of a colour map's hottest end, in words, for the heat-map caption.
HOT_COLOURS = {"jet": "Red", "turbo": "Red", "rainbow": "Red", "hot": "White", "inferno": "Yellow",
               "magma": "Light", "plasma": "Yellow", "viridis": "Yellow", "cividis": "Yellow",
               "parula": "Yellow", "bone": "White", "pink": "White", "autumn": "Yellow",
               "summer": "Yellow", "spring": "Yellow", "cool": "Pink", "winter": "Green",
               "ocean": "White", "deepgreen": "Light"}
HEATMAP_CAVEAT = "A heat map shows where the model looked, not why, and can be wrong."


def heatmap_caption(class_names: list[str], colormap: str, method: str = "") -> str:
    """A short plain-language caption for one or more heat maps."""
    hot = HOT_COLOURS.get(colormap.lower(), "The brightest")
    if len(class_names) > 1:
        named = " and ".join(f"{name} ({side})" for name, side in
                             zip(class_names, ("left", "right", "third", "fourth")))
    else:
        named = class_names[0] if class_names else "the chosen class"
    scores = "scores" if len(set(class_names)) > 1 else "score"
    if method == "occlusion":
        return (f"Hiding the {hot.lower()} areas changed the model's {scores} for {named} most. "
                f"{HEATMAP_CAVEAT}")
    return f"{hot} areas influenced the model's {scores} for {named} most. {HEATMAP_CAVEAT}"


def card_sections(card: Any) -> list[tuple[str, list[str]]]:
    """The model card as (heading, lines) sections for the Model card tab."""
    classes = [f"{c.name} ({c.id}){' — counted as malignant' if c.malignant else ''}"
               for c in card.classes]
    version = f", version {card.version}" if card.version else ""
    tested = every_test_set_lines((getattr(card, "raw", None) or {}).get("test_results"))
    return [
        (card.name, [f"Id: {card.id}{version}"] + ([card.architecture] if card.architecture else [])),
        ("Intended use", [card.intended_use or "Not stated."]),
        ("What it was trained on", [card.training_data or "Not stated."]),
        ("What the result depends on", inputs_lines(card)),
        ("Reported performance", performance_lines(card.reported_performance)),
        *([("Every test set it was checked on", tested)] if tested else []),
        ("Operating threshold", threshold_lines(card.threshold)),
        ("Classes", classes),
        ("Limitations", [f"• {item}" for item in card.limitations] or ["Not stated."]),
        ("Licence", licence_lines(card.license)),
    ]
