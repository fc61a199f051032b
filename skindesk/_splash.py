"""Closing the splash screen a PyInstaller build shows while it unpacks (see build.spec).

The bootloader shows ``assets/splash.png`` before Python starts; it stays up
until the program closes it: the GUI once its main window is on screen, the
command line at once. Outside a bundle (or in one built without a splash,
as on macOS) there is no ``pyi_splash`` and this does nothing.
"""

from __future__ import annotations

import logging
import os
import sys

log = logging.getLogger(__name__)


def close_splash() -> None:
    """Close the bundle's splash screen if one is showing; never raises."""
    # The bootloader sets this when its splash is up; without it (no display, a build
    # without splash, PYINSTALLER_SUPPRESS_SPLASH_SCREEN=1) pyi_splash only logs warnings.
    if not getattr(sys, "frozen", False) or os.environ.get("_PYI_SPLASH_IPC", "0") == "0":
        return
    try:
        import pyi_splash  # type: ignore[import]  # exists only inside the bundle
    except ImportError:
        return
    try:
        if pyi_splash.is_alive():
            pyi_splash.close()
    except Exception as error:  # noqa: BLE001 - a splash that will not close must not stop the app
        log.warning("could not close the splash screen: %s", error)
