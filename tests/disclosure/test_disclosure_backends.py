"""The disclosed figures are the stored results on SQLite and PostgreSQL alike: the MEE section's F1 of the
demo's E01, checked by hand against the facts table, and the public page after publishing."""

from __future__ import annotations

import pytest
from test_disclosure_use import ADMIN, make, stored_sums, table

from carbonpeak.services import disclosure as use
from carbonpeak.services import disclosure_public as public_use
from carbonpeak.store import db


def test_figures_and_publishing_on_both_backends(demo_db_url: str) -> None:
    with db.transaction(demo_db_url) as session:
        made = make(session, ADMIN, "disclosure_mee", enterprise="E01")
        f1 = table(made.id, session, "F1")
        hand = stored_sums(session, "E01", 2025)
        assert f1["范围一：直接排放（化石燃料燃烧、工业过程、全氟化碳）"][0] == pytest.approx(hand["direct"])
        assert f1["范围一与范围二合计（基于市场）"][0] == pytest.approx(hand["market"])
        use.publish(session, ADMIN, made.id)
        assert [r.id for r in public_use.page(session, "E01").reports] == [made.id]
