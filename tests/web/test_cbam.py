"""EU CBAM packages on the demo province: the demo aluminium enterprise (E02) downloads the workbook of its
rolling mill AP02, the workbook has the template's sheets and fields and the package's figures, a regulator
builds the package of another enterprise's smelter, refusals reveal nothing, and bad input (months not
verified, missing installation data, bad form values) is named, all at once, with nothing written."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import openpyxl
from fastapi.testclient import TestClient

from carbonpeak.errors import CarbonpeakError, InputError, ValidationFailed
from carbonpeak.services import access
from carbonpeak.services.cbam import cbam_package
from carbonpeak.services.cbam_form import InstallationForm
from carbonpeak.services.cbam_workbook import CTI_SHEETS, OWN_SHEETS, write_workbook
from carbonpeak.store import db

AP02 = "year=2024&cn_code=7606&precursor_mass_t=100000&precursor_country=CN"
AL01 = "year=2024&electricity_fuels=bituminous_coal&latitude=34.26&longitude=108.94"


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def rows(book: Any, sheet: str) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in book[sheet].iter_rows(values_only=True)]


def value_of(book: Any, sheet: str, label: str) -> Any:
    found = [r[2] for r in rows(book, sheet) if len(r) > 2 and r[1] == label]
    assert found, f"{sheet} has no field '{label}'"
    return found[0]


def test_the_demo_enterprise_downloads_its_workbook(clients: dict[str, TestClient], shared_url: str) -> None:
    enterprise = clients["enterprise"]
    listing = enterprise.get("/cbam")
    assert listing.status_code == 200
    assert "AP02" in listing.text and "AL03" in listing.text and "AL01" not in listing.text  # its own only
    page = enterprise.get(f"/cbam/AP02?{AP02}")
    assert page.status_code == 200 and 'data-testid="cbam-download"' in page.text
    shown = text_of(page.text)
    assert "铝制品" in shown and "7606" in shown and "缺省值" in shown
    response = enterprise.get(f"/cbam/AP02/package.xlsx?{AP02}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    # the same figures as the use case computes for the same person and entries
    with db.transaction(shared_url, mode="read") as session:
        user = access.principal_for(session, _user(session, "enterprise"))
        package = cbam_package(session, user, "AP02", 2024, InstallationForm.from_mapping(_query(AP02)))
    f = package.figures
    assert f.see is not None and f.precursors[0].by_default  # Eq. 59-60 with the CN 7601 default 3.0
    assert abs(f.see - (f.attributed_tco2e + 100_000 * 3.0) / f.activity_level_t) < 1e-12
    assert value_of(book, "Summary_Products", "SEE (direct)") == round(package.figures.see, 6)
    assert value_of(book, "Summary_Products", "CN Codes") == "7606"
    assert value_of(book, "Summary_Products", "Type of aggregated good or precursor") == "Aluminium products"
    assert value_of(book, "E_PurchPrec", "(e) i. Specific embedded direct emissions (SEE (direct))") == 3.0
    # the SEE shown on the page is the package's (three decimals)
    assert f"{package.figures.see:.3f}" in shown


def test_the_workbook_has_the_template_sheets_and_fields(clients: dict[str, TestClient]) -> None:
    response = clients["province"].get(f"/cbam/AL01/package.xlsx?{AL01}")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert len(CTI_SHEETS) == 19 and set(CTI_SHEETS) <= set(book.sheetnames)
    assert set(OWN_SHEETS) <= set(book.sheetnames) and book.sheetnames[0] == "Notes"
    notes = " ".join(str(r[0]) for r in rows(book, "Notes") if r and r[0])
    assert "not the official cell layout" in notes
    assert "single secondary source" in notes and "unconfirmed" in notes  # price and default-value sources
    assert "MISSING" in str(value_of(book, "A_InstData", "UNLOCODE:"))  # a gap, never invented
    assert value_of(book, "A_InstData", "Coordinates of the main emission source (latitude):") == "34.260000"
    assert value_of(book, "A_InstData", "Country:") == "CN"
    labels = {r[1] for r in rows(book, "B_EmInst") if len(r) > 1}
    for field in ("#1 A: SEF(CF4)", "#1 F(C2F6)", "#1 CF4 Emissions (t CF4)", "#1 GWP (CF4) (tCO2e/t)"):
        assert field in labels
    assert value_of(book, "B_EmInst", "#1 Method") in ("Combustion", "Process Emissions")
    assert value_of(book, "B_EmInst", "#1 A: SEF(CF4)") == 0.104  # PFPB_M, IR 2025/2547 Table 2
    assert value_of(book, "C_Emissions&Energy", "Fuel for electricity") > 0  # the captive plant's coal
    see = value_of(book, "Summary_Communication", "SEE (direct)")
    assert 1.0 < see < 2.0
    direct = value_of(book, "D_Processes", "(g) Directly attributable emissions (DirEm*)")
    level = value_of(book, "D_Processes", "Total production within installation (= denominator for SEE calculation):")
    assert abs(direct / level - see) < 1e-5
    comparison = rows(book, "Default_vs_Actual")
    by_year = {r[0]: r for r in comparison[2:]}
    assert by_year[2026][1:4] == (3.0, 10.0, 3.3) and by_year[2027][2] == 20.0 and by_year[2028][2] == 30.0
    assert by_year[2026][5] == 75.36 and by_year[2027][5] is None  # later prices not found: no cost
    assert abs(by_year[2026][6] - round(see * 75.36, 2)) < 0.02
    months = [r for r in rows(book, "Verification") if r and isinstance(r[0], str) and r[0].startswith("2024-")]
    assert len(months) == 12 and all(r[2] in ("verified", "locked") for r in months)
    registration = dict(r[:2] for r in rows(book, "Art10_Registration")[1:])
    assert registration["Validity of the registration [years]"] == "5"
    assert registration["Latitude (six decimals)"] == "34.260000"


def test_refusals_reveal_nothing(clients: dict[str, TestClient]) -> None:
    enterprise = clients["enterprise"]
    for path in (f"/cbam/AL01?{AL01}", f"/cbam/AL01/package.xlsx?{AL01}", "/api/v1/cbam/AL01/2024"):
        response = enterprise.get(path)
        assert response.status_code == 403, path
        assert "示范丙市能源铝业" not in response.text and "tCO2e" not in response.text
    unknown = enterprise.get("/cbam/NOPE/package.xlsx?year=2024")
    assert unknown.status_code == 404
    verifier = clients["verifier"]
    for path in ("/cbam", "/cbam/AL03?year=2024", "/api/v1/cbam/installations", "/cbam/NOPE?year=2024"):
        assert verifier.get(path).status_code == 403, path  # the role may not: asked before the facility


def test_months_not_verified_are_named_and_nothing_is_written(
    clients: dict[str, TestClient], shared_url: str, tmp_path: Path
) -> None:
    page = clients["province"].get("/cbam/RA05?year=2024")
    assert page.status_code == 200
    assert "2024-08, 2024-09, 2024-10" in text_of(page.text) and 'data-testid="cbam-download"' not in page.text
    api = clients["province"].get("/api/v1/cbam/RA05/2024")
    assert api.status_code == 400 and "2024-08" in api.text
    target = tmp_path / "ra05.xlsx"
    with db.transaction(shared_url, mode="read") as session:
        try:
            write_workbook(cbam_package(session, access.operator("cli:test"), "RA05", 2024), target)
        except CarbonpeakError as exc:
            assert exc.code == "cbam.months_unverified"
            assert exc.params["months"] == "2024-08, 2024-09, 2024-10"
        else:
            raise AssertionError("a year with months not verified made a package")
    assert not target.exists()


def test_missing_and_bad_installation_data_are_listed_all_at_once(
    clients: dict[str, TestClient], shared_url: str
) -> None:
    province = clients["province"]
    complete = province.get(f"/api/v1/cbam/AL01/2024?{AL01}&complete=true")
    assert complete.status_code == 422
    answer = complete.content.decode("utf-8")
    for field in ("设施街道地址", "联合国贸易和运输地点代码", "经营者通讯地址"):
        assert field in answer  # every missing field in one answer
    bad = province.get("/cbam/AL01?year=2024&latitude=91&unlocode=XIAN&cn_code=7200")
    assert bad.status_code == 200 and 'data-testid="cbam-form-errors"' in bad.text
    shown = text_of(bad.text)
    assert "主要排放源纬度" in shown and "联合国贸易和运输地点代码" in shown and "产品的CN编码" in shown
    assert 'data-testid="cbam-download"' not in bad.text
    with db.transaction(shared_url, mode="read") as session:
        op = access.operator("cli:test")
        try:
            cbam_package(session, op, "AL01", 2024, InstallationForm(latitude="91", unlocode="XIAN", longitude="x"))
        except ValidationFailed as exc:
            assert sorted(e.field or "" for e in exc.errors) == ["latitude", "longitude", "unlocode"]
        else:
            raise AssertionError("bad coordinates were accepted")
        try:
            cbam_package(session, op, "MG01", 2024)
        except InputError as exc:
            assert exc.code == "cbam.not_aluminium"
        else:
            raise AssertionError("a magnesium plant made a CBAM package")


def test_the_package_shows_its_gaps_instead_of_a_figure(clients: dict[str, TestClient]) -> None:
    """AL03 reports no anode-effect minutes: the PFC cannot be computed, so no SEE is shown, only the gap;
    AL01 without naming its captive plant's fuel shows the gap too, never an SEE that carries the plant."""
    al03 = text_of(clients["enterprise"].get("/cbam/AL03?year=2024").text)
    assert "未计算" in al03 and "阳极效应" in al03
    al01 = text_of(clients["province"].get("/cbam/AL01?year=2024").text)
    assert "自备电厂" in al01 and "未计算" in al01


def _query(text: str) -> dict[str, str]:
    return dict(pair.split("=", 1) for pair in text.split("&") if not pair.startswith("year="))


def _user(session: Any, username: str) -> Any:
    from sqlalchemy import select

    from carbonpeak.store.accounts import User

    return session.scalar(select(User).where(User.username == username))


def test_the_api_answers_the_same_package(clients: dict[str, TestClient]) -> None:
    answer = clients["province"].get(f"/api/v1/cbam/AL01/2024?{AL01.split('&', 1)[1]}")
    assert answer.status_code == 200
    body = answer.json()
    assert body["category"] == "Unwrought aluminium" and body["cn_code"] == "7601"
    assert body["rules_on"] == "2026-01-01"  # a 2024 data year takes the definitive period's coefficients
    assert abs(body["see_direct_tco2e_per_t"] - body["attributed_direct_tco2e"] / body["activity_level_t"]) < 1e-12
    by_year = {c["year"]: c for c in body["comparisons"]}
    assert by_year[2026]["price_eur_per_tco2e"] == 75.36
    assert by_year[2026]["sources"][-1]["confidence"] == "medium-low"  # the price: a single secondary source
    assert by_year[2027]["cost_actual_eur_per_t"] is None and by_year[2027]["gaps"]
    assert body["registration"]["validity_years"] == "5" and len(body["months"]) == 12
    listing = clients["enterprise"].get("/api/v1/cbam/installations").json()
    assert {i["facility"] for i in listing} == {"AL03", "AL04", "RA05", "AP02"}  # E02's aluminium installations


def test_the_command_line_writes_the_workbook_or_nothing(shared_url: str, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from carbonpeak.cli import app

    runner = CliRunner()
    env = {"COLUMNS": "200", "CARBONPEAK_LANG": "en"}
    out = tmp_path / "al01.xlsx"
    args = ["cbam", "package", "--facility", "AL01", "--year", "2024", "--out", str(out), "--db", shared_url]
    done = runner.invoke(app, [*args, "--electricity-fuels", "bituminous_coal", "--lang", "en"], env=env)
    assert done.exit_code == 0, done.output
    assert out.exists() and "SEE (direct) 1.5" in done.output
    assert "Summary_Communication" in openpyxl.load_workbook(out).sheetnames
    refused = tmp_path / "ra05.xlsx"
    args = ["cbam", "package", "--facility", "RA05", "--year", "2024", "--out", str(refused), "--db", shared_url]
    failed = runner.invoke(app, [*args, "--lang", "en"], env=env)
    assert failed.exit_code == 2 and "2024-08, 2024-09, 2024-10" in failed.output
    assert not refused.exists()
