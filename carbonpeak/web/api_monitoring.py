"""``/api/v1/monitoring``: meter readings from gateways over HTTP (a thin adapter over
:mod:`carbonpeak.services.monitoring_http`; docs/monitoring.md has the payload and an example).

``POST /api/v1/monitoring/readings`` with ``Authorization: Bearer <token>`` of the enterprise's account and a
body of ``carbonpeak.readings/1`` (one message, or a JSON array of messages):

* 200 ``{"stored": true, "readings": n, "messages": [{"message_id", "readings"}]}`` after the commit; a
  resend answers the same and changes nothing;
* 422 ``{"error": "monitoring.http_refused", "message", "details": [{"message", "message_id", "reading",
  "field", "value", "expected", "code", "text"}]}``: every problem, nothing stored;
* 401 without a valid token, 403 for a role that does not report, 404 for an enterprise not one's own.

The handler is asynchronous so that access is decided before the body is read.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from carbonpeak import messages
from carbonpeak.services import monitoring_http
from carbonpeak.web import i18n
from carbonpeak.web.deps import DbSession, Who, csrf_protect
from carbonpeak.web.errors import TooLarge
from carbonpeak.web.monitoring_store import store_of

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api/v1/monitoring", dependencies=[Depends(csrf_protect)], tags=["monitoring"])
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "no valid token"},
    403: {"description": "the account does not report for an enterprise"},
    404: {"description": "not one's own enterprise"},
    409: {"description": "the reading store is held by another process (DuckDB)"},
    413: {"description": "the body is larger than the upload limit"},
    422: {"description": "every problem of the batch; nothing was stored"},
}


async def _body(request: Request) -> bytes:
    """The body, read in chunks up to the upload limit: a body over it is refused (413, ``too_large``) as soon
    as the limit is passed, whether or not it declared its length (the middleware refuses a declared one)."""
    limit = request.app.state.settings.max_upload_bytes
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooLarge(limit=limit // 2**20)
        chunks.append(chunk)
    return b"".join(chunks)


class MessageOut(BaseModel):
    message_id: str | None
    readings: int


class StoredOut(BaseModel):
    stored: bool
    readings: int
    messages: list[MessageOut]


@router.post(
    "/readings",
    response_model=StoredOut,
    responses=ERRORS,
    summary="Store a gateway's batch of readings (carbonpeak.readings/1), all or nothing",
    openapi_extra={"requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}, "required": True}},
)
async def post_readings(
    request: Request,
    session: DbSession,
    who: Who,
    enterprise: str | None = Query(None, max_length=60, description="an administrator names the enterprise"),
) -> Any:
    code = await run_in_threadpool(monitoring_http.gateway_enterprise, session, who, enterprise)
    body = await _body(request)  # read only once the sender may send for ``code``
    store = await run_in_threadpool(store_of, request)
    receipt = await run_in_threadpool(monitoring_http.receive, session, store, code, body)
    if not receipt.stored:
        lang = i18n.current_lang()
        return JSONResponse(
            status_code=422,
            content={
                "error": "monitoring.http_refused",
                "message": messages.render("monitoring.http_refused", lang, {"count": len(receipt.problems)}),
                "details": [p.as_dict(lang) for p in receipt.problems],
            },
        )
    log.info(
        "readings from %s: %d new, %d duplicates, %d corrections",
        code,
        receipt.new,
        receipt.duplicates,
        receipt.corrections,
    )
    return StoredOut(stored=True, readings=receipt.readings, messages=[MessageOut(**m) for m in receipt.messages])
