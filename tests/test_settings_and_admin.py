"""Production settings refuse to start insecurely; the admin goes through the services."""

import os
import subprocess
import sys

from django.urls import reverse

from directorates.models import Deliverable, Directorate
from tests.factories import DirectorateFactory
from tests.helpers import assert_constant_queries

SERVICE_VARIABLES = ("DJANGO_", "DATABASE_URL", "REDIS_URL", "CELERY_")


def _settings_import(env, show="settings.DEBUG, settings.ALLOWED_HOSTS"):
    """Imports the production settings in a process of its own, with only `env` of ours set."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(SERVICE_VARIABLES)}
    clean.update(env)
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import os; os.environ['DJANGO_SETTINGS_MODULE']='config.settings.production'; "
            f"from django.conf import settings; print({show})",
        ],
        env=clean,
        capture_output=True,
        text=True,
        cwd=os.path.dirname(os.path.dirname(__file__)),
    )


def test_production_without_a_secret_key_refuses_to_start():
    result = _settings_import({"REDIS_URL": "redis://127.0.0.1:6379/0"})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_settings_come_from_the_environment():
    result = _settings_import(
        {
            "DJANGO_SECRET_KEY": "x" * 50,
            "DJANGO_ALLOWED_HOSTS": "bilan.dgsn.local",
            "REDIS_URL": "redis://127.0.0.1:6379/0",
        },
        show="settings.DEBUG, settings.ALLOWED_HOSTS, settings.CELERY_TASK_ALWAYS_EAGER",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False ['bilan.dgsn.local'] False"


def test_production_without_a_broker_refuses_to_start_unless_eager_tasks_are_asked_for():
    key = {"DJANGO_SECRET_KEY": "x" * 50}
    refused = _settings_import(key)
    assert refused.returncode != 0
    assert "REDIS_URL" in refused.stderr and "CELERY_TASK_ALWAYS_EAGER=true" in refused.stderr

    asked = _settings_import({**key, "CELERY_TASK_ALWAYS_EAGER": "true"}, show="settings.CELERY_TASK_ALWAYS_EAGER")
    assert asked.returncode == 0, asked.stderr
    assert asked.stdout.strip() == "True"


def test_the_embedded_default_runs_tasks_eagerly_without_any_environment():
    result = _settings_import(
        {"DJANGO_DEBUG": "true"}, show="settings.CELERY_TASK_ALWAYS_EAGER, settings.DATABASES['default']['ENGINE']"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True django.db.backends.sqlite3"


def test_admin_creates_a_unit_with_its_path(client, root, region):
    client.force_login(root)
    response = client.post(
        reverse("admin:directorates_directorate_add"),
        {
            "code": "SP-NEW",
            "kind": "provincial_security",
            "parent": region.pk,
            "name_fr": "Sûreté provinciale",
            "name_ar": "الأمن الإقليمي",
            "name_en": "Provincial security",
            "is_active": "on",
            "memberships-TOTAL_FORMS": 0,
            "memberships-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    unit = Directorate.objects.get(code="SP-NEW")
    assert unit.path == "WS-R/SP-NEW/"
    assert unit.history.get().history_user == root


def test_admin_deliverable_form_shows_service_errors_in_place(client, root, unit_a):
    client.force_login(root)
    response = client.post(
        reverse("admin:directorates_deliverable_add"),
        {
            "directorate": unit_a.pk,
            "year": 2022,
            "title": "Hors année",
            "category": "training",
            "due_date": "2023-02-01",
            "origin": "entered",
        },
    )
    assert response.status_code == 200
    assert "2022" in response.content.decode() and not Deliverable.objects.exists()


def test_reports_cannot_be_changed_from_the_admin(client, root, report_a):
    client.force_login(root)
    response = client.post(reverse("admin:reviews_report_change", args=[report_a.pk]), {"state": "accepted"})
    assert response.status_code in (403, 200)
    report_a.refresh_from_db()
    assert report_a.state == "draft"


def test_unit_list_keeps_a_constant_number_of_queries(client, olga, region, django_assert_num_queries):
    client.force_login(olga)
    DirectorateFactory.create_batch(3, parent=region)
    assert_constant_queries(
        django_assert_num_queries,
        lambda: client.get(reverse("directorates:unit_list")),
        lambda: DirectorateFactory.create_batch(20, parent=region),
    )


def test_cahier_page_keeps_a_constant_number_of_queries(client, olga, unit_a, django_assert_num_queries):
    from tests.factories import DeliverableFactory

    client.force_login(olga)
    DeliverableFactory.create_batch(2, directorate=unit_a)
    assert_constant_queries(
        django_assert_num_queries,
        lambda: client.get(reverse("directorates:cahier_year", args=["SP-A", 2022])),
        lambda: DeliverableFactory.create_batch(15, directorate=unit_a),
    )


def test_models_and_migrations_agree(db):
    from django.core.management import call_command

    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
