"""The ``skindesk`` command: the GUI with no arguments, a sub-command otherwise.

Each sub-command lives in :mod:`skindesk.commands` as a module with
``register(subparsers)`` (adding its parser and ``set_defaults(run=run)``)
and ``run(args) -> int``. Modules import TensorFlow only inside ``run`` so
that ``--help`` and ``--version`` answer at once.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from skindesk import DISCLAIMER, __version__
from skindesk._splash import close_splash
from skindesk.core.errors import UserError
from skindesk.core.logs import configure_logging, log_internal_error

# Order here is the order in ``skindesk --help``.
COMMAND_MODULES: tuple[str, ...] = (
    "predict",
    "scan",
    "explain",
    "evaluate",
    "models",
    "train",
    "history",
    "preprocess",
    "segment",
    "report",
)

EXIT_OK = 0
EXIT_FAILED = 1  # the command ran but some input failed (e.g. one bad image)
EXIT_USAGE = 2  # bad arguments or a user-facing error stopped the command
EXIT_INTERNAL = 3


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser with every registered sub-command."""
    parser = argparse.ArgumentParser(
        prog="skindesk",
        description="SkinDesk: offline skin-lesion decision support. " + DISCLAIMER,
    )
    parser.add_argument("--version", action="version", version=f"SkinDesk {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"skindesk.commands.{name}")
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``skindesk`` console script and ``python -m skindesk``."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv:
        from skindesk.gui.app import main as gui_main

        return gui_main()
    close_splash()  # a packaged build's splash: the command line has no window to wait for
    args = build_parser().parse_args(argv)
    if not getattr(args, "run", None):
        build_parser().print_help()
        return EXIT_USAGE
    configure_logging()
    try:
        return int(args.run(args))
    except UserError as error:
        print(f"skindesk: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("skindesk: interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # noqa: BLE001 - last-resort handler, logged with traceback
        log_path = log_internal_error(f"internal error in 'skindesk {args.command}'", error)
        print(f"skindesk: internal error ({error}); details in {log_path}", file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
