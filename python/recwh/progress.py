"""A live progress line for the person at the terminal.

Long library steps announce themselves with `step()`, and dbt invocations pass
`dbt_callbacks()` to dbtRunner. Both do nothing unless a command opened `shown()` with
stdout on a terminal, so logs, pipes and tests get exactly the output they always had.
"""

from __future__ import annotations

import contextlib
import itertools
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

_progress: Any = None  # the rich Progress while a command shows one
_current: dict = {}  # the task on screen: id, description, started


def is_terminal() -> bool:
    return sys.stdout.isatty()


@contextlib.contextmanager
def shown() -> Iterator[None]:
    """Show progress while the block runs, when stdout is a terminal (nested calls share it)."""
    global _progress
    if _progress is not None or not is_terminal():
        yield
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                        TimeElapsedColumn(), transient=True)
    _progress = progress
    try:
        with progress:
            yield
            _finish()
    finally:
        _progress = None
        _current.clear()


def step(description: str, total: int | None = None) -> None:
    """Start a new step; `total` gives it a bar (advance with `advance`), else it just spins."""
    if _progress is None:
        return
    _finish()
    task = _progress.add_task(description, total=total)
    _current.update(task=task, description=description, started=time.monotonic())


def advance(completed: int, description: str | None = None) -> None:
    if _progress is not None and _current:
        _progress.update(_current["task"], completed=completed, description=description or _current["description"])


def _finish() -> None:
    """Leave a line saying the last step is done and how long it took (the bar itself is transient)."""
    if not _current:
        return
    _progress.update(_current["task"], visible=False)
    _progress.console.print(f"[green]done[/] {_current['description']} "
                            f"[dim]({time.monotonic() - _current['started']:.0f} s)[/]")
    _current.clear()


def dbt_callbacks(args: tuple[str, ...]) -> list[Callable]:
    """dbtRunner callbacks that turn dbt's node events into a bar: `dbt build  12/173  model x`."""
    if _progress is None:
        return []
    label = " ".join(["dbt", *itertools.takewhile(lambda arg: not arg.startswith("-"), args)])
    finished = 0

    def on_event(event) -> None:
        nonlocal finished
        name = event.info.name
        if name == "LogStartLine":  # "12 of 173 START ...": the first one tells the total
            if not _current or _current.get("label") != label:
                step(label, total=event.data.total)
                _current["label"] = label
            node = event.data.node_info
            advance(finished, f"{label}: {node.resource_type} {node.node_name}")
        elif name == "NodeFinished" and _current.get("label") == label:
            finished += 1
            advance(finished)

    return [on_event]
