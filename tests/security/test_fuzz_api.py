"""Fuzzing the API with schemathesis (issue 10): every operation of the OpenAPI schema, as the DG's office and
as a unit editor, with data that fits the schema and data that does not. Checked: no server error (5xx), no
response that breaks its documented schema.

Bounded for CI: ``FUZZ_EXAMPLES`` cases per operation and generation mode (default 8), run in process
against Django's WSGI application; every case runs in a savepoint rolled back afterwards, so each starts from
the same small world (tests/security/world.py). ``FUZZ_EXAMPLES=200 make test PYTEST_ARGS=tests/security/
test_fuzz_api.py`` fuzzes harder by hand.

Undocumented status codes (the API's 400/403/404/409/412/428, all in the one error shape) are not flagged:
drf-spectacular documents the success answers only.
"""

import os
from collections import Counter

import hypothesis
import pytest
import schemathesis
import time_machine
from django.db import transaction
from hypothesis import HealthCheck, Phase
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance

from accounts import services as account_services
from tests.security import world as world_module

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))
CHECKS = [not_a_server_error, response_schema_conformance]


def _schema():
    from drf_spectacular.generators import SchemaGenerator

    return schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))


@pytest.fixture
def world(db):
    with time_machine.travel("2022-11-15 10:00 +01:00", tick=False):
        yield world_module.build()


def _fuzz(operation, mode, headers, app, seen, failures):
    @hypothesis.settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
    def run(case):
        savepoint = transaction.savepoint()
        try:
            response = case.call_and_validate(app=app, headers=headers, checks=CHECKS)
            seen[response.status_code // 100] += 1
        finally:
            transaction.savepoint_rollback(savepoint)

    try:
        run()
    except hypothesis.errors.Unsatisfiable:
        pass  # nothing to break in this operation's input for this mode (e.g. no parameter at all)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as error:  # noqa: BLE001 (one operation's failure must not hide the others')
        failures.append(f"{operation.label} [{mode}]: {str(error)[:1500]}")


@pytest.fixture
def keep_connection():
    """As Django's test client does: a request must not close the test's database connection (on PostgreSQL
    that would end the test's transaction)."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.parametrize("role", ["office", "editor_a"])
def test_the_api_survives_fuzzing(world, role, settings, keep_connection):
    from config.wsgi import application

    settings.DEBUG = False
    _token, secret = account_services.token_issue(user=world.users[role])
    headers = {"Authorization": f"Token {secret}"}
    seen, failures, operations = Counter(), [], 0
    with time_machine.travel("2022-11-15 10:00 +01:00", tick=True):
        for result in _schema().get_all_operations():
            operation = result.ok()
            if operation.path.startswith("/api/v1/auth/"):
                continue  # logins: throttled and locked out on failures (the "login" helper's tests)
            operations += 1
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                _fuzz(operation, mode, headers, application, seen, failures)
    total = sum(seen.values())
    print(
        f"schemathesis as {role}: {operations} operations, {total} cases, answers by class: "
        f"{dict(sorted((f'{k}xx', v) for k, v in seen.items()))}"
    )
    assert total > operations * 4, "the fuzzer sent too few requests to mean anything"
    assert not failures, f"{len(failures)} operation(s) failed:\n\n" + "\n\n".join(failures)
