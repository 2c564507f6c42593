"""CLI verbs of the capacity ledger: ``carbonpeak capacity`` and its sub-commands.

``carbonpeak capacity [--date D]`` prints the ledger per province and sector (approved versus operating
capacity, output and utilisation), the capacity that must exit (facility-years below the baseline level
with their deadline) and the national electrolytic-aluminium ceiling check; ``--json`` and ``--excel``
give the same three parts. Sub-commands: ``history FACILITY``, ``add`` (one event), ``replace`` (a
capacity replacement), ``seed`` (a starting ledger derived from the registry).

Registered on the main app by ``register(app)``. Errors a person can act on exit with status 2.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import sys
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from sqlalchemy.exc import SQLAlchemyError

from carbonpeak.capacity.events import KINDS, SEEDED_NOTE, parse_date
from carbonpeak.capacity.ledger import jsonable, window_months
from carbonpeak.cli.common import Actor, As, Db, JsonFlag, Lang, acting, fail
from carbonpeak.errors import CarbonpeakError, InputError
from carbonpeak.services import capacity as use
from carbonpeak.store import capacity as ledger
from carbonpeak.store import db

console = Console()
err = Console(stderr=True)


capacity_app = typer.Typer(
    help="Capacity ledger: approved vs operating capacity, must-exit list, national ceiling; history, add, "
    "replace, seed.",
    invoke_without_command=True,
)

LABELS = {
    "province": ("省份", "province"),
    "sector": ("行业", "sector"),
    "approved_facilities": ("核准设施数", "approved facilities"),
    "approved_t_per_a": ("核准产能 t/a", "approved t/a"),
    "operating_facilities": ("运行设施数", "operating facilities"),
    "operating_t_per_a": ("运行产能 t/a", "operating t/a"),
    "approved_minus_operating_t_per_a": ("核准−运行 t/a", "approved − operating t/a"),
    "output_12m_t": ("近12个月产量 t", "output 12 months t"),
    "counted_facility_months": ("已计入设施月", "facility-months counted"),
    "operating_facility_months": ("运行设施月", "facility-months operating"),
    "utilisation_pct": ("产能利用率 %", "utilisation %"),
    "facility_code": ("设施", "facility"),
    "product": ("对标产品", "product"),
    "year": ("年份", "year"),
    "unit_consumption": ("单耗", "unit consumption"),
    "unit": ("单位", "unit"),
    "baseline_level": ("基准水平", "baseline"),
    "edition": ("版本", "edition"),
    "capacity_t_per_a": ("产能 t/a", "capacity t/a"),
    "must_act_by": ("改造/退出期限", "act by"),
    "exited": ("已退出", "exited"),
    "kind": ("类型", "kind"),
    "effective_on": ("生效日期", "effective on"),
    "approved_after_t_per_a": ("变动后核准产能 t/a", "approved after t/a"),
    "replacement_group": ("置换组", "replacement group"),
    "replacement_ratio": ("置换比例", "ratio"),
    "replacement_partners": ("置换对方", "replacement partners"),
    "document": ("文件", "document"),
    "note": ("说明", "note"),
}


def _label(column: str, lang: str) -> str:
    zh, en = LABELS.get(column, (column, column))
    return en if lang == "en" else zh


def _fmt(value: Any) -> str:
    if value is None or value is pd.NaT:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, float):
        if math.isnan(value):
            return "—"
        return f"{value:,.4g}" if abs(value) < 1000 else f"{value:,.0f}"
    return escape(str(value))


def _print(frame: pd.DataFrame, columns: list[str], title: str, lang: str) -> None:
    table = Table(title=title)
    for column in columns:
        table.add_column(_label(column, lang), overflow="fold")
    for row in jsonable(frame[columns]):
        table.add_row(*(_fmt(row[c]) for c in columns))
    console.print(table)


def _write_json(payload: Any) -> None:
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")


def _check_lang(lang: str) -> None:
    if lang not in ("zh", "en"):
        raise InputError("unknown language", field="--lang", value=lang, expected="zh or en")


LEDGER_COLUMNS = [
    "province",
    "sector",
    "approved_t_per_a",
    "operating_t_per_a",
    "approved_minus_operating_t_per_a",
    "output_12m_t",
    "counted_facility_months",
    "operating_facility_months",
    "utilisation_pct",
]
MUST_EXIT_COLUMNS = [
    "facility_code",
    "sector",
    "year",
    "unit_consumption",
    "unit",
    "baseline_level",
    "edition",
    "capacity_t_per_a",
    "approved_t_per_a",
    "must_act_by",
    "exited",
]
HISTORY_COLUMNS = [
    "effective_on",
    "kind",
    "capacity_t_per_a",
    "approved_after_t_per_a",
    "replacement_group",
    "replacement_ratio",
    "replacement_partners",
    "document",
    "note",
]


@capacity_app.callback(invoke_without_command=True)
def capacity_command(
    ctx: typer.Context,
    on: Annotated[str | None, typer.Option("--date", help="the day the ledger describes (default: today)")] = None,
    year: Annotated[
        int | None, typer.Option("--year", help="year classified for the must-exit list (default: latest with data)")
    ] = None,
    edition: Annotated[
        str | None,
        typer.Option("--benchmark-edition", "--edition", help="benchmark edition, 2021 or 2023 (default: in force)"),
    ] = None,
    elsewhere: Annotated[
        str | None,
        typer.Option(
            "--national-elsewhere",
            help="approved electrolytic-aluminium capacity of the rest of the country, t/a or '43 Mt/a' "
            "(only then is a national headroom stated)",
        ),
    ] = None,
    include_submitted: Annotated[
        bool, typer.Option("--include-submitted", help="count submitted (unverified) months in output too")
    ] = False,
    url: Db = None,
    as_json: JsonFlag = False,
    excel: Annotated[Path | None, typer.Option("--excel", help="also write the three tables to this .xlsx")] = None,
    lang: Lang = "zh",
) -> None:
    """Approved vs operating capacity per province and sector, must-exit list and the national ceiling."""
    if ctx.invoked_subcommand is not None:
        return
    try:
        _check_lang(lang)
        day = parse_date(on, field="--date") if on else dt.date.today()
        with db.transaction(url) as session:
            table = ledger.ledger(session, day, include_submitted=include_submitted)
            exits = ledger.must_exit(session, year, edition, on_date=day, include_submitted=include_submitted)
            ceiling = ledger.ceiling_check(session, day, elsewhere)
            events = len(ledger.events_frame(session))
    except (CarbonpeakError, SQLAlchemyError) as exc:
        fail(exc)
        return
    not_classified = exits.attrs.get("not_classified", {})
    if excel is not None:
        from carbonpeak.io.export import export_workbook

        ceiling_rows = pd.DataFrame(
            [(k, json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else v) for k, v in ceiling.items()],
            columns=["item", "value"],
        ).astype({"value": object})
        sheets = {"ledger": table, "must_exit": exits, "ceiling": ceiling_rows}
        if not_classified:
            sheets["not_classified"] = pd.DataFrame(list(not_classified.items()), columns=["product", "reason"])
        try:
            export_workbook(excel, sheets, lang=lang)
        except CarbonpeakError as exc:
            fail(exc)
            return
    if as_json:
        _write_json(
            {
                "date": day.isoformat(),
                "ledger_events": events,
                "ledger": jsonable(table),
                "must_exit": {
                    "year": exits.attrs.get("year"),
                    "edition": edition,
                    "facilities": jsonable(exits),
                    "not_classified": not_classified,
                    "note": exits.attrs.get("note", ""),
                },
                "ceiling": ceiling,
            }
        )
        return
    en = lang == "en"
    if events == 0:
        console.print(
            "the ledger holds no capacity event: approved capacity is 0 everywhere. Record approvals "
            "(carbonpeak capacity add) or derive a starting ledger from the registry (carbonpeak capacity seed)."
            if en
            else "产能台账尚无记录，核准产能均为 0：请录入核准（carbonpeak capacity add）或由登记信息生成初始台账"
            "（carbonpeak capacity seed）。",
            highlight=False,
        )
    months = window_months(day)
    window = f"{months[0]}..{months[-1]}"
    _print(
        table,
        LEDGER_COLUMNS,
        f"{'Capacity ledger' if en else '产能台账'} — {day.isoformat()} ({'output' if en else '产量'} {window})",
        lang,
    )
    _print(
        exits,
        MUST_EXIT_COLUMNS,
        f"{'Below the baseline: must be retrofitted or exit' if en else '低于基准水平：须改造或退出'} — "
        f"{exits.attrs.get('year')} ({'edition' if en else '版本'} {edition or ('in force' if en else '现行')})",
        lang,
    )
    if exits.attrs.get("note"):
        console.print(escape(exits.attrs["note"]), highlight=False)
    for product, reason in not_classified.items():
        console.print(f"{'not classified' if en else '未分级'} {escape(product)}: {escape(reason)}", highlight=False)
    _print_ceiling(ceiling, en)


def _print_ceiling(report: dict[str, Any], en: bool) -> None:
    def t(value: float | None) -> str:
        return "—" if value is None else f"{value:,.0f} t/a"

    provinces = ", ".join(f"{k} {v:,.0f}" for k, v in report["registry_approved_by_province_t_per_a"].items())
    lines = [
        f"{'Electrolytic-aluminium approved capacity in the registry' if en else '登记范围内电解铝核准产能'}: "
        f"{t(report['registry_approved_t_per_a'])}" + (f" ({provinces})" if provinces else ""),
        f"{'National ceiling' if en else '全国产能天花板'}: {t(report['ceiling_t_per_a'])}"
        + (f" — {report['citation']} ({report['ceiling']['confidence']})" if report["ceiling"] else ""),
    ]
    share = report["registry_share_of_ceiling_pct"]
    if share is not None:
        lines.append(f"{'Registry share of the ceiling' if en else '占天花板比例'}: {share:.2f} %")
    if report["national_approved_t_per_a"] is not None:
        national = (
            "National approved (registry + rest of the country as given)" if en else "全国核准产能（登记+外部给定）"
        )
        headroom = "headroom" if en else "剩余空间"
        lines.append(
            f"{national}: {t(report['national_approved_t_per_a'])}; {headroom} {t(report['headroom_t_per_a'])}"
        )
    lines.append(report["note"])
    for line in lines:
        console.print(escape(line), highlight=False, soft_wrap=True)


@capacity_app.command("history")
def history_command(
    facility: Annotated[str, typer.Argument(help="facility code (or the name of a counterpart)")],
    url: Db = None,
    as_json: JsonFlag = False,
    lang: Lang = "zh",
) -> None:
    """Every capacity event of a facility, with the approved capacity after each one."""
    try:
        _check_lang(lang)
        with db.transaction(url) as session:
            frame = ledger.history(session, facility)
    except (CarbonpeakError, SQLAlchemyError) as exc:
        fail(exc)
        return
    if as_json:
        _write_json({"facility": facility, "events": jsonable(frame)})
        return
    _print(frame, HISTORY_COLUMNS, f"{'Capacity history' if lang == 'en' else '产能变动'} — {facility}", lang)


@capacity_app.command("add")
def add_command(
    kind: Annotated[str, typer.Option("--kind", help=", ".join(KINDS))],
    capacity: Annotated[str, typer.Option("--capacity", help="signed change, t/a or with a unit: 200000, '-60 kt/a'")],
    on: Annotated[str, typer.Option("--date", help="the day the change takes effect, e.g. 2024-06-30")],
    facility: Annotated[str | None, typer.Option("--facility", help="facility code in the registry")] = None,
    counterpart: Annotated[
        str | None, typer.Option("--counterpart", help="a source outside the registry (replacement_out only)")
    ] = None,
    province: Annotated[
        str | None, typer.Option("--province", help="province code (required for a counterpart)")
    ] = None,
    sector: Annotated[str | None, typer.Option("--sector", help="sector code (required for a counterpart)")] = None,
    group: Annotated[str | None, typer.Option("--group", help="replacement group (replacement kinds)")] = None,
    ratio: Annotated[float | None, typer.Option("--ratio", help="replacement ratio granted ÷ retired")] = None,
    document: Annotated[str | None, typer.Option("--document", help="approval or replacement notice")] = None,
    note: Annotated[str | None, typer.Option("--note")] = None,
    url: Db = None,
    actor: Actor = None,
    as_user: As = None,
    as_json: JsonFlag = False,
) -> None:
    """Record one capacity event (checked: kind, sign, facility, group); audited."""
    try:
        with db.transaction(url) as session:
            event = use.record_event(
                session,
                acting(session, actor, as_user),
                facility_code=facility,
                counterpart=counterpart,
                province=province,
                sector=sector,
                kind=kind,
                effective_on=on,
                capacity_t_per_a=capacity,
                replacement_group=group,
                replacement_ratio=ratio,
                document=document,
                note=note,
            )
            payload = {"id": event.id, **event.as_dict()}
    except (CarbonpeakError, SQLAlchemyError) as exc:
        fail(exc)
        return
    if as_json:
        _write_json(payload)
        return
    console.print(
        f"recorded {payload['kind']} of {payload['capacity_t_per_a']:+,.0f} t/a for "
        f"{escape(str(facility or counterpart))} on {payload['effective_on']} (event {payload['id']})",
        highlight=False,
    )


def _parse_source(text: str, index: int) -> tuple[str, str | None, str]:
    """'AL06=60000' (a registry facility) or 'NAME@PROVINCE=100 kt/a' (a counterpart)."""
    who, sep, amount = text.rpartition("=")
    if not sep or not who.strip() or not amount.strip():
        raise InputError(
            "not a source",
            field=f"--source[{index}]",
            value=text,
            expected="CODE=CAPACITY for a registry facility or NAME@PROVINCE=CAPACITY for one outside it",
        )
    name, at, province = who.rpartition("@")
    if at:
        return name.strip(), province.strip() or None, amount.strip()
    return who.strip(), None, amount.strip()


@capacity_app.command("replace")
def replace_command(
    destination: Annotated[str, typer.Argument(help="facility code that receives the capacity")],
    sources: Annotated[
        list[str],
        typer.Option(
            "--source",
            help="capacity retired, repeatable: CODE=CAPACITY (registry) or NAME@PROVINCE=CAPACITY (outside it)",
        ),
    ],
    granted: Annotated[str, typer.Option("--granted", help="capacity granted at the destination, t/a or with a unit")],
    on: Annotated[str, typer.Option("--date", help="the day the replacement takes effect")],
    document: Annotated[str | None, typer.Option("--document", help="replacement notice")] = None,
    group: Annotated[str | None, typer.Option("--group", help="group name (default: RPL-<destination>-<date>)")] = None,
    note: Annotated[str | None, typer.Option("--note")] = None,
    url: Db = None,
    actor: Actor = None,
    as_user: As = None,
    as_json: JsonFlag = False,
) -> None:
    """Record a capacity replacement: capacity retired at the sources, granted at the destination, with the
    ratio granted ÷ retired (recorded, not judged)."""
    try:
        parsed = [_parse_source(text, i) for i, text in enumerate(sources)]
        with db.transaction(url) as session:
            result = use.record_replacement(
                session,
                acting(session, actor, as_user),
                destination,
                parsed,
                granted,
                on,
                document,
                replacement_group=group,
                note=note,
            )
            payload = {
                "group": result.group,
                "ratio": result.ratio,
                "retired_t_per_a": result.retired_t_per_a,
                "granted_t_per_a": result.granted_t_per_a,
                "events": [
                    {"id": e.id, "kind": e.kind, "capacity_t_per_a": e.capacity_t_per_a, "province": e.province}
                    for e in result.events
                ],
            }
    except (CarbonpeakError, SQLAlchemyError) as exc:
        fail(exc)
        return
    if as_json:
        _write_json(payload)
        return
    console.print(
        f"replacement {escape(result.group)}: {result.retired_t_per_a:,.0f} t/a retired, "
        f"{result.granted_t_per_a:,.0f} t/a granted to {escape(destination)} (ratio {result.ratio:.4g})",
        highlight=False,
    )


@capacity_app.command("seed")
def seed_command(url: Db = None, actor: Actor = None, as_user: As = None, as_json: JsonFlag = False) -> None:
    """Give facilities without capacity events a starting ledger derived from the registry (approval at the
    commissioning year, exit at retirement); not from approval documents. Seeding twice adds nothing."""
    try:
        with db.transaction(url) as session:
            report = use.seed_from_registry(session, acting(session, actor, as_user)).as_dict()
    except (CarbonpeakError, SQLAlchemyError) as exc:
        fail(exc)
        return
    if as_json:
        _write_json(report)
        return
    console.print(
        f"seeded {report['facilities_seeded']} facilities from the registry: {report['approvals']} approvals, "
        f"{report['exits']} exits ({SEEDED_NOTE})",
        highlight=False,
    )
    for code, reason in report["skipped"].items():
        console.print(f"  not seeded {escape(code)}: {escape(reason)}", highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(capacity_app, name="capacity")
