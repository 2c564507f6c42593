"""The intake at the command line: a file a parser refuses is one coded error in the person's language
(zh-CN unless CARBONPEAK_LANG or --lang say otherwise), exit status 2, never a traceback."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from carbonpeak.cli import app

runner = CliRunner()


def cli(*args: str, lang: str | None = None) -> tuple[int, str]:
    env = {"COLUMNS": "240", **({"CARBONPEAK_LANG": lang} if lang else {})}
    result = runner.invoke(app, list(args), env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def test_unreadable_files_are_one_coded_line_in_the_persons_language(sqlite_province: str, tmp_path: Path) -> None:
    latin = tmp_path / "latin.json"
    latin.write_bytes(b'[{"facility_id": "AL1", "facility_name": "\xff\xfe\xff"}]')  # neither UTF-8 nor GBK
    code, out = cli("import", str(latin), "--db", sqlite_province)
    assert code == 2 and "Traceback" not in out
    assert out.splitlines() == [
        "错误： latin.json 中有 1 处问题",
        "  - 文件 latin.json：无法识别文件的文字编码；请另存为 UTF-8 或 GBK 编码",
        "未写入任何内容。",
    ]
    code, out = cli("import", str(latin), "--db", sqlite_province, lang="en")
    assert code == 2 and out.splitlines() == [
        "error: 1 problem in latin.json",
        "  - file latin.json: the file's text encoding cannot be read; save it as UTF-8 or GBK",
        "nothing was written.",
    ]

    broken = tmp_path / "broken.json"
    broken.write_text('[{"facility_id": "AL1",\n "period": }]', encoding="utf-8")
    code, out = cli("import", str(broken), "--db", sqlite_province)
    assert code == 2 and "不是有效的 JSON（第 2 行第 12 列附近）" in out and "Expecting" not in out

    ragged = tmp_path / "ragged.csv"
    ragged.write_text("facility_id,period\nAL1,2024-01\nAL1,2024-02,9,9\n", encoding="utf-8")
    code, out = cli("import", str(ragged), "--db", sqlite_province, lang="en")
    assert code == 2 and "row 3: malformed CSV" in out and "Error tokenizing" not in out


def test_an_import_while_another_holds_the_lock_is_one_line_not_a_traceback(
    sqlite_province: str, tmp_path: Path, monkeypatch
) -> None:
    """D9: `carbonpeak import` of another month while a long import holds SQLite's write lock gave a
    60-line OperationalError traceback (exit 1); now one line in the person's language, exit 2."""
    import sqlite3

    monkeypatch.setenv("CARBONPEAK_SQLITE_BUSY_TIMEOUT", "1")
    month = tmp_path / "m.csv"
    month.write_text(
        "facility_id,sector,region,period,output_t,grid_electricity_mwh\n"
        "AL1,electrolytic_aluminium,shaanxi,2024-01,10000,130000\n",
        encoding="utf-8",
    )
    holder = sqlite3.connect(sqlite_province.split("///", 1)[1], isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        code, out = cli("import", str(month), "--db", sqlite_province)
        assert code == 2 and out == "错误： 数据库正忙于另一项导入，本次未写入任何内容；请稍后重试\n"
        code, out = cli("import", str(month), "--db", sqlite_province, lang="en")
        assert code == 2 and out.startswith("error: the database is busy with another import")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    code, out = cli("import", str(month), "--db", sqlite_province)
    assert code == 0, out
