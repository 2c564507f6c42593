"""The demonstration's published disclosure: enterprise E02 (an aluminium smelter of the demo province)
makes and publishes (signs off) its 2025 MEE disclosure, judged on 2026-03-10, so that the public page
/public/disclosure/E02 shows something. Run by ``carbonpeak disclosure demo`` after ``carbonpeak demo
load`` (not inside the demo load: a stored report there would be in every test database built from the
demo and change what the report routes answer to each role)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from carbonpeak.services import access
from carbonpeak.services import disclosure as use
from carbonpeak.services import reports as report_use
from carbonpeak.services.disclosure_mee import MEE
from carbonpeak.services.reports_monitoring import Asked

DEMO_ENTERPRISE, DEMO_YEAR, DEMO_DAY = "E02", "2025", dt.date(2026, 3, 10)


def publish_demo(session: Session, actor: str = "system:demo") -> report_use.Summary:
    """Make and publish the demo enterprise's 2025 carbon-emission disclosure (zh); its PDF is public."""
    who = access.operator(actor)
    asked = Asked(kind=MEE, region="", period=DEMO_YEAR, lang="zh", as_of=DEMO_DAY, enterprise=DEMO_ENTERPRISE)
    made = report_use.make(session, who, asked)
    return use.publish(session, who, made.id)
