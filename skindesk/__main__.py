"""``python -m skindesk``: the same as the ``skindesk`` command (and a packaged build's entry)."""

import multiprocessing
import sys

from skindesk.cli import main

if __name__ == "__main__":
    # In a packaged build the engine process is this executable started again;
    # freeze_support turns that start into the engine process instead of a second app.
    multiprocessing.freeze_support()
    sys.exit(main())
