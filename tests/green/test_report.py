"""The green low-carbon development report (kind ``green_lowcarbon``) of a demo enterprise: made as PDF, Word and
Excel through the report engine, its first page saying no official template was found, its tables holding the
designations, the year's dynamic-management indicators and the GB/T 36132-2025 groups with 基准值未发布, and made
again to the same data state."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from sqlalchemy import select

from carbonpeak.errors import NotFound
from carbonpeak.services import access
from carbonpeak.services import reports as use
from carbonpeak.services.reports_monitoring import Asked
from carbonpeak.store import db
from carbonpeak.store.accounts import User
from carbonpeak.store.models import Enterprise
from carbonpeak.store.reports.models import Report


def _person(session, enterprise: str) -> access.Principal:  # type: ignore[no-untyped-def]
    user = User(
        username=f"green-{enterprise}",
        display_name="企业",
        role="enterprise",
        password_hash="x",
        enterprise_id=session.scalar(select(Enterprise.id).where(Enterprise.code == enterprise)),
    )
    session.add(user)
    session.flush()
    return access.principal_for(session, user)


def test_the_green_lowcarbon_report_of_an_enterprise(demo_sqlite_url: str) -> None:
    asked = Asked(kind="green_lowcarbon", region="", period="2024", as_of=dt.date(2026, 1, 20), enterprise="E02")
    with db.transaction(demo_sqlite_url) as session:
        mine = _person(session, "E02")
        made = use.make(session, mine, asked)
        row = session.get(Report, made.id)
        assert row is not None and {f.format for f in row.files} == {"pdf", "docx", "xlsx"}
        document = row.document
        blocks = [b for s in document["sections"] for b in s["blocks"]]
        assert "未找到官方内容模板" in blocks[0]["text"]  # the first page says so
        tables = {b["figure"]: b for b in blocks if b["type"] == "table"}
        assert any("国家级" in c[0] for r in tables["G1"]["rows"] for c in r)
        groups = {r[0][0] for r in tables["G3"]["rows"]}
        assert groups == {"能源低碳化", "资源高效化", "生产洁净化", "产品绿色化", "用地集约化"}
        assert all(r[4][0] == "基准值未发布" for r in tables["G3"]["rows"])
        workbook = openpyxl.load_workbook(io.BytesIO(next(f.content for f in row.files if f.format == "xlsx")))
        assert workbook.sheetnames
        again = use.regenerate(session, mine, made.id)
        assert not again.data_changed and again.changes == []
        assert all(again.from_document.values()) and all(again.from_store.values())  # to the byte
        with pytest.raises(NotFound):
            use.make(session, mine, Asked(kind="green_lowcarbon", region="", period="2024", enterprise="E01"))
