"""The registry's field tables (``io/fields/registry_*.csv``): regions, parks, enterprises, facilities, meters.

Each table is described once (field, type, bounds, labels); the use cases' validation, the bulk file's
template and reader, the forms and the docs are generated from it. The labels are registered with the
message catalog so that an error names a field in the reader's language.
"""

from __future__ import annotations

from carbonpeak import messages
from carbonpeak.io.fields import FieldSpec, field_table

# kind -> (field table, the field holding the row's own code)
KINDS: dict[str, tuple[str, str]] = {
    "regions": ("registry_regions", "region_code"),
    "parks": ("registry_parks", "park_code"),
    "clusters": ("registry_clusters", "cluster_code"),
    "enterprises": ("registry_enterprises", "enterprise_code"),
    "facilities": ("registry_facilities", "facility_code"),
    "meters": ("registry_meters", "meter_code"),  # online energy monitoring (services.monitoring's use cases)
}
# Sheet names of the bulk file, by language; the reader accepts either language.
SHEETS: dict[str, dict[str, str]] = {
    "regions": {"zh": "地区", "en": "regions"},
    "parks": {"zh": "园区", "en": "parks"},
    "clusters": {"zh": "集群", "en": "clusters"},
    "enterprises": {"zh": "企业", "en": "enterprises"},
    "facilities": {"zh": "设施", "en": "facilities"},
    "meters": {"zh": "计量器具", "en": "meters"},
}
LEVELS: dict[str, tuple[str, str]] = {
    "province": ("省", "province"),
    "city": ("市", "city"),
    "county": ("县", "county"),
}
STATUSES: dict[str, tuple[str, str]] = {
    "operating": ("运行", "operating"),
    "idle": ("停产", "idle"),
    "retired": ("退出", "retired"),
}
GREEN_LEVELS: dict[str, tuple[str, str]] = {"provincial": ("省级", "provincial"), "national": ("国家级", "national")}


def fields(kind: str) -> dict[str, FieldSpec]:
    """The fields of one kind of registry row, in file order."""
    return field_table(KINDS[kind][0])


def code_field(kind: str) -> str:
    return KINDS[kind][1]


def sheet_kind(name: str) -> str | None:
    """The kind of a sheet named in either language (case and spaces ignored)."""
    wanted = name.strip().casefold()
    for kind, names in SHEETS.items():
        if wanted in {n.casefold() for n in names.values()} or wanted == kind:
            return kind
    return None


def _label(name: str, lang: str) -> str | None:
    for kind in KINDS:
        if kind == "meters":  # a meter's fields are labelled by the monitoring catalog (carbonpeak.monitoring.meters)
            continue
        spec = fields(kind).get(name)
        if spec is not None:
            return spec.label_zh if lang == "zh" else spec.label_en
    return None


messages.register_labels(_label)
