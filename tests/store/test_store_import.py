"""Importing files into the store: validated first, written all or nothing, evidence kept."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select

from carbonpeak.errors import InputError, ValidationFailed
from carbonpeak.store import db, service
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


def do_import(url: str, path: Path, **kwargs):
    with db.transaction(url) as session:
        return service.import_file(session, path, "enterprise:E1", **kwargs)


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
    problems = {(e.record, e.field) for e in caught.value.errors}
    assert problems == {("row 3", "output_t")}  # field-table errors first; registry checks need valid rows
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
    problems = {(e.record, e.field) for e in caught.value.errors}
    assert problems == {("row 3", "facility_id"), ("row 4", "period"), ("row 5", "sector"), ("row 6", "region")}
    assert all(e.file == str(path) for e in caught.value.errors)
    assert counts(registry) == before  # nothing written, not even the upload


def test_locked_month_is_refused(registry: str, tmp_path: Path) -> None:
    do_import(registry, csv_file(tmp_path, ["AL1,electrolytic_aluminium,shaanxi,2024-01,10000,130000,128000,5"]))
    with db.transaction(registry) as session:
        for step in ("submitted", "verified", "locked"):
            repo.transition(session, "AL1", "2024-01", step, "verifier:V1")
    with pytest.raises(ValidationFailed) as caught:
        do_import(registry, csv_file(tmp_path, ["AL1,electrolytic_aluminium,shaanxi,2024-01,1,1,1,1"], "again.csv"))
    assert "locked" in str(caught.value.errors[0]) and caught.value.errors[0].field == "period"


def test_file_over_the_limit_is_refused_before_reading(registry: str, tmp_path: Path) -> None:
    path = csv_file(tmp_path, ["AL1,electrolytic_aluminium,shaanxi,2024-01,10000,130000,128000,5"])
    with pytest.raises(InputError, match="limited to"):
        do_import(registry, path, max_bytes=50)
    big = tmp_path / "big.csv"
    with big.open("wb") as handle:  # a real 50 MB + 1 byte file against the shipped limit
        handle.write(HEADER.encode())
        handle.write(b"x" * (service.MAX_UPLOAD_BYTES + 1 - len(HEADER)))
    with pytest.raises(InputError, match="limited to 50 MiB"):
        do_import(registry, big)


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
    found = {(e.record, e.field, e.detail) for e in caught.value.errors}
    # every row is reported (first problem of each row): the misspelt column is refused by name
    assert {(r, f) for r, f, _ in found} == {("row 2", "grid_electricty_mwh"), ("row 3", "grid_electricty_mwh")}
    path.write_text("facility_id,sector,period,output_t\nAL1,electrolytic_aluminium,2024-01,100\n")
    with pytest.raises(ValidationFailed) as caught:
        do_import(registry, path)
    assert [(e.field, e.detail) for e in caught.value.errors] == [("region", "missing required field")]
    assert counts(registry) == before
