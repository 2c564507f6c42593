"""Docs generated from field tables stay in step with them."""

from __future__ import annotations

from pathlib import Path

from carbonpeak.io.fields import fields_markdown

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_input_format_field_table_matches_the_field_table() -> None:
    text = (DOCS / "input-format.md").read_text(encoding="utf-8")
    embedded = text.split("<!-- fields:start -->\n", 1)[1].split("<!-- fields:end -->", 1)[0]
    assert embedded == fields_markdown("activity")
