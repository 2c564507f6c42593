"""Every route of the app as (path, methods, name): for the access-control walk and the docs.

FastAPI may keep included routers as lazily resolved branches (``_IncludedRouter``); this walks
both that form and the flat list of older versions.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RouteInfo:
    path: str
    methods: frozenset[str]
    name: str
    endpoint: Any


def all_routes(app: Any) -> list[RouteInfo]:
    return sorted(_walk(app.routes), key=lambda r: (r.path, sorted(r.methods)))


def _walk(routes: Any) -> Iterator[RouteInfo]:
    for route in routes:
        if hasattr(route, "effective_route_contexts"):
            for context in route.effective_route_contexts():
                original = context.original_route
                methods = getattr(original, "methods", None)
                if methods:
                    yield RouteInfo(context.path or original.path, frozenset(methods), original.name, context.endpoint)
        elif getattr(route, "methods", None):
            yield RouteInfo(route.path, frozenset(route.methods), route.name, getattr(route, "endpoint", None))
