"""Importing files into the store (through services.intake): validated first, written all or nothing,
evidence kept, concurrent imports numbered without loss."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select

from carbonpeak.errors import ValidationFailed
from carbonpeak.io.reading import Limits
from carbonpeak.services import intake
from carbonpeak.services.access import ADMIN, Principal
from carbonpeak.store import db
from carbonpeak.store import repository as repo
from carbonpeak.store.models import AuditEvent, Submission, SubmissionVersion, Upload

HEADER = "facility_id,sector,region,period,output_t,grid_electricity_mwh,electrolysis_ac_mwh,fuel:diesel\n"


def csv_file(tmp_path: Path, rows: list[str], name: str = "march.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes((HEADER + "".join(r + "\n" for r in rows)).encode(encoding))
    return path


def counts(url: str) -> tuple[int, int, int]:
    with db.transaction(url) as session:
        return (
            session.scalar(select(func.count()).select_from(SubmissionVersion)),
            session.scalar(select(func.count()).select_from(Upload)),
            session.scalar(select(func.count()).select_from(Submission)),
        )


ADMIN_SCOPE = Principal(0, "admin", "admin", ADMIN, None, None, frozenset(), frozenset())


def do_import(url: str, path: Path, **kwargs):
    with db.transaction(url) as session:
        return intake.import_file(session, ADMIN_SCOPE, path.read_bytes(), str(path), actor="enterprise:E1", **kwargs)


def test_csv_import_writes_versions_results_and_evidence(registry: str, tmp_path: Path) -> None:
    path = csv_file(
        tmp_path,
        [
            "AL1,electrolytic_aluminium,shaanxi,2024-01,10000,130000,128000,5",
            "AL1,electrolytic_aluminium,shaanxi,2024-02,9000,117000,115000,4",
        ],
    )
    report = do_import(registry, path, submit=True)
    assert report.rows == 2 and report.results == 2
    assert report.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    with db.transaction(registry) as session:
        upload = session.scalars(select(Upload)).one()
        assert upload.content == path.read_bytes() and upload.rows == 2
        rows = repo.list_submissions(session, facility_code="AL1")
        assert [(s.period, v.status, v.upload_id) for s, v in rows] == [
            ("2024-01", "submitted", upload.id),
            ("2024-02", "submitted", upload.id),
        ]


def test_every_error_is_listed_and_nothing_is_written(registry: str, tmp_path: Path) -> None:
    path = csv_file(
        tmp_path,
        [
            "AL1,electrolytic_aluminium,shaanxi,2024-01,10000,130000,128000,5",
            "AL1,electrolytic_aluminium,shaanxi,2024-02,-9000,117000,115000,4",  # negative
            "ZZ9,electrolytic_aluminium,shaanxi,2024-02,9000,117000,115000,4",  # unknown facility
            "CU1,copper,shaanxi,2024-08,100,100,,",  # after retirement
            "AL1,copper,shaanxi,2024-04,100,100,,",  # sector differs
            "AL1,electrolytic_aluminium,guizhou,2024-05,100,100,,",  # province differs
        ],
    )
    before = counts(registry)
    with pytest.raises(ValidationFailed) as caught:
        do_import(registry, path)
    problems = {(e.row, e.field) for e in caught.value.errors}
    # scope first (ZZ9 is not registered), then the fields, then the registry for the rows whose fields
    # pass: every problem of the file in one pass
    assert problems == {(3, "output_t"), (4, "facility_id"), (5, "period"), (6, "sector"), (7, "region")}
    path = csv_file(
        tmp_path,
        [
            "AL1,electrolytic_aluminium,shaanxi,2024-01,10000,130000,128000,5",
            "ZZ9,electrolytic_aluminium,shaanxi,2024-02,9000,117000,115000,4",
            "CU1,copper,shaanxi,2024-08,100,100,,",
            "AL1,copper,shaanxi,2024-04,100,100,,",
            "AL1,electrolytic_aluminium,guizhou,2024-05,100,100,,",
        ],
        name="registry.csv",
    )
    with pytest.raises(ValidationFailed) as caught:
        do_import(registry, path)
    problems = {(e.row, e.field) for e in caught.value.errors}
    assert problems == {(3, "facility_id"), (4, "period"), (5, "sector"), (6, "region")}
    assert all(e.file == str(path) for e in caught.value.errors)
    assert counts(registry) == before  # nothing written, not even the upload


def test_locked_month_is_refused(registry: str, tmp_path: Path) -> None:
    do_import(registry, csv_file(tmp_path, ["AL1,electrolytic_aluminium,shaanxi,2024-01,10000,130000,128000,5"]))
    with db.transaction(registry) as session:
        for step in ("submitted", "verified", "locked"):
            repo.transition(session, "AL1", "2024-01", step, "verifier:V1")
    with pytest.raises(ValidationFailed) as caught:
        do_import(registry, csv_file(tmp_path, ["AL1,electrolytic_aluminium,shaanxi,2024-01,1,1,1,1"], "again.csv"))
    assert caught.value.errors[0].code == "intake.month_locked" and caught.value.errors[0].field == "period"


def test_file_over_the_limit_is_refused_before_reading(registry: str, tmp_path: Path) -> None:
    path = csv_file(tmp_path, ["AL1,electrolytic_aluminium,shaanxi,2024-01,10000,130000,128000,5"])
    with pytest.raises(ValidationFailed) as caught:
        do_import(registry, path, limits=Limits(max_bytes=50))
    assert [e.code for e in caught.value.errors] == ["intake.file_too_large"]
    big = tmp_path / "big.csv"
    with big.open("wb") as handle:  # a real 50 MiB + 1 byte file against the shipped limit
        handle.write(HEADER.encode())
        handle.write(b"x" * (Limits().max_bytes + 1 - len(HEADER)))
    with pytest.raises(ValidationFailed) as caught:
        do_import(registry, big)
    assert "50.0 MiB" in caught.value.errors[0].text("en")


def test_gbk_csv_with_chinese_names(registry: str, tmp_path: Path) -> None:
    path = tmp_path / "gbk.csv"
    path.write_bytes(
        (
            "facility_id,facility_name,sector,region,period,output_t\n"
            "AL1,电解一厂,electrolytic_aluminium,陕西,2024-06,100\n"
        ).encode("gbk")
    )
    report = do_import(registry, path)
    assert report.rows == 1
    with db.transaction(registry) as session:
        version = repo.versions_of(session, "AL1", "2024-06")[0]
        assert version.record["facility_name"] == "电解一厂" and version.record["region"] == "shaanxi"


def test_concurrent_imports_of_the_same_month_lose_nothing(registry: str, tmp_path: Path) -> None:
    paths = [
        csv_file(tmp_path, [f"AL1,electrolytic_aluminium,shaanxi,2024-09,{1000 + i},13000,12800,1"], name=f"c{i}.csv")
        for i in range(4)
    ]
    errors: list[BaseException] = []

    def run(path: Path) -> None:
        try:
            do_import(registry, path)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(p,)) for p in paths]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with db.transaction(registry) as session:
        versions = repo.versions_of(session, "AL1", "2024-09")
        assert sorted(v.version for v in versions) == [1, 2, 3, 4]  # no number lost or duplicated
        assert sorted(v.record["output_t"] for v in versions) == [1000.0, 1001.0, 1002.0, 1003.0]
        saves = session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "save"))
        assert saves == 4


def test_missing_and_unknown_columns(registry: str, tmp_path: Path) -> None:
    path = tmp_path / "columns.csv"
    path.write_text(
        "facility_id,sector,period,output_t,grid_electricty_mwh\n"
        "AL1,electrolytic_aluminium,2024-01,100,5\nAL1,electrolytic_aluminium,2024-02,100,5\n"
    )
    before = counts(registry)
    with pytest.raises(ValidationFailed) as caught:
        do_import(registry, path)
    # header problems once each, on row 1: the misspelt column by name, the missing required one
    found = [(e.row, e.field, e.code, e.params.get("column")) for e in caught.value.errors]
    assert found == [
        (1, None, "intake.unknown_column", "grid_electricty_mwh"),
        (1, "region", "intake.missing_column", None),
    ]
    assert counts(registry) == before
