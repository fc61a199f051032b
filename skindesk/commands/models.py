"""``skindesk models``: the installed models and their cards; ``models import``."""

from __future__ import annotations

import argparse
from typing import Any

from skindesk.commands import models_import
from skindesk.commands._output import print_table


def register(subparsers: Any) -> None:
    """Add the ``models`` sub-command."""
    parser = subparsers.add_parser("models", help="list installed models and their cards")
    parser.add_argument("--json", action="store_true", help="print the cards as a JSON list")
    parser.set_defaults(run=run)
    actions = parser.add_subparsers(dest="models_action", metavar="{import}",
                                    help="optional; without it the models are listed")
    models_import.register(actions)


def run(args: argparse.Namespace) -> int:
    """List the models; the default is marked."""
    import json

    from skindesk.core.registry import ModelRegistry

    registry = ModelRegistry()
    default_id = registry.default_id()
    models = registry.installed()
    if args.json:
        cards = [
            {**m.card.to_dict(), "default": m.card.id == default_id, "bundled": m.bundled,
             "path": str(m.card.model_path)}
            for m in models
        ]
        print(json.dumps(cards, indent=2, ensure_ascii=False))
        return 0
    rows = []
    for m in models:
        perf = m.card.reported_performance
        reported = f"acc {perf['accuracy']:.3f}" if "accuracy" in perf else "-"
        rows.append([
            ("* " if m.card.id == default_id else "  ") + m.card.id,
            m.card.name,
            f"{m.card.threshold.value:.3f}",
            reported,
            "bundled" if m.bundled else "user",
        ])
    print_table(rows, ["  id", "name", "threshold", "reported", "source"])
    print("\n* default model")
    return 0
