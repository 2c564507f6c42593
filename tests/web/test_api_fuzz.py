"""The whole API fuzzed by schemathesis, as each role: no 5xx, and every answer is what the OpenAPI document says.

What it proves (probe 1a of ../shared/research/probe-reliability.md, kept as a test): for every operation of
``/api/v1``, requests generated from the OpenAPI document (valid ones and odd ones: huge or negative ids,
years like 0 or 99999999999, strings where numbers belong) never make the server fail, and every response
has a status code, content type and body the document declares. Bounded by ``EXAMPLES`` per operation and
role so that the suite stays fast; ``CARBONPEAK_FUZZ_EXAMPLES`` raises it for a longer run.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import checks
from webhelpers import ROLES, TOKENS, copy_db, make_app

EXAMPLES = int(os.environ.get("CARBONPEAK_FUZZ_EXAMPLES", "12"))
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]


@pytest.fixture(scope="module")
def fuzz_app(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """An app on a copy of its own: the fuzzer's POSTs write."""
    return make_app(copy_db(demo_template, tmp_path_factory.mktemp("fuzz"), "fuzz.db"))


def _operations(app: Any) -> list[Any]:
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    return [result.ok() for result in schema.get_all_operations()]


@pytest.mark.parametrize("role", ROLES)
def test_no_server_error_and_the_document_holds(fuzz_app: Any, role: str) -> None:
    operations = _operations(fuzz_app)
    assert len(operations) >= 15  # the document lists the API
    headers = {"Authorization": f"Bearer {TOKENS[role]}"}
    failures: list[str] = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any) -> None:
            response = case.call(headers=headers)
            case.validate_response(response, checks=CHECKS, headers=headers)

        try:
            run()
        except (Exception, BaseExceptionGroup) as failure:  # every failing operation listed at once
            failures.append(f"{operation.label}: {_summary(failure)}")
    assert failures == [], "\n".join(failures)


def _summary(failure: BaseException) -> str:
    """The failure's titles, what was received and how to reproduce it, on a few lines."""
    lines = [line.strip() for line in str(failure).splitlines()]
    kept = [line for line in lines if line.startswith(("- ", "Received:", "Documented:", "curl "))]
    return "; ".join(kept) if kept else (lines[0] if lines else type(failure).__name__)
