"""What a CBAM package rests on that is not confirmed, in the reader's language (page and workbook)."""

from __future__ import annotations

from carbonpeak.messages import Bilingual, Message
from carbonpeak.services.cbam import CbamPackage
from carbonpeak.vocabulary import Sector


def note_messages(package: CbamPackage) -> list[Message]:
    out = [Message("cbam.note.layout")]
    if package.rules_on is not None:
        out.append(Message("cbam.note.rules_day", year=package.year, day=package.rules_on.isoformat()))
    out += [Message("cbam.note.defaults"), Message("cbam.note.markup"), Message("cbam.note.price")]
    out.append(Message("cbam.note.cost"))
    if package.sector == Sector.ELECTROLYTIC_ALUMINIUM:
        out.append(Message("cbam.note.co2_per_carbon"))
    else:
        out.append(Message("cbam.note.national_method"))
    out.append(Message("cbam.note.attribution"))
    seen: set[tuple[str, str]] = set()
    for cited in [*package.figures.cited, *(c for cmp in package.comparisons for c in cmp.cited)]:
        # one note per family and source: the Verification sheet lists each value with its key
        if cited.verified or (cited.parameter, cited.citation()) in seen:
            continue
        seen.add((cited.parameter, cited.citation()))
        title = Bilingual(cited.title.get("zh", cited.parameter), cited.title.get("en", cited.parameter))
        zh_source = cited.source.zh.document if cited.source.zh is not None else cited.source.document
        out.append(
            Message(
                "cbam.note.unconfirmed",
                parameter=title,
                confidence=Message(f"cbam.confidence.{cited.confidence.value}"),
                source=Bilingual(zh_source, cited.citation()),
            )
        )
    return out


def notes(package: CbamPackage, lang: str) -> list[str]:
    return [m.text(lang) for m in note_messages(package)]
