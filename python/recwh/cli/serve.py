from __future__ import annotations

import signal
from typing import Annotated

import typer


def serve(
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port for JDBC/ODBC (HiveServer2 protocol) clients.")] = 10000,
    host: Annotated[str, typer.Option(help="Address to listen on; 127.0.0.1 keeps the server on this machine.")] = "127.0.0.1",
    startup_timeout: Annotated[float, typer.Option(min=1, help="Seconds to wait for the server to accept connections.")] = 180,
) -> None:
    """Serve the warehouse over JDBC/ODBC (Spark Thrift Server) until Ctrl-C: BI tools and dbt --target cluster."""
    from recwh import serve as server
    from recwh.spark import home

    # `kill`, systemd and docker stop send SIGTERM: stop the server as Ctrl-C does, never orphan it.
    signal.signal(signal.SIGTERM, _interrupt)
    process = server.start(port, host)
    typer.echo(f"Starting the Spark Thrift Server on {home()} (log: {server.log_path()}) ...")
    try:
        server.wait_until_ready(process, port, host, timeout=startup_timeout)
    except BaseException:
        server.stop(process)
        raise
    typer.echo(f"Serving jdbc:hive2://{host}:{port}  (dbt: RECWH_THRIFT_PORT={port} dbt build --target cluster)")
    typer.echo("Press Ctrl-C to stop.")
    try:
        returncode = process.wait()
    except KeyboardInterrupt:
        typer.echo("Stopping ...")
        server.stop(process)
        return
    typer.secho(f"Error: the Thrift server exited with status {returncode}", err=True, fg=typer.colors.RED)
    typer.echo(f"Hint: see {server.log_path()}", err=True)
    raise typer.Exit(1)


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt
