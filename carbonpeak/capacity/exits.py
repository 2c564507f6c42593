"""What must exit: the facility-years below the baseline level, with their deadline and the ledger's approved
capacity. Pure; :func:`carbonpeak.store.capacity.must_exit` reads the frames."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from carbonpeak.accounting.benchmark import classify_facilities
from carbonpeak.capacity.events import parse_date
from carbonpeak.capacity.ledger import approved_capacity
from carbonpeak.errors import InputError, ParameterNotFound
from carbonpeak.indicators.definitions import facility_year_frame
from carbonpeak.parameters import ParameterSet


def below_baseline(facility_years: pd.DataFrame, params: ParameterSet, edition: str | None = None) -> pd.DataFrame:
    """The facility-years classified below the baseline level, with their deadline (``must_act_by``).

    ``facility_years`` is :func:`carbonpeak.indicators.definitions.facility_year_frame` output.
    :func:`carbonpeak.accounting.benchmark.classify_facilities` is called once per product, so a product
    whose levels are missing for the edition (e.g. every 2023-edition value, industrial silicon) does
    not stop the others; such products are listed in ``attrs["not_classified"]`` with the reason.
    """
    columns = [
        "facility_code",
        "province",
        "sector",
        "product",
        "year",
        "indicator",
        "unit_consumption",
        "unit",
        "baseline_level",
        "edition",
        "class",
        "must_act_by",
        "capacity_t_per_a",
    ]
    not_classified: dict[str, str] = {}
    parts: list[pd.DataFrame] = []
    frame = facility_years[facility_years["product"] != ""] if not facility_years.empty else facility_years
    for product, group in frame.groupby("product", sort=True) if not frame.empty else []:
        try:
            table, _shares, _cited = classify_facilities(group, params, edition=edition)
        except ParameterNotFound as exc:
            not_classified[str(product)] = str(exc)
            continue
        parts.append(table[table["class"] == "below_baseline"])
    if parts:
        out = pd.concat(parts, ignore_index=True).rename(columns={"facility_id": "facility_code", "region": "province"})
        out = out[columns].sort_values(["must_act_by", "facility_code"]).reset_index(drop=True)
    else:
        out = pd.DataFrame(columns=columns)
    out.attrs["not_classified"] = not_classified
    return out


def with_capacity(
    table: pd.DataFrame, events: pd.DataFrame, facilities: pd.DataFrame, on_date: dt.date, year: int
) -> pd.DataFrame:
    """Add the ledger's approved capacity on ``on_date`` and the registry status to a must-exit table."""
    approved = approved_capacity(events, on_date).set_index("facility_code")["approved_t_per_a"]
    registry = facilities.set_index("facility_code")
    out = table.copy()
    out["approved_t_per_a"] = out["facility_code"].map(approved).astype(float)
    out["status"] = out["facility_code"].map(registry["status"])
    out["retired_on"] = out["facility_code"].map(registry["retired_on"])
    retired = pd.to_datetime(out["retired_on"])
    out["exited"] = ((retired.notna() & (retired <= pd.Timestamp(on_date))) | (out["approved_t_per_a"] == 0)).astype(
        bool
    )
    out["on_date"] = on_date
    out.attrs.update(table.attrs)
    out.attrs["year"] = year
    return out


def must_exit_table(
    facts: pd.DataFrame,
    events: pd.DataFrame,
    facilities: pd.DataFrame,
    params: ParameterSet,
    year: int | None = None,
    benchmark_edition: str | None = None,
    on_date: dt.date | str | None = None,
) -> pd.DataFrame:
    """Facilities whose facility-year class is below the baseline level, their capacity and deadline.

    ``facts`` are the counted facility-months (:func:`carbonpeak.store.facts.facility_months`), ``events``
    the ledger's events and ``facilities`` the registry's. ``year`` defaults to the latest year with
    counted data (up to ``on_date``'s year). Classes come from
    :func:`carbonpeak.accounting.benchmark.classify_facilities` over
    :func:`carbonpeak.indicators.definitions.facility_year_frame`; ``approved_t_per_a`` is the
    ledger's approved capacity on ``on_date`` (default 31 December of ``year``). A product whose levels
    are missing for the edition is left out and named, with the reason, in ``frame.attrs["not_classified"]``.
    """
    if year is None:
        limit = parse_date(on_date, field="date").year if on_date is not None else None
        held = facts["year"] if limit is None else facts.loc[facts["year"] <= limit, "year"]
        if len(held):
            year = int(held.max())
        elif limit is not None:
            year = limit
        else:
            raise InputError(code="capacity.nothing_to_classify", field="year")
    day = parse_date(on_date, field="date") if on_date is not None else dt.date(int(year), 12, 31)
    rows = facts[facts["year"] == int(year)]
    years = facility_year_frame(rows) if not rows.empty else pd.DataFrame(columns=["product"])
    table = below_baseline(years, params, benchmark_edition)
    out = with_capacity(table, events, facilities, day, int(year))
    if rows.empty:
        out.attrs["note"] = f"no counted facility-month in {year}"
    return out
