from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

import typer

from recwh.errors import RecwhError


@contextlib.contextmanager
def user_errors(*expected: type[Exception]) -> Iterator[None]:
    """Print a problem the user can fix as one line and a hint, and exit 1; no traceback."""
    try:
        yield
    except (RecwhError, *expected) as exc:
        if os.environ.get("RECWH_VERBOSE") == "1":
            raise
        typer.secho(f"Error: {exc}", err=True, fg=typer.colors.RED)
        hint = getattr(exc, "hint", None)
        if hint:
            typer.echo(f"Hint: {hint}", err=True)
        raise typer.Exit(1) from None
