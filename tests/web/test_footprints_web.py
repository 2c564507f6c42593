"""Footprints on the web: the demo province's aluminium footprints computed from its verified months, a
provincial regulator reviews and publishes one from its page, which then appears on the public page and
in the public API; the pages speak Chinese with data on them."""

from __future__ import annotations

from typing import Any

from chinese_scan import latin_runs
from webhelpers import client, post

from carbonpeak.services import footprints as use
from carbonpeak.services.access import operator
from carbonpeak.store import db


def test_regulator_publishes_a_demo_aluminium_footprint(fresh_url: str, fresh_app: Any) -> None:
    with db.transaction(fresh_url) as session:
        use.add_supply(
            session,
            operator("test"),
            "AL03",
            "alumina",
            2024,
            supplier_name="示范氧化铝厂",
            supplier_facility_code="AO01",
        )
        outcome = use.compute(session, operator("test"), 2024)
        computed = {v.footprint.facility.code: (v.footprint.product, v.value_tco2e_per_t) for v in outcome.written}
    aluminium = [c for c, v in computed.items() if v[0] == "primary_aluminium"]
    assert len(aluminium) == 7  # AL01-AL08 but AL06 (retired in 2022); XF01 has one month only
    assert {g.facility_code for g in outcome.gaps} >= {"AL06", "XF01"}
    province = client(fresh_app, "province")
    page = province.get("/footprints/AL03?year=2024")
    assert page.status_code == 200 and 'data-chart="chart-waterfall"' in page.text
    assert not latin_runs(page.text), latin_runs(page.text)
    assert not latin_runs(province.get("/footprints?year=2024").text)
    for _ in ("review", "publish"):
        response = post(province, "/footprints/AL03/" + _, {"year": "2024", "product": "primary_aluminium"})
        assert response.status_code == 303
    anonymous = client(fresh_app)
    public = anonymous.get("/public/footprints?year=2024")
    assert public.status_code == 200 and "AL03" in public.text and not latin_runs(public.text)
    answer = anonymous.get("/api/v1/footprints?year=2024").json()
    assert [(a["facility"], a["product"]) for a in answer] == [("AL03", "primary_aluminium")]
    assert abs(answer[0]["value_tco2e_per_t"] - computed["AL03"][1]) < 1e-9
    # the enterprise user (E02 owns AL03) may not publish
    enterprise = client(fresh_app, "enterprise")
    assert (
        post(enterprise, "/footprints/AL03/publish", {"year": "2024", "product": "primary_aluminium"}).status_code
        == 403
    )
    declaration = province.get("/footprints/AL03/declaration.xlsx?year=2024&lang=en")
    assert declaration.status_code == 200 and declaration.content[:2] == b"PK"
    pact = province.get("/footprints/AL03/pact.json?year=2024").json()
    assert pact["pcf"]["declaredUnit"] == "kilogram" and pact["specVersion"] == "2.0.0"


def test_a_year_with_months_not_verified_is_refused(fresh_url: str) -> None:
    from carbonpeak.errors import InputError

    with db.transaction(fresh_url) as session:
        try:
            use.compute(session, operator("test"), 2025, facility_codes=["AL03"])
        except InputError as exc:
            assert exc.code == "footprints.months_not_verified"
            assert "2025-" in exc.text("zh")
        else:
            raise AssertionError("a year with unverified months was computed")


def test_the_list_computes_every_footprint_in_scope(fresh_url: str, fresh_app: Any) -> None:
    province = client(fresh_app, "province")
    response = post(province, "/footprints/compute", {"year": "2024"})
    assert response.status_code == 303
    page = province.get("/footprints?year=2024")
    assert page.status_code == 200 and "AL03" in page.text and not latin_runs(page.text)
    assert 'data-testid="distribution"' in page.text


def test_command_line_compute_review_publish_export(fresh_url: str, tmp_path: Any) -> None:
    import json

    from typer.testing import CliRunner

    from carbonpeak.cli import app

    runner = CliRunner()
    for args in (
        ["footprint", "compute", "2024", "--facility", "AL03"],
        ["footprint", "review", "AL03", "2024"],
        ["footprint", "publish", "AL03", "2024"],
        ["footprint", "export", "AL03", "2024", "--out", str(tmp_path / "al03.json")],
        ["footprint", "export", "AL03", "2024", "--out", str(tmp_path / "al03.xlsx"), "--lang", "en"],
    ):
        result = runner.invoke(app, [*args, "--db", fresh_url])
        assert result.exit_code == 0, (args, result.output)
    pact = json.loads((tmp_path / "al03.json").read_text(encoding="utf-8"))
    assert pact["pcf"]["declaredUnit"] == "kilogram" and float(pact["pcf"]["pCfExcludingBiogenic"]) > 0
    listed = runner.invoke(app, ["footprint", "list", "--published", "--json", "--db", fresh_url])
    assert listed.exit_code == 0 and json.loads(listed.output)[0]["facility_code"] == "AL03"
    refused = runner.invoke(app, ["footprint", "compute", "2025", "--facility", "AL03", "--db", fresh_url])
    assert refused.exit_code == 2
    no_evidence = ["footprint", "supply", "AL03", "anode", "2024", "--supplier", "某阳极厂", "--footprint", "1.2"]
    assert runner.invoke(app, [*no_evidence, "--db", fresh_url]).exit_code == 2
    pdf = runner.invoke(
        app, ["footprint", "export", "AL03", "2024", "--out", str(tmp_path / "a.pdf"), "--db", fresh_url]
    )
    assert pdf.exit_code == 0 and (tmp_path / "a.pdf").read_bytes()[:4] == b"%PDF"
