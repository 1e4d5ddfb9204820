"""The progress bar of a batch run (articles, MB/s, ETA) on a terminal; silence elsewhere."""
from __future__ import annotations

import sys
from typing import Optional


class Reporter:
    """Shows progress on stderr when `show`; `say` prints a line either way (above the bar)."""

    def __init__(self, show: bool):
        self.show = show
        self._progress = None
        self._task = None
        self._bytes = 0

    def start(self, total: int, total_bytes: int) -> None:
        if not self.show or total == 0:
            return
        from rich.console import Console
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress, ProgressColumn,
                                   TextColumn, TimeRemainingColumn)
        from rich.text import Text

        class Throughput(ProgressColumn):
            def render(self, task) -> Text:
                elapsed = task.elapsed or 0.0
                rate = task.fields.get("bytes", 0) / elapsed / 1e6 if elapsed > 0 else 0.0
                return Text(f"{rate:6.2f} MB/s")

        self._progress = Progress(
            TextColumn("parse"), BarColumn(bar_width=24), MofNCompleteColumn(), TextColumn("articles"),
            Throughput(), TextColumn("ETA"), TimeRemainingColumn(), TextColumn("{task.fields[notes]}"),
            console=Console(stderr=True), transient=False,
        )
        self._task = self._progress.add_task("parse", total=total, bytes=0, notes="")
        self._progress.start()

    def advance(self, result) -> None:
        if self._progress is None:
            return
        self._bytes += result.size
        self._progress.update(self._task, advance=1, bytes=self._bytes)

    def say(self, line: str) -> None:
        if self._progress is not None:
            self._progress.console.print(line, markup=False, highlight=False, soft_wrap=True,
                                         emoji=False)
        else:
            sys.stderr.write(line + "\n")
            sys.stderr.flush()

    def finish(self, counts: dict, seconds: float) -> None:
        if self._progress is None:
            return
        notes = f"{counts['ok']} written, {counts['skipped']} already done, {counts['error']} failed"
        self._progress.update(self._task, notes=notes)
        self.stop()

    def stop(self) -> None:
        progress: Optional[object] = self._progress
        self._progress = None
        if progress is not None:
            progress.stop()
