"""Judge issue #8's experiment (e) by the rule written before its run.

The rule is in docs/default-model-levers-source-balanced.json (committed before
the treatment network finished its first epoch); its thresholds are repeated
here as data, so that the verdict is mechanical. Only the cards' per-source
*validation* numbers are read: test splits play no part in the choice.

Usage::

    python scripts/judge_source_balanced.py TREATMENT_CARD [--pair PAIR_CARD] [--write]

TREATMENT_CARD is the card.json that ``skindesk train`` wrote for the
source-balanced network. PAIR_CARD (part 2, only when part 1 passes) is the
card scripts/make_ensemble.py wrote for skindesk-imagenet-lite2 + the
treatment. ``--write`` records the numbers and verdicts in the doc's "results".
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from skindesk.core.jsonfile import write_json_atomic

DOC = Path(__file__).resolve().parents[1] / "docs" / "default-model-levers-source-balanced.json"

# (source, metric, minimum): every one must hold.
PART_1 = [
    ("ham10000", "specificity", 0.586),  # control 0.486 + 0.10
    ("ham10000", "sensitivity", 0.85),
    ("isic2017", "roc_auc", 0.864),  # control 0.874 - 0.01
]
PART_2 = [  # session 8's rule v2 (docs/default-model-levers-refit.json)
    ("isic2017", "roc_auc", 0.870),
    ("isic2019_84", "roc_auc", 0.818),
    ("isic2017", "specificity", 0.70),
    ("ham10000", "specificity", 0.55),
    ("ham10000", "sensitivity", 0.85),
    ("ham10000", "balanced_accuracy", 0.730),
    ("isic2019_84", "balanced_accuracy", 0.556),
]


def check(card: dict[str, Any], rule: list[tuple[str, str, float]]) -> tuple[bool, list[dict[str, Any]]]:
    """Each condition of ``rule`` against the card's validation numbers; all must hold."""
    validation = card.get("validation") or {}
    rows = []
    for source, metric, minimum in rule:
        value = (validation.get(source) or {}).get(metric)
        if value is None:
            raise SystemExit(f"card '{card.get('id')}' has no validation {metric} for {source}")
        rows.append({"source": source, "metric": metric, "value": round(float(value), 4),
                     "minimum": minimum, "met": float(value) >= minimum})
    return all(row["met"] for row in rows), rows


def _print(title: str, passed: bool, rows: list[dict[str, Any]]) -> None:
    print(f"{title}: {'PASSES' if passed else 'does not pass'}")
    for row in rows:
        mark = "ok " if row["met"] else "NO "
        print(f"  {mark} {row['source']:<12} {row['metric']:<18} {row['value']:.4f} >= {row['minimum']}")


def judge(treatment: dict[str, Any], pair: dict[str, Any] | None) -> dict[str, Any]:
    """The verdict: part 1 on the treatment, part 2 on the pair only if part 1 passes."""
    passed, rows = check(treatment, PART_1)
    _print(f"part 1 ({treatment.get('id')})", passed, rows)
    results: dict[str, Any] = {"part_1": {"model": treatment.get("id"), "passed": passed, "checks": rows}}
    if passed and pair is not None:
        replaced, pair_rows = check(pair, PART_2)
        _print(f"part 2 ({pair.get('id')})", replaced, pair_rows)
        results["part_2"] = {"model": pair.get("id"), "replaces_default": replaced, "checks": pair_rows}
    elif passed:
        print("part 2: make the pair with scripts/make_ensemble.py and pass its card with --pair")
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("treatment", type=Path)
    parser.add_argument("--pair", type=Path)
    parser.add_argument("--write", action="store_true", help=f"record the results in {DOC.name}")
    args = parser.parse_args(argv)
    treatment = json.loads(args.treatment.read_text(encoding="utf-8"))
    pair = json.loads(args.pair.read_text(encoding="utf-8")) if args.pair else None
    results = judge(treatment, pair)
    if args.write:
        doc = json.loads(DOC.read_text(encoding="utf-8"))
        doc["results"] = results
        write_json_atomic(DOC, doc, indent=1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
