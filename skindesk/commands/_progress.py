"""A terminal progress bar for long commands, driven by progress callbacks.

On a terminal it redraws one line (count/total, rate, ETA); when the
stream is a file or a pipe it writes a plain line every few seconds instead,
so logs stay readable.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, TextIO

TTY_INTERVAL_S = 0.2
PLAIN_INTERVAL_S = 10.0


class Progress(Protocol):
    """What the bar shows (a :class:`~skindesk.core.batch.ScanProgress` has it)."""

    @property
    def done(self) -> int: ...

    @property
    def total(self) -> int | None: ...

    @property
    def rate(self) -> float: ...

    @property
    def eta(self) -> float | None: ...


def format_duration(seconds: float) -> str:
    """``"4:05"`` or ``"1:02:03"``."""
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def format_progress(progress: Progress, width: int = 24) -> str:
    """One line: bar, ``done/total``, rate and ETA (total and ETA when known)."""
    rate = f"{progress.rate:.1f} img/s"
    if progress.total is None:
        return f"{progress.done} files (counting...)  {rate}"
    total = max(progress.total, progress.done)
    fraction = progress.done / total if total else 1.0
    filled = int(width * fraction)
    bar = "#" * filled + "-" * (width - filled)
    eta = progress.eta
    eta_text = "" if eta is None or progress.done >= total else f"  ETA {format_duration(eta)}"
    return f"[{bar}] {progress.done}/{total} ({fraction:.0%})  {rate}{eta_text}"


@dataclass(frozen=True)
class CountProgress:
    """Progress known only as a count: rate and ETA derived from the start time."""

    done: int
    total: int | None
    elapsed: float

    @property
    def rate(self) -> float:
        return self.done / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def eta(self) -> float | None:
        if self.total is None or not self.rate:
            return None
        return (self.total - self.done) / self.rate


class ProgressBar:
    """Shows progress on ``stream`` (stderr by default); call :meth:`close` at the end.

    Args:
        stream: Where to draw.
        interval: Least seconds between two redraws (default: 0.2 on a
            terminal, 10 otherwise).
    """

    def __init__(self, stream: TextIO | None = None, interval: float | None = None) -> None:
        self.stream = stream or sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        default = TTY_INTERVAL_S if self.tty else PLAIN_INTERVAL_S
        self.interval = default if interval is None else interval
        self._last = float("-inf")
        self._width = 0
        self._latest: Progress | None = None
        self._shown: Progress | None = None

    def update(self, progress: Progress) -> None:
        """Record progress; redraw when the interval has passed."""
        self._latest = progress
        now = time.monotonic()
        if now - self._last >= self.interval:
            self._last = now
            self._draw(progress)

    def counter(self) -> Callable[[int, int], None]:
        """A ``(done, total)`` callback (the service's ``on_progress``) feeding this bar."""
        started = time.monotonic()

        def report(done: int, total: int) -> None:
            self.update(CountProgress(done, total, time.monotonic() - started))

        return report

    def _draw(self, progress: Progress) -> None:
        text = format_progress(progress)
        if self.tty:
            self.stream.write("\r" + text.ljust(self._width))
            self._width = len(text)
        else:
            self.stream.write(text + "\n")
        self.stream.flush()
        self._shown = progress

    def close(self) -> None:
        """Show the final state and end the line."""
        if self._latest is not None and self._latest is not self._shown:
            self._draw(self._latest)
        if self.tty and self._width:
            self.stream.write("\n")
            self.stream.flush()
        self._width = 0
