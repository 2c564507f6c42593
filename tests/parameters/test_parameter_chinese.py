"""Every parameter family shipped carries the Chinese texts its zh-CN page shows (description, key and value
names, notes, sources' Chinese titles), and adding them changed no cited value."""

from __future__ import annotations

import pytest

from carbonpeak.errors import ParameterFileError
from carbonpeak.parameters import load
from carbonpeak.parameters.chinese import check, missing, needs_zh


def test_every_family_has_its_chinese_texts() -> None:
    files = load().files
    assert {fid: missing(f)[:5] for fid, f in files.items() if missing(f)} == {}
    check(files)


def test_a_family_without_its_chinese_texts_is_refused_with_a_code() -> None:
    file = load().files["emissions.aluminium_cn"]
    bare = file.model_copy(update={"description_zh": None, "key_names": None})
    with pytest.raises(ParameterFileError) as caught:
        check({file.id: bare})
    assert caught.value.code == "parameters.zh_missing"
    assert "description_zh" in caught.value.text("en") and "key_names.quantity" in caught.value.text("en")
    assert "参数族缺少中文文本" in caught.value.text("zh")


def test_the_official_chinese_titles_are_cited() -> None:
    files = load().files
    assert (
        files["emissions.aluminium_cn"].sources["mee2024"].zh.document
        == "《企业温室气体排放核算与报告指南 铝冶炼行业》"
    )
    assert files["emissions.aluminium_cn"].sources["mee2024"].zh.status == "official"
    # a title that exists only in English is our rendering, marked so
    assert files["cbam.method"].sources["ir2547"].zh.status == "translated"


def test_the_chinese_texts_are_not_part_of_a_cited_value() -> None:
    """Results store the cited values' fingerprint: the zh block must not change it."""
    cited = load().at("emissions.aluminium_cn", edition="cn-2024", quantity="ef_cf4")
    assert cited.source.zh is not None
    assert "zh" not in cited.as_dict()["source"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("表3 省级电力平均；与另一独立来源一致", False),
        ("以 kgce/t 表示；GB 25323", False),
        ("not found", True),
        (None, False),
    ],
)
def test_what_needs_a_chinese_text(text: str | None, expected: bool) -> None:
    assert needs_zh(text) is expected


def test_a_reimport_keeps_the_chinese_texts() -> None:
    """tools/import_reference.py writes some families again from the reference: it keeps their zh fields."""
    import importlib.util
    from pathlib import Path

    import yaml

    tool = Path(__file__).resolve().parents[2] / "tools" / "import_reference.py"
    spec = importlib.util.spec_from_file_location("import_reference", tool)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    shipped = yaml.safe_load((tool.parents[1] / "carbonpeak/parameters/electricity/grid_factors.yaml").read_text())
    regenerated = {k: v for k, v in shipped.items() if k not in module._ZH_TOP}
    regenerated["sources"] = {sid: {k: v for k, v in s.items() if k != "zh"} for sid, s in shipped["sources"].items()}
    regenerated["entries"] = [{k: v for k, v in e.items() if k not in module._ZH_ENTRY} for e in shipped["entries"]]
    assert module.keep_chinese(regenerated, shipped) == shipped
    assert list(module.keep_chinese(regenerated, shipped)) == list(shipped)
