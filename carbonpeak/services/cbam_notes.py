"""What a CBAM package rests on that is not confirmed, in the reader's language (page and workbook)."""

from __future__ import annotations

from carbonpeak.messages import Message
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
    seen: set[str] = set()
    for cited in [*package.figures.cited, *(c for cmp in package.comparisons for c in cmp.cited)]:
        if cited.verified or cited.label in seen:
            continue
        seen.add(cited.label)
        out.append(
            Message(
                "cbam.note.unconfirmed",
                parameter=cited.label,
                confidence=cited.confidence.value,
                source=cited.citation(),
            )
        )
    return out


def notes(package: CbamPackage, lang: str) -> list[str]:
    return [m.text(lang) for m in note_messages(package)]
