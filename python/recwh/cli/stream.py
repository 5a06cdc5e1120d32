from __future__ import annotations

import signal
from pathlib import Path
from typing import Annotated, Optional

import typer


def stream(
    landing: Annotated[
        Optional[Path],
        typer.Option(help="Folder event files arrive in (.json/.jsonl: one object per line; .csv: header + raw.events columns). Default: $RECWH_HOME/landing/events."),
    ] = None,
    once: Annotated[bool, typer.Option("--once", help="Process the files already there, then stop (for schedulers and tests).")] = False,
    max_files_per_batch: Annotated[int, typer.Option(min=1, help="At most this many new files per micro-batch.")] = 1000,
    interval: Annotated[float, typer.Option(min=0.1, help="Seconds between micro-batches (without --once).")] = 10.0,
) -> None:
    """Stream event files from a landing folder into raw.events, exactly once (checkpointed; safe to kill and restart)."""
    from recwh import stream as streaming
    from recwh.spark import get_spark

    # `kill`, systemd and docker stop send SIGTERM: stop the query as Ctrl-C does.
    signal.signal(signal.SIGTERM, _interrupt)
    totals = {"received": 0, "malformed": 0}

    def report(batch: streaming.BatchReport) -> None:
        totals["received"] += batch.received
        totals["malformed"] += batch.malformed
        typer.echo(f"batch {batch.batch_id}: {batch.received} lines received = {batch.received} rows landed "
                   f"in raw.events ({batch.malformed} malformed, quarantined by the next dbt build)")

    if not once:
        typer.echo(f"Streaming {landing or streaming.landing_dir()} into raw.events; Ctrl-C to stop.")
    try:
        streaming.stream_events(get_spark(), landing, once=once, max_files_per_batch=max_files_per_batch,
                                interval_seconds=interval, on_batch=report)
    except KeyboardInterrupt:
        typer.echo("Stopped.")
    typer.echo(f"total: {totals['received']} lines received = {totals['received']} rows landed "
               f"({totals['malformed']} malformed)")


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt
