"""``python -m skindesk``: the same as the ``skindesk`` command."""

import sys

from skindesk.cli import main

if __name__ == "__main__":
    sys.exit(main())
