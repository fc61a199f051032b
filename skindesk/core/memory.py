"""Give memory that Python has freed back to the operating system.

A released engine (a network of up to 85 MB plus TensorFlow's buffers) is
freed by the garbage collector, but glibc's allocator keeps the pages for
reuse, so the process's resident size does not fall and other programs on
the workstation cannot use them. ``malloc_trim`` hands them back. Elsewhere
(Windows, macOS, musl) only the collection runs.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import logging
import sys
from functools import cache
from typing import Any

log = logging.getLogger(__name__)


@cache
def _glibc() -> Any | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc if hasattr(libc, "malloc_trim") else None
    except OSError:
        return None


def return_freed_memory() -> bool:
    """Collect garbage, then return free heap pages to the OS where the C library can.

    Returns True when pages were handed back (glibc reported a release).
    """
    gc.collect()
    libc = _glibc()
    if libc is None:
        return False
    released = bool(libc.malloc_trim(0))
    log.debug("malloc_trim released memory: %s", released)
    return released
