"""What a zh-CN page shows a person in Latin letters: the visible text and the attributes read aloud
(title, placeholder, aria-label, alt, button values), without scripts and styles. Used by
test_chinese_only.py; a helper of the scan, not a test.

The allow-list is short on purpose: units and chemical formulas, codes of registry objects (E02, AL03,
SX-AL-2025-01), the demo's city codes and user names (data a person typed), product names (Excel, API),
standard and institution abbreviations that Chinese texts write in Latin letters (GB/T, IPCC, CBAM, EU),
and what Chinese texts themselves write in Latin letters: a single capital used as a label (表A, 含硫量 S),
a standard's number (CETS-AG-04.01-V01-2024), an all-caps code with digits (AR5), an annex section
(B.7.1). A Latin run is judged without a trailing "." ":" or "/" (GJ/万Nm3 is GJ and 万Nm3)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

_READ_ALOUD = ("title", "placeholder", "aria-label", "alt")


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.skip = 0
        self.out: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "code", "template"):
            self.skip += 1
        found = dict(attrs)
        for key in _READ_ALOUD:
            if found.get(key):
                self.out.append(str(found[key]))
        if tag == "input" and found.get("type") in ("submit", "button") and found.get("value"):
            self.out.append(str(found["value"]))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "code", "template"):
            self.skip = max(0, self.skip - 1)

    def handle_data(self, data: str) -> None:
        if not self.skip and data.strip():
            self.out.append(data.strip())


LATIN = re.compile(r"[A-Za-z][A-Za-z0-9_.:/\-]*")
ALLOWED = re.compile(
    r"^("
    # codes of registry objects and of warnings, targets and projects (E02, AL03, GZ-01, SX-AL-2025-01)
    r"[A-Z]{1,4}[-]?\d[\w\-.]*|[A-Z]{2}-[A-Z]{2}-[\w\-]+|[A-Z]{2,4}-\d+"
    # the demo's data: city and park codes, user names, the seed province's own identifiers
    r"|demo[\w\-]*|other[\w\-]*|walk-target|admin|province|city|enterprise|verifier|test:setup"
    # units and formulas
    r"|t|kg|kt|Mt|kA|kV|mV|kWh|MWh|GWh|TJ|GJ|MJ|kJ|kcal|gce/kWh|Nm3|m3|tce|kgce|tCO2e?|kgCO2e?|CO2e?|CH4|N2O|PFCs?|CF4|C2F6|SO2|NOx"
    r"|EUR|EUR/[\w/]+|CaCO3|MgCO3|Na2CO3|CO2/\w+|t/\w+|kg\w*/\w+|kWh/\w+|MWh/\w+|tCO2e?/[\w/]+|tce/\w+|GJ/\w+|yuan/\w+|Mt/a|GWP\d*|AR\d|AC"
    # products, formats and abbreviations Chinese texts keep in Latin letters
    r"|carbonpeak|Excel|Word|CSV|API|PDF|PNG|SVG|JSON|YAML|xlsx|csv|json|yaml|ECharts|GeoJSON|HTTP|URL|Bearer|Authorization:"
    r"|GB|GB/T|DB\d{2}/T|T|IPCC|CBAM|ETS|MEE|NDRC|NBS|MIIT|ISO|USCC|English|ID|Ctrl|P|cp_[\w\-]+|EU|CN|Authorization"
    # names of sources and schemes Chinese texts keep in Latin letters (IAI, CRU, PACT)
    r"|IAI|ICA|IZA|CRU|ASI|PACT"
    # what Chinese texts themselves write in Latin letters: a single capital used as a label or symbol
    # (表A, 含硫量 S), a standard's or guideline's number (CETS-AG-04.01-V01-2024; GB/T 32151.5-2015 is
    # GB/T and digits), an all-caps code with digits (AR5, CF4)
    r"|[A-Z]|[A-Z]{2,6}(?:-[A-Z0-9.]+)+|[A-Z][A-Z0-9]*\d[A-Z0-9]*"
    # a section number with an annex letter (附件二B.7.1)
    r"|[A-Z](?:\.\d+)+"
    r")$"
)


def visible_texts(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    return parser.out


def latin_runs(html: str) -> list[str]:
    """Every Latin run a person reads on the page that is not on the allow-list, in page order."""
    return [m[0] for text in visible_texts(html) for m in LATIN.finditer(text) if not ALLOWED.match(m[0].rstrip(".:/"))]
