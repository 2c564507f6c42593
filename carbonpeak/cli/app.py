"""The root command, ``carbonpeak``; each module of this package adds the verbs of one noun."""

from __future__ import annotations

import typer

app = typer.Typer(
    help="carbonpeak: carbon accounting and carbon-peak tracking for non-ferrous metals.",
    no_args_is_help=True,
    add_completion=False,
)


@app.callback()
def _start() -> None:
    """carbonpeak: carbon accounting and carbon-peak tracking for non-ferrous metals."""
    from carbonpeak.cli.common import start_command

    start_command()
