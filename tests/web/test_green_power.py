"""Green power on a copy of the demonstration database: a certificate counted once, no month beyond the
facility's electricity, access refused before anything is revealed, corrections as versions, a bulk file
all or none, the page and the blocks as an enterprise and as regulators, the API and the CLI.

Demo facts relied on (read from the demo database): E02 (the enterprise account) holds AL03 and AL04 in
city demo-d (the city account's); AL01 belongs to E01 in demo-c. AL03 2024-03: grid 275 079.9 MWh with
35 000 MWh of green-power trading reported in the form; AL04 2024-03: grid 111 682.1 MWh with 8 333.3 MWh
of certificates reported."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner
from webhelpers import TOKENS, client, make_app, post

from carbonpeak.cli import app as cli_app
from carbonpeak.errors import AccessDenied, InputError, NotFound, ValidationFailed
from carbonpeak.services import access
from carbonpeak.services import green_power as use
from carbonpeak.services import green_power_reads as reads
from carbonpeak.store import db
from carbonpeak.store.accounts import User
from carbonpeak.store.green_power.models import GreenInstrument, GreenInstrumentVersion

ADMIN = access.operator("cli:test")
AL03_MARCH_GRID = 275079.9
AL03_MARCH_FORM_CONTRACT = 35000.0


def person(session: Any, username: str) -> access.Principal:
    return access.principal_for(session, session.scalar(select(User).where(User.username == username)))


def certificate(code: str, facility: str, first: str, last: str, volumes: str, volume: str, **more: str) -> dict:
    return {
        "code": code,
        "kind": "certificate",
        "facility": facility,
        "source_type": "wind",
        "serial_from": first,
        "serial_to": last,
        "volume_mwh": volume,
        "production_from": "2023-11",
        "production_to": "2023-12",
        "cancelled_on": "2024-04-10",
        "volumes": volumes,
        **more,
    }


def problems(error: InputError) -> list[InputError]:
    return error.errors if isinstance(error, ValidationFailed) else [error]


def count(session: Any) -> tuple[int, int]:
    return (
        session.scalar(select(func.count()).select_from(GreenInstrument)),
        session.scalar(select(func.count()).select_from(GreenInstrumentVersion)),
    )


# ---------------------------------------------------------------- no double counting


def test_a_certificate_counts_once_across_facilities_and_months(fresh_url: str) -> None:
    with db.transaction(fresh_url) as session:
        e02 = person(session, "enterprise")
        done = use.register(
            session, e02, certificate("GEC-A", "AL03", "000100", "000199", "2024-03:60;2024-04:40", "100")
        )
        assert (done.action, done.version) == ("created", 1)
    with db.transaction(fresh_url) as session:
        e02 = person(session, "enterprise")
        before = count(session)
        # the same serials again, for the enterprise's other facility and another month: refused, named
        with pytest.raises(InputError) as caught:
            use.register(session, e02, certificate("GEC-B", "AL04", "000150", "000160", "2024-05:11", "11"))
        (error,) = problems(caught.value)
        assert error.code == "green_power.serials_counted_by" and error.params["other"] == "GEC-A"
        assert error.value == "000150–000160"
        assert "GEC-A" in error.text("zh")
        # bundled certificates of a green-power contract are the same certificates
        with pytest.raises(InputError) as caught:
            use.register(
                session,
                e02,
                {
                    "code": "C-1",
                    "kind": "contract",
                    "facility": "AL04",
                    "source_type": "solar",
                    "counterparty": "甲光伏",
                    "serial_from": "000199",
                    "serial_to": "000300",
                    "volumes": "2024-03:100",
                },
            )
        assert [e.code for e in problems(caught.value)] == ["green_power.serials_counted_by"]
        # a certificate's months share its volume exactly: 60 + 50 is not the batch's 100
        with pytest.raises(InputError) as caught:
            use.register(session, e02, certificate("GEC-C", "AL03", "000200", "000299", "2024-03:60;2024-04:50", "100"))
        (error,) = problems(caught.value)
        assert error.code == "green_power.certificate_months_differ"
        assert count(session) == before  # nothing written
        # serials of another width are another numbering: no overlap
        assert (
            use.register(session, e02, certificate("GEC-D", "AL04", "0150", "0160", "2024-03:11", "11")).action
            == "created"
        )


def test_overlap_with_an_instrument_out_of_scope_is_refused_without_naming_it(fresh_url: str) -> None:
    with db.transaction(fresh_url) as session:
        use.register(session, ADMIN, certificate("GEC-E01", "AL01", "900000", "900099", "2024-03:100", "100"))
    with db.transaction(fresh_url) as session:
        with pytest.raises(InputError) as caught:
            use.register(
                session,
                person(session, "enterprise"),
                certificate("GEC-X", "AL03", "900050", "900050", "2024-03:1", "1"),
            )
        (error,) = problems(caught.value)
        assert error.code == "green_power.serials_counted"
        for lang in ("zh", "en"):
            assert "GEC-E01" not in error.text(lang) and "AL01" not in error.text(lang)


def test_a_volume_above_the_month_s_electricity_is_refused_naming_it(fresh_url: str) -> None:
    with db.transaction(fresh_url) as session:
        e02 = person(session, "enterprise")
        before = count(session)
        contract = {
            "code": "C-BIG",
            "kind": "contract",
            "facility": "AL03",
            "source_type": "wind",
            "counterparty": "乙风电",
        }
        with pytest.raises(InputError) as caught:
            use.register(session, e02, {**contract, "volumes": "2024-03:300000"})
        (error,) = problems(caught.value)
        assert error.code == "green_power.volume_exceeds_electricity"
        assert error.params["code_name"] == "C-BIG" and error.params["period"] == "2024-03"
        assert "C-BIG" in error.text("zh") and "2024-03" in error.text("zh") and "275079.9" in error.text("zh")
        # a certificate alone under the grid purchase, but with the contract volume reported in the form over it
        fits_alone = AL03_MARCH_GRID - AL03_MARCH_FORM_CONTRACT + 1
        with pytest.raises(InputError) as caught:
            use.register(
                session,
                e02,
                certificate("GEC-BIG", "AL03", "500000", "500001", f"2024-03:{fits_alone}", str(fits_alone)),
            )
        (error,) = problems(caught.value)
        assert error.code == "green_power.month_over_claimed" and error.params["code_name"] == "GEC-BIG"
        # a month the facility has not reported cannot be checked: refused
        with pytest.raises(InputError) as caught:
            use.register(session, e02, {**contract, "volumes": "2031-01:5"})
        assert problems(caught.value)[0].code == "green_power.month_not_reported"
        assert count(session) == before


def test_every_problem_of_an_entry_at_once(fresh_url: str) -> None:
    with db.transaction(fresh_url) as session:
        with pytest.raises(ValidationFailed) as caught:
            use.register(
                session,
                person(session, "enterprise"),
                {
                    "code": "X",
                    "kind": "certificate",
                    "facility": "AL03",
                    "source_type": "coal",
                    "serial_from": "12a",
                    "serial_to": "10",
                    "volumes": "2024-3:5;2024-04:-1",
                    "production_from": "2023-13",
                },
            )
        codes = {(e.code, e.field) for e in caught.value.errors}
        assert {
            ("green_power.unknown_source_type", "source_type"),
            ("green_power.not_a_serial", "serial_from"),
            ("green_power.not_a_month", "volumes"),
            ("green_power.not_a_volume", "volumes"),
            ("green_power.required", "volume_mwh"),
            ("green_power.not_a_month", "production_from"),
            ("green_power.required", "cancelled_on"),
        } <= codes


# ---------------------------------------------------------------- access first


def test_access_is_refused_before_the_entry_is_read(fresh_url: str) -> None:
    with db.transaction(fresh_url) as session:
        e02, city = person(session, "enterprise"), person(session, "city")
        nonsense = {"code": "Z", "kind": "bogus", "facility": "AL01", "volumes": "garbage"}
        with pytest.raises(AccessDenied) as caught:  # another enterprise's facility: 403, nothing of the entry
            use.register(session, e02, nonsense)
        assert caught.value.code == AccessDenied.code
        with pytest.raises(NotFound):
            use.register(session, e02, {**nonsense, "facility": "NOPE"})
        with pytest.raises(AccessDenied):  # a regulator reads, never registers
            use.register(session, city, {**nonsense, "facility": "AL03"})
        use.register(session, ADMIN, certificate("GEC-E01", "AL01", "800000", "800009", "2024-03:10", "10"))
        assert [r["code"] for r in use.instruments(session, e02)] == []  # E01's instrument is not listed
        with pytest.raises(AccessDenied):
            use.withdraw(session, e02, "GEC-E01", "mine now")
        with pytest.raises(AccessDenied):
            use.electricity_report(session, e02, facility="AL01")
        assert [r["code"] for r in use.instruments(session, person(session, "province"))] == ["GEC-E01"]
        assert use.instruments(session, city) == []  # AL01 lies in demo-c, the city account's is demo-d


def test_api_refusals_reveal_nothing(fresh_url: str) -> None:
    app = make_app(fresh_url)
    api = client(app)
    headers = {"Authorization": f"Bearer {TOKENS['enterprise']}"}
    body = {
        "code": "SECRET-CODE",
        "kind": "contract",
        "facility": "AL01",
        "source_type": "wind",
        "volumes": "2024-03:1",
    }
    answer = api.post("/api/v1/green-power/instruments", json=body, headers=headers)
    assert answer.status_code == 403
    assert "SECRET-CODE" not in answer.text and "AL01" not in answer.text
    city = {"Authorization": f"Bearer {TOKENS['city']}"}
    assert (
        api.post("/api/v1/green-power/instruments", json={**body, "facility": "AL03"}, headers=city).status_code == 403
    )
    assert api.get("/api/v1/green-power/electricity?facility=AL01", headers=headers).status_code == 403


# ---------------------------------------------------------------- versions, withdrawal, bulk file


def test_a_correction_is_a_new_version_and_a_withdrawal_stops_counting(fresh_url: str) -> None:
    with db.transaction(fresh_url) as session:
        e02 = person(session, "enterprise")
        contract = {
            "code": "C-2",
            "kind": "contract",
            "facility": "AL04",
            "source_type": "wind",
            "counterparty": "丙风电",
            "volumes": "2024-03:1000",
        }
        use.register(session, e02, contract)
        assert use.register(session, e02, contract).action == "unchanged"
        with pytest.raises(InputError) as caught:
            use.register(session, e02, {**contract, "volumes": "2024-03:1200"})
        assert problems(caught.value)[0].code == "green_power.reason_required"
        done = use.register(session, e02, {**contract, "volumes": "2024-03:1200", "reason": "结算单更正"})
        assert (done.action, done.version) == ("corrected", 2)
        report = use.electricity_report(session, e02, facility="AL04", year=2024)
        assert report.loc[("AL04", "2024-03"), "contract_mwh"] == 1200.0
        assert report.loc[("AL04", "2024-03"), "contract_basis"] == "registered"
        assert use.withdraw(session, e02, "C-2", "合同解除").version == 3
        report = use.electricity_report(session, e02, facility="AL04", year=2024)
        assert report.loc[("AL04", "2024-03"), "contract_mwh"] == 0.0  # the form reports no contract for AL04
        versions = session.scalars(select(GreenInstrumentVersion).order_by(GreenInstrumentVersion.version)).all()
        assert [(v.version, v.withdrawn) for v in versions] == [(1, False), (2, False), (3, True)]


def test_a_bulk_file_is_stored_whole_or_not_at_all(fresh_url: str, tmp_path: Path) -> None:
    path = tmp_path / "green.csv"
    path.write_text(
        "code,kind,facility,source_type,counterparty,volumes\n"
        "C-10,contract,AL03,wind,丁风电,2024-03:100\n"
        "C-11,contract,AL03,wind,,2024-03:100\n"
        "C-12,contract,AL04,sun,戊光伏,2024-03:999999999\n",
        encoding="utf-8",
    )
    with db.transaction(fresh_url) as session:
        before = count(session)
        with pytest.raises(ValidationFailed) as caught:
            use.import_table(session, person(session, "enterprise"), path)
        found = {(e.record, e.code) for e in caught.value.errors}
        assert {(3, "green_power.required"), (4, "green_power.unknown_source_type")} <= found
        assert all(e.file == str(path) for e in caught.value.errors)
        assert count(session) == before


# ---------------------------------------------------------------- both figures, the share, the pages


def test_registered_green_power_lowers_only_the_market_based_figure(fresh_url: str) -> None:
    with db.transaction(fresh_url) as session:
        e02 = person(session, "enterprise")
        before = use.electricity_report(session, e02, facility="AL04", year=2024).loc[("AL04", "2024-03")]
        use.register(session, e02, certificate("GEC-M", "AL04", "700000", "709999", "2024-03:10000", "10000"))
        after = use.electricity_report(session, e02, facility="AL04", year=2024).loc[("AL04", "2024-03")]
    assert after["location_tco2"] == before["location_tco2"]
    # the registered 10 000 MWh replace the form's 8 333.3 MWh of certificates: 1 666.7 MWh more at zero
    residual = after["residual_factor_tco2_per_mwh"]
    assert residual == 0.5856  # accounting year 2024: national residual factor of data year 2022
    assert before["market_tco2"] - after["market_tco2"] == pytest.approx((10000 - 8333.3) * residual)
    assert after["certificate_basis"] == "registered" and before["certificate_basis"] == "reported"


def test_share_has_its_numerator_denominator_and_basis(fresh_url: str) -> None:
    with db.transaction(fresh_url) as session:
        province = person(session, "province")
        share = use.renewable_share(session, province, by="year")
        target = use.share_target(session)
    row = share[share["year"] == 2024].iloc[0]
    assert row["share_pct"] == pytest.approx(row["renewable_mwh"] / row["electricity_used_mwh"] * 100)
    assert "grid's own renewable share is not counted" in row["basis"]
    assert (target["id"], target["value"], target["year"]) == ("CN-03", 30.0, 2030)


@pytest.mark.parametrize("role", ["enterprise", "city", "province"])
def test_green_power_page_as_enterprise_and_regulators(clients: dict[str, Any], role: str) -> None:
    page = clients[role].get("/green-power?year=2024")
    assert page.status_code == 200
    for testid in ("green-share", "green-location", "green-market", "green-trend", "green-basis", "green-register"):
        assert f'data-testid="{testid}"' in page.text, testid
    assert "基于位置" in page.text and "基于市场" in page.text and "2030" in page.text
    assert ('data-testid="green-form"' in page.text) == (role == "enterprise")
    facility = clients[role].get("/facilities/AL03?year=2024")
    assert 'data-testid="green-power-block"' in facility.text


def test_enterprise_registers_on_the_page_and_sees_errors_at_once(fresh_app: Any) -> None:
    browser = client(fresh_app, "enterprise")
    bad = post(
        browser,
        "/green-power/instruments",
        {"code": "W-1", "kind": "contract", "facility": "AL03", "source_type": "wind", "volumes": "2024-03:300000"},
    )
    assert bad.status_code == 422
    assert "W-1" in bad.text and "2024-03" in bad.text and "必填" in bad.text  # over-volume and no counterparty
    good = post(
        browser,
        "/green-power/instruments",
        {
            "code": "W-1",
            "kind": "contract",
            "facility": "AL03",
            "source_type": "wind",
            "counterparty": "己风电",
            "volumes": "2024-03:1000",
        },
    )
    assert good.status_code == 303
    page = browser.get("/green-power")
    assert 'data-code="W-1"' in page.text and "已登记" in page.text
    city = client(fresh_app, "city")
    assert 'data-code="W-1"' in city.get("/green-power").text  # AL03 lies in the city's jurisdiction
    assert post(city, "/green-power/instruments", {"code": "W-2", "facility": "AL03"}).status_code == 403


def test_cli_add_list_share(fresh_url: str) -> None:
    runner = CliRunner()
    env = {"COLUMNS": "200", "CARBONPEAK_LANG": "en"}
    added = runner.invoke(
        cli_app,
        [
            "green-power",
            "add",
            "--db",
            fresh_url,
            "--code",
            "CLI-1",
            "--kind",
            "onsite",
            "--facility",
            "AL03",
            "--source-type",
            "solar",
            "--measurement",
            "metered",
            "--volumes",
            "2024-03:500",
            "--json",
        ],
        env=env,
    )
    assert added.exit_code == 0, added.output
    assert '"action": "created"' in added.output
    listed = runner.invoke(cli_app, ["green-power", "list", "--db", fresh_url, "--json"], env=env)
    assert '"CLI-1"' in listed.output
    refused = runner.invoke(
        cli_app,
        [
            "green-power",
            "add",
            "--db",
            fresh_url,
            "--code",
            "CLI-2",
            "--kind",
            "contract",
            "--facility",
            "AL03",
            "--source-type",
            "wind",
            "--counterparty",
            "x",
            "--volumes",
            "2024-03:9999999",
        ],
        env=env,
    )
    assert refused.exit_code == 2 and "CLI-2" in refused.output
    share = runner.invoke(cli_app, ["green-power", "share", "--db", fresh_url, "--json"], env=env)
    assert share.exit_code == 0 and '"CN-03"' in share.output


def test_reads_summary_matches_the_report(fresh_url: str) -> None:
    with db.transaction(fresh_url) as session:
        province = person(session, "province")
        shown = reads.summary(session, province, year=2024, region="demo")
        report = use.electricity_report(session, province, region="demo", year=2024)
    assert shown.totals["location_tco2"] == pytest.approx(report["location_tco2"].sum())
    assert shown.totals["market_tco2"] == pytest.approx(report["market_tco2"].sum())
    aluminium = report[report["sector"] == "electrolytic_aluminium"]
    assert shown.totals["share_pct"] == pytest.approx(
        aluminium["renewable_mwh"].sum() / aluminium["electricity_used_mwh"].sum() * 100
    )
    # the residual factor (0.5856) is above the location factor (0.5366): without enough green power the
    # market-based figure is the larger one; the report says which factor each month used
    assert set(report["residual_basis"]) == {"residual"}


def test_market_factors_for_the_footprint(fresh_url: str) -> None:
    with db.transaction(fresh_url) as session:
        factors = use.market_factors(session, ADMIN, facility="AL04", year=2024)
        report = use.electricity_report(session, ADMIN, facility="AL04", year=2024)
    row = report.loc[("AL04", "2024-03")]
    assert factors[("AL04", "2024-03")] == pytest.approx(row["market_tco2"] / (row["grid_mwh"] - row["exported_mwh"]))
    assert len(factors) == len(report)


def test_api_registers_and_answers_every_problem_coded(fresh_url: str) -> None:
    api = client(make_app(fresh_url))
    headers = {"Authorization": f"Bearer {TOKENS['enterprise']}"}
    body = certificate("API-1", "AL03", "600000", "600099", "", "100") | {"volumes": {"2024-03": 100}}
    made = api.post("/api/v1/green-power/instruments", json=body, headers=headers)
    assert made.status_code == 201 and made.json() == {
        "code": "API-1",
        "kind": "certificate",
        "facility": "AL03",
        "action": "created",
        "version": 1,
    }
    again = api.post(
        "/api/v1/green-power/instruments",
        json={**body, "code": "API-2", "source_type": "coal", "volumes": {"2024-3": 100}},
        headers=headers,
    )
    assert again.status_code == 422
    codes = {d["code"] for d in again.json()["details"]}
    assert {"green_power.unknown_source_type", "green_power.not_a_month", "green_power.serials_counted_by"} <= codes
    listed = api.get("/api/v1/green-power/instruments", headers=headers).json()
    assert [r["code"] for r in listed] == ["API-1"]
    electricity = api.get("/api/v1/green-power/electricity?facility=AL03&year=2024", headers=headers).json()
    march = next(r for r in electricity if r["period"] == "2024-03")
    assert march["certificate_mwh"] == 100 and march["certificate_basis"] == "registered"
    assert {"location_tco2", "market_tco2", "location_factor_tco2_per_mwh", "market_factor_tco2_per_mwh"} <= set(march)
    share = api.get("/api/v1/green-power/share?by=period", headers=headers).json()
    assert share["target"]["value"] == 30.0 and all("basis" in r for r in share["rows"])
