"""Checks on values before they reach the database, with messages for users."""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

from skindesk.core.errors import SettingsError
from skindesk.core.history.errors import HistoryError
from skindesk.core.history.models import VERDICTS
from skindesk.core.metadata import normalise_sex, normalise_site


def identifier(value: Any) -> str:
    """A clinic identifier: any non-blank text, kept exactly as given."""
    if not isinstance(value, str) or not value.strip():
        raise HistoryError("a patient needs an identifier (e.g. the clinic's record number)")
    return text(value, "identifier")


def text(value: Any, what: str) -> str:
    """Free text kept verbatim; None means empty."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise HistoryError(f"{what} must be text, not {type(value).__name__}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        # Lone surrogates (e.g. from undecodable file names) have no UTF-8 form.
        raise HistoryError(f"{what} contains characters that cannot be stored") from None
    return value


def birth_date(value: Any) -> str | None:
    """A date of birth as ``YYYY-MM-DD`` (not in the future), or None."""
    if value in (None, ""):
        return None
    try:
        parsed = date.fromisoformat(str(value))
    except ValueError:
        raise HistoryError(f"date of birth '{value}' is not a date like 1970-05-31") from None
    if len(str(value)) != 10 or parsed > date.today():
        raise HistoryError(f"date of birth '{value}' is not a past date like 1970-05-31")
    return parsed.isoformat()


def sex(value: Any) -> str | None:
    """'female', 'male' or None."""
    try:
        return normalise_sex(value)
    except SettingsError as error:
        raise HistoryError(str(error)) from None


def site(value: Any) -> str | None:
    """An anatomical site in the app's vocabulary, or None."""
    try:
        return normalise_site(value)
    except SettingsError as error:
        raise HistoryError(str(error)) from None


def timestamp(value: Any, what: str) -> str:
    """An ISO 8601 date or date-time, kept as given."""
    try:
        datetime.fromisoformat(str(value))
    except ValueError:
        raise HistoryError(f"{what} '{value}' is not a date-time like 2024-05-31T14:30") from None
    return str(value)


def optional_timestamp(value: Any, what: str) -> str | None:
    """Like :func:`timestamp`, or None."""
    return None if value in (None, "") else timestamp(value, what)


def verdict(value: Any) -> str | None:
    """'agree', 'disagree', 'unsure' or None (not assessed yet)."""
    if value in (None, ""):
        return None
    if value not in VERDICTS:
        raise HistoryError(f"assessment '{value}' is not one of: {', '.join(VERDICTS)}")
    return str(value)


def fraction(value: Any, what: str) -> float:
    """A finite number from 0 to 1."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise HistoryError(f"{what} must be a number from 0 to 1, not {value!r}") from None
    if not (math.isfinite(number) and 0.0 <= number <= 1.0):
        raise HistoryError(f"{what} must be from 0 to 1, not {value!r}")
    return number


def positive(value: Any, what: str) -> float | None:
    """A finite positive number, or None."""
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise HistoryError(f"{what} must be a positive number, not {value!r}") from None
    if not (math.isfinite(number) and number > 0):
        raise HistoryError(f"{what} must be a positive number, not {value!r}")
    return number
