"""Schemathesis against the served OpenAPI schema: no input may cause a server error (5xx)."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from nachtwacht.api import create_app
from nachtwacht.app import Nachtwacht
from nachtwacht.users import UserStore
from tests.api.conftest import CASE
from tests.api.corpus import seed

FUZZ_ADMIN = "fuzz-admin-q7"  # a name the generator will not guess, so it cannot disable itself
# Operations that spawn crawl processes: tested with real crawls in test_jobs.py, never fuzzed
# (a generated loopback job would start a crawl that outlives the test).
SPAWNING = ("/start", "/resume")


@pytest.fixture(scope="module")
def fuzz_target(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("fuzz-data")
    seed(data_dir)
    users = UserStore(data_dir)
    users.create_user(FUZZ_ADMIN, "fuzz admin password", "admin")
    token, _ = users.create_token(FUZZ_ADMIN, "fuzz")
    app = create_app(Nachtwacht(data_dir), users=users, web=False)
    return app, token


def test_no_server_errors(fuzz_target):
    """Every operation, a few generated requests each, as an admin with a case reference."""
    app, token = fuzz_target
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app)
    auth = {"Authorization": f"Bearer {token}", "X-Case-Ref": CASE}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    operations = [op for op in operations if not op.path.endswith(SPAWNING)]
    assert any(op.path == "/api/jobs" and op.method.upper() == "POST" for op in operations)
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=8, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def check(case):
            case.call_and_validate(headers={**(case.headers or {}), **auth}, checks=[not_a_server_error])

        check()
