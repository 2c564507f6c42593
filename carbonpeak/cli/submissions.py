"""CLI verbs that use the store: db, demo, template, import, submissions, export, audit (recompute:
:mod:`carbonpeak.cli.recompute`).

Registered on the main ``carbonpeak`` app by :mod:`carbonpeak.cli`. The database is the one named by
``--db`` or ``CARBONPEAK_DATABASE_URL``, else the embedded SQLite file ``var/carbonpeak.db``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from sqlalchemy.exc import OperationalError

from carbonpeak import messages
from carbonpeak.cli.common import Actor, As, Db, JsonFlag, acting, cli_lang, fail, read_file
from carbonpeak.cli.common import actor as _actor
from carbonpeak.cli.reporting_status import status_command
from carbonpeak.errors import CarbonpeakError
from carbonpeak.io.reading import Limits
from carbonpeak.plausibility import flag_messages
from carbonpeak.services import demo as demo_service
from carbonpeak.services import intake
from carbonpeak.services import submissions as workflow
from carbonpeak.store import db
from carbonpeak.store import repository as repo

console = Console()
err = Console(stderr=True)


db_app = typer.Typer(help="Create or upgrade the database schema.", no_args_is_help=True)
demo_app = typer.Typer(help="The synthetic demonstration province.", no_args_is_help=True)
submissions_app = typer.Typer(
    help="Monthly submissions: list, show, submit, verify, return, lock, correct.", no_args_is_help=True
)


@db_app.command("init")
def db_init(url: Db = None) -> None:
    """Create the schema in a new database (same as upgrade)."""
    db.upgrade(url)
    console.print(f"database ready at revision {db.current_revision(url)}: {db.database_url(url)}")


@db_app.command("upgrade")
def db_upgrade(url: Db = None) -> None:
    """Apply any pending schema migrations."""
    db.upgrade(url)
    console.print(f"database at revision {db.current_revision(url)}: {db.database_url(url)}")


@demo_app.command("load")
def demo_load(url: Db = None, seed: int = 2026) -> None:
    """Load the demonstration province (synthetic, labelled so) into an empty database."""
    db.upgrade(url)
    try:
        with db.transaction(url) as session:
            if repo.facilities_by_code(session):
                console.print(
                    "the database already holds facilities; the demo province is loaded into an empty "
                    "database only (use a new --db)"
                )
                return
            counts = demo_service.load_demo(session, seed=seed)
    except CarbonpeakError as exc:
        fail(exc)
        return
    console.print("demo province loaded (synthetic data): " + ", ".join(f"{k} {v}" for k, v in counts.items()))


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
    app.add_typer(demo_app, name="demo")
    app.add_typer(submissions_app, name="submissions")
    app.command("import")(import_command)
    app.command("template")(template_command)
    app.command("export")(export_command)
    app.command("audit")(audit_command)


def import_command(
    file: Annotated[Path, typer.Argument(help="a filled template (.xlsx), CSV (UTF-8 or GBK), JSON or YAML")],
    submit: Annotated[bool, typer.Option("--submit", help="submit the imported months at once")] = False,
    url: Db = None,
    actor: Actor = None,
    as_user: As = None,
    as_json: JsonFlag = False,
) -> None:
    """Import monthly data: everything is validated first; all rows are written, or none. Months whose
    latest version already holds the same record are left as they are (reported as unchanged)."""
    try:
        content = read_file(file)
        with db.transaction(url, mode="read") as session:  # who acts: read without taking the write lock
            who = acting(session, actor, as_user)
        with db.transaction(url) as session:
            report = intake.import_file(
                session,
                who,
                content,
                file.name,
                submit=submit,
                limits=Limits.from_env(),
                actor=None if as_user else _actor(actor),
                rejected_dir=Path("var/rejected"),
            )
    except CarbonpeakError as exc:
        fail(exc)
        return
    except OperationalError as exc:  # not a lock (db.transaction raises Busy for that): a database fault
        fail(exc)
        return
    if as_json:
        sys.stdout.write(json.dumps(report.__dict__, ensure_ascii=False, indent=2) + "\n")
        return
    console.print(
        f"imported {report.rows} rows from {file}"
        + (f" (sha256 {report.sha256[:12]}…)" if report.sha256 else "")
        + f": {len(report.versions)} versions, {len(report.unchanged)} unchanged, {report.results} results computed"
    )
    _print_flags(report)


def _print_flags(report: intake.ImportResult) -> None:
    """The months saved with plausibility warnings, each warning in the person's language, and those left as
    drafts for want of an explanation."""
    lang = cli_lang()
    for code, period, _version, flags in report.flagged:
        console.print(escape(messages.render("cli.plausibility_flagged", lang, {"facility": code, "period": period})))
        for text in flag_messages(flags):
            console.print(f"  - {escape(text.text(lang))}", highlight=False, soft_wrap=True)
    if report.not_submitted:
        months = ", ".join(f"{code}@{period}" for code, period, _version in report.not_submitted)
        console.print(escape(messages.render("cli.plausibility_not_submitted", lang, {"months": months})))


def template_command(
    sector: Annotated[str, typer.Argument(help="sector code, e.g. electrolytic_aluminium")],
    lang: Annotated[str, typer.Option("--lang", help="zh or en")] = "zh",
    enterprise: Annotated[str | None, typer.Option(help="enterprise code: its facilities fill the drop-down")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="file to write")] = None,
    url: Db = None,
) -> None:
    """Write an Excel template for a sector, with drop-downs for the enterprise's facilities."""
    from carbonpeak.io.template import write_template

    facilities: list[tuple[str, str]] = []
    try:
        if enterprise:
            with db.transaction(url) as session:
                facilities = [
                    (f.code, f.name_zh if lang == "zh" else f.name_en)
                    for f in repo.facilities_by_code(session).values()
                    if f.enterprise.code == enterprise and f.sector == sector
                ]
        target = out or Path(f"template_{sector}_{lang}.xlsx")
        write_template(target, sector, lang, facilities=facilities)  # type: ignore[arg-type]
    except CarbonpeakError as exc:
        fail(exc)
        return
    console.print(f"template written: {target}")


@submissions_app.command("list")
def submissions_list(
    facility: Annotated[str | None, typer.Option(help="facility code")] = None,
    period_from: Annotated[str | None, typer.Option("--from", help="first month, e.g. 2024-01")] = None,
    period_to: Annotated[str | None, typer.Option("--to", help="last month")] = None,
    status: Annotated[str | None, typer.Option(help="draft, submitted, returned, verified or locked")] = None,
    url: Db = None,
    as_json: JsonFlag = False,
) -> None:
    """Facility-months with their latest version and status."""
    with db.transaction(url) as session:
        rows = [
            {
                "facility": s.facility.code,
                "period": s.period,
                "version": v.version,
                "status": v.status,
                "reason": v.reason or "",
                "created_by": v.created_by,
            }
            for s, v in repo.list_submissions(
                session, facility_code=facility, period_from=period_from, period_to=period_to, status=status
            )
        ]
    _output(rows, as_json, "submissions")


@submissions_app.command("show")
def submissions_show(facility: str, period: str, url: Db = None, as_json: JsonFlag = False) -> None:
    """Every version of a facility-month, its results, and its audit trail."""
    try:
        with db.transaction(url) as session:
            versions = repo.versions_of(session, facility, period)
            payload = {
                "facility": facility,
                "period": period,
                "versions": [
                    {
                        "version": v.version,
                        "status": v.status,
                        "reason": v.reason,
                        "created_by": v.created_by,
                        "created_at": v.created_at.isoformat(),
                        "opinion": v.opinion,
                        "verified_by": v.verified_by,
                        "returned_by": v.returned_by,
                        "returned_reason": v.returned_reason,
                        "record": v.record,
                        "results": [
                            {
                                "computed_at": r.computed_at.isoformat(),
                                "method": r.method,
                                "parameter_fingerprint": r.parameter_fingerprint,
                                "total_location_tco2e": r.total_location_tco2e,
                                "total_market_tco2e": r.total_market_tco2e,
                                "energy_tce": r.energy_tce,
                            }
                            for r in repo.results_of(session, v)
                        ],
                    }
                    for v in versions
                ],
                "audit": [
                    {
                        "at": a.at.isoformat(),
                        "actor": a.actor,
                        "action": a.action,
                        "before_status": (a.before or {}).get("status"),
                        "after_status": (a.after or {}).get("status"),
                        "note": (a.after or {}).get("opinion") or (a.after or {}).get("reason"),
                    }
                    for a in repo.audit_trail(session, f"{facility}@{period}")
                ],
            }
    except CarbonpeakError as exc:
        fail(exc)
        return
    if as_json:
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2, default=str) + "\n")
        return
    if not payload["versions"]:
        console.print(f"nothing reported for {facility} {period}")
        return
    for v in payload["versions"]:
        console.rule(f"{facility} {period} — version {v['version']} ({v['status']})")
        if v["reason"]:
            console.print(f"correction: {escape(v['reason'])}", highlight=False)
        if v["returned_reason"]:
            console.print(f"returned by {v['returned_by']}: {escape(v['returned_reason'])}", highlight=False)
        if v["opinion"]:
            console.print(f"verified by {v['verified_by']}: {escape(v['opinion'])}", highlight=False)
        for r in v["results"]:
            console.print(
                f"  result {r['computed_at'][:19]}: {r['total_location_tco2e']:,.1f} tCO2e (location), "
                f"{r['total_market_tco2e']:,.1f} (market), {r['energy_tce']:,.1f} tce",
                highlight=False,
            )
        changed = {k: val for k, val in v["record"].items() if k not in ("facility_id", "period", "record_id")}
        console.print("  " + escape(json.dumps(changed, ensure_ascii=False)[:600]), highlight=False)
    console.rule("audit trail")
    for a in payload["audit"]:
        console.print(
            f"  {a['at'][:19]}  {a['actor']:<24} {a['action']:<8} {a['before_status'] or '—'} → "
            f"{a['after_status'] or '—'}" + (f"  {escape(a['note'])}" if a["note"] else ""),
            highlight=False,
        )


def _step(target: str) -> Any:
    def command(facility: str, period: str, url: Db = None, actor: Actor = None, as_user: As = None) -> None:
        _move(facility, period, target, None, url, actor, as_user)

    command.__doc__ = f"Mark the latest version of a facility-month as {target}."
    return command


def _move(
    facility: str, period: str, target: str, note: str | None, url: str | None, actor: str | None, as_user: str | None
) -> None:
    """One workflow step through the use case (services.submissions.step), its refusal in the person's language."""
    try:
        with db.transaction(url) as session:
            who = acting(session, actor, as_user)
            (version,) = workflow.step(session, who, [(facility, period)], target, note=note)
    except CarbonpeakError as exc:
        fail(exc)
        return
    console.print(f"{facility} {period}: version {version.version} is now {version.status}", highlight=False)


for _verb, _target in (("submit", "submitted"), ("lock", "locked")):
    submissions_app.command(_verb)(_step(_target))
submissions_app.command("status")(status_command)  # who has reported a month (carbonpeak.cli.reporting_status)


@submissions_app.command("verify")
def submissions_verify(
    facility: str,
    period: str,
    opinion: Annotated[
        str | None, typer.Option("--opinion", help="the verification opinion (核查意见), required")
    ] = None,
    url: Db = None,
    actor: Actor = None,
    as_user: As = None,
) -> None:
    """Verify the latest (submitted) version of a facility-month with an opinion; a month without a result
    cannot be verified."""
    _move(facility, period, "verified", opinion, url, actor, as_user)


@submissions_app.command("return")
def submissions_return(
    facility: str,
    period: str,
    reason: Annotated[
        str | None, typer.Option("--reason", help="why the month goes back to the enterprise (required)")
    ] = None,
    url: Db = None,
    actor: Actor = None,
    as_user: As = None,
) -> None:
    """Return a submitted facility-month to its enterprise with a reason (退回修改); the enterprise answers with
    `submissions correct … --reason` and submits again."""
    _move(facility, period, "returned", reason, url, actor, as_user)


@submissions_app.command("correct")
def submissions_correct(
    facility: str,
    period: str,
    file: Annotated[Path, typer.Argument(help="a file holding the corrected record for this facility and month")],
    reason: Annotated[str, typer.Option("--reason", help="why the month is corrected (required)")],
    url: Db = None,
    actor: Actor = None,
    as_user: As = None,
) -> None:
    """Add a corrected version with a reason (the same checks as an import; the file kept as evidence);
    earlier versions are kept."""
    try:
        content = read_file(file)
        with db.transaction(url) as session:
            result = intake.correct(
                session,
                acting(session, actor, as_user),
                facility,
                period,
                reason,
                content=content,
                filename=file.name,
                limits=Limits.from_env(),
                actor=None if as_user else _actor(actor),
            )
    except CarbonpeakError as exc:
        fail(exc)
        return
    except OperationalError as exc:  # not a lock (db.transaction raises Busy for that): a database fault
        fail(exc)
        return
    console.print(f"{facility} {period}: version {result.versions[0][2]} added as a correction (draft): {reason}")


def export_command(
    out: Annotated[Path, typer.Option("--out", help="the .xlsx file to write")],
    facility: Annotated[str | None, typer.Option(help="facility code")] = None,
    period_from: Annotated[str | None, typer.Option("--from")] = None,
    period_to: Annotated[str | None, typer.Option("--to")] = None,
    lang: Annotated[str, typer.Option("--lang")] = "zh",
    url: Db = None,
) -> None:
    """Export submissions (every version) and their latest results to Excel."""
    from carbonpeak.io.export import export_workbook

    with db.transaction(url) as session:
        submissions, results = [], []
        for s, _latest in repo.list_submissions(
            session, facility_code=facility, period_from=period_from, period_to=period_to
        ):
            for v in s.versions:
                flat = {k: val for k, val in v.record.items() if not isinstance(val, list)}
                submissions.append(
                    {
                        "facility": s.facility.code,
                        "period": s.period,
                        "version": v.version,
                        "status": v.status,
                        "reason": v.reason or "",
                        **flat,
                    }
                )
                latest = repo.results_of(session, v)[-1:] if v.status else []
                for r in latest:
                    results.append(
                        {
                            "facility": s.facility.code,
                            "period": s.period,
                            "version": v.version,
                            "method": r.method,
                            **r.values,
                        }
                    )
    export_workbook(out, {"submissions": pd.DataFrame(submissions), "results": pd.DataFrame(results)}, lang=lang)
    console.print(f"exported {len(submissions)} versions and {len(results)} results to {out}")


def audit_command(
    key: Annotated[str | None, typer.Argument(help="entity key prefix, e.g. F01@2024-03")] = None,
    limit: int = 200,
    url: Db = None,
    as_json: JsonFlag = False,
) -> None:
    """The audit log: who did what, when, with the state before and after."""
    with db.transaction(url) as session:
        rows = [
            {
                "at": a.at.isoformat()[:19],
                "actor": a.actor,
                "action": a.action,
                "entity": a.entity,
                "key": a.entity_key,
                "before": json.dumps(a.before, ensure_ascii=False)[:80] if a.before else "",
                "after": json.dumps(a.after, ensure_ascii=False)[:80] if a.after else "",
            }
            for a in repo.audit_trail(session, key, limit)
        ]
    _output(rows, as_json, "audit log")


def _output(rows: list[dict[str, Any]], as_json: bool, title: str) -> None:
    if as_json:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2, default=str) + "\n")
        return
    table = Table(title=title)
    if not rows:
        console.print(f"{title}: none")
        return
    for column in rows[0]:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(str(v) for v in row.values()))
    console.print(table)
