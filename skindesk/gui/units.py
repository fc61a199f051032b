"""Sizes that follow the screen's DPI.

Tk measures "points" (1/72 inch) through its ``tk scaling``, which
:mod:`skindesk.gui.root` sets from the screen's DPI. Writing paddings as
:func:`px` values (pixels of a standard 96-dpi screen, converted to points)
makes them grow with the fonts on a 4K screen instead of staying tiny.
"""

from __future__ import annotations


def px(pixels: float) -> str:
    """A Tk distance: ``pixels`` at 96 dpi, scaled like everything else on other screens."""
    return f"{pixels * 0.75:g}p"
