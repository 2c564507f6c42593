# ruff: noqa: E501  (file contents written out in full)
"""The cross-tenant leak is closed: a facility the person may not report for gets the same answer
whether it exists (another enterprise's, with its month verified) or not, on the page and the API."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from webhelpers import TOKENS, client, count_rows, filled_template, ra05_month, token_of

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _page_problems(html: str) -> str:
    """The refusal as the person reads it: the error rows of the page, codes replaced."""
    part = html.split('data-testid="upload-errors"', 1)[1].split("</table>", 1)[0]
    text = re.sub(r"<[^>]+>", " ", part)
    return re.sub(r"\s+", " ", text).strip()


def test_foreign_and_unknown_facilities_get_the_same_answer(fresh_app: Any, fresh_url: str, tmp_path: Path) -> None:
    # AL01 belongs to another enterprise (E01) and has verified months; ZZ99 exists nowhere
    files = {
        code: filled_template(
            tmp_path / code, [ra05_month("2024-07", facility_id=code, sector="copper", region="guizhou")]
        )
        for code in ("AL01", "ZZ99")
    }
    versions = count_rows(fresh_url, "submission_version")
    api = TestClient(fresh_app)
    headers = {"Authorization": f"Bearer {TOKENS['enterprise']}"}
    answers = {}
    for code, path in files.items():
        with path.open("rb") as handle:
            response = api.post("/api/v1/imports", headers=headers, files={"file": ("m.xlsx", handle, XLSX)})
        assert response.status_code == 422
        body = response.json()
        answers[code] = (body["message"], [{**d, "message": d["message"].replace(code, "X")} for d in body["details"]])
    assert answers["AL01"] == answers["ZZ99"]
    details = answers["AL01"][1]
    assert [(d["code"], d["row"], d["field"]) for d in details] == [("intake.facility_not_yours", 3, "facility_id")]
    for word in ("electrolytic_aluminium", "shaanxi", "核查", "verified", "未知", "unknown"):
        assert word not in str(answers["AL01"])

    enterprise = client(fresh_app, "enterprise")
    pages = {}
    for code, path in files.items():
        with path.open("rb") as handle:
            response = enterprise.post(
                "/reporting/upload",
                data={"csrf_token": token_of(enterprise, "/reporting")},
                files={"file": ("m.xlsx", handle, XLSX)},
                follow_redirects=False,
            )
        assert response.status_code == 422
        pages[code] = _page_problems(response.text).replace(code, "X")
    assert pages["AL01"] == pages["ZZ99"]
    assert "不是您可以填报的设施" in pages["AL01"]
    for word in ("电解铝", "陕西", "已核查", "未知设施", "登记信息不符"):
        assert word not in pages["AL01"]
    assert count_rows(fresh_url, "submission_version") == versions


def test_files_made_to_hurt_get_a_coded_422_on_the_api(fresh_app: Any, fresh_url: str, tmp_path: Path) -> None:
    import time

    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("activity")
    sheet.append(["facility_id", "sector", "region", "period", "output_t"])
    for _ in range(2000):
        sheet.append([None] * 18277 + ["x"])  # one cell in column ZZZ per row
    columns = tmp_path / "cols.xlsx"
    book.save(columns)
    bomb = "\n".join(
        ["a0: &a0 [" + ",".join(['"lol"'] * 10) + "]"]
        + [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 7)]
        + [
            "records:\n- {facility_id: RA05, sector: recycled_aluminium, region: shaanxi, period: '2032-01', output_t: 1, facility_name: *a6}"
        ]
    ).encode()
    gbk_json = '[{"facility_id": "RA05", "facility_name": "再生铝"}]'.encode("gbk")[:-3] + b"\xff\xfe]"
    api = TestClient(fresh_app)
    headers = {"Authorization": f"Bearer {TOKENS['enterprise']}"}
    versions = count_rows(fresh_url, "submission_version")
    expected = {"cols.xlsx": "intake.too_many_columns", "bomb.yaml": "intake.yaml_alias", "bad.json": "intake.encoding"}
    for name, content in (("cols.xlsx", columns.read_bytes()), ("bomb.yaml", bomb), ("bad.json", gbk_json)):
        start = time.perf_counter()
        response = api.post(
            "/api/v1/imports", headers=headers, files={"file": (name, content, "application/octet-stream")}
        )
        assert time.perf_counter() - start < 5
        assert response.status_code == 422, (name, response.text[:300])
        assert [d["code"] for d in response.json()["details"]] == [expected[name]]
    assert count_rows(fresh_url, "submission_version") == versions
