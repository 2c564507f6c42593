"""The demonstration's monthly evidence deposits (月度信息化存证): the aluminium smelter of the demo's
enterprise account (E02, the second enterprise by code) deposits its recent months, each in another state,
so that its page, the city's review and the receipts have something to show. The evidence files are small
synthetic text files that say they are demonstrations; the deposited NCV and carbon content are the values
the accounting used (the report gives none).

* 2025-09: deposited on time, accepted (locked);
* 2025-10: deposited late, accepted;
* 2025-11: deposited on time, awaiting the city's review (one value off the report, shown by the check);
* 2025-12: values saved, not deposited yet.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.accounting import account
from carbonpeak.ets import config as ets_config
from carbonpeak.io.activity import parse_records
from carbonpeak.services import access
from carbonpeak.services import ets_deposit as use
from carbonpeak.services import ets_deposit_reads as reads
from carbonpeak.store.models import Enterprise
from carbonpeak.store.parameters import parameter_set

UTC8 = dt.timezone(dt.timedelta(hours=8))
# month -> (deposited at, reviewed at, decision); None: not done
PLAN: dict[str, tuple[dt.datetime | None, dt.datetime | None]] = {
    "2025-09": (dt.datetime(2025, 10, 16, 10, 30, tzinfo=UTC8), dt.datetime(2025, 10, 28, 15, 0, tzinfo=UTC8)),
    "2025-10": (dt.datetime(2025, 11, 24, 9, 0, tzinfo=UTC8), dt.datetime(2025, 12, 5, 11, 0, tzinfo=UTC8)),
    "2025-11": (dt.datetime(2025, 12, 18, 17, 20, tzinfo=UTC8), None),
    "2025-12": (None, None),
}
NOTE = "示范文件（合成数据，非真实凭证）/ demonstration file (synthetic, not a real record)\n"


def load_deposits(session: Session, actor: str) -> int:
    """The demonstration deposits of the enterprise account's enterprise; the number of months written (0
    where the demo has no such aluminium enterprise)."""
    enterprises = list(session.scalars(select(Enterprise).order_by(Enterprise.code).limit(2)))
    if len(enterprises) < 2:
        return 0
    code = enterprises[1].code
    who = access.operator(actor)
    try:
        facilities = reads.aluminium_facilities(session, enterprises[1])
    except Exception:  # no aluminium facility: nothing to deposit
        return 0
    params = parameter_set(session)
    cfg = ets_config.load()
    written = 0
    for month, (deposited_at, reviewed_at) in PLAN.items():
        records = reads.report_records(session, facilities, month)
        if not records:
            continue
        values = _fuel_properties(records, params)
        if month == "2025-11":  # one value off the report by 1 %: the cross-check shows it to the reviewer
            key = f"{facilities[-1].code}:output_t"
            reported = records.get(facilities[-1].code)
            if reported is not None and reported.record.get("output_t"):
                values[key] = round(float(reported.record["output_t"]) * 1.01, 1)
        use.save(session, who, code, month, None, demo=True)
        use.save(session, who, code, month, values, reason="示范：补充燃料低位发热量和含碳量", demo=True)
        for f in facilities:
            for item in ("fuel_consumption", "grid_electricity_mwh", "output_t"):
                label = cfg.item(item).zh if cfg.item(item) else item  # type: ignore[union-attr]
                name = f"{f.code}_{month}_{label}_示范.csv"
                body = f"{NOTE}{f.code} {month} {item}\n".encode()
                use.upload(session, who, code, month, f"{f.code}:{item}", name, body, demo=True)
        if deposited_at is not None:
            use.deposit(session, who, code, month, at=deposited_at)
        if reviewed_at is not None:
            use.review(session, who, code, month, "accept", at=reviewed_at)
        written += 1
    return written


def _fuel_properties(records: dict[str, Any], params: Any) -> dict[str, float]:
    """The NCV and carbon content per facility and fuel that the accounting used for the month."""
    rows = [dict(v.record) for v in records.values()]
    result = account(parse_records(rows, source="demo"), params)
    facility_of = dict(zip(result.table["record_id"].astype(str), result.table["facility_id"].astype(str), strict=True))
    out: dict[str, float] = {}
    for item in result.breakdown():
        if item["term"] == "fuel":
            facility = facility_of[str(item["record_id"])]
            out[f"{facility}:fuel_ncv:{item['fuel']}"] = float(item["ncv"])
            out[f"{facility}:fuel_carbon_content:{item['fuel']}"] = float(item["carbon_content"])
    return out
