"""The web platform: pages for enterprises, verifiers and regulators, and the REST API (/api/v1).

``create_app`` is imported lazily so that importing :mod:`carbonpeak.web` (for migrations)
does not load FastAPI.
"""

from __future__ import annotations

from typing import Any


def create_app(database_url: str | None = None, **kwargs: Any) -> Any:
    from carbonpeak.web.app import create_app as _create_app

    return _create_app(database_url, **kwargs)


__all__ = ["create_app"]
