from __future__ import annotations

import contextlib
import functools
import os
import sys
from collections.abc import Callable, Iterator

import click
import typer

from recwh.errors import RecwhError

VERBOSE_HINT = "rerun with --verbose for the full trace"


@contextlib.contextmanager
def user_errors(*expected: type[Exception]) -> Iterator[None]:
    """Print a failure as one line and a hint, and exit 1; the traceback only under --verbose.

    RecwhError (and `expected`) are problems the user can fix and carry their own hint;
    Spark's errors and anything unexpected get their first line and the --verbose hint.
    """
    try:
        yield
    except (typer.Exit, click.exceptions.Exit, click.ClickException, click.Abort):
        raise  # typer's own exits and usage errors already speak for themselves
    except BrokenPipeError:
        # The reader stopped reading (`recwh recommend 42 | head -3`): nothing to report. Point
        # stdout at devnull so the interpreter's last flush does not fail again (Python's docs).
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise typer.Exit(1) from None
    except Exception as exc:
        if os.environ.get("RECWH_VERBOSE") == "1":
            raise
        if isinstance(exc, (RecwhError, *expected)):
            message, hint = str(exc), getattr(exc, "hint", None)
        else:
            message, hint = describe(exc)
        typer.secho(f"Error: {message}", err=True, fg=typer.colors.RED)
        if hint:
            typer.echo(f"Hint: {hint}", err=True)
        raise typer.Exit(1) from None


def describe(exc: Exception) -> tuple[str, str]:
    """One line and a hint for an exception recwh did not anticipate."""
    from recwh.spark import home

    if type(exc).__module__.startswith(("pyspark", "py4j")):
        text = str(exc).strip()
        # Py4J wraps the JVM's exception: "An error occurred while calling o42.fit.\n: org...Exception: why"
        lines = [line.strip().lstrip(": ") for line in text.splitlines() if line.strip()]
        first = next((line for line in lines if "Exception" in line.split(":")[0]), lines[0] if lines else "")
        if "TABLE_OR_VIEW_NOT_FOUND" in text:
            hint = f"the warehouse {home()} lacks a table: load data (`recwh ingest` or `recwh demo`), then `recwh run`"
        else:
            hint = f"{VERBOSE_HINT}; Spark's settings live in recwh.spark"
        return f"Spark failed: {first}", hint
    if isinstance(exc, OSError) and exc.filename:
        return f"{exc.strerror or exc}: {exc.filename}", VERBOSE_HINT
    text = str(exc).strip()
    return f"unexpected {type(exc).__name__}: {text.splitlines()[0] if text else 'no message'}", \
        f"{VERBOSE_HINT}, and please report it"


def guarded(command: Callable) -> Callable:
    """A CLI command whose every failure goes through `user_errors`."""
    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        with user_errors():
            return command(*args, **kwargs)
    return wrapper
