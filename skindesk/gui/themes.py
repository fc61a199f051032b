"""The two themes (flatly light, darkly dark) and colours for canvas drawings.

ttkbootstrap 2 calls flatly and darkly "legacy" names and warns when they
are used; SkinDesk keeps them on purpose (the clinical look the users
know), so the warning is silenced here, in one place.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

from skindesk.gui.settings import DARK_THEME, LIGHT_THEME


@dataclass(frozen=True)
class Palette:
    """Colours for things drawn on canvases, read from the live theme."""

    bg: str
    fg: str
    muted: str
    primary: str
    danger: str
    success: str
    warning: str
    track: str


def use_theme(style: object, name: str) -> None:
    """Switch ``style`` (a ttkbootstrap Style) to ``name``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        style.theme_use(name)  # type: ignore[attr-defined]


def other_theme(name: str) -> str:
    """The dark theme for the light one and the other way round."""
    return LIGHT_THEME if name == DARK_THEME else DARK_THEME


def palette(style: object) -> Palette:
    """The current theme's colours."""
    colors = style.colors  # type: ignore[attr-defined]
    dark = style.theme_use() == DARK_THEME  # type: ignore[attr-defined]
    return Palette(
        bg=colors.bg,
        fg=colors.fg,
        muted="#adb5bd" if dark else "#6c757d",
        primary=colors.primary,
        danger=colors.danger,
        success=colors.success,
        warning=colors.warning,
        track="#3a3a3a" if dark else "#e9ecef",
    )

