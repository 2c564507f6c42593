"""CLI verbs of the registry: ``carbonpeak registry template|import``, ``carbonpeak region|park|enterprise|
facility add|change|list|history`` and ``carbonpeak proposals list|propose|approve|reject``.

Thin adapters over :mod:`carbonpeak.services.registry` (and its bulk import and proposals). Fields are
given as ``field=value`` pairs named as in the field tables (``carbonpeak enterprise add E1
name_zh=甲铝业 uscc=91610000... region_code=XA``); ``--help`` lists them. The CLI acts as its operator,
an administrator named by ``--actor``, or as an account with ``--as USERNAME`` (then with that account's
scope). Errors are printed one per line in ``--lang`` (zh by default) and exit with status 2.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from carbonpeak.cli.common import (
    Actor,
    As,
    Db,
    JsonFlag,
    Lang,
    fail_listed,
    field_pairs,
    print_change,
    print_rows,
    read_file,
    use_case,
    version_rows,
)
from carbonpeak.errors import InputError
from carbonpeak.io.registry_fields import fields

console = Console()
Code = Annotated[str, typer.Argument(help="the code of the region, park, enterprise or facility")]
Pairs = Annotated[list[str] | None, typer.Argument(help="field=value pairs (fields listed above)", show_default=False)]

NOUNS = {
    "region": "regions",
    "park": "parks",
    "cluster": "clusters",
    "enterprise": "enterprises",
    "facility": "facilities",
}
NOUN_HELP = {
    "region": "Regions: provinces, cities, counties.",
    "park": "Industrial parks.",
    "cluster": "Clusters of cities (e.g. a plan's industrial cluster).",
    "enterprise": "Enterprises: USCC, name, region, park, contacts.",
    "facility": "Facilities: sector, product, technology, capacity (through the capacity ledger), status.",
}


def _field_list(kind: str) -> str:
    return "\n\n".join(
        f"{'*' if spec.required else ' '} {spec.name}: {spec.label_zh} / {spec.label_en}"
        for spec in fields(kind).values()
    )


def _noun_app(noun: str, kind: str) -> typer.Typer:
    app = typer.Typer(help=NOUN_HELP[noun], no_args_is_help=True)
    listing = _field_list(kind)

    def add(
        code: Code,
        pairs: Pairs = None,
        url: Db = None,
        actor: Actor = None,
        as_user: As = None,
        lang: Lang = "zh",
        as_json: JsonFlag = False,
    ) -> None:
        from carbonpeak.io.registry_fields import code_field
        from carbonpeak.services import registry as reg

        record = {code_field(kind): code, **field_pairs(pairs, lang)}
        result = use_case(
            lambda session, who: reg.add(session, who, kind, record),
            url=url,
            lang=lang,
            actor=actor,
            as_user=as_user,
            upgrade=True,
        )
        print_change(result, as_json)

    add.__doc__ = f"Register {_a(noun)}. Fields (* required):\n\n{listing}"

    def change(
        code: Code,
        pairs: Pairs = None,
        url: Db = None,
        actor: Actor = None,
        as_user: As = None,
        lang: Lang = "zh",
        as_json: JsonFlag = False,
    ) -> None:
        from carbonpeak.services import registry as reg

        changes = field_pairs(pairs, lang)
        result = use_case(
            lambda session, who: reg.change(session, who, kind, code, changes),
            url=url,
            lang=lang,
            actor=actor,
            as_user=as_user,
        )
        print_change(result, as_json)

    change.__doc__ = f"Change some fields of {_a(noun)} (a new version in the audit log). Fields:\n\n{listing}"

    def list_(
        url: Db = None, actor: Actor = None, as_user: As = None, lang: Lang = "zh", as_json: JsonFlag = False
    ) -> None:
        from carbonpeak.services import registry as reg

        lister = {
            "regions": reg.list_regions,
            "parks": reg.list_parks,
            "clusters": reg.list_clusters,
            "enterprises": reg.list_enterprises,
            "facilities": reg.list_facilities,
        }[kind]
        rows = use_case(lister, url=url, lang=lang, actor=actor, as_user=as_user)
        print_rows(rows, kind, as_json)

    list_.__doc__ = f"The {kind} you may see."

    def history(
        code: Code,
        url: Db = None,
        actor: Actor = None,
        as_user: As = None,
        lang: Lang = "zh",
        as_json: JsonFlag = False,
    ) -> None:
        from carbonpeak.services import registry as reg

        versions = use_case(
            lambda session, who: reg.history(session, who, kind, code),
            url=url,
            lang=lang,
            actor=actor,
            as_user=as_user,
        )
        print_rows(version_rows(versions), f"{noun} {code}", as_json)

    history.__doc__ = f"Every version of {_a(noun)}, from the audit log."
    app.command("add")(add)
    if kind in ("enterprises", "facilities", "regions", "parks"):
        app.command("change")(change)
    app.command("list")(list_)
    app.command("history")(history)
    return app


# ---------------------------------------------------------------- the bulk file

registry_app = typer.Typer(help="The bulk registry file: template and import (all or nothing).", no_args_is_help=True)


@registry_app.command("template")
def template_command(
    out: Annotated[Path, typer.Option("--out", help="where to write the .xlsx")],
    lang: Lang = "zh",
) -> None:
    """Write the bulk registry template (sheets of regions, parks, enterprises, facilities, meters) in zh or en."""
    from carbonpeak.services.registry_bulk import template

    out.write_bytes(template(lang))
    console.print(f"template written: {out}", highlight=False)


@registry_app.command("import")
def import_command(
    files: Annotated[list[Path], typer.Argument(help="one workbook, or CSV files (one per kind)")],
    url: Db = None,
    actor: Actor = None,
    as_user: As = None,
    lang: Lang = "zh",
    as_json: JsonFlag = False,
) -> None:
    """Import a bulk registry file: every row is checked; if any problem is found, all are listed and
    nothing is written."""
    from carbonpeak.services.registry_bulk import import_registry

    contents = []
    for path in files:
        try:
            contents.append((path.name, read_file(path)))
        except InputError as exc:
            fail_listed(exc, lang)
    done = use_case(
        lambda session, who: import_registry(session, who, contents),
        url=url,
        lang=lang,
        actor=actor,
        as_user=as_user,
        upgrade=True,
    )
    summary = {what: getattr(done, what) for what in ("created", "changed", "unchanged")}
    if as_json:
        sys.stdout.write(json.dumps(summary, ensure_ascii=False) + "\n")
        return
    for what, kinds in summary.items():
        for kind, codes in kinds.items():
            console.print(f"{what} {kind}: {len(codes)} ({', '.join(codes[:10])}{' …' if len(codes) > 10 else ''})")


# ---------------------------------------------------------------- proposals

proposals_app = typer.Typer(help="Changes enterprises propose to their facilities.", no_args_is_help=True)


@proposals_app.command("list")
def proposals_list(
    status: Annotated[str | None, typer.Option(help="pending, approved or rejected")] = None,
    url: Db = None,
    actor: Actor = None,
    as_user: As = None,
    lang: Lang = "zh",
    as_json: JsonFlag = False,
) -> None:
    """Proposals about the facilities you may see, newest first."""
    from carbonpeak.services import registry_proposals as proposals

    rows = use_case(
        lambda session, who: proposals.list_proposals(session, who, status),
        url=url,
        lang=lang,
        actor=actor,
        as_user=as_user,
    )
    print_rows(
        [
            {
                "id": p.id,
                "facility": p.facility_code,
                "status": p.status,
                "changes": json.dumps(p.changes, ensure_ascii=False),
                "proposed_by": p.proposed_by,
                "decided_by": p.decided_by,
                "reason": p.reason,
            }
            for p in rows
        ],
        "proposals",
        as_json,
    )


@proposals_app.command("propose")
def proposals_propose(
    facility: Annotated[str, typer.Argument(help="your facility's code")],
    pairs: Pairs = None,
    note: Annotated[str | None, typer.Option(help="why (shown to the regulator)")] = None,
    url: Db = None,
    as_user: As = None,
    lang: Lang = "zh",
) -> None:
    """Propose a change to one of your enterprise's facilities (needs --as an enterprise account)."""
    from carbonpeak.services import registry_proposals as proposals

    changes = field_pairs(pairs, lang)
    made = use_case(
        lambda session, who: proposals.propose(session, who, facility, changes, note),
        url=url,
        lang=lang,
        as_user=as_user,
    )
    console.print(f"proposal {made.id} for {made.facility_code}: pending", highlight=False)


@proposals_app.command("approve")
def proposals_approve(
    proposal: int,
    note: Annotated[str | None, typer.Option(help="a note kept with the decision")] = None,
    url: Db = None,
    actor: Actor = None,
    as_user: As = None,
    lang: Lang = "zh",
) -> None:
    """Approve a pending proposal: applied as a registry change (a capacity change through the ledger)."""
    from carbonpeak.services import registry_proposals as proposals

    done = use_case(
        lambda session, who: proposals.approve(session, who, proposal, note),
        url=url,
        lang=lang,
        actor=actor,
        as_user=as_user,
    )
    console.print(f"proposal {done.id} approved; {done.facility_code} changed", highlight=False)


@proposals_app.command("reject")
def proposals_reject(
    proposal: int,
    reason: Annotated[str, typer.Option(help="why (required; shown to the enterprise)")],
    url: Db = None,
    actor: Actor = None,
    as_user: As = None,
    lang: Lang = "zh",
) -> None:
    """Reject a pending proposal with a reason."""
    from carbonpeak.services import registry_proposals as proposals

    done = use_case(
        lambda session, who: proposals.reject(session, who, proposal, reason),
        url=url,
        lang=lang,
        actor=actor,
        as_user=as_user,
    )
    console.print(f"proposal {done.id} rejected", highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(registry_app, name="registry")
    for noun, kind in NOUNS.items():
        app.add_typer(_noun_app(noun, kind), name=noun)
    app.add_typer(proposals_app, name="proposals")


def _a(noun: str) -> str:
    return ("an " if noun[0] in "aeiou" else "a ") + noun
