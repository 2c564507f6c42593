"""Every report kind is registered once with its subject, period and permissions, has a template, and is
named in both languages by the catalog (a page never shows a kind's id)."""

from __future__ import annotations

import pytest

from carbonpeak.errors import InputError
from carbonpeak.reports.render import KINDS as TEMPLATES
from carbonpeak.services import access
from carbonpeak.services.reports_kinds import ENTERPRISE, REGION, kind_of, kinds, parse_period


def test_every_kind_has_a_template_a_title_in_both_languages_and_known_permissions() -> None:
    for name, kind in kinds().items():
        assert kind.name == name and name in TEMPLATES, name
        assert kind.subject in (REGION, ENTERPRISE) and kind.period in ("month", "year")
        for action in (kind.view, kind.make, kind.sign):
            assert action in access.PERMISSIONS, (name, action)
        zh, en = kind.title("zh"), kind.title("en")
        assert zh != en and name not in zh and name not in en, (name, zh, en)
    assert set(TEMPLATES) == set(kinds())  # no template without its kind, no kind without its template


def test_periods_follow_the_kind() -> None:
    monthly, yearly = kind_of("carbon_peak_monthly"), kind_of("carbon_peak_yearly")
    assert parse_period(monthly, "2025-12") == (2025, 12)
    assert parse_period(yearly, "2025") == (2025, None)
    for kind, period in ((monthly, "2025"), (monthly, "2025-13"), (yearly, "2025-12")):
        with pytest.raises(InputError) as caught:
            parse_period(kind, period)
        assert caught.value.code == "reports.bad_period"
    with pytest.raises(Exception) as unknown:
        kind_of("no_such_kind")
    assert getattr(unknown.value, "code", "") == "reports.unknown_kind"
