"""``python -m carbonpeak``: the same command line as ``carbonpeak`` (carbonpeak.cli)."""

from carbonpeak.cli import main

main()
