"""``carbonpeak users`` and the demo accounts, on a copy of the demonstration database."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner
from webhelpers import client, make_app

from carbonpeak.cli import app

runner = CliRunner()


def cli(*args: str, stdin: str | None = None) -> tuple[int, str]:
    # errors in English (the CLI speaks zh-CN unless CARBONPEAK_LANG or --lang say otherwise)
    result = runner.invoke(app, list(args), input=stdin, env={"COLUMNS": "200", "CARBONPEAK_LANG": "en"})
    return result.exit_code, result.output


def test_users_create_list_lock_unlock_reset_and_token(fresh_url: str) -> None:
    db = ("--db", fresh_url)
    code, out = cli(
        "users",
        "create",
        "zhang",
        "--role",
        "verifier",
        "--assign",
        "E05,E06",
        "--password-stdin",
        *db,
        stdin="zhang-password-1\n",
    )
    assert code == 0, out
    code, out = cli("users", "create", "li", "--role", "city_regulator", "--password", "li-password-22", *db)
    assert code == 2 and "regulator needs a region" in out
    code, out = cli("users", "create", "li", "--role", "chief", "--password", "li-password-22", *db)
    assert code == 2 and "unknown role" in out
    code, out = cli(
        "users", "create", "wang", "--role", "enterprise", "--enterprise", "E05", "--password", "short", *db
    )
    assert code == 2 and "at least 10 characters" in out
    code, out = cli("users", "list", "--json", *db)
    rows = {r["username"]: r for r in json.loads(out)}
    assert rows["zhang"]["assigned"] == "E05,E06" and rows["enterprise"]["enterprise"] == "E02"
    assert cli("users", "lock", "zhang", *db)[0] == 0
    locked = {r["username"]: r["locked"] for r in json.loads(cli("users", "list", "--json", *db)[1])}
    assert locked["zhang"] == "yes" and locked["admin"] == ""
    assert cli("users", "unlock", "zhang", *db)[0] == 0
    code, out = cli("users", "reset", "zhang", *db)
    assert code == 0 and "new password set:" in out
    code, token = cli("users", "token", "zhang", "--name", "ci", *db)
    assert code == 0 and token.strip().startswith("cp_")
    web = make_app(fresh_url)
    from fastapi.testclient import TestClient

    me = TestClient(web).get("/api/v1/me", headers={"Authorization": f"Bearer {token.strip()}"}).json()
    assert me["username"] == "zhang" and me["enterprises"] == ["E05", "E06"]


def test_demo_accounts_are_printed_and_can_log_in(fresh_url: str, tmp_path: Path) -> None:
    # the shared test database holds a second province registered by hand: no demo accounts beside it
    code, out = cli("users", "demo", "--db", fresh_url)
    assert code == 2 and "outside the demonstration" in out
    demo_only = f"sqlite:///{tmp_path / 'demo_only.db'}"
    assert cli("db", "init", "--db", demo_only)[0] == 0
    code, out = cli("demo", "load", "--db", demo_only)
    assert code == 0 and "facilities 61" in out, out
    code, out = cli("users", "demo", "--db", demo_only)
    assert code == 0, out
    for name in ("admin", "province", "city", "verifier", "enterprise"):
        assert name in out and f"demo-{name}-2026" in out
    client(make_app(demo_only), "enterprise")  # logs in with the printed password


def test_users_assign_unassign_and_generated_password(fresh_url: str) -> None:
    db = ("--db", fresh_url)
    code, out = cli("users", "create", "zhou", "--role", "verifier", *db)
    assert code == 0 and "initial password (shown once):" in out
    code, out = cli("users", "create", "qian", "--role", "enterprise", "--enterprise", "E99", *db)
    assert code == 2 and "the enterprise E99 is not in the registry" in out
    assert cli("users", "assign", "zhou", "E01,E03", *db)[0] == 0
    code, out = cli("users", "assign", "zhou", "E01", *db)
    assert code == 2 and "already assigned" in out
    assert cli("users", "unassign", "zhou", "E01", *db)[0] == 0
    rows = {r["username"]: r for r in json.loads(cli("users", "list", "--json", *db)[1])}
    assert rows["zhou"]["assigned"] == "E03"
    code, out = cli("users", "lock", "zhou", *db)
    assert code == 0 and "locked" in out
