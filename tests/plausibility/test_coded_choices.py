"""Coded fields are choices: every reader (the column-wise intake, the record path, the fast CSV path) refuses a
code outside the field's list, for the record's sector where the list depends on it, naming the allowed codes."""

from __future__ import annotations

import pandas as pd
import pytest

from carbonpeak.errors import InputError
from carbonpeak.io import choices
from carbonpeak.io.activity import parse_records, parse_table
from carbonpeak.io.reading import read_upload
from carbonpeak.io.validate import validate_table

BASE = {"facility_id": "F1", "region": "shaanxi", "period": "2024-03", "output_t": 100}


def refused(record: dict) -> InputError:
    with pytest.raises(InputError) as caught:
        parse_records([record])
    return caught.value


def test_the_lists_are_the_codes_the_accounting_reads() -> None:
    assert set(choices.choices("technology", "electrolytic_aluminium")) == {
        "CWPB", "SWPB", "PFPB_L", "PFPB_M", "PFPB_MW", "VSS", "HSS"
    }  # fmt: skip
    assert set(choices.choices("technology", "zinc")) == {"waelz_kiln", "pyrometallurgical", "default"}
    assert choices.choices("technology", "copper") == {}
    assert set(choices.choices("method", "copper")) == {"cn-nonferrous-2015"}
    assert set(choices.choices("method", "electrolytic_aluminium")) == {
        "cn-al-2013", "cn-al-2024", "ipcc2006-tier1", "ipcc2006-tier2", "cbam-2025"
    }  # fmt: skip
    assert set(choices.choices("paste_type")) == {"dry_paste", "wet_paste"}
    assert set(choices.choices("bake_furnace")) == {"riedhammer", "other_furnace"}
    assert set(choices.choices("metering")) == {"meter", "estimate"}
    assert "zinc_smelting_hydro" in choices.choices("product")


@pytest.mark.parametrize(
    ("field", "value", "sector", "named"),
    [
        ("technology", "prebake", "electrolytic_aluminium", "PFPB_M"),
        ("method", "cn-al-2024", "copper", "cn-nonferrous-2015"),
        ("product", "aluminium", "electrolytic_aluminium", "electrolytic_aluminium"),
        ("metering", "guess", "copper", "estimate"),
        ("bake_furnace", "tunnel", "electrolytic_aluminium", "riedhammer"),
        ("paste_type", "medium", "electrolytic_aluminium", "wet_paste"),
    ],
)
def test_the_record_path_refuses_a_code_outside_the_list(field: str, value: str, sector: str, named: str) -> None:
    error = refused({**BASE, "sector": sector, field: value})
    assert (error.code, error.field, error.value) == ("intake.not_a_choice", field, value)
    assert named in error.text("zh") and named in error.text("en")


def test_a_sector_without_technologies_takes_none() -> None:
    error = refused({**BASE, "sector": "copper", "technology": "flash_smelting"})
    assert error.code == "intake.no_codes_for_sector"
    assert error.text("zh").endswith("该行业（铜冶炼）的记录不填写此项；请留空（填写的是 flash_smelting）")


def test_a_valid_code_passes_every_path() -> None:
    record = {**BASE, "sector": "electrolytic_aluminium", "technology": "PFPB_M", "method": "cn-al-2024"}
    assert parse_records([record]).records.loc[0, "technology"] == "PFPB_M"
    frame = pd.DataFrame([{k: str(v) for k, v in record.items()}])
    assert parse_table(frame).records.loc[0, "method"] == "cn-al-2024"


def test_the_fast_path_leaves_a_wrong_code_to_the_record_path_which_words_it() -> None:
    frame = pd.DataFrame([{**{k: str(v) for k, v in BASE.items()}, "sector": "zinc", "technology": "CWPB"}])
    with pytest.raises(InputError) as caught:
        parse_table(frame, source="z.csv")
    assert caught.value.code == "intake.not_a_choice" and "waelz_kiln" in caught.value.text("en")


def test_the_column_wise_check_names_each_rows_sector_list() -> None:
    content = (
        b"facility_id,sector,region,period,output_t,technology\n"
        b"A1,electrolytic_aluminium,shaanxi,2024-01,100,CWPB\n"
        b"A1,electrolytic_aluminium,shaanxi,2024-02,100,cwpb\n"
        b"Z1,zinc,shaanxi,2024-02,100,CWPB\n"
        b"C1,copper,shaanxi,2024-02,100,flash\n"
    )
    checked = validate_table(read_upload(content, "t.csv"))
    found = {(e.row, e.field, e.code, e.value) for e in checked.errors}
    assert found == {
        (3, "technology", "intake.not_a_choice", "cwpb"),
        (4, "technology", "intake.not_a_choice", "CWPB"),
        (5, "technology", "intake.no_codes_for_sector", "flash"),
    }
    zinc = next(e for e in checked.errors if e.row == 4)
    assert "waelz_kiln" in zinc.text("en") and "PFPB_M" not in zinc.text("en")
