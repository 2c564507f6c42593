"""The root command, ``carbonpeak``; each module of this package adds the verbs of one noun."""

from __future__ import annotations

import sys
from typing import Any

import typer


class _Root(typer.Typer):
    """The root command. Run as a program, an error a command did not report itself (a database locked by
    another writer, say) is still one message in the person's language and exit status 2, not a traceback."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from sqlalchemy.exc import SQLAlchemyError

        from carbonpeak.cli.common import fail
        from carbonpeak.errors import CarbonpeakError

        try:
            return super().__call__(*args, **kwargs)
        except (CarbonpeakError, SQLAlchemyError) as exc:
            try:
                fail(exc)
            except typer.Exit as done:
                sys.exit(done.exit_code)


app = _Root(
    help="carbonpeak: carbon accounting and carbon-peak tracking for non-ferrous metals.",
    no_args_is_help=True,
    add_completion=False,
)


@app.callback()
def _start() -> None:
    """carbonpeak: carbon accounting and carbon-peak tracking for non-ferrous metals."""
    from carbonpeak.cli.common import start_command

    start_command()
