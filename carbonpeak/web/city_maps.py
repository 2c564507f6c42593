"""Which map a province's city map draws: ``maps/maps.yaml`` (or the deployment's own file, setting
``city_maps``): province region code -> GeoJSON file, the feature property naming a shape, which shape
is which city, whether the shapes stand in for the real ones, and the note under the map."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

SHIPPED = Path(__file__).parent / "maps" / "maps.yaml"
_path: str = ""  # empty: the shipped file


@dataclass(frozen=True)
class ProvinceMap:
    region: str
    geojson: Path
    feature: str
    cities: dict[str, str]  # city region code -> the feature's name
    stand_in: bool
    note: dict[str, str]  # language -> the note under the map


@dataclass(frozen=True)
class MapIndicator:
    id: str
    sector: bool  # asks for one sector (a ratio across sectors means nothing)


def configure(path: str | None) -> None:
    global _path
    _path = path or ""
    config.cache_clear()


@cache
def config() -> tuple[dict[str, ProvinceMap], tuple[MapIndicator, ...]]:
    path = Path(_path) if _path else SHIPPED
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    provinces = {}
    for region, entry in (data.get("provinces") or {}).items():
        geojson = (path.parent / entry["geojson"]).resolve()
        if not geojson.is_file():
            raise ValueError(f"{path}: the map of {region} names {geojson}, which does not exist")
        provinces[str(region)] = ProvinceMap(
            str(region),
            geojson,
            str(entry.get("feature", "name")),
            {str(k): str(v) for k, v in (entry.get("cities") or {}).items()},
            bool(entry.get("stand_in", False)),
            {lang: str(entry.get(f"note_{lang}", "")) for lang in ("zh", "en")},
        )
    indicators = tuple(MapIndicator(str(i["id"]), bool(i.get("sector", False))) for i in data.get("indicators") or [])
    return provinces, indicators


def for_province(region: str) -> ProvinceMap | None:
    return config()[0].get(region)


def by_name(name: str) -> ProvinceMap | None:
    """The map whose GeoJSON file is called ``name`` (without its suffix)."""
    return next((m for m in config()[0].values() if m.geojson.stem == name), None)


def indicators() -> tuple[MapIndicator, ...]:
    return config()[1]
