"""Progress of long steps: bars on a terminal, plain log lines elsewhere.

Stages report through a ``Progress`` callable (one message a call). A long step asks
:func:`start_bar` for a counter; when the progress object can draw bars (the CLI's
reporter, see :class:`BarFactory`) it gets a tqdm bar on a terminal, else one log line
with the count and the rate when the step ends. Nothing draws when stderr is not a
terminal or ``CI`` is set, so logs in CI stay one line a step.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from typing import Any, Protocol

Progress = Callable[[str], None]


class Bar(Protocol):
    """A counter of finished items."""

    def update(self, n: int = 1) -> None:
        """Count ``n`` more finished items."""
        ...

    def close(self) -> None:
        """The step is over."""
        ...


class LogBar:
    """A bar that prints one line when it closes (count, time, rate)."""

    def __init__(self, log: Progress, label: str, total: int, every: float = 0.0) -> None:
        self.log, self.label, self.total, self.every = log, label, total, every
        self.done = 0
        self.started = self.last = time.perf_counter()

    def update(self, n: int = 1) -> None:
        """Count ``n`` items; with ``every`` > 0, log at most every ``every`` seconds."""
        self.done += n
        now = time.perf_counter()
        if self.every and now - self.last >= self.every and self.done < self.total:
            self.last = now
            self.log(f"{self.label}: {self.done}/{self.total}{self._rate(now)}")

    def _rate(self, now: float) -> str:
        seconds = now - self.started
        rate = self.done / seconds if seconds > 0 else 0.0
        return f" in {seconds:.1f}s ({rate:.1f}/s)"

    def close(self) -> None:
        """Log the final count and rate."""
        self.log(f"{self.label}: {self.done}/{self.total}{self._rate(time.perf_counter())}")


class NullBar:
    """A bar that shows nothing."""

    def update(self, n: int = 1) -> None:
        """Ignore."""

    def close(self) -> None:
        """Ignore."""


def interactive(stream: Any = None) -> bool:
    """Whether bars may be drawn: ``stream`` (stderr) is a terminal and not in CI."""
    stream = stream or sys.stderr
    is_tty = getattr(stream, "isatty", lambda: False)()
    return bool(is_tty) and not os.environ.get("CI") and os.environ.get("TERM") != "dumb"


class BarFactory:
    """Bars for a reporter: tqdm on a terminal, log lines otherwise, none when quiet."""

    def __init__(self, log: Progress, quiet: bool, verbose: int, stream: Any = None) -> None:
        self.log, self.quiet, self.verbose = log, quiet, verbose
        self.stream = stream or sys.stderr

    def __call__(self, label: str, total: int, unit: str = "doc") -> Bar:
        """A bar for ``total`` items (``unit``) of step ``label``."""
        if self.quiet or total <= 0:
            return NullBar()
        if interactive(self.stream):
            from tqdm import tqdm

            return tqdm(
                total=total, desc=f"curate: {label}", unit=unit, file=self.stream, leave=False
            )
        return LogBar(self.log, label, total, every=10.0 if self.verbose else 0.0)


def start_bar(progress: Progress, label: str, total: int, unit: str = "doc") -> Bar:
    """A bar from ``progress`` when it makes bars (``progress.bar``), else a log line."""
    factory = getattr(progress, "bar", None)
    if callable(factory):
        return factory(label, total, unit)
    return LogBar(progress, label, total)
