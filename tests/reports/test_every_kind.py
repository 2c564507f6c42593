"""Every kind of report, made from the demonstration province as the pages make it, opens where people open
it: the PDF's first page carries the report's Chinese title drawn in the CJK faces (no fallback font), and
the Word file opens in python-docx and converts in LibreOffice with its title in it (issue #17's done-when
names every report), and each comes out of its stored document and, its data unchanged, out of the store
again to the same bytes. One LibreOffice run converts all the Word files."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from pathlib import Path

import pytest

from carbonpeak.services import access
from carbonpeak.services import reports as use
from carbonpeak.services.reports_kinds import ENTERPRISE, kinds
from carbonpeak.services.reports_monitoring import Asked
from carbonpeak.store import db

AS_OF = dt.date(2026, 3, 31)  # every demo period below has ended by then
SMELTER = "E02"  # the demo's aluminium smelter (the enterprise account's): ETS, energy, green, disclosure
PERIODS = {"month": "2025-11", "year": "2025"}


def _title(text: str) -> str:
    return "".join(text.split())


WHO = access.operator("test:every-kind")
IDS: dict[str, int] = {}  # kind -> the stored report's id


@pytest.fixture(scope="module")
def made(demo_sqlite_url: str) -> dict[str, tuple[str, bytes, bytes]]:
    """kind -> (title, PDF, Word), each made and stored through the use case by the administrator."""
    out: dict[str, tuple[str, bytes, bytes]] = {}
    who = WHO
    for name, kind in sorted(kinds().items()):
        asked = Asked(
            kind=name,
            region="" if kind.subject == ENTERPRISE else "demo",
            enterprise=SMELTER if kind.subject == ENTERPRISE else "",
            period=PERIODS[kind.period],
            as_of=AS_OF,
            draws=200,  # the peak probability's draws: enough to make the section, cheap
        )
        with db.transaction(demo_sqlite_url) as session:
            summary = use.make(session, who, asked)
            pdf = use.file_of(session, who, summary.id, "pdf")[2]
            word = use.file_of(session, who, summary.id, "docx")[2]
        out[name] = (summary.title, pdf, word)
        IDS[name] = summary.id
    return out


def test_every_kind_is_made_on_the_demo(made: dict[str, tuple[str, bytes, bytes]]) -> None:
    assert set(made) == set(kinds())
    for name, (title, pdf, word) in made.items():
        assert title and pdf.startswith(b"%PDF-") and word.startswith(b"PK"), name


def test_each_pdf_shows_its_chinese_title_in_the_cjk_faces(made: dict[str, tuple[str, bytes, bytes]]) -> None:
    from pypdf import PdfReader

    for name, (title, pdf, _word) in made.items():
        page = PdfReader(io.BytesIO(pdf)).pages[0]
        assert _title(title) in _title(page.extract_text()), (name, title)
        fonts = page["/Resources"]["/Font"]
        faces = {str(fonts[f].get_object()["/BaseFont"]) for f in fonts}
        assert faces and all("CJK" in f for f in faces), (name, faces)


def test_each_word_file_opens_and_converts_in_libreoffice(
    made: dict[str, tuple[str, bytes, bytes]], tmp_path: Path
) -> None:
    import docx

    sources = []
    for name, (title, _pdf, word) in made.items():
        texts = [p.text for p in docx.Document(io.BytesIO(word)).paragraphs]
        assert any(_title(title) in _title(t) for t in texts), (name, title)
        source = tmp_path / f"{name}.docx"
        source.write_bytes(word)
        sources.append(source)
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed (make reports installs it): the files were opened by python-docx")
    subprocess.run(
        [
            soffice,
            "--headless",
            "--norestore",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            *map(str, sources),
        ],
        capture_output=True,
        check=True,
        timeout=600,
    )
    from pypdf import PdfReader

    for name, (title, _pdf, _word) in made.items():
        converted = PdfReader(str(tmp_path / f"{name}.pdf")).pages[0].extract_text()
        assert _title(title) in _title(converted), (name, title)


def test_each_kind_regenerates_to_the_same_bytes(
    made: dict[str, tuple[str, bytes, bytes]], demo_sqlite_url: str
) -> None:
    for name in made:
        with db.transaction(demo_sqlite_url, mode="read") as session:
            check = use.regenerate(session, WHO, IDS[name])
        assert not check.data_changed, (name, check.changes[:5])
        assert check.from_document == {"docx": True, "pdf": True, "xlsx": True}, name
        assert check.from_store == {"docx": True, "pdf": True, "xlsx": True}, name
