"""The error family shown to users as plain messages.

Anything that derives from :class:`UserError` is an expected problem with
the user's input or environment (an unreadable image, a missing model, a
locked database). Front ends show ``str(error)`` as it is; any other
exception is an internal error that is logged with its traceback.
"""

from __future__ import annotations


class UserError(Exception):
    """An expected failure with a message written for the user."""


class ImageLoadError(UserError):
    """An image file could not be read; the message names the file and why."""

    def __init__(self, path: object, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class ModelError(UserError):
    """A model or its card is missing, damaged or does not match."""


class ModelIntegrityError(ModelError):
    """A model file's sha256 does not match the one recorded in its card."""


class SettingsError(UserError):
    """A setting or command-line value is not valid."""
