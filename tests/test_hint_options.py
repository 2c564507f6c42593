"""A hint never names a command-line option that does not exist on the command it is for.

Every text that names an option (``--something``) is found: the message catalog (both languages) and every string
in carbonpeak/ outside docstrings and the options' own declarations. Its command is the one the text names
(``carbonpeak projects review --stored``, ``capacity add --kind``), else the one listed below for its place; a text
naming an option with no known command fails, so a new hint must say which command it is for.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import pytest
import typer

from carbonpeak import messages
from carbonpeak.cli import app

PACKAGE = Path(__file__).resolve().parents[1] / "carbonpeak"
OPTION = re.compile(r"(?<![\w-])--[a-z][a-z0-9-]*")

# Texts that name an option without naming the command: (file or catalog code, option) -> the commands they are for.
COMMANDS: dict[tuple[str, str], tuple[str, ...]] = {
    ("capacity/ceiling.py", "--national-elsewhere"): ("capacity",),
    ("projects/review.py", "--national-capacity"): ("projects review",),
    ("cli/accounting.py", "--grid-region"): ("account",),
    ("cli/accounting.py", "--electricity-convention"): ("account",),
    ("cli/accounting.py", "--key"): ("parameters show",),
    ("cli/capacity.py", "--lang"): ("capacity", "capacity history"),
    ("cli/capacity.py", "--date"): ("capacity",),
    ("cli/capacity.py", "--source"): ("capacity replace",),
    ("cli/indicators.py", "--as-of"): ("warnings",),
    ("cli/pathways.py", "--fan"): ("pathways chart",),
    ("cli/pathways.py", "--wedge"): ("pathways chart",),
    ("cli/pathways.py", "--wedge-basis"): ("pathways run", "pathways chart"),
    ("cli/projects.py", "--national-capacity"): ("projects review",),
    ("cli/projects.py", "--lang"): ("projects review", "projects add", "projects list", "projects show"),
    ("cli/projects.py", "--stored"): ("projects review",),
    ("cli/submissions.py", "--db"): ("demo load",),
    ("projects.nothing_to_review", "--stored"): ("projects review",),
    ("projects.file_and_stored", "--stored"): ("projects review",),
    ("warning.daily_skipped", "--force"): ("warnings refresh",),
    ("warning.daily_gave_up", "--force"): ("warnings refresh",),
    ("cli/warnings_refresh.py", "--as-of"): ("warnings refresh",),
}


def _commands() -> dict[str, Any]:
    """Every command and group by its path ("projects review"), the root's own commands included."""
    root = typer.main.get_command(app)
    found: dict[str, Any] = {}

    def walk(command: Any, path: str) -> None:  # Typer's own click: groups are known by their commands
        if path:
            found[path] = command
        if hasattr(command, "commands"):
            for name, sub in command.commands.items():
                walk(sub, f"{path} {name}".strip())

    walk(root, "")
    return found


COMMANDS_BY_PATH = _commands()


def _options(command: Any) -> set[str]:
    return {o for p in command.params for o in (*p.opts, *p.secondary_opts) if o.startswith("--")}


def _texts() -> list[tuple[str, str]]:
    """(place, text) of every text naming an option: catalog entries and strings of the package's code."""
    texts: list[tuple[str, str]] = []
    for code, entry in messages.catalog().items():
        texts += [(code, entry[lang]) for lang in ("zh", "en") if OPTION.search(entry[lang])]
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skipped: set[int] = set()
        for node in ast.walk(tree):
            body = getattr(node, "body", None)
            if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
                skipped.add(id(body[0].value))  # a docstring describes, it does not hint
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") in ("Option", "Argument", "add_argument"):
                skipped.update(id(a) for a in node.args)  # the declaration of the option itself
            if isinstance(node, ast.Call):
                skipped.update(id(k.value) for k in node.keywords if k.arg == "help")
        place = str(path.relative_to(PACKAGE))
        for node in ast.walk(tree):
            if id(node) in skipped:
                continue
            if isinstance(node, ast.JoinedStr):  # an f-string as one text, its values as {…}
                text = "".join(v.value if isinstance(v, ast.Constant) else "{…}" for v in node.values)
                for v in node.values:
                    skipped.add(id(v))
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                text = node.value
            else:
                continue
            if OPTION.search(text):
                texts.append((place, text))
    return texts


def _named_command(text: str, option_at: int) -> str | None:
    """The command a text names before the option, the nearest one: ``carbonpeak <path>``, or a path of a noun and a
    verb (one word alone, "demo", "capacity", is too often a plain word of the sentence)."""
    before = text[:option_at]
    best: tuple[int, str] | None = None
    for path in COMMANDS_BY_PATH:
        prefix = "" if " " in path else "carbonpeak "
        for match in re.finditer(rf"(?<![\w-]){prefix}{re.escape(path)}(?![\w-])", before):
            if best is None or (match.start(), len(path)) > (best[0], len(best[1])):
                best = (match.start(), path)
    return best[1] if best else None


def test_the_hint_scan_sees_the_known_hints() -> None:
    places = {place for place, _ in _texts()}
    assert {"capacity.balance_negative", "projects.expected.correction", "projects/measured.py"} <= places


@pytest.mark.parametrize(("place", "text"), _texts(), ids=lambda value: str(value)[:60])
def test_every_option_named_in_a_hint_exists_on_its_command(place: str, text: str) -> None:
    for match in OPTION.finditer(text):
        option = match.group()
        named = _named_command(text, match.start())
        commands = (named,) if named else COMMANDS.get((place, option))
        assert commands, f"{place}: {text!r} names {option} but not its command; add it to COMMANDS"
        for command in commands:
            assert command in COMMANDS_BY_PATH, f"{place}: no command '{command}'"
            assert option in _options(COMMANDS_BY_PATH[command]), (
                f"{place}: {text!r} names {option}, which '{command}' does not have"
            )


def test_the_benchmark_hint_names_no_option() -> None:
    """It reaches classify (--edition), indicators and targets (--benchmark-edition) and the web alike."""
    for lang in ("zh", "en"):
        for code in ("benchmark.level_missing", "benchmark.choose_edition"):
            assert not OPTION.search(messages.render(code, lang, {"edition": "2021"})), code
