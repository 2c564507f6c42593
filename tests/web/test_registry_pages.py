"""Registry pages and API in zh-CN: forms generated from the field tables, every problem beside its field,
the bulk file, changes as versions, proposals decided by the region's regulator, access by jurisdiction."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import select
from webhelpers import client, post, token_of

from carbonpeak.io import registry_file
from carbonpeak.store import db
from carbonpeak.store.models import Cluster, Facility, FacilityChangeProposal
from carbonpeak.uscc import check_character


def _uscc(seed: str) -> str:
    first17 = ("91610000" + seed).ljust(17, "0")[:17]
    return first17 + check_character(first17)


def test_the_management_page_speaks_chinese_and_refuses_bad_input_beside_each_field(
    fresh_app: Any, fresh_url: str
) -> None:
    city = client(fresh_app, "city")
    page = city.get("/registry")
    assert page.status_code == 200
    for text in ("登记管理", "批量登记文件", "登记企业", "统一社会信用代码", "电解铝", "运行"):
        assert text in page.text, text
    response = post(
        city,
        "/registry/facilities",
        {"facility_code": "AL03", "name_zh": "", "sector": "steel", "capacity_t_per_a": "-1", "enterprise_code": "E02"},
    )
    assert response.status_code == 422
    for text in (
        "该编号已被使用",
        "必填项未填写",
        "不是已知行业",
        "产能不能小于零",
        "未做任何更改",
    ):
        assert text in response.text, text
    assert 'data-field-error="capacity_t_per_a"' in response.text
    # a new enterprise in the city regulator's own city, then its facility
    city_code = _city_of(fresh_url, "AL03")
    response = post(
        city,
        "/registry/enterprises",
        {
            "enterprise_code": "NEW1",
            "name_zh": "新企业",
            "uscc": _uscc("NEW1"),
            "region_code": city_code,
            "contact_phone": "029-1234567",
        },
    )
    assert response.status_code == 303, response.text[:3000]
    response = post(
        city,
        "/registry/facilities",
        {
            "facility_code": "NEW1-AL",
            "enterprise_code": "NEW1",
            "name_zh": "新电解线",
            "sector": "electrolytic_aluminium",
            "capacity_t_per_a": "100000",
            "commissioning_year": "2024",
        },
    )
    assert response.status_code == 303
    assert "新电解线" in city.get("/facilities/NEW1-AL").text
    # another city's facility: refused
    assert city.get("/facilities/AO01/edit").status_code == 403
    assert post(city, "/facilities/AO01/edit", {"technology": "CWPB"}).status_code == 403


def _city_of(url: str, facility: str) -> str:
    with db.transaction(url) as session:
        row = session.scalar(select(Facility).where(Facility.code == facility))
        assert row is not None
        return row.region.code


def test_a_change_is_a_version_and_a_proposal_is_decided_with_a_reason(fresh_app: Any, fresh_url: str) -> None:
    city = client(fresh_app, "city")
    response = post(city, "/facilities/AL03/edit", {"technology": "CWPB"})
    assert response.status_code == 303
    history = city.get("/facilities/AL03/edit").text
    assert "工艺/槽型" in history and "→ CWPB" in history
    enterprise = client(fresh_app, "enterprise")
    assert enterprise.get("/facilities/AL03/edit").status_code == 403  # enterprises propose instead
    form = enterprise.get("/facilities/AL03/propose")
    assert form.status_code == 200 and "提议" in form.text
    response = post(
        enterprise, "/facilities/AL03/propose", {"status": "idle", "status_since": "2025-06-01", "note": "检修"}
    )
    assert response.status_code == 303
    with db.transaction(fresh_url) as session:
        proposal_id = session.scalar(select(FacilityChangeProposal.id))
    page = city.get("/proposals").text
    assert "停产" in page and "待处理" in page and f"/proposals/{proposal_id}/reject" in page
    response = post(city, f"/proposals/{proposal_id}/reject", {"reason": ""})
    assert response.status_code == 303 and "驳回时须说明理由" in city.get("/proposals").text
    assert post(enterprise, f"/proposals/{proposal_id}/approve", {}).status_code == 403
    assert post(city, f"/proposals/{proposal_id}/reject", {"reason": "未附停产说明"}).status_code == 303
    assert "未附停产说明" in enterprise.get("/proposals").text


def test_the_bulk_file_from_the_page_all_or_nothing(fresh_app: Any) -> None:
    province = client(fresh_app, "province")
    template = province.get("/registry/template.xlsx?lang=zh")
    assert template.status_code == 200
    book = load_workbook(io.BytesIO(template.content))
    assert book.sheetnames[:5] == ["地区", "园区", "集群", "企业", "设施"]
    sheet = book["企业"]
    for column, value in enumerate(["B1", "批量企业", "", "12345", "demo-nowhere"], start=1):
        sheet.cell(row=3, column=column, value=value)
    out = io.BytesIO()
    book.save(out)
    response = province.post(
        "/registry/import",
        data={"csrf_token": token_of(province, "/registry")},
        files={"file": ("province.xlsx", out.getvalue())},
        follow_redirects=False,
    )
    assert response.status_code == 422
    assert "工作表 企业，第 3 行" in response.text and "统一社会信用代码应为 18 位" in response.text
    assert "登记簿中没有该地区" in response.text
    assert registry_file  # the page serves the same template the module writes


def test_the_api_registers_and_refuses_with_coded_details(fresh_app: Any) -> None:
    admin = client(fresh_app, "admin")
    headers = {"X-CSRF-Token": token_of(admin, "/parameters")}
    bad = admin.post("/api/v1/enterprises", json={"enterprise_code": "API1", "uscc": "1"}, headers=headers)
    assert bad.status_code == 422
    codes = sorted(d["code"] for d in bad.json()["details"])
    assert codes == ["registry.required", "registry.required", "registry.uscc_length"]
    good = admin.post(
        "/api/v1/regions",
        json={"region_code": "api-c", "name_zh": "接口市", "level": "city", "parent_code": "demo"},
        headers=headers,
    )
    assert good.status_code == 201 and good.json()["action"] == "created"
    changed = admin.patch("/api/v1/facilities/AL03", json={"capacity_t_per_a": 999999}, headers=headers)
    assert changed.status_code == 200 and changed.json()["ledger_events"], changed.text
    versions = admin.get("/api/v1/facilities/AL03/history").json()
    assert versions[-1]["before"]["capacity_t_per_a"] != 999999 and versions[-1]["after"]["capacity_t_per_a"] == 999999
    city = client(fresh_app, "city")
    city_headers = {"X-CSRF-Token": token_of(city, "/parameters")}
    assert city.patch("/api/v1/facilities/AO01", json={"technology": "x"}, headers=city_headers).status_code == 403


def test_a_provincial_regulator_registers_a_cluster_of_cities_in_the_web(fresh_app: Any, fresh_url: str) -> None:
    """Clusters (a plan's industrial cluster of cities) are managed in the web like regions and parks."""
    province = client(fresh_app, "province")
    page = province.get("/registry")
    assert 'data-testid="add-clusters"' in page.text and "新增产业集群" in page.text
    city_code = _city_of(fresh_url, "AL03")
    bad = post(province, "/registry/clusters", {"cluster_code": "CL-NEW", "name_zh": "", "region_codes": "NOPE"})
    assert bad.status_code == 422 and "必填项未填写" in bad.text
    response = post(
        province, "/registry/clusters", {"cluster_code": "CL-NEW", "name_zh": "关中集群", "region_codes": city_code}
    )
    assert response.status_code == 303, response.text[:3000]
    with db.transaction(fresh_url) as session:
        cluster = session.scalar(select(Cluster).where(Cluster.code == "CL-NEW"))
        assert cluster is not None and [r.code for r in cluster.regions] == [city_code]
