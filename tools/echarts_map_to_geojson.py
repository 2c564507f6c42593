"""Decode a province map of the npm package ``echarts`` 4.x (``map/json/province/*.json``, ECharts'
compressed "UTF8Encoding" form) into plain GeoJSON, rounded to 3 decimals (about 100 m, near the
source's own step of 1/1024 degree: a 示意图 needs no more).

The decoding is ECharts' own (``src/coord/geo/parseGeoJson.js``, function ``decode``): each ring is a
string of character pairs, zig-zag encoded deltas from the ring's ``encodeOffsets``, divided by
``UTF8Scale`` (1024 when absent).

    npm pack echarts@4.9.0 && tar xzf echarts-4.9.0.tgz
    python tools/echarts_map_to_geojson.py package/map/json/province/shanxi1.json \
        carbonpeak/web/maps/shaanxi.geojson
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def _ring(text: str, offsets: list[int], scale: float) -> list[list[float]]:
    x0, y0 = offsets
    out = []
    for i in range(0, len(text), 2):
        x = ord(text[i]) - 64
        y = ord(text[i + 1]) - 64
        x = (x >> 1) ^ (-(x & 1))
        y = (y >> 1) ^ (-(y & 1))
        x0, y0 = x + x0, y + y0
        out.append([round(x0 / scale, 3), round(y0 / scale, 3)])
    return out


def decode(data: dict[str, Any]) -> dict[str, Any]:
    if not data.get("UTF8Encoding"):
        return data
    scale = float(data.get("UTF8Scale") or 1024)
    features = []
    for feature in data["features"]:
        geometry = feature["geometry"]
        offsets = geometry["encodeOffsets"]
        if geometry["type"] == "Polygon":
            coordinates: Any = [_ring(r, o, scale) for r, o in zip(geometry["coordinates"], offsets, strict=True)]
        elif geometry["type"] == "MultiPolygon":
            coordinates = [
                [_ring(r, o, scale) for r, o in zip(polygon, polygon_offsets, strict=True)]
                for polygon, polygon_offsets in zip(geometry["coordinates"], offsets, strict=True)
            ]
        else:
            raise ValueError(f"unexpected geometry {geometry['type']}")
        features.append(
            {
                "type": "Feature",
                "id": feature.get("id"),
                "properties": {"name": feature["properties"]["name"], "cp": feature["properties"].get("cp")},
                "geometry": {"type": geometry["type"], "coordinates": coordinates},
            }
        )
    return {"type": "FeatureCollection", "features": features}


if __name__ == "__main__":
    source, target = Path(sys.argv[1]), Path(sys.argv[2])
    plain = decode(json.loads(source.read_text(encoding="utf-8")))
    target.write_text(json.dumps(plain, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
