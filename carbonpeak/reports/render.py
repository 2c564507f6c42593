"""Render a report to its files, each with its SHA-256, and write files whole or not at all.

A report kind is one Jinja2 template (``templates/<kind>.html`` extending ``report_base.html``) and one
context function (a use case of :mod:`carbonpeak.services` that returns the
:class:`~carbonpeak.reports.document.Document`); :data:`KINDS` names each kind's template. An enterprise
report (the ETS annual report, the monthly deposit, ...) is added as one more entry and one more function.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from carbonpeak.errors import CarbonpeakError
from carbonpeak.reports import formats
from carbonpeak.reports.document import Document

# kind -> its HTML template (the Word and Excel files walk the same blocks)
KINDS: dict[str, str] = {
    "carbon_peak_monthly": "carbon_peak.html",
    "carbon_peak_yearly": "carbon_peak.html",
    "green_lowcarbon": "green_lowcarbon.html",
    "disclosure_mee": "disclosure.html",  # the MEE annual disclosure's carbon section (docs/disclosure.md)
    "disclosure_climate": "disclosure.html",  # the exchange sustainability report's climate section
    "energy_utilisation": "energy_utilisation.html",
    "ets_annual": "ets_annual.html",  # the enterprise's national carbon market annual report (services/ets_annual)
    "ets_deposit_monthly": "ets_deposit.html",  # its monthly evidence deposit receipt (services/ets_deposit_report)
}


class RenderFailed(CarbonpeakError):
    """A report's file could not be made; nothing was written."""

    code = "reports.render_failed"


@dataclass(frozen=True)
class Rendered:
    format: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def render(doc: Document, fmt: str) -> Rendered:
    """One format of the report, or :class:`RenderFailed` naming the format and the reason."""
    return render_many(doc, (fmt,))[fmt]


def render_many(doc: Document, fmts: tuple[str, ...] = formats.FORMATS) -> dict[str, Rendered]:
    template = KINDS.get(doc.kind)
    if template is None:
        raise RenderFailed(code="reports.unknown_kind", kind=doc.kind)
    unknown = [f for f in fmts if f not in (*formats.FORMATS, "html")]
    if unknown:
        raise RenderFailed(code="reports.unknown_format", format=", ".join(unknown))
    out: dict[str, Rendered] = {}
    fmt = ""
    try:
        images = formats.chart_images(doc) if {"pdf", "docx", "html"} & set(fmts) else {}
        for fmt in fmts:
            if fmt == "pdf":
                data = formats.pdf(doc, template, images)
            elif fmt == "html":
                data = formats.html(doc, template, images).encode("utf-8")
            elif fmt == "docx":
                data = formats.docx(doc, images)
            else:
                data = formats.xlsx(doc)
            out[fmt] = Rendered(fmt, data)
    except CarbonpeakError:
        raise
    except Exception as exc:  # a font, an image, a template: the file is not made, the reason is said
        raise RenderFailed(format=fmt or "?", reason=f"{type(exc).__name__}: {exc}") from exc
    return out


def write_whole(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder renamed at the end: a
    reader sees the old file or the whole new one, never half of it; on failure nothing is left."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
