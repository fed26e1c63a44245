"""Shared fixtures: the role cast used by every permission test, and real-service gates.

The cast, like healthchecks' alice/bob/charlie:
- alice: head of unit A (a provincial command under region R)
- bob: editor of unit A
- charlie: head of unit B (another prefecture)
- rita: head of region R (sees A read-only)
- olga: the DG's office, with the rights the office's people held before rights were per person
  (review reports, manage cycles and cahiers des charges, prepare the roadmap and the bilan)
- dino: the DG, with the approval rights (roadmap, bilan)
- opal: another member of the DG's office holding the roadmap approval right (four eyes)
- oscar: an outsider with no role
- root: an administrator

Logging in: prefer ``client.force_login(user)``. A password login goes through django-axes' lock-out,
which needs the request: ``client.login(request=HttpRequest(), username=..., password=...)``.
The DG, the DG's office and administrators need a one-time code in production; see
``_second_factor_off`` below for how the tests deal with it.
"""

import os
import shutil
import socket
from urllib.parse import urlparse

import pytest
import time_machine
from django.conf import settings

from directorates import permissions as unit_permissions
from directorates.models import Directorate, Membership, User
from reviews import services
from roadmap import permissions as roadmap_permissions
from tests.factories import (
    CycleFactory,
    DeliverableFactory,
    DirectorateFactory,
    MembershipFactory,
    UserFactory,
    dg_rights,
    office_user,
)

ON_CI = os.environ.get("CI") == "true"

# One Chromium per test session, shared by every browser test (tests/browser_support.py).
pytest_plugins = ["tests.browser_support"]


def _reachable(url, default_port):
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=1):
            return True
    except OSError:
        return False


def _service_problem(marker):
    if marker == "postgres":
        if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
            return "needs PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/test"
    if marker in ("redis", "celery"):
        url = os.environ.get("REDIS_URL", "")
        if not url:
            return "needs Redis: set REDIS_URL=redis://127.0.0.1:6379/0"
        if not _reachable(url, 6379):
            return f"Redis at {url} is not reachable"
    if marker == "browser":
        if not shutil.which("chromium") and not os.path.exists("/usr/bin/chromium"):
            return "needs Debian's chromium (apt-get install chromium)"
    return None


# CI runs the suite on the embedded default (no DATABASE_URL, no REDIS_URL: on purpose) and again
# against PostgreSQL and Redis. The server tests belong to the second pass; anywhere else on CI a
# missing or unreachable service fails the run rather than hiding it.
EMBEDDED_CI_PASS = ON_CI and not os.environ.get("DATABASE_URL") and not os.environ.get("REDIS_URL")
SERVER_MARKERS = ("postgres", "redis", "celery")


def pytest_collection_modifyitems(config, items):
    for item in items:
        for marker in (*SERVER_MARKERS, "browser"):
            if not item.get_closest_marker(marker):
                continue
            if EMBEDDED_CI_PASS and marker in SERVER_MARKERS:
                item.add_marker(
                    pytest.mark.skip(
                        reason="CI's embedded-default pass (SQLite, no REDIS_URL): runs in the PostgreSQL + Redis pass"
                    )
                )
                break
            problem = _service_problem(marker)
            if problem and not ON_CI:
                item.add_marker(pytest.mark.skip(reason=problem))


@pytest.fixture
def dead_broker():
    """Celery not eager, its broker a closed port (not the shared Redis): every publish fails."""
    from tests.celery_support import celery_using

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with celery_using(f"redis://127.0.0.1:{port}/0"):
        yield


@pytest.fixture(autouse=True)
def _isolated_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _isolated_sent_markers(monkeypatch):
    """Each test its own namespace of notifications' sent-message cache markers: a test's rolled-back
    rows (ids reused, clock frozen) must not be taken for rows a lost worker had sent."""
    import uuid

    monkeypatch.setattr("notifications.services.SENT_MARKER_PREFIX", f"notifications:sent:{uuid.uuid4().hex}")


@pytest.fixture(autouse=True)
def _second_factor_off(settings):
    """Production requires a one-time code from the DG, the DG's office and administrators
    (``TWO_FACTOR_REQUIRED``, on by default). Most tests log those people in with ``force_login`` to test
    something else, and a code step would only stand in their way: here it is off. Tests of the second
    factor itself turn it back on with the ``second_factor_on`` fixture (tests/accounts/)."""
    settings.TWO_FACTOR_REQUIRED = False


@pytest.fixture
def second_factor_on(settings):
    """The production rule: the DG, the DG's office and administrators must give a one-time code."""
    settings.TWO_FACTOR_REQUIRED = True


@pytest.fixture(autouse=True)
def _token_throttle_reset():
    """The token endpoint's throttle counts per address in the cache, which outlives a test."""
    from django.core.cache import cache

    from accounts.api import TokenThrottle

    cache.delete(TokenThrottle.cache_format % {"scope": TokenThrottle.scope, "ident": "127.0.0.1"})


@pytest.fixture
def frozen():
    """Mid-November 2022: the 2022 cycle is open, the deadline (9 December) not yet passed."""
    with time_machine.travel("2022-11-15 10:00 +01:00", tick=False) as traveller:
        yield traveller


@pytest.fixture
def region(db):
    return DirectorateFactory(code="WS-R", kind=Directorate.Kind.SECURITY_PREFECTURE)


@pytest.fixture
def unit_a(region):
    return DirectorateFactory(code="SP-A", parent=region)


@pytest.fixture
def unit_b(db):
    return DirectorateFactory(code="WS-B", kind=Directorate.Kind.SECURITY_PREFECTURE)


def _member(username, unit, role):
    return MembershipFactory(user=UserFactory(username=username), directorate=unit, role=role).user


@pytest.fixture
def alice(unit_a):
    return _member("alice", unit_a, Membership.Role.HEAD)


@pytest.fixture
def bob(unit_a):
    return _member("bob", unit_a, Membership.Role.EDITOR)


@pytest.fixture
def victor(unit_a):
    return _member("victor", unit_a, Membership.Role.VIEWER)


@pytest.fixture
def charlie(unit_b):
    return _member("charlie", unit_b, Membership.Role.HEAD)


@pytest.fixture
def rita(region):
    return _member("rita", region, Membership.Role.HEAD)


@pytest.fixture
def olga(db):
    return office_user(username="olga")


@pytest.fixture
def dino(db):
    user = UserFactory(username="dino", org_role=User.OrgRole.APPROVER)
    unit_permissions.join(user, dg_rights())
    return user


@pytest.fixture
def opal(db):
    user = office_user(username="opal")
    unit_permissions.join(user, roadmap_permissions.GROUPS, roadmap_permissions.APPROVE_ROADMAP)
    return user


@pytest.fixture
def oscar(db):
    return UserFactory(username="oscar")


@pytest.fixture
def root(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


@pytest.fixture
def cycle(db):
    return CycleFactory(year=2022)


@pytest.fixture
def deliverables(unit_a):
    return [
        DeliverableFactory(directorate=unit_a, title="Créer une brigade anti-gang"),
        DeliverableFactory(directorate=unit_a, title="Numériser les procès-verbaux", category="digital"),
    ]


@pytest.fixture
def report_a(cycle, alice, bob, deliverables):
    return services.report_start(actor=bob, cycle=cycle, directorate=deliverables[0].directorate)


def fill(report, actor):
    """State an outcome for every deliverable of the report."""
    return services.report_update(
        actor=actor,
        report=report,
        outcomes={o.deliverable_id: {"status": "done"} for o in report.outcomes.all()},
    )


@pytest.fixture
def filled_report(report_a, bob):
    return fill(report_a, bob)


@pytest.fixture
def submitted_report(filled_report, alice, frozen):
    return services.report_submit(actor=alice, report=filled_report)


@pytest.fixture
def api(db):
    from rest_framework.test import APIClient

    return APIClient()
